"""User administration, the staff list and training records; and the one-time set-password
link a new user follows (public: it carries its own proof)."""

from django.urls import path

from casework.accounts.views import admin

app_name = "staff_admin"

urlpatterns = [
    path("users/", admin.user_list, name="user_list"),
    path("users/new/", admin.user_create, name="user_create"),
    path("users/<id:pk>/", admin.user_detail, name="user_detail"),
    path("users/<id:pk>/edit/", admin.user_edit, name="user_edit"),
    path("users/<id:pk>/disable/", admin.user_disable, name="user_disable"),
    path("users/<id:pk>/enable/", admin.user_enable, name="user_enable"),
    path("users/<id:pk>/reset-second-factor/", admin.user_reset_second_factor, name="user_reset_second_factor"),
    path("users/<id:pk>/enrolment-code/", admin.user_enrolment_code, name="user_enrolment_code"),
    path("users/<id:pk>/unlock/", admin.user_unlock, name="user_unlock"),
    path("users/<id:pk>/set-password-link/", admin.user_set_password_link, name="user_set_password_link"),
    path("users/<id:pk>/training/add/", admin.training_add, name="training_add"),
    path("users/<id:pk>/training/<id:training_pk>/remove/", admin.training_remove, name="training_remove"),
    path("staff/", admin.staff_list, name="staff_list"),
    path("set-password/<uidb64>/<token>/", admin.set_password, name="set_password"),
]
