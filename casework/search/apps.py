from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "casework.search"
    label = "search"
    verbose_name = "Search"
