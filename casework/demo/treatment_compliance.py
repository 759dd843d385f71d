"""Demo compliance notices: for the demo enrolments whose diary has enough unacceptable absences
not yet notified (the rule of ``casework.treatment.compliance``, over the whole enrolment rather
than the last period, since the demo diary reaches back months), a notice raised a few days after
the last of them. The first is acknowledged by the supervising officer through the link; the second
is delivered and waits for the officer; any others are delivered and acknowledged by telephone.

Made directly (the demo never talks to Notify, not even the stand-in): sent and delivered as Notify
would have reported, with an audit event on each case. Idempotent: an enrolment that already has a
notice is left alone; with no enrolments (the treatment demo not seeded) nothing is made.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record
from casework.demo.context import DemoContext
from casework.treatment import tasks
from casework.treatment.choices import NoticeStatus
from casework.treatment.models import Appointment, ComplianceNotice, Enrolment
from casework.treatment.services import compliance


def _send_raised(context: DemoContext) -> list[ComplianceNotice]:
    """Notices the diary's absences raised through the compliance rule (waiting to be sent): sent
    now through Notify (the stand-in outside production), as the worker would, and the first of them
    acknowledged by the officer on the telephone; the second is left delivered and unacknowledged."""
    raised = list(
        ComplianceNotice.objects.filter(status=NoticeStatus.PENDING, notify_id="")
        .select_related("enrolment__case")
        .order_by("raised_at", "pk")
    )
    for which, notice in enumerate(raised):
        tasks.send_notice.call(notice.pk)
        notice.refresh_from_db()
        if which == 0:
            clinician = notice.enrolment.created_by
            compliance.record_acknowledgement(
                notice=notice, name=notice.enrolment.supervising_officer_name or "The supervising officer", by=clinician
            )
    return raised


def seed(context: DemoContext) -> None:
    if ComplianceNotice.objects.exclude(status=NoticeStatus.PENDING).exists():
        context.say("Compliance notices: already there")
        return
    sent = _send_raised(context)
    if sent:
        context.say(f"Compliance notices: {len(sent)} raised by absences in the diary and sent (one acknowledged)")
    enrolments = Enrolment.objects.filter(notices__isnull=True).select_related("case").order_by("starts_on", "pk")
    made: list[ComplianceNotice] = []
    for enrolment in enrolments:
        absences = list(
            Appointment.objects.filter(enrolment=enrolment)
            .filter(compliance.unacceptable())
            .filter(starts_at__lt=timezone.now())
            .order_by("starts_at", "id")[: max(1, settings.TREATMENT_COMPLIANCE_ABSENCES)]
        )
        if len(absences) < max(1, settings.TREATMENT_COMPLIANCE_ABSENCES):
            continue
        made.append(_notice(context, enrolment, absences, which=len(made)))
    context.made["compliance_notices"] = sent + made
    if made:
        context.say(f"Compliance notices: {len(made)}")
    elif not Enrolment.objects.exists():
        context.say("Compliance notices: none (no demo enrolments to raise them on)")


def _notice(context: DemoContext, enrolment: Enrolment, absences: list[Appointment], *, which: int):
    raised_at = min(absences[-1].starts_at + dt.timedelta(days=2), timezone.now())
    sent_at = raised_at + dt.timedelta(minutes=3)
    officer = enrolment.supervising_officer_name or "the supervising officer"
    notice = ComplianceNotice.objects.create(
        enrolment=enrolment,
        reason=compliance.reason_for(absences),
        channel=compliance.channel_for(enrolment),
        status=NoticeStatus.DELIVERED,
        notify_id=str(uuid.UUID(int=context.rng.getrandbits(128), version=4)),
        idempotency_key=f"cn-{uuid.UUID(int=context.rng.getrandbits(128), version=4).hex}",
        attempts=1,
        raised_at=raised_at,
        raised_by=enrolment.created_by,
        sent_at=sent_at,
        delivered_at=sent_at + dt.timedelta(minutes=1),
    )
    notice.absences.set(absences)
    if which != 1:
        notice.acknowledged_at = min(sent_at + dt.timedelta(days=1, hours=2), timezone.now())
        notice.acknowledged_by = officer
        notice.status = NoticeStatus.ACKNOWLEDGED
        notice.save(update_fields=["acknowledged_at", "acknowledged_by", "status"])
    record(
        action=Action.CREATE,
        actor=enrolment.created_by,
        obj=enrolment.case,
        object_label=f"{enrolment.case.reference} {notice.audit_label}",
        reason="Compliance notice raised to the supervising officer (demo data)",
        changes={"absences": {"old": None, "new": [a.pk for a in absences]}},
    )
    return notice
