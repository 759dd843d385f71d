"""The referral page, and break-glass access to one a clinician is not allocated to."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from casework.access import breakglass, policy
from casework.access.grants import active_grant
from casework.access.links import record_log_url
from casework.access.review import recent_access
from casework.access.sealed import withheld_party_ids
from casework.access.views import break_glass_page
from casework.audit.services import record_view
from casework.core.formatting import date_gb, datetime_gb, yes_no
from casework.core.idempotency import creates_record
from casework.referrals import eligibility
from casework.referrals.choices import (
    STATUS_TAG_COLOUR,
    LegalStatus,
    Offence,
    Order,
    PartyRole,
    Service,
    Setting,
    Status,
    SubjectRole,
)
from casework.referrals.models import Referral
from casework.referrals.queries import (
    documents_of,
    letters_of,
    transitions_of,
)
from casework.referrals.services import documents as document_service
from casework.referrals.views.common import referral_or_404
from casework.referrals.workflow import TRANSITIONS

# The transitions staff make by hand from the referral page, in the order offered.
MANUAL_TARGETS = (Status.SCREENING, Status.WITHDRAWN, Status.CLOSED)


def _label(vocabulary, value: str, empty: str = "Not recorded") -> str:
    return vocabulary(value).label if value in vocabulary.values else (value or empty)


def _labels(vocabulary, values) -> str:
    return "; ".join(_label(vocabulary, v) for v in values) if values else "None recorded"


def _row(key: str, value, *, html: bool = False) -> dict:
    if html:
        return {"key": {"text": key}, "value": {"html": value}}
    text = value if value not in (None, "") else "Not recorded"
    return {"key": {"text": key}, "value": {"text": str(text)}}


def _paragraphs(text: str):
    return mark_safe(linebreaks(text, autoescape=True)) if text else "Not recorded"  # noqa: S308 (escaped)


def _list(items: list[str]):
    if not items:
        return "None recorded"
    return format_html('<ul class="nhsuk-list nhsuk-list--bullet">{}</ul>', format_html_join("", "<li>{}</li>", ((i,) for i in items)))


def summary_sections(referral, withheld: frozenset[int] | set[int] = frozenset()) -> list[dict]:
    """The referral's details as titled summary lists. ``withheld``: named parties whose free-text
    details the viewer may not read (sealed victims, or victims across an information barrier)."""
    org = referral.referring_organisation
    parties = [
        format_html(
            "<strong>{}</strong> ({}){}{}", p.name, _label(PartyRole, p.role),
            format_html("<br>{}", p.relationship_to_subject) if p.relationship_to_subject else "",
            (format_html("<br>{}", "Details withheld") if p.pk in withheld else format_html("<br>{}", p.details))
            if p.details else "",
        )
        for p in referral.named_parties.all()
    ]
    return [
        {"title": "Referrer", "rows": [
            _row("How it arrived", referral.get_received_via_display()),
            _row("Received", datetime_gb(referral.received_at)),
            _row("Referring organisation", f"{org.name} ({org.get_kind_display()})"),
            _row("Referring officer", referral.referrer_name),
            _row("Job title", referral.referrer_job_title),
            _row("Email address", referral.referrer_email),
            _row("Telephone number", referral.referrer_phone),
        ]},
        {"title": "Services requested", "rows": [
            _row("Requested", _list([Service(s).label for s in referral.services]), html=True),
            _row("Accepted", _list([_label(Service, s) for s in referral.accepted_services]), html=True)
            if referral.accepted_services else _row("Accepted", "None yet"),
        ]},
        {"title": "Subject", "rows": [
            _row("Role", _label(SubjectRole, referral.subject_role)),
            _row("Name", referral.subject_name),
            _row("Date of birth", date_gb(referral.subject_date_of_birth)),
            _row("Other details", _paragraphs(referral.subject_details), html=True),
            _row("Other people named", _list(parties), html=True),
        ]},
        {"title": "Behaviour", "rows": [
            _row("Outline", _paragraphs(referral.behaviour_summary), html=True),
            _row("How long it has gone on", referral.behaviour_duration),
            _row("Significant part of the case", yes_no(referral.stalking_significant)),
        ]},
        {"title": "Legal position", "rows": [
            _row("Legal status", _label(LegalStatus, referral.legal_status)),
            _row("Offences", _labels(Offence, referral.offences)),
            *([_row("Other offences", referral.other_offences)] if referral.other_offences else []),
            _row("Orders in force", _labels(Order, referral.orders_in_force)),
        ]},
        {"title": "Where an assessment would happen", "rows": [
            _row("Setting", _label(Setting, referral.assessment_setting)),
            *([_row("Prison or establishment", referral.custody_establishment),
               _row("Prison number", referral.prison_number)]
              if referral.assessment_setting == Setting.CUSTODY else []),
            *([_row("Mental health facility", referral.facility_name)]
              if referral.assessment_setting == Setting.MENTAL_HEALTH_FACILITY else []),
        ]},
        {"title": "Key dates", "rows": [
            _row("Next court hearing", date_gb(referral.next_hearing_on)),
            _row("Report needed by", date_gb(referral.report_due_on)),
            _row("Parole hearing", date_gb(referral.parole_hearing_on)),
        ]},
        {"title": "Funding", "rows": [
            _row("Commissioning organisation", referral.commissioner.name if referral.commissioner else "Not known yet"),
            _row("Purchase order number", referral.purchase_order),
            _row("Contract reference", referral.contract_reference),
        ]},
    ]


def available_actions(user, referral) -> list[dict]:
    """What this user may do next with this referral, asked of the rules."""
    ref = referral.reference
    actions = []
    if user.has_perm("referrals.view_screening", referral) and referral.status in (Status.RECEIVED, Status.SCREENING):
        actions.append({"text": "Screen this referral", "href": reverse("referrals:screening", args=[ref])})
    if user.has_perm("referrals.allocate", referral):
        actions.append({"text": "Allocate to a clinician", "href": reverse("referrals:allocate", args=[ref])})
    if user.has_perm("referrals.transition", referral):
        allowed = TRANSITIONS[Status(referral.status)]
        for target in MANUAL_TARGETS:
            if target in allowed:
                text = {
                    Status.SCREENING: "Information received: return to screening"
                    if referral.status == Status.AWAITING_INFORMATION else "Start screening",
                    Status.WITHDRAWN: "Record that the referral was withdrawn",
                    Status.CLOSED: "Close the referral",
                }[target]
                actions.append({"text": text, "href": reverse("referrals:transition", args=[ref, target.value])})
    if user.has_perm("cases.open") and referral.status in (Status.ACCEPTED, Status.ALLOCATED) \
            and not hasattr(referral, "case_link"):
        actions.append({"text": "Open a case, or add this work to an open case",
                        "href": reverse("cases:open", args=[ref])})
    if user.has_perm("referrals.edit", referral):
        actions.append({"text": "Change the referral's details", "href": reverse("referrals:edit", args=[ref])})
    if user.has_perm("referrals.upload_document", referral):
        actions.append({"text": "Add a document", "href": reverse("referrals:document_upload", args=[ref])})
    return actions


@require_http_methods(["GET"])
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = referral_or_404(request, reference)
    if not request.user.has_perm("referrals.view", referral):
        raise Http404("No such referral")
    record_view(request, referral)
    status = Status(referral.status)
    context = {
        "referral": referral,
        "status_label": status.label,
        "status_colour": STATUS_TAG_COLOUR[status],
        "sections": summary_sections(referral, withheld_party_ids(request.user, referral)),
        "results": eligibility.evaluate(referral),
        "transitions": transitions_of(referral),
        "documents": documents_of(referral),
        "letters": letters_of(referral),
        "days_to_decision": referral.days_to_decision(),
        "days_to_allocation": referral.days_to_allocation(),
        "decided": referral.decided_at is not None,
        "allocated": referral.allocated_at is not None,
        "actions": available_actions(request.user, referral),
        "break_glass_grant": active_grant(request.user, referral),
        "access_events": recent_access(referral, viewer=request.user),
        "access_log_url": record_log_url(referral),
        "human_size": document_service.human_size,
        "people_rows": people_rows(request.user, referral),
    }
    return render(request, "referrals/detail.jinja", context)


def people_rows(user, referral) -> list[dict]:
    """The subject and each named party, with the person record each is linked to (only persons
    the user may see) and, for staff who keep the person index, a link to find or add one."""
    linked = {link.named_party_id: link.person for link in policy.persons_linked_to(user, referral)}
    withheld = withheld_party_ids(user, referral)
    can_link = user.has_perm("people.link_referral")
    ref = referral.reference
    rows = [{
        "who": f"{referral.subject_name} (subject: {referral.get_subject_role_display().lower() or 'role not recorded'})",
        "person": linked.get(None),
        "link_href": reverse("people:link_subject", args=[ref]) if can_link else None,
    }]
    for party in referral.named_parties.all():
        rows.append({
            "who": f"{party.name} ({party.get_role_display().lower()})",
            "person": linked.get(party.pk),
            "link_href": reverse("people:link_party", args=[ref, party.pk]) if can_link and party.pk not in withheld else None,
        })
    return rows


@require_http_methods(["GET", "POST"])
@creates_record
def break_glass(request: HttpRequest, reference: str) -> HttpResponse:
    """A clinician or clinical lead opens a referral they have no relationship to, for reading,
    giving a written reason (``casework.access.breakglass``: across an information barrier only a
    clinical lead may, flagged as crossing it; for a clinician such a referral answers 404 like one
    that does not exist). Anyone who can already read it goes straight to it."""
    target = breakglass.target(request.user, Referral, reference=reference)
    if target is None:
        raise Http404("No such referral")
    if not request.user.has_perm("referrals.break_glass", target.obj):
        return redirect("referrals:detail", reference=target.obj.reference)
    return break_glass_page(
        request, target=target, record_label=target.obj.reference, record_noun="referral",
        cancel_url=reverse("core:my_work"), success_url=reverse("referrals:detail", args=[target.obj.reference]),
    )
