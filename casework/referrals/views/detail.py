"""The referral page, and break-glass access to one a clinician is not allocated to."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from casework.access import breakglass, policy
from casework.access.grants import active_grant
from casework.access.links import record_log_url
from casework.access.review import recent_access
from casework.access.sealed import withheld_party_ids
from casework.access.views import break_glass_page
from casework.audit.services import record_view
from casework.core import panels
from casework.core.formatting import datetime_gb
from casework.core.idempotency import creates_record
from casework.referrals import eligibility, presenters
from casework.referrals.choices import STATUS_TAG_COLOUR, Service, Status
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


def summary_sections(referral, withheld: frozenset[int] | set[int] = frozenset()) -> list[dict]:
    """The referral's details as titled summary lists: the answers as the portal shows them (one
    presenter, ``presenters.answer_sections``), the referrer first with how and when the referral
    arrived, and the services accepted. ``withheld``: named parties whose free-text details the
    viewer may not read (sealed victims, or victims across an information barrier)."""
    *answers, referrer = presenters.answer_sections(
        referral, blank="Not recorded", contact_title="Referrer", withheld=withheld
    )
    org = referral.referring_organisation
    referrer["rows"][:0] = [
        presenters.row("How it arrived", referral.get_received_via_display()),
        presenters.row("Received", datetime_gb(referral.received_at)),
        presenters.row("Referring organisation", f"{org.name} ({org.get_kind_display()})"),
    ]
    services = answers[0]
    accepted = [Service(s).label if s in Service.values else s for s in referral.accepted_services]
    services["rows"].append(presenters.items_row("Accepted", accepted, "None yet"))
    return [referrer, *answers]


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
                    if referral.status == Status.AWAITING_INFORMATION
                    else "Start screening",
                    Status.WITHDRAWN: "Record that the referral was withdrawn",
                    Status.CLOSED: "Close the referral",
                }[target]
                actions.append({"text": text, "href": reverse("referrals:transition", args=[ref, target.value])})
    if (
        user.has_perm("cases.open")
        and referral.status in (Status.ACCEPTED, Status.ALLOCATED)
        and not hasattr(referral, "case_link")
    ):
        actions.append(
            {"text": "Open a case, or add this work to an open case", "href": reverse("cases:open", args=[ref])}
        )
    if user.has_perm("referrals.edit", referral):
        actions.append({"text": "Change the referral's details", "href": reverse("referrals:edit", args=[ref])})
    if user.has_perm("referrals.upload_document", referral):
        actions.append({"text": "Add a document", "href": reverse("referrals:document_upload", args=[ref])})
    return actions


def history_rows(referral, transitions) -> list[dict]:
    """The status history as staff read it. A referral's first step is when it was *received* (the
    date on the email, the call, the letter), which may be days before someone logged it; the row
    says both."""
    rows = []
    for step in transitions:
        row = {
            "at": step.at,
            "change": f"{step.get_from_status_display()} to {step.get_to_status_display()}",
            "by": step.by.full_name,
            "why": step.reason,
        }
        if step.from_status == Status.DRAFT and step.to_status == Status.RECEIVED and referral.received_at:
            row["at"] = referral.received_at
            row["change"] = "Received"
            if abs(step.at - referral.received_at).total_seconds() > 3600:  # logged later
                row["why"] = (
                    f"{step.reason}, {datetime_gb(step.at)}" if step.reason else f"Logged {datetime_gb(step.at)}"
                )
        rows.append(row)
    return rows


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
        "history": history_rows(referral, transitions_of(referral)),
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
        "panels": panels.panels_for(panels.REFERRAL, request, referral),
    }
    return render(request, "referrals/detail.jinja", context)


def people_rows(user, referral) -> list[dict]:
    """The subject and each named party, with the person record each is linked to (only persons
    the user may see) and, for staff who keep the person index, a link to find or add one."""
    linked = {link.named_party_id: link.person for link in policy.persons_linked_to(user, referral)}
    withheld = withheld_party_ids(user, referral)
    can_link = user.has_perm("people.link_referral")
    ref = referral.reference
    rows = [
        {
            "who": f"{referral.subject_name} (subject: {referral.get_subject_role_display().lower() or 'role not recorded'})",
            "person": linked.get(None),
            "link_href": reverse("people:link_subject", args=[ref]) if can_link else None,
        }
    ]
    for party in referral.named_parties.all():
        rows.append(
            {
                "who": f"{party.name} ({party.get_role_display().lower()})",
                "person": linked.get(party.pk),
                "link_href": reverse("people:link_party", args=[ref, party.pk])
                if can_link and party.pk not in withheld
                else None,
            }
        )
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
        request,
        target=target,
        record_label=target.obj.reference,
        record_noun="referral",
        cancel_url=reverse("core:my_work"),
        success_url=reverse("referrals:detail", args=[target.obj.reference]),
    )
