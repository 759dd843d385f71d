"""The service dashboards' figures, each computed by aggregate queries over the records the user
is related to (``casework.access.policy.related``: for a clinical lead, the whole caseload less
whatever sits across an information barrier from them; break-glass grants add nothing here).

Every figure runs a fixed number of queries, whatever the amount of data: counts are grouped in the
database (``values(...).annotate(Count(...))``), never by looping over rows in Python. The waiting
times are the one place Python sees row values, and then only one column of numbers per measure
(see ``waiting_times``).

No figure carries a client's or a victim's name, an identifier or free text: counts by agency kind,
service, decision, report type, status and typology only. The caseload names staff (lead clinicians),
which clinical leads need to balance work.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from casework.access import policy
from casework.cases.choices import CaseKind, CaseStatus, Relationship, StalkerType, TeamRole
from casework.cases.models import Case, CaseReferral, CaseTeamMember, StalkingEpisode
from casework.organisations.models import OrganisationKind
from casework.referrals.choices import Decision, Service
from casework.referrals.choices import Status as ReferralStatus
from casework.referrals.models import Referral, RequestedService
from casework.reports.choices import ReportType
from casework.reports.models import IssuedReport
from casework.treatment.choices import (
    DISCHARGE_STATUSES,
    AppointmentKind,
    Attendance,
    EnrolmentStatus,
    FollowUpPoint,
)
from casework.treatment.models import Appointment, Enrolment, FollowUp

Cell = str | int | float | None

log = logging.getLogger("casework.insights")

# --- Published figures ------------------------------------------------------------------------------

# Mullen P.E., Pathé M., Purcell R., Stuart G.W. (1999) "Study of stalkers", American Journal of
# Psychiatry 156(8):1244–1249, doi 10.1176/ajp.156.8.1244 (n=145 stalkers): the prior relationship of
# the victims, in per cent (as copied into docs/domain.md, "Reference figures"). The study reports no
# figure for the other relationships this system records.
PUBLISHED_RELATIONSHIP_SOURCE = "Mullen et al. 1999, n=145 (doi 10.1176/ajp.156.8.1244)"
PUBLISHED_RELATIONSHIP_PERCENT: dict[str, float] = {
    Relationship.EX_INTIMATE_PARTNER: 30.0,
    Relationship.PROFESSIONAL_CONTACT: 23.0,
    Relationship.WORKPLACE_CONTACT: 11.0,
    Relationship.STRANGER: 14.0,
}


# --- The period ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole months: from the first day of ``first`` to the last day of ``last`` (both first days of
    their months), in the clinic's time zone."""

    first: dt.date
    last: dt.date

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return (self.last + dt.timedelta(days=32)).replace(day=1)

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first, dt.time.min))

    @property
    def end_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.end, dt.time.min))

    def months(self) -> list[dt.date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return months

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.strftime("%B %Y")
        return f"{self.first:%B %Y} to {self.last:%B %Y}"

    def slug(self) -> str:
        return f"{self.first:%Y-%m}-to-{self.last:%Y-%m}"


# --- What a figure is -------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: float
    text: str
    # A second value drawn beside the first (a published figure), or None.
    compare: float | None = None
    compare_text: str = ""


@dataclass
class Figure:
    slug: str
    title: str
    about: str
    columns: list[str]
    rows: list[list[Cell]]
    bars: list[Bar] = field(default_factory=list)
    chart_title: str = ""
    compare_label: str = ""
    headline: str = ""
    note: str = ""

    @property
    def chart_max(self) -> float:
        values = [b.value for b in self.bars] + [b.compare for b in self.bars if b.compare is not None]
        return max(values, default=0) or 1

    @property
    def chart_description(self) -> str:
        if not self.bars:
            return "No data in this period."
        parts = []
        for bar in self.bars:
            text = f"{bar.label}: {bar.text}"
            if bar.compare is not None:
                text += f" ({self.compare_label}: {bar.compare_text})"
            parts.append(text)
        return "; ".join(parts) + "."


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def _month_of(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date().replace(day=1) if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _short(month: dt.date) -> str:
    return month.strftime("%b %Y")


def monthly_counts(records: QuerySet, when: str, by: str | None = None) -> dict[tuple[dt.date, Any], int]:
    """{(first day of the month, value of ``by``): number of ``records``}, by the month of ``when`` in
    the clinic's time zone: one grouped query whatever the number of months. Without ``by`` the
    second part of each key is None. Rows the database puts in the same local month are added up."""
    fields = ("month", by) if by else ("month",)
    rows = records.annotate(month=TruncMonth(when)).values(*fields).annotate(n=Count("pk")).order_by()
    table: dict[tuple[dt.date, Any], int] = {}
    for row in rows:
        key = (_month_of(row["month"]), row[by] if by else None)
        table[key] = table.get(key, 0) + row["n"]
    return table


# --- The records a user's figures count -------------------------------------------------------------


class Scope:
    """The user's related referrals and cases, as lazy querysets made once (working out which
    referrals sit behind a barrier is one query, asked here once for every figure)."""

    def __init__(self, user) -> None:
        self.referrals: QuerySet[Referral] = policy.related(user, Referral).exclude(status=ReferralStatus.DRAFT)
        self.cases: QuerySet[Case] = policy.related(user, Case)
        self.case_ids = self.cases.values("pk")

    def received(self, period: Period) -> QuerySet[Referral]:
        return self.referrals.filter(received_at__gte=period.start_at, received_at__lt=period.end_at)


# --- Referrals --------------------------------------------------------------------------------------


def referrals_by_agency(scope: Scope, period: Period) -> Figure:
    table = monthly_counts(scope.received(period), "received_at", "referring_organisation__kind")
    kinds = list(OrganisationKind)
    rows: list[list[Cell]] = []
    bars = []
    for month in period.months():
        values = [table.get((month, kind.value), 0) for kind in kinds]
        rows.append([month.strftime("%B %Y"), *values, sum(values)])
        bars.append(Bar(_short(month), sum(values), str(sum(values))))
    totals = [sum(table.get((m, kind.value), 0) for m in period.months()) for kind in kinds]
    rows.append(["Total", *totals, sum(totals)])
    return Figure(
        slug="referrals-by-agency",
        title="Referrals received, by kind of referring agency",
        about="Referrals received in each month (drafts never sent are not counted), by the kind of agency that sent them.",
        columns=["Month", *[str(kind.label) for kind in kinds], "Total"],
        rows=rows,
        bars=bars,
        chart_title="Referrals received each month",
        headline=f"{_count(sum(totals), 'referral')} received",
    )


def referrals_by_service(scope: Scope, period: Period) -> Figure:
    table = monthly_counts(
        RequestedService.objects.filter(referral__in=scope.received(period)), "referral__received_at", "service"
    )
    months = period.months()
    rows: list[list[Cell]] = []
    bars = []
    for service in Service:
        values = [table.get((m, service.value), 0) for m in months]
        rows.append([str(service.label), *values, sum(values)])
        bars.append(Bar(str(service.label), sum(values), str(sum(values))))
    return Figure(
        slug="referrals-by-service",
        title="Services asked for, by month",
        about="The services the referrals received in each month asked for (a referral may ask for more than one).",
        columns=["Service", *[_short(m) for m in months], "Total"],
        rows=rows,
        bars=bars,
        chart_title="Services asked for in the period",
    )


# --- Screening decisions ----------------------------------------------------------------------------

DECIDED = (Decision.ACCEPT, Decision.DECLINE)


def decisions(scope: Scope, period: Period) -> Figure:
    counts = {
        row["decision"]: row["n"]
        for row in scope.referrals.filter(decided_at__gte=period.start_at, decided_at__lt=period.end_at)
        .exclude(decision="")
        .values("decision")
        .annotate(n=Count("pk"))
        .order_by()
    }
    accepted, declined = counts.get(Decision.ACCEPT, 0), counts.get(Decision.DECLINE, 0)
    whole = sum(counts.values())
    rows: list[list[Cell]] = []
    bars = []
    for decision in Decision:
        n = counts.get(decision.value, 0)
        rows.append([str(decision.label), n, _percent(n, whole)])
        bars.append(Bar(str(decision.label), n, str(n)))
    rate = _percent(accepted, accepted + declined)
    return Figure(
        slug="decisions",
        title="Screening decisions and acceptance rate",
        about=(
            "Referrals by the latest screening decision made in the period. The acceptance rate is the "
            "referrals accepted out of those accepted or declined."
        ),
        columns=["Decision", "Referrals", "Per cent of decisions"],
        rows=rows,
        bars=bars,
        chart_title="Screening decisions in the period",
        headline=f"Acceptance rate {_percent_text(rate)} ({accepted} of {accepted + declined})",
    )


def declines(scope: Scope, period: Period) -> Figure:
    declined = scope.referrals.filter(
        decision=Decision.DECLINE, decided_at__gte=period.start_at, decided_at__lt=period.end_at
    )
    by_service = {
        row["service"]: row["n"]
        for row in RequestedService.objects.filter(referral__in=declined)
        .values("service")
        .annotate(n=Count("referral", distinct=True))
        .order_by()
    }
    by_reason = declined.aggregate(
        total=Count("pk"),
        not_significant=Count("pk", filter=Q(stalking_significant=False)),
        no_legal_action=Count("pk", filter=Q(legal_status="none")),
    )
    rows: list[list[Cell]] = [[str(s.label), by_service.get(s.value, 0)] for s in Service]
    bars = [Bar(str(s.label), by_service.get(s.value, 0), str(by_service.get(s.value, 0))) for s in Service]
    return Figure(
        slug="declines",
        title="Declined referrals: what they asked for",
        about=(
            "Referrals declined in the period, by the services they asked for. The reason for each decline "
            "is written as free text for the letter to the referrer, so it is not counted here; the note "
            "below gives the counts the referral's own answers allow."
        ),
        columns=["Service asked for", "Declined referrals"],
        rows=rows,
        bars=bars,
        chart_title="Declined referrals by service asked for",
        headline=f"{_count(by_reason['total'], 'referral')} declined",
        note=(
            f"Of the {by_reason['total']} declined, the referrer said stalking was not a significant part "
            f"of the case in {by_reason['not_significant']}, and {by_reason['no_legal_action']} had no "
            "police or court action."
        ),
    )


# --- Waiting times ----------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    """The ``fraction`` percentile by linear interpolation between the closest ranks (as
    PostgreSQL's ``percentile_cont`` and ``statistics.quantiles(method="inclusive")``)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _local_date(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _days(pairs: Iterable[tuple[Any, Any]]) -> list[float]:
    """Whole days between each pair of dates or times (as dates in the clinic's time zone)."""
    return [
        float((_local_date(end) - _local_date(start)).days)
        for start, end in pairs
        if start is not None and end is not None
    ]


@dataclass
class Measure:
    label: str
    durations: Callable[[Scope, Period], list[float]]


def _received_to_decision(scope: Scope, period: Period) -> list[float]:
    rows = scope.received(period).filter(decision__in=DECIDED).values_list("received_at", "decided_at")
    return _days(rows)


def _decision_to_allocation(scope: Scope, period: Period) -> list[float]:
    rows = (
        scope.received(period)
        .filter(decision=Decision.ACCEPT, allocated_at__isnull=False)
        .values_list("decided_at", "allocated_at")
    )
    return _days(rows)


def _opening_links(scope: Scope, period: Period) -> QuerySet[CaseReferral]:
    return CaseReferral.objects.filter(opened_case=True, referral__in=scope.received(period), case__in=scope.case_ids)


def _received_to_case_opened(scope: Scope, period: Period) -> list[float]:
    return _days(_opening_links(scope, period).values_list("referral__received_at", "case__opened_on"))


def _received_to_first_assessment(scope: Scope, period: Period) -> list[float]:
    rows = (
        _opening_links(scope, period)
        .annotate(
            first=Min(
                "case__appointments__starts_at",
                filter=Q(
                    case__appointments__kind=AppointmentKind.ASSESSMENT,
                    case__appointments__attendance__in=(Attendance.ATTENDED, Attendance.LATE),
                ),
            )
        )
        .filter(first__isnull=False)
        .values_list("referral__received_at", "first")
    )
    return _days(rows)


def _received_to_first_report(scope: Scope, period: Period) -> list[float]:
    rows = (
        _opening_links(scope, period)
        .annotate(first=Min("case__report_requests__report__issues__issued_at"))
        .filter(first__isnull=False)
        .values_list("referral__received_at", "first")
    )
    return _days(rows)


MEASURES = [
    Measure("Received to screening decision", _received_to_decision),
    Measure("Acceptance to allocation", _decision_to_allocation),
    Measure("Received to case opened", _received_to_case_opened),
    Measure("Received to first assessment appointment attended", _received_to_first_assessment),
    Measure("Received to first report issued", _received_to_first_report),
]


def _days_text(value: float | None) -> str:
    return "—" if value is None else f"{value:g} days"


def waiting_times(scope: Scope, period: Period, measures: list[Measure] | None = None) -> Figure:
    """Median and 90th percentile of each wait, in whole days, for the referrals received in the period.

    Percentiles are computed in Python, the same on SQLite and PostgreSQL (SQLite has no
    ``percentile_cont``): each measure fetches its pairs of dates as one ``values_list`` query —
    one query whatever the number of referrals — and the days between them are sorted here. At
    national scale (10,000 referrals a year) that is a list of 10,000 pairs of dates per measure.
    """
    rows: list[list[Cell]] = []
    bars = []
    for measure in MEASURES if measures is None else measures:
        days = measure.durations(scope, period)
        median = round(statistics.median(days), 1) if days else None
        p90 = round(ninety, 1) if (ninety := percentile(days, 0.9)) is not None else None
        rows.append([measure.label, len(days), median, p90])
        bars.append(Bar(measure.label, median or 0, _days_text(median), p90, _days_text(p90)))
    return Figure(
        slug="waiting-times",
        title="Waiting times",
        about=(
            "For the referrals received in the period: days from receipt (or acceptance) to each step, "
            "counting only referrals that have reached it. Median: half waited less. 90th percentile: "
            "9 in 10 waited less."
        ),
        columns=["Wait", "Referrals", "Median (days)", "90th percentile (days)"],
        rows=rows,
        bars=bars,
        chart_title="Median and 90th percentile waits, in days",
        compare_label="90th percentile",
    )


# --- Reports ----------------------------------------------------------------------------------------


def reports_on_time(scope: Scope, period: Period) -> Figure:
    return reports_on_time_of(IssuedReport.objects.filter(report__request__case__in=scope.case_ids), period)


def reports_on_time_of(issued_reports: QuerySet[IssuedReport], period: Period) -> Figure:
    """Of ``issued_reports`` (already scoped), those first issued in the period against their due dates."""
    first_issues = (
        issued_reports.filter(number=1, issued_at__gte=period.start_at, issued_at__lt=period.end_at)
        .order_by()
        .annotate(issued_on=TruncDate("issued_at"))
    )
    counts = {
        row["report__request__report_type"]: row
        for row in first_issues.values("report__request__report_type")
        .annotate(
            issued=Count("pk"),
            with_due=Count("pk", filter=Q(report__request__due_on__isnull=False)),
            on_time=Count("pk", filter=Q(issued_on__lte=F("report__request__due_on"))),
        )
        .order_by()
    }
    rows: list[list[Cell]] = []
    bars = []
    totals = [0, 0, 0]
    for report_type in ReportType:
        row = counts.get(report_type.value, {"issued": 0, "with_due": 0, "on_time": 0})
        issued, with_due, on_time = row["issued"], row["with_due"], row["on_time"]
        totals = [totals[0] + issued, totals[1] + with_due, totals[2] + on_time]
        share = _percent(on_time, with_due)
        rows.append([str(report_type.label), issued, with_due, on_time, with_due - on_time, share])
        if issued:
            bars.append(Bar(str(report_type.label), share or 0, _percent_text(share)))
    share = _percent(totals[2], totals[1])
    rows.append(["Total", totals[0], totals[1], totals[2], totals[1] - totals[2], share])
    return Figure(
        slug="reports-on-time",
        title="Reports issued on time",
        about=(
            "Reports first issued in the period (corrections not counted), against the date each was "
            "due. On time: issued on or before the due date."
        ),
        columns=["Type of report", "Issued", "With a due date", "On time", "Late", "Per cent on time"],
        rows=rows,
        bars=bars,
        chart_title="Per cent of reports issued on time, by type",
        headline=f"{_percent_text(share)} on time ({totals[2]} of {totals[1]} with a due date)",
    )


# --- Caseload ---------------------------------------------------------------------------------------


def caseload(scope: Scope, period: Period) -> Figure:
    counts = (
        CaseTeamMember.objects.filter(
            role=TeamRole.LEAD_CLINICIAN,
            case__in=scope.case_ids,
            case__status__in=(CaseStatus.OPEN, CaseStatus.ON_HOLD),
        )
        .values("user_id", "user__full_name")
        .annotate(
            open=Count("case", filter=Q(case__status=CaseStatus.OPEN), distinct=True),
            on_hold=Count("case", filter=Q(case__status=CaseStatus.ON_HOLD), distinct=True),
        )
        .order_by("user__full_name", "user_id")
    )
    rows: list[list[Cell]] = []
    bars = []
    for row in counts:
        total = row["open"] + row["on_hold"]
        rows.append([row["user__full_name"], row["open"], row["on_hold"], total])
        bars.append(Bar(row["user__full_name"], total, str(total)))
    return Figure(
        slug="caseload",
        title="Open caseload per lead clinician",
        about="Open and on-hold cases each clinician leads, today (the period does not change this figure).",
        columns=["Lead clinician", "Open", "On hold", "Total"],
        rows=rows,
        bars=bars,
        chart_title="Cases led, open or on hold",
    )


# --- Treatment --------------------------------------------------------------------------------------


def treatment_outcomes(scope: Scope, period: Period) -> Figure:
    counts = {
        row["status"]: row["n"]
        for row in Enrolment.objects.filter(
            case__in=scope.case_ids,
            status__in=DISCHARGE_STATUSES,
            discharged_on__gte=period.first,
            discharged_on__lt=period.end,
        )
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    whole = sum(counts.values())
    rows: list[list[Cell]] = []
    bars = []
    for status in DISCHARGE_STATUSES:
        n = counts.get(status.value, 0)
        rows.append([str(status.label), n, _percent(n, whole)])
        bars.append(Bar(str(status.label), n, str(n)))
    completed = counts.get(EnrolmentStatus.COMPLETED, 0)
    return Figure(
        slug="treatment-outcomes",
        title="Treatment completion",
        about="Enrolments in treatment that ended in the period, by how they ended.",
        columns=["How treatment ended", "Enrolments", "Per cent"],
        rows=rows,
        bars=bars,
        chart_title="How treatment ended",
        headline=f"Completion rate {_percent_text(_percent(completed, whole))} ({completed} of {whole})",
    )


ATTENDANCE_SHOWN = (
    Attendance.ATTENDED,
    Attendance.LATE,
    Attendance.DID_NOT_ATTEND,
    Attendance.CANCELLED_BY_CLIENT,
    Attendance.CANCELLED_BY_CLINIC,
)


def attendance(scope: Scope, period: Period) -> Figure:
    now = timezone.now()
    counts = {
        row["attendance"]: row["n"]
        for row in Appointment.objects.filter(
            case__in=scope.case_ids,
            kind=AppointmentKind.TREATMENT,
            starts_at__gte=period.start_at,
            starts_at__lt=min(period.end_at, now),
        )
        .values("attendance")
        .annotate(n=Count("pk"))
        .order_by()
    }
    whole = sum(counts.get(a.value, 0) for a in ATTENDANCE_SHOWN)
    rows: list[list[Cell]] = []
    bars = []
    for state in ATTENDANCE_SHOWN:
        n = counts.get(state.value, 0)
        rows.append([str(state.label), n, _percent(n, whole)])
        bars.append(Bar(str(state.label), n, str(n)))
    seen = counts.get(Attendance.ATTENDED, 0) + counts.get(Attendance.LATE, 0)
    missed = counts.get(Attendance.DID_NOT_ATTEND, 0)
    rate = _percent(missed, seen + missed)
    return Figure(
        slug="attendance",
        title="Treatment sessions: attendance",
        about=(
            "Treatment sessions booked to start in the period (up to now), by what happened. The "
            "non-attendance rate is the sessions not attended out of those attended or not attended "
            "(cancellations left out)."
        ),
        columns=["What happened", "Sessions", "Per cent"],
        rows=rows,
        bars=bars,
        chart_title="Treatment sessions by attendance",
        headline=f"Non-attendance rate {_percent_text(rate)} ({missed} of {seen + missed})",
    )


def follow_up(scope: Scope, period: Period) -> Figure:
    counts = {
        row["point"]: row
        for row in FollowUp.objects.filter(
            enrolment__case__in=scope.case_ids, done_on__gte=period.first, done_on__lt=period.end
        )
        .values("point")
        .annotate(
            done=Count("pk"),
            re_referred=Count("pk", filter=Q(re_referred=True)),
            further_stalking=Count("pk", filter=Q(further_stalking=True)),
            reconvicted=Count("pk", filter=Q(reconvicted=True)),
        )
        .order_by()
    }
    rows: list[list[Cell]] = []
    bars = []
    for point in FollowUpPoint:
        row = counts.get(point.value, {"done": 0, "re_referred": 0, "further_stalking": 0, "reconvicted": 0})
        done = row["done"]
        further = _percent(row["further_stalking"], done)
        rows.append(
            [
                f"At {point.label}",
                done,
                row["re_referred"],
                _percent(row["re_referred"], done),
                row["further_stalking"],
                further,
                row["reconvicted"],
                _percent(row["reconvicted"], done),
            ]
        )
        bars.append(Bar(f"Further stalking at {point.label}", further or 0, _percent_text(further)))
    return Figure(
        slug="follow-up",
        title="Re-referral and reoffending at follow-up",
        about=(
            "Follow-ups after treatment recorded in the period, at 6, 12 and 24 months: how many found the "
            "person re-referred to the clinic, reported stalking again, or reconvicted."
        ),
        columns=[
            "Follow-up",
            "Recorded",
            "Re-referred",
            "Per cent re-referred",
            "Further stalking",
            "Per cent further stalking",
            "Reconvicted",
            "Per cent reconvicted",
        ],
        rows=rows,
        bars=bars,
        chart_title="Per cent with further stalking reported, by follow-up",
        note=(
            "For comparison (docs/domain.md): Rosenfeld, n=148 — 49% reoffended, 80% of reoffences in the first "
            "year; Melbourne Problem Behaviour Program, 824 clients — 66% of those assessed had no later charges."
        ),
    )


# --- Typology and relationship ----------------------------------------------------------------------


def _opened_in(scope: Scope, period: Period) -> QuerySet[Case]:
    return scope.cases.filter(kind=CaseKind.PERPETRATOR, opened_on__gte=period.first, opened_on__lt=period.end)


def stalker_types(scope: Scope, period: Period) -> Figure:
    counts = {
        row["stalker_type"]: row["n"]
        for row in _opened_in(scope, period).values("stalker_type").annotate(n=Count("pk")).order_by()
    }
    typed = sum(n for key, n in counts.items() if key)
    rows: list[list[Cell]] = []
    bars = []
    for kind in StalkerType:
        n = counts.get(kind.value, 0)
        rows.append([str(kind.label), n, _percent(n, typed)])
        bars.append(Bar(str(kind.label), n, str(n)))
    rows.append(["Not yet recorded", counts.get("", 0), None])
    return Figure(
        slug="stalker-types",
        title="Stalker type (Mullen, Pathé and Purcell)",
        about=(
            "Perpetrator cases opened in the period, by the stalker type their assessment recorded. "
            "Per cent of the cases with a type recorded."
        ),
        columns=["Stalker type", "Cases", "Per cent of typed cases"],
        rows=rows,
        bars=bars,
        chart_title="Perpetrator cases by stalker type",
        note="docs/domain.md holds no published distribution of the types to set beside these.",
    )


def relationships(scope: Scope, period: Period) -> Figure:
    counts = {
        row["prior_relationship"]: row["n"]
        for row in StalkingEpisode.objects.filter(case__in=_opened_in(scope, period))
        .values("prior_relationship")
        .annotate(n=Count("pk"))
        .order_by()
    }
    whole = sum(counts.values())
    rows: list[list[Cell]] = []
    bars = []
    for relationship in Relationship:
        n = counts.get(relationship.value, 0)
        share = _percent(n, whole)
        published = PUBLISHED_RELATIONSHIP_PERCENT.get(relationship)
        rows.append([str(relationship.label), n, share, published])
        bars.append(
            Bar(
                str(relationship.label),
                share or 0,
                _percent_text(share),
                published,
                _percent_text(published) if published is not None else "",
            )
        )
    return Figure(
        slug="relationships",
        title="Prior relationship to the person stalked, beside published figures",
        about=(
            "The victims recorded on perpetrator cases opened in the period (one per stalking episode), "
            f"by their prior relationship to the person who stalks, beside {PUBLISHED_RELATIONSHIP_SOURCE}."
        ),
        columns=["Prior relationship", "Victims", "Per cent", "Published per cent"],
        rows=rows,
        bars=bars,
        chart_title="Prior relationship, per cent of victims",
        compare_label="Published",
        note=f"Published figures: {PUBLISHED_RELATIONSHIP_SOURCE}; the study gives none for the blank rows.",
    )


# --- All of them ------------------------------------------------------------------------------------

FIGURES: dict[str, Callable[[Scope, Period], Figure]] = {
    "referrals-by-agency": referrals_by_agency,
    "referrals-by-service": referrals_by_service,
    "decisions": decisions,
    "declines": declines,
    "waiting-times": waiting_times,
    "reports-on-time": reports_on_time,
    "caseload": caseload,
    "treatment-outcomes": treatment_outcomes,
    "attendance": attendance,
    "follow-up": follow_up,
    "stalker-types": stalker_types,
    "relationships": relationships,
}


def figure(user, slug: str, period: Period) -> Figure:
    return FIGURES[slug](Scope(user), period)


def all_figures(user, period: Period) -> list[Figure]:
    scope = Scope(user)
    return [build(scope, period) for build in FIGURES.values()]


# Raised when what is kept changes shape, so a deployment never reads the previous release's entries.
CACHE_VERSION = 1


def cache_key(user, period: Period) -> str:
    """The period, and a digest of everything that decides which records the user's figures count
    (``policy.related_fingerprint``: role, the cases across a barrier from the user's side and the
    referrals behind it). Two leads on opposite sides of a barrier get different keys; two leads
    who count exactly the same records share one. No personal data: ids are hashed."""
    return f"insights:figures:v{CACHE_VERSION}:{period.slug()}:{policy.related_fingerprint(user)}"


def cached_figures(user, period: Period) -> tuple[list[Figure], dt.datetime]:
    """``all_figures`` and when they were computed, kept in the cache for
    ``CASEWORK_INSIGHTS_CACHE_SECONDS`` under ``cache_key``. A cache that cannot be reached is
    logged (without personal data) and the figures are computed as if nothing were kept."""
    seconds = settings.CASEWORK_INSIGHTS_CACHE_SECONDS
    if seconds <= 0:
        return all_figures(user, period), timezone.now()
    key = cache_key(user, period)
    try:
        kept = cache.get(key)
    except Exception:  # noqa: BLE001 — a dashboard must not fail because the cache is down
        log.warning("Dashboard figures cache unavailable; computing the figures")
        kept = None
    if kept is not None:
        return kept
    computed = (all_figures(user, period), timezone.now())
    try:
        cache.set(key, computed, seconds)
    except Exception:  # noqa: BLE001
        log.warning("Dashboard figures cache unavailable; figures not kept")
    return computed
