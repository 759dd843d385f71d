"""Demo referrals: about 150 synthetic referrals across every channel, service, status and kind of
referring agency, with dates, decisions, letters, allocations and status histories that agree
with one another.

Proportions follow the published figures in docs/domain.md: mostly referrals of the person who
stalks; assessment and reports the most common requests; the people stalked are ex-partners in
about 30% of cases, professional contacts 23%, work contacts 11%, strangers 14%; 79% of the
people who stalk are male; threats in about 63% and assault in 36%; the behaviour lasts from
weeks to years, about a year on average.

Work that needs the Stalking Risk Profile is allocated only to clinicians whose SRP training is
current and began before the allocation (never to someone whose training has expired).

Idempotent: if any referral was made by a demo user, the referrals are already there and
nothing is added. Every name and address is made up by Faker (en_GB).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Field, Q
from django.utils import timezone

from casework.accounts.models import TrainingRecord, User
from casework.core.models import next_reference
from casework.core.roles import Instrument, Role
from casework.demo.accounts import DEMO_AGENCY, DEMO_STAFF
from casework.demo.context import drama_phone
from casework.organisations.models import Organisation, OrganisationKind
from casework.portal.forms import STEPS
from casework.referrals import letters, notify
from casework.referrals.choices import (
    REPORT_SERVICES,
    SRP_SERVICES,
    Channel,
    Decision,
    LegalStatus,
    Offence,
    Order,
    PartyRole,
    Service,
    Setting,
    Status,
    SubjectRole,
)
from casework.referrals.models import (
    DeliveryChannel,
    DeliveryStatus,
    Letter,
    NamedParty,
    Referral,
    RequestedService,
    Transition,
)
from casework.referrals.presenters import as_sent
from casework.referrals.services.intake import REFERENCE_PREFIX
from casework.referrals.services.triage import ACCEPTANCE_TEXT

SUBMITTED_BY_STATUS = {
    Status.RECEIVED: 8,
    Status.SCREENING: 8,
    Status.AWAITING_INFORMATION: 10,
    Status.ACCEPTED: 10,
    Status.ALLOCATED: 50,
    Status.DECLINED: 14,
    Status.WITHDRAWN: 7,
    Status.CLOSED: 38,
}
DRAFTS = 5
KIND_WEIGHTS = {
    OrganisationKind.POLICE_FORCE: 30,
    OrganisationKind.PROBATION: 22,
    OrganisationKind.COURT: 12,
    OrganisationKind.MAPPA_AREA: 8,
    OrganisationKind.NHS_TRUST: 15,
    OrganisationKind.SOCIAL_SERVICES: 8,
    OrganisationKind.OTHER: 5,
}
REFERRER_TITLES: dict[str, list[str]] = {
    OrganisationKind.POLICE_FORCE: ["Detective Constable", "Detective Sergeant", "Stalking clinic liaison officer"],
    OrganisationKind.PROBATION: ["Probation officer", "Senior probation officer"],
    OrganisationKind.COURT: ["Legal adviser", "Court liaison officer"],
    OrganisationKind.MAPPA_AREA: ["MAPPA coordinator"],
    OrganisationKind.NHS_TRUST: ["Consultant psychiatrist", "Community mental health nurse"],
    OrganisationKind.SOCIAL_SERVICES: ["Social worker", "Senior social worker"],
    OrganisationKind.OTHER: ["Independent stalking advocate"],
}
PRISONS = ["HMP Northshire", "HMP Eastmarsh", "HMP Westvale", "HMP & YOI Marshgate"]
FACILITIES = ["Northshire Medium Secure Unit", "Westvale Psychiatric Intensive Care Unit"]

# (relationship, weight %, who the person stalked is to them, party role)
RELATIONSHIPS = [
    (
        "ex_partner",
        30,
        ["Former partner", "Former wife", "Former husband", "Former girlfriend", "Former boyfriend"],
        PartyRole.VICTIM,
    ),
    (
        "professional",
        23,
        [
            "Their GP",
            "Their former therapist",
            "Their solicitor",
            "A teacher at their child's school",
            "Their housing officer",
        ],
        PartyRole.PROFESSIONAL,
    ),
    (
        "acquaintance",
        17,
        ["A neighbour", "A friend from university", "A member of the same gym", "A former friend"],
        PartyRole.VICTIM,
    ),
    (
        "stranger",
        14,
        ["None: a stranger", "None: seen once in a café", "None: a public figure on social media"],
        PartyRole.VICTIM,
    ),
    ("work", 11, ["A colleague", "Their former manager", "A customer at their workplace"], PartyRole.COLLEAGUE),
    ("family", 5, ["Their sister", "Their cousin", "A former stepparent"], PartyRole.VICTIM),
]
BEHAVIOURS = {
    "ex_partner": "After the relationship ended {started}, repeated calls and messages (up to {count} a day), "
    "waiting outside their home and workplace, and contacting their family and new partner.",
    "professional": "Fixated on a professional who saw them {started}: letters and emails to the workplace, "
    "complaints to the regulator, and waiting in the car park.",
    "acquaintance": "Repeated unwanted contact with an acquaintance since {started}: messages on several social "
    "media accounts (up to {count} a day) and turning up uninvited at their home.",
    "stranger": "Following and watching a person they do not know since {started}, including photographs taken "
    "of them and posted online.",
    "work": "Unwanted attention to a colleague since {started}: gifts left at the desk, messages (up to {count} a "
    "day) and following them home after work.",
    "family": "Repeated contact with a family member who had cut off contact {started}: letters, calls and visits.",
}
THREATS = [
    " Threats to harm them if they did not reply.",
    " Threats to kill, sent by text message.",
    " Threats to share intimate images.",
    " Threats to harm their new partner.",
]
ASSAULTS = [
    " Pushed them to the ground outside their home.",
    " Assaulted their new partner.",
    " Damaged their car and broke a window at their home.",
]
DECLINE_REASONS = [
    (
        "Stalking, harassment or threat is not a significant part of the case: the referral describes a single "
        "argument between neighbours.",
        "not_significant",
    ),
    (
        "The request is for a general violence risk assessment, which the local forensic mental health service "
        "provides. The clinic assesses stalking, harassment and threat.",
        "",
    ),
    ("The subject lives in Scotland, where the clinic cannot see them. We can suggest a service near them.", ""),
    (
        "Treatment for the person who stalks is offered at first only under compulsion, and no order requires it. "
        "Please refer again for assessment if that would help.",
        "",
    ),
]
INFORMATION_REQUESTS = [
    "The police summary of the case (MG5) and the subject's list of previous convictions.",
    "The letter of instruction and the date the report is needed by.",
    "The name of the prison and the subject's prison number, so that we can book a visit.",
    "The conditions of the order in force, so that we can check treatment would be under compulsion.",
]
WITHDRAW_REASONS = [
    "The referrer withdrew the referral: the case was discontinued.",
    "The referrer withdrew the referral: the subject moved out of the area.",
    "The referrer withdrew the referral: the court no longer needs the report.",
]
CLOSE_REASONS = {
    Status.ALLOCATED: [
        "Report issued to the referrer",
        "Assessment completed and advice given",
        "Treatment programme completed",
        "Consultation completed",
    ],
    Status.DECLINED: ["Declined: no further action"],
    Status.WITHDRAWN: ["Withdrawn: no further action"],
    Status.AWAITING_INFORMATION: ["The information asked for did not arrive: closed"],
}

DEMO_DELIVERY: dict[str, DeliveryStatus] = {
    DeliveryChannel.EMAIL: DeliveryStatus.DELIVERED,
    DeliveryChannel.POST: DeliveryStatus.POSTED,
}


# The agency portal's question pages in order, with the fields each asks. A demo draft left at a
# page has that page and the ones after it unanswered.
PORTAL_PAGES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (step.slug, tuple(step.form_class.base_fields) if step.form_class else ()) for step in STEPS
)


@dataclass
class Plan:
    """One demo referral before it is written: its fields, and its history as (status, at, reason)."""

    fields: dict[str, Any]
    services: list[str]
    parties: list[dict[str, Any]]
    received_at: dt.datetime | None
    history: list[tuple[Status, dt.datetime, str, Any]] = field(default_factory=list)
    letters: list[tuple[str, dt.datetime, str, Any]] = field(default_factory=list)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


class Builder:
    def __init__(self, context, organisations, staff, agency_users) -> None:
        self.context = context
        self.rng = context.rng
        self.faker = context.faker
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.organisations = organisations
        self.by_kind: dict[str, list[Organisation]] = {}
        for organisation in organisations:
            self.by_kind.setdefault(organisation.kind, []).append(organisation)
        self.agency_by_organisation = {u.organisation_id: u for u in agency_users}
        self.coordinators = [u for u in staff if u.role == Role.REFERRALS_COORDINATOR]
        self.leads = [u for u in staff if u.role == Role.CLINICAL_LEAD]
        self.srp_from = self._current_srp(staff)
        self.victim_clinicians = [u for u in self.srp_from if u.email.startswith("victims@")]
        self.perpetrator_clinicians = [u for u in self.srp_from if u not in self.victim_clinicians]
        self.waiting = 0

    # --- Helpers ---------------------------------------------------------------------------

    def _current_srp(self, staff) -> dict[User, dt.date]:
        """Clinical staff whose SRP training is current, with the day it began."""
        clinical = [u for u in staff if u.role in (Role.CLINICIAN, Role.CLINICAL_LEAD)]
        records = TrainingRecord.objects.filter(
            user__in=clinical, instrument=Instrument.SRP, trained_on__lte=self.today
        )
        records = records.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=self.today))
        found: dict[User, dt.date] = {}
        by_id = {u.pk: u for u in clinical}
        for record in records.order_by("trained_on"):
            found.setdefault(by_id[record.user_id], record.trained_on)
        return found

    def pick(self, weighted: dict[Any, int]) -> Any:
        return self.rng.choices(list(weighted), weights=list(weighted.values()))[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def moment(self, days_ago: float) -> dt.datetime:
        """A time during the working day ``days_ago`` days ago, never in the future. A time today
        that has not come yet becomes a time in the last ten hours instead, drawn like the others,
        so that two referrals never share a moment of arrival (references follow arrival)."""
        day = self.today - dt.timedelta(days=int(days_ago))
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(self.rng.randint(8, 17), self.rng.randint(0, 59))))
        if at > self.now - dt.timedelta(minutes=5):
            at = self.now - dt.timedelta(minutes=5, seconds=self.rng.randint(1, 10 * 3600))
        return at

    def later(self, at: dt.datetime, low: float, high: float) -> dt.datetime:
        """A working-hours moment ``low``–``high`` days after ``at``, never in the future."""
        days = self.rng.uniform(low, high)
        nxt = at + dt.timedelta(days=days)
        nxt = nxt.replace(hour=self.rng.randint(8, 17), minute=self.rng.randint(0, 59))
        if nxt <= at:
            nxt = at + dt.timedelta(hours=1)
        return min(nxt, self.now - dt.timedelta(minutes=1))

    def duration(self) -> str:
        """Weeks to years, about a year on average (log-normal, median about 8 months)."""
        months = min(max(math.exp(self.rng.gauss(math.log(8), 0.9)), 1), 240)
        if months < 2:
            return f"{max(4, round(months * 4.3))} weeks"
        if months < 24:
            return f"{round(months)} months"
        return f"{round(months / 12)} years"

    # --- One referral's content -------------------------------------------------------------

    def organisation_for(self, index: int) -> Organisation:
        kinds = [k for k in KIND_WEIGHTS if self.by_kind.get(k)]
        if index < len(kinds):  # every kind of agency refers at least once
            return self.by_kind[kinds[index]][0]
        kind = self.pick({k: w for k, w in KIND_WEIGHTS.items() if self.by_kind.get(k)})
        return self.rng.choice(self.by_kind[kind])

    def services_for(self, kind: str, victim: bool) -> list[str]:
        S = Service
        if victim:
            return [S.VICTIM_ASSESSMENT, *([S.VICTIM_TREATMENT] if self.chance(0.5) else [])]
        weights: dict[str, dict[tuple[Service, ...], int]] = {
            OrganisationKind.COURT: {
                (S.STALKER_ASSESSMENT, S.REPORT_SENTENCING): 7,
                (S.STALKER_ASSESSMENT, S.REPORT_BAIL): 3,
            },
            OrganisationKind.PROBATION: {
                (S.STALKER_ASSESSMENT, S.REPORT_PAROLE): 35,
                (S.STALKER_TREATMENT,): 20,
                (S.STALKER_ASSESSMENT, S.STALKER_TREATMENT): 15,
                (S.STALKER_ASSESSMENT,): 20,
                (S.STALKER_ASSESSMENT, S.REPORT_SENTENCING): 10,
            },
            OrganisationKind.POLICE_FORCE: {
                (S.STALKER_ASSESSMENT, S.REPORT_POLICE): 40,
                (S.CONSULTATION,): 35,
                (S.STALKER_ASSESSMENT,): 25,
            },
            OrganisationKind.MAPPA_AREA: {(S.STALKER_ASSESSMENT, S.REPORT_MAPPA): 8, (S.CONSULTATION,): 2},
            OrganisationKind.NHS_TRUST: {
                (S.STALKER_ASSESSMENT, S.REPORT_RISK_ADVICE): 5,
                (S.CONSULTATION,): 3,
                (S.STALKER_ASSESSMENT,): 2,
            },
            OrganisationKind.SOCIAL_SERVICES: {(S.REPORT_RISK_ADVICE,): 5, (S.CONSULTATION,): 5},
            OrganisationKind.OTHER: {(S.CONSULTATION,): 1},
        }
        return [s.value for s in self.pick(weights[kind])]

    def legal_for(self, services: set[str], victim: bool) -> tuple[str, list[str], str, list[str]]:
        S, L = Service, LegalStatus
        if S.REPORT_SENTENCING in services or S.REPORT_PAROLE in services or S.REPORT_MAPPA in services:
            status = L.CONVICTED
        elif S.REPORT_BAIL in services:
            status = L.CHARGED
        elif S.STALKER_TREATMENT in services:
            status = self.pick({L.CONVICTED: 8, L.CHARGED: 2})
        elif S.CONSULTATION in services:
            status = self.pick({L.NONE: 6, L.UNDER_INVESTIGATION: 4})
        elif S.REPORT_POLICE in services:
            status = self.pick({L.UNDER_INVESTIGATION: 6, L.CHARGED: 4})
        elif victim:
            status = self.pick({L.NONE: 3, L.UNDER_INVESTIGATION: 3, L.CHARGED: 2, L.CONVICTED: 2})
        else:
            status = self.pick({L.NONE: 2, L.UNDER_INVESTIGATION: 3, L.CHARGED: 2, L.CONVICTED: 3})
        offences: list[str] = []
        other = ""
        if status in (L.CHARGED, L.CONVICTED, L.UNDER_INVESTIGATION):
            offences = [
                self.pick(
                    {
                        Offence.PHA_S2A: 35,
                        Offence.PHA_S4A: 35,
                        Offence.PHA_S2: 10,
                        Offence.PHA_S4: 10,
                        Offence.OTHER: 10,
                    }
                ).value
            ]
            if offences == [Offence.OTHER]:
                other = self.rng.choice(
                    ["Malicious communications", "Breach of a restraining order", "Criminal damage"]
                )
        orders: list[str] = []
        if S.STALKER_TREATMENT in services:
            orders.append(
                self.pick(
                    {Order.COMMUNITY_ORDER_REQUIREMENT: 5, Order.LICENCE_CONDITIONS: 3}
                    if status == L.CONVICTED
                    else {Order.BAIL_CONDITIONS: 1}
                ).value
            )
        if status == L.CHARGED and Order.BAIL_CONDITIONS not in orders and self.chance(0.5):
            orders.append(Order.BAIL_CONDITIONS.value)
        if status == L.CONVICTED and self.chance(0.4):
            orders.append(Order.RESTRAINING_ORDER.value)
        if status in (L.NONE, L.UNDER_INVESTIGATION) and self.chance(0.3):
            orders.append(Order.STALKING_PROTECTION_ORDER.value)
        if victim and self.chance(0.2):
            orders.append(Order.NON_MOLESTATION_ORDER.value)
        if S.REPORT_PAROLE in services and self.chance(0.3):
            orders.append(Order.LICENCE_CONDITIONS.value)
        return status, offences, other, sorted(set(orders))

    def setting_for(self, services: set[str], kind: str) -> dict[str, str]:
        S = Service
        if (
            S.REPORT_PAROLE in services
            or (S.REPORT_BAIL in services and self.chance(0.6))
            or (S.REPORT_SENTENCING in services and self.chance(0.4))
        ):
            number = (
                f"{self.rng.choice('ABG')}{self.rng.randint(1000, 9999)}"
                f"{self.rng.choice('ABCDEFGHJKLMNPRSTVWXYZ')}{self.rng.choice('ABCDEFGHJKLMNPRSTVWXYZ')}"
            )
            return {
                "assessment_setting": Setting.CUSTODY,
                "custody_establishment": self.rng.choice(PRISONS),
                "prison_number": number,
            }
        if kind == OrganisationKind.NHS_TRUST and S.STALKER_TREATMENT not in services and self.chance(0.3):
            return {"assessment_setting": Setting.MENTAL_HEALTH_FACILITY, "facility_name": self.rng.choice(FACILITIES)}
        return {"assessment_setting": Setting.COMMUNITY}

    def people(self, victim: bool) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
        """The subject's fields, the named parties, and the behaviour text."""
        relationship, _, relations, party_role = self.rng.choices(RELATIONSHIPS, weights=[r[1] for r in RELATIONSHIPS])[
            0
        ]
        male_stalker = self.chance(0.79)
        stalker_first = self.faker.first_name_male() if male_stalker else self.faker.first_name_female()
        target_first = (
            self.faker.first_name_female() if (male_stalker or self.chance(0.3)) else self.faker.first_name_male()
        )
        stalker = {"given": stalker_first, "family": self.faker.last_name()}
        target = {"given": target_first, "family": self.faker.last_name()}
        started = self.rng.choice(
            [
                "last spring",
                "in the summer",
                "two years ago",
                "at the start of the year",
                "after a complaint about them",
            ]
        )
        text = BEHAVIOURS[relationship].format(started=started, count=self.rng.randint(5, 80))
        if self.chance(0.63):
            text += self.rng.choice(THREATS)
        if self.chance(0.36):
            text += self.rng.choice(ASSAULTS)
        age = self.rng.randint(19, 68)
        birth = self.today - dt.timedelta(days=age * 365 + self.rng.randint(0, 364))
        address = f"Lives at {self.faker.street_address()}, {self.faker.city()} {self.faker.postcode()}."
        relation = self.rng.choice(relations)
        if victim:
            subject = {
                "subject_role": SubjectRole.VICTIM,
                "subject_given_name": target["given"],
                "subject_family_name": target["family"],
                "subject_date_of_birth": birth,
                "subject_details": address,
            }
            parties = [
                {
                    "role": PartyRole.OTHER,
                    "name": f"{stalker['given']} {stalker['family']}",
                    "relationship_to_subject": f"The person stalking them ({relation.lower()})",
                    "details": "Details held by the police.",
                }
            ]
        else:
            subject = {
                "subject_role": SubjectRole.PERPETRATOR,
                "subject_given_name": stalker["given"],
                "subject_family_name": stalker["family"],
                "subject_date_of_birth": birth,
                "subject_details": address,
            }
            parties = [
                {
                    "role": party_role,
                    "name": f"{target['given']} {target['family']}",
                    "relationship_to_subject": relation,
                    "details": "",
                }
            ]
            if relationship == "ex_partner" and self.chance(0.35):
                parties.append(
                    {
                        "role": PartyRole.NEW_PARTNER,
                        "name": self.faker.name(),
                        "relationship_to_subject": "The new partner of the person stalked",
                        "details": "",
                    }
                )
            if self.chance(0.2):
                parties.append(
                    {
                        "role": PartyRole.FAMILY_MEMBER,
                        "name": self.faker.name(),
                        "relationship_to_subject": "A family member of the person stalked",
                        "details": "",
                    }
                )
        return subject, parties, text

    def referrer(self, organisation: Organisation, channel: str) -> dict[str, Any]:
        if channel == Channel.PORTAL:
            user = self.agency_by_organisation[organisation.pk]
            return {
                "referrer_user": user,
                "referrer_name": user.full_name,
                "referrer_job_title": user.job_title,
                "referrer_email": user.email,
                "referrer_phone": user.phone,
            }
        first, last = self.faker.first_name(), self.faker.last_name()
        domain = (organisation.email or "referrals@agency.example.org").split("@")[-1]
        return {
            "referrer_name": f"{first} {last}",
            "referrer_job_title": self.rng.choice(REFERRER_TITLES[organisation.kind]),
            "referrer_email": f"{first}.{last}@{domain}".lower(),
            "referrer_phone": drama_phone(self.faker.phone_number()),
        }

    def channel_for(self, organisation: Organisation, index: int) -> str:
        forced = [Channel.PHONE, Channel.POST, Channel.EMAIL, Channel.PORTAL]
        if index < len(forced) and (forced[index] != Channel.PORTAL or organisation.pk in self.agency_by_organisation):
            return forced[index]
        if organisation.pk in self.agency_by_organisation and self.chance(0.45):
            return Channel.PORTAL
        return self.pick({Channel.EMAIL: 60, Channel.PHONE: 25, Channel.POST: 15})

    def content(
        self, index: int, organisation: Organisation | None = None
    ) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
        organisation = organisation or self.organisation_for(index)
        victim = organisation.kind in (
            OrganisationKind.POLICE_FORCE,
            OrganisationKind.NHS_TRUST,
            OrganisationKind.SOCIAL_SERVICES,
            OrganisationKind.OTHER,
        ) and self.chance(0.12)
        if organisation.kind == OrganisationKind.OTHER:
            victim = self.chance(0.6)
        services = self.services_for(organisation.kind, victim)
        subject, parties, behaviour = self.people(victim)
        legal_status, offences, other, orders = self.legal_for(set(services), victim)
        channel = self.channel_for(organisation, index)
        commissioner = organisation
        if organisation.kind == OrganisationKind.COURT and self.by_kind.get(OrganisationKind.PROBATION):
            commissioner = self.rng.choice(self.by_kind[OrganisationKind.PROBATION])
        fields = {
            "received_via": channel,
            "referring_organisation": organisation,
            **self.referrer(organisation, channel),
            **subject,
            "behaviour_summary": behaviour,
            "behaviour_duration": self.duration(),
            "stalking_significant": True,
            "legal_status": legal_status,
            "offences": offences,
            "other_offences": other,
            "orders_in_force": orders,
            **self.setting_for(set(services), organisation.kind),
            "commissioner": commissioner,
            "purchase_order": f"PO-{self.rng.randint(100000, 999999)}" if self.chance(0.6) else "",
            "contract_reference": f"NSC-{organisation.pk:03d}-{self.today.year}" if self.chance(0.4) else "",
        }
        return fields, services, parties

    # --- Histories ----------------------------------------------------------------------------

    def clinicians_for(self, services: list[str], at: dt.datetime) -> list[User]:
        pool = (
            self.victim_clinicians
            if not set(services) & SRP_SERVICES and self.victim_clinicians
            else self.perpetrator_clinicians
        )
        return [u for u in pool if self.srp_from[u] <= timezone.localdate(at)]

    def plan(self, index: int, status: Status) -> Plan:
        fields, services, parties = self.content(index)
        coordinator = self.rng.choice(self.coordinators)
        lead = self.rng.choice(self.leads) if self.leads else coordinator
        allocatable_since = max((self.today - min(self.srp_from.values())).days if self.srp_from else 0, 160)
        # When it arrived, by the path its status implies.
        if status == Status.RECEIVED:
            received = self.moment(self.rng.uniform(0, 6))
        elif status == Status.SCREENING:
            received = self.moment(self.rng.uniform(2, 14))
        elif status == Status.AWAITING_INFORMATION:
            # Half have waited well over ten working days for the information asked for.
            self.waiting += 1
            received = self.moment(self.rng.uniform(22, 45) if self.waiting % 2 else self.rng.uniform(6, 12))
        elif status == Status.ACCEPTED:
            received = self.moment(self.rng.uniform(8, 40))
        elif status == Status.ALLOCATED:
            received = self.moment(self.rng.uniform(25, min(300, allocatable_since - 10)))
        elif status == Status.CLOSED and self.chance(0.7):
            # Closed after the work was done.
            received = self.moment(self.rng.uniform(120, min(540, allocatable_since - 30)))
            return self._history(
                fields, services, parties, received, Status.CLOSED, coordinator, lead, before_close=Status.ALLOCATED
            )
        else:
            received = self.moment(self.rng.uniform(20, 540))
        before_close = None
        if status == Status.CLOSED:
            before_close = self.rng.choice([Status.DECLINED, Status.WITHDRAWN, Status.AWAITING_INFORMATION])
        return self._history(fields, services, parties, received, status, coordinator, lead, before_close=before_close)

    def _history(self, fields, services, parties, received, status, coordinator, lead, before_close=None) -> Plan:
        plan = Plan(fields=fields, services=services, parties=parties, received_at=received)
        submitter = fields.get("referrer_user") or coordinator
        channel = Channel(fields["received_via"])
        first_reason = (
            "Submitted through the agency portal"
            if channel == Channel.PORTAL
            else f"Logged from {channel.label.lower()}"
        )
        plan.history.append((Status.RECEIVED, received, first_reason, submitter))
        plan.created_at = (
            received - dt.timedelta(minutes=self.rng.randint(10, 90)) if channel == Channel.PORTAL else received
        )
        target = before_close or status
        if target == Status.RECEIVED:
            self._dates(plan, status)
            return plan
        at = self.later(received, 0.1, 2)
        plan.history.append((Status.SCREENING, at, "Screening started", coordinator))
        if target == Status.SCREENING:
            self._dates(plan, status)
            return plan
        if target == Status.WITHDRAWN and self.chance(0.5):
            at = self.later(at, 1, 10)
            plan.history.append((Status.WITHDRAWN, at, self.rng.choice(WITHDRAW_REASONS), coordinator))
            return self._close(plan, status, at, coordinator)
        if target == Status.AWAITING_INFORMATION or (
            target in (Status.ACCEPTED, Status.ALLOCATED) and self.chance(0.3)
        ):
            at = self.later(at, 1, 3)
            reason = self.rng.choice(INFORMATION_REQUESTS)
            plan.history.append((Status.AWAITING_INFORMATION, at, reason, coordinator))
            plan.fields.update(
                {
                    "decision": Decision.REQUEST_INFORMATION,
                    "decision_reason": reason,
                    "decided_by": coordinator,
                    "information_requested_at": at,
                }
            )
            plan.letters.append((Letter.Kind.INFORMATION_REQUEST, at, reason, coordinator))
            if target == Status.AWAITING_INFORMATION:
                if status == Status.CLOSED:
                    at = self.later(at, 30, 45)
                    plan.history.append(
                        (Status.CLOSED, at, self.rng.choice(CLOSE_REASONS[Status.AWAITING_INFORMATION]), coordinator)
                    )
                self._dates(plan, status)
                return plan
            at = self.later(at, 2, 9)
            plan.history.append((Status.SCREENING, at, "Information received", coordinator))
        if target == Status.DECLINED:
            at = self.later(at, 1, 12)
            reason, flag = self.rng.choice(DECLINE_REASONS)
            if flag == "not_significant":
                plan.fields["stalking_significant"] = False
            plan.history.append((Status.DECLINED, at, reason, coordinator))
            plan.fields.update(
                {
                    "decision": Decision.DECLINE,
                    "decision_reason": reason,
                    "decided_at": at,
                    "decided_by": coordinator,
                    "accepted_services": [],
                }
            )
            plan.letters.append((Letter.Kind.DECLINE, at, reason, coordinator))
            return self._close(plan, status, at, coordinator)
        at = self.later(at, 1, 12)
        decider = self.rng.choice([coordinator, lead])
        plan.history.append((Status.ACCEPTED, at, "Meets the clinic's criteria", decider))
        plan.fields.update(
            {
                "decision": Decision.ACCEPT,
                "decision_reason": "Meets the clinic's criteria",
                "decided_at": at,
                "decided_by": decider,
                "accepted_services": list(plan.services),
            }
        )
        plan.letters.append((Letter.Kind.ACCEPTANCE, at, ACCEPTANCE_TEXT, decider))
        if target == Status.WITHDRAWN:
            at = self.later(at, 2, 15)
            plan.history.append((Status.WITHDRAWN, at, self.rng.choice(WITHDRAW_REASONS), coordinator))
            return self._close(plan, status, at, coordinator)
        if target == Status.ACCEPTED:
            self._dates(plan, status)
            return plan
        at = self.later(at, 2, 15)
        clinicians = self.clinicians_for(plan.services, at)
        if not clinicians:  # no one trained yet at that date: it waits, accepted
            self._dates(plan, Status.ACCEPTED)
            return plan
        clinician = self.rng.choice(clinicians)
        others = [
            c for c in self.clinicians_for(plan.services, at) if c != clinician and c in self.perpetrator_clinicians
        ]
        second = self.rng.choice(others) if others and set(plan.services) & SRP_SERVICES and self.chance(0.3) else None
        plan.history.append((Status.ALLOCATED, at, "Allocated", lead))
        plan.fields.update({"lead_clinician": clinician, "second_assessor": second, "allocated_at": at})
        if status == Status.CLOSED:
            at = self.later(at, 20, 90)
            plan.history.append((Status.CLOSED, at, self.rng.choice(CLOSE_REASONS[Status.ALLOCATED]), clinician))
        self._dates(plan, status)
        return plan

    def _close(self, plan: Plan, status: Status, at: dt.datetime, by) -> Plan:
        if status == Status.CLOSED:
            before = plan.history[-1][0]
            at = self.later(at, 3, 30)
            plan.history.append((Status.CLOSED, at, self.rng.choice(CLOSE_REASONS[before]), by))
        self._dates(plan, status)
        return plan

    def _dates(self, plan: Plan, status: Status) -> None:
        """Report, hearing and parole dates that fit the services and where the referral has got to."""
        services = set(plan.services)
        if not services & REPORT_SERVICES:
            return
        received = timezone.localdate(plan.received_at)
        if status in (Status.CLOSED, Status.DECLINED, Status.WITHDRAWN):
            due = received + dt.timedelta(days=self.rng.randint(42, 90))
        else:
            roll = self.rng.random()
            if status == Status.ALLOCATED and roll < 0.12:
                due = self.today - dt.timedelta(days=self.rng.randint(1, 10))  # overdue
            elif roll < 0.35:
                due = self.today + dt.timedelta(days=self.rng.randint(1, 13))  # due within two weeks
            else:
                due = self.today + dt.timedelta(days=self.rng.randint(15, 75))
            due = max(due, received + dt.timedelta(days=14))
        plan.fields["report_due_on"] = due
        if services & {Service.REPORT_SENTENCING, Service.REPORT_BAIL}:
            plan.fields["next_hearing_on"] = due + dt.timedelta(days=self.rng.randint(3, 14))
        if Service.REPORT_PAROLE in services:
            plan.fields["parole_hearing_on"] = due + dt.timedelta(days=self.rng.randint(14, 60))

    # --- Drafts -------------------------------------------------------------------------------------

    def draft(self, index: int) -> Plan:
        """A portal draft left part-way: the pages from where it was left on are unanswered."""
        users = list(self.agency_by_organisation.values())
        user = users[index % len(users)]
        fields, services, parties = self.content(index + 100, organisation=user.organisation)
        fields.update(received_via=Channel.PORTAL, **self.referrer(user.organisation, Channel.PORTAL))
        step = ["subject", "behaviour", "legal", "dates", "check"][index % 5]
        if set(services) & REPORT_SERVICES:
            fields["report_due_on"] = self.today + dt.timedelta(days=self.rng.randint(20, 60))
        slugs = [slug for slug, _ in PORTAL_PAGES]
        for slug, asked in PORTAL_PAGES[slugs.index(step) if step in slugs else len(slugs) :]:
            if slug == "parties":
                parties = []
            elif slug != "contact":  # the portal fills the contact details in from the user
                for name in asked:
                    model_field = Referral._meta.get_field(name)
                    assert isinstance(model_field, Field)  # the portal asks for the referral's own fields
                    fields[name] = model_field.get_default()
        fields["portal_step"] = step
        plan = Plan(fields=fields, services=services, parties=parties, received_at=None)
        plan.created_at = self.moment(self.rng.uniform(1, 20))
        plan.updated_at = plan.created_at + dt.timedelta(minutes=self.rng.randint(5, 120))
        return plan


