"""Answering the clinic's request for more information through the portal: the agency sees what
was asked, answers (with a document if it has one), the referral goes back to screening, the
clinic reads the answer on its referral page, and the agency sees that it was sent."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import Action, AuditEvent
from casework.portal.services import portal_answer_request
from casework.referrals.choices import Decision, Status
from casework.referrals.models import ReferralDocument, Transition
from casework.referrals.services.triage import ANSWER_MAX_LENGTH, screening_decide
from casework.referrals.tests.factories import ReferralFactory
from casework.referrals.tests.test_documents import PDF
from conftest import EICAR

QUESTION = "Please send the police summary\nand the dates of the last two incidents."
ANSWER = "The summary is attached.\nThe incidents were on 3 and 9 March."


@pytest.fixture
def agency_client(cast, client_for):
    return client_for(cast.agency)


@pytest.fixture
def waiting(cast):
    referral = ReferralFactory(referring_organisation=cast.organisation, status=Status.SCREENING)
    screening_decide(referral=referral, by=cast.coordinator, decision=Decision.REQUEST_INFORMATION, reason=QUESTION)
    referral.refresh_from_db()
    assert referral.status == Status.AWAITING_INFORMATION
    return referral


def answer_url(referral) -> str:
    return reverse("portal:answer", kwargs={"reference": referral.reference})


def detail(client, referral) -> str:
    return client.get(reverse("portal:detail", kwargs={"reference": referral.reference})).content.decode()


def test_the_referral_page_shows_the_question_and_the_way_to_answer(agency_client, waiting):
    html = detail(agency_client, waiting)
    assert "What the clinic asked for" in html and "Please send the police summary" in html
    assert answer_url(waiting) in html
    page = agency_client.get(answer_url(waiting))
    assert page.status_code == 200 and "Please send the police summary" in page.content.decode()


def test_an_answer_goes_back_to_screening_and_the_clinic_reads_it(cast, agency_client, client_for, waiting):
    response = agency_client.post(answer_url(waiting), {"answer": ANSWER})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.SCREENING
    step = Transition.objects.get(referral=waiting, from_status=Status.AWAITING_INFORMATION)
    assert step.by == cast.agency and step.to_status == Status.SCREENING and ANSWER in step.reason
    staff_page = client_for(cast.coordinator).get(reverse("referrals:detail", args=[waiting.reference]))
    assert "The incidents were on 3 and 9 March." in staff_page.content.decode()
    # The audit trail says the referrer answered; what it wrote stays out of it.
    event = AuditEvent.objects.filter(action=Action.TRANSITION, actor=cast.agency).get()
    assert "March" not in (event.reason or "") and "referrer" in event.reason
    # The agency sees that it was sent, and the question has gone.
    html = detail(agency_client, waiting)
    assert "Your answers to the clinic" in html and "The incidents were on 3 and 9 March." in html
    assert answer_url(waiting) not in html and "What the clinic asked for" not in html


def test_an_answer_can_bring_a_document(cast, agency_client, waiting):
    response = agency_client.post(
        answer_url(waiting),
        {
            "answer": ANSWER,
            "kind": "police_summary",
            "file": SimpleUploadedFile("summary.pdf", PDF),
        },
    )
    assert response.status_code == 302
    document = ReferralDocument.objects.get()
    assert document.uploaded_by == cast.agency and document.kind == "police_summary"
    assert "summary.pdf" in detail(agency_client, waiting)


def test_an_infected_document_sends_nothing(agency_client, waiting, scanner):
    response = agency_client.post(
        answer_url(waiting),
        {
            "answer": ANSWER,
            "kind": "other",
            "file": SimpleUploadedFile("notes.txt", EICAR),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'id="id_file-error"' in html
    assert "The summary is attached." in html  # what was typed is kept
    waiting.refresh_from_db()
    assert waiting.status == Status.AWAITING_INFORMATION
    assert not ReferralDocument.objects.exists()


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"answer": ""}, "answer", "Enter your answer to the clinic"),
        ({"answer": "x" * (ANSWER_MAX_LENGTH + 1)}, "answer", "characters or fewer"),
        ({"answer": ANSWER, "file": SimpleUploadedFile("summary.pdf", PDF)}, "kind", "Select what the document is"),
    ],
)
def test_a_missing_or_too_long_answer_is_refused_by_its_field(agency_client, waiting, data, field, message):
    response = agency_client.post(answer_url(waiting), data)
    html = response.content.decode()
    assert response.status_code == 400 and f'id="id_{field}-error"' in html and message in html
    waiting.refresh_from_db()
    assert waiting.status == Status.AWAITING_INFORMATION


def test_there_is_nothing_to_answer_unless_the_clinic_is_waiting(cast, agency_client):
    screening = ReferralFactory(referring_organisation=cast.organisation, status=Status.SCREENING)
    assert agency_client.get(answer_url(screening)).status_code == 403
    assert agency_client.post(answer_url(screening), {"answer": ANSWER}).status_code == 403
    assert answer_url(screening) not in detail(agency_client, screening)


def test_only_the_referring_organisation_may_answer(cast, client_for, waiting):
    assert client_for(cast.agency_other).get(answer_url(waiting)).status_code == 404
    assert client_for(cast.coordinator).get(answer_url(waiting)).status_code == 403
    for user in (cast.agency_other, cast.coordinator):
        with pytest.raises(PermissionDenied):
            portal_answer_request(referral=waiting, by=user, answer=ANSWER)


def test_staff_reasons_for_moving_back_to_screening_are_never_shown_as_answers(cast, agency_client):
    referral = ReferralFactory(referring_organisation=cast.organisation, status=Status.SCREENING)
    Transition.objects.create(
        referral=referral,
        from_status=Status.AWAITING_INFORMATION,
        to_status=Status.SCREENING,
        by=cast.coordinator,
        at=timezone.now(),
        reason="Internal: rang the officer",
    )
    assert "Internal" not in detail(agency_client, referral)
