"""User administration, the staff list and training records; and the one-time set-password
link a new user follows (public: it carries its own proof)."""

from django.urls import path

from casework.accounts.views import admin

app_name = "staff_admin"

urlpatterns = [
    path("users/", admin.user_list, name="user_list"),
    path("users/new/", admin.user_create, name="user_create"),
    path("users/<int:pk>/", admin.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", admin.user_edit, name="user_edit"),
    path("users/<int:pk>/disable/", admin.user_disable, name="user_disable"),
    path("users/<int:pk>/enable/", admin.user_enable, name="user_enable"),
    path("users/<int:pk>/reset-second-factor/", admin.user_reset_second_factor, name="user_reset_second_factor"),
    path("users/<int:pk>/enrolment-code/", admin.user_enrolment_code, name="user_enrolment_code"),
    path("users/<int:pk>/unlock/", admin.user_unlock, name="user_unlock"),
    path("users/<int:pk>/set-password-link/", admin.user_set_password_link, name="user_set_password_link"),
    path("users/<int:pk>/training/add/", admin.training_add, name="training_add"),
    path("users/<int:pk>/training/<int:training_pk>/remove/", admin.training_remove, name="training_remove"),
    path("staff/", admin.staff_list, name="staff_list"),
    path("set-password/<uidb64>/<token>/", admin.set_password, name="set_password"),
]
