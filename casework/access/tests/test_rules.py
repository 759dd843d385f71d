"""Each audit predicate and permission, unit by unit."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from casework.access.rules import is_alert_recipient
from casework.accounts.tests.factories import UserFactory
from casework.audit.models import Alert
from casework.core.roles import Role

ALL = [
    "coordinator",
    "clinician",
    "other_clinician",
    "clinical_lead",
    "finance",
    "researcher",
    "sysadmin",
    "agency",
    "agency_other",
]


def make_alert(recipient) -> Alert:
    return Alert.objects.create(raised_at=timezone.now(), recipient=recipient, kind="break_glass", message="m")


def test_is_alert_recipient_is_true_only_for_the_recipient(cast):
    alert = make_alert(cast.clinical_lead)
    assert is_alert_recipient(cast.clinical_lead, alert)
    assert not is_alert_recipient(UserFactory(role=Role.CLINICAL_LEAD), alert)
    assert not is_alert_recipient(cast.clinician, alert)
    assert not is_alert_recipient(AnonymousUser(), alert)
    assert not is_alert_recipient(cast.clinical_lead, None)


def test_is_alert_recipient_is_false_for_a_disabled_recipient(cast):
    alert = make_alert(cast.clinical_lead)
    cast.clinical_lead.is_active = False
    assert not is_alert_recipient(cast.clinical_lead, alert)


@pytest.mark.parametrize("role", ALL)
def test_only_clinical_leads_review_access(cast, role):
    assert cast.by_name(role).has_perm("audit.review_access") is (role == "clinical_lead")


def test_a_disabled_clinical_lead_does_not_review_access(cast):
    cast.clinical_lead.is_active = False
    assert not cast.clinical_lead.has_perm("audit.review_access")
    assert not AnonymousUser().has_perm("audit.review_access")


@pytest.mark.parametrize("role", ALL)
def test_clinical_staff_see_alerts_raised_to_them(cast, role):
    allowed = role in {"clinician", "other_clinician", "clinical_lead"}
    assert cast.by_name(role).has_perm("audit.view_alerts") is allowed


def test_the_caldicott_guardian_sees_alerts_whatever_their_role(cast):
    guardian = UserFactory(role=Role.SYSTEM_ADMINISTRATOR, is_caldicott_guardian=True)
    assert guardian.has_perm("audit.view_alerts")
    assert not guardian.has_perm("audit.review_access")


@pytest.mark.parametrize("role", ALL)
def test_only_the_recipient_may_acknowledge_an_alert(cast, role):
    alert = make_alert(cast.clinical_lead)
    assert cast.by_name(role).has_perm("audit.acknowledge_alert", alert) is (role == "clinical_lead")
