"""The commissioner's view, at a portal address (/portal/your-service/, ``casework/urls.py``) but
built here: the portal sits below insights in the layers and may not import its figures."""

from django.urls import path

from casework.insights import portal_views

app_name = "commissioner"

urlpatterns = [
    path("", portal_views.your_service, name="your_service"),
]
