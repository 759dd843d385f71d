"""The demo referrals: about 150, every channel, service, status and kind of agency, histories that
agree with the status, SRP work only for clinicians whose training is current, and idempotent."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.db.models import Count
from django.utils import timezone
from faker import Faker

from casework.accounts.models import User
from casework.core.testing import kept_for_the_module
from casework.core.working_days import working_days_before
from casework.demo import accounts as accounts_demo
from casework.demo import organisations as organisations_demo
from casework.demo import referrals as demo
from casework.demo.context import DemoContext
from casework.organisations.models import OrganisationKind
from casework.referrals.choices import SRP_SERVICES, Channel, Service, Status
from casework.referrals.models import Letter, Referral, RequestedService, Transition
from casework.referrals.workflow import can_transition


def seeded_context(seed: int = 2026) -> DemoContext:
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    return DemoContext(faker=faker, rng=random.Random(seed))


def run_seed() -> None:
    context = seeded_context()
    organisations_demo.seed(context)
    accounts_demo.seed(context)
    demo.seed(context)


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            run_seed()
        yield


@pytest.fixture
def seeded(seeded_once, db):
    return Referral.objects.all()


def test_about_150_referrals_and_seeding_twice_adds_nothing(seeded):
    count = seeded.count()
    assert 140 <= count <= 160
    counts = (Transition.objects.count(), Letter.objects.count(), RequestedService.objects.count())
    run_seed()
    assert Referral.objects.count() == count
    assert (Transition.objects.count(), Letter.objects.count(), RequestedService.objects.count()) == counts


def test_every_channel_service_status_and_kind_of_agency_appears(seeded):
    channels = set(seeded.values_list("received_via", flat=True))
    assert channels >= {Channel.PHONE, Channel.POST, Channel.EMAIL, Channel.PORTAL}
    assert set(RequestedService.objects.values_list("service", flat=True)) == set(Service.values)
    assert set(seeded.values_list("status", flat=True)) == set(Status.values)
    assert 2 <= seeded.filter(status=Status.DRAFT).count() <= 10
    kinds = set(seeded.values_list("referring_organisation__kind", flat=True))
    assert kinds == set(OrganisationKind.values)


def test_mostly_referrals_of_the_person_who_stalks_with_assessment_and_reports_most_asked_for(seeded):
    perpetrators = seeded.filter(subject_role="perpetrator").count()
    assert perpetrators / seeded.count() > 0.7
    by_service = dict(RequestedService.objects.values_list("service").annotate(n=Count("id")))
    reports = sum(by_service.get(s, 0) for s in Service.values if s.startswith("report_"))
    assert by_service[Service.STALKER_ASSESSMENT] == max(by_service.values())
    assert reports > by_service[Service.CONSULTATION]
    ex_partners = seeded.filter(named_parties__relationship_to_subject__startswith="Former").distinct().count()
    assert 0.15 < ex_partners / seeded.count() < 0.45


def test_references_are_in_order_of_arrival_and_drafts_have_none(seeded):
    submitted = list(seeded.exclude(status=Status.DRAFT).order_by("received_at"))
    for referral in submitted:
        assert re.fullmatch(rf"REF-{timezone.localdate(referral.received_at).year}-\d{{5}}", referral.reference)
    for year in {r.reference[4:8] for r in submitted}:
        numbers = [int(r.reference[-5:]) for r in submitted if r.reference[4:8] == year]
        assert numbers == sorted(numbers) == list(range(1, len(numbers) + 1))
    assert set(seeded.filter(status=Status.DRAFT).values_list("reference", flat=True)) == {""}


def test_each_history_is_a_valid_path_ending_in_the_status(seeded):
    now = timezone.now()
    eighteen_months_ago = now - timezone.timedelta(days=560)
    for referral in seeded.prefetch_related("transitions"):
        steps = list(referral.transitions.all())
        if referral.status == Status.DRAFT:
            assert steps == [] and referral.received_at is None
            continue
        assert steps[0].from_status == Status.DRAFT and steps[0].to_status == Status.RECEIVED
        assert steps[0].at == referral.received_at
        assert eighteen_months_ago < referral.received_at < now
        for before, after in zip(steps, steps[1:]):
            assert before.to_status == after.from_status
            assert before.at < after.at
        for step in steps:
            assert can_transition(step.from_status, step.to_status), (referral.reference, step)
            assert step.at < now
        assert steps[-1].to_status == referral.status, referral.reference


def test_decisions_letters_and_allocations_agree_with_the_status(seeded):
    for referral in seeded.exclude(status=Status.DRAFT).prefetch_related("letters", "transitions"):
        reached = {t.to_status for t in referral.transitions.all()}
        kinds = {letter.kind for letter in referral.letters.all()}
        if Status.ACCEPTED in reached:
            assert referral.decision == "accept" and referral.decided_at and referral.accepted_services
            assert Letter.Kind.ACCEPTANCE in kinds
        for letter in referral.letters.all():  # as Notify would have reported them
            assert letter.delivery_status in ("delivered", "posted", "no_address"), letter
        if Status.DECLINED in reached:
            assert referral.decision == "decline" and Letter.Kind.DECLINE in kinds
        if Status.AWAITING_INFORMATION in reached:
            assert Letter.Kind.INFORMATION_REQUEST in kinds and referral.information_requested_at
        if Status.ALLOCATED in reached:
            assert referral.lead_clinician_id and referral.allocated_at
            assert referral.second_assessor_id != referral.lead_clinician_id
        else:
            assert referral.lead_clinician_id is None


def test_srp_work_goes_only_to_clinicians_whose_training_is_current(seeded):
    from casework.accounts.queries import has_current_training

    nurse = User.objects.get(email="nurse@nsc.example")
    untrained = User.objects.get(email="therapist@nsc.example")
    allocated = seeded.filter(lead_clinician__isnull=False).select_related("lead_clinician", "second_assessor")
    assert allocated.count() >= 30
    for referral in allocated:
        for person in (referral.lead_clinician, referral.second_assessor):
            if person is None:
                continue
            assert person not in (nurse, untrained)
            record = has_current_training(person, "srp")
            assert record is not None
            if set(referral.services) & SRP_SERVICES:
                assert record.trained_on <= timezone.localdate(referral.allocated_at)


def test_some_work_is_overdue_or_due_soon(seeded):
    today = timezone.localdate()
    open_referrals = seeded.exclude(status__in=[Status.CLOSED, Status.DECLINED, Status.WITHDRAWN, Status.DRAFT])
    assert open_referrals.filter(report_due_on__lt=today).exists()
    assert (
        open_referrals.filter(report_due_on__gte=today, report_due_on__lte=today + timezone.timedelta(days=14)).count()
        >= 3
    )
    cutoff_day = working_days_before(today, 10)
    waiting = seeded.filter(status=Status.AWAITING_INFORMATION)
    overdue = [r for r in waiting if timezone.localdate(r.information_requested_at) < cutoff_day]
    assert len(overdue) >= 3
    assert len(overdue) < waiting.count()


def test_a_report_request_has_its_dates_and_custody_has_its_prison(seeded):
    for referral in seeded.exclude(status=Status.DRAFT).prefetch_related("requested_services"):
        services = set(referral.services)
        if services & {s.value for s in Service if s.value.startswith("report_")}:
            assert referral.report_due_on is not None, referral.reference
        if Service.REPORT_PAROLE in services:
            assert referral.parole_hearing_on and referral.parole_hearing_on > referral.report_due_on
        if referral.assessment_setting == "custody":
            assert referral.custody_establishment and re.fullmatch(r"[A-Z]\d{4}[A-Z]{2}", referral.prison_number)
        if Service.STALKER_TREATMENT in services:
            assert set(referral.orders_in_force) & {"community_order", "bail_conditions", "licence_conditions"}


def test_portal_referrals_come_from_the_organisations_agency_users(seeded):
    for referral in seeded.filter(received_via=Channel.PORTAL).select_related("referrer_user", "created_by"):
        assert referral.referrer_user.organisation_id == referral.referring_organisation_id
        assert referral.created_by == referral.referrer_user


def test_every_demo_telephone_number_is_one_the_forms_accept(seeded):
    """Faker's en_GB numbers include the 01632 drama range, which the phone rules refuse: a demo
    agency officer's own number was refused on the portal's contact page."""
    from casework.core.identifiers import normalise_phone
    from casework.organisations.models import Organisation

    numbers = [n for n in User.objects.values_list("phone", flat=True) if n]
    numbers += [n for n in Organisation.objects.values_list("phone", flat=True) if n]
    numbers += [n for n in seeded.values_list("referrer_phone", flat=True) if n]
    assert numbers
    assert [n for n in numbers if not normalise_phone(n)] == []


def test_referrals_arriving_today_before_the_working_day_do_not_share_a_moment():
    """Early in the morning every 'today' arrival used to be clamped to the same moment (five
    minutes ago), so their order, and the order of their references, was the database's whim."""
    import time_machine

    from casework.demo.referrals import Builder

    with time_machine.travel(dt.datetime(2026, 12, 7, 7, 45, tzinfo=dt.UTC), tick=False):
        builder = Builder.__new__(Builder)
        builder.rng = random.Random(3)
        builder.now = timezone.now()
        builder.today = timezone.localdate()
        moments = [builder.moment(0) for _ in range(50)]
    assert len(set(moments)) == len(moments)
    assert all(moment < builder.now for moment in moments)
