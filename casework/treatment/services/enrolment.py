"""The only writers of enrolments and what follows them: enrol a person in a programme on a legal
basis, record outcome measures, discharge (which makes the follow-ups due at 6, 12 and 24 months,
each with a reminder to the lead clinician on its day) and record a follow-up.

Every function checks its own permission, runs in one transaction and records its audit event
against the case, so the case's access log holds everything done to it. The trail keeps
structured values (a basis, a status, a date, an order's id); free text (an officer's name, a
reason, notes) is recorded only as changed (``casework.audit.services.diff``).

The clinic treats people who stalk at first only under compulsion: a first treatment episode
resting on no order is refused with the reason screening gives (``referrals.eligibility``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import diff, record, snapshot
from casework.cases.choices import CaseKind, OrderKind
from casework.core.formatting import date_gb
from casework.core.permissions import require
from casework.core.refusals import Refused
from casework.organisations.models import OrganisationKind
from casework.referrals.eligibility import ONLY_UNDER_COMPULSION
from casework.treatment import programmes
from casework.treatment.choices import (
    COMPULSION,
    DISCHARGE_STATUSES,
    ORDER_KINDS_FOR_BASIS,
    EnrolmentStatus,
    FollowUpPoint,
    LegalBasis,
)
from casework.treatment.models import (
    FOLLOW_UP_NOTE_LIMIT,
    OFFICER_NAME_LIMIT,
    REASON_LIMIT,
    Enrolment,
    FollowUp,
    OutcomeMeasure,
)

# The agencies that supervise an order: probation (a community order, a licence), the police or
# the court (bail).
SUPERVISING_KINDS = (OrganisationKind.PROBATION, OrganisationKind.POLICE_FORCE, OrganisationKind.COURT)
FIRST_EPISODE_NOT_VOLUNTARY = (
    f"{ONLY_UNDER_COMPULSION} This would be the case's first treatment episode, so it cannot rest on a voluntary "
    "basis: choose the order that requires treatment."
)
NOT_TREATED_CASE = (
    "A consultation is advice to an agency: treatment is for the person who stalks (a perpetrator case) "
    "or therapy for the person stalked (a victim case)."
)
WRONG_PROGRAMME = {
    CaseKind.PERPETRATOR: "This programme is therapy for a person who is stalked: choose a programme for the person "
    "who stalks",
    CaseKind.VICTIM: "This programme treats the person who stalks: choose a programme for the person who is stalked",
}
VICTIM_BY_CONSENT = "Therapy for a person who is stalked is by their consent: choose Voluntary"
VICTIM_NO_ORDER = "Therapy for a person who is stalked rests on no order: choose No order (voluntary)"
VICTIM_NO_OFFICER = "Therapy for a person who is stalked has no supervising officer: leave this empty"
ALREADY_ENROLLED = "This case already has an enrolment in treatment. Discharge it before enrolling again."
# How long before treatment starts a baseline measure may be taken (at the assessment).
BASELINE_DAYS = 90


class EnrolmentRefused(Refused):
    """An enrolment, outcome, discharge or follow-up refused, with the reason (and its field)."""


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved on by ``months`` calendar months (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _audit(*, action: Action, enrolment: Enrolment, by, request, changes: dict[str, Any], what: str = "") -> None:
    case = enrolment.case
    label = f"{case.reference}: {enrolment.audit_label}" + (f" {what}" if what else "")
    record(action=action, actor=by, request=request, obj=case, object_label=label, changes=changes)


# --- Enrolling ----------------------------------------------------------------------------------------


def _check_order(case, basis: str, order, starts_on: dt.date) -> None:
    if order is None:
        if basis in COMPULSION:
            raise EnrolmentRefused("Select the order the treatment rests on", "order")
        return
    if order.case_id != case.pk:
        raise EnrolmentRefused("Select one of this case's orders", "order")
    kinds = ORDER_KINDS_FOR_BASIS.get(LegalBasis(basis), ())
    if basis in COMPULSION and order.kind not in kinds:
        wanted = " or ".join(OrderKind(kind).label.lower() for kind in kinds)
        raise EnrolmentRefused(
            f"A {LegalBasis(basis).label.lower()} rests on {wanted}; the order chosen is "
            f"{OrderKind(order.kind).label.lower()}",
            "order",
        )
    if order.ends_on is not None and order.ends_on < starts_on:
        raise EnrolmentRefused(
            f"The order ended on {date_gb(order.ends_on)}, before treatment would start. Choose an order in force",
            "order",
        )


def _check_officer(basis: str, agency, name: str, email: str) -> None:
    if agency is not None and agency.kind not in SUPERVISING_KINDS:
        raise EnrolmentRefused("Select a probation service, police force or court", "supervising_agency")
    if basis in COMPULSION and agency is None:
        raise EnrolmentRefused("Select the agency supervising the order", "supervising_agency")
    if basis in COMPULSION and not name.strip():
        raise EnrolmentRefused("Enter the name of the supervising officer", "supervising_officer_name")
    if len(name) > OFFICER_NAME_LIMIT:
        raise EnrolmentRefused(
            f"Supervising officer must be {OFFICER_NAME_LIMIT} characters or fewer", "supervising_officer_name"
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise EnrolmentRefused(
                "Enter an email address in the correct format, like name@example.com", "supervising_officer_email"
            ) from None


def _check_victim(basis: str, order, agency, name: str, email: str) -> None:
    """A person who is stalked is treated by consent: no order, no supervising officer."""
    if basis != LegalBasis.VOLUNTARY:
        raise EnrolmentRefused(VICTIM_BY_CONSENT, "legal_basis")
    if order is not None:
        raise EnrolmentRefused(VICTIM_NO_ORDER, "order")
    if agency is not None:
        raise EnrolmentRefused(VICTIM_NO_OFFICER, "supervising_agency")
    if name.strip() or email.strip():
        raise EnrolmentRefused(
            VICTIM_NO_OFFICER, "supervising_officer_name" if name.strip() else "supervising_officer_email"
        )


def enrol(
    *,
    case,
    programme_code: str,
    legal_basis: str,
    order=None,
    supervising_agency=None,
    supervising_officer_name: str = "",
    supervising_officer_email: str = "",
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    by,
    request: HttpRequest | None = None,
) -> Enrolment:
    """Enrol the case's subject in a programme, on a legal basis resting on one of the case's orders."""
    require(by, "treatment.enrol", case)
    if case.kind not in WRONG_PROGRAMME:
        raise EnrolmentRefused(NOT_TREATED_CASE)
    victim = case.kind == CaseKind.VICTIM
    try:
        programme = programmes.load(programme_code)
    except programmes.ProgrammeError as error:
        raise EnrolmentRefused(str(error), "programme") from None
    if programme.client != (programmes.VICTIM if victim else programmes.PERPETRATOR):
        raise EnrolmentRefused(WRONG_PROGRAMME[CaseKind(case.kind)], "programme")
    if legal_basis not in LegalBasis.values:
        raise EnrolmentRefused("Select the legal basis of the treatment", "legal_basis")
    if victim:
        _check_victim(legal_basis, order, supervising_agency, supervising_officer_name, supervising_officer_email)
    if ends_on is not None and ends_on < starts_on:
        raise EnrolmentRefused("Planned end date must be the same as or after the start date", "ends_on")
    with transaction.atomic():
        # Lock the case's enrolments, so two enrolments at once cannot both be the only active one.
        earlier = list(Enrolment.objects.select_for_update().filter(case=case).values_list("status", flat=True))
        if EnrolmentStatus.ACTIVE in earlier:
            raise EnrolmentRefused(ALREADY_ENROLLED)
        if legal_basis not in COMPULSION and not earlier and not victim:
            raise EnrolmentRefused(FIRST_EPISODE_NOT_VOLUNTARY, "legal_basis")
        _check_order(case, legal_basis, order, starts_on)
        name, email = supervising_officer_name.strip(), supervising_officer_email.strip()
        _check_officer(legal_basis, supervising_agency, name, email)
        enrolment = Enrolment.objects.create(
            case=case,
            programme=programmes.keep(programme_code),
            legal_basis=legal_basis,
            order=order,
            supervising_agency=supervising_agency,
            supervising_officer_name=name,
            supervising_officer_email=email,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=by,
            updated_by=by,
        )
        _audit(
            action=Action.CREATE,
            enrolment=enrolment,
            by=by,
            request=request,
            changes=diff({}, snapshot(enrolment, Enrolment.AUDITED_FIELDS), model=Enrolment),
        )
    return enrolment


# --- Outcome measures -------------------------------------------------------------------------------


def outcome_record(
    *,
    enrolment: Enrolment,
    measure: str,
    stage: str,
    score: Decimal | float | int,
    taken_on: dt.date,
    by,
    request: HttpRequest | None = None,
) -> OutcomeMeasure:
    """Record a score on one of the programme's measures at one of its stages (once per stage)."""
    require(by, "treatment.outcomes", enrolment)
    programme = programmes.of(enrolment.programme)
    found = programme.measures_by_code.get(measure)
    if found is None:
        raise EnrolmentRefused("Select one of the programme's outcome measures", "measure")
    if stage not in found.stages:
        stages = ", ".join(stage for stage in found.stages)
        raise EnrolmentRefused(f"{found.title} is taken at these stages only: {stages}", "stage")
    value = Decimal(str(score))
    if not Decimal(str(found.minimum)) <= value <= Decimal(str(found.maximum)):
        raise EnrolmentRefused(f"{found.title} must be a score from {found.minimum:g} to {found.maximum:g}", "score")
    today = timezone.localdate()
    if taken_on > today:
        raise EnrolmentRefused("Date taken must be today or in the past", "taken_on")
    if taken_on < enrolment.starts_on - dt.timedelta(days=BASELINE_DAYS):
        raise EnrolmentRefused(
            f"Date taken must be no more than {BASELINE_DAYS} days before treatment started "
            f"({date_gb(enrolment.starts_on)})",
            "taken_on",
        )
    with transaction.atomic():
        if OutcomeMeasure.objects.filter(enrolment=enrolment, measure=measure, stage=stage).exists():
            raise EnrolmentRefused(f"{found.title} is already recorded at this stage", "stage")
        outcome = OutcomeMeasure.objects.create(
            enrolment=enrolment, measure=measure, stage=stage, score=value, taken_on=taken_on, recorded_by=by
        )
        _audit(
            action=Action.CREATE,
            enrolment=enrolment,
            by=by,
            request=request,
            what="outcome measure",
            changes=diff({}, snapshot(outcome, ("measure", "stage", "score", "taken_on")), model=OutcomeMeasure),
        )
    return outcome


