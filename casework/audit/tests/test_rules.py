"""Each audit predicate and permission, unit by unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from casework.accounts.roles import Role
from casework.accounts.tests.factories import UserFactory
from casework.audit.models import Alert, BreakGlassGrant
from casework.audit.rules import has_active_break_glass, is_alert_recipient

ALL = ["coordinator", "clinician", "other_clinician", "clinical_lead", "finance", "researcher", "sysadmin",
       "agency", "agency_other"]


def make_alert(recipient) -> Alert:
    return Alert.objects.create(raised_at=timezone.now(), recipient=recipient, kind="break_glass", message="m")


def make_grant(user, obj, *, expires_in=dt.timedelta(hours=1)) -> BreakGlassGrant:
    now = timezone.now()
    return BreakGlassGrant.objects.create(
        user=user, object_type=obj._meta.label_lower, object_id=str(obj.pk), object_label="x",
        reason="A reason long enough to count", granted_at=now, expires_at=now + expires_in,
    )


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


def test_has_active_break_glass_needs_an_unexpired_grant_of_ones_own_on_that_record(cast):
    assert not has_active_break_glass(cast.clinician, cast.agency)
    make_grant(cast.clinician, cast.agency)
    assert has_active_break_glass(cast.clinician, cast.agency)
    assert not has_active_break_glass(cast.other_clinician, cast.agency)
    assert not has_active_break_glass(cast.clinician, cast.agency_other)
    assert not has_active_break_glass(cast.clinician, None)
    assert not has_active_break_glass(AnonymousUser(), cast.agency)


def test_has_active_break_glass_is_false_once_expired(cast):
    make_grant(cast.clinician, cast.agency, expires_in=-dt.timedelta(seconds=1))
    assert not has_active_break_glass(cast.clinician, cast.agency)


def test_has_active_break_glass_is_false_for_a_disabled_user(cast):
    make_grant(cast.clinician, cast.agency)
    cast.clinician.is_active = False
    assert not has_active_break_glass(cast.clinician, cast.agency)


@pytest.mark.parametrize("role", ALL)
def test_only_clinical_leads_review_access(cast, role):
    assert cast.by_name(role).has_perm("audit.review_access") is (role == "clinical_lead")


def test_a_disabled_clinical_lead_does_not_review_access(cast):
    cast.clinical_lead.is_active = False
    assert not cast.clinical_lead.has_perm("audit.review_access")
    assert not AnonymousUser().has_perm("audit.review_access")


@pytest.mark.parametrize("role", ALL)
def test_only_clinical_staff_may_use_break_glass(cast, role):
    allowed = role in {"clinician", "other_clinician", "clinical_lead"}
    assert cast.by_name(role).has_perm("audit.use_break_glass", cast.agency) is allowed


@pytest.mark.parametrize("role", ALL)
def test_only_the_recipient_may_acknowledge_an_alert(cast, role):
    alert = make_alert(cast.clinical_lead)
    assert cast.by_name(role).has_perm("audit.acknowledge_alert", alert) is (role == "clinical_lead")
