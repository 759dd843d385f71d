"""The vocabularies a case uses. Labels are what staff read."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from casework.access import vocabulary
from casework.core.workflow import Workflow


class CaseKind(models.TextChoices):
    PERPETRATOR = vocabulary.PERPETRATOR_CASE, "Perpetrator case"
    VICTIM = vocabulary.VICTIM_CASE, "Victim case"
    CONSULTATION = vocabulary.CONSULTATION_CASE, "Consultation"


KIND_HINTS = {
    CaseKind.PERPETRATOR: "Assessment, reports or treatment of the person who stalks",
    CaseKind.VICTIM: "Assessment or treatment of the person who is stalked",
    CaseKind.CONSULTATION: "Advice to an agency on a problem case",
}


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    ON_HOLD = "on_hold", "On hold"
    CLOSED = "closed", "Closed"


STATUS_TAG_COLOUR = {CaseStatus.OPEN: "green", CaseStatus.ON_HOLD: "yellow", CaseStatus.CLOSED: "grey"}

# Which status a case may move to from each status (by hand, from the case page).
STATUS_MOVES = {
    CaseStatus.OPEN: (CaseStatus.ON_HOLD, CaseStatus.CLOSED),
    CaseStatus.ON_HOLD: (CaseStatus.OPEN, CaseStatus.CLOSED),
    CaseStatus.CLOSED: (CaseStatus.OPEN,),
}
STATUS_WORKFLOW = Workflow("case", CaseStatus, STATUS_MOVES, field_name="to")
ACTIVE_STATUSES = (CaseStatus.OPEN, CaseStatus.ON_HOLD)


class ClosureReason(models.TextChoices):
    WORK_COMPLETED = "work_completed", "The work asked for is complete"
    DISCHARGED = "discharged", "Discharged at the end of treatment"
    WITHDRAWN = "withdrawn", "The referrer withdrew the request"
    DID_NOT_ENGAGE = "did_not_engage", "The person did not engage"
    TRANSFERRED = "transferred", "Transferred to another service"
    DIED = "died", "The person died"
    OTHER = "other", "Another reason"


class TeamRole(models.TextChoices):
    LEAD_CLINICIAN = vocabulary.LEAD_CLINICIAN, "Lead clinician"
    CLINICIAN = "clinician", "Clinician"


class PartyRole(models.TextChoices):
    SUBJECT = vocabulary.SUBJECT_PARTY, "Subject of the case"
    VICTIM = vocabulary.VICTIM_PARTY, "Victim"
    PERSON_WHO_STALKS = vocabulary.STALKER_PARTY, "Person who stalks"
    FAMILY_MEMBER = "family_member", "Family member"
    NEW_PARTNER = "new_partner", "New partner"
    COLLEAGUE = "colleague", "Colleague"
    PROFESSIONAL = "professional", "Professional targeted"
    OTHER = "other", "Other involved person"


# Roles a user may give a party (the subject is set when the case opens).
PARTY_ROLES = [(r.value, r.label) for r in PartyRole if r is not PartyRole.SUBJECT]

# A referral's named party roles, as case party roles.
REFERRAL_PARTY_ROLES = {
    "victim": PartyRole.VICTIM,
    "family_member": PartyRole.FAMILY_MEMBER,
    "new_partner": PartyRole.NEW_PARTNER,
    "colleague": PartyRole.COLLEAGUE,
    "professional": PartyRole.PROFESSIONAL,
    "other": PartyRole.OTHER,
}


class Relationship(models.TextChoices):
    """The prior relationship of the person stalked to the person who stalks."""

    EX_INTIMATE_PARTNER = "ex_intimate_partner", "Ex-intimate partner"
    FAMILY_MEMBER = "family_member", "Family member"
    FRIEND_OR_ACQUAINTANCE = "friend_or_acquaintance", "Friend or acquaintance"
    WORKPLACE_CONTACT = "workplace_contact", "Workplace contact"
    PROFESSIONAL_CONTACT = "professional_contact", "Professional contact (such as a clinician or lawyer)"
    PUBLIC_FIGURE = "public_figure", "Public figure"
    STRANGER = "stranger", "Stranger"
    ONLINE_ONLY = "online_only", "Online-only contact"


class Behaviour(models.TextChoices):
    FOLLOWING = "following", "Following"
    LOITERING = "loitering", "Loitering"
    APPROACHING = "approaching", "Approaching"
    PHONE = "phone", "Unwanted contact by phone"
    TEXT = "text", "Unwanted contact by text message"
    EMAIL = "email", "Unwanted contact by email"
    SOCIAL_MEDIA = "social_media", "Unwanted contact on social media"
    LETTERS_OR_GIFTS = "letters_or_gifts", "Letters or gifts"
    MONITORING = "monitoring", "Monitoring or tracking"
    ACCESSING_ACCOUNTS = "accessing_accounts", "Accessing accounts"
    CONTACTING_THIRD_PARTIES = "contacting_third_parties", "Contacting third parties"
    PROPERTY_DAMAGE = "property_damage", "Property damage"
    THREATS = "threats", "Threats"
    VIOLENCE = "violence", "Violence"
    SEXUAL_VIOLENCE = "sexual_violence", "Sexual violence"


# Behaviours that need the person who stalks to be physically there (docs/escalation-rule.md).
IN_PERSON_BEHAVIOURS = frozenset(
    {
        Behaviour.FOLLOWING,
        Behaviour.LOITERING,
        Behaviour.APPROACHING,
        Behaviour.PROPERTY_DAMAGE,
        Behaviour.VIOLENCE,
        Behaviour.SEXUAL_VIOLENCE,
    }
)
VIOLENT_BEHAVIOURS = frozenset({Behaviour.VIOLENCE, Behaviour.SEXUAL_VIOLENCE})
# Contact, direct or through others, that a no-contact condition forbids.
CONTACT_BEHAVIOURS = frozenset(
    {
        Behaviour.APPROACHING,
        Behaviour.PHONE,
        Behaviour.TEXT,
        Behaviour.EMAIL,
        Behaviour.SOCIAL_MEDIA,
        Behaviour.LETTERS_OR_GIFTS,
        Behaviour.CONTACTING_THIRD_PARTIES,
        Behaviour.THREATS,
        Behaviour.VIOLENCE,
        Behaviour.SEXUAL_VIOLENCE,
    }
)


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Telephone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    SOCIAL_MEDIA = "social_media", "Social media or messaging app"
    POST = "post", "Post, delivery or something left for them"
    ONLINE_OTHER = "online_other", "Another website or app"
    THIRD_PARTY = "third_party", "Through another person"
    DEVICE = "device", "Tracking device or spyware"
    NOT_KNOWN = "not_known", "Not known"


class DatePrecision(models.TextChoices):
    EXACT = "exact", "Date and time"
    DAY = "day", "Date only"
    MONTH = "month", "Month only"


class NoteKind(models.TextChoices):
    CLIENT_CONTACT = "client_contact", "Contact with the client"
    AGENCY_CONTACT = "agency_contact", "Contact with an agency"
    MULTIDISCIPLINARY = "multidisciplinary", "Multidisciplinary discussion"
    SUPERVISION = "supervision", "Supervision"
    TELEPHONE = "telephone", "Telephone call"
    LETTER_RECEIVED = "letter_received", "Letter received"
    OTHER = "other", "Other"


class Source(models.TextChoices):
    VICTIM = "victim", "The victim"
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation"
    SUBJECT = "subject", "The person themselves"
    THIRD_PARTY = "third_party", "A third party"


@dataclass(frozen=True)
class SeverityLevel:
    value: int
    label: str
    definition: str


# The 1-5 severity scale for one incident. Rate the incident itself, not the case; when two levels
# fit, choose the higher.
SEVERITY_LEVELS = (
    SeverityLevel(
        1,
        "1 – Low",
        "Unwanted contact or presence that is not threatening and not repeated "
        "within the day: one message, a gift, a post about them.",
    ),
    SeverityLevel(
        2,
        "2 – Moderate",
        "Persistent or repeated unwanted contact, or contact through family, "
        "friends or colleagues, with no threat of harm.",
    ),
    SeverityLevel(
        3,
        "3 – Serious",
        "Intrusion into daily life: following, loitering at home or work, "
        "monitoring or tracking, accessing accounts, damaging property, or an implied threat.",
    ),
    SeverityLevel(
        4,
        "4 – Severe",
        "An explicit threat of violence or sexual violence, threats to kill, or approaching with a weapon.",
    ),
    SeverityLevel(
        5,
        "5 – Critical",
        "Physical or sexual violence, an attempt at it, or a threat made with the "
        "means and the opportunity to carry it out.",
    ),
)
SEVERITY_CHOICES = [(level.value, level.label) for level in SEVERITY_LEVELS]
SEVERITY_LABELS = {level.value: level.label for level in SEVERITY_LEVELS}


class StalkerType(models.TextChoices):
    """Mullen, Pathé and Purcell's typology. Recorded by an assessment, never typed on the case."""

    REJECTED = "rejected", "Rejected"
    RESENTFUL = "resentful", "Resentful"
    INTIMACY_SEEKING = "intimacy_seeking", "Intimacy-seeking"
    INCOMPETENT_SUITOR = "incompetent_suitor", "Incompetent suitor"
    PREDATORY = "predatory", "Predatory"


