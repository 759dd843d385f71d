"""The vocabularies a referral uses. Labels are what staff and referrers read."""

from __future__ import annotations

from django.db import models

from casework.access import vocabulary


class Status(models.TextChoices):
    DRAFT = vocabulary.DRAFT_REFERRAL, "Draft"
    RECEIVED = "received", "Received"
    SCREENING = "screening", "Screening"
    AWAITING_INFORMATION = "awaiting_information", "Awaiting information"
    ACCEPTED = "accepted", "Accepted"
    ALLOCATED = "allocated", "Allocated"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CLOSED = "closed", "Closed"


# Tag colours for the NHS tag component.
STATUS_TAG_COLOUR = {
    Status.DRAFT: "grey",
    Status.RECEIVED: "blue",
    Status.SCREENING: "purple",
    Status.AWAITING_INFORMATION: "yellow",
    Status.ACCEPTED: "green",
    Status.ALLOCATED: "aqua-green",
    Status.DECLINED: "red",
    Status.WITHDRAWN: "grey",
    Status.CLOSED: "white",
}


class Channel(models.TextChoices):
    PHONE = "phone", "Telephone"
    POST = "post", "Post"
    EMAIL = "email", "Email"
    PORTAL = "portal", "Agency portal"
    API = "api", "API"
    # Made by the clinic from one of its consultations when the case reached court.
    CONSULTATION = "consultation", "From a consultation with the clinic"


STAFF_CHANNELS = [Channel.PHONE, Channel.POST, Channel.EMAIL]


class Service(models.TextChoices):
    STALKER_ASSESSMENT = "stalker_assessment", "Assessment of the person who stalks"
    STALKER_TREATMENT = "stalker_treatment", "Treatment of the person who stalks"
    VICTIM_ASSESSMENT = "victim_assessment", "Assessment of the person stalked"
    VICTIM_TREATMENT = "victim_treatment", "Treatment of the person stalked"
    CONSULTATION = "consultation", "Consultation on a problem case"
    REPORT_SENTENCING = "report_sentencing", "Report for sentencing"
    REPORT_BAIL = "report_bail", "Report for a bail application"
    REPORT_PAROLE = "report_parole", "Report for a parole application"
    REPORT_MAPPA = "report_mappa", "Report for MAPPA planning"
    REPORT_POLICE = "report_police", "Report for a police investigation"
    REPORT_RISK_ADVICE = "report_risk_advice", "Risk advice report for an NHS trust or social services"


REPORT_SERVICES = frozenset(
    {
        Service.REPORT_SENTENCING,
        Service.REPORT_BAIL,
        Service.REPORT_PAROLE,
        Service.REPORT_MAPPA,
        Service.REPORT_POLICE,
        Service.REPORT_RISK_ADVICE,
    }
)
# Work that needs the Stalking Risk Profile: assessing (and reporting on) the person who stalks.
SRP_SERVICES = frozenset({Service.STALKER_ASSESSMENT, Service.STALKER_TREATMENT} | REPORT_SERVICES)
TREATMENT_SERVICES = frozenset({Service.STALKER_TREATMENT})


class SubjectRole(models.TextChoices):
    PERPETRATOR = "perpetrator", "The person who stalks"
    VICTIM = "victim", "The person stalked"


class LegalStatus(models.TextChoices):
    NONE = "none", "No police or court action"
    UNDER_INVESTIGATION = "under_investigation", "Under investigation"
    CHARGED = "charged", "Charged"
    CONVICTED = "convicted", "Convicted"


class Offence(models.TextChoices):
    PHA_S2 = "pha_s2", "Harassment (Protection from Harassment Act 1997, s2)"
    PHA_S2A = "pha_s2a", "Stalking (Protection from Harassment Act 1997, s2A)"
    PHA_S4 = "pha_s4", "Putting people in fear of violence (Protection from Harassment Act 1997, s4)"
    PHA_S4A = "pha_s4a", "Stalking involving fear of violence or serious alarm or distress (s4A)"
    OTHER = "other", "Another offence where stalking, harassment or threat formed a significant part"


STALKING_OFFENCES = frozenset({Offence.PHA_S2, Offence.PHA_S2A, Offence.PHA_S4, Offence.PHA_S4A})


class Order(models.TextChoices):
    STALKING_PROTECTION_ORDER = "spo", "Stalking Protection Order"
    RESTRAINING_ORDER = "restraining", "Restraining order"
    NON_MOLESTATION_ORDER = "non_molestation", "Non-molestation order"
    BAIL_CONDITIONS = "bail_conditions", "Bail conditions"
    COMMUNITY_ORDER_REQUIREMENT = "community_order", "Community order requirement"
    LICENCE_CONDITIONS = "licence_conditions", "Licence conditions"


# Treatment for a stalker is offered at first only under one of these.
COMPULSION_ORDERS = frozenset({Order.COMMUNITY_ORDER_REQUIREMENT, Order.BAIL_CONDITIONS, Order.LICENCE_CONDITIONS})


class Setting(models.TextChoices):
    CUSTODY = "custody", "In custody"
    COMMUNITY = "community", "In the community"
    MENTAL_HEALTH_FACILITY = "mental_health_facility", "In a mental health facility"


class PartyRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    FAMILY_MEMBER = "family_member", "Family member"
    NEW_PARTNER = "new_partner", "New partner"
    COLLEAGUE = "colleague", "Colleague"
    PROFESSIONAL = "professional", "Professional targeted"
    OTHER = "other", "Other"


class DocumentKind(models.TextChoices):
    LETTER_OF_INSTRUCTION = "letter_of_instruction", "Letter of instruction"
    POLICE_SUMMARY = "police_summary", "Police summary"
    PREVIOUS_REPORT = "previous_report", "Previous report"
    OTHER = "other", "Other document"


class ScanStatus(models.TextChoices):
    """Where a document stands with the malware scan (casework/core/malware.py)."""

    CLEAN = "clean", "Scanned: no virus found"
    PENDING = "pending", "Not yet scanned"
    INFECTED = "infected", "Quarantined: virus found"
    NOT_SCANNED = "not_scanned", "Not scanned: no virus scanner configured"


# Documents in these states are held: nobody can download them.
SCAN_HELD = frozenset({ScanStatus.PENDING, ScanStatus.INFECTED})
SCAN_TAG_COLOUR: dict[str, str] = {
    ScanStatus.CLEAN: "green",
    ScanStatus.PENDING: "yellow",
    ScanStatus.INFECTED: "red",
    ScanStatus.NOT_SCANNED: "grey",
}


class Decision(models.TextChoices):
    ACCEPT = "accept", "Accept"
    DECLINE = "decline", "Decline"
    REQUEST_INFORMATION = "request_information", "Request more information"


# A referrer's answer to a request for information is the reason of the move back to screening
# (``services.triage.referrer_answer``), marked with this so staff and the portal know it for one.
REFERRER_ANSWER_PREFIX = "Answer from the referrer: "
