"""The demo report requests and reports: requests made from the referrals' accepted report services
through the services, on most cases that asked for a report, with some late and some due soon;
reports drafted, waiting for sign-off, issued as signed files, and one corrected."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone
from faker import Faker

from casework.cases.models import CaseService
from casework.core.testing import kept_for_the_module
from casework.demo import report_writing
from casework.demo import reports as demo
from casework.demo.context import DemoContext
from casework.referrals.choices import REPORT_SERVICES
from casework.reports import rendering
from casework.reports.choices import OPEN_STATUSES
from casework.reports.models import DisclosureEntry, IssuedReport, Report, ReportRequest


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from casework.demo import accounts, cases, organisations, people, referrals

    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            faker = Faker("en_GB")
            faker.seed_instance(13)
            context = DemoContext(faker=faker, rng=random.Random(13))
            for builder in (organisations, accounts, referrals, people, cases, demo, report_writing):
                builder.seed(context)
        yield context


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_most_cases_with_report_services_have_requests_some_late_some_due_soon(seeded):
    today = timezone.localdate()
    asked = set(
        CaseService.objects.filter(
            service__in=[s.value for s in REPORT_SERVICES], case__status__in=["open", "on_hold"]
        ).values_list("case_id", flat=True)
    )
    requested = set(ReportRequest.objects.values_list("case_id", flat=True))
    assert requested <= asked and len(requested) >= len(asked) * 0.6
    open_requests = ReportRequest.objects.filter(status__in=OPEN_STATUSES)
    assert open_requests.filter(due_on__lt=today).exists()
    assert open_requests.filter(due_on__gte=today, due_on__lte=today + timezone.timedelta(days=14)).exists()
    assert ReportRequest.objects.exclude(source_referral=None).count() == ReportRequest.objects.count()


def test_running_it_again_adds_nothing(seeded):
    before = ReportRequest.objects.count()
    demo.seed(seeded)
    assert ReportRequest.objects.count() == before


def test_reports_are_drafted_waiting_issued_and_one_corrected_with_the_register_showing_both(seeded):
    statuses = set(Report.objects.values_list("status", flat=True))
    assert {"drafting", "author_signed", "issued"} <= statuses
    corrected = IssuedReport.objects.exclude(replaces=None).select_related("replaces").get()
    assert corrected.correction_reason and corrected.replaces.number == corrected.number - 1
    for issue in (corrected, corrected.replaces):  # the register shows both issues (and any downloads)
        assert (
            DisclosureEntry.objects.filter(issued_report=issue).exclude(released_by__role="agency_referrer").count()
            == 1
        )
    for issued in IssuedReport.objects.all():
        check = rendering.verify_pdf(issued.pdf.open("rb").read())
        assert check.intact and check.valid
    assert IssuedReport.objects.filter(recipient__kind__in=["police", "probation"]).exists()
    assert DisclosureEntry.objects.filter(method="portal", released_by__role="agency_referrer").exists()


def test_running_the_report_writing_again_adds_nothing(seeded):
    before = (Report.objects.count(), IssuedReport.objects.count())
    report_writing.seed(seeded)
    assert (Report.objects.count(), IssuedReport.objects.count()) == before


def test_the_police_and_probation_requests_fall_on_the_plans_issue_steps_whatever_else_is_pending():
    from types import SimpleNamespace

    def request(pk, kind, party):
        return SimpleNamespace(pk=pk, instructing_party_id=party, instructing_party=SimpleNamespace(kind=kind))

    pending = [
        request(1, "court", 10),
        request(2, "social_services", 11),
        request(3, "court", 12),
        request(4, "probation", 13),
        request(5, "police", 14),
        request(6, "police", 15),
        request(7, "nhs_trust", 16),
    ]
    ordered = report_writing.issue_order(pending, with_users={12, 15})
    assert [r.pk for r in ordered] == [6, 3, 4, 2, 7, 5, 1]
    issue_steps = [r for step, r in zip(report_writing.PLAN, ordered, strict=False) if step.startswith("issue")]
    assert {"police", "probation"} <= {r.instructing_party.kind for r in issue_steps}