class Place(models.TextChoices):
    """Where an in-person incident happened, as far as an exclusion zone is concerned: the places an
    order's zone is drawn around, without the victim's address."""

    HOME = "home", "At or near the victim's home"
    WORK = "work", "At or near the victim's workplace"
    SCHOOL = "school", "At or near a school or nursery the victim's children attend"
    OTHER = "other", "Somewhere else"


# The places an exclusion zone can cover (every place but "somewhere else").
ZONE_PLACES = [(value, label) for value, label in Place.choices if value != Place.OTHER]


class OrderKind(models.TextChoices):
    SPO_INTERIM = "spo_interim", "Stalking Protection Order (interim)"
    SPO_FULL = "spo_full", "Stalking Protection Order"
    RESTRAINING = "restraining", "Restraining order"
    NON_MOLESTATION = "non_molestation", "Non-molestation order"
    BAIL_CONDITIONS = "bail_conditions", "Bail conditions"
    COMMUNITY_ORDER = "community_order", "Community order requirements"
    SUSPENDED_SENTENCE = "suspended_sentence", "Suspended sentence order"
    LICENCE_CONDITIONS = "licence_conditions", "Licence conditions"


# A referral's orders in force (referrals.choices.Order values), as the kind of order a case records.
# A referral says "Stalking Protection Order" without saying interim or full: the full order, whose
# label it shares, until someone with the order changes it. A value missing here is not carried and
# is named in the opening's audit event ("orders not carried").
REFERRAL_ORDER_KINDS = {
    "spo": OrderKind.SPO_FULL,
    "restraining": OrderKind.RESTRAINING,
    "non_molestation": OrderKind.NON_MOLESTATION,
    "bail_conditions": OrderKind.BAIL_CONDITIONS,
    "community_order": OrderKind.COMMUNITY_ORDER,
    "licence_conditions": OrderKind.LICENCE_CONDITIONS,
}


class HearingKind(models.TextChoices):
    COURT = "court", "Court hearing"
    SENTENCING = "sentencing", "Sentencing hearing"
    BAIL = "bail", "Bail hearing"
    ORDER = "order", "Hearing about an order"
    PAROLE = "parole", "Parole hearing"
    OTHER = "other", "Other hearing"


class MappaCategory(models.IntegerChoices):
    ONE = 1, "Category 1: registered sexual offenders"
    TWO = 2, "Category 2: violent or other sexual offenders"
    THREE = 3, "Category 3: other dangerous offenders"
    FOUR = 4, "Category 4: terrorism offenders"


class MappaLevel(models.IntegerChoices):
    ONE = 1, "Level 1: ordinary agency management"
    TWO = 2, "Level 2: multi-agency meetings"
    THREE = 3, "Level 3: senior representation and resources at short notice"


class OfficerRole(models.TextChoices):
    OFFENDER_MANAGER = "offender_manager", "Offender manager"
    POLICE_OFFICER = "police_officer", "Police officer in the case"
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    SOCIAL_WORKER = "social_worker", "Social worker"
    VICTIM_ADVOCATE = "victim_advocate", "Victim advocate"
    OTHER = "other", "Other officer"
