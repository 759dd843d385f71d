"""A subject access request from a person who is stalked: what the clinic holds about them, from
their own (victim) case, produced for staff to check and send (UK GDPR Article 15).

**Included** (their own personal data): their person record (names, date of birth, NHS number,
addresses, telephone numbers, email addresses, online identifiers, workplace), their case's
reference, dates, status and the staff on it, every version of their safety plan, the messages
the clinic sent them, and their therapy: the programme and its dates, each appointment (when,
how, whether they came) and their outcome scores.

**Held back for review** (it names or describes someone else, or was written by another agency, so
a reviewer decides what can be released, redacted, under the Data Protection Act 2018 Schedule 2
paragraph 16): incidents, case notes (session notes among them), assessments, orders and hearings,
the other parties to the case, and the referral's documents and letters. The export lists how many of each were held back
and why, never their content; the page gives staff the count and the place to review them.

Every read goes through the access rules (``policy.visible``): the case's team sees the person's
sealed contact details because they are their care team.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from casework.access import policy
from casework.assessments.models import Assessment
from casework.cases.models import CaseNote, CaseParty, Hearing, Incident, LegalOrder
from casework.people.models import OnlineIdentifier, PersonAddress, PersonEmail, PersonName, PersonPhone
from casework.referrals.models import Letter, ReferralDocument
from casework.treatment.models import Appointment, Enrolment, OutcomeMeasure
from casework.victims.choices import WEEKDAYS, Channel
from casework.victims.models import SafetyPlanVersion, VictimMessage


@dataclass(frozen=True)
class HeldBack:
    what: str
    count: int
    why: str


def _date(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def _mine(user, model, **lookup):
    return policy.visible(user, model).filter(**lookup)


def included(user, case) -> dict[str, Any]:
    """The person's own data, as sections of plain values."""
    person = case.subject
    return {
        "About you": {
            "Reference": person.reference,
            "Name": " ".join(filter(None, [person.given_name, person.middle_names, person.family_name])),
            "Preferred name": person.preferred_name or None,
            "Date of birth": _date(person.date_of_birth),
            "Sex": person.get_sex_display() or None,
            "Gender identity": person.gender or None,
            "NHS number": person.nhs_number or None,
            "Workplace": person.workplace or None,
        },
        "Other names": [
            {"Name": f"{n.given_name} {n.family_name}".strip(), "Kind": n.get_kind_display()}
            for n in _mine(user, PersonName, person=person)
        ],
        "Addresses": [
            {"Address": a.address, "Postcode": a.postcode, "From": _date(a.lived_from), "Until": _date(a.lived_to)}
            for a in _mine(user, PersonAddress, person=person)
        ],
        "Telephone numbers": [
            {"Number": p.display, "Safe to contact": p.safe_to_contact} for p in _mine(user, PersonPhone, person=person)
        ],
        "Email addresses": [
            {"Address": e.address, "Safe to contact": e.safe_to_contact}
            for e in _mine(user, PersonEmail, person=person)
        ],
        "Online identifiers": [
            {"Platform": o.get_platform_display(), "Identifier": o.handle}
            for o in _mine(user, OnlineIdentifier, person=person)
        ],
        "Your case": {
            "Reference": case.reference,
            "Opened": _date(case.opened_on),
            "Status": case.get_status_display(),
            "Closed": _date(case.closed_on),
            "Staff": [f"{m.user.full_name} ({m.get_role_display().lower()})" for m in case.team.select_related("user")],
        },
        "Safety plan": [
            {
                "Version": p.number,
                "Agreed": _date(p.agreed_on),
                "Review": _date(p.review_on),
                "Ways we may contact you": [Channel(c).label for c in p.channels],
                "When": f"{_days(p.contact_days)}, {p.contact_from:%H:%M} to {p.contact_until:%H:%M}",
                "Messages may name the clinic": p.may_name_clinic,
                "Notes on contact": p.contact_notes or None,
                "Police officer": p.police_officer or None,
                "Stalking advocate": p.advocate or None,
                "Referred to MARAC": _date(p.marac_on) if p.marac_referred else False,
                "Other parts of the plan": p.notes or None,
            }
            for p in _mine(user, SafetyPlanVersion, case=case).order_by("number")
        ],
        "Messages we sent you": [
            {"Written": _date(m.created_at), "By": m.get_channel_display(), "Sent": _date(m.sent_at), "Message": m.text}
            for m in _mine(user, VictimMessage, case=case).order_by("created_at", "id")
        ],
        "Your therapy": [
            {
                "Programme": e.programme.title,
                "Started": _date(e.starts_on),
                "Planned to end": _date(e.ends_on),
                "Status": e.get_status_display(),
                "Ended": _date(e.discharged_on),
            }
            for e in _mine(user, Enrolment, case=case).select_related("programme").order_by("starts_on", "id")
        ],
        "Your appointments": [
            {
                "When": _date(a.starts_at),
                "Minutes": a.minutes,
                "Kind": a.get_kind_display(),
                "How": a.get_place_kind_display(),
                "With": a.clinician.full_name,
                "What happened": a.get_attendance_display(),
            }
            for a in _mine(user, Appointment, case=case).select_related("clinician").order_by("starts_at", "id")
        ],
        "Your scores": [
            {
                "Measure": _measure_title(m),
                "Stage": m.get_stage_display(),
                "Score": str(m.score.normalize()),
                "Taken": _date(m.taken_on),
            }
            for m in _mine(user, OutcomeMeasure, enrolment__case=case)
            .select_related("enrolment__programme")
            .order_by("taken_on", "id")
        ],
    }