# --- Discharge and follow-up ------------------------------------------------------------------------


def discharge(
    *,
    enrolment: Enrolment,
    status: str,
    reason: str,
    discharged_on: dt.date,
    by,
    request: HttpRequest | None = None,
) -> Enrolment:
    """End treatment (completed, disengaged, breached, transferred) with the reason, and make the
    follow-ups due 6, 12 and 24 months after the discharge date."""
    require(by, "treatment.discharge", enrolment)
    if status not in DISCHARGE_STATUSES:
        raise EnrolmentRefused("Select how treatment ended", "status")
    if status == EnrolmentStatus.BREACHED and enrolment.case.kind != CaseKind.PERPETRATOR:
        raise EnrolmentRefused("Only treatment under an order can be breached: select how therapy ended", "status")
    reason = reason.strip()
    if not reason:
        raise EnrolmentRefused("Enter the reason for the discharge", "reason")
    if len(reason) > REASON_LIMIT:
        raise EnrolmentRefused(f"Reason must be {REASON_LIMIT:,} characters or fewer", "reason")
    if discharged_on > timezone.localdate():
        raise EnrolmentRefused("Date of discharge must be today or in the past", "discharged_on")
    if discharged_on < enrolment.starts_on:
        raise EnrolmentRefused(
            f"Date of discharge must be the same as or after the start of treatment ({date_gb(enrolment.starts_on)})",
            "discharged_on",
        )
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if not locked.is_active:
            raise EnrolmentRefused(f"This enrolment has already ended ({locked.get_status_display().lower()})")
        before = snapshot(enrolment, (*Enrolment.AUDITED_FIELDS, "discharge_reason"))
        enrolment.status = status
        enrolment.discharge_reason = reason
        enrolment.discharged_on = discharged_on
        enrolment.updated_by = by
        enrolment.updated_at = timezone.now()
        enrolment.save(update_fields=["status", "discharge_reason", "discharged_on", "updated_by", "updated_at"])
        follow_ups = FollowUp.objects.bulk_create(
            FollowUp(enrolment=enrolment, point=point, due_on=add_months(discharged_on, point))
            for point in FollowUpPoint.values
        )
        changes = diff(before, snapshot(enrolment, (*Enrolment.AUDITED_FIELDS, "discharge_reason")), model=Enrolment)
        changes["follow-ups due"] = {"old": None, "new": [f.due_on.isoformat() for f in follow_ups]}
        _audit(action=Action.UPDATE, enrolment=enrolment, by=by, request=request, what="discharged", changes=changes)
        # The lead clinician is reminded at 09:00 on the day each falls due (``tasks.remind_follow_up``).
        follow_up_ids = [f.pk for f in follow_ups]
        transaction.on_commit(lambda: _schedule_reminders(follow_up_ids))
    return enrolment


