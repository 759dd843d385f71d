"""Opening a case from an accepted referral, and adding a referral's work to an open case."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record
from casework.cases import barrier
from casework.cases.choices import ACTIVE_STATUSES, REFERRAL_PARTY_ROLES, CaseKind, CaseStatus, PartyRole, TeamRole
from casework.cases.errors import CaseRefused
from casework.cases.models import Case, CaseParty, CaseReferral, CaseStatusChange, CaseTeamMember
from casework.cases.queries import case_clinician
from casework.cases.services._carry import carry_from
from casework.cases.services._shared import require, sync_care_team_add
from casework.core.changes import announce
from casework.core.models import next_reference
from casework.people.models import Person, ReferralPersonLink
from casework.people.services import person_seal
from casework.referrals.choices import Status as ReferralStatus
from casework.referrals.models import Referral

REFERENCE_PREFIX = "CASE"
READY_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.ALLOCATED)


def _locked_referral(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _check_referral(referral: Referral) -> Person:
    """The referral's subject, if its work may go into a case; otherwise refuse with the reason."""
    if referral.status not in READY_STATUSES:
        raise CaseRefused("Only an accepted or allocated referral can open a case or add work to one")
    if CaseReferral.objects.filter(referral=referral).exists():
        raise CaseRefused("This referral's work is already in a case")
    link = (
        ReferralPersonLink.objects.filter(referral=referral, named_party__isnull=True).select_related("person").first()
    )
    if link is None:
        raise CaseRefused("Link the referral's subject to a person record first")
    if link.person.merged_into_id is not None:
        raise CaseRefused("The referral's subject is linked to a person record that was merged: link it again")
    return link.person


def _allocated(referral: Referral) -> list:
    """The referral's allocated clinicians who still work here."""
    return [u for u in (referral.lead_clinician, referral.second_assessor) if u is not None and u.is_active]


def _add_member(case: Case, user, role: str, by, now) -> CaseTeamMember:
    return CaseTeamMember.objects.create(case=case, user=user, role=role, added_at=now, added_by=by)


def _add_parties_from(case: Case, referral: Referral, by, now) -> list[CaseParty]:
    """The referral's named parties that are linked to person records join the case as parties
    (once each), by the name the referral gave."""
    present = set(case.parties.values_list("person_id", flat=True))
    added = []
    links = (
        ReferralPersonLink.objects.filter(referral=referral, named_party__isnull=False)
        .select_related("named_party", "person")
        .order_by("named_party_id", "id")
    )
    for link in links:
        if link.person_id in present or link.person.merged_into_id is not None:
            continue
        party = link.named_party
        assert party is not None  # the links are filtered on named_party__isnull=False
        role = REFERRAL_PARTY_ROLES.get(party.role, PartyRole.OTHER)
        if case.kind == CaseKind.VICTIM and role == PartyRole.VICTIM:
            role = PartyRole.OTHER  # in a victim case the subject is the victim
        added.append(
            CaseParty.objects.create(
                case=case,
                person=link.person,
                role=role,
                name_as_given=party.name[:200],
                relationship_to_subject=party.relationship_to_subject[:200],
                named_party=party,
                added_at=now,
                added_by=by,
            )
        )
        present.add(link.person_id)
    return added


def _two_person_rule(kind: str, team: list, by) -> None:
    """Joining a victim case's team opens the victim's sealed details: nobody puts themselves on it
    (the people app's care-team rule, docs/adr/0007)."""
    if kind == CaseKind.VICTIM and any(user.pk == by.pk for user in team):
        raise CaseRefused(
            "You cannot put yourself on the team of a victim case: joining it opens the victim's sealed "
            "details. Ask another clinical lead to open it, or choose another lead clinician.",
            "lead_clinician",
        )


