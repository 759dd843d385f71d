"""Documents that come with a referral: checked, stored content-addressed outside the web root,
served only to people who may see the referral, every upload and download audited.

The type is decided by the file's own bytes (its "magic"), and the name's extension must agree
with them: a browser's content type and a file name alone are never trusted.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, HttpRequest

from casework.audit.models import Action
from casework.audit.services import record, record_create
from casework.referrals.choices import DocumentKind
from casework.referrals.models import Referral, ReferralDocument, document_path

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("pdf", "PDF", "application/pdf", (".pdf",))
DOCX = FileType(
    "docx", "Word document (DOCX)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",),
)
TEXT = FileType("text", "plain text", "text/plain", (".txt",))
JPEG = FileType("jpeg", "JPEG image", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileType("png", "PNG image", "image/png", (".png",))
ALLOWED_TYPES = (PDF, DOCX, TEXT, JPEG, PNG)
ALLOWED_DESCRIPTION = "a PDF, Word document (DOCX), plain text file, JPEG or PNG"


class DocumentRefused(ValueError):
    """An upload refused; the message is written for the person uploading."""


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


def document_upload(
    *, referral: Referral, kind: DocumentKind | str, uploaded: UploadedFile, by, request: HttpRequest | None = None
) -> ReferralDocument:
    """Check and store an uploaded document. Stored under the SHA-256 of its bytes; the same
    bytes uploaded twice are stored once."""
    content = _read(uploaded)
    name = (uploaded.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    detected = check_file(name, max(uploaded.size or 0, len(content)), content)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        document = ReferralDocument(
            referral=referral, kind=DocumentKind(kind), original_name=name, content_type=detected.content_type,
            size=len(content), sha256=digest, uploaded_by=by,
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
    return document


def document_download(*, document: ReferralDocument, by, request: HttpRequest | None = None) -> FileResponse:
    """The document as an attachment, never cached, never sniffed by the browser. Audited as an
    export. The caller has already checked the user may see the referral."""
    handle = document.file.storage.open(document.file.name, "rb")
    record(action=Action.EXPORT, actor=by, request=request, obj=document, reason="Document downloaded")
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
