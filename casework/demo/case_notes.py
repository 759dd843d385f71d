"""Demo case notes: every case gets a clinical record of 3 to 12 notes spread over its life (contact
with the client, agencies, multidisciplinary discussions, supervision, telephone calls, letters),
written by the case team, about one in seven marked significant, and some corrected by an addendum
days later. The text follows the case: a perpetrator case's notes are about the person who stalks
and the victim as the referral named them; a victim case's about safety and support; a
consultation's about the professionals asking. Professionals' names are Faker en_GB, seeded;
nothing real.

A note is written on the day of its contact (its ``created_at``), so the record reads as it would
after months of work: each note is long past its grace period. The notes are made in bulk for that
reason (the service writes "now"), with one audit event per case recording what was added.
Idempotent: a case that already has notes is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record
from casework.cases.choices import CaseKind, NoteKind, PartyRole
from casework.cases.models import Case, CaseNote, CaseNoteAddendum
from casework.core.limits import check_text_limits

KIND_WEIGHTS = {
    NoteKind.CLIENT_CONTACT: 34,
    NoteKind.TELEPHONE: 16,
    NoteKind.AGENCY_CONTACT: 15,
    NoteKind.MULTIDISCIPLINARY: 10,
    NoteKind.SUPERVISION: 9,
    NoteKind.LETTER_RECEIVED: 10,
    NoteKind.OTHER: 6,
}

PERPETRATOR_TEXT = {
    NoteKind.CLIENT_CONTACT: [
        "Seen at the clinic for {minutes} minutes. {subject} was calm and engaged. Talked about the end of "
        "the relationship with {victim}; still describes it as unfinished. Denies contact since the last "
        "appointment. Plan: continue the assessment interviews.",
        "Assessment interview {n}. {subject} gave an account of the first months of the contact with {victim}. "
        "Minimised the number of messages; accepted the police record when shown it. No thoughts of harm "
        "expressed. Sleeping poorly.",
        "Seen with {present_short}. {subject} was irritable and blamed {victim} for the order. Discussed the "
        "conditions of the order and what counts as indirect contact. Agreed to block the accounts used to contact {victim}.",
        "Treatment session. Worked on the rumination diary: {subject} noted urges to check {victim}'s "
        "social media most evenings and acted on them twice. Discussed alternatives.",
    ],
    NoteKind.TELEPHONE: [
        "Call from {officer} ({agency}). Police were called to {victim}'s workplace yesterday; {subject} was "
        "seen in the car park. No arrest. Asked for our view of risk before the case conference.",
        "Call to {subject} to rearrange the appointment. Said they had been unwell. Rebooked for next week.",
        "{officer} ({agency}) rang: licence conditions reviewed, no concerns raised at the last supervision.",
    ],
    NoteKind.AGENCY_CONTACT: [
        "Emailed {officer} at {agency} for the custody record and the previous convictions list.",
        "Met {officer} ({agency}) to share the formulation so far and agree who tells {victim}'s advocate.",
        "Information request to the GP practice for the mental-health history. Consent recorded.",
    ],
    NoteKind.MULTIDISCIPLINARY: [
        "Team discussion ({present_short}). Agreed the risk of persistence is high while {subject} lives in the "
        "same town as {victim}. Psychiatry review of mood before the next interview.",
        "Case discussed at the weekly meeting. Rejected-type presentation; plan to complete the "
        "assessment before the sentencing report is due.",
    ],
    NoteKind.SUPERVISION: [
        "Supervision with {author_lead}. Discussed my frustration at the slow disclosure; agreed to use the "
        "timeline of incidents in the next interview.",
        "Supervision: reviewed the formulation and the scenarios. Add the escalation after the order was served.",
    ],
    NoteKind.LETTER_RECEIVED: [
        "Letter received from {agency}: summary of the incidents reported since the referral.",
        "Letter from {subject}'s solicitor asking when the report will be ready. Replied with the date.",
    ],
    NoteKind.OTHER: [
        "Did not attend. Letter sent offering a further appointment.",
        "Records from the previous assessment read and summarised for the file.",
    ],
}

VICTIM_TEXT = {
    NoteKind.CLIENT_CONTACT: [
        "Seen at the clinic for {minutes} minutes. {subject} described hypervigilance and poor sleep since "
        "the last incident. Safety plan reviewed; the log of incidents is kept as agreed.",
        "Session {n}. Worked on the impact on work: {subject} has changed route and hours. Low mood "
        "but no thoughts of self-harm. Agreed to a referral for trauma-focused therapy.",
        "Seen with {present_short}. {subject} reported new messages from an unknown account. Advised to "
        "report them to the police and to keep screenshots.",
    ],
    NoteKind.TELEPHONE: [
        "Call from {officer} ({agency}): the perpetrator was arrested last night for breaching the order.",
        "Call to {subject} to check in after the hearing. {subject} felt listened to by the court.",
    ],
    NoteKind.AGENCY_CONTACT: [
        "Spoke to {officer} at {agency} about the safety plan and whom {subject} should call out of hours.",
        "Joint visit agreed with {agency} to review the alarm and the locks.",
    ],
    NoteKind.MULTIDISCIPLINARY: [
        "Team discussion ({present_short}): continue fortnightly sessions; review the safety plan monthly.",
    ],
    NoteKind.SUPERVISION: [
        "Supervision with {author_lead}: discussed the vicarious impact of this case and my caseload.",
    ],
    NoteKind.LETTER_RECEIVED: [
        "Letter received from {agency} confirming the support offered and the advocate's name.",
    ],
    NoteKind.OTHER: [
        "Cancelled by {subject} (work). Rebooked.",
    ],
}

CONSULTATION_TEXT = {
    NoteKind.CLIENT_CONTACT: [
        "Consultation meeting with {officer} ({agency}) about the case. Talked through the risk factors "
        "they have seen and what further information would help.",
    ],
    NoteKind.TELEPHONE: [
        "Call with {officer} ({agency}): advice given on managing contact and recording incidents.",
    ],
    NoteKind.AGENCY_CONTACT: [
        "Written advice sent to {officer} at {agency}.",
    ],
    NoteKind.MULTIDISCIPLINARY: [
        "Consultation discussed at the team meeting ({present_short}); advice agreed.",
    ],
    NoteKind.SUPERVISION: [
        "Supervision with {author_lead}: reviewed the advice before it was sent.",
    ],
    NoteKind.LETTER_RECEIVED: [
        "Letter received from {agency} thanking the clinic and closing the request.",
    ],
    NoteKind.OTHER: [
        "Papers from {agency} read and summarised.",
    ],
}

ADDENDA = [
    "Correction: the appointment was on the day before; the rest of the note stands.",
    "The police have since confirmed the date of the incident described here.",
    "Addendum after supervision: the plan is to be reviewed at the next team meeting, not the one after.",
    "Correction: {officer} is with {agency}, not as written.",
]

AGENCIES = ["the police", "probation", "the local authority", "the GP practice", "the victims' service"]


def _texts(kind: str) -> dict:
    texts: dict[str, dict] = {CaseKind.VICTIM: VICTIM_TEXT, CaseKind.CONSULTATION: CONSULTATION_TEXT}
    return texts.get(kind, PERPETRATOR_TEXT)


class NoteWriter:
    def __init__(self, context, lead) -> None:
        self.rng = context.rng
        self.faker = context.faker
        self.lead = lead
        self.now = timezone.now()
        self.grace = dt.timedelta(minutes=settings.CASE_NOTE_GRACE_MINUTES)

    def _moments(self, case: Case, count: int) -> list[dt.datetime]:
        end = case.closed_on or timezone.localdate()
        span = max(0, (end - case.opened_on).days)
        days = sorted(self.rng.randint(0, span) for _ in range(count))
        tz = timezone.get_current_timezone()
        latest = self.now - dt.timedelta(minutes=30)  # no contact in the future
        moments = []
        for d in days:
            at = timezone.make_aware(
                dt.datetime.combine(case.opened_on + dt.timedelta(days=d), dt.time(self.rng.randint(9, 17), 0)), tz
            )
            at = min(at, latest)
            moments.append(at if timezone.localtime(at).date() >= case.opened_on else self.now)
        return moments

    def _words(self, case: Case, parties: list, author, team_lead) -> dict:
        victim = next((p.name_as_given for p in parties if p.role == PartyRole.VICTIM), "the person stalked")
        officer = f"{self.rng.choice(['PC', 'DC', 'Ms', 'Mr', 'Dr'])} {self.faker.last_name()}"
        colleague = f"Dr {self.faker.first_name()} {self.faker.last_name()}"
        return {
            "subject": case.subject.full_name.split()[0] if case.subject.full_name else "The client",
            "victim": victim,
            "officer": officer,
            "agency": self.rng.choice(AGENCIES),
            "minutes": self.rng.choice([45, 50, 60, 75, 90]),
            "n": self.rng.randint(2, 6),
            "present_short": f"{author.full_name} and {colleague}",
            "author_lead": team_lead.full_name,
        }

    def write(self, case: Case) -> int:
        team = list(case.team.select_related("user"))
        if not team:
            return 0
        writers = [m.user for m in team]
        team_lead = self.lead
        parties = list(case.parties.all())
        texts = _texts(case.kind)
        moments = self._moments(case, self.rng.randint(3, 12))
        notes = []
        for moment in moments:
            kind = self.rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
            author = self.rng.choice(writers)
            words = self._words(case, parties, author, team_lead)
            written = min(moment + dt.timedelta(hours=self.rng.randint(0, 30)), self.now)
            note = CaseNote(
                case=case,
                kind=kind,
                contact_on=timezone.localtime(moment).date(),
                contact_time=timezone.localtime(moment).time() if kind != NoteKind.LETTER_RECEIVED else None,
                present=words["present_short"] if kind in (NoteKind.MULTIDISCIPLINARY, NoteKind.SUPERVISION) else "",
                text=self.rng.choice(texts[kind]).format(**words),
                significant=self.rng.random() < 0.15,
                author=author,
                created_at=written,
                editable_until=written + self.grace,
            )
            check_text_limits(note)
            notes.append((note, words))
        made = CaseNote.objects.bulk_create([n for n, _ in notes])
        addenda = []
        for note, words in zip(made, (w for _, w in notes), strict=True):
            if self.rng.random() < 0.12:
                later = min(note.created_at + dt.timedelta(days=self.rng.randint(1, 10)), self.now)
                addendum = CaseNoteAddendum(
                    note=note,
                    text=self.rng.choice(ADDENDA).format(**words),
                    author=self.rng.choice(writers),
                    created_at=later,
                )
                check_text_limits(addendum)
                addenda.append(addendum)
        CaseNoteAddendum.objects.bulk_create(addenda)
        record(
            action=Action.CREATE,
            actor=None,
            obj=case,
            reason="Demo case notes",
            changes={"notes": {"old": None, "new": len(made)}, "addenda": {"old": None, "new": len(addenda)}},
        )
        return len(made)


def seed(context) -> None:
    from casework.accounts.models import User
    from casework.core.roles import Role

    lead = User.objects.filter(email="lead@nsc.example", role=Role.CLINICAL_LEAD).first()
    cases = list(Case.objects.filter(notes__isnull=True).select_related("subject").order_by("id"))
    if lead is None or not cases:
        context.say("Case notes: nothing to add")
        return
    writer = NoteWriter(context, lead)
    written = sum(writer.write(case) for case in cases)
    context.say(f"Case notes: {written} notes in {len(cases)} cases")
