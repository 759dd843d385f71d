"""The site's URLs with search mounted at /search/, for these tests until the lead adds
``path("search/", include("casework.search.urls"))`` to casework/urls.py (with its row in the
authorisation matrix)."""

from django.urls import include, path

from casework.urls import handler400, handler403, handler404, handler500  # noqa: F401
from casework.urls import urlpatterns as site

urlpatterns = [*site]
if not any(getattr(p, "namespace", None) == "search" for p in site):
    urlpatterns.append(path("search/", include("casework.search.urls")))
