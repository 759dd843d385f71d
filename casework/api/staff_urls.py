"""The system administrator's pages for API tokens (a staff page: session, second factor)."""

from django.urls import path

from casework.api.views import staff

app_name = "api_tokens"

urlpatterns = [
    path("", staff.token_list, name="list"),
    path("new/", staff.token_create, name="create"),
    path("<id:pk>/revoke/", staff.token_revoke, name="revoke"),
]
