"""The shape of the scoped queries (issue 19): the access home leaves out of a query what cannot change
its answer, and reaches a clinician's referrals without joining every referral to its case link. The
answers are those of the full form; only the work the database and the ORM do is less."""

from __future__ import annotations

from contextlib import nullcontext

from casework.access import breakglass, memo, policy
from casework.accounts.tests.factories import UserFactory
from casework.cases.models import Case
from casework.cases.tests.factories import make_case, ready_referral
from casework.core.roles import Role
from casework.people.models import Person
from casework.referrals.models import Referral
from casework.referrals.tests.factories import ReferralFactory

GRANTS = '"audit_breakglassgrant"'


def _sql(user, model) -> str:
    return str(policy.visible(user, model).query)


def _ids(user, model) -> set[int]:
    return set(policy.visible(user, model).values_list("pk", flat=True))


def test_a_lead_with_nothing_across_a_barrier_is_not_asked_about_grants_and_sees_the_same(cast):
    lead = cast.clinical_lead
    case = make_case(lead=cast.clinician, by=lead)
    ReferralFactory(lead_clinician=cast.clinician)
    UserFactory(role=Role.CLINICAL_LEAD)  # break-glass tells someone independent
    breakglass.open_grant(user=lead, obj=case, reason="Duty lead checking an urgent call from the police.")
    for model in (Case, Referral, Person):
        outside = _ids(lead, model)  # outside a request: the full form, grants and all
        with memo.request_scope():
            # Persons keep the full form (the name search's plan depends on it: scopes.person_readable).
            assert (GRANTS in _sql(lead, model)) == (model is Person), model
            assert _ids(lead, model) == outside, model


def test_a_lead_beside_a_barrier_is_still_asked_about_grants(pair):
    with memo.request_scope():
        assert GRANTS in _sql(pair.lead_on_team, Case)


def test_a_clinicians_referrals_are_found_without_joining_every_referral_to_its_case_link(cast):
    clinician = cast.clinician
    held = ready_referral(lead_clinician=cast.other_clinician)
    make_case(lead=clinician, by=cast.clinical_lead, referral=held)
    allocated = ReferralFactory(lead_clinician=clinician)
    someone_elses = ReferralFactory(lead_clinician=cast.other_clinician)
    for scope in (nullcontext, memo.request_scope):
        with scope():
            assert 'JOIN "cases_casereferral"' not in _sql(clinician, Referral)
            seen = _ids(clinician, Referral)
            assert {held.pk, allocated.pk} <= seen and someone_elses.pk not in seen
