"""Each referrals permission: who may, and in which state of the referral."""

from __future__ import annotations

import pytest

from casework.referrals.choices import Status
from casework.referrals.tests.factories import ReferralFactory

STAFF = ["coordinator", "clinician", "clinical_lead"]
OUTSIDERS = ["finance", "researcher", "sysadmin", "agency", "agency_other"]


def _who(cast, perm, obj=None) -> set[str]:
    names = STAFF + OUTSIDERS + ["other_clinician"]
    return {name for name in names if getattr(cast, name).has_perm(perm, obj)}


def test_view_list_is_for_coordinators_clinical_leads_and_clinicians(cast):
    assert _who(cast, "referrals.view_list") == {"coordinator", "clinician", "clinical_lead", "other_clinician"}


def test_view_refuses_a_draft(cast):
    assert _who(cast, "referrals.view", ReferralFactory(status=Status.DRAFT, reference="")) == set()
    assert "coordinator" in _who(cast, "referrals.view", ReferralFactory())


def test_log_is_for_coordinators_only(cast):
    assert _who(cast, "referrals.log") == {"coordinator"}


@pytest.mark.parametrize(
    "status", [Status.RECEIVED, Status.SCREENING, Status.ACCEPTED, Status.ALLOCATED, Status.DECLINED]
)
def test_edit_is_for_triage_staff_until_closed(cast, status):
    assert _who(cast, "referrals.edit", ReferralFactory(status=status)) == {"coordinator", "clinical_lead"}


def test_nobody_edits_a_closed_referral(cast):
    assert _who(cast, "referrals.edit", ReferralFactory(status=Status.CLOSED)) == set()


def test_screening_page_is_for_triage_staff(cast):
    assert _who(cast, "referrals.view_screening", ReferralFactory()) == {"coordinator", "clinical_lead"}


def test_screening_decision_only_while_screening(cast):
    assert _who(cast, "referrals.screen", ReferralFactory(status=Status.SCREENING)) == {"coordinator", "clinical_lead"}
    for status in (Status.RECEIVED, Status.AWAITING_INFORMATION, Status.ACCEPTED):
        assert _who(cast, "referrals.screen", ReferralFactory(status=status)) == set(), status


def test_transition_for_triage_staff_unless_final(cast):
    assert _who(cast, "referrals.transition", ReferralFactory()) == {"coordinator", "clinical_lead"}
    assert _who(cast, "referrals.transition", ReferralFactory(status=Status.CLOSED)) == set()


def test_allocate_is_for_clinical_leads_on_accepted_work(cast):
    assert _who(cast, "referrals.allocate", ReferralFactory(status=Status.ACCEPTED)) == {"clinical_lead"}
    assert _who(cast, "referrals.allocate", ReferralFactory(status=Status.SCREENING)) == set()
    assert _who(cast, "referrals.allocate") == {"clinical_lead"}


def test_upload_document_for_triage_staff_and_the_allocated_clinician(cast):
    referral = ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician)
    assert _who(cast, "referrals.upload_document", referral) == {"coordinator", "clinical_lead", "clinician"}
    assert _who(cast, "referrals.upload_document", ReferralFactory(status=Status.CLOSED)) == set()


def test_break_glass_for_clinicians_not_allocated(cast):
    referral = ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician)
    assert _who(cast, "referrals.break_glass", referral) == {"other_clinician"}


def test_a_disabled_coordinator_may_do_nothing(cast):
    cast.coordinator.is_active = False
    assert not cast.coordinator.has_perm("referrals.view_list")
    assert not cast.coordinator.has_perm("referrals.log")
