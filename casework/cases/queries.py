"""Readers for cases. Every case a user sees comes through ``cases_visible_to``, which asks the
access rules (``casework.access.scopes``: who is related to which case, the information barrier,
break-glass). Coordinators see case administration only, clinical leads the whole caseload less
what a barrier hides from them, clinicians their team's cases; ``rules.py`` says what each may do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from casework.access import barrier, policy
from casework.accounts.models import User
from casework.accounts.queries import clinicians
from casework.cases import escalation, risk
from casework.cases.choices import (
    ACTIVE_STATUSES,
    IN_PERSON_BEHAVIOURS,
    VIOLENT_BEHAVIOURS,
    Behaviour,
    CaseKind,
    CaseStatus,
    Channel,
    PartyRole,
    TeamRole,
)
from casework.cases.models import (
    AgencyOfficer,
    Case,
    CaseNote,
    CaseNoteAddendum,
    CaseParty,
    CaseReferral,
    CaseService,
    CaseStatusChange,
    CaseTeamMember,
    Hearing,
    Incident,
    InvolvedAgency,
    KeptRisk,
    LegalOrder,
    MappaMeeting,
    MappaRegistration,
    StalkingEpisode,
)
from casework.cases.services import kept
from casework.core.roles import Role
from casework.organisations.models import Organisation
from casework.people.models import ReferralPersonLink
from casework.referrals.choices import Status as ReferralStatus
from casework.referrals.models import Referral, ReferralDocument
from casework.referrals.work_queries import FINISHED as REFERRAL_FINISHED

OBJECT_TYPE = "cases.case"
READY_REFERRAL_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.ALLOCATED)


def _active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def cases_visible_to(user) -> QuerySet[Case]:
    return policy.visible(user, Case)


def case_for(user, reference: str) -> Case | None:
    return cases_visible_to(user).select_related("subject", "opened_by").filter(reference=reference).first()


# --- The list -----------------------------------------------------------------------------------


def _lead_name() -> Subquery:
    return Subquery(
        CaseTeamMember.objects.filter(case=OuterRef("pk"), role=TeamRole.LEAD_CLINICIAN).values("user__full_name")[:1]
    )


def cases_for_list(
    user,
    *,
    status: str = "",
    kind: str = "",
    mine: bool = False,
    risk: bool = False,
) -> QuerySet[Case]:
    """The case list, filtered. ``risk``: only the open and on-hold cases the escalation rule flags
    or with a likely breach of an order in the last 8 weeks (clinical staff only: for anyone else
    the filter is ignored)."""
    cases = cases_visible_to(user)
    if status:
        cases = cases.filter(status=status)
    if kind:
        cases = cases.filter(kind=kind)
    if mine:
        cases = cases.filter(Exists(CaseTeamMember.objects.filter(case=OuterRef("pk"), user=user)))
    if risk and user.has_perm("cases.view_clinical"):
        cases = flagged_cases(cases)
    return cases.select_related("subject").annotate(lead_name=_lead_name()).order_by("-opened_on", "-id")


# --- Opening a case -----------------------------------------------------------------------------


def _subject_link() -> Exists:
    return Exists(ReferralPersonLink.objects.filter(referral=OuterRef("pk"), named_party__isnull=True))


def referrals_ready_to_open(user) -> QuerySet[Referral]:
    """Accepted or allocated referrals whose subject is linked to a person and whose work is in no
    case yet, oldest first: for clinical leads."""
    if not user.has_perm("cases.open"):
        return Referral.objects.none()
    return (
        policy.visible(user, Referral)
        .filter(status__in=READY_REFERRAL_STATUSES)
        .filter(_subject_link())
        .filter(~Exists(CaseReferral.objects.filter(referral=OuterRef("pk"))))
        .select_related("referring_organisation", "lead_clinician", "second_assessor")
        .order_by("received_at", "id")
    )


def referral_awaiting_subject_link(user, reference: str) -> Referral | None:
    """An accepted or allocated referral, in no case yet, whose subject is not yet linked to a
    person record: a case cannot open until it is, and the page says so."""
    if not user.has_perm("cases.open"):
        return None
    return (
        policy.visible(user, Referral)
        .filter(reference=reference, status__in=READY_REFERRAL_STATUSES)
        .filter(~_subject_link())
        .filter(~Exists(CaseReferral.objects.filter(referral=OuterRef("pk"))))
        .first()
    )


def referral_ready_to_open(user, reference: str) -> Referral | None:
    return referrals_ready_to_open(user).filter(reference=reference).prefetch_related("requested_services").first()


def subject_of(referral: Referral):
    link = (
        ReferralPersonLink.objects.filter(referral=referral, named_party__isnull=True).select_related("person").first()
    )
    return link.person if link else None


def party_links_of(referral: Referral) -> list[ReferralPersonLink]:
    return list(
        ReferralPersonLink.objects.filter(referral=referral, named_party__isnull=False)
        .select_related("person", "named_party")
        .order_by("named_party_id", "id")
    )


def unlinked_party_count(referral: Referral) -> int:
    return referral.named_parties.exclude(person_links__isnull=False).count()


def open_cases_of(user, person) -> list[Case]:
    """The subject's open and on-hold cases the user may see (a referral may add work to one)."""
    if person is None:
        return []
    return list(
        cases_visible_to(user)
        .filter(subject=person, status__in=ACTIVE_STATUSES)
        .annotate(lead_name=_lead_name())
        .order_by("-opened_on", "-id")
    )


