"""Demo consultations: for each consultation case, the agency's request (taken from the referral
the case was opened from: its agency, officer and what they described), one or two meetings with
the officer and the case's lead clinician (attendees and minutes), and the advice given where the
last meeting is a week old; the advice letter written, signed by its author and a clinical lead
and issued to the agency through the reports engine (so it is on the disclosure register) for the
first few advised; and one consultation, the oldest with advice, turned into a referral through
the conversion service (as when the case reaches court).

Made directly (with an audit event on each case), but the letters and the conversion go through
their services so that they are signed, issued, received and logged as any other. Idempotent:
nothing is added when any consultation request exists.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import record
from casework.cases.choices import CaseKind, CaseStatus
from casework.cases.models import Case
from casework.consultations.choices import RequestStatus
from casework.consultations.models import ConsultationMeeting, ConsultationRequest
from casework.consultations.services.conversion import convert
from casework.core.roles import Role
from casework.demo.context import DemoContext
from casework.reports.choices import DisclosureMethod, ReportType
from casework.reports.choices import LegalBasis as ReportLegalBasis
from casework.reports.choices import RequestStatus as ReportRequestStatus
from casework.reports.models import ReportSection
from casework.reports.services import drafting, issuing
from casework.reports.services.requests import request_add

MINUTES = (
    "Discussed the pattern of contact described by {officer} and the material sent. Agreed the "
    "behaviour fits a fixated pattern; reviewed the risk factors (prior relationship, escalation, "
    "threats). {officer} to send the latest incident log before the next meeting."
)
FOLLOW_UP = (
    "Reviewed the incident log. No new approaches since the last meeting. Agreed the advice in outline: "
    "a clear warning, a named single point of contact for the victim, and review in a month."
)
ADVICE = (
    "Treat the behaviour as stalking rather than harassment; give a clear warning in writing; name one "
    "officer as the victim's point of contact; refer to the clinic for assessment if there is any further "
    "approach or a breach of the warning."
)


def _meeting(case: Case, by, *, held_on: dt.date, attendees: str, minutes: str) -> ConsultationMeeting:
    meeting = ConsultationMeeting.objects.create(
        case=case,
        held_on=held_on,
        attendees=attendees,
        minutes=minutes,
        recorded_at=timezone.make_aware(dt.datetime.combine(held_on, dt.time(16))),
        recorded_by=by,
    )
    record(
        action=Action.CREATE,
        actor=by,
        obj=case,
        changes={f"consultation meeting {meeting.pk}": {"old": None, "new": {"held_on": str(held_on)}}},
    )
    return meeting


# How many advised consultations have their advice letter issued (each is a real signed PDF).
LETTERS = 3
LETTER_TEXT = {
    "instructions": "{agency} asked for advice on managing the risk {name} poses and on what to do next.",
    "sources": "The crime report, the victim's statement and the log of contact, and two consultation meetings "
    "with the officer. {name} was not seen: the advice is limited by that.",
    "history": "Little is known of {name}'s background beyond what the police hold.",
    "index_behaviour": "Repeated unwanted contact by text and social media, and two approaches at the victim's "
    "workplace, over four months.",
    "mental_state": "No mental-health history is known to the police or the GP practice.",
    "opinion": "{advice}",
}


def _advice_letter(case: Case, found: ConsultationRequest, author, lead):
    """The advice letter, written from the consultation, signed by its author and a clinical lead
    who is not the author, and issued to the agency by secure email."""
    letter = request_add(
        case=case,
        report_type=ReportType.CONSULTATION,
        instructing_party=found.agency,
        instructing_officer_name=found.officer_name,
        instructing_officer_email=found.officer_email,
        questions=found.question,
        due_on=found.advice_given_on,
        status=ReportRequestStatus.IN_PROGRESS,
        by=author,
    )
    report = drafting.report_start(request_=letter, by=author)
    values = {"agency": found.agency.name, "name": case.subject.given_name, "advice": found.advice_summary}
    edits = {
        section.key: {
            "body": LETTER_TEXT.get(section.key, "See above.").format(**values),
            "version": section.row_version,
        }
        for section in ReportSection.objects.filter(report=report)
    }
    drafting.sections_save(report=report, edits=edits, by=author)
    drafting.author_sign(report=report, by=author)
    drafting.lead_sign(report=report, by=lead)
    return issuing.report_issue(
        report=report,
        recipient=found.agency,
        recipient_side=issuing.side_for(found.agency),
        recipient_name=found.officer_name,
        method=DisclosureMethod.SECURE_EMAIL,
        legal_basis=ReportLegalBasis.REFERRAL,
        by=author,
    )


def seed(context: DemoContext) -> None:
    if ConsultationRequest.objects.exists():
        context.say("Consultations: already there")
        return
    today = timezone.localdate()
    cases = list(
        Case.objects.filter(kind=CaseKind.CONSULTATION)
        .select_related("subject")
        .prefetch_related("team__user", "case_referrals__referral__referring_organisation")
        .order_by("reference")
    )
    made = meetings = advised = letters = 0
    convertible: list[Case] = []
    leads = list(User.objects.filter(role=Role.CLINICAL_LEAD, is_active=True).order_by("id"))
    for case in cases:
        lead = next((m.user for m in case.team.all() if m.role == "lead_clinician"), None)
        link = next(iter(case.case_referrals.all()), None)
        if lead is None or link is None or case.opened_on is None:
            continue
        referral = link.referral
        received = timezone.localdate(referral.received_at) if referral.received_at else case.opened_on
        found = ConsultationRequest.objects.create(
            case=case,
            agency=referral.referring_organisation,
            officer_name=referral.referrer_name,
            officer_email=referral.referrer_email,
            question=(referral.behaviour_summary or "How should we manage the risk this person poses?")[:3000],
            material="The crime report, the victim's statement and the log of contact.",
            received_on=min(received, case.opened_on),
            created_by=lead,
            updated_by=lead,
        )
        record(
            action=Action.CREATE,
            actor=lead,
            obj=case,
            changes={f"consultation request {found.pk}": {"old": None, "new": {"agency_id": found.agency_id}}},
        )
        made += 1
        attendees = f"{found.officer_name}, {found.agency.name}\n{lead.full_name}, lead clinician"
        first_on = min(case.opened_on + dt.timedelta(days=14), today)
        _meeting(case, lead, held_on=first_on, attendees=attendees, minutes=MINUTES.format(officer=found.officer_name))
        meetings += 1
        last_on = first_on
        if first_on + dt.timedelta(days=21) <= today:
            last_on = first_on + dt.timedelta(days=21)
            _meeting(case, lead, held_on=last_on, attendees=attendees, minutes=FOLLOW_UP)
            meetings += 1
        if last_on + dt.timedelta(days=7) <= today:
            found.advice_summary = ADVICE
            found.advice_given_on = last_on + dt.timedelta(days=7)
            found.status = RequestStatus.ADVICE_GIVEN
            found.save(update_fields=["advice_summary", "advice_given_on", "status"])
            record(
                action=Action.UPDATE,
                actor=lead,
                obj=case,
                changes={f"consultation request {found.pk} status": {"old": "open", "new": "advice_given"}},
            )
            advised += 1
            signer = next((u for u in leads if u.pk != lead.pk), None)
            # A letter is written while the case is open (a closed case's record is read-only).
            if letters < LETTERS and signer is not None and lead.has_perm("reports.add", case):
                _advice_letter(case, found, lead, signer)
                letters += 1
            if case.status == CaseStatus.OPEN:
                convertible.append(case)
    converted = ""
    for case in convertible:
        lead = next(m.user for m in case.team.all() if m.role == "lead_clinician")
        if lead.has_perm("consultations.convert", case):
            converted = convert(case=case, by=lead).reference
            break
    context.say(
        f"Consultations: {made} requests, {meetings} meetings, advice on {advised} ({letters} advice letters issued)"
        + (f"; one became referral {converted}" if converted else "")
    )