def _demo_users(context) -> tuple[list[User], list[User]]:
    staff = context.made.get("staff") or list(User.objects.filter(email__in=[row[0] for row in DEMO_STAFF]))
    agency = context.made.get("agency_users") or list(User.objects.filter(email__in=[row[0] for row in DEMO_AGENCY]))
    return staff, agency


def _write(plan: Plan, created_by) -> Referral:
    history = plan.history
    status = history[-1][0] if history else Status.DRAFT
    referral = Referral(status=status, received_at=plan.received_at, created_by=created_by, **plan.fields)
    if status != Status.DRAFT:
        referral.reference = next_reference(REFERENCE_PREFIX, when=timezone.localdate(plan.received_at))
    referral.save()
    RequestedService.objects.bulk_create(RequestedService(referral=referral, service=s) for s in plan.services)
    NamedParty.objects.bulk_create(NamedParty(referral=referral, **p) for p in plan.parties)
    previous = Status.DRAFT
    steps = []
    for to_status, at, reason, by in history:
        steps.append(
            Transition(referral=referral, from_status=previous, to_status=to_status, at=at, reason=reason, by=by)
        )
        previous = to_status
    Transition.objects.bulk_create(steps)
    for kind, at, reason, by in plan.letters:
        letter = Letter(
            referral=referral,
            kind=kind,
            issued_by=by,
            issued_at=at,
            body_html=letters.render_letter_html(referral=referral, kind=kind, reason=reason, by=by, issued_at=at),
        )
        # As GOV.UK Notify would have reported it (the demo sends nothing for letters of the past).
        letter.delivery_channel = notify.channel_for(letter)
        letter.delivery_status = DEMO_DELIVERY.get(letter.delivery_channel, DeliveryStatus.NO_ADDRESS)
        letter.delivery_updated_at = at + dt.timedelta(minutes=5)
        if letter.delivery_channel:
            # Handed to Notify when its answer was recorded (as migration referrals 0008 backfills).
            letter.sent_at = letter.delivery_updated_at
        letter.save()
    last = history[-1][1] if history else plan.updated_at
    Referral.objects.filter(pk=referral.pk).update(created_at=plan.created_at, updated_at=last)
    return referral


