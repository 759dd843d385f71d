"""Bad input to staff intake answers with a message, never 500 (issue 9: each failed before the fix)."""

from __future__ import annotations

import pytest

from casework.referrals.models import Referral
from casework.referrals.tests.test_intake import URL, valid_post


def test_a_received_year_of_0001_is_refused_and_issues_no_reference(cast, client_for):
    data = valid_post(cast.organisation, received_on_day="1", received_on_month="1", received_on_year="0001")
    response = client_for(cast.coordinator).post(URL, data)
    assert response.status_code == 400
    assert "Date received must be 1 January 1900 or later" in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.parametrize("field", ["behaviour_summary", "subject_details", "referrer_name", "parties-0-details"])
def test_megabytes_of_text_are_refused_in_free_text_fields(cast, client_for, field):
    response = client_for(cast.coordinator).post(URL, valid_post(cast.organisation, **{field: "x" * 2_000_000}))
    assert response.status_code == 400
    assert "characters or fewer" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_20_digit_day_of_birth_is_refused_with_a_message(cast, client_for):
    data = valid_post(cast.organisation, subject_date_of_birth_day="1" * 20)
    response = client_for(cast.coordinator).post(URL, data)
    assert response.status_code == 400
    assert "Date of birth must be a real date" in response.content.decode()
