"""My work: the clinician's drafts and the reviews due on the cases they lead; for clinical leads,
assessments waiting for sign-off and reviews overdue across the service."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from casework.assessments.models import Assessment
from casework.assessments.tests import factories
from casework.core.testing import assert_page_queries_flat


def _page(client) -> str:
    return client.get(reverse("core:my_work")).content.decode()


def test_a_clinician_sees_their_drafts_and_the_reviews_due_on_cases_they_lead(world, cast, client_for):
    factories.draft(world.case, cast.clinician)
    signed = factories.signed(world.case, cast.clinician, cast.clinical_lead)
    Assessment.objects.filter(pk=signed.pk).update(review_due_on=timezone.localdate() + dt.timedelta(days=10))
    page = _page(client_for(cast.clinician))
    assert "Your assessments in progress" in page
    assert "Assessment reviews due" in page and f"{world.case.reference}: Stalking risk assessment" in page
    # Not the clinical lead's own queue, and nothing for someone off the team.
    assert "Assessments to sign off" not in page
    assert world.case.reference not in _page(client_for(cast.other_clinician))


def test_a_clinical_lead_sees_what_waits_for_sign_off_and_reviews_overdue(world, cast, client_for):
    factories.submitted(world.case, cast.clinician)
    signed = factories.signed(world.case, cast.clinician, cast.clinical_lead)
    Assessment.objects.filter(pk=signed.pk).update(review_due_on=timezone.localdate() - dt.timedelta(days=3))
    page = _page(client_for(cast.clinical_lead))
    sign_off = page[page.index("Assessments to sign off") :]
    assert f"{world.case.reference}: Stalking risk assessment" in sign_off
    assert "Assessment reviews overdue" in page and "Overdue" in page


def test_my_work_keeps_a_fixed_query_count_as_assessments_grow(world, cast, client_for):
    def grow():
        factories.submitted(world.case, cast.clinician)
        signed = factories.signed(world.case, cast.clinician, cast.clinical_lead)
        Assessment.objects.filter(pk=signed.pk).update(review_due_on=timezone.localdate() - dt.timedelta(days=1))

    assert_page_queries_flat(client_for(cast.clinical_lead), reverse("core:my_work"), grow=grow)
    assert_page_queries_flat(client_for(cast.clinician), reverse("core:my_work"), grow=grow)
