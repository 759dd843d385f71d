"""Demo cases: about 100, opened from the demo's accepted and allocated referrals (and from extra
referrals made here when there are not enough), with parties, a stalking episode per victim,
incident timelines of varying length (some escalating), orders, hearings, MAPPA for some, agencies
with their officers, some cases on hold or closed, and at least one person stalked who is a
client as well as the person stalking them (different clinicians, an information barrier between).

Proportions follow docs/domain.md (Mullen et al. 1999): the person stalked is an ex-partner in
about 30% of cases, a professional contact 23%, a workplace contact 11%, a stranger 14%; threats
in about 60%, violence in about a third. Everything goes through the case services, so the audit
trail, the barrier and the care teams are as they would be. Idempotent: once there are 100 cases,
nothing is added. Synthetic data only (Faker en_GB, seeded).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from casework.accounts.models import User
from casework.cases import queries
from casework.cases.choices import (
    CaseKind,
    CaseStatus,
    HearingKind,
    OrderKind,
    PartyRole,
    Relationship,
    TeamRole,
)
from casework.cases.errors import CaseRefused
from casework.cases.models import Case
from casework.cases.services import records
from casework.cases.services.opening import case_open
from casework.cases.services.team import case_change_status
from casework.cases.views.opening import suggested_kind
from casework.core.models import next_reference
from casework.core.roles import Role
from casework.demo.context import drama_phone
from casework.organisations.models import Organisation, OrganisationKind
from casework.people import services as people_services
from casework.people.models import Person
from casework.referrals.choices import Channel, Decision, LegalStatus, Offence, Service, Status, SubjectRole
from casework.referrals.choices import PartyRole as ReferralPartyRole
from casework.referrals.models import NamedParty, Referral, RequestedService, Transition

TARGET = 100
RELATIONSHIP_WEIGHTS = {
    Relationship.EX_INTIMATE_PARTNER: 30,
    Relationship.PROFESSIONAL_CONTACT: 23,
    Relationship.FRIEND_OR_ACQUAINTANCE: 14,
    Relationship.STRANGER: 14,
    Relationship.WORKPLACE_CONTACT: 11,
    Relationship.FAMILY_MEMBER: 4,
    Relationship.ONLINE_ONLY: 2,
    Relationship.PUBLIC_FIGURE: 2,
}
RELATION_TEXT = {
    Relationship.EX_INTIMATE_PARTNER: ["Former partner", "Former wife", "Former girlfriend", "Former husband"],
    Relationship.PROFESSIONAL_CONTACT: [
        "Their GP",
        "Their former therapist",
        "Their solicitor",
        "Their housing officer",
    ],
    Relationship.FRIEND_OR_ACQUAINTANCE: ["A neighbour", "A former friend", "A member of the same gym"],
    Relationship.STRANGER: ["None: a stranger", "None: seen once on a train"],
    Relationship.WORKPLACE_CONTACT: ["A colleague", "Their former manager", "A customer at their workplace"],
    Relationship.FAMILY_MEMBER: ["Their sister", "Their cousin"],
    Relationship.ONLINE_ONLY: ["Met only online, in a gaming forum"],
    Relationship.PUBLIC_FIGURE: ["A local radio presenter"],
}
KEYWORDS = [
    (("none:", "stranger", "seen once"), Relationship.STRANGER),
    (
        ("former partner", "former wife", "former husband", "girlfriend", "boyfriend", "ex-partner"),
        Relationship.EX_INTIMATE_PARTNER,
    ),
    (("gp", "therapist", "solicitor", "teacher", "housing officer", "doctor"), Relationship.PROFESSIONAL_CONTACT),
    (("colleague", "manager", "customer"), Relationship.WORKPLACE_CONTACT),
    (("public figure", "presenter"), Relationship.PUBLIC_FIGURE),
    (("online",), Relationship.ONLINE_ONLY),
    (("neighbour", "friend", "gym"), Relationship.FRIEND_OR_ACQUAINTANCE),
    (("sister", "brother", "cousin", "stepparent", "mother", "father"), Relationship.FAMILY_MEMBER),
]
REMOTE = [
    ("text", "text"),
    ("phone", "phone"),
    ("email", "email"),
    ("social_media", "social_media"),
    ("letters_or_gifts", "post"),
    ("contacting_third_parties", "third_party"),
    ("monitoring", "device"),
    ("accessing_accounts", "online_other"),
]
IN_PERSON = [
    ("following", "in_person"),
    ("loitering", "in_person"),
    ("approaching", "in_person"),
    ("property_damage", "in_person"),
]
DESCRIPTIONS = {
    "text": "{n} text messages in one evening, asking to meet and saying she owes him an explanation.",
    "phone": "{n} calls from withheld numbers between midnight and 3am.",
    "email": "Long emails to her work address, {n} in a week, copied to her manager.",
    "social_media": "Messages from a new account after the last one was blocked; {n} comments on her posts.",
    "letters_or_gifts": "A parcel of letters and a gift left on the doorstep.",
    "contacting_third_parties": "Contacted her sister and a friend asking where she is living now.",
    "monitoring": "A tracking device found under her car by the police.",
    "accessing_accounts": "Logged in to her email account and changed the recovery number.",
    "following": "Followed her from the station to her workplace.",
    "loitering": "Seen waiting outside her home for about {n} minutes.",
    "approaching": "Approached her in the supermarket car park and would not leave.",
    "property_damage": "Her car tyres slashed overnight.",
    "threats": "Said he would make her regret leaving and that he knew where her children go to school.",
    "violence": "Pushed her against a wall outside her home; police attended.",
    "sexual_violence": "Sexual assault reported to the police; investigation under way.",
}
MOTIVATIONS = [
    '"I only want her to admit what she did to me."',
    '"We were meant to be together. She just needs time to see it."',
    '"He ruined my life with that report. Someone has to hold him to account."',
    '"I wasn\'t stalking, I was trying to make sure she was all right."',
    '"She smiled at me. I knew she wanted me to keep trying."',
    '"I needed to know who she was seeing."',
]
CLOSURES = ["work_completed", "work_completed", "discharged", "withdrawn", "did_not_engage", "transferred"]


def _staff(email: str, role: Role) -> User | None:
    return (
        User.objects.filter(email=email, is_active=True).first()
        or User.objects.filter(role=role, is_active=True).order_by("id").first()
    )


def relationship_from(text: str, rng) -> str:
    lowered = (text or "").lower()
    for words, relationship in KEYWORDS:
        if any(word in lowered for word in words):
            return relationship
    return rng.choices(list(RELATIONSHIP_WEIGHTS), weights=list(RELATIONSHIP_WEIGHTS.values()))[0]


# The demo's story agrees with itself: the orders and hearings a case has fit the legal position of
# the person who stalks (its referral's), and each order comes from the body that makes it.
MAGISTRATES, CROWN, FAMILY = "Northshire Magistrates' Court", "Westvale Crown Court", "Eastmarsh Family Court"
PROTECTIVE_ORDERS = {
    OrderKind.SPO_INTERIM,
    OrderKind.SPO_FULL,
    OrderKind.RESTRAINING,
    OrderKind.NON_MOLESTATION,
    OrderKind.BAIL_CONDITIONS,
}
ORDERS_BY_STATUS: dict[str, list[OrderKind]] = {
    # A civil order only: a Stalking Protection Order on a police application, or a family court's.
    LegalStatus.NONE: [OrderKind.SPO_INTERIM, OrderKind.SPO_FULL, OrderKind.NON_MOLESTATION],
    # Released under investigation or on pre-charge police bail, or a civil order.
    LegalStatus.UNDER_INVESTIGATION: [
        OrderKind.BAIL_CONDITIONS,
        OrderKind.SPO_INTERIM,
        OrderKind.SPO_FULL,
        OrderKind.NON_MOLESTATION,
    ],
    # Awaiting trial: court bail, or a civil order.
    LegalStatus.CHARGED: [
        OrderKind.BAIL_CONDITIONS,
        OrderKind.SPO_INTERIM,
        OrderKind.SPO_FULL,
        OrderKind.NON_MOLESTATION,
    ],
    # Sentenced: a restraining order on conviction, a community or suspended sentence order, licence
    # conditions after release, or a full SPO.
    LegalStatus.CONVICTED: [
        OrderKind.RESTRAINING,
        OrderKind.COMMUNITY_ORDER,
        OrderKind.SUSPENDED_SENTENCE,
        OrderKind.LICENCE_CONDITIONS,
        OrderKind.SPO_FULL,
        OrderKind.NON_MOLESTATION,
    ],
}
HEARINGS_BY_STATUS: dict[str, list[HearingKind]] = {
    LegalStatus.NONE: [HearingKind.ORDER],
    LegalStatus.UNDER_INVESTIGATION: [HearingKind.ORDER],
    LegalStatus.CHARGED: [HearingKind.COURT, HearingKind.BAIL, HearingKind.ORDER],
    LegalStatus.CONVICTED: [HearingKind.SENTENCING, HearingKind.COURT, HearingKind.ORDER],
}
VENUES = {
    HearingKind.COURT: [CROWN, MAGISTRATES],
    HearingKind.SENTENCING: [CROWN, MAGISTRATES],
    HearingKind.BAIL: [MAGISTRATES, CROWN],
    HearingKind.ORDER: [MAGISTRATES, FAMILY],
    HearingKind.PAROLE: ["Parole Board (remote hearing)"],
    HearingKind.OTHER: [MAGISTRATES],
}


def issuers_of(kind: str, status: str) -> list[str]:
    """Who makes an order of ``kind`` for someone whose legal position is ``status``."""
    if kind == OrderKind.BAIL_CONDITIONS:
        return (
            ["Northshire Police (pre-charge bail)"]
            if status == LegalStatus.UNDER_INVESTIGATION
            else [MAGISTRATES, CROWN]
        )
    by_kind: dict[str, list[str]] = {
        OrderKind.SPO_INTERIM: [MAGISTRATES],
        OrderKind.SPO_FULL: [MAGISTRATES],
        OrderKind.NON_MOLESTATION: [FAMILY],
        OrderKind.RESTRAINING: [CROWN, MAGISTRATES],
        OrderKind.COMMUNITY_ORDER: [MAGISTRATES, CROWN],
        OrderKind.SUSPENDED_SENTENCE: [CROWN, MAGISTRATES],
        OrderKind.LICENCE_CONDITIONS: ["HM Prison and Probation Service"],
    }
    return by_kind[kind]


def legal_status_of(case: Case) -> str:
    """The legal position of the person who stalks, as the case's first referral gave it."""
    link = case.case_referrals.select_related("referral").order_by("id").first()
    status = link.referral.legal_status if link is not None else ""
    return status if status in ORDERS_BY_STATUS else LegalStatus.NONE