def case_clinicians() -> QuerySet[User]:
    """Who may be on a case team: active clinicians and clinical leads."""
    return clinicians().order_by("full_name", "id")


def case_clinician(pk) -> User | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return clinicians().filter(pk=pk).first()


# --- One case -----------------------------------------------------------------------------------


def team_of(case: Case) -> list[CaseTeamMember]:
    members = list(case.team.select_related("user").order_by("role", "added_at", "id"))
    case._team_roles = {m.user_id: m.role for m in members}
    return members


def team_member_of(case: Case, pk) -> CaseTeamMember | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return case.team.select_related("user").filter(pk=pk).first()


def parties_of(case: Case) -> list[CaseParty]:
    return list(case.parties.select_related("person").order_by("id"))


def party_of(case: Case, pk) -> CaseParty | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return case.parties.select_related("person").filter(pk=pk).exclude(role=PartyRole.SUBJECT).first()


def victim_choices_of(case: Case, parties: list[CaseParty] | None = None) -> list[CaseParty]:
    """Whom an incident or an episode can be about: the victims, or in a victim case the subject."""
    parties = parties if parties is not None else parties_of(case)
    wanted = PartyRole.SUBJECT if case.kind == CaseKind.VICTIM else PartyRole.VICTIM
    return [p for p in parties if p.role == wanted]


def episode_of(party: CaseParty) -> StalkingEpisode | None:
    return StalkingEpisode.objects.filter(victim=party).first()


def incidents_of(case: Case) -> QuerySet[Incident]:
    """The timeline, newest first, with what a row shows (for a paginated list)."""
    return case.incidents.select_related("victim").prefetch_related(
        Prefetch("documents", queryset=ReferralDocument.objects.only("pk", "original_name", "referral_id"))
    )


def incident_of(case: Case, pk) -> Incident | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return case.incidents.prefetch_related("documents").filter(pk=pk).first()


def notes_of(case: Case, *, kind: str = "", significant: bool = False, text: str = "") -> QuerySet[CaseNote]:
    """The case's notes, newest contact first, each with its author and its addenda (oldest first,
    with their authors): a fixed number of queries for a page however many there are. ``text``
    searches the case's own notes and their addenda (case-insensitive, SQLite and PostgreSQL)."""
    notes = case.notes.select_related("author").prefetch_related(
        Prefetch("addenda", queryset=CaseNoteAddendum.objects.select_related("author").order_by("created_at", "id"))
    )
    if kind:
        notes = notes.filter(kind=kind)
    if significant:
        notes = notes.filter(significant=True)
    if text:
        in_addenda = CaseNoteAddendum.objects.filter(note=OuterRef("pk"), text__icontains=text)
        notes = notes.filter(Q(text__icontains=text) | Q(present__icontains=text) | Exists(in_addenda))
    return notes


