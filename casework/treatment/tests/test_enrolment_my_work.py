"""My work: treatment follow-ups falling due — for a clinician on the cases whose team they are on,
for a clinical lead across the service — with a fixed number of queries however many are due."""

from __future__ import annotations

from django.urls import reverse

from casework.cases.tests.conftest import documents_in_tmp  # noqa: F401  (fixture)
from casework.cases.tests.factories import make_case
from casework.core.testing import assert_page_queries_flat
from casework.treatment.tests.enrolment_helpers import treated_case


def _page(client) -> str:
    return client.get(reverse("core:my_work")).content.decode()


def test_a_clinician_sees_follow_ups_due_on_their_cases(cast, client_for):
    treated = treated_case(cast)
    page = _page(client_for(cast.clinician))
    assert "Treatment follow-ups due on your cases" in page
    assert f"{treated.case.reference}: follow-up at 6 months" in page
    assert "12 months" not in page  # not due for months yet
    assert treated.case.reference not in _page(client_for(cast.other_clinician))
    assert "Treatment follow-ups" not in _page(client_for(cast.coordinator))


def test_a_recorded_follow_up_leaves_the_list(cast, client_for):
    import datetime as dt

    from django.utils import timezone

    from casework.treatment.services import enrolment as services

    treated = treated_case(cast)
    services.follow_up_record(
        follow_up=treated.follow_up,
        re_referred=False,
        further_stalking=False,
        reconvicted=False,
        done_on=timezone.localdate() - dt.timedelta(days=1),
        by=cast.clinician,
    )
    assert f"{treated.case.reference}: follow-up" not in _page(client_for(cast.clinician))


def test_a_clinical_lead_sees_follow_ups_across_the_service(cast, client_for):
    from casework.accounts.tests.factories import UserFactory
    from casework.core.roles import Role

    colleague = UserFactory(role=Role.CLINICIAN, full_name="Cal Colleague")
    case = make_case(lead=colleague, by=cast.clinical_lead)
    treated_case(cast_with(cast, clinician=colleague), case=case)
    page = _page(client_for(cast.clinical_lead))
    assert "Treatment follow-ups due across the service" in page and f"{case.reference}: follow-up" in page


def cast_with(cast, **changes):
    import dataclasses

    return dataclasses.replace(cast, **changes)


def test_my_work_keeps_a_fixed_query_count_as_follow_ups_grow(cast, client_for):
    from casework.cases.queries import refresh_kept_risks

    def grow():
        treated_case(cast)
        refresh_kept_risks()  # counted as after the nightly assessment (ADR 0027; the stale path: cases tests)

    assert_page_queries_flat(client_for(cast.clinician), reverse("core:my_work"), grow=grow)
    assert_page_queries_flat(client_for(cast.clinical_lead), reverse("core:my_work"), grow=grow)
