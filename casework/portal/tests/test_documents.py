"""Sending the clinic documents through the portal: checked, scanned and stored as the clinic's own
uploads are, for the organisation's own referral until it is closed. The agency sees the
documents its people sent (listed, not served: it holds its own copies), never the clinic's."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework.audit.models import Action, AuditEvent
from casework.referrals.choices import ScanStatus, Status
from casework.referrals.models import ReferralDocument
from casework.referrals.services.documents import INFECTED_MESSAGE, agency_document_upload, document_upload
from casework.referrals.tests.factories import ReferralFactory
from casework.referrals.tests.test_documents import PDF, TEXT
from conftest import EICAR


def upload_url(referral) -> str:
    return reverse("portal:document_upload", kwargs={"reference": referral.reference})


def send(client, referral, name: str, content: bytes, kind: str = "police_summary"):
    return client.post(upload_url(referral), {"kind": kind, "file": SimpleUploadedFile(name, content)})


@pytest.fixture
def agency_client(cast, client_for):
    return client_for(cast.agency)


@pytest.fixture
def referral(cast):
    return ReferralFactory(referring_organisation=cast.organisation, status=Status.SCREENING)


def test_the_agency_sends_a_document_and_sees_it_listed(cast, agency_client, referral):
    assert agency_client.get(upload_url(referral)).status_code == 200
    response = send(agency_client, referral, "summary.pdf", PDF)
    assert response.status_code == 302 and response["Location"] == reverse("portal:detail", args=[referral.reference])
    document = ReferralDocument.objects.get()
    assert document.referral == referral and document.uploaded_by == cast.agency
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="referrals.referraldocument", actor=cast.agency
    ).exists()
    html = agency_client.get(reverse("portal:detail", args=[referral.reference])).content.decode()
    assert "summary.pdf" in html and "Police summary" in html


def test_the_eicar_test_file_is_refused_with_a_message_on_the_file(
    cast, agency_client, referral, scanner, documents_in_tmp
):
    response = send(agency_client, referral, "summary.txt", EICAR)
    html = response.content.decode()
    assert response.status_code == 400
    assert INFECTED_MESSAGE in html
    assert 'href="#id_file"' in html and 'id="id_file-error"' in html  # the message is on the file field
    assert not ReferralDocument.objects.exists()
    assert not documents_in_tmp.exists() or not any(documents_in_tmp.rglob("*"))


def test_a_clean_document_is_scanned_when_a_scanner_is_configured(agency_client, referral, scanner):
    assert send(agency_client, referral, "notes.txt", TEXT).status_code == 302
    assert ReferralDocument.objects.get().scan_status == ScanStatus.CLEAN


def test_a_file_that_is_not_allowed_is_refused_by_its_field(agency_client, referral):
    response = send(agency_client, referral, "run.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")
    assert response.status_code == 400 and 'href="#id_file"' in response.content.decode()
    assert not ReferralDocument.objects.exists()


def test_the_agency_never_sees_the_clinics_documents(cast, agency_client, referral):
    document_upload(
        referral=referral,
        kind="previous_report",
        uploaded=SimpleUploadedFile("clinic-only.pdf", PDF),
        by=cast.coordinator,
    )
    html = agency_client.get(reverse("portal:detail", args=[referral.reference])).content.decode()
    assert "clinic-only.pdf" not in html


def test_a_colleague_in_the_same_organisation_sees_what_was_sent(cast, client_for, referral):
    from casework.accounts.tests.factories import UserFactory
    from casework.core.roles import Role

    agency_document_upload(
        referral=referral, kind="other", uploaded=SimpleUploadedFile("ours.pdf", PDF), by=cast.agency
    )
    colleague = UserFactory(role=Role.AGENCY_REFERRER, organisation=cast.organisation)
    assert "ours.pdf" in client_for(colleague).get(reverse("portal:detail", args=[referral.reference])).content.decode()


def test_another_organisation_cannot_send_to_the_referral(cast, client_for, referral):
    assert client_for(cast.agency_other).get(upload_url(referral)).status_code == 404
    with pytest.raises(PermissionDenied):
        agency_document_upload(
            referral=referral, kind="other", uploaded=SimpleUploadedFile("x.pdf", PDF), by=cast.agency_other
        )


def test_nothing_can_be_sent_once_the_referral_is_closed(cast, agency_client):
    closed = ReferralFactory(referring_organisation=cast.organisation, status=Status.CLOSED)
    assert agency_client.get(upload_url(closed)).status_code == 403
    assert send(agency_client, closed, "summary.pdf", PDF).status_code == 403
    html = agency_client.get(reverse("portal:detail", args=[closed.reference])).content.decode()
    assert upload_url(closed) not in html


def test_clinic_staff_cannot_use_the_portal_upload(cast, client_for, referral):
    assert client_for(cast.coordinator).get(upload_url(referral)).status_code == 403
    with pytest.raises(PermissionDenied):
        agency_document_upload(
            referral=referral, kind="other", uploaded=SimpleUploadedFile("x.pdf", PDF), by=cast.coordinator
        )
