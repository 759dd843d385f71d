"""Readers for referrals. Every referral a user sees comes through ``referrals_visible_to``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import CharField, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from casework.accounts.models import TrainingRecord, User
from casework.accounts.queries import clinicians
from casework.accounts.roles import Instrument, Role
from casework.audit.models import BreakGlassGrant
from casework.organisations.models import Organisation
from casework.referrals.choices import Status, SubjectRole
from casework.referrals.models import Letter, Referral, ReferralDocument, RequestedService, Transition

OBJECT_TYPE = "referrals.referral"


def _active_break_glass(user) -> Exists:
    return Exists(
        BreakGlassGrant.objects.filter(
            user=user, object_type=OBJECT_TYPE, object_id=OuterRef("pk_text"), expires_at__gt=timezone.now()
        )
    )


def _behind_barrier(user) -> Q:
    """Referrals on the far side of an information barrier from the user's cases: the referrals of
    a victim case seen from her stalker's case, and any referral whose subject is that victim.

    Evaluated to ids here (one query, and two more only when a barrier applies) rather than nested
    as subqueries: the scoped queries nest each other, and SQLite's parser has a depth limit."""
    from casework.cases.barrier import cases_across_barrier_for
    from casework.cases.choices import CaseKind
    from casework.cases.models import CaseReferral
    from casework.people.models import ReferralPersonLink

    across = list(cases_across_barrier_for(user).order_by().values_list("pk", "kind", "subject_id"))
    if not across:
        return Q(pk__in=[])
    victims = [subject for _, kind, subject in across if kind == CaseKind.VICTIM]
    ids = set(CaseReferral.objects.filter(case_id__in=[pk for pk, _, _ in across]).values_list("referral_id", flat=True))
    ids |= set(
        ReferralPersonLink.objects.filter(named_party__isnull=True, person_id__in=victims).values_list("referral_id", flat=True)
    )
    return Q(pk__in=sorted(ids))


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Deny by default.

    - referrals coordinators and clinical leads: every submitted referral;
    - clinicians: referrals allocated to them (lead or second assessor), and any they hold
      active break-glass access to;
    - agency referrers: their own organisation's submitted referrals, and their own drafts;
    - everyone else (finance, researchers, system administrators): none.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Referral.objects.none()
    base = Referral.objects.exclude(_behind_barrier(user))
    role = user.role
    if role in (Role.REFERRALS_COORDINATOR, Role.CLINICAL_LEAD):
        return base.exclude(status=Status.DRAFT)
    if role == Role.CLINICIAN:
        return (
            base.exclude(status=Status.DRAFT)
            .annotate(pk_text=Cast("pk", CharField()))
            .filter(Q(lead_clinician=user) | Q(second_assessor=user) | _active_break_glass(user))
        )
    if role == Role.AGENCY_REFERRER and user.organisation_id:
        return base.filter(referring_organisation_id=user.organisation_id).filter(
            ~Q(status=Status.DRAFT) | Q(created_by=user)
        )
    return Referral.objects.none()


def referral_for_break_glass(user, reference: str) -> Referral | None:
    """A submitted referral a clinician is not allocated to, which they may open by break-glass.
    Only clinicians may ask; the answer never distinguishes 'does not exist' from 'not allowed'."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.CLINICIAN:
        return None
    return Referral.objects.exclude(status=Status.DRAFT).filter(reference=reference).first()


def with_list_relations(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """What a list page needs, fetched in a fixed number of queries."""
    return queryset.select_related("referring_organisation", "lead_clinician", "second_assessor").prefetch_related(
        "requested_services"
    )


# --- The staff pages ------------------------------------------------------------------------

SORTS = {
    "received_desc": ("Received, newest first", [F("received_at").desc(nulls_last=True), "-id"]),
    "received_asc": ("Received, oldest first", [F("received_at").asc(nulls_last=True), "id"]),
    "due_asc": ("Report due, soonest first", [F("report_due_on").asc(nulls_last=True), "-received_at", "-id"]),
    "due_desc": ("Report due, latest first", [F("report_due_on").desc(nulls_last=True), "-received_at", "-id"]),
}
DEFAULT_SORT = "received_desc"
# A report due date has passed while the work is still waiting for these statuses.
NOT_YET_ALLOCATED = (Status.RECEIVED, Status.SCREENING, Status.AWAITING_INFORMATION, Status.ACCEPTED)


def information_overdue_working_days() -> int:
    return int(getattr(settings, "CASEWORK_INFORMATION_OVERDUE_WORKING_DAYS", 10))


def working_days_before(day: dt.date, working_days: int) -> dt.date:
    """The date ``working_days`` working days (Monday to Friday) before ``day``. Bank holidays
    are not known to the system, so they count as working days."""
    current = day
    remaining = working_days
    while remaining > 0:
        current -= dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def overdue_condition(today: dt.date | None = None) -> Q:
    """Overdue: the report due date has passed and the work is not yet allocated (nor closed,
    declined or withdrawn); or information was asked for more than the configured number of
    working days ago and has not arrived."""
    today = today or timezone.localdate()
    cutoff_day = working_days_before(today, information_overdue_working_days())
    cutoff = timezone.make_aware(dt.datetime.combine(cutoff_day, dt.time.min))
    return Q(report_due_on__lt=today, status__in=NOT_YET_ALLOCATED) | Q(
        status=Status.AWAITING_INFORMATION, information_requested_at__lt=cutoff
    )


def referrals_filtered(
    queryset: QuerySet[Referral], *, status: str = "", service: str = "", organisation_kind: str = "",
    overdue: bool = False, sort: str = DEFAULT_SORT, today: dt.date | None = None,
) -> QuerySet[Referral]:
    """Narrow an already-scoped list by the list page's filters, sorted, with what a row shows."""
    if status:
        queryset = queryset.filter(status=status)
    if service:
        queryset = queryset.filter(Exists(RequestedService.objects.filter(referral=OuterRef("pk"), service=service)))
    if organisation_kind:
        queryset = queryset.filter(referring_organisation__kind=organisation_kind)
    if overdue:
        queryset = queryset.filter(overdue_condition(today))
    ordering = SORTS.get(sort, SORTS[DEFAULT_SORT])[1]
    return with_list_relations(queryset).order_by(*ordering)


