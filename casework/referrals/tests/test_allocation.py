"""Allocation: a clinical lead gives accepted work to a lead clinician (and perhaps a second
assessor); Stalking Risk Profile work only to people whose SRP training is current."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from casework.accounts.tests.factories import TrainingRecordFactory, UserFactory
from casework.audit.models import Action, AuditEvent
from casework.core.roles import Instrument, Role
from casework.core.testing import assert_queries_flat
from casework.referrals.choices import Service, Status
from casework.referrals.queries import clinicians_for_allocation
from casework.referrals.services.triage import TriageRefused, allocate
from casework.referrals.tests.factories import ReferralFactory


def _accepted(**kwargs):
    kwargs.setdefault("accepted_services", [Service.STALKER_ASSESSMENT])
    return ReferralFactory(status=Status.ACCEPTED, **kwargs)


def _clinician(name, *, srp_expires=None, srp=True):
    user = UserFactory(role=Role.CLINICIAN, full_name=name)
    if srp:
        today = timezone.localdate()
        TrainingRecordFactory(
            user=user,
            instrument=Instrument.SRP,
            trained_on=today - dt.timedelta(days=900),
            expires_on=srp_expires or today + dt.timedelta(days=100),
        )
    return user


def test_allocating_stores_the_clinicians_the_clock_and_the_transition(cast):
    referral = _accepted()
    second = _clinician("Sue Second")
    allocate(referral=referral, lead_clinician=cast.clinician, second_assessor=second, by=cast.clinical_lead)
    referral.refresh_from_db()
    assert referral.status == Status.ALLOCATED
    assert (referral.lead_clinician, referral.second_assessor) == (cast.clinician, second)
    assert referral.days_to_allocation() == 3
    event = AuditEvent.objects.get(action=Action.TRANSITION, object_id=str(referral.pk))
    assert event.changes["status"] == {"old": "accepted", "new": "allocated"}
    assert event.changes["lead_clinician_id"] == {"old": None, "new": cast.clinician.pk}
    assert event.changes["second_assessor_id"] == {"old": None, "new": second.pk}
    assert referral.transitions.get(to_status=Status.ALLOCATED).by == cast.clinical_lead


def test_expired_srp_training_is_refused_with_its_expiry_date(cast):
    expired = _clinician("Dr Xavier Expired", srp_expires=dt.date(2026, 10, 23))
    referral = _accepted()
    with pytest.raises(TriageRefused) as refused:
        allocate(referral=referral, lead_clinician=expired, by=cast.clinical_lead)
    assert str(refused.value).startswith(
        "Dr Xavier Expired's Stalking Risk Profile training expired on 23 October 2026"
    )
    assert refused.value.field == "lead_clinician"
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


def test_no_srp_training_is_refused(cast):
    untrained = _clinician("Nat Untrained", srp=False)
    with pytest.raises(TriageRefused, match="Nat Untrained has no Stalking Risk Profile training recorded"):
        allocate(referral=_accepted(), lead_clinician=untrained, by=cast.clinical_lead)


def test_a_second_assessor_without_srp_is_refused_too(cast):
    untrained = _clinician("Nat Untrained", srp=False)
    with pytest.raises(TriageRefused) as refused:
        allocate(referral=_accepted(), lead_clinician=cast.clinician, second_assessor=untrained, by=cast.clinical_lead)
    assert refused.value.field == "second_assessor"


def test_work_that_needs_no_srp_can_go_to_anyone_clinical(cast):
    untrained = _clinician("Nat Untrained", srp=False)
    referral = _accepted(services=[Service.VICTIM_ASSESSMENT], accepted_services=[Service.VICTIM_ASSESSMENT])
    allocate(referral=referral, lead_clinician=untrained, by=cast.clinical_lead)
    referral.refresh_from_db()
    assert referral.lead_clinician == untrained


def test_lead_and_second_must_differ(cast):
    with pytest.raises(TriageRefused, match="must be a different person"):
        allocate(
            referral=_accepted(), lead_clinician=cast.clinician, second_assessor=cast.clinician, by=cast.clinical_lead
        )


def test_only_clinicians_can_be_allocated(cast):
    with pytest.raises(TriageRefused, match="Select an active clinician"):
        allocate(referral=_accepted(), lead_clinician=cast.coordinator, by=cast.clinical_lead)


def test_only_accepted_work_is_allocated(cast):
    with pytest.raises(TriageRefused, match="Only accepted work can be allocated; this referral's status is screening"):
        allocate(
            referral=ReferralFactory(status=Status.SCREENING), lead_clinician=cast.clinician, by=cast.clinical_lead
        )


def test_caseloads_for_every_clinician_take_the_same_queries_however_many_clinicians(cast):
    busy = _clinician("Bea Busy")

    def grow() -> None:
        for _ in range(3):
            ReferralFactory(status=Status.ALLOCATED, lead_clinician=busy)
        ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician, second_assessor=busy)
        ReferralFactory(status=Status.CLOSED, lead_clinician=busy)  # not current
        ReferralFactory(status=Status.ACCEPTED)
        for n in range(5):
            _clinician(f"Extra {n}")

    def caseloads() -> dict:
        return {c.full_name: (c.caseload, c.srp_current) for c in clinicians_for_allocation()}

    assert_queries_flat(caseloads, grow=grow)
    rows = {c.full_name: c for c in clinicians_for_allocation()}
    assert rows["Bea Busy"].caseload == 4
    assert rows["Clare Clinician"].caseload == 1
    assert rows["Oscar Other"].caseload == 0
    assert rows["Clare Clinician"].srp_current
    assert not rows["Oscar Other"].srp_current
    assert "Cora Coordinator" not in rows


# --- The allocation page -----------------------------------------------------------------------


def test_the_page_shows_caseloads_and_training(cast, client_for):
    ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician)
    _clinician("Dr Xavier Expired", srp_expires=dt.date(2026, 10, 23))
    referral = _accepted(accepted_services=[Service.CONSULTATION])  # needs no SRP: everyone is offered
    response = client_for(cast.clinical_lead).get(f"/referrals/{referral.reference}/allocate/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Clare Clinician – 1 current case – SRP trained" in page
    assert "Dr Xavier Expired – 0 current cases – SRP training expired 23 October 2026" in page
    assert "This work needs the Stalking Risk Profile" not in page
    assert 'data-testid="not-offered"' not in page


def _field_html(response, field) -> str:
    """The form group of one select, from its label to the end of the select."""
    page = response.content.decode()
    start = page.index(f'for="id_{field}"')
    return page[start : page.index("</select>", start)]


def _choices(response, field):
    return set(re.findall(r'<option value="(\d+)"', _field_html(response, field)))


def test_srp_work_offers_only_clinicians_whose_training_is_current(cast, client_for):
    today = timezone.localdate()
    expired = _clinician("Dr Xavier Expired", srp_expires=dt.date(2026, 10, 23))
    untrained = _clinician("Una Untrained", srp=False)
    current = _clinician("Cal Current", srp_expires=today + dt.timedelta(days=1))
    expires_today = _clinician("Tess Today", srp_expires=today)
    referral = _accepted()  # a stalker assessment: needs the SRP
    response = client_for(cast.clinical_lead).get(f"/referrals/{referral.reference}/allocate/")
    assert response.status_code == 200
    for field in ("lead_clinician", "second_assessor"):
        offered = _choices(response, field)
        assert {str(current.pk), str(expires_today.pk), str(cast.clinician.pk)} <= offered  # valid to the day
        assert not offered & {str(expired.pk), str(untrained.pk), str(cast.other_clinician.pk)}
    page = response.content.decode()
    assert "Only clinicians whose SRP training is current are offered" in page
    # the others are shown apart, with why, and are not choices
    not_offered = page[
        page.index('data-testid="not-offered"') : page.index("</table>", page.index('data-testid="not-offered"'))
    ]
    assert "Not offered, and why" in not_offered
    assert "Dr Xavier Expired" in not_offered
    assert "SRP training expired 23 October 2026" in not_offered
    assert "Una Untrained" in not_offered
    assert "no SRP training" in not_offered
    assert "Cal Current" not in not_offered
    assert f'value="{expired.pk}"' not in page
    assert f'value="{untrained.pk}"' not in page


@pytest.mark.parametrize("field", ["lead_clinician", "second_assessor"])
def test_posting_a_clinician_not_offered_is_refused_by_that_field_with_why(cast, client_for, field):
    expired = _clinician("Dr Xavier Expired", srp_expires=dt.date(2026, 10, 23))
    referral = _accepted()
    data = {"lead_clinician": str(cast.clinician.pk), "reason": "Has capacity"}
    data[field] = str(expired.pk)
    response = client_for(cast.clinical_lead).post(f"/referrals/{referral.reference}/allocate/", data)
    assert response.status_code == 400
    message = (
        "Dr Xavier Expired&#39;s Stalking Risk Profile training expired on 23 October 2026. This work needs "
        "the Stalking Risk Profile, so allocate it to someone whose training is current."
    )
    assert message in _field_html(response, field)  # by the field it belongs to
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Dr Xavier Expired&#39;s Stalking Risk Profile training expired on 23 October 2026" in page
    assert f'href="#id_{field}"' in page
    assert "Has capacity" in page
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


def test_the_service_still_refuses_training_that_lapsed_after_the_page_was_shown(cast):
    """Defence in depth: the form offered the clinician, the service asks again when it writes."""
    from casework.referrals.forms import AllocationForm
    from casework.referrals.queries import clinicians_for_allocation as listed

    lapsed = _clinician("Lou Lapsed")
    referral = _accepted()
    form = AllocationForm({"lead_clinician": str(lapsed.pk)}, clinicians=list(listed()))
    assert form.is_valid()
    lapsed.training_records.update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(TriageRefused, match="Lou Lapsed's Stalking Risk Profile training expired on") as refused:
        allocate(referral=referral, lead_clinician=form.cleaned_data["lead"], by=cast.clinical_lead)
    assert refused.value.field == "lead_clinician"


def test_the_page_refuses_the_same_person_twice(cast, client_for):
    referral = _accepted()
    response = client_for(cast.clinical_lead).post(
        f"/referrals/{referral.reference}/allocate/",
        {"lead_clinician": str(cast.clinician.pk), "second_assessor": str(cast.clinician.pk)},
    )
    assert response.status_code == 400
    assert "The second assessor must be a different person from the lead clinician" in response.content.decode()


def test_the_page_needs_a_lead(cast, client_for):
    response = client_for(cast.clinical_lead).post(f"/referrals/{_accepted().reference}/allocate/", {})
    assert response.status_code == 400
    assert "Select the lead clinician" in response.content.decode()


def test_the_page_allocates(cast, client_for):
    referral = _accepted()
    response = client_for(cast.clinical_lead).post(
        f"/referrals/{referral.reference}/allocate/", {"lead_clinician": str(cast.clinician.pk)}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.lead_clinician == cast.clinician
    # and now the clinician sees it
    assert client_for(cast.clinician).get(f"/referrals/{referral.reference}/").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 403),
        ("clinician", 404),
        ("finance", 404),
        ("researcher", 404),
        ("sysadmin", 404),
        ("agency", 404),
        ("agency_other", 404),
    ],
)
def test_others_cannot_allocate(cast, client_for, who, status):
    referral = _accepted(referring_organisation=cast.organisation)
    response = client_for(getattr(cast, who)).post(
        f"/referrals/{referral.reference}/allocate/", {"lead_clinician": str(cast.clinician.pk)}
    )
    assert response.status_code == status
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


def test_allocating_work_not_yet_accepted_is_403(cast, client_for):
    referral = ReferralFactory(status=Status.SCREENING)
    assert client_for(cast.clinical_lead).get(f"/referrals/{referral.reference}/allocate/").status_code == 403


def test_a_clinician_on_the_victims_own_case_is_not_offered_her_stalkers_referral(cast, client_for):
    """Vera is a client of the victim service (her case led by Val); a referral about the man who
    stalks her names her. Val is not offered it, says why, and the service refuses her too."""
    from casework.cases.choices import CaseKind
    from casework.cases.services.opening import case_open
    from casework.cases.tests.factories import ready_referral
    from casework.people.tests.factories import create_person
    from casework.referrals.choices import SubjectRole

    val = _clinician("Val Victimteam")
    stan = create_person(by=cast.coordinator, given_name="Stan", family_name="Perpetrator")
    vera = create_person(by=cast.coordinator, given_name="Vera", family_name="Victim")
    vera_referral = ready_referral(
        subject=vera, lead_clinician=val, coordinator=cast.coordinator, subject_role=SubjectRole.VICTIM
    )
    case_open(referral=vera_referral, kind=CaseKind.VICTIM, lead_clinician=val, by=cast.clinical_lead)
    stan_referral = ready_referral(
        subject=stan,
        coordinator=cast.coordinator,
        status=Status.ACCEPTED,
        accepted_services=[Service.STALKER_ASSESSMENT],
        victims=[(vera, "Vera V", "Former partner")],
    )
    response = client_for(cast.clinical_lead).get(f"/referrals/{stan_referral.reference}/allocate/")
    assert str(val.pk) not in _choices(response, "lead_clinician")
    assert str(cast.clinician.pk) in _choices(response, "lead_clinician")
    page = response.content.decode()
    assert "Val Victimteam" in page and "On a case across an information barrier" in page
    with pytest.raises(TriageRefused, match="other side of an information barrier"):
        allocate(referral=stan_referral, lead_clinician=val, by=cast.clinical_lead)
    # And the other way round: her own referral is not offered to Stan's clinician.
    stan_referral.status = Status.ACCEPTED
    stan_referral.save()
    allocate(referral=stan_referral, lead_clinician=cast.clinician, by=cast.clinical_lead)
    case_open(referral=stan_referral, kind=CaseKind.PERPETRATOR, lead_clinician=cast.clinician, by=cast.clinical_lead)
    second = ready_referral(
        subject=vera,
        coordinator=cast.coordinator,
        subject_role=SubjectRole.VICTIM,
        status=Status.ACCEPTED,
        accepted_services=[Service.STALKER_ASSESSMENT],
    )
    with pytest.raises(TriageRefused, match="other side of an information barrier"):
        allocate(referral=second, lead_clinician=cast.clinician, by=cast.clinical_lead)
