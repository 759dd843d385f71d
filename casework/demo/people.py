"""Synthetic persons for the demo: one for every referral's subject and named party (linked), a
few deliberate near-duplicates so the matching screens have something to show, and sealed
victims with care teams. Idempotent: a slot already linked, or a demo person already present
(same name and date of birth), is left alone.

Everything is invented: names and addresses from Faker (en_GB, seeded), NHS numbers from the
999 range reserved for testing (valid under Modulus 11), telephone numbers from Ofcom's drama
ranges, email addresses at example.org.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from casework.accounts.models import User
from casework.core import identifiers
from casework.core.roles import Role
from casework.people import candidates, crypto, services
from casework.people.models import (
    BIDX_NHS,
    CareTeamRole,
    NameKind,
    OnlineIdentifier,
    Person,
    PersonAddress,
    PersonCareTeam,
    PersonEmail,
    PersonName,
    PersonPhone,
    Platform,
    ReferralPersonLink,
)
from casework.referrals.choices import PartyRole, Status, SubjectRole
from casework.referrals.models import Referral

# Ofcom drama ranges that libphonenumber accepts as valid numbers.
DRAMA_PREFIXES = ["020 7946 0", "0113 496 0", "0161 496 0", "0121 496 0", "0117 496 0", "0141 496 0"]

# (given, family, date of birth, sex, sealed victim?) and the near-duplicate made of each.
STANDALONE = [
    ("Robert", "Smith", dt.date(1984, 3, 7), "male", False, "nickname"),
    ("Katherine", "Oduya", dt.date(1990, 11, 2), "female", False, "typo"),
    ("Daniel", "Whitmore", dt.date(1979, 4, 9), "male", False, "dob_swap"),
    ("Sarah", "Jones", dt.date(1988, 6, 15), "female", True, "married_name"),
    ("Amira", "Haddad", dt.date(1995, 1, 23), "female", True, None),
    ("Liam", "Gallagher-Price", dt.date(1972, 8, 30), "male", False, None),
]
NICKNAMES = {
    "Robert": "Bob",
    "William": "Bill",
    "Elizabeth": "Liz",
    "Margaret": "Maggie",
    "James": "Jim",
    "Michael": "Mike",
    "Thomas": "Tom",
    "Katherine": "Kate",
    "Jennifer": "Jen",
    "Richard": "Rick",
}


def nhs_test_number(rng) -> str:
    """A random NHS number from the 999 test range that passes the Modulus 11 check."""
    while True:
        first_nine = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        check = identifiers.nhs_number_check_digit(first_nine)
        if check is not None:
            number = first_nine + str(check)
            if not Person.objects.filter(nhs_number_bidx__in=crypto.blind_indexes(BIDX_NHS, number)).exists():
                return number


def _phone(context) -> str:
    return context.rng.choice(DRAMA_PREFIXES) + f"{context.rng.randrange(1000):03d}"


def _address(context) -> tuple[str, str]:
    faker = context.faker
    return f"{faker.building_number()} {faker.street_name()}\n{faker.city()}", faker.postcode()


def _prison_number(raw: str) -> str:
    try:
        parsed = identifiers.clean_prison_number(raw)
    except ValidationError:
        return ""
    return parsed.value if parsed else ""


def _staff(role: Role, email: str = "") -> User | None:
    user = User.objects.filter(email=email, is_active=True).first() if email else None
    return user or User.objects.filter(role=role, is_active=True).order_by("id").first()


def _exists(given: str, family: str, dob: dt.date | None) -> Person | None:
    return Person.objects.filter(given_name=given, family_name=family, date_of_birth=dob).first()


def _make_person(context, *, by, given, family, dob, sex="", sealed=False, contact=True, nhs=True, **extra) -> Person:
    """A person with an address, a phone number and an email address, sealed afterwards if asked
    (contact details go in before the seal, as when a coordinator adds a victim from a referral)."""
    person = services.person_create(
        by=by,
        given_name=given,
        family_name=family,
        date_of_birth=dob,
        sex=sex,
        nhs_number=nhs_test_number(context.rng) if nhs else "",
        **extra,
    )
    if contact:
        address, postcode = _address(context)
        services.detail_add(
            person=person,
            model=PersonAddress,
            by=by,
            address=address,
            postcode=postcode,
            lived_from=dt.date(2019, 5, 1),
        )
        services.detail_add(
            person=person, model=PersonPhone, by=by, number=_phone(context), kind="mobile", safe_to_contact=not sealed
        )
        services.detail_add(
            person=person, model=PersonEmail, by=by, address=f"{given}.{family}@example.org".lower().replace(" ", "")
        )
    if sealed:
        person = services.person_seal(person=person, by=by, reason="Demo: a person who is stalked")
    return person


def _care_team(person: Person, members: list[tuple[User | None, str]], lead: User) -> None:
    for user, role in members:
        if user and user.pk != lead.pk and not PersonCareTeam.objects.filter(person=person, user=user).exists():
            services.care_team_add(person=person, user=user, role=role, by=lead)


def _near_duplicate(context, person: Person, kind: str, by) -> Person | None:
    """An older, separate record of the same person, with the kind of difference named."""
    given, family, dob = person.given_name, person.family_name, person.date_of_birth
    if kind == "nickname":
        given = NICKNAMES.get(given, given[:3])
    elif kind == "typo" and len(family) > 3:
        family = family[:-2] + family[-1] + family[-2]  # two letters swapped
    elif kind == "dob_swap" and dob and dob.day <= 12 and dob.day != dob.month:
        dob = dob.replace(month=dob.day, day=dob.month)
    elif kind == "married_name":
        family = context.faker.last_name()
    else:
        return None
    if _exists(given, family, dob):
        return None
    duplicate = _make_person(
        context, by=by, given=given, family=family, dob=dob, sex=person.sex, contact=False, nhs=False
    )
    if kind == "married_name":
        # The earlier record knows the maiden name only as a previous name.
        services.detail_add(
            person=duplicate,
            model=PersonName,
            by=by,
            kind=NameKind.PREVIOUS,
            given_name=person.given_name,
            family_name=person.family_name,
            used_to=dt.date(2016, 7, 9),
        )
    return duplicate


def _seed_standalone(context, coordinator, lead, team) -> int:
    made = 0
    for given, family, dob, sex, sealed, duplicate_kind in STANDALONE:
        if _exists(given, family, dob):
            continue
        person = _make_person(context, by=coordinator, given=given, family=family, dob=dob, sex=sex, sealed=sealed)
        made += 1
        if sealed:
            _care_team(person, team, lead)
        else:
            services.detail_add(
                person=person,
                model=OnlineIdentifier,
                by=coordinator,
                platform=Platform.INSTAGRAM,
                handle=f"@{given.lower()}{context.rng.randrange(10, 99)}",
            )
        if duplicate_kind and _near_duplicate(context, person, duplicate_kind, coordinator):
            made += 1
    return made


def _seed_referrals(context, coordinator, lead, victim_clinician) -> int:
    made = 0
    referrals = Referral.objects.exclude(status=Status.DRAFT).prefetch_related("named_parties").order_by("id")
    for number, referral in enumerate(referrals):
        if not ReferralPersonLink.objects.filter(referral=referral, named_party__isnull=True).exists():
            record = candidates.referral_record(referral)
            if record.given_name or record.family_name:
                victim = referral.subject_role == SubjectRole.VICTIM
                person = _make_person(
                    context,
                    by=coordinator,
                    given=record.given_name or "Unknown",
                    family=record.family_name or "Unknown",
                    dob=referral.subject_date_of_birth,
                    sealed=victim,
                    prison_number=_prison_number(referral.prison_number),
                )
                services.referral_link(referral=referral, named_party=None, person=person, by=coordinator)
                made += 1
                if victim:
                    _care_team(person, [(victim_clinician, CareTeamRole.CLINICIAN)], lead)
                elif referral.lead_clinician_id:
                    _care_team(person, [(referral.lead_clinician, CareTeamRole.LEAD_CLINICIAN)], lead)
                if number < 3:  # a typo and a day/month swap among the first few subjects
                    if _near_duplicate(context, person, ("typo", "dob_swap", "typo")[number], coordinator):
                        made += 1
        for party in referral.named_parties.all():
            if ReferralPersonLink.objects.filter(referral=referral, named_party=party).exists():
                continue
            given, family = candidates.split_name(party.name)
            victim = party.role == PartyRole.VICTIM
            dob = dt.date(1960, 1, 1) + dt.timedelta(days=context.rng.randrange(365 * 40))
            person = _make_person(
                context,
                by=coordinator,
                given=given or "Unknown",
                family=family or "Unknown",
                dob=dob,
                sealed=victim,
                nhs=context.rng.random() < 0.6,
            )
            services.referral_link(referral=referral, named_party=party, person=person, by=coordinator)
            made += 1
            if victim:
                _care_team(person, [(victim_clinician, CareTeamRole.CLINICIAN)], lead)
    return made


def seed(context) -> None:
    coordinator = _staff(Role.REFERRALS_COORDINATOR, "coordinator@nsc.example")
    lead = _staff(Role.CLINICAL_LEAD, "lead@nsc.example")
    victim_clinician = _staff(Role.CLINICIAN, "victims@nsc.example")
    if coordinator is None or lead is None:
        context.say("People: skipped (no referrals coordinator or clinical lead in the demo)")
        return
    team = [(victim_clinician, CareTeamRole.LEAD_CLINICIAN), (coordinator, CareTeamRole.COORDINATOR)]
    made = _seed_standalone(context, coordinator, lead, team)
    made += _seed_referrals(context, coordinator, lead, victim_clinician)
    context.made["persons"] = list(Person.objects.filter(merged_into__isnull=True).order_by("id"))
    context.say(f"People: {made} added ({len(context.made['persons'])} in the index)")
