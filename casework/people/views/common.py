"""Helpers every person view uses: load the person the user may see, or refuse."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from casework.access import policy
from casework.people import queries
from casework.people.models import Person

GET_POST = ["GET", "POST"]


def person_or_404(request: HttpRequest, reference: str) -> Person:
    """The person, if the user may see them; otherwise 404 (never says whether they exist; a
    refused request for a person who does exist is audited: ``access.policy.get_or_404``)."""
    if not request.user.has_perm("people.view"):
        raise Http404("No such person")
    return policy.get_or_404(
        request,
        Person,
        queryset=queries.persons_visible_to(request.user).select_related("created_by"),
        reference=reference,
    )


def post_data(request: HttpRequest):
    """The POST data of a POST (even an empty one, so a bare confirmation binds the form), else None."""
    return request.POST if request.method == "POST" else None