def note_of(case: Case, pk) -> CaseNote | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return notes_of(case).filter(pk=pk).first()


def incident_points(case: Case) -> list[tuple]:
    """Every incident as (occurred_on, severity, behaviour, channel, victim_id, precision, place),
    oldest first, in one query: what the escalation view and its chart are built from."""
    return list(
        Incident.objects.filter(case=case)
        .order_by("occurred_on", "occurred_time", "id")
        .values_list("occurred_on", "severity", "behaviour", "channel", "victim_id", "precision", "place")
    )


def incidents_for_export(case: Case) -> QuerySet[Incident]:
    return case.incidents.select_related("victim").order_by("occurred_on", "occurred_time", "id")


def orders_of(case: Case) -> list[LegalOrder]:
    return list(
        case.orders.select_related("source_referral").prefetch_related(
            Prefetch("protects", queryset=CaseParty.objects.order_by("id"))
        )
    )


def order_of(case: Case, pk) -> LegalOrder | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return case.orders.prefetch_related("protects").filter(pk=pk).first()


def hearings_of(case: Case) -> list[Hearing]:
    return list(case.hearings.select_related("source_referral").order_by("hearing_on", "id"))


def services_of(case: Case) -> list[CaseService]:
    """The work the case owes (the services accepted on its referrals), soonest due first."""
    return list(case.services.select_related("source_referral"))


def hearing_of(case: Case, pk) -> Hearing | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return case.hearings.filter(pk=pk).first()


def mappa_of(case: Case) -> MappaRegistration | None:
    return MappaRegistration.objects.filter(case=case).first()


def mappa_meetings_of(case: Case) -> list[MappaMeeting]:
    return list(case.mappa_meetings.order_by("meets_on", "id"))


def agencies_of(case: Case) -> list[InvolvedAgency]:
    return list(
        case.agencies.select_related("organisation").prefetch_related(
            Prefetch(
                "officers",
                queryset=AgencyOfficer.objects.select_related("source_referral").order_by("role", "name", "id"),
            )
        )
    )


def agency_of(case: Case, pk) -> InvolvedAgency | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return case.agencies.filter(pk=pk).first()


def agency_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(is_active=True).order_by("name", "id")


def agency_organisation(pk) -> Organisation | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return agency_organisations().filter(pk=pk).first()


def referrals_of(case: Case) -> list[CaseReferral]:
    return list(case.case_referrals.select_related("referral").order_by("added_at", "id"))


def documents_of(case: Case) -> list[ReferralDocument]:
    """The documents of the case's referrals (what incidents may link to)."""
    return list(
        ReferralDocument.objects.filter(referral__case_link__case=case)
        .select_related("referral")
        .order_by("uploaded_at", "id")
    )


def document_of(case: Case, pk) -> ReferralDocument | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return ReferralDocument.objects.filter(referral__case_link__case=case, pk=pk).select_related("referral").first()


def history_of(case: Case) -> list[CaseStatusChange]:
    return list(case.status_changes.select_related("by").order_by("at", "id"))


def visible_referral_ids(user, referral_ids: list[int]) -> set[int]:
    """Of the case's referrals, those this user may open on the referrals pages (one query)."""
    if not referral_ids:
        return set()
    return set(policy.visible(user, Referral).filter(pk__in=referral_ids).values_list("pk", flat=True))


_RISK_JUDGEMENTS: list[Callable[[Case], list]] = []


