"""Demo safety plans and messages for the open victim cases: a plan agreed a week after the case
opened (texts and letters, on weekday evenings, never naming the clinic, since the person who
stalks them may see their post), the officers it names taken from the case's own agencies; a second
version six weeks later where the case is old enough (shared accounts reviewed, the evening window
longer); and the messages the clinic sent under them, delivered as Notify would have reported.

Made directly (the demo never talks to Notify), each with an audit event on its case. The person's
mobile number is marked safe to contact, as agreeing the plan would record. Idempotent: a case that
already has a plan is left alone.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record
from casework.cases.choices import CaseKind, CaseStatus, OfficerRole
from casework.cases.models import AgencyOfficer, Case
from casework.demo.context import DemoContext
from casework.people.models import PersonPhone
from casework.victims.choices import MessageStatus
from casework.victims.models import SafetyPlanVersion, VictimMessage

WEEKDAYS = ["0", "1", "2", "3", "4"]


def _officer(case: Case, role: str) -> str:
    found = AgencyOfficer.objects.filter(agency__case=case, role=role).select_related("agency").first()
    return f"{found.name}, {found.agency.name}"[:150] if found else ""


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _plan(case: Case, by, *, number: int, agreed_on: dt.date, **fields) -> SafetyPlanVersion:
    plan = SafetyPlanVersion.objects.create(
        case=case,
        number=number,
        channels=["letter", "sms"],
        preferred_channel="sms",
        contact_days=WEEKDAYS,
        contact_from=dt.time(18),
        contact_until=fields.pop("contact_until", dt.time(20, 30)),
        may_name_clinic=False,
        contact_notes="Texts only on weekday evenings, when they are home from work. No voicemail.",
        diary_advice_given=True,
        evidence_advice_given=True,
        tracking_checked=True,
        location_sharing_checked=True,
        police_officer=_officer(case, OfficerRole.POLICE_OFFICER),
        advocate=_officer(case, OfficerRole.VICTIM_ADVOCATE),
        agreed_on=agreed_on,
        review_on=agreed_on + dt.timedelta(days=90),
        recorded_at=_at(agreed_on, 16),
        recorded_by=by,
        **fields,
    )
    record(
        action=Action.CREATE,
        actor=by,
        obj=case,
        changes={f"safety plan version {plan.pk}": {"old": None, "new": {"number": number}}},
    )
    return plan


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


def _message(case: Case, plan: SafetyPlanVersion, by, *, channel: str, text: str, day: dt.date) -> VictimMessage:
    # A text goes on a weekday evening inside the agreed hours; a letter is posted in the morning.
    sent = _at(day, 18, 15) if channel == "sms" else _at(day, 10)
    message = VictimMessage.objects.create(
        case=case,
        channel=channel,
        text=text,
        plan=plan,
        status=MessageStatus.DELIVERED,
        reference=f"victim-message-demo-{uuid.uuid5(uuid.NAMESPACE_URL, f'{case.reference}:{channel}:{day}').hex[:12]}",
        notify_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"notify:{case.reference}:{channel}:{day}")),
        created_at=sent - dt.timedelta(minutes=5),
        created_by=by,
        sent_at=sent,
    )
    record(
        action=Action.CREATE, actor=by, obj=case, changes={f"message to the victim {message.pk}": {"channel": channel}}
    )
    return message


def seed(context: DemoContext) -> None:
    if SafetyPlanVersion.objects.exists():
        context.say("Safety plans: already there")
        return
    today = timezone.localdate()
    cases = list(
        Case.objects.filter(kind=CaseKind.VICTIM, status=CaseStatus.OPEN)
        .select_related("subject")
        .prefetch_related("team__user")
        .order_by("reference")
    )
    plans = messages = 0
    for case in cases:
        lead = next((m.user for m in case.team.all() if m.role == "lead_clinician"), None)
        if lead is None or case.opened_on is None:
            continue
        PersonPhone.objects.filter(person=case.subject, kind="mobile").update(safe_to_contact=True)
        agreed = min(case.opened_on + dt.timedelta(days=7), today)
        first = _plan(case, lead, number=1, agreed_on=agreed)
        plans += 1
        latest = first
        if case.opened_on + dt.timedelta(days=60) <= today:
            latest = _plan(
                case,
                lead,
                number=2,
                agreed_on=agreed + dt.timedelta(days=42),
                accounts_checked=True,
                contact_until=dt.time(21),
            )
            plans += 1
        letter_day = min(agreed + dt.timedelta(days=3), today)
        _message(
            case,
            first,
            lead,
            channel="letter",
            text="Thank you for meeting us. Your next appointment is in two weeks; we will text you the day before.",
            day=letter_day,
        )
        messages += 1
        text_day = _weekday_on_or_after(latest.agreed_on + dt.timedelta(days=1))
        if latest is not first and text_day < today:
            _message(
                case,
                latest,
                lead,
                channel="sms",
                text="A reminder of your appointment tomorrow at 10:00. Reply STOP if this number is no longer safe.",
                day=text_day,
            )
            messages += 1
    context.say(f"Safety plans: {plans} versions on {len(cases)} victim cases, {messages} messages")
