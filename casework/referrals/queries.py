"""Readers for referrals. Every referral a user sees comes through ``referrals_visible_to``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils import timezone

from casework.access import policy
from casework.access.barrier import staff_across_barrier_from_referral
from casework.accounts.models import TrainingRecord, User
from casework.accounts.queries import clinicians
from casework.core.roles import Instrument
from casework.core.working_days import working_days_before
from casework.organisations.models import Organisation
from casework.referrals.choices import Status, SubjectRole
from casework.referrals.models import Letter, Referral, ReferralDocument, RequestedService, Transition

OBJECT_TYPE = "referrals.referral"


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Deny by default; the access rules decide (``casework.access.scopes``): coordinators and
    clinical leads see every submitted referral, clinicians those allocated to them or held by a
    case they are on the team of, agency referrers their organisation's (``casework.portal.queries``);
    nobody sees a referral across an information barrier from their own side; a break-glass grant
    opens one for reading."""
    return policy.visible(user, Referral)


def with_list_relations(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """What a list page needs, fetched in a fixed number of queries."""
    return queryset.select_related("referring_organisation", "lead_clinician", "second_assessor").prefetch_related(
        "requested_services"
    )


# --- The staff pages ------------------------------------------------------------------------

SORTS: dict[str, tuple[str, list[str | Combinable]]] = {
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
    queryset: QuerySet[Referral],
    *,
    status: str = "",
    service: str = "",
    organisation_kind: str = "",
    overdue: bool = False,
    sort: str = DEFAULT_SORT,
    today: dt.date | None = None,
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


def staff_referrals(user) -> QuerySet[Referral]:
    """Referrals for the staff pages, with what one referral's page shows (agency referrers use the
    portal: nothing here for them)."""
    if not user.has_perm("referrals.view_list"):
        return Referral.objects.none()
    return (
        referrals_visible_to(user)
        .select_related("referring_organisation", "commissioner", "lead_clinician", "second_assessor", "decided_by")
        .prefetch_related("requested_services", "named_parties")
    )


def staff_referral(user, reference: str) -> Referral | None:
    """One referral for the staff pages, if the user may see it there."""
    return staff_referrals(user).filter(reference=reference).first()


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
        Referral.objects.filter(
            Q(lead_clinician=OuterRef("pk")) | Q(second_assessor=OuterRef("pk")), status=Status.ALLOCATED
        )
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values("n")
    )
    srp = TrainingRecord.objects.filter(user=OuterRef("pk"), instrument=Instrument.SRP)
    current_srp = srp.filter(trained_on__lte=today).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    latest_srp_expiry = srp.order_by("-trained_on", "-id").values("expires_on")[:1]
    return (
        clinicians()
        .annotate(
            caseload=Coalesce(Subquery(caseload, output_field=IntegerField()), Value(0)),
            srp_current=Exists(current_srp),
            srp_trained=Exists(srp),
            srp_latest_expiry=Subquery(latest_srp_expiry),
        )
        .order_by("full_name", "id")
    )


def clinicians_across_barrier(referral: Referral) -> set[int]:
    """The staff who may not take ``referral`` because they are on the team of a case across an
    information barrier from the case it would open (``access.barrier``)."""
    return staff_across_barrier_from_referral(referral)


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