def provide_risk_judgements(provider: Callable[[Case], list]) -> None:
    """The assessments app (above this one) answers ``risk_judgements_of`` when it is ready."""
    _RISK_JUDGEMENTS[:] = [provider]


def risk_judgements_of(case: Case) -> list:
    """The current risk judgements of the case's signed-off assessments, as the assessments app
    gives them; none (the case page says "No assessment yet") until one is signed off."""
    return _RISK_JUDGEMENTS[0](case) if _RISK_JUDGEMENTS else []


# --- My work ------------------------------------------------------------------------------------


def _my_active_cases(user) -> QuerySet[Case]:
    return cases_visible_to(user).filter(
        status__in=ACTIVE_STATUSES, pk__in=CaseTeamMember.objects.filter(user=user).values("case_id")
    )


def orders_ending(user, *, within_days: int, today: dt.date | None = None) -> QuerySet[LegalOrder]:
    """Orders on the user's own open cases that end today or within ``within_days`` days."""
    today = today or timezone.localdate()
    return (
        LegalOrder.objects.filter(case__in=_my_active_cases(user).values("pk"))
        .filter(ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=within_days))
        .select_related("case")
        .order_by("ends_on", "id")
    )


def hearings_coming_up(user, *, within_days: int, today: dt.date | None = None) -> QuerySet[Hearing]:
    """Hearings today or within ``within_days`` days: on the user's own open cases, or, for
    referrals coordinators (who book around them), on every open case."""
    today = today or timezone.localdate()
    if not _active_user(user):
        return Hearing.objects.none()
    cases = (
        cases_visible_to(user).filter(status__in=ACTIVE_STATUSES)
        if user.role == Role.REFERRALS_COORDINATOR
        else _my_active_cases(user)
    )
    return (
        Hearing.objects.filter(case__in=cases.values("pk"))
        .filter(hearing_on__gte=today, hearing_on__lte=today + dt.timedelta(days=within_days))
        .select_related("case")
        .order_by("hearing_on", "id")
    )


def my_active_cases(user) -> QuerySet[Case]:
    """The open and on-hold cases the user is on the team of."""
    return _my_active_cases(user)


def active_cases(user) -> QuerySet[Case]:
    """Every open and on-hold case the user may see."""
    return cases_visible_to(user).filter(status__in=ACTIVE_STATUSES)


def _next_hearing(today: dt.date, column: str) -> Subquery:
    return Subquery(
        Hearing.objects.filter(case=OuterRef("pk"), hearing_on__gte=today)
        .order_by("hearing_on", "id")
        .values(column)[:1]
    )


def _report_due() -> Subquery:
    """The earliest report due date of the case's referrals that are still open."""
    return Subquery(
        Referral.objects.filter(case_link__case=OuterRef("pk"), report_due_on__isnull=False)
        .exclude(status__in=REFERRAL_FINISHED)
        .order_by("report_due_on")
        .values("report_due_on")[:1]
    )


