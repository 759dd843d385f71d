"""Reports issued to an agency, in the portal: an agency user sees and downloads the issues
addressed to their own organisation and no other; each download is audited and written to the
disclosure register; a replaced issue says so and still downloads; clinic staff are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.audit.models import Action, AuditEvent
from casework.core.testing import assert_page_queries_flat
from casework.reports.models import DisclosureEntry
from casework.reports.tests.conftest import build
from casework.reports.tests.issued import DOCX_BYTES, PDF_BYTES, make_issued, report_on

LIST = "/portal/reports/"


def _pdf(issued):
    return reverse("portal:report_pdf", kwargs={"pk": issued.pk})


def _docx(issued):
    return reverse("portal:report_docx", kwargs={"pk": issued.pk})


@pytest.fixture
def issued_world(cast):
    """A case opened from Northshire Police's referral: a report issued to Northshire Police (and
    corrected by a second issue), and one issued to Southshire Probation from the same case."""
    rworld = build(cast)
    report = report_on(rworld.case, by=cast.clinician, source_referral=rworld.referral)
    first = make_issued(report, recipient=cast.organisation, by=cast.clinician)
    second = make_issued(report, recipient=cast.organisation, by=cast.clinician, number=2, replaces=first)
    probation = make_issued(
        report_on(rworld.case, by=cast.clinician, report_type="mappa"),
        recipient=cast.other_organisation,
        by=cast.clinician,
        side="probation",
        recipient_name="Probation Officer Pat",
    )
    return rworld, first, second, probation


def test_the_agency_sees_only_the_reports_issued_to_its_organisation(cast, client_for, issued_world):
    rworld, first, second, probation = issued_world
    page = client_for(cast.agency).get(LIST).content.decode()
    assert _pdf(first) in page and _docx(second) in page
    assert _pdf(probation) not in page and "Probation Officer Pat" not in page
    assert rworld.case.reference not in page  # nothing of the case
    assert reverse("portal:detail", kwargs={"reference": rworld.referral.reference}) in page
    other = client_for(cast.agency_other).get(LIST).content.decode()
    assert _pdf(probation) in other and _pdf(first) not in other


def test_the_referral_page_lists_the_reports_issued_for_it(cast, client_for, issued_world):
    rworld, first, second, probation = issued_world
    page = client_for(cast.agency).get(reverse("portal:detail", kwargs={"reference": rworld.referral.reference}))
    html = page.content.decode()
    assert "Reports issued to you" in html
    assert _pdf(first) in html and _pdf(second) in html and _pdf(probation) not in html


def test_a_replaced_issue_says_so_and_still_downloads(cast, client_for, issued_world):
    _, first, second, _ = issued_world
    client = client_for(cast.agency)
    page = client.get(LIST).content.decode()
    assert "Replaced by issue 2" in page and page.count('data-testid="replaced"') == 1
    assert client.get(_pdf(first)).status_code == 200


def test_a_download_is_audited_and_written_to_the_register(cast, client_for, issued_world):
    _, first, _, _ = issued_world
    client = client_for(cast.agency)
    response = client.get(_pdf(first))
    assert response.status_code == 200 and response.content == PDF_BYTES
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    entry = DisclosureEntry.objects.filter(method="portal").get()
    assert entry.issued_report == first and entry.case == first.case
    assert entry.recipient == cast.organisation and entry.released_by == cast.agency
    assert entry.legal_basis == "duty_to_share"  # copied from the issue's first entry
    assert "issue 1 (PDF)" in entry.description
    event = AuditEvent.objects.get(action=Action.EXPORT, object_type="reports.issuedreport")
    assert event.actor == cast.agency and event.object_id == str(first.pk)
    assert event.changes == {"disclosure": entry.pk, "file": "pdf"}
    docx = client.get(_docx(first))
    assert docx.content == DOCX_BYTES and docx["Content-Type"].endswith("wordprocessingml.document")
    assert DisclosureEntry.objects.filter(method="portal").count() == 2


def test_without_an_earlier_entry_the_legal_basis_is_the_letter_of_instruction(cast, client_for, issued_world):
    _, first, _, _ = issued_world
    DisclosureEntry.objects.filter(issued_report=first).delete()
    assert client_for(cast.agency).get(_pdf(first)).status_code == 200
    assert DisclosureEntry.objects.get(issued_report=first).legal_basis == "letter_of_instruction"


def test_a_report_issued_to_another_organisation_is_not_found(cast, client_for, issued_world):
    _, first, _, probation = issued_world
    before = DisclosureEntry.objects.count()
    client = client_for(cast.agency)
    assert client.get(_pdf(probation)).status_code == 404
    assert client.get(_docx(probation)).status_code == 404
    assert client_for(cast.agency_other).get(_pdf(first)).status_code == 404
    assert DisclosureEntry.objects.count() == before
    assert AuditEvent.objects.filter(action=Action.REFUSED, object_type="reports.issuedreport").count() == 3


@pytest.mark.parametrize("role", ["coordinator", "clinician", "clinical_lead", "finance", "sysadmin"])
def test_clinic_staff_are_refused_the_portal_reports(role, cast, client_for, issued_world):
    _, first, _, _ = issued_world
    client = client_for(cast.by_name(role))
    for url in (LIST, _pdf(first), _docx(first)):
        assert client.get(url).status_code == 403, url


def test_the_list_is_in_the_header_and_keeps_a_fixed_number_of_queries(cast, client_for, issued_world):
    rworld, first, _, _ = issued_world
    client = client_for(cast.agency)
    assert f'href="{LIST}"' in client.get(reverse("portal:referrals")).content.decode()
    numbers = iter(range(1, 100))

    def grow():
        for _ in range(3):
            report = report_on(rworld.case, by=cast.clinician)
            make_issued(report, recipient=cast.organisation, by=cast.clinician, number=next(numbers))

    assert_page_queries_flat(client, LIST, grow=grow)
    assert_page_queries_flat(
        client, reverse("portal:detail", kwargs={"reference": rworld.referral.reference}), grow=grow
    )


def test_a_report_from_across_an_information_barrier_is_not_shown_to_the_stalkers_referrer(cast, client_for):
    """Vera's victim case sits across a barrier from Stan's case, which the agency user referred: a
    report from her case issued to their organisation is not theirs to see; a colleague who sent
    nothing about Stan sees it."""
    from casework.accounts.tests.factories import UserFactory
    from casework.cases.tests.factories import barrier_pair
    from casework.core.roles import Role

    pair = barrier_pair(cast)
    victim_case, victim_clinician = pair.vera_case, pair.victim_clinician
    type(pair.stan_referral).objects.filter(pk=pair.stan_referral.pk).update(created_by=cast.agency)
    issued = make_issued(report_on(victim_case, by=victim_clinician), recipient=cast.organisation, by=victim_clinician)
    client = client_for(cast.agency)
    assert _pdf(issued) not in client.get(LIST).content.decode()
    assert client.get(_pdf(issued)).status_code == 404
    colleague = UserFactory(role=Role.AGENCY_REFERRER, organisation=cast.organisation)
    assert _pdf(issued) in client_for(colleague).get(LIST).content.decode()