def _arrival(plan: Plan) -> dt.datetime:
    assert plan.received_at is not None  # every submitted referral was received
    return plan.received_at


def seed(context) -> None:
    staff, agency = _demo_users(context)
    if Referral.objects.filter(created_by__in=[*staff, *agency]).exists():
        context.say("Referrals: the demo referrals are already there")
        return
    organisations = context.made.get("organisations") or list(Organisation.objects.filter(is_active=True))
    builder = Builder(context, organisations, staff, agency)
    statuses = [status for status, count in SUBMITTED_BY_STATUS.items() for _ in range(count)]
    context.rng.shuffle(statuses)
    plans = [builder.plan(index, status) for index, status in enumerate(statuses)]
    # References are given in the order the referrals arrived, as they would have been.
    plans.sort(key=_arrival)
    made = []
    for plan in plans:
        creator = plan.fields.get("referrer_user") or plan.history[0][3]
        made.append(_write(plan, creator))
    for index in range(DRAFTS):
        plan = builder.draft(index)
        made.append(_write(plan, plan.fields["referrer_user"]))
    # Keep what each referrer sent, as the intake services do on receipt.
    for referral in made:
        if referral.status != Status.DRAFT:
            Referral.objects.filter(pk=referral.pk).update(as_sent=as_sent(referral))
    context.made["referrals"] = made
    context.say(f"Referrals: {len(made)} ({DRAFTS} drafts)")