def case_risks(cases: QuerySet[Case], today: dt.date | None = None) -> list[risk.CaseRisk]:
    """``cases`` (already scoped to the user) assessed for escalation and likely breaches, with
    their next hearing and report due date, breaching and escalating first (``risk.sort_key``).

    Five queries however many cases and incidents: the cases; their incidents of the last
    16 weeks (``escalation.detail_since``: the only ones the rule reads one by one); a summary of
    the older incidents (``escalation.History``) of the cases whose reasons could depend on them
    (``escalation.needs_history``; made, finding nothing, when no case needs one); and the
    no-contact and exclusion-zone orders not ended 8 weeks ago, with the parties they protect. The result is the same as assessing every incident
    (docs/adr/0026-my-work-risk-reads-recent-incidents.md); the rows read no longer grow with a
    case's history."""
    today = today or timezone.localdate()
    ids = cases.order_by().values("pk")
    rows = [row for (row,) in _risk_rows(cases, today)]
    since = escalation.detail_since(today)
    points: dict[int, list[escalation.Point]] = {}
    incidents = (
        Incident.objects.filter(case__in=ids, occurred_on__gte=since)
        .order_by("case_id", "occurred_on", "occurred_time", "id")
        .values_list("case_id", "occurred_on", "severity", "behaviour", "channel", "victim_id", "precision", "place")
    )
    for case_id, occurred_on, severity, behaviour, channel, victim_id, precision, place in incidents:
        point = escalation.Point(occurred_on, severity, behaviour, channel, victim_id, precision, place)
        points.setdefault(case_id, []).append(point)
    recent_since = today - dt.timedelta(days=risk.RECENT_DAYS - 1)
    older = _older_histories(
        [case_id for case_id, found in points.items() if escalation.needs_history(found, today)], since
    )
    orders: dict[int, list[LegalOrder]] = {}
    in_force = Q(ends_on__isnull=True) | Q(ends_on__gte=recent_since)
    for order in (
        LegalOrder.objects.filter(Q(no_contact=True) | Q(exclusion_zone=True), in_force, case__in=ids)
        .select_related("source_referral")
        .prefetch_related("protects")
    ):
        orders.setdefault(order.case_id, []).append(order)
    spans = {case_id: escalation.order_spans(found) for case_id, found in orders.items()}
    return risk.assess_cases(rows, points, spans, today, older)


def kept_case_risks(
    cases: QuerySet[Case], today: dt.date | None = None, *, flagged_only: bool = False
) -> list[risk.CaseRisk]:
    """``cases`` (already scoped to the user) with their kept risk (``KeptRisk``), as
    ``case_risks`` would assess them, in ``risk.sort_key`` order; ``flagged_only``: only those
    escalating or with a likely breach in the last 8 weeks.

    A case whose kept risk is not current (none, assessed another day, its incidents or orders
    changed since, or under another rule) is assessed again first with ``case_risks`` and kept —
    normally none are, as ``manage.py assess_case_risks`` runs each night and a change leaves only
    its own case to assess. So the rows read are the flagged cases (or the user's own), not every
    incident of every open case (docs/adr/0027-kept-case-risk.md). Two queries when every kept risk
    is current; seven when some are not."""
    today = today or timezone.localdate()
    _keep_current(cases, today)
    wanted = cases.filter(kept_risk__flagged=True) if flagged_only else cases
    return sorted(
        (
            risk.CaseRisk(row=row, reasons=list(reasons or ()), last_breach_on=breach)
            for row, reasons, breach in _risk_rows(
                wanted, today, extra=("kept_risk__reasons", "kept_risk__last_breach_on")
            )
        ),
        key=risk.sort_key,
    )


def flagged_cases(cases: QuerySet[Case], today: dt.date | None = None) -> QuerySet[Case]:
    """Those of ``cases`` (scoped to the user) open or on hold and flagged by their kept risk,
    assessing first any whose kept risk is not current (``kept_case_risks``)."""
    active = cases.filter(status__in=ACTIVE_STATUSES)
    _keep_current(active, today or timezone.localdate())
    return active.filter(kept_risk__flagged=True)


def _keep_current(cases: QuerySet[Case], today: dt.date) -> None:
    """Assess and keep the risk of those of ``cases`` whose kept risk is not current for ``today``.
    Each case's ``risk_version`` is read before its incidents and orders (``kept.keep``)."""
    current = KeptRisk.objects.filter(
        case=OuterRef("pk"), assessed_on=today, version=OuterRef("risk_version"), rule=risk.RULE
    )
    stale = dict(cases.order_by().exclude(Exists(current)).values_list("pk", "risk_version"))
    if stale:
        kept.keep(case_risks(Case.objects.filter(pk__in=list(stale)), today), stale, today)


