"""The roles, professions and instruments every part of the service speaks of. They live in core,
below every app, because everything from My work to the access rules is written in terms of them;
the accounts app stores a user's role."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    REFERRALS_COORDINATOR = "referrals_coordinator"
    CLINICIAN = "clinician"
    CLINICAL_LEAD = "clinical_lead"
    FINANCE_OFFICER = "finance_officer"
    RESEARCHER = "researcher"
    SYSTEM_ADMINISTRATOR = "system_administrator"
    AGENCY_REFERRER = "agency_referrer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(role.value, role.label) for role in cls]

    @property
    def is_staff_role(self) -> bool:
        return self is not Role.AGENCY_REFERRER


ROLE_LABELS = {
    Role.REFERRALS_COORDINATOR: "Referrals coordinator",
    Role.CLINICIAN: "Clinician",
    Role.CLINICAL_LEAD: "Clinical lead",
    Role.FINANCE_OFFICER: "Finance officer",
    Role.RESEARCHER: "Researcher",
    Role.SYSTEM_ADMINISTRATOR: "System administrator",
    Role.AGENCY_REFERRER: "Agency referrer",
}


class Profession(StrEnum):
    PSYCHIATRIST = "psychiatrist"
    PSYCHOLOGIST = "psychologist"
    NURSE = "nurse"
    THERAPIST = "therapist"
    SOCIAL_WORKER = "social_worker"

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(p.value, p.value.replace("_", " ").capitalize()) for p in cls]


class Instrument(StrEnum):
    """Instruments a clinician may be trained in; later issues check training before use."""

    SRP = "srp"
    SAM = "sam"
    S_DASH = "s_dash"
    DASH = "dash"
    HCR_20 = "hcr_20"

    @property
    def label(self) -> str:
        return INSTRUMENT_LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(i.value, i.label) for i in cls]


INSTRUMENT_LABELS = {
    Instrument.SRP: "Stalking Risk Profile (SRP)",
    Instrument.SAM: "Stalking Assessment and Management (SAM)",
    Instrument.S_DASH: "S-DASH stalking screening",
    Instrument.DASH: "SafeLives DASH risk checklist",
    Instrument.HCR_20: "HCR-20 violence risk",
}