def _days(days) -> str:
    names = dict(WEEKDAYS)
    return ", ".join(str(names[str(day)]) for day in sorted(int(d) for d in days)) or "no day"


def _measure_title(score: OutcomeMeasure) -> str:
    measures = {m.get("code"): m.get("title") for m in (score.enrolment.programme.content or {}).get("measures", [])}
    return str(measures.get(score.measure) or score.measure)


def held_back(user, case) -> list[HeldBack]:
    """What the export leaves for a reviewer, by kind, with how many and why (never the content)."""
    referral_ids = list(case.case_referrals.values_list("referral_id", flat=True))
    found = [
        HeldBack(
            "Incidents",
            _mine(user, Incident, case=case).count(),
            "They describe the conduct of the person who stalks them",
        ),
        HeldBack("Case notes", _mine(user, CaseNote, case=case).count(), "They may name or describe other people"),
        HeldBack(
            "Assessments",
            _mine(user, Assessment, case=case).count(),
            "Their answers describe the person who stalks them and may quote other agencies",
        ),
        HeldBack(
            "Orders and hearings",
            _mine(user, LegalOrder, case=case).count() + _mine(user, Hearing, case=case).count(),
            "They name the person who stalks them",
        ),
        HeldBack(
            "Other parties",
            _mine(user, CaseParty, case=case).exclude(person=case.subject).count(),
            "They are other people's personal data",
        ),
        HeldBack(
            "Referral documents and letters",
            _mine(user, ReferralDocument, referral_id__in=referral_ids).count()
            + _mine(user, Letter, referral_id__in=referral_ids).count(),
            "Written by or to another agency, which may need to be asked",
        ),
    ]
    return [item for item in found if item.count]


def export_zip(user, case) -> bytes:
    """The export as a ZIP: ``your-record.html`` to read, ``your-record.json`` for machines, and
    ``held-back-for-review.txt`` for the reviewer (what was left out and why: no content)."""
    record = included(user, case)
    kept_back = held_back(user, case)
    produced = timezone.localtime()
    html = render_to_string(
        "victims/subject_access_export.jinja",
        {"record": record, "produced": produced, "reference": case.subject.reference, "held_back": kept_back},
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("your-record.html", html)
        archive.writestr("your-record.json", json.dumps(record, indent=2, ensure_ascii=False, default=str))
        archive.writestr(
            "held-back-for-review.txt",
            "Held back for review before release (counts only):\n"
            + "".join(f"- {item.what}: {item.count}. {item.why}.\n" for item in kept_back),
        )
    return buffer.getvalue()
