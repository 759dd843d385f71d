"""The kinds of report the clinic is instructed to write, where a request stands, and which
referral service asks for which report."""

from __future__ import annotations

from django.db import models

from casework.organisations.models import OrganisationKind
from casework.referrals.choices import Service


class ReportType(models.TextChoices):
    SENTENCING = "sentencing", "Psychiatric or psychological report for sentencing"
    BAIL = "bail", "Report for a bail application"
    PAROLE = "parole", "Report for the Parole Board"
    MAPPA = "mappa", "Report for MAPPA risk-management planning"
    POLICE = "police", "Advice to a police investigation"
    NHS_TRUST = "nhs_trust", "Risk and management advice to an NHS trust"
    SOCIAL_SERVICES = "social_services", "Risk and management advice to social services"
    CONSULTATION = "consultation", "Consultation advice letter"
    COMPLIANCE = "compliance", "Treatment compliance report (for the court, the Parole Board or probation)"


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    IN_PROGRESS = "in_progress", "In progress"
    ISSUED = "issued", "Issued"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Issuing is its own step (a later slice): a status form offers only these.
SETTABLE_STATUSES = (RequestStatus.REQUESTED, RequestStatus.IN_PROGRESS, RequestStatus.WITHDRAWN)
# Work still owed: these fall due and fall late.
OPEN_STATUSES = (RequestStatus.REQUESTED, RequestStatus.IN_PROGRESS)
STATUS_TAG_COLOURS = {
    RequestStatus.REQUESTED: "blue",
    RequestStatus.IN_PROGRESS: "yellow",
    RequestStatus.ISSUED: "green",
    RequestStatus.WITHDRAWN: "grey",
}
# A report due within this many days carries "Due soon".
DUE_SOON_DAYS = 14

# The report each report service of a referral asks for. Risk advice goes to social services when
# social services referred, else to an NHS trust (report_type_for).
REPORT_TYPES_BY_SERVICE = {
    Service.REPORT_SENTENCING: ReportType.SENTENCING,
    Service.REPORT_BAIL: ReportType.BAIL,
    Service.REPORT_PAROLE: ReportType.PAROLE,
    Service.REPORT_MAPPA: ReportType.MAPPA,
    Service.REPORT_POLICE: ReportType.POLICE,
    Service.REPORT_RISK_ADVICE: ReportType.NHS_TRUST,
}


def report_type_for(service: str, organisation_kind: str | None) -> str | None:
    """The report a referral service asks for (None: the service is not a report)."""
    if service == Service.REPORT_RISK_ADVICE and organisation_kind == OrganisationKind.SOCIAL_SERVICES:
        return ReportType.SOCIAL_SERVICES
    found = REPORT_TYPES_BY_SERVICE.get(Service(service)) if service in Service.values else None
    return None if found is None else found.value


class DraftStatus(models.TextChoices):
    """Where a report's draft stands: written, signed by its author, signed off by a clinical lead,
    issued (frozen; a correction starts a new draft round on the same report)."""

    DRAFTING = "drafting", "Drafting"
    AUTHOR_SIGNED = "author_signed", "Signed by the author"
    APPROVED = "approved", "Signed off by a clinical lead"
    ISSUED = "issued", "Issued"


DRAFT_TAG_COLOURS = {
    DraftStatus.DRAFTING: "yellow",
    DraftStatus.AUTHOR_SIGNED: "blue",
    DraftStatus.APPROVED: "purple",
    DraftStatus.ISSUED: "green",
}


class DisclosureMethod(models.TextChoices):
    PORTAL = "portal", "Portal download"
    SECURE_EMAIL = "secure_email", "Secure email"
    NOTIFY_EMAIL = "notify_email", "Email through GOV.UK Notify"
    POST = "post", "Post"
    BY_HAND = "by_hand", "By hand (for example, at a hearing)"


class LegalBasis(models.TextChoices):
    LETTER_OF_INSTRUCTION = "letter_of_instruction", "Letter of instruction"
    CONSENT = "consent", "Consent of the person"
    DUTY_TO_SHARE = "duty_to_share", "Duty to share (safeguarding or MAPPA)"
    COURT_ORDER = "court_order", "Court order"
    REFERRAL = "referral", "Reply to the agency's referral"


class RecipientSide(models.TextChoices):
    """Whose side of the case the recipient is on: material can be marked as not for one of them.
    Sealed victim details never reach any recipient of a report."""

    COURT = "court", "Court or Parole Board"
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation"
    MAPPA = "mappa", "MAPPA panel"
    HEALTH = "health", "NHS trust or GP"
    SOCIAL_SERVICES = "social_services", "Social services"
    DEFENCE = "defence", "Defence solicitor"
    CLIENT = "client", "The client"
