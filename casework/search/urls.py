"""Search, at /search/."""

from django.urls import path

from casework.search import views

app_name = "search"

urlpatterns = [
    path("", views.search, name="search"),
]