def refresh_kept_risks(today: dt.date | None = None, *, chunk: int = 500) -> int:
    """Assess every open and on-hold case for ``today`` and keep the results, ``chunk`` cases at a
    time (``manage.py assess_case_risks``, each night just after midnight); remove the kept risks of
    cases no longer open. Returns the number of cases assessed."""
    today = today or timezone.localdate()
    ids = list(Case.objects.filter(status__in=ACTIVE_STATUSES).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        part = Case.objects.filter(pk__in=ids[start : start + chunk])
        versions = dict(part.order_by().values_list("pk", "risk_version"))
        kept.keep(case_risks(part, today), versions, today)
    KeptRisk.objects.exclude(case__status__in=ACTIVE_STATUSES).delete()
    return len(ids)


def _risk_rows(cases: QuerySet[Case], today: dt.date, extra: tuple[str, ...] = ()) -> list[tuple]:
    """``(risk.CaseRow, *values of extra)`` for each case, with its next hearing and report due."""
    found = (
        cases.order_by()
        .annotate(
            next_hearing_on=_next_hearing(today, "hearing_on"),
            next_hearing_kind=_next_hearing(today, "kind"),
            report_due_on=_report_due(),
        )
        .values_list("pk", "reference", "next_hearing_on", "next_hearing_kind", "report_due_on", *extra)
    )
    return [
        (
            risk.CaseRow(
                case_id=pk, reference=reference, next_hearing_on=on, next_hearing_kind=kind or "", report_due_on=due
            ),
            *values,
        )
        for pk, reference, on, kind, due, *values in found
    ]


def _older_histories(ids: list[int], before: dt.date) -> dict[int, escalation.History]:
    """``escalation.History`` of the incidents before ``before`` of each case of ``ids``, in one
    grouped query. Made even when no case needs one (``ids`` empty: an id no case has), so the page
    takes as many queries whatever its cases hold (issue 19's convention test)."""
    ids = ids or [0]
    in_person = Q(behaviour__in=sorted(IN_PERSON_BEHAVIOURS)) | Q(channel=Channel.IN_PERSON)
    found = (
        Incident.objects.filter(case__in=ids, occurred_on__lt=before)
        .order_by()
        .values("case_id")
        .annotate(
            n=Count("id"),
            top=Max("severity"),
            in_person=Count("id", filter=in_person),
            violent=Count("id", filter=Q(behaviour__in=sorted(VIOLENT_BEHAVIOURS))),
            threats=Count("id", filter=Q(behaviour=Behaviour.THREATS)),
        )
        .values_list("case_id", "n", "top", "in_person", "violent", "threats")
    )
    return {
        case_id: escalation.History(
            count=n, max_severity=top, in_person=bool(person), violent=bool(violent), threats=bool(threats)
        )
        for case_id, n, top, person, violent, threats in found
    }


# --- The case page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkOwed:
    """One line of the case page's "Work owed": a service accepted, or a hearing to come."""

    text: str
    due_on: dt.date | None
    source: str  # the reference of the referral it came from, or ""
    overdue: bool = False
    is_hearing: bool = False


def work_owed(services: list[CaseService], hearings: list[Hearing], *, today: dt.date, active: bool) -> list[WorkOwed]:
    """The services the case owes with their due dates, and the hearings still to come, soonest
    first (undated last). A service past its due date on an open or on-hold case is overdue.
    Reads only what ``services_of`` and ``hearings_of`` fetched: no query per row."""
    rows = [
        WorkOwed(
            text=s.get_service_display(),
            due_on=s.due_on,
            source=s.source_referral.reference if s.source_referral else "",
            overdue=active and s.due_on is not None and s.due_on < today,
        )
        for s in services
    ]
    rows += [
        WorkOwed(
            text=h.get_kind_display(),
            due_on=h.hearing_on,
            source=h.source_referral.reference if h.source_referral else "",
            is_hearing=True,
        )
        for h in hearings
        if h.hearing_on >= today
    ]
    return sorted(rows, key=lambda r: (r.due_on is None, r.due_on or today, r.is_hearing))


@dataclass
class CasePage:
    """What the case page shows, fetched in a fixed number of queries however long the timeline."""

    case: Case
    clinical: bool
    team: list[CaseTeamMember]
    referrals: list[CaseReferral]
    visible_referral_ids: set[int]
    hearings: list[Hearing]
    services: list[CaseService]
    mappa: MappaRegistration | None
    mappa_meetings: list[MappaMeeting]
    agencies: list[InvolvedAgency]
    history: list[CaseStatusChange]
    parties: list[CaseParty] = field(default_factory=list)
    victim_client_ids: set[int] = field(default_factory=set)
    episodes: dict[int, StalkingEpisode] = field(default_factory=dict)
    recent_incidents: list[Incident] = field(default_factory=list)
    incident_count: int = 0
    points: list[tuple] = field(default_factory=list)
    orders: list[LegalOrder] = field(default_factory=list)
    documents: list[ReferralDocument] = field(default_factory=list)
    risk_judgements: list = field(default_factory=list)
    recent_notes: list[CaseNote] = field(default_factory=list)
    note_count: int = 0

    @property
    def lead(self) -> CaseTeamMember | None:
        return next((m for m in self.team if m.role == TeamRole.LEAD_CLINICIAN), None)

    @property
    def subject_party(self) -> CaseParty | None:
        return next((p for p in self.parties if p.role == PartyRole.SUBJECT), None)

    @property
    def other_parties(self) -> list[CaseParty]:
        return [p for p in self.parties if p.role != PartyRole.SUBJECT]

    @property
    def victims(self) -> list[CaseParty]:
        wanted = PartyRole.SUBJECT if self.case.kind == CaseKind.VICTIM else PartyRole.VICTIM
        return [p for p in self.parties if p.role == wanted]

    def orders_in_force(self, on: dt.date | None = None) -> list[LegalOrder]:
        on = on or timezone.localdate()
        return [o for o in self.orders if o.in_force_on(on)]

    def work_owed(self, today: dt.date | None = None) -> list[WorkOwed]:
        return work_owed(
            self.services,
            self.hearings,
            today=today or timezone.localdate(),
            active=self.case.status in ACTIVE_STATUSES,
        )


RECENT_INCIDENTS = 10
RECENT_NOTES = 5


def case_page(user, case: Case) -> CasePage:
    clinical = user.has_perm("cases.view_clinical", case)
    referrals = referrals_of(case)
    page = CasePage(
        case=case,
        clinical=clinical,
        team=team_of(case),
        referrals=referrals,
        visible_referral_ids=visible_referral_ids(user, [r.referral_id for r in referrals]),
        hearings=hearings_of(case),
        services=services_of(case),
        mappa=mappa_of(case),
        mappa_meetings=mappa_meetings_of(case),
        agencies=agencies_of(case),
        history=history_of(case),
    )
    if not clinical:
        return page
    page.parties = parties_of(case)
    page.victim_client_ids = (
        barrier.victim_clients(p.person_id for p in page.parties if p.role != PartyRole.SUBJECT)
        if case.kind != CaseKind.VICTIM
        else set()
    )
    page.episodes = {e.victim_id: e for e in StalkingEpisode.objects.filter(case=case)}
    page.points = incident_points(case)
    page.incident_count = len(page.points)
    page.recent_incidents = list(incidents_of(case)[:RECENT_INCIDENTS])
    page.orders = orders_of(case)
    page.documents = documents_of(case)
    page.risk_judgements = risk_judgements_of(case)
    if user.has_perm("cases.view_notes", case):
        page.recent_notes = list(notes_of(case)[:RECENT_NOTES])
        page.note_count = case.notes.count()
    return page


def status_counts(user) -> dict[str, int]:
    """How many visible cases are in each status (for the list's filter labels)."""
    rows = cases_visible_to(user).order_by().values("status").annotate(n=Count("pk"))
    counts = {s.value: 0 for s in CaseStatus}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def officer_of(case: Case, pk) -> AgencyOfficer | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return AgencyOfficer.objects.filter(agency__case=case, pk=pk).select_related("agency").first()
