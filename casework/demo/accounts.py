"""Demo staff in every role and agency referrers. One shared demo password, printed by make run."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.accounts.enrolment import enrolment_code_issue
from casework.accounts.mfa import has_second_factor
from casework.accounts.models import TrainingRecord, User
from casework.accounts.queries import organisation_kind_label, organisations_of_kind
from casework.core.roles import Instrument, Profession, Role
from casework.demo.context import drama_phone

DEMO_PASSWORD = "demo-stalking-clinic-2026"  # noqa: S105  (demo only; seed_demo refuses production)

# (email, name, role, profession, job title, SRP training: "current" | "expired" | None). The deputy
# clinical lead is the Caldicott guardian: told of break-glass when no other clinical lead can be.
DEMO_STAFF = [
    ("coordinator@nsc.example", "Priya Shah", Role.REFERRALS_COORDINATOR, "", "Referrals coordinator", None),
    ("coordinator2@nsc.example", "Tom Wright", Role.REFERRALS_COORDINATOR, "", "Referrals administrator", None),
    (
        "lead@nsc.example",
        "Dr Helen Okafor",
        Role.CLINICAL_LEAD,
        Profession.PSYCHIATRIST,
        "Consultant forensic psychiatrist",
        "current",
    ),
    (
        "lead2@nsc.example",
        "Dr Marcus Bell",
        Role.CLINICAL_LEAD,
        Profession.PSYCHOLOGIST,
        "Consultant clinical psychologist, deputy clinical lead and Caldicott guardian",
        "current",
    ),
    (
        "psychologist@nsc.example",
        "Dr James Harper",
        Role.CLINICIAN,
        Profession.PSYCHOLOGIST,
        "Consultant forensic psychologist",
        "current",
    ),
    (
        "psychiatrist@nsc.example",
        "Dr Aisha Rahman",
        Role.CLINICIAN,
        Profession.PSYCHIATRIST,
        "Specialty doctor, forensic psychiatry",
        "current",
    ),
    (
        "nurse@nsc.example",
        "Megan Doyle",
        Role.CLINICIAN,
        Profession.NURSE,
        "Forensic community psychiatric nurse",
        "expired",
    ),
    ("therapist@nsc.example", "Owen Price", Role.CLINICIAN, Profession.THERAPIST, "CBT therapist", None),
    (
        "victims@nsc.example",
        "Dr Sarah Kaur",
        Role.CLINICIAN,
        Profession.PSYCHOLOGIST,
        "Clinical psychologist, victim service",
        "current",
    ),
    ("finance@nsc.example", "Graham Ellis", Role.FINANCE_OFFICER, "", "Contracts and finance officer", None),
    ("researcher@nsc.example", "Dr Lucy Chen", Role.RESEARCHER, "", "Research fellow", None),
    ("admin@nsc.example", "Ravi Patel", Role.SYSTEM_ADMINISTRATOR, "", "Systems administrator", None),
]

# (email, name, organisation kind, job title) — the first organisation of that kind in the demo (the
# organisations app, a layer above, seeds the organisations first; its kinds are stored as these values).
DEMO_AGENCY = [
    ("police@agency.example", "DC Mark Fisher", "police", "Stalking advocate liaison officer"),
    ("probation@agency.example", "Jo Barnes", "probation", "Probation officer"),
    ("court@agency.example", "Anne Whitfield", "court", "Legal adviser"),
    ("mappa@agency.example", "Neil Archer", "mappa", "MAPPA coordinator"),
    ("nhs@agency.example", "Dr Femi Adeyemi", "nhs_trust", "Consultant psychiatrist"),
    ("socialcare@agency.example", "Karen Holt", "social_services", "Social worker"),
]


def _user(email: str, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, **fields)
        user.set_password(DEMO_PASSWORD)
        user.full_clean(exclude=["password"])
        user.save()
    return user


def seed(context) -> None:
    today = timezone.localdate()
    staff = []
    for email, name, role, profession, title, srp in DEMO_STAFF:
        user = _user(
            email,
            full_name=name,
            role=role,
            profession=profession,
            job_title=title,
            phone=drama_phone(context.faker.phone_number()),
            is_caldicott_guardian="Caldicott guardian" in title,
        )
        staff.append(user)
        if srp and not TrainingRecord.objects.filter(user=user, instrument=Instrument.SRP).exists():
            if srp == "current":
                trained, expires = today - dt.timedelta(days=400), today + dt.timedelta(days=700)
            else:
                trained, expires = today - dt.timedelta(days=1200), today - dt.timedelta(days=35)
            TrainingRecord.objects.create(
                user=user,
                instrument=Instrument.SRP,
                trained_on=trained,
                expires_on=expires,
                provider="Stalking Risk Profile training (demo)",
            )
    agency = []
    for email, name, kind, title in DEMO_AGENCY:
        organisation = organisations_of_kind(kind).first()
        agency.append(
            _user(
                email,
                full_name=name,
                role=Role.AGENCY_REFERRER,
                organisation=organisation,
                job_title=title,
                phone=drama_phone(context.faker.phone_number()),
            )
        )
    context.made["staff"] = staff
    context.made["agency_users"] = agency
    context.say(f"Staff: {len(staff)}; agency referrers: {len(agency)}")


def sign_in_help() -> list[tuple[str, str, str]]:
    rows = [(Role(role).label, email, name) for email, name, role, *_ in DEMO_STAFF]
    rows += [
        (f"Agency referrer ({organisation_kind_label(kind)})", email, name) for email, name, kind, _ in DEMO_AGENCY
    ]
    return rows


def demo_enrolment_codes() -> dict[str, str]:
    """A fresh enrolment code for each demo account that has no second factor yet (so that the demo
    can be used with the second factor on), by email address. Earlier codes stop working."""
    emails = [email for _, email, _ in sign_in_help()]
    codes = {}
    for user in User.objects.filter(email__in=emails, is_active=True):
        if not has_second_factor(user):
            issued = enrolment_code_issue(user=user, by=None, reason="demo: issued by manage.py demo_sign_in_help")
            codes[user.email] = issued.code
    return codes
