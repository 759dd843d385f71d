"""Demo report requests, made through the reports services as the lead clinician would: most open
cases whose referral asked for a report get their requests from the referral (type, due date,
instructing party and officer, letter of instruction carried, nothing retyped). So that "My work"
has something to show, about one in five is late, one in five falls due within the fortnight
("Due soon"), some are being written and one or two were withdrawn."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.cases.choices import ACTIVE_STATUSES, TeamRole
from casework.cases.models import Case, CaseService, CaseTeamMember
from casework.referrals.choices import REPORT_SERVICES
from casework.reports import services
from casework.reports.choices import RequestStatus
from casework.reports.models import ReportRequest


def seed(context) -> None:
    if ReportRequest.objects.exists():
        context.say(f"Report requests: already there ({ReportRequest.objects.count()})")
        return
    rng = context.rng
    today = timezone.localdate()
    owed = CaseService.objects.filter(service__in=[s.value for s in REPORT_SERVICES]).values("case_id")
    cases = Case.objects.filter(pk__in=owed, status__in=ACTIVE_STATUSES).order_by("id")
    stats = dict.fromkeys(["cases", "requests", "late", "soon", "in_progress", "withdrawn"], 0)
    for case in cases:
        member = CaseTeamMember.objects.filter(case=case, role=TeamRole.LEAD_CLINICIAN).select_related("user").first()
        if member is None or rng.random() < 0.15:
            continue  # not yet turned into requests
        made = services.requests_from_case(case=case, by=member.user)
        stats["cases"] += bool(made)
        for report in made:
            stats["requests"] += 1
            # The first is late and the second due within a fortnight, whatever the day and the draw
            # (with a dozen or so requests a draw alone left none late on some days); then by chance.
            roll = {1: 0.1, 2: 0.3}.get(stats["requests"], rng.random())
            due_on: dt.date | None
            if roll < 0.2:
                due_on, status = today - dt.timedelta(days=rng.randint(1, 30)), RequestStatus.IN_PROGRESS
                stats["late"] += 1
            elif roll < 0.4:
                due_on, status = today + dt.timedelta(days=rng.randint(1, 13)), RequestStatus.IN_PROGRESS
                stats["soon"] += 1
            elif roll < 0.45:
                due_on, status = report.due_on, RequestStatus.WITHDRAWN
                stats["withdrawn"] += 1
            else:
                due_on = report.due_on or today + dt.timedelta(days=rng.randint(20, 90))
                status = RequestStatus.IN_PROGRESS if rng.random() < 0.4 else RequestStatus.REQUESTED
            stats["in_progress"] += status == RequestStatus.IN_PROGRESS
            services.request_update(report=report, due_on=due_on, status=status, by=member.user)
    context.say(
        f"Report requests: {stats['requests']} on {stats['cases']} cases ({stats['late']} late, {stats['soon']} due "
        f"within a fortnight, {stats['in_progress']} in progress, {stats['withdrawn']} withdrawn)"
    )
