"""The commissioner's view of the service (issue 17), for an agency referrer in the portal: their own
organisation's referrals by month, the waits (received → screening decision, → first assessment,
→ first report issued: median and 90th percentile), the reports issued to the organisation on time
against their due dates, and the spend.

It lives here, above the portal in the layers (pyproject ``[tool.importlinter]``), because it reuses
the dashboard's figures (``casework.insights.figures``) and reads billing; its page has a portal
address (``/portal/your-service/``, ``casework.insights.portal_urls``).

The records counted are only what the portal already lets the user see: the organisation's
submitted referrals (``portal.queries.portal_referrals``, which leaves out any referral across an
information barrier from the user's side), the cases holding them, the reports issued to the
organisation (``reports.register_queries.issued_to_organisation``, barrier applied) and the quotes
sent to it (``billing.queries.quotes_visible_to``, barrier applied). Counts only: no name, no
identifier, no free text.

Spend is a list of sources (``SPEND_SOURCES``), each a column of money by month: today the quotes
the organisation accepted; invoiced and paid amounts join as more sources when invoices exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from casework.billing import queries as billing_queries
from casework.billing.choices import QuoteStatus
from casework.cases.models import Case, CaseReferral
from casework.insights import figures
from casework.insights.figures import Bar, Cell, Figure, Measure, Period
from casework.portal.queries import portal_referrals
from casework.referrals.choices import Status as ReferralStatus
from casework.referrals.models import Referral
from casework.reports.register_queries import issued_to_organisation


class AgencyScope(figures.Scope):
    """The agency user's organisation's submitted referrals and the cases that hold them, in the
    shape the dashboard's figures take."""

    def __init__(self, user) -> None:  # noqa: D107 - not the parent's: no policy.related for agencies
        self.user = user
        self.referrals: QuerySet[Referral] = portal_referrals(user).exclude(status=ReferralStatus.DRAFT)
        self.cases: QuerySet[Case] = Case.objects.filter(
            pk__in=CaseReferral.objects.filter(referral__in=self.referrals).values("case_id")
        )
        self.case_ids = self.cases.values("pk")


def referrals_by_month(scope: AgencyScope, period: Period) -> Figure:
    counts = {month: n for (month, _), n in figures.monthly_counts(scope.received(period), "received_at").items()}
    rows: list[list[Cell]] = []
    bars = []
    for month in period.months():
        n = counts.get(month, 0)
        rows.append([month.strftime("%B %Y"), n])
        bars.append(Bar(figures._short(month), n, str(n)))
    total = sum(counts.values())
    rows.append(["Total", total])
    return Figure(
        slug="your-referrals",
        title="Your referrals",
        about="The referrals your organisation sent that the clinic received in each month.",
        columns=["Month", "Referrals received"],
        rows=rows,
        bars=bars,
        chart_title="Referrals received each month",
        headline=f"{figures._count(total, 'referral')} received",
    )


COMMISSIONER_MEASURES = [
    Measure("Received to screening decision", figures._received_to_decision),
    Measure("Received to first assessment appointment attended", figures._received_to_first_assessment),
    Measure("Received to first report issued", figures._received_to_first_report),
]


def waiting_times(scope: AgencyScope, period: Period) -> Figure:
    shown = figures.waiting_times(scope, period, COMMISSIONER_MEASURES)
    shown.about = (
        "For your referrals received in the period: days from receipt to each step, counting only referrals "
        "that have reached it. Median: half waited less. 90th percentile: 9 in 10 waited less."
    )
    return shown


def reports_on_time(scope: AgencyScope, period: Period) -> Figure:
    issued = issued_to_organisation(scope.user).prefetch_related(None).select_related(None)
    shown = figures.reports_on_time_of(issued, period)
    shown.title = "Reports delivered on time"
    shown.about = (
        "Reports first issued to your organisation in the period (corrections not counted), against the date "
        "each was due. On time: issued on or before the due date."
    )
    return shown


# --- Spend -------------------------------------------------------------------------------------------


@dataclass
class SpendSource:
    """One column of spend: ``by_month(user, period)`` answers {first day of month: (count, amount)}."""

    label: str
    count_label: str
    by_month: Callable[[object, Period], dict[dt.date, tuple[int, Decimal]]]


def _accepted_quotes(user, period: Period) -> dict[dt.date, tuple[int, Decimal]]:
    rows = (
        billing_queries.quotes_visible_to(user)
        .filter(status=QuoteStatus.ACCEPTED, decided_at__gte=period.start_at, decided_at__lt=period.end_at)
        .annotate(month=TruncMonth("decided_at"))
        .values("month")
        .annotate(n=Count("pk"), amount=Sum("total"))
        .order_by()
    )
    result: dict[dt.date, tuple[int, Decimal]] = {}
    for row in rows:
        month = figures._month_of(row["month"])
        count, amount = result.get(month, (0, Decimal("0.00")))
        result[month] = (count + row["n"], amount + (row["amount"] or Decimal("0.00")))
    return result


# Invoices (issue 16, a later slice) add their sources here: invoiced, and paid.
SPEND_SOURCES: list[SpendSource] = [
    SpendSource("Value of quotes accepted", "Quotes accepted", _accepted_quotes),
]


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def spend(scope: AgencyScope, period: Period) -> Figure:
    months = period.months()
    by_source = [(source, source.by_month(scope.user, period)) for source in SPEND_SOURCES]
    rows: list[list[Cell]] = []
    bars = []
    totals = [(0, Decimal("0.00")) for _ in by_source]
    for month in months:
        row: list[Cell] = [month.strftime("%B %Y")]
        for index, (_, values) in enumerate(by_source):
            count, amount = values.get(month, (0, Decimal("0.00")))
            row += [count, _pounds(amount)]
            totals[index] = (totals[index][0] + count, totals[index][1] + amount)
        rows.append(row)
        first = by_source[0][1].get(month, (0, Decimal("0.00")))[1]
        bars.append(Bar(figures._short(month), float(first), _pounds(first)))
    total_row: list[Cell] = ["Total"]
    for count, amount in totals:
        total_row += [count, _pounds(amount)]
    rows.append(total_row)
    headers: list[str] = ["Month"]
    for source, _ in by_source:
        headers += [source.count_label, source.label]
    return Figure(
        slug="spend",
        title="Spend",
        about=(
            "The quotes your organisation accepted in each month and their value, including VAT where it "
            "applies. Invoiced and paid amounts will appear here once the clinic invoices through this service."
        ),
        columns=headers,
        rows=rows,
        bars=bars,
        chart_title=f"{SPEND_SOURCES[0].label} each month",
        headline=f"{_pounds(totals[0][1])} accepted in the period",
    )


FIGURES: list[Callable[[AgencyScope, Period], Figure]] = [referrals_by_month, waiting_times, reports_on_time, spend]


def commissioner_figures(user, period: Period) -> list[Figure]:
    scope = AgencyScope(user)
    return [build(scope, period) for build in FIGURES]
