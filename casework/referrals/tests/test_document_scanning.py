"""Malware scanning of uploads with a real clamd (started by the ``clamd`` fixture with a signature of
our own for the EICAR test file): infected uploads refused; a scanner that is down or too slow
holds the upload as "not yet scanned" until a background scan releases it; malware found later
quarantines the document; no scanner configured is shown, and warned about in production."""

from __future__ import annotations

import io
import socket
import threading
import zipfile

import pytest
from django.core.checks import Warning as CheckWarning
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from casework.audit.models import Action, AuditEvent
from casework.core import malware
from casework.core.checks import malware_scanner_configured
from casework.referrals.choices import ScanStatus
from casework.referrals.models import ReferralDocument
from casework.referrals.services.documents import INFECTED_MESSAGE, DocumentRefused, document_upload
from casework.referrals.tasks import retry_delay, scan_document
from casework.referrals.tests.factories import ReferralFactory
from casework.referrals.tests.test_documents import PDF, TEXT
from conftest import EICAR, EICAR_SIGNATURE


def upload_page(client, referral, name: str, content: bytes, kind: str = "police_summary"):
    return client.post(
        f"/referrals/{referral.reference}/documents/new/", {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )


def download(client, document):
    return client.get(f"/referrals/{document.referral.reference}/documents/{document.pk}/")


def eicar_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/embeddings/oleObject1.bin", EICAR)
    return buffer.getvalue()


@pytest.fixture
def nobody_listening(settings, tmp_path):
    """A scanner configured at a socket that nobody listens on: clamd is down."""
    settings.CLAMAV_SOCKET = str(tmp_path / "clamd-is-down.sock")
    return settings.CLAMAV_SOCKET


@pytest.fixture
def silent_scanner(settings, tmp_path):
    """A socket that accepts connections and never answers: clamd hung. Times out after 1 second."""
    path = str(tmp_path / "clamd-hung.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings.CLAMAV_SOCKET = path
    settings.CLAMAV_TIMEOUT = 1
    yield path
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


# --- The client, against the real clamd -------------------------------------------------------------------


def test_clamd_answers_and_tells_clean_from_infected(scanner):
    assert malware.ping()
    assert malware.scan(PDF) == malware.Verdict(infected=False)
    assert malware.scan(EICAR) == malware.Verdict(infected=True, signature=EICAR_SIGNATURE)
    # Inside an archive too: clamd unpacks it.
    assert malware.scan(eicar_docx()).infected


def test_a_file_larger_than_clamd_will_take_is_not_called_clean(scanner):
    """clamd refuses a stream past its StreamMaxLength (20 MB here) with an error, not a verdict."""
    with pytest.raises(malware.ScannerUnavailable):
        malware.scan(bytes(21 * 1024 * 1024))


def test_a_scanner_nobody_listens_on_is_unavailable(nobody_listening):
    assert not malware.ping()
    with pytest.raises(malware.ScannerUnavailable, match="could not be reached"):
        malware.scan(PDF)


def test_a_scanner_that_never_answers_times_out(silent_scanner):
    with pytest.raises(malware.ScannerUnavailable, match="did not answer in time"):
        malware.scan(PDF)


# --- Uploads with the scanner up -------------------------------------------------------------------------


def test_eicar_is_refused_at_upload_with_a_message_on_the_field(cast, client_for, scanner, documents_in_tmp):
    referral = ReferralFactory()
    response = upload_page(client_for(cast.coordinator), referral, "summary.txt", EICAR)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#id_file"' in page
    assert INFECTED_MESSAGE in page
    assert 'value="police_summary" checked' in page
    assert not ReferralDocument.objects.exists()
    assert not documents_in_tmp.exists() or not any(documents_in_tmp.rglob("*"))
    assert not AuditEvent.objects.filter(action=Action.CREATE, object_type="referrals.referraldocument").exists()


def test_eicar_inside_a_docx_is_refused_at_upload(cast, client_for, scanner):
    referral = ReferralFactory()
    response = upload_page(client_for(cast.coordinator), referral, "Report.docx", eicar_docx(), "previous_report")
    assert response.status_code == 400
    assert INFECTED_MESSAGE in response.content.decode()
    assert not ReferralDocument.objects.exists()


def test_a_clean_upload_is_scanned_stored_and_downloadable(cast, client_for, scanner):
    referral = ReferralFactory()
    client = client_for(cast.coordinator)
    assert upload_page(client, referral, "summary.pdf", PDF).status_code == 302
    document = ReferralDocument.objects.get()
    assert document.scan_status == ScanStatus.CLEAN and document.scanned_at is not None
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="referrals.referraldocument")
    assert event.changes["scan_status"] == {"old": None, "new": "clean"}
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Scanned: no virus found" in page
    assert f'href="/referrals/{referral.reference}/documents/{document.pk}/"' in page
    assert download(client, document).status_code == 200


# --- The scanner down or hung: held, not yet scanned ---------------------------------------------------


@pytest.mark.parametrize("fault", ["nobody_listening", "silent_scanner"])
def test_with_the_scanner_down_the_upload_is_held_until_a_background_scan_releases_it(
    cast,
    client_for,
    request,
    fault,
    clamd,
    settings,
    django_capture_on_commit_callbacks,
):
    request.getfixturevalue(fault)
    referral = ReferralFactory()
    client = client_for(cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert upload_page(client, referral, "summary.txt", TEXT).status_code == 302
    assert callbacks, "a background scan is queued"
    document = ReferralDocument.objects.get()
    assert document.scan_status == ScanStatus.PENDING  # the queued scan ran, and the scanner was still down

    held = download(client, document)
    assert held.status_code == 423
    html = held.content.decode()
    assert "This document has not been scanned yet" in html
    assert TEXT.decode() not in html
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Not yet scanned" in page
    assert f'href="/referrals/{referral.reference}/documents/{document.pk}/"' not in page

    settings.CLAMAV_SOCKET = clamd.socket  # the scanner is back
    scan_document.enqueue(document.pk)
    document.refresh_from_db()
    assert document.scan_status == ScanStatus.CLEAN
    assert download(client, document).status_code == 200
    released = AuditEvent.objects.filter(action=Action.UPDATE, object_type="referrals.referraldocument").get()
    assert released.changes["scan_status"] == {"old": "pending", "new": "clean"}
    assert released.actor_id is None


def test_a_held_document_is_held_on_the_case_page_too(cast, client_for, nobody_listening):
    from casework.cases.tests.factories import make_case, ready_referral

    referral = ready_referral(lead_clinician=cast.clinician)
    case = make_case(lead=cast.clinician, by=cast.clinical_lead, referral=referral)
    document = document_upload(
        referral=referral, kind="other", uploaded=SimpleUploadedFile("a.txt", TEXT), by=cast.coordinator
    )
    client = client_for(cast.clinician)
    response = client.get(f"/cases/{case.reference}/documents/{document.pk}/")
    assert response.status_code == 423
    assert "This document has not been scanned yet" in response.content.decode()
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "Not yet scanned" in page and f"/cases/{case.reference}/documents/{document.pk}/" not in page


def test_a_retry_is_queued_for_later_when_the_task_backend_can(cast, nobody_listening, settings):
    from django_tasks_db.models import DBTaskResult

    document = document_upload(
        referral=ReferralFactory(), kind="other", uploaded=SimpleUploadedFile("a.txt", TEXT), by=cast.coordinator
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert scan_document.call(document.pk, 3) == "unavailable"
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [document.pk, 4]
    assert queued.run_after is not None and queued.run_after > queued.enqueued_at
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 7, 20)] == [1, 2, 4, 60, 60]


# --- Malware found later -------------------------------------------------------------------------------


def test_malware_found_later_quarantines_every_copy_and_tells_staff(cast, client_for, settings, clamd):
    settings.CLAMAV_SOCKET = None  # uploaded while no scanner was configured
    referral = ReferralFactory()
    first = document_upload(
        referral=referral, kind="other", uploaded=SimpleUploadedFile("a.txt", EICAR), by=cast.coordinator
    )
    second = document_upload(
        referral=ReferralFactory(), kind="other", uploaded=SimpleUploadedFile("b.txt", EICAR), by=cast.coordinator
    )
    clean = document_upload(
        referral=referral, kind="other", uploaded=SimpleUploadedFile("c.txt", TEXT), by=cast.coordinator
    )
    assert {d.scan_status for d in (first, second, clean)} == {ScanStatus.NOT_SCANNED}

    settings.CLAMAV_SOCKET = clamd.socket
    out = io.StringIO()
    call_command("scan_documents", "--all", stdout=out)
    assert "1 clean, 2 quarantined, 0 could not be scanned" in out.getvalue()
    for document in (first, second, clean):
        document.refresh_from_db()
    assert first.scan_status == second.scan_status == ScanStatus.INFECTED
    assert first.scan_signature == EICAR_SIGNATURE
    assert clean.scan_status == ScanStatus.CLEAN

    client = client_for(cast.coordinator)
    held = download(client, first)
    assert held.status_code == 423
    assert "This document has been quarantined" in held.content.decode()
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Quarantined: virus found" in page
    my_work = client.get("/").content.decode()
    assert "Documents quarantined by the virus scanner" in my_work and referral.reference in my_work
    # The same bytes uploaded again are refused, even with the scanner gone.
    settings.CLAMAV_SOCKET = None
    with pytest.raises(DocumentRefused, match="contains a virus"):
        document_upload(
            referral=referral, kind="other", uploaded=SimpleUploadedFile("again.txt", EICAR), by=cast.coordinator
        )
    changes = [
        e.changes["scan_status"]
        for e in AuditEvent.objects.filter(
            action=Action.UPDATE, object_type="referrals.referraldocument", object_id__in=[first.pk, second.pk]
        )
    ]
    assert changes == [{"old": "not_scanned", "new": "infected"}] * 2


def test_the_quarantine_section_is_not_shown_when_nothing_is_quarantined(cast, client_for):
    assert "quarantined" not in client_for(cast.coordinator).get("/").content.decode()


def test_scan_documents_fails_when_it_cannot_scan(cast, nobody_listening, settings):
    document_upload(
        referral=ReferralFactory(), kind="other", uploaded=SimpleUploadedFile("a.txt", TEXT), by=cast.coordinator
    )
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("scan_documents", stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 1
    assert "could not be reached" in err.getvalue()
    settings.CLAMAV_SOCKET = None
    with pytest.raises(CommandError, match="No virus scanner is configured"):
        call_command("scan_documents")


# --- No scanner configured ---------------------------------------------------------------------------------


def test_without_a_scanner_uploads_are_marked_not_scanned_and_can_be_downloaded(cast, client_for, settings):
    settings.CLAMAV_SOCKET = settings.CLAMAV_HOST = None
    referral = ReferralFactory()
    client = client_for(cast.coordinator)
    assert upload_page(client, referral, "summary.pdf", PDF).status_code == 302
    document = ReferralDocument.objects.get()
    assert document.scan_status == ScanStatus.NOT_SCANNED
    assert (
        "Not scanned: no virus scanner configured" in client.get(f"/referrals/{referral.reference}/").content.decode()
    )
    assert download(client, document).status_code == 200


def test_production_without_a_scanner_is_warned_about(settings):
    settings.CASEWORK_ENV = "production"
    settings.CLAMAV_SOCKET = settings.CLAMAV_HOST = None
    [warning] = malware_scanner_configured(None)
    assert isinstance(warning, CheckWarning) and warning.id == "casework.W002"
    settings.CLAMAV_SOCKET = "/run/clamav/clamd.ctl"
    assert malware_scanner_configured(None) == []
    settings.CLAMAV_SOCKET, settings.CLAMAV_HOST = None, "clamd.internal"
    assert malware_scanner_configured(None) == []
    settings.CASEWORK_ENV, settings.CLAMAV_HOST = "demo", None
    assert malware_scanner_configured(None) == []