def staff_referral(user, reference: str) -> Referral | None:
    """One referral for the staff pages, if the user may see it there (agency referrers use the portal)."""
    if not user.has_perm("referrals.view_list"):
        return None
    return (
        referrals_visible_to(user)
        .filter(reference=reference)
        .select_related("referring_organisation", "commissioner", "lead_clinician", "second_assessor", "decided_by")
        .prefetch_related("requested_services", "named_parties")
        .first()
    )


def transitions_of(referral: Referral) -> list[Transition]:
    return list(referral.transitions.select_related("by").order_by("at", "id"))


def documents_of(referral: Referral) -> list[ReferralDocument]:
    return list(referral.documents.select_related("uploaded_by").order_by("uploaded_at", "id"))


def document_of(referral: Referral, pk: int) -> ReferralDocument | None:
    return referral.documents.select_related("referral").filter(pk=pk).first()


def letters_of(referral: Referral) -> list[Letter]:
    return list(referral.letters.select_related("issued_by").order_by("-issued_at", "-id"))


def letter_of(referral: Referral, pk: int) -> Letter | None:
    return referral.letters.select_related("referral", "issued_by").filter(pk=pk).first()


def referring_organisations(current=None) -> QuerySet[Organisation]:
    """Organisations a referral may be logged from: the active ones, and the one it already has."""
    condition = Q(is_active=True)
    if current is not None:
        condition |= Q(pk=current.pk)
    return Organisation.objects.filter(condition).order_by("name", "id")


def clinicians_for_allocation(today: dt.date | None = None) -> QuerySet[User]:
    """Active clinicians and clinical leads, each with their current caseload (referrals allocated
    to them, as lead or second assessor, in status allocated) and their Stalking Risk Profile
    training, all in one query."""
    today = today or timezone.localdate()
    caseload = (
        Referral.objects.filter(Q(lead_clinician=OuterRef("pk")) | Q(second_assessor=OuterRef("pk")),
                                status=Status.ALLOCATED)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values("n")
    )
    srp = TrainingRecord.objects.filter(user=OuterRef("pk"), instrument=Instrument.SRP)
    current_srp = srp.filter(trained_on__lte=today).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    latest_srp_expiry = srp.order_by("-trained_on", "-id").values("expires_on")[:1]
    return clinicians().annotate(
        caseload=Coalesce(Subquery(caseload, output_field=IntegerField()), Value(0)),
        srp_current=Exists(current_srp),
        srp_trained=Exists(srp),
        srp_latest_expiry=Subquery(latest_srp_expiry),
    ).order_by("full_name", "id")


def clinician_for_allocation(pk) -> User | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return clinicians().filter(pk=pk).first()


def searchable_party_names(referral: Referral) -> list[str]:
    """The names a letter to the referrer must not carry: every named party, and the subject too
    when the subject is the person stalked."""
    names = [p.name for p in referral.named_parties.all()]
    if referral.subject_role == SubjectRole.VICTIM:
        names += [referral.subject_given_name, referral.subject_family_name, referral.subject_name]
    return [n.strip() for n in names if n and len(n.strip()) >= 3 and n != "Not given"]