class Seeder:
    def __init__(self, context, *, coordinator, lead, victim_clinician, clinicians) -> None:
        self.context = context
        self.rng = context.rng
        self.faker = context.faker
        self.coordinator = coordinator
        self.lead = lead
        self.victim_clinician = victim_clinician
        self.clinicians = clinicians
        self.today = timezone.localdate()
        self.now = timezone.now()

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def days_ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=max(0, days))

    # --- Referrals when the demo has too few -----------------------------------------------------

    def make_referral(
        self,
        *,
        victim_subject: bool = False,
        victim_person: Person | None = None,
        stalker_person: Person | None = None,
        relation: str = "",
    ) -> Referral:
        """An allocated referral with its subject (and victim) linked to person records."""
        organisations = list(Organisation.objects.filter(is_active=True).exclude(kind=OrganisationKind.OTHER))
        organisation = self.rng.choice(organisations)
        relationship = self.rng.choices(list(RELATIONSHIP_WEIGHTS), weights=list(RELATIONSHIP_WEIGHTS.values()))[0]
        relation = relation or self.rng.choice(RELATION_TEXT[relationship])
        stalker_male = self.chance(0.79)
        stalker = (
            self.faker.first_name_male() if stalker_male else self.faker.first_name_female(),
            self.faker.last_name(),
        )
        target = (
            self.faker.first_name_female() if stalker_male else self.faker.first_name_male(),
            self.faker.last_name(),
        )
        if victim_person is not None:
            target = (victim_person.given_name, victim_person.family_name)
        if stalker_person is not None:
            stalker = (stalker_person.given_name, stalker_person.family_name)
        received = self.now - dt.timedelta(days=self.rng.randint(30, 400))
        subject_name = target if victim_subject else stalker
        clinician = self.victim_clinician if victim_subject else self.rng.choice(self.clinicians)
        first, last = self.faker.first_name(), self.faker.last_name()
        decided, allocated = received + dt.timedelta(days=9), received + dt.timedelta(days=16)
        referral = Referral.objects.create(
            reference=next_reference("REF", when=timezone.localdate(received)),
            status=Status.ALLOCATED,
            received_via=self.rng.choice([Channel.EMAIL, Channel.PHONE, Channel.POST]),
            received_at=received,
            referring_organisation=organisation,
            referrer_name=f"{first} {last}",
            referrer_job_title="Referring officer",
            referrer_email=f"{first}.{last}@agency.example.org".lower(),
            referrer_phone=drama_phone(self.faker.phone_number()),
            subject_role=SubjectRole.VICTIM if victim_subject else SubjectRole.PERPETRATOR,
            subject_given_name=subject_name[0],
            subject_family_name=subject_name[1],
            subject_date_of_birth=self.today - dt.timedelta(days=365 * self.rng.randint(20, 65)),
            behaviour_summary=f"Stalking of {relation.lower()} over about {self.rng.randint(2, 30)} months.",
            behaviour_duration=f"{self.rng.randint(2, 30)} months",
            stalking_significant=True,
            legal_status=self.rng.choice([LegalStatus.CHARGED, LegalStatus.CONVICTED, LegalStatus.UNDER_INVESTIGATION]),
            offences=[Offence.PHA_S2A.value],
            decision=Decision.ACCEPT,
            decided_at=decided,
            decided_by=self.lead,
            lead_clinician=clinician,
            allocated_at=allocated,
            accepted_services=[Service.VICTIM_ASSESSMENT.value if victim_subject else Service.STALKER_ASSESSMENT.value],
            created_by=self.coordinator,
        )
        RequestedService.objects.create(
            referral=referral,
            service=Service.VICTIM_ASSESSMENT if victim_subject else Service.STALKER_ASSESSMENT,
        )
        party_name = f"{stalker[0]} {stalker[1]}" if victim_subject else f"{target[0]} {target[1]}"
        party = NamedParty.objects.create(
            referral=referral,
            role=ReferralPartyRole.OTHER if victim_subject else ReferralPartyRole.VICTIM,
            name=party_name,
            relationship_to_subject=f"The person stalking them ({relation.lower()})" if victim_subject else relation,
        )
        steps = [
            (Status.DRAFT, Status.RECEIVED, received),
            (Status.RECEIVED, Status.SCREENING, received + dt.timedelta(days=2)),
            (Status.SCREENING, Status.ACCEPTED, decided),
            (Status.ACCEPTED, Status.ALLOCATED, allocated),
        ]
        Transition.objects.bulk_create(
            Transition(
                referral=referral,
                from_status=a,
                to_status=b,
                at=at,
                by=self.lead if b != Status.RECEIVED else self.coordinator,
            )
            for a, b, at in steps
        )
        subject = (
            victim_person
            if victim_subject and victim_person is not None
            else people_services.person_create(
                by=self.coordinator,
                given_name=subject_name[0],
                family_name=subject_name[1],
                date_of_birth=referral.subject_date_of_birth,
                sex="male" if (stalker_male != victim_subject) else "female",
            )
        )
        people_services.referral_link(referral=referral, named_party=None, person=subject, by=self.coordinator)
        if victim_subject:
            stalker_person = stalker_person or people_services.person_create(
                by=self.coordinator,
                given_name=stalker[0],
                family_name=stalker[1],
                sex="male" if stalker_male else "female",
            )
            people_services.referral_link(
                referral=referral, named_party=party, person=stalker_person, by=self.coordinator
            )
        elif not victim_subject:
            other = victim_person or people_services.person_create(
                by=self.coordinator,
                given_name=target[0],
                family_name=target[1],
                sex="female" if stalker_male else "male",
            )
            if not other.is_sealed:
                other = people_services.person_seal(person=other, by=self.coordinator, reason="Demo: a person stalked")
            people_services.referral_link(referral=referral, named_party=party, person=other, by=self.coordinator)
        return referral

    # --- Opening and filling a case --------------------------------------------------------------

    def open(self, referral: Referral) -> Case | None:
        kind = suggested_kind(referral)
        lead_clinician = referral.lead_clinician or (
            self.victim_clinician if kind == CaseKind.VICTIM else self.rng.choice(self.clinicians)
        )
        if kind == CaseKind.VICTIM and lead_clinician.pk == self.lead.pk:
            lead_clinician = self.victim_clinician
        try:
            case = case_open(referral=referral, kind=kind, lead_clinician=lead_clinician, by=self.lead)
        except CaseRefused as refused:
            self.context.say(f"Cases: {referral.reference} not opened ({refused.message})")
            return None
        opened = timezone.localdate(referral.allocated_at or referral.decided_at or referral.received_at or self.now)
        case.opened_on = min(opened, self.today)
        Case.objects.filter(pk=case.pk).update(opened_on=case.opened_on)
        opened_at = timezone.make_aware(dt.datetime.combine(case.opened_on, dt.time(10, 30)))
        case.status_changes.filter(from_status="").update(at=min(opened_at, self.now))
        return case

    def victims_of(self, case: Case) -> list:
        parties = queries.parties_of(case)
        if case.kind == CaseKind.VICTIM:
            for party in parties:
                if party.role == PartyRole.OTHER and party.relationship_to_subject.lower().startswith(
                    "the person stalking"
                ):
                    records.party_update(
                        party=party,
                        role=PartyRole.PERSON_WHO_STALKS,
                        name_as_given=party.name_as_given,
                        relationship_to_subject=party.relationship_to_subject,
                        by=self.lead,
                    )
            return [p for p in parties if p.role == PartyRole.SUBJECT]
        victims = [p for p in parties if p.role == PartyRole.VICTIM]
        if not victims:
            # The referral named the person stalked as a professional or a colleague: they are the victim.
            targeted = [p for p in parties if p.role in (PartyRole.PROFESSIONAL, PartyRole.COLLEAGUE)]
            for party in targeted[:1]:
                records.party_update(
                    party=party,
                    role=PartyRole.VICTIM,
                    name_as_given=party.name_as_given,
                    relationship_to_subject=party.relationship_to_subject,
                    by=self.lead,
                )
                party.role = PartyRole.VICTIM
                victims.append(party)
        return victims

    def fill(self, case: Case, index: int) -> dict[str, Any]:
        victims = self.victims_of(case)
        stats: dict[str, Any] = {"relationship": None, "threats": False, "violence": False, "escalating": False}
        if not victims:
            return stats
        victim = victims[0]
        text = victim.relationship_to_subject
        if case.kind == CaseKind.VICTIM:
            # "The person stalking them (former partner)": the relationship is in the stalker's party.
            text = " ".join(
                p.relationship_to_subject for p in queries.parties_of(case) if p.role == PartyRole.PERSON_WHO_STALKS
            )
        relationship = relationship_from(text, self.rng)
        stats["relationship"] = relationship
        threats = self.chance(0.6)
        violence = self.chance(0.33 / 0.6) if threats else self.chance(0.05)
        escalating = self.chance(0.3)
        stats.update(threats=threats, violence=violence, escalating=escalating)
        span = self.rng.randint(40, 600)
        started = self.days_ago(span + self.rng.randint(0, 60))
        behaviours = sorted(
            {b for b, _ in self.rng.sample(REMOTE, 3)}
            | ({"threats"} if threats else set())
            | ({"violence"} if violence else set())
            | ({"following"} if self.chance(0.5) else set())
        )
        records.episode_save(
            case=case,
            victim=victim,
            prior_relationship=relationship,
            started_on=started.replace(day=1),
            started_precision="month",
            behaviours=behaviours,
            motivation_in_own_words=self.rng.choice(MOTIVATIONS) if case.kind != CaseKind.VICTIM else "",
            by=self.lead,
        )
        rows = self.timeline(victim, span, threats=threats, violence=violence, escalating=escalating)
        if rows:
            records.incidents_import(case=case, rows=rows, by=self.lead)
        order = None
        if case.kind != CaseKind.VICTIM and self.chance(0.5) or case.kind == CaseKind.VICTIM and self.chance(0.3):
            order = self.order(case, victim, span, index)
        if self.chance(0.3):
            self.hearing(case, order)
        if case.kind == CaseKind.PERPETRATOR and (violence or order is not None) and self.chance(0.3):
            records.mappa_save(
                case=case,
                by=self.lead,
                category=self.rng.choice([2, 2, 2, 3, 1]),
                level=self.rng.choice([1, 2, 2, 3]),
                coordinator_name=self.faker.name(),
                coordinator_email="mappa.coordinator@mappa.example.org",
                coordinator_phone=drama_phone(self.faker.phone_number()),
            )
            records.mappa_meeting_add(
                case=case, by=self.coordinator, meets_on=self.today + dt.timedelta(days=self.rng.randint(3, 60))
            )
        # The referring officer and their agency came with the referral (services._carry).
        return stats

    def timeline(self, victim, span: int, *, threats: bool, violence: bool, escalating: bool) -> list[dict]:
        count = self.rng.choice([3, 5, 8, 12, 18, 25, 40])
        rows = []
        for i in range(count):
            position = i / max(count - 1, 1)
            if escalating:
                # Sparse and remote at first, then more often, closer and more serious.
                day = int(span * (1 - position) ** 0.5) if i < count - 4 else self.rng.randint(0, 25)
                behaviour, channel = self.rng.choice(REMOTE if position < 0.7 else IN_PERSON)
                severity = 1 + int(position * 3)
            else:
                day = self.rng.randint(30, span)
                behaviour, channel = self.rng.choice(REMOTE if self.chance(0.8) else IN_PERSON)
                severity = self.rng.choice([1, 2, 2, 3])
            rows.append(self.row(victim, day, behaviour, channel, severity))
        if threats:
            rows.append(
                self.row(
                    victim,
                    self.rng.randint(30, span) if not escalating else self.rng.randint(26, 50),
                    "threats",
                    self.rng.choice(["text", "phone", "in_person"]),
                    4,
                )
            )
        if violence:
            rows.append(
                self.row(
                    victim,
                    self.rng.randint(0, 20) if escalating else self.rng.randint(20, span),
                    "violence",
                    "in_person",
                    5,
                )
            )
        return rows

    def row(self, victim, days: int, behaviour: str, channel: str, severity: int) -> dict:
        month_only = self.chance(0.1) and days > 60
        occurred = self.days_ago(days)
        exact = not month_only and self.chance(0.4)
        return {
            "occurred_on": occurred.replace(day=1) if month_only else occurred,
            "occurred_time": dt.time(self.rng.randint(0, 23), self.rng.choice([0, 15, 30, 45])) if exact else None,
            "precision": "month" if month_only else ("exact" if exact else "day"),
            "behaviour": behaviour,
            "channel": channel,
            "victim": victim,
            "source": self.rng.choice(["victim", "victim", "police", "probation", "third_party", "subject"]),
            "severity": min(5, max(1, severity)),
            "description": DESCRIPTIONS[behaviour].format(n=self.rng.randint(3, 60)),
            # Where an in-person incident happened (drawn from nothing random, so the rest of the
            # demo stays as it was): near her home, her work, or elsewhere.
            "place": ("home", "work", "other")[days % 3] if channel == "in_person" else "",
        }

    def order(self, case: Case, victim, span: int, index: int):
        status = legal_status_of(case)
        kinds = [k for k in ORDERS_BY_STATUS[status] if case.kind != CaseKind.VICTIM or k in PROTECTIVE_ORDERS]
        if not kinds:
            return None
        kind = self.rng.choice(kinds)
        starts = self.days_ago(self.rng.randint(10, max(11, span // 2)))
        # Every third order ends within the next four weeks, so My work has something to show.
        ends = self.today + dt.timedelta(days=self.rng.randint(2, 27) if index % 3 == 0 else self.rng.randint(60, 700))
        return records.order_add(
            case=case,
            by=self.lead,
            kind=kind,
            issued_by=self.rng.choice(issuers_of(kind, status)),
            starts_on=starts,
            ends_on=ends,
            no_contact=self.chance(0.85),
            exclusion_zone=(zone := self.chance(0.4)),
            zone_places=(["home", "work"] if index % 2 else ["home"]) if zone else [],
            exclusion_zone_details="The streets around her home and workplace, as marked on the order's map",
            attend_treatment=kind in (OrderKind.COMMUNITY_ORDER, OrderKind.LICENCE_CONDITIONS, OrderKind.SPO_FULL),
            other_conditions="",
            protects=[victim],
        )

    def hearing(self, case: Case, order) -> None:
        kinds = list(HEARINGS_BY_STATUS[legal_status_of(case)])
        if order is not None and order.kind == OrderKind.LICENCE_CONDITIONS:
            kinds.append(HearingKind.PAROLE)
        kind = self.rng.choice(kinds)
        records.hearing_add(
            case=case,
            by=self.coordinator,
            kind=kind,
            hearing_on=self.today + dt.timedelta(days=self.rng.randint(1, 45)),
            venue=self.rng.choice(VENUES[kind]),
        )


def _ready(lead) -> list[Referral]:
    return list(
        queries.referrals_ready_to_open(lead).select_related("lead_clinician").prefetch_related("requested_services")
    )


def _barrier_pair(seeder: Seeder) -> None:
    """A person stalked who is a client too: her own victim case, led by the victim-service
    clinician, beside the perpetrator case that names her."""
    if Case.objects.filter(
        kind=CaseKind.VICTIM,
        subject__case_parties__role=PartyRole.VICTIM,
        subject__case_parties__case__kind=CaseKind.PERPETRATOR,
    ).exists():
        return
    candidates = (
        Case.objects.filter(kind=CaseKind.PERPETRATOR, parties__role=PartyRole.VICTIM)
        .exclude(team__user=seeder.victim_clinician)
        .exclude(parties__person__cases__kind=CaseKind.VICTIM)
        .order_by("id")
    )
    perpetrator_case = candidates.first()
    if perpetrator_case is None:
        return
    party = perpetrator_case.parties.filter(role=PartyRole.VICTIM).select_related("person").first()
    assert party is not None  # the candidates were chosen for having a victim party
    referral = seeder.make_referral(
        victim_subject=True,
        victim_person=party.person,
        stalker_person=perpetrator_case.subject,
        relation=party.relationship_to_subject,
    )
    # A clinical lead on neither team opens her case: a lead on his team stands on the far side.
    independent = (
        User.objects.filter(role=Role.CLINICAL_LEAD, is_active=True)
        .exclude(case_teams__case=perpetrator_case)
        .order_by("id")
        .first()
    )
    if independent is None:
        seeder.context.say("Cases: no victim case beside a perpetrator case (no clinical lead is off his team)")
        return
    usual_lead, seeder.lead = seeder.lead, independent
    try:
        case = seeder.open(referral)
        if case is not None:
            seeder.fill(case, 0)
    finally:
        seeder.lead = usual_lead
    if case is not None:
        seeder.context.say(
            f"Cases: {case.reference} (victim) and {perpetrator_case.reference} (perpetrator) "
            "are either side of an information barrier"
        )


def seed(context) -> None:
    coordinator = _staff("coordinator@nsc.example", Role.REFERRALS_COORDINATOR)
    lead = _staff("lead@nsc.example", Role.CLINICAL_LEAD)
    victim_clinician = _staff("victims@nsc.example", Role.CLINICIAN)
    if coordinator is None or lead is None or victim_clinician is None:
        context.say("Cases: skipped (the demo needs a referrals coordinator, a clinical lead and a clinician)")
        return
    existing = Case.objects.count()
    if existing >= TARGET:
        context.say(f"Cases: the demo cases are already there ({existing})")
        return
    clinicians = list(
        User.objects.filter(Q(role=Role.CLINICIAN) | Q(role=Role.CLINICAL_LEAD), is_active=True)
        .exclude(pk=victim_clinician.pk)
        .order_by("id")
    )
    seeder = Seeder(
        context, coordinator=coordinator, lead=lead, victim_clinician=victim_clinician, clinicians=clinicians
    )
    referrals = _ready(lead)
    made: list[Case] = []
    stats = []
    index = attempts = 0
    while existing + len(made) < TARGET - 1 and attempts < TARGET * 3:
        attempts += 1
        referral = referrals.pop(0) if referrals else seeder.make_referral(victim_subject=seeder.chance(0.08))
        case = seeder.open(referral)
        if case is None:
            continue
        stats.append(seeder.fill(case, index))
        made.append(case)
        index += 1
    _barrier_pair(seeder)
    # Some cases are on hold or closed (the latter a while ago).
    for case in made[::9]:
        case_change_status(case=case, to=CaseStatus.ON_HOLD, note="The person is in hospital for some weeks", by=lead)
    for case in made[4::7]:
        case_change_status(case=case, to=CaseStatus.CLOSED, closure_reason=seeder.rng.choice(CLOSURES), by=lead)
        closed_on = max(case.opened_on, seeder.today - dt.timedelta(days=seeder.rng.randint(0, 60)))
        Case.objects.filter(pk=case.pk).update(closed_on=closed_on)
    _summarise(context, stats)


def _summarise(context, stats: list[dict]) -> None:
    with_victim = [s for s in stats if s["relationship"]]
    if not with_victim:
        return
    share = {r: sum(1 for s in with_victim if s["relationship"] == r) * 100 // len(with_victim) for r in Relationship}
    threats = sum(s["threats"] for s in with_victim) * 100 // len(with_victim)
    violence = sum(s["violence"] for s in with_victim) * 100 // len(with_victim)
    context.say(
        f"Cases: {Case.objects.count()} ({share[Relationship.EX_INTIMATE_PARTNER]}% ex-partners, "
        f"{share[Relationship.PROFESSIONAL_CONTACT]}% professional contacts, {share[Relationship.WORKPLACE_CONTACT]}% "
        f"workplace, {share[Relationship.STRANGER]}% strangers; threats {threats}%, violence {violence}%; "
        f"{Case.objects.filter(team__role=TeamRole.LEAD_CLINICIAN).count()} with a lead clinician)"
    )
