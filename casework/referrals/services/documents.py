"""Documents that come with a referral: checked, scanned for malware, stored content-addressed
outside the web root, served only to people who may see the referral, every upload and download
audited.

The type is decided by the file's own bytes (its "magic"), and the name's extension must agree
with them: a browser's content type and a file name alone are never trusted. A zip-based file
(DOCX) is inflated and refused past the archive limits first (``casework.core.archives``).

Malware (``casework.core.malware``, docs/adr/0009): with a scanner configured, an upload is scanned
before it is stored and refused if infected. If the scanner is down or too slow the upload is
stored but held as "not yet scanned", and a background task (``referrals.tasks.scan_document``)
scans it; held and quarantined documents cannot be downloaded. A later scan that finds malware
(``manage.py scan_documents --all`` after new signatures) quarantines every document with those
bytes. With no scanner configured documents are marked "not scanned" and can be downloaded; a
deploy check warns about that in production.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, HttpRequest
from django.utils import timezone

from casework.access import policy
from casework.audit.models import Action
from casework.audit.services import record, record_change, record_create, snapshot
from casework.core import archives, malware
from casework.core.permissions import requires, system_service
from casework.core.refusals import Refused
from casework.referrals.choices import DocumentKind, ScanStatus
from casework.referrals.models import Referral, ReferralDocument, document_path

log = logging.getLogger("casework.security")

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("pdf", "PDF", "application/pdf", (".pdf",))
DOCX = FileType(
    "docx",
    "Word document (DOCX)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
TEXT = FileType("text", "plain text", "text/plain", (".txt",))
JPEG = FileType("jpeg", "JPEG image", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileType("png", "PNG image", "image/png", (".png",))
ALLOWED_TYPES = (PDF, DOCX, TEXT, JPEG, PNG)
ALLOWED_DESCRIPTION = "a PDF, Word document (DOCX), plain text file, JPEG or PNG"


class DocumentRefused(Refused):
    """An upload refused (``casework.core.refusals``); the message is written for the person
    uploading, and belongs to the uploaded file."""

    def __init__(self, message: str, field: str | None = "uploaded") -> None:
        super().__init__(message, field)


class DocumentHeld(Exception):
    """The document cannot be downloaded: not yet scanned, or quarantined."""

    def __init__(self, document: ReferralDocument) -> None:
        super().__init__(document.scan_status)
        self.document = document


INFECTED_MESSAGE = (
    "The selected file contains a virus or other harmful content, so it cannot be uploaded. Tell whoever sent it to you"
)


def max_bytes() -> int:
    return int(getattr(settings, "CASEWORK_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def _is_docx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _is_plain_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    text = text.removeprefix("\ufeff")
    return all(ch.isprintable() or ch in "\t\n\r\f" for ch in text)


def sniff(content: bytes) -> FileType | None:
    """The type the bytes are, by their magic numbers (and, for DOCX, the package's parts)."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(content) else None
    if content and _is_plain_text(content):
        return TEXT
    return None


def check_file(name: str, size: int, content: bytes) -> FileType:
    """The checked type of an upload, or ``DocumentRefused`` saying what is wrong."""
    limit = max_bytes()
    if size == 0 or not content:
        raise DocumentRefused("The selected file is empty")
    if size > limit:
        raise DocumentRefused(f"The selected file must be smaller than {human_size(limit)}")
    if archives.is_zip(content):
        try:
            archives.check_zip(content)
        except archives.ArchiveRefused as refused:
            raise DocumentRefused(str(refused)) from None
    detected = sniff(content)
    if detected is None:
        raise DocumentRefused(f"The selected file must be {ALLOWED_DESCRIPTION}")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in detected.extensions:
        raise DocumentRefused(
            f"The selected file's name does not match what it contains: it is a {detected.label}, "
            f"so its name should end {' or '.join(detected.extensions)}"
        )
    return detected


def _read(uploaded: UploadedFile) -> bytes:
    limit = max_bytes()
    uploaded.seek(0)
    content = uploaded.read(limit + 1)
    uploaded.seek(0)
    return content


@requires("referrals.upload_document", obj="referral")
def document_upload(
    *, referral: Referral, kind: DocumentKind | str, uploaded: UploadedFile, by, request: HttpRequest | None = None
) -> ReferralDocument:
    """Check and store an uploaded document (clinic staff). Stored under the SHA-256 of its
    bytes; the same bytes uploaded twice are stored once."""
    return _store_upload(referral=referral, kind=kind, uploaded=uploaded, by=by, request=request)


@requires("referrals.portal_upload_document", obj="referral")
def agency_document_upload(
    *, referral: Referral, kind: DocumentKind | str, uploaded: UploadedFile, by, request: HttpRequest | None = None
) -> ReferralDocument:
    """The referring agency sends a document for its own referral through the portal (the
    permission is the portal's: ``casework.portal.rules``). Checked, scanned and stored exactly as
    a document the clinic adds."""
    return _store_upload(referral=referral, kind=kind, uploaded=uploaded, by=by, request=request)


def _store_upload(
    *, referral: Referral, kind: DocumentKind | str, uploaded: UploadedFile, by, request: HttpRequest | None
) -> ReferralDocument:
    content = _read(uploaded)
    name = (uploaded.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    detected = check_file(name, max(uploaded.size or 0, len(content)), content)
    digest = hashlib.sha256(content).hexdigest()
    if ReferralDocument.objects.filter(sha256=digest, scan_status=ScanStatus.INFECTED).exists():
        # The same bytes were quarantined before: refused whether or not a scanner answers now.
        raise DocumentRefused(INFECTED_MESSAGE)
    status, scanned_at = _scan_at_upload(content, referral=referral, by=by)
    with transaction.atomic():
        document = ReferralDocument(
            referral=referral,
            kind=DocumentKind(kind),
            original_name=name,
            content_type=detected.content_type,
            size=len(content),
            sha256=digest,
            uploaded_by=by,
            scan_status=status,
            scanned_at=scanned_at,
        )
        path = document_path(document, name)
        storage = document.file.storage
        if storage.exists(path):
            document.file.name = path
        else:
            stored = storage.save(path, ContentFile(content))
            if stored != path:  # another upload of the same bytes won a race: keep one copy
                storage.delete(stored)
            document.file.name = path
        document.full_clean()
        document.save()
        record_create(request=request, actor=by, obj=document, fields=ReferralDocument.AUDITED_FIELDS)
        if status == ScanStatus.PENDING:
            document_id = document.pk
            transaction.on_commit(lambda: _enqueue_scan(document_id))
    return document


def _scan_at_upload(content: bytes, *, referral: Referral, by) -> tuple[ScanStatus, dt.datetime | None]:
    """The status an upload is stored with; ``DocumentRefused`` if it is infected."""
    if not malware.configured():
        return ScanStatus.NOT_SCANNED, None
    try:
        verdict = malware.scan(content)
    except malware.ScannerUnavailable as reason:
        log.warning("Upload held, not yet scanned: %s (referral %s)", reason, referral.pk)
        return ScanStatus.PENDING, None
    if verdict.infected:
        log.warning(
            "Upload refused: malware %r found (referral %s, user %s)",
            verdict.signature,
            referral.pk,
            getattr(by, "pk", None),
        )
        raise DocumentRefused(INFECTED_MESSAGE)
    return ScanStatus.CLEAN, timezone.now()


def _open_stored(document: ReferralDocument):
    """The stored file of ``document``, open for reading (every document has one)."""
    if not document.file.name:
        raise FileNotFoundError(f"Document {document.pk} has no stored file")
    return document.file.storage.open(document.file.name, "rb")


def _enqueue_scan(document_id: int) -> None:
    # Here, not at the top: the task calls back into this service (document_scan).
    from casework.referrals.tasks import scan_document

    scan_document.enqueue(document_id)


@system_service("run by the background scanning task and manage.py scan_documents")
def document_scan(*, document: ReferralDocument) -> ScanStatus:
    """Scan a stored document again and record the outcome (audited, by the system).

    Clean: the document is released. Infected: every document with the same bytes is quarantined.
    ``malware.ScannerUnavailable`` if it could not be scanned: nothing changes, the document
    stays as it was (a pending one stays held)."""
    with _open_stored(document) as handle:
        content = handle.read()
    verdict = malware.scan(content)
    now = timezone.now()
    with transaction.atomic():
        if verdict.infected:
            affected = list(ReferralDocument.objects.select_for_update().filter(sha256=document.sha256))
            log.warning(
                "Stored document quarantined: malware %r found (documents %s)",
                verdict.signature,
                [d.pk for d in affected],
            )
            for each in affected:
                _set_scan(each, ScanStatus.INFECTED, now, verdict.signature)
            return ScanStatus.INFECTED
        current = ReferralDocument.objects.select_for_update().get(pk=document.pk)
        if current.scan_status != ScanStatus.INFECTED:
            _set_scan(current, ScanStatus.CLEAN, now, "")
        return ScanStatus(current.scan_status)


def _set_scan(document: ReferralDocument, status: ScanStatus, at, signature: str) -> None:
    before = snapshot(document, ReferralDocument.AUDITED_FIELDS)
    document.scan_status, document.scanned_at, document.scan_signature = status, at, signature
    document.save(update_fields=["scan_status", "scanned_at", "scan_signature"])
    record_change(request=None, actor=None, obj=document, before=before, fields=ReferralDocument.AUDITED_FIELDS)


def documents_to_scan(*, everything: bool = False):
    """The documents a scanning run looks at: those waiting, or (``everything``, after new
    signatures arrive) every document not already quarantined."""
    documents = ReferralDocument.objects.select_related("referral").order_by("pk")
    if everything:
        return documents.exclude(scan_status=ScanStatus.INFECTED)
    return documents.filter(scan_status=ScanStatus.PENDING)


def document_download(*, document: ReferralDocument, by, request: HttpRequest | None = None) -> FileResponse:
    """The document as an attachment, never cached, never sniffed by the browser. Audited as an
    export, to someone who may read it (``PermissionDenied`` otherwise). ``DocumentHeld`` if it
    is not yet scanned or quarantined."""
    policy.require_read(by, document)
    if document.held:
        raise DocumentHeld(document)
    handle = _open_stored(document)
    record(action=Action.EXPORT, actor=by, request=request, obj=document, reason="Document downloaded")
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
