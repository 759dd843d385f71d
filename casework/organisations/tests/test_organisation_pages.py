"""Organisation pages for system administrators: list and filter, create, edit (ODS code
checked), deactivate and reactivate; the agency referrers of an organisation; the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.accounts.tests.factories import OrganisationFactory, UserFactory
from casework.audit.models import Action, AuditEvent
from casework.core.roles import Role
from casework.core.testing import assert_page_queries_flat
from casework.organisations.models import Organisation, OrganisationKind

NOT_ADMINS = [
    "coordinator",
    "clinician",
    "other_clinician",
    "clinical_lead",
    "finance",
    "researcher",
    "agency",
    "agency_other",
]


def last_event(obj, action: str) -> AuditEvent:
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action).latest(
        "sequence"
    )


def organisation_data(**overrides) -> dict:
    data = {
        "name": "Eastmarsh Constabulary",
        "kind": OrganisationKind.POLICE_FORCE.value,
        "ods_code": "y9e01",
        "address": "1 High Street\nEastmarsh",
        "postcode": "em1 1aa",
        "phone": "01632 960 123",
        "email": "Referrals@Eastmarsh.example.org",
    }
    data.update(overrides)
    return data


# --- List ----------------------------------------------------------------------------------------


def test_administrator_lists_organisations(cast, client_for):
    response = client_for(cast.sysadmin).get(reverse("organisations:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Northshire Police" in html and "Southshire Probation" in html


def test_list_filters_by_kind_status_and_search(cast, client_for):
    OrganisationFactory(name="Westvale Crown Court", kind=OrganisationKind.COURT, ods_code="")
    OrganisationFactory(name="Closed Trust", kind=OrganisationKind.NHS_TRUST, is_active=False, ods_code="XC9")
    client = client_for(cast.sysadmin)
    url = reverse("organisations:list")
    html = client.get(url, {"kind": "court"}).content.decode()
    assert "Westvale Crown Court" in html and "Northshire Police" not in html
    html = client.get(url, {"status": "inactive"}).content.decode()
    assert "Closed Trust" in html and "Northshire Police" not in html
    html = client.get(url, {"q": "xc9"}).content.decode()
    assert "Closed Trust" in html and "Westvale" not in html
    refused = client.get(url, {"kind": "pub"})
    assert refused.status_code == 400
    assert "Select a kind of organisation from the list" in refused.content.decode()


def test_list_paginates_and_keeps_the_filter_on_the_next_page(cast, client_for):
    OrganisationFactory.create_batch(30, kind=OrganisationKind.COURT)
    client = client_for(cast.sysadmin)
    html = client.get(reverse("organisations:list"), {"kind": "court"}).content.decode()
    assert "Showing 1 to 25 of 30 organisations" in html
    assert "kind=court" in html and "page=2" in html


def test_list_runs_the_same_number_of_queries_however_many_organisations(cast, client_for):
    client = client_for(cast.sysadmin)
    url = reverse("organisations:list")

    def grow() -> None:
        for organisation in OrganisationFactory.create_batch(12):
            UserFactory(role=Role.AGENCY_REFERRER, organisation=organisation)

    assert_page_queries_flat(client, url, grow=grow)


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_everyone_else_is_refused_every_organisation_page(cast, client_for, role):
    client = client_for(cast.by_name(role))
    pk = cast.organisation.pk
    for name, args in [
        ("organisations:list", []),
        ("organisations:create", []),
        ("organisations:detail", [pk]),
        ("organisations:edit", [pk]),
        ("organisations:deactivate", [pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.post(reverse("organisations:create"), organisation_data()).status_code == 403
    assert client.post(reverse("organisations:edit", args=[pk]), organisation_data()).status_code == 403
    assert client.post(reverse("organisations:deactivate", args=[pk])).status_code == 403
    assert not Organisation.objects.filter(name="Eastmarsh Constabulary").exists()
    cast.organisation.refresh_from_db()
    assert cast.organisation.is_active and cast.organisation.name == "Northshire Police"


# --- One organisation -----------------------------------------------------------------------------


def test_the_organisation_page_lists_its_agency_referrers_and_is_audited(cast, client_for):
    UserFactory(role=Role.AGENCY_REFERRER, organisation=cast.organisation, full_name="Rita Retired", is_active=False)
    response = client_for(cast.sysadmin).get(reverse("organisations:detail", args=[cast.organisation.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pat Police" in html and "Rita Retired" in html
    assert "Otto Outsider" not in html
    event = last_event(cast.organisation, Action.VIEW)
    assert event.actor == cast.sysadmin and "Northshire" not in event.object_label


def test_the_referrers_on_the_organisation_page_paginate(cast, client_for):
    UserFactory.create_batch(26, role=Role.AGENCY_REFERRER, organisation=cast.organisation)
    html = client_for(cast.sysadmin).get(reverse("organisations:detail", args=[cast.organisation.pk])).content.decode()
    assert "Showing 1 to 25 of 27 agency referrers" in html


def test_an_organisation_that_does_not_exist_is_not_found(cast, client_for):
    assert client_for(cast.sysadmin).get(reverse("organisations:detail", args=[99999])).status_code == 404


# --- Create and edit ---------------------------------------------------------------------------------


def test_administrator_adds_an_organisation_and_it_is_audited(cast, client_for):
    response = client_for(cast.sysadmin).post(reverse("organisations:create"), organisation_data())
    created = Organisation.objects.get(name="Eastmarsh Constabulary")
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:detail", args=[created.pk])
    assert created.ods_code == "Y9E01" and created.postcode == "EM1 1AA"
    assert created.email == "referrals@eastmarsh.example.org" and created.is_active
    event = last_event(created, Action.CREATE)
    assert event.actor == cast.sysadmin
    assert event.changes["ods_code"] == {"old": None, "new": "Y9E01"}
    assert event.changes["kind"] == {"old": None, "new": "police"}


def test_an_organisation_need_not_have_an_ods_code_and_many_may_have_none(cast, client_for):
    client = client_for(cast.sysadmin)
    client.post(reverse("organisations:create"), organisation_data(ods_code=""))
    client.post(reverse("organisations:create"), organisation_data(name="Westvale Police", ods_code=""))
    assert Organisation.objects.filter(ods_code="", name__in=["Eastmarsh Constabulary", "Westvale Police"]).count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the organisation"),
        ({"name": "northshire police"}, "name", "There is already a police force with this name"),
        ({"kind": ""}, "kind", "Select the kind of organisation"),
        ({"kind": "pub"}, "kind", "Select a kind of organisation from the list"),
        ({"ods_code": "RR-P"}, "ods_code", "Enter an ODS code of 1 to 9 letters and numbers"),
        ({"ods_code": "ABCDEFGHIJ"}, "ods_code", "Enter an ODS code of 1 to 9 letters and numbers"),
        ({"ods_code": "t0000"}, "ods_code", "Another organisation already has this ODS code"),
        ({"postcode": "NOTAPOST"}, "postcode", "Enter a full UK postcode"),
        ({"postcode": "EM1 1AA EM1 1AA"}, "postcode", "Postcode must be 10 characters or fewer"),
        ({"phone": "ring ring"}, "phone", "Enter a telephone number"),
        ({"email": "nobody"}, "email", "Enter an email address in the correct format"),
    ],
)
def test_create_refuses_bad_input_with_a_message_per_field_and_keeps_what_was_typed(
    cast, client_for, overrides, field, message
):
    cast.organisation.ods_code = "T0000"
    cast.organisation.save()
    data = organisation_data(**overrides)
    response = client_for(cast.sysadmin).post(reverse("organisations:create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert f'href="#id_{field}' in html
    assert "01632 960 123" in html or field == "phone"
    assert Organisation.objects.count() == 2


def test_administrator_edits_an_organisation_and_the_audit_keeps_old_and_new(cast, client_for):
    organisation = cast.organisation
    old_code = organisation.ods_code
    client = client_for(cast.sysadmin)
    form = client.get(reverse("organisations:edit", args=[organisation.pk])).content.decode()
    assert 'value="Northshire Police"' in form
    response = client.post(
        reverse("organisations:edit", args=[organisation.pk]),
        organisation_data(name="Northshire Police", ods_code="N1", kind=OrganisationKind.POLICE_FORCE.value),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.ods_code == "N1"
    event = last_event(organisation, Action.UPDATE)
    assert event.actor == cast.sysadmin
    assert event.changes["ods_code"] == {"old": old_code, "new": "N1"}
    assert "name" not in event.changes


def test_an_organisation_may_keep_its_own_ods_code_when_edited(cast, client_for):
    organisation = cast.organisation
    response = client_for(cast.sysadmin).post(
        reverse("organisations:edit", args=[organisation.pk]),
        organisation_data(name=organisation.name, ods_code=organisation.ods_code.lower()),
    )
    assert response.status_code == 302


# --- Deactivate and reactivate -----------------------------------------------------------------------


def test_deactivating_disables_its_referrers_and_signs_them_out(cast, client_for):
    referrer_client = client_for(cast.agency)
    assert referrer_client.get(reverse("core:my_work")).status_code == 200
    admin = client_for(cast.sysadmin)
    confirm = admin.get(reverse("organisations:deactivate", args=[cast.organisation.pk])).content.decode()
    assert "1 agency referrer account of this organisation will be disabled" in confirm
    assert admin.post(reverse("organisations:deactivate", args=[cast.organisation.pk])).status_code == 302
    cast.organisation.refresh_from_db()
    cast.agency.refresh_from_db()
    cast.agency_other.refresh_from_db()
    assert not cast.organisation.is_active
    assert not cast.agency.is_active and cast.agency_other.is_active
    assert referrer_client.get(reverse("core:my_work")).status_code == 302
    assert last_event(cast.organisation, Action.UPDATE).changes == {"is_active": {"old": True, "new": False}}
    user_event = last_event(cast.agency, Action.UPDATE)
    assert user_event.actor == cast.sysadmin and user_event.changes == {"is_active": {"old": True, "new": False}}


def test_reactivating_leaves_referrers_disabled(cast, client_for):
    admin = client_for(cast.sysadmin)
    admin.post(reverse("organisations:deactivate", args=[cast.organisation.pk]))
    assert admin.get(reverse("organisations:deactivate", args=[cast.organisation.pk])).status_code == 403
    assert admin.get(reverse("organisations:reactivate", args=[cast.organisation.pk])).status_code == 200
    assert admin.post(reverse("organisations:reactivate", args=[cast.organisation.pk])).status_code == 302
    cast.organisation.refresh_from_db()
    cast.agency.refresh_from_db()
    assert cast.organisation.is_active and not cast.agency.is_active
    assert last_event(cast.organisation, Action.UPDATE).changes == {"is_active": {"old": False, "new": True}}
    assert admin.get(reverse("organisations:reactivate", args=[cast.organisation.pk])).status_code == 403


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_administrators_reactivate(cast, client_for, role):
    closed = OrganisationFactory(is_active=False)
    client = client_for(cast.by_name(role))
    assert client.get(reverse("organisations:reactivate", args=[closed.pk])).status_code == 403
    assert client.post(reverse("organisations:reactivate", args=[closed.pk])).status_code == 403
    closed.refresh_from_db()
    assert not closed.is_active


def test_the_organisation_page_runs_the_same_number_of_queries_however_many_referrers(cast, client_for):
    client = client_for(cast.sysadmin)
    url = reverse("organisations:detail", args=[cast.organisation.pk])
    assert_page_queries_flat(
        client,
        url,
        grow=lambda: UserFactory.create_batch(15, role=Role.AGENCY_REFERRER, organisation=cast.organisation),
    )
