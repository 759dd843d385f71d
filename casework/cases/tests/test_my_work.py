"""My work: orders ending soon and hearings coming up."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from casework.cases.choices import TeamRole
from casework.cases.models import Case
from casework.cases.services.team import team_add
from casework.cases.tests.factories import HearingFactory, OrderFactory


def my_work(client) -> str:
    return client.get(reverse("core:my_work")).content.decode()


def test_an_order_ending_within_the_window_is_on_the_team_s_my_work(cast, world, client_for):
    today = timezone.localdate()
    OrderFactory(case=world.case, kind="spo_interim", ends_on=today + dt.timedelta(days=20))
    OrderFactory(case=world.case, kind="restraining", ends_on=today + dt.timedelta(days=40))
    body = my_work(client_for(cast.clinician))
    assert "Court orders ending soon (1)" in body
    assert f"{world.case.reference}: Stalking Protection Order (interim)" in body
    assert "Restraining order" not in body
    assert "Stan" not in body  # references, never names


def test_the_window_is_configurable(cast, world, client_for, settings):
    settings.CASEWORK_ORDER_ENDING_DAYS = 60
    OrderFactory(case=world.case, ends_on=timezone.localdate() + dt.timedelta(days=40))
    assert "Court orders ending soon (1)" in my_work(client_for(cast.clinician))


def test_orders_of_other_teams_or_closed_cases_are_not_shown(cast, world, client_for):
    OrderFactory(case=world.case, ends_on=timezone.localdate() + dt.timedelta(days=5))
    assert "Court orders ending soon (0)" in my_work(client_for(cast.other_clinician))
    # A clinical lead sees the orders of the cases they are on the team of, not the whole caseload.
    assert "Court orders ending soon (0)" in my_work(client_for(cast.clinical_lead))
    Case.objects.filter(pk=world.case.pk).update(
        status="closed", closed_on=timezone.localdate(), closure_reason="other"
    )
    assert "Court orders ending soon (0)" in my_work(client_for(cast.clinician))


def test_hearings_coming_up_for_the_team_and_for_coordinators(cast, world, client_for):
    today = timezone.localdate()
    HearingFactory(case=world.case, hearing_on=today + dt.timedelta(days=3), venue="Westvale Crown Court")
    HearingFactory(case=world.case, hearing_on=today + dt.timedelta(days=90))
    for user in (cast.clinician, cast.coordinator):
        body = my_work(client_for(user))
        assert "Hearings coming up (1)" in body
        assert "Westvale Crown Court" in body and "This week" in body
    assert "Hearings coming up (0)" in my_work(client_for(cast.other_clinician))
    team_add(case=world.case, user=cast.other_clinician, role=TeamRole.CLINICIAN, by=cast.clinical_lead)
    assert "Hearings coming up (1)" in my_work(client_for(cast.other_clinician))


def test_roles_without_cases_have_no_case_sections(cast, client_for):
    for user in (cast.finance, cast.researcher, cast.sysadmin, cast.agency):
        body = my_work(client_for(user))
        assert "Court orders ending soon" not in body and "Hearings coming up" not in body
    assert "Court orders ending soon" not in my_work(client_for(cast.coordinator))


def test_the_cases_item_is_in_the_navigation_for_case_staff_only(cast, client_for):
    href = f'href="{reverse("cases:list")}"'
    for user in (cast.coordinator, cast.clinician, cast.clinical_lead):
        assert href in my_work(client_for(user))
    for user in (cast.finance, cast.researcher, cast.sysadmin, cast.agency):
        assert href not in my_work(client_for(user))