def _schedule_reminders(follow_up_ids: list[int]) -> None:
    from casework.treatment.reminders import schedule_follow_ups

    schedule_follow_ups(follow_up_ids)


FOLLOW_UP_FIELDS = ("done_on", "re_referred", "further_stalking", "reconvicted", "notes")


def follow_up_record(
    *,
    follow_up: FollowUp,
    re_referred: bool,
    further_stalking: bool,
    reconvicted: bool,
    notes: str = "",
    done_on: dt.date,
    by,
    request: HttpRequest | None = None,
) -> FollowUp:
    """Record what a follow-up found: re-referral, further stalking reported, reconviction."""
    require(by, "treatment.follow_up", follow_up)
    enrolment = follow_up.enrolment
    if done_on > timezone.localdate():
        raise EnrolmentRefused("Date of the follow-up must be today or in the past", "done_on")
    if enrolment.discharged_on and done_on < enrolment.discharged_on:
        raise EnrolmentRefused(
            f"Date of the follow-up must be after the discharge ({date_gb(enrolment.discharged_on)})", "done_on"
        )
    notes = notes.strip()
    if len(notes) > FOLLOW_UP_NOTE_LIMIT:
        raise EnrolmentRefused(f"Notes must be {FOLLOW_UP_NOTE_LIMIT:,} characters or fewer", "notes")
    for name, value in (
        ("re_referred", re_referred),
        ("further_stalking", further_stalking),
        ("reconvicted", reconvicted),
    ):
        if value is None:
            label = FollowUp._meta.get_field(name).verbose_name
            raise EnrolmentRefused(f"Select whether {str(label).lower()}: yes or no", name)
    with transaction.atomic():
        before = snapshot(follow_up, FOLLOW_UP_FIELDS)
        follow_up.re_referred = re_referred
        follow_up.further_stalking = further_stalking
        follow_up.reconvicted = reconvicted
        follow_up.notes = notes
        follow_up.done_on = done_on
        follow_up.recorded_by = by
        follow_up.save()
        changes = diff(before, snapshot(follow_up, FOLLOW_UP_FIELDS), model=FollowUp)
        if changes:
            _audit(
                action=Action.UPDATE,
                enrolment=enrolment,
                by=by,
                request=request,
                what=f"follow-up at {follow_up.point} months",
                changes=changes,
            )
    return follow_up
