"""Triage: moving a referral through the workflow, screening decisions, letters, allocation.

Every function is one transaction. The referral's row is locked and re-read first, so two
people acting at once cannot both move it from the same status. Every status change writes a
``Transition`` row and an audit event (``Action.TRANSITION`` with the old and new status).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.access.barrier import staff_across_barrier_from_referral
from casework.accounts.queries import has_current_training, latest_training
from casework.audit.models import Action
from casework.audit.services import diff, record, record_create, snapshot
from casework.core.formatting import date_gb
from casework.core.limits import limit
from casework.core.permissions import require, requires
from casework.core.refusals import Refused
from casework.core.roles import Instrument, Role
from casework.referrals import eligibility, letters
from casework.referrals.choices import REFERRER_ANSWER_PREFIX, SRP_SERVICES, Decision, Service, Status
from casework.referrals.models import DeliveryStatus, Letter, Referral, Transition
from casework.referrals.queries import searchable_party_names
from casework.referrals.tasks import send_letter
from casework.referrals.workflow import check_transition

DECISION_FIELDS = ("decision", "decision_reason", "decided_at", "accepted_services", "information_requested_at")
ALLOCATION_FIELDS = ("lead_clinician_id", "second_assessor_id", "allocated_at")


class TriageRefused(Refused):
    """A triage action the rules refuse (``casework.core.refusals``)."""


def _locked(referral: Referral) -> None:
    """Lock the row (until the transaction ends) and bring the in-memory referral up to date."""
    list(Referral.objects.select_for_update().filter(pk=referral.pk).values_list("pk", flat=True))
    referral.refresh_from_db()


def _move(
    referral: Referral,
    *,
    to: Status,
    by,
    request: HttpRequest | None,
    reason: str,
    changes: dict | None = None,
    audit_reason: str | None = None,
) -> Transition:
    """Change the status (already locked), store the Transition and audit it. Inside a transaction.
    ``audit_reason`` replaces the reason in the audit trail when the reason is free text that
    must not enter it (a referrer's answer)."""
    check_transition(referral.status, to)
    old = referral.status
    now = timezone.now()
    referral.status = to
    referral.save()
    step = Transition.objects.create(referral=referral, from_status=old, to_status=to, by=by, at=now, reason=reason)
    record(
        action=Action.TRANSITION,
        actor=by,
        request=request,
        obj=referral,
        reason=reason if audit_reason is None else audit_reason,
        changes={"status": {"old": str(old), "new": str(to)}, **(changes or {})},
    )
    return step


def transition(
    *, referral: Referral, to: Status | str, by, request: HttpRequest | None = None, reason: str = ""
) -> Transition:
    """Move a referral by hand: start screening, information received (back to screening),
    withdraw or close. Accepting, declining, asking for information and allocating have their
    own services, which record what the step needs. Raises ``InvalidTransition``."""
    to = Status(to)
    if to in (Status.ACCEPTED, Status.DECLINED, Status.AWAITING_INFORMATION, Status.ALLOCATED, Status.RECEIVED):
        raise TriageRefused(f"A referral becomes {to.label.lower()} through its own step, not by hand.")
    with transaction.atomic():
        _locked(referral)
        check_transition(referral.status, to)
        # The permission depends on the status, so it is asked once the status is known to allow
        # the move: a move the workflow refuses says why rather than answering 403.
        require(by, "referrals.transition", referral)
        if not reason:
            reason = {
                Status.SCREENING: "Information received"
                if referral.status == Status.AWAITING_INFORMATION
                else "Screening started",
            }.get(to, "")
        if to in (Status.WITHDRAWN, Status.CLOSED) and not reason.strip():
            raise TriageRefused(f"Enter why the referral is {to.label.lower()}", field="reason")
        return _move(referral, to=to, by=by, request=request, reason=reason)


# The referrer's answer to a request for information is kept as the reason of the move back to
# screening, so staff read it in the referral's history: marked as the referrer's, within the
# reason's limit (docs/input-limits.md, ``referrals.Transition.reason``).
ANSWER_PREFIX = REFERRER_ANSWER_PREFIX
ANSWER_MAX_LENGTH = limit(Transition, "reason") - len(ANSWER_PREFIX)


@requires("referrals.portal_answer_request", obj="referral")
def referrer_answer(*, referral: Referral, by, answer: str, request: HttpRequest | None = None) -> Transition:
    """The referring agency answers the clinic's request for more information (through the
    portal; the permission is the portal's). The referral goes back to screening, the answer is
    the reason of that move, shown to staff in the referral's history; the audit trail records
    that the referrer answered, not what it wrote."""
    answer = (answer or "").strip()
    if not answer:
        raise TriageRefused("Enter your answer to the clinic's request", field="answer")
    if len(answer) > ANSWER_MAX_LENGTH:
        raise TriageRefused(f"Your answer must be {ANSWER_MAX_LENGTH:,} characters or fewer", field="answer")
    with transaction.atomic():
        _locked(referral)
        if referral.status != Status.AWAITING_INFORMATION:
            raise TriageRefused(
                "The clinic is no longer waiting for information on this referral. It may already have your answer."
            )
        return _move(
            referral,
            to=Status.SCREENING,
            by=by,
            request=request,
            reason=ANSWER_PREFIX + answer,
            audit_reason="Information sent by the referrer through the portal",
        )


def _check_reason_names_no_one(referral: Referral, reason: str, *, field: str = "reason") -> None:
    """A letter to the referrer must not carry a named party's name (nor a victim subject's)."""
    lowered = reason.lower()
    for name in searchable_party_names(referral):
        if name.lower() in lowered:
            raise TriageRefused(
                "The reason goes into a letter to the referrer, so it must not name a person the referral names "
                "(such as a victim). Remove the name.",
                field=field,
            )


ACCEPTANCE_TEXT = (
    "A clinical lead will now allocate the work to a clinician, and we will write to you again with the "
    "name of the clinician and when they expect to see the person referred."
)
LETTER_KINDS = {
    Decision.ACCEPT: Letter.Kind.ACCEPTANCE,
    Decision.DECLINE: Letter.Kind.DECLINE,
    Decision.REQUEST_INFORMATION: Letter.Kind.INFORMATION_REQUEST,
}


def default_letter_text(decision: Decision | str, reason: str) -> str:
    """The letter's own paragraph before the coordinator edits it: for a decline or a request for
    information the reason for the decision; for an acceptance, what happens next (the reason for
    accepting is the clinic's own and stays out of the letter)."""
    return ACCEPTANCE_TEXT if Decision(decision) == Decision.ACCEPT else (reason or "").strip()


def _being_screened(referral: Referral) -> None:
    if referral.status != Status.SCREENING:
        raise TriageRefused(
            f"A decision can only be recorded while the referral is being screened; its status is "
            f"{Status(referral.status).label.lower()}."
        )


def _check_decision(
    *, referral: Referral, by, decision: Decision, reason: str, accepted_services: Iterable[str], letter_text: str
) -> list[str]:
    """Refuse a decision the rules do not allow (without writing anything); the services to accept.
    The caller has checked the status and the permission (``_being_screened``, ``require``)."""
    if not reason:
        raise TriageRefused("Enter the reason for the decision", field="reason")
    chosen: list[str] = []
    if decision == Decision.ACCEPT:
        chosen = [s.value for s in Service if s.value in set(accepted_services)]
        if not chosen:
            raise TriageRefused("Select the services the clinic accepts", field="accepted_services")
        not_requested = [s for s in chosen if s not in referral.services]
        if not_requested:
            raise TriageRefused("Select only services the referrer asked for", field="accepted_services")
        refused = eligibility.refused_services(referral, chosen)
        if refused:
            service, why = next(iter(refused.items()))
            raise TriageRefused(f"{Service(service).label} cannot be accepted. {why}", field="accepted_services")
    else:
        _check_reason_names_no_one(referral, reason)
    if not letter_text:
        raise TriageRefused("Enter the wording of the letter", field="letter_text")
    _check_reason_names_no_one(referral, letter_text, field="letter_text")
    return chosen


def preview_letter(
    *,
    referral: Referral,
    by,
    decision: Decision | str,
    reason: str,
    accepted_services: Iterable[str] = (),
    letter_text: str | None = None,
) -> str:
    """The letter the decision will issue, exactly as it will be issued (today), for the coordinator
    to read and edit before confirming. Refuses what ``screening_decide`` would refuse; writes nothing."""
    decision = Decision(decision)
    reason = (reason or "").strip()
    text = default_letter_text(decision, reason) if letter_text is None else letter_text.strip()
    if not reason:
        raise TriageRefused("Enter the reason for the decision", field="reason")
    _being_screened(referral)
    require(by, "referrals.screen", referral)  # after the status check, as in transition()
    chosen = _check_decision(
        referral=referral,
        by=by,
        decision=decision,
        reason=reason,
        accepted_services=accepted_services,
        letter_text=text,
    )
    return letters.render_letter_html(
        referral=referral, kind=LETTER_KINDS[decision], reason=text, by=by, accepted_services=chosen
    )


def screening_decide(
    *,
    referral: Referral,
    by,
    decision: Decision | str,
    reason: str,
    accepted_services: Iterable[str] = (),
    letter_text: str | None = None,
    request: HttpRequest | None = None,
) -> Letter:
    """Record the screening decision and issue its letter to the referrer, which is returned.
    Accepting chooses which requested services are accepted; a service a failing eligibility rule
    blocks (for example treatment without compulsion) is refused with the rule's reason. The
    letter's own paragraph is ``letter_text`` as the coordinator left it after the preview
    (``default_letter_text`` when not given); it must name no one the referral names."""
    decision = Decision(decision)
    reason = (reason or "").strip()
    text = default_letter_text(decision, reason) if letter_text is None else letter_text.strip()
    if not reason:
        raise TriageRefused("Enter the reason for the decision", field="reason")
    with transaction.atomic():
        _locked(referral)
        _being_screened(referral)
        require(by, "referrals.screen", referral)  # after the status check, as in transition()
        chosen = _check_decision(
            referral=referral,
            by=by,
            decision=decision,
            reason=reason,
            accepted_services=accepted_services,
            letter_text=text,
        )
        before = snapshot(referral, DECISION_FIELDS)
        now = timezone.now()
        referral.accepted_services = chosen
        if decision == Decision.ACCEPT:
            referral.decided_at = now
            target = Status.ACCEPTED
        elif decision == Decision.DECLINE:
            referral.decided_at = now
            target = Status.DECLINED
        else:
            referral.information_requested_at = now
            target = Status.AWAITING_INFORMATION
        referral.decision = decision
        referral.decision_reason = reason
        referral.decided_by = by
        after = snapshot(referral, DECISION_FIELDS)
        changes = diff(before, after, model=Referral)
        _move(referral, to=target, by=by, request=request, reason=reason, changes=changes)
        return _issue_letter(
            referral=referral, kind=LETTER_KINDS[decision], reason=text, by=by, request=request, at=now
        )


def _issue_letter(*, referral: Referral, kind: str, reason: str, by, request, at) -> Letter:
    letter = Letter.objects.create(
        referral=referral,
        kind=kind,
        issued_by=by,
        issued_at=at,
        delivery_status=DeliveryStatus.QUEUED,
        body_html=letters.render_letter_html(
            referral=referral,
            kind=kind,
            reason=reason,
            by=by,
            issued_at=at,
            accepted_services=referral.accepted_services,
        ),
    )
    record_create(request=request, actor=by, obj=letter, fields=("kind", "issued_at"))
    letter_id = letter.pk
    transaction.on_commit(lambda: _send(letter_id))
    return letter


def _send(letter_id: int) -> None:
    """Queue the letter for sending, once the decision that issued it is committed."""
    send_letter.enqueue(letter_id)


SRP_NEEDED = "This work needs the Stalking Risk Profile, so allocate it to someone whose training is current."


def srp_refusal_text(
    name: str, *, current: bool, latest_expiry: dt.date | None, trained: bool, today: dt.date | None = None
) -> str | None:
    """Why a clinician may not take work that needs the Stalking Risk Profile, or None, from what
    is known of their SRP training: whether any is current, when the latest expires, whether any
    is recorded. One wording for the allocation page (which lists who is not offered) and for the
    refusal below."""
    if current:
        return None
    today = today or timezone.localdate()
    if latest_expiry is not None and latest_expiry < today:
        return f"{name}'s Stalking Risk Profile training expired on {date_gb(latest_expiry)}"
    if trained:
        return f"{name}'s Stalking Risk Profile training is not current"
    return f"{name} has no Stalking Risk Profile training recorded"


def barrier_refusal_text(name: str) -> str:
    """Why a clinician may not take work across an information barrier from a case they are on."""
    return (
        f"{name} is on the team of a case on the other side of an information barrier from this referral: "
        "the same clinician cannot work with both a person who is stalked and the person who stalks them"
    )


def _srp_refusal(clinician) -> str | None:
    """Why ``clinician`` may not take work that needs the Stalking Risk Profile, or None."""
    if has_current_training(clinician, Instrument.SRP):
        return None
    latest = latest_training(clinician, Instrument.SRP)
    return srp_refusal_text(
        clinician.full_name,
        current=False,
        trained=latest is not None,
        latest_expiry=latest.expires_on if latest is not None else None,
    )


def work_needs_srp(referral: Referral) -> bool:
    services = referral.accepted_services or referral.services
    return bool(set(services) & {s.value for s in SRP_SERVICES})


def allocate(
    *,
    referral: Referral,
    lead_clinician,
    by,
    second_assessor=None,
    request: HttpRequest | None = None,
    reason: str = "",
) -> Transition:
    """A clinical lead allocates accepted work to a lead clinician (and perhaps a second
    assessor, who must be someone else). Work that needs the Stalking Risk Profile goes only
    to people whose SRP training is current."""
    people = [("lead_clinician", lead_clinician)] + ([("second_assessor", second_assessor)] if second_assessor else [])
    for field, person in people:
        if person.role not in (Role.CLINICIAN, Role.CLINICAL_LEAD) or not person.is_active:
            raise TriageRefused("Select an active clinician", field=field)
    if second_assessor is not None and second_assessor.pk == lead_clinician.pk:
        raise TriageRefused(
            "The second assessor must be a different person from the lead clinician", field="second_assessor"
        )
    with transaction.atomic():
        _locked(referral)
        if referral.status != Status.ACCEPTED:
            raise TriageRefused(
                f"Only accepted work can be allocated; this referral's status is "
                f"{Status(referral.status).label.lower()}."
            )
        require(by, "referrals.allocate", referral)  # after the status check, as in transition()
        across = staff_across_barrier_from_referral(referral)
        for field, person in people:
            if person.pk in across:
                raise TriageRefused(barrier_refusal_text(person.full_name), field=field)
        if work_needs_srp(referral):
            for field, person in people:
                refusal = _srp_refusal(person)
                if refusal:
                    raise TriageRefused(f"{refusal}. {SRP_NEEDED}", field=field)
        before = snapshot(referral, ALLOCATION_FIELDS)
        referral.lead_clinician = lead_clinician
        referral.second_assessor = second_assessor
        referral.allocated_at = timezone.now()
        after = snapshot(referral, ALLOCATION_FIELDS)
        changes = diff(before, after, model=Referral)
        reason = reason.strip() or "Allocated"
        return _move(referral, to=Status.ALLOCATED, by=by, request=request, reason=reason, changes=changes)
