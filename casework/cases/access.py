"""The cases app's records, registered with the access rules (``casework.access``): a case is an
anchor; everything recorded in it follows it."""

from __future__ import annotations

from casework.access import registry
from casework.cases.models import (
    AgencyOfficer,
    Case,
    CaseNote,
    CaseNoteAddendum,
    CaseParty,
    CaseReferral,
    CaseService,
    CaseStatusChange,
    CaseTeamMember,
    Hearing,
    Incident,
    InvolvedAgency,
    KeptRisk,
    LegalOrder,
    MappaMeeting,
    MappaRegistration,
    StalkingEpisode,
)


def register() -> None:
    registry.register_cases(case=Case, team=CaseTeamMember, party=CaseParty, referral_link=CaseReferral)
    for model in (
        CaseParty,
        CaseReferral,
        CaseStatusChange,
        CaseTeamMember,
        StalkingEpisode,
        Incident,
        LegalOrder,
        Hearing,
        MappaRegistration,
        MappaMeeting,
        InvolvedAgency,
        CaseService,
        CaseNote,
        KeptRisk,
    ):
        registry.register(model, within=registry.CASE, path="case")
    registry.register(AgencyOfficer, within=registry.CASE, path="agency__case")
    registry.register(CaseNoteAddendum, within=registry.CASE, path="note__case")
