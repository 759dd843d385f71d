"""A URLconf for tests only: the site's URLs plus a stand-in "record page" for an account, so the
break-glass building blocks can be driven end to end before referrals and cases exist."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.template import engines
from django.urls import path, reverse

from casework.accounts.models import User
from casework.audit.links import record_log_url
from casework.audit.queries import recent_access
from casework.audit.services import active_break_glass, record_view
from casework.audit.views import break_glass_page
from casework.urls import urlpatterns as site_urlpatterns

RECORD_PAGE = """{% extends "layouts/base.jinja" %}
{% block title %}Account {{ subject.pk }}{% endblock %}
{% block main_content %}
{% include "audit/_break_glass_banner.jinja" %}
<h1 class="nhsuk-heading-l">Account {{ subject.pk }}</h1>
{% include "audit/_access_panel.jinja" %}
{% endblock %}"""


def _subject(pk: int) -> User:
    subject = User.objects.filter(pk=pk).first()
    if subject is None:
        raise Http404
    return subject


def account_record(request, pk: int) -> HttpResponse:
    """Visible to the account holder, to clinical leads, and to anyone with break-glass access."""
    subject = _subject(pk)
    grant = active_break_glass(request.user, subject)
    if not (request.user.pk == subject.pk or request.user.has_perm("audit.review_access") or grant):
        return HttpResponse(f'<a href="{reverse("test_break_glass", args=[pk])}">Break glass</a>', status=403)
    record_view(request, subject)
    page = engines["jinja2"].from_string(RECORD_PAGE)
    return HttpResponse(page.render({
        "subject": subject, "break_glass_grant": grant,
        "access_events": recent_access(subject, viewer=request.user), "access_log_url": record_log_url(subject),
    }, request))


def account_break_glass(request, pk: int) -> HttpResponse:
    subject = _subject(pk)
    return break_glass_page(
        request, obj=subject, record_label=f"user {subject.pk}",
        cancel_url="/", success_url=reverse("test_account_record", args=[pk]),
    )


urlpatterns = [
    *site_urlpatterns,
    path("test-accounts/<id:pk>/", account_record, name="test_account_record"),
    path("test-accounts/<id:pk>/break-glass/", account_break_glass, name="test_break_glass"),
]
