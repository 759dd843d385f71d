"""Documents: checked by their bytes and size, stored content-addressed outside the web root,
served only to people who may see the referral, every upload and download audited."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.audit.models import Action, AuditEvent
from casework.referrals.choices import Status
from casework.referrals.models import ReferralDocument
from casework.referrals.services import documents
from casework.referrals.services.documents import DocumentRefused, check_file, document_upload, sniff
from casework.referrals.tests.factories import ReferralDocumentFactory, ReferralFactory

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
TEXT = b"Police summary: the subject followed the complainant on 3 occasions.\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    return buffer.getvalue()


# --- Recognising the type from the bytes -----------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpeg"),
        (TEXT, "text"),
        (docx_bytes(), "docx"),
    ],
)
def test_sniff_recognises_allowed_types_by_their_bytes(content, expected):
    assert sniff(content).code == expected


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows executable
        zip_bytes(),  # a zip that is not a Word document
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # an old .doc (OLE) file
        b"GIF89a\x01\x00",  # not on the list
        b"text with a \x00 NUL byte",
        b"\x80\x81\x82 not utf-8",
    ],
)
def test_sniff_refuses_anything_else(content):
    assert sniff(content) is None


def test_a_pdf_extension_on_a_file_that_is_not_a_pdf_is_refused():
    with pytest.raises(DocumentRefused, match="must be a PDF, Word document"):
        check_file("summary.pdf", 8, b"MZ\x90\x00\x03\x00\x00\x00")


def test_a_name_that_disagrees_with_the_bytes_is_refused():
    with pytest.raises(DocumentRefused, match=r"it is a PNG image, so its name should end \.png"):
        check_file("summary.pdf", len(PNG), PNG)


def test_a_file_over_the_limit_is_refused(settings):
    settings.CASEWORK_DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(DocumentRefused, match="smaller than 1 KB"):
        check_file("big.pdf", 1025, PDF + b"x" * 1025)


def test_the_default_limit_is_ten_megabytes(settings):
    if hasattr(settings, "CASEWORK_DOCUMENT_MAX_BYTES"):
        del settings.CASEWORK_DOCUMENT_MAX_BYTES
    assert documents.max_bytes() == 10 * 1024 * 1024
    with pytest.raises(DocumentRefused, match="smaller than 10 MB"):
        check_file("big.pdf", 10 * 1024 * 1024 + 1, PDF)


def test_an_empty_file_is_refused():
    with pytest.raises(DocumentRefused, match="empty"):
        check_file("empty.txt", 0, b"")


# --- Storing ----------------------------------------------------------------------------------


def test_upload_stores_by_sha256_outside_the_web_root_and_audits(cast, documents_in_tmp):
    referral = ReferralFactory()
    upload = SimpleUploadedFile("../../etc/Instruction letter.pdf", PDF, content_type="text/html")
    document = document_upload(referral=referral, kind="letter_of_instruction", uploaded=upload, by=cast.coordinator)
    digest = hashlib.sha256(PDF).hexdigest()
    assert document.sha256 == digest
    assert document.file.name == f"referrals/{digest[:2]}/{digest}"
    assert (documents_in_tmp / "referrals" / digest[:2] / digest).read_bytes() == PDF
    assert document.original_name == "Instruction letter.pdf"  # no path from the browser kept
    assert document.content_type == "application/pdf"  # from the bytes, not the browser's claim
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="referrals.referraldocument")
    assert event.changes["sha256"] == {"old": None, "new": digest}
    assert event.object_label == f"{referral.reference} document {document.pk}"


def test_the_same_bytes_twice_are_stored_once(cast, documents_in_tmp):
    referral = ReferralFactory()
    first = document_upload(
        referral=referral, kind="other", uploaded=SimpleUploadedFile("a.txt", TEXT), by=cast.coordinator
    )
    second = document_upload(
        referral=referral, kind="other", uploaded=SimpleUploadedFile("b.txt", TEXT), by=cast.coordinator
    )
    assert first.file.name == second.file.name
    assert len(list((documents_in_tmp / "referrals").rglob("*"))) == 2  # one folder, one file


def test_the_page_refuses_a_disguised_file_with_a_message_and_stores_nothing(cast, client_for, documents_in_tmp):
    referral = ReferralFactory()
    response = client_for(cast.coordinator).post(
        f"/referrals/{referral.reference}/documents/new/",
        {
            "kind": "police_summary",
            "file": SimpleUploadedFile("summary.pdf", b"MZ\x90\x00evil", content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The selected file must be a PDF, Word document (DOCX), plain text file, JPEG or PNG" in page
    assert 'value="police_summary" checked' in page
    assert not ReferralDocument.objects.exists()
    assert not documents_in_tmp.exists() or not any(documents_in_tmp.rglob("*"))


def test_the_page_refuses_an_oversized_file(cast, client_for, settings):
    settings.CASEWORK_DOCUMENT_MAX_BYTES = 100
    referral = ReferralFactory()
    response = client_for(cast.coordinator).post(
        f"/referrals/{referral.reference}/documents/new/",
        {"kind": "other", "file": SimpleUploadedFile("big.txt", b"a" * 101)},
    )
    assert response.status_code == 400
    assert "The selected file must be smaller than 100 bytes" in response.content.decode()


def test_the_page_needs_a_kind_and_a_file(cast, client_for):
    referral = ReferralFactory()
    response = client_for(cast.coordinator).post(f"/referrals/{referral.reference}/documents/new/", {})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Select what the document is" in page
    assert "Select a file" in page


def test_the_page_uploads_a_docx(cast, client_for):
    referral = ReferralFactory()
    response = client_for(cast.clinical_lead).post(
        f"/referrals/{referral.reference}/documents/new/",
        {"kind": "previous_report", "file": SimpleUploadedFile("Report.docx", docx_bytes())},
    )
    assert response.status_code == 302
    document = ReferralDocument.objects.get(referral=referral)
    assert document.content_type == documents.DOCX.content_type


def test_the_allocated_clinician_may_upload_but_not_another(cast, client_for):
    referral = ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician)
    url = f"/referrals/{referral.reference}/documents/new/"
    assert client_for(cast.clinician).get(url).status_code == 200
    assert client_for(cast.other_clinician).get(url).status_code == 404


@pytest.mark.parametrize("who", ["finance", "researcher", "sysadmin", "agency", "agency_other"])
def test_others_cannot_upload(cast, client_for, who):
    referral = ReferralFactory(referring_organisation=cast.organisation)
    response = client_for(getattr(cast, who)).post(
        f"/referrals/{referral.reference}/documents/new/", {"kind": "other", "file": SimpleUploadedFile("a.txt", TEXT)}
    )
    assert response.status_code in (403, 404)
    assert not ReferralDocument.objects.exists()


def test_a_closed_referral_takes_no_documents(cast, client_for):
    referral = ReferralFactory(status=Status.CLOSED)
    assert client_for(cast.coordinator).get(f"/referrals/{referral.reference}/documents/new/").status_code == 403


# --- Serving -----------------------------------------------------------------------------------


def test_download_is_an_attachment_never_cached_never_sniffed_and_audited(cast, client_for):
    document = ReferralDocumentFactory(content=PDF, original_name="Letter of instruction.pdf")
    response = client_for(cast.coordinator).get(f"/referrals/{document.referral.reference}/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Letter of instruction.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action=Action.EXPORT, object_type="referrals.referraldocument")
    assert event.object_id == str(document.pk)
    assert "Letter of instruction" not in event.object_label


def test_the_allocated_clinician_may_download(cast, client_for):
    document = ReferralDocumentFactory(referral=ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician))
    assert (
        client_for(cast.clinician).get(f"/referrals/{document.referral.reference}/documents/{document.pk}/").status_code
        == 200
    )


@pytest.mark.parametrize("who", ["other_clinician", "finance", "researcher", "sysadmin", "agency", "agency_other"])
def test_others_get_404_and_nothing_is_exported(cast, client_for, who):
    document = ReferralDocumentFactory(
        referral=ReferralFactory(
            status=Status.ALLOCATED, lead_clinician=cast.clinician, referring_organisation=cast.organisation
        )
    )
    response = client_for(getattr(cast, who)).get(f"/referrals/{document.referral.reference}/documents/{document.pk}/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_a_document_of_another_referral_is_404(cast, client_for):
    document = ReferralDocumentFactory()
    other = ReferralFactory()
    assert client_for(cast.coordinator).get(f"/referrals/{other.reference}/documents/{document.pk}/").status_code == 404


def test_signed_out_is_sent_to_sign_in(client_for):
    document = ReferralDocumentFactory()
    response = client_for(None).get(f"/referrals/{document.referral.reference}/documents/{document.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