def case_open(
    *,
    referral: Referral,
    kind: str,
    lead_clinician,
    by,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case from an accepted or allocated referral whose subject is linked to a person.

    The lead clinician leads the team; the referral's allocated clinicians join it. The referral's
    named parties that are linked to person records become parties; its orders in force, hearings,
    accepted services (with the report due date) and referring officer are carried into the case,
    each marked with the referral (``services._carry``). A victim case seals its
    subject's details and makes its team their care team. Refused, and nothing written, if anyone
    would be on both sides of an information barrier.
    """
    require(by, "cases.open")
    if kind not in CaseKind.values:
        raise CaseRefused("Select the kind of case", "kind")
    if lead_clinician is None or case_clinician(lead_clinician.pk) is None:
        raise CaseRefused("Select a lead clinician", "lead_clinician")
    with transaction.atomic():
        referral = _locked_referral(referral)
        subject = _check_referral(referral)
        team = [lead_clinician] + [u for u in _allocated(referral) if u.pk != lead_clinician.pk]
        team = [u for i, u in enumerate(team) if u.pk not in {t.pk for t in team[:i]}]
        _two_person_rule(kind, team, by)
        now = timezone.now()
        case = Case.objects.create(
            reference=next_reference(REFERENCE_PREFIX),
            kind=kind,
            status=CaseStatus.OPEN,
            subject=subject,
            opened_on=timezone.localdate(),
            opened_by=by,
        )
        CaseReferral.objects.create(case=case, referral=referral, opened_case=True, added_at=now, added_by=by)
        members = [
            _add_member(case, user, TeamRole.LEAD_CLINICIAN if i == 0 else TeamRole.CLINICIAN, by, now)
            for i, user in enumerate(team)
        ]
        CaseParty.objects.create(
            case=case,
            person=subject,
            role=PartyRole.SUBJECT,
            name_as_given=referral.subject_name[:200],
            added_at=now,
            added_by=by,
        )
        parties = _add_parties_from(case, referral, by, now)
        CaseStatusChange.objects.create(
            case=case,
            from_status="",
            to_status=CaseStatus.OPEN,
            by=by,
            at=now,
            note=f"Opened from {referral.reference}",
        )
        carried = carry_from(case=case, referral=referral, by=by, now=now)
        record(
            action=Action.CREATE,
            actor=by,
            request=request,
            obj=case,
            changes={
                "kind": {"old": None, "new": kind},
                "status": {"old": None, "new": CaseStatus.OPEN.value},
                "subject": {"old": None, "new": subject.reference},
                "referral": {"old": None, "new": referral.reference},
                "team": {"old": None, "new": [{"user_id": m.user_id, "role": m.role} for m in members]},
                "parties": {"old": None, "new": [{"party": p.pk, "role": p.role} for p in parties]},
                **carried.as_changes(),
            },
        )
        barrier.check_case(case, "lead_clinician", by=by)
        announce(case)
        if kind == CaseKind.VICTIM:
            _seal_and_share(case, members, by, request)
    return case


def _seal_and_share(case: Case, members: list[CaseTeamMember], by, request) -> None:
    if not case.subject.is_sealed:
        case.subject = person_seal(
            person=case.subject, by=by, request=request, reason=f"The subject of victim case {case.reference}"
        )
    for member in members:
        sync_care_team_add(case=case, member=member, by=by, request=request)


def case_add_referral(*, case: Case, referral: Referral, by, request: HttpRequest | None = None) -> Case:
    """Add an accepted referral's work to an open case of the same person: its allocated clinicians
    join the team, its linked named parties join the case, and its orders, hearings, services and
    officer are carried in (once: what the case already holds is not carried twice)."""
    require(by, "cases.open")
    with transaction.atomic():
        referral = _locked_referral(referral)
        case = Case.objects.select_for_update().select_related("subject").get(pk=case.pk)
        subject = _check_referral(referral)
        if case.status not in ACTIVE_STATUSES:
            raise CaseRefused("Work can be added only to an open or on-hold case", "target")
        if subject.pk != case.subject_id:
            raise CaseRefused("The case is about another person: choose one of this person's cases", "target")
        present = set(case.team.values_list("user_id", flat=True))
        newcomers = [u for u in _allocated(referral) if u.pk not in present]
        newcomers = [u for i, u in enumerate(newcomers) if u.pk not in {n.pk for n in newcomers[:i]}]
        _two_person_rule(case.kind, newcomers, by)
        now = timezone.now()
        CaseReferral.objects.create(case=case, referral=referral, added_at=now, added_by=by)
        members = [_add_member(case, user, TeamRole.CLINICIAN, by, now) for user in newcomers]
        parties = _add_parties_from(case, referral, by, now)
        carried = carry_from(case=case, referral=referral, by=by, now=now)
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=case,
            changes={
                "referrals": {"old": None, "new": referral.reference},
                **(
                    {"team": {"old": None, "new": [{"user_id": m.user_id, "role": m.role} for m in members]}}
                    if members
                    else {}
                ),
                **(
                    {"parties": {"old": None, "new": [{"party": p.pk, "role": p.role} for p in parties]}}
                    if parties
                    else {}
                ),
                **carried.as_changes(),
            },
        )
        barrier.check_case(case, "target", by=by)
        announce(case)
        for member in members:
            sync_care_team_add(case=case, member=member, by=by, request=request)
    return case
