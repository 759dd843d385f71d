"""The case page, break-glass access to a case, and the case's documents."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casework.access import breakglass
from casework.access.grants import active_grant
from casework.access.links import record_log_url
from casework.access.review import recent_access
from casework.access.views import break_glass_page
from casework.audit.services import record_view
from casework.cases import charts, escalation, queries
from casework.cases.choices import (
    SEVERITY_LABELS,
    SEVERITY_LEVELS,
    STATUS_TAG_COLOUR,
    Behaviour,
    CaseKind,
    CaseStatus,
    PartyRole,
    Relationship,
    StalkerType,
)
from casework.cases.models import Case
from casework.cases.views.common import case_or_404
from casework.cases.views.notes import note_row
from casework.core import panels
from casework.core.idempotency import creates_record
from casework.referrals.services.documents import human_size
from casework.referrals.views.documents import serve_document


def _people_url(reference: str) -> str | None:
    try:
        return reverse("people:detail", args=[reference])
    except NoReverseMatch:
        return None


def as_of(case) -> dt.date:
    """The day the escalation view is for: today, or the day a closed case closed."""
    return case.closed_on if case.status == CaseStatus.CLOSED and case.closed_on else timezone.localdate()


def case_escalation(page: queries.CasePage) -> escalation.Escalation:
    return escalation.assess(escalation.points_from(page.points), escalation.order_spans(page.orders), as_of(page.case))


def party_rows(user, page: queries.CasePage) -> list[dict]:
    """The parties as the page shows them. A victim who is also a client (a victim case exists for
    them) is shown on this side only by the name the referral gave and the relationship, and is
    never linked to their person record (barrier.py)."""
    case = page.case
    edit = user.has_perm("cases.edit_clinical", case)
    rows = []
    for party in page.other_parties:
        behind = party.person_id in page.victim_client_ids
        episode = page.episodes.get(party.pk)
        relationship = Relationship(episode.prior_relationship).label if episode else ""
        is_victim = party.role == PartyRole.VICTIM and case.kind != CaseKind.VICTIM
        rows.append(
            {
                "name": party.name_as_given,
                "role": PartyRole(party.role).label,
                "relationship": relationship or party.relationship_to_subject or "Not recorded",
                "relationship_as_given": party.relationship_to_subject,
                "href": None if behind else _people_url(party.person.reference),
                "behind_barrier": behind,
                "is_victim": is_victim,
                "episode": episode,
                "edit_href": reverse("cases:party_edit", args=[case.reference, party.pk]) if edit else None,
                "episode_href": reverse("cases:episode", args=[case.reference, party.pk])
                if edit and is_victim
                else None,
            }
        )
    return rows


def victim_rows(page: queries.CasePage) -> list[dict]:
    rows = []
    for party in page.victims:
        episode = page.episodes.get(party.pk)
        rows.append(
            {
                "party": party,
                "name": party.name_as_given if party.role != PartyRole.SUBJECT else page.case.subject.full_name,
                "relationship": Relationship(episode.prior_relationship).label
                if episode
                else (party.relationship_to_subject or "Not recorded"),
                "episode": episode,
            }
        )
    return rows


def available_actions(user, case) -> list[dict]:
    ref = case.reference
    actions = []
    pairs = [
        ("cases.write_notes", "Add a case note", "cases:note_add"),
        ("cases.edit_clinical", "Add an incident", "cases:incident_add"),
        ("cases.edit_clinical", "Add incidents from a table", "cases:incident_import"),
        ("cases.edit_clinical", "Add a person to the case", "cases:party_add"),
        ("cases.edit_clinical", "Add an order or conditions", "cases:order_add"),
        ("cases.edit_admin", "Add a hearing", "cases:hearing_add"),
        ("cases.edit_clinical", "Record MAPPA", "cases:mappa"),
        ("cases.edit_admin", "Add a MAPPA meeting", "cases:mappa_meeting_add"),
        ("cases.edit_admin", "Add an agency", "cases:agency_add"),
        ("cases.manage_team", "Manage the case team", "cases:team"),
        ("cases.change_status", "Change the status", "cases:status"),
    ]
    for permission, text, name in pairs:
        if user.has_perm(permission, case):
            actions.append({"text": text, "href": reverse(name, args=[ref])})
    return actions


@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference)
    user = request.user
    page = queries.case_page(user, case)
    record_view(request, case)
    status = CaseStatus(case.status)
    can_write_notes = user.has_perm("cases.write_notes", case)
    context = {
        "case": case,
        "page": page,
        "kind_label": CaseKind(case.kind).label,
        "status_label": status.label,
        "status_colour": STATUS_TAG_COLOUR[status],
        "stalker_type": StalkerType(case.stalker_type).label if case.stalker_type else "",
        "actions": available_actions(user, case),
        "can_edit_clinical": user.has_perm("cases.edit_clinical", case),
        "can_edit_admin": user.has_perm("cases.edit_admin", case),
        "can_export": user.has_perm("cases.export", case),
        "break_glass_grant": active_grant(user, case),
        "access_events": recent_access(case, viewer=user),
        "access_log_url": record_log_url(case),
        "subject_href": _people_url(case.subject.reference),
        "today": timezone.localdate(),
        "can_view_notes": user.has_perm("cases.view_notes", case),
        "can_write_notes": can_write_notes,
        "notes": [note_row(user, case, note, can_write=can_write_notes) for note in page.recent_notes],
        "panels": panels.panels_for(panels.CASE, request, case),
    }
    if page.clinical:
        esc = case_escalation(page)
        context.update(
            {
                "parties": party_rows(user, page),
                "victims": victim_rows(page),
                "stalkers": [p for p in page.other_parties if p.role == PartyRole.PERSON_WHO_STALKS],
                "escalation": esc,
                "chart": charts.escalation_svg(esc),
                "behaviour_labels": dict(Behaviour.choices),
                "severity_labels": SEVERITY_LABELS,
                "severity_levels": SEVERITY_LEVELS,
                "human_size": human_size,
                "breach_incidents": {(b.point.occurred_on, b.point.victim_id) for b in esc.breaches},
            }
        )
    return render(request, "cases/detail.jinja", context)


@require_http_methods(["GET", "POST"])
@creates_record
def break_glass(request: HttpRequest, reference: str) -> HttpResponse:
    """A clinician or clinical lead opens a case they have no relationship to, for reading, giving a
    written reason (``casework.access.breakglass``: across an information barrier only a clinical
    lead may, and for a clinician such a case answers 404 like any case they cannot see). Anyone who
    can already read the case goes straight to it."""
    target = breakglass.target(request.user, Case, reference=reference)
    if target is None:
        raise Http404("No such case")
    if not request.user.has_perm("cases.break_glass", target.obj):
        return redirect("cases:detail", reference=target.obj.reference)
    return break_glass_page(
        request,
        target=target,
        record_label=target.obj.reference,
        record_noun="case",
        cancel_url=reverse("core:my_work"),
        success_url=reverse("cases:detail", args=[target.obj.reference]),
    )


@require_GET
def document_download(request: HttpRequest, reference: str, pk: int) -> HttpResponseBase:
    """A document of one of the case's referrals, for those who read the case's clinical content
    (who may not be allocated to the referral itself). Audited as an export."""
    case = case_or_404(request, reference, "cases.view_clinical")
    document = queries.document_of(case, pk)
    if document is None:
        raise Http404("No such document")
    return serve_document(
        request,
        document,
        back_href=f"{reverse('cases:detail', args=[case.reference])}#documents",
        back_text="Back to the case",
    )
