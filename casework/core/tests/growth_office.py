"""GROWTH recipes for the office pages of the query-count convention test
(``test_every_page_queries_flat``): the access review and its alerts, the billing pages about one
contract or one referral, a victim's stalking episode, the dashboard's exports, the staff list and
the failed background tasks.

Each recipe takes ``(world, cast)``: the matrix world (``matrix_world.build_world``, whose
``kwargs_for`` names the records the pages are about) and the cast, and gives those records more of
what their pages show, through the project's services where there is one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

REASON = "Checking the record for a safeguarding concern raised out of hours"


def _more_break_glass(world, cast) -> None:
    """The access review (audit:review) lists every break-glass grant, and the alerts page
    (audit:alerts) the alerts each raises to the other clinical leads: two more clinicians, not on
    the world's case, break the glass on it."""
    from casework.access.breakglass import open_grant
    from casework.accounts.tests.factories import UserFactory
    from casework.cases.models import Case
    from casework.core.roles import Role

    case = Case.objects.get(reference=world.kwargs_for("cases:detail")["reference"])
    for _ in range(2):
        open_grant(user=UserFactory(role=Role.CLINICIAN), obj=case, reason=REASON)


def _more_on_the_contract(world, cast) -> None:
    """The contract's page (billing:contract) lists its quotes and its own prices: two more quotes
    under it, and two prices agreed under it."""
    from decimal import Decimal

    from casework.billing.choices import BillableService, VatTreatment
    from casework.billing.models import Contract
    from casework.billing.services import contracts
    from casework.billing.tests import helpers

    agreement = Contract.objects.get(pk=world.kwargs_for("billing:contract")["pk"])
    for _ in range(2):
        helpers.quote(cast, agreement=agreement)
    for service in (BillableService.ASSESSMENT_CUSTODY, BillableService.TREATMENT_SESSION):
        contracts.tariff_create(
            by=cast.finance,
            values={
                "service": service,
                "contract": agreement,
                "price": Decimal("900.00"),
                "vat_treatment": VatTreatment.EXEMPT,
                "effective_from": agreement.starts_on,
                "effective_to": None,
            },
        )


def _more_quotes_on_the_referral(world, cast) -> None:
    """Finance's page about a referral (billing:referral) lists its quotes: two earlier ones,
    withdrawn. (A referral has one live quote at a time, and the world's draft is live, so the
    withdrawn ones are made directly, as ``quote_withdraw`` would have left them.)"""
    from django.utils import timezone

    from casework.billing.choices import QuoteStatus
    from casework.billing.models import Quote
    from casework.billing.services.quotes import REFERENCE_PREFIX
    from casework.core.models import next_reference

    draft = Quote.objects.get(pk=world.kwargs_for("billing:quote")["pk"])
    today = timezone.localdate()
    for _ in range(2):
        Quote.objects.create(
            reference=next_reference(REFERENCE_PREFIX, when=today),
            referral=draft.referral,
            contract=draft.contract,
            quoted_on=today,
            status=QuoteStatus.WITHDRAWN,
            withdrawal_reason="Agreed by telephone instead",
            decided_at=timezone.now(),
            decided_by=cast.finance,
            created_by=cast.finance,
        )


def _more_victims_on_the_case(world, cast) -> None:
    """A victim's stalking episode (cases:episode) is chosen among the case's victims and shows the
    episode saved: two more victims on the case, and the episode saved."""
    from casework.cases.choices import DatePrecision, PartyRole, Relationship
    from casework.cases.models import Case, CaseParty
    from casework.cases.services import records
    from casework.people.tests.factories import create_person

    kwargs = world.kwargs_for("cases:episode")
    case = Case.objects.get(reference=kwargs["reference"])
    for number in range(2):
        person = create_person(by=cast.coordinator, given_name="Matrix", family_name=f"Victim More {number}")
        records.party_add(case=case, person=person, role=PartyRole.VICTIM, by=cast.clinical_lead)
    records.episode_save(
        case=case,
        victim=CaseParty.objects.get(pk=kwargs["pk"]),
        prior_relationship=Relationship.EX_INTIMATE_PARTNER,
        started_on=None,
        started_precision=DatePrecision.MONTH,
        behaviours=[],
        motivation_in_own_words="",
        by=cast.clinical_lead,
    )


def _more_decisions(world, cast) -> None:
    """The dashboard's exports (insights:export_csv, insights:export_xlsx, of the screening
    decisions) count the referrals decided in the period by decision: referrals of the world's
    organisation accepted and declined this month."""
    from django.utils import timezone

    from casework.referrals.choices import Decision, Status
    from casework.referrals.tests.factories import ReferralFactory

    now = timezone.now()
    for status, decision in ((Status.ACCEPTED, Decision.ACCEPT), (Status.DECLINED, Decision.DECLINE)):
        for _ in range(2):
            ReferralFactory(
                status=status,
                referring_organisation=cast.organisation,
                decision=decision,
                decision_reason="Screened",
                decided_at=now,
                decided_by=cast.coordinator,
            )


def _more_training(world, cast) -> None:
    """The staff list (staff_admin:staff_list) shows each member's training: every member of
    staff trained in two more instruments."""
    import datetime as dt

    from django.utils import timezone

    from casework.accounts.models import User
    from casework.accounts.services import training_record_add
    from casework.core.roles import Instrument, Role

    today = timezone.localdate()
    staff = User.objects.exclude(role=Role.AGENCY_REFERRER).filter(is_active=True)
    for member in staff:
        by = cast.clinical_lead if member.pk == cast.sysadmin.pk else cast.sysadmin
        for instrument in (Instrument.SAM, Instrument.HCR_20):
            training_record_add(
                user=member,
                by=by,
                instrument=instrument,
                trained_on=today - dt.timedelta(days=30),
                expires_on=today + dt.timedelta(days=700),
                provider="More training",
            )


def _more_failed_tasks(world, cast) -> None:
    """The failed background tasks page (worker:failed_tasks) lists the tasks whose attempts are
    used up and those waiting to be tried again: two of each (made directly, as the worker leaves
    them: nothing else makes a task fail)."""
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from casework.worker.models import TaskRun

    now = timezone.now()
    for status, attempts in (("FAILED", 5), ("FAILED", 5), ("READY", 1), ("READY", 2)):
        result = DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": [4242], "kwargs": {}},
            backend_name="default",
            task_path="casework.access.tasks.email_break_glass_alert",
            run_after=now + dt.timedelta(minutes=5),
            started_at=now - dt.timedelta(hours=1),
            finished_at=now if status == "FAILED" else None,
            exception_class_path="smtplib.SMTPRecipientsRefused",
        )
        TaskRun.objects.create(task=result, attempts=attempts, last_error="smtplib.SMTPRecipientsRefused")


OFFICE_GROWTH: list[Callable[[Any, Any], None]] = [
    _more_break_glass,
    _more_on_the_contract,
    _more_quotes_on_the_referral,
    _more_victims_on_the_case,
    _more_decisions,
    _more_training,
    _more_failed_tasks,
]
