"""NUL and other control characters are refused at the edge, on every database, with a page that
says why (issue 9: a NUL byte in a URL answered 500 on PostgreSQL and was stored on SQLite)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.referrals.models import Referral
from casework.referrals.tests.test_intake import URL, valid_post

REFUSED = "contains a control character"


@pytest.mark.parametrize("path", ["/cases/CASE-2026-00001%00/", "/referrals/REF%00/", "/people/%01/", "/sign-in/%7F"])
def test_a_control_character_in_the_address_is_refused_with_the_reason(cast, client_for, path):
    response = client_for(cast.clinical_lead).get(path)
    assert response.status_code == 400
    assert REFUSED in response.content.decode()


def test_a_control_character_in_the_query_string_is_refused(cast, client_for):
    response = client_for(cast.clinical_lead).get("/search/", {"q": "stalk\x00er"})
    assert response.status_code == 400
    assert REFUSED in response.content.decode()


def test_a_signed_out_visitor_is_refused_too(db, client):
    response = client.get("/sign-in/", {"next": "/\x00"})
    assert response.status_code == 400
    assert REFUSED in response.content.decode()


@pytest.mark.parametrize("character", ["\x00", "\x08", "\x1b", "\x7f", "\x85"])
def test_a_control_character_in_a_form_field_is_refused_and_nothing_is_stored(cast, client_for, character):
    data = valid_post(cast.organisation, behaviour_summary=f"Following{character} her home")
    response = client_for(cast.coordinator).post(URL, data)
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not Referral.objects.exists()


def test_tabs_and_new_lines_in_multi_line_text_are_kept(cast, client_for):
    data = valid_post(cast.organisation, behaviour_summary="Following her home\r\n\tand to work")
    response = client_for(cast.coordinator).post(URL, data)
    assert response.status_code == 302
    assert Referral.objects.get().behaviour_summary == "Following her home\r\n\tand to work"


def test_a_numeric_identifier_too_big_for_the_database_is_not_found(cast, world_case_reference, client_for):
    response = client_for(cast.clinical_lead).get(f"/cases/{world_case_reference}/incidents/{'9' * 30}/edit/")
    assert response.status_code == 404


@pytest.fixture
def world_case_reference(cast):
    from casework.cases.tests.factories import make_case

    return make_case(lead=cast.clinician, by=cast.clinical_lead).reference


def test_the_page_number_may_be_any_size(cast, client_for):
    response = client_for(cast.clinical_lead).get(reverse("referrals:list"), {"page": "9" * 40})
    assert response.status_code == 200
