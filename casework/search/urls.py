"""Search, at /search/."""

from django.urls import path

from casework.search import views

app_name = "search"

urlpatterns = [
    path("", views.search, name="search"),
    path("break-glass/", views.break_glass_route, name="break_glass"),
]
