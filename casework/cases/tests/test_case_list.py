"""The list of cases: scoped to the user, filtered, paginated, audited, in a fixed number of queries."""

from __future__ import annotations

from django.urls import reverse

from casework.audit.models import Action, AuditEvent
from casework.cases.tests.factories import make_case
from casework.core.testing import assert_page_queries_flat


def test_clinicians_see_their_team_s_cases_only(cast, world, client_for):
    other = make_case(lead=cast.other_clinician, by=cast.clinical_lead)
    body = client_for(cast.clinician).get(reverse("cases:list")).content.decode()
    assert world.case.reference in body and other.reference not in body
    lead_body = client_for(cast.clinical_lead).get(reverse("cases:list")).content.decode()
    assert world.case.reference in lead_body and other.reference in lead_body


def test_filters_by_status_kind_and_my_cases(cast, world, client_for):
    other = make_case(lead=cast.other_clinician, by=cast.clinical_lead, kind="consultation")
    client = client_for(cast.clinical_lead)
    body = client.get(reverse("cases:list") + "?kind=consultation").content.decode()
    assert other.reference in body and world.case.reference not in body
    body = client.get(reverse("cases:list") + "?status=closed").content.decode()
    assert "No cases match these filters" in body
    mine = client_for(cast.other_clinician).get(reverse("cases:list") + "?mine=on").content.decode()
    assert other.reference in mine


def test_reading_the_list_is_audited(cast, world, client_for):
    client_for(cast.coordinator).get(reverse("cases:list"))
    event = AuditEvent.objects.filter(action=Action.VIEW, object_type="cases.case").latest("sequence")
    assert event.object_label == "case list, page 1"


def test_the_list_paginates_in_a_fixed_number_of_queries(cast, world, client_for):
    client = client_for(cast.clinical_lead)

    def grow() -> None:
        for _ in range(30):
            make_case(lead=cast.clinician, by=cast.clinical_lead)

    assert_page_queries_flat(client, reverse("cases:list"), grow=grow)
    body = client.get(reverse("cases:list")).content.decode()
    assert "Showing 1 to 25 of 31 cases" in body


def test_the_open_list_shows_referrals_ready_for_a_case(cast, world, client_for):
    from casework.cases.tests.factories import ready_referral

    ready = ready_referral(lead_clinician=cast.clinician)
    body = client_for(cast.clinical_lead).get(reverse("cases:open_list")).content.decode()
    assert ready.reference in body and world.referral.reference not in body


def test_the_order_of_the_case_list_is_an_index(cast):
    """The list's pages are read from an index in the list's own order (migration 0009) rather than
    every case joined to its subject and sorted (issue 19); the index and the list's order agree."""
    from django.db import connection

    from casework.cases.queries import cases_for_list

    assert list(cases_for_list(cast.clinical_lead).query.order_by) == ["-opened_on", "-id"]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "cases_case")
    index = constraints["case_opened_desc_idx"]
    assert index["index"] and index["columns"] == ["opened_on", "id"]
    assert index["orders"] == ["DESC", "DESC"]
