"""Zip-based uploads (DOCX) are inflated and refused past the limits before they are accepted: the
400 KB document that inflates to 400 MiB, too many parts, parts compressed too tightly, and sizes
the archive lies about."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.core import archives
from casework.referrals.models import ReferralDocument
from casework.referrals.services.documents import DocumentRefused, check_file
from casework.referrals.tests.factories import ReferralFactory
from casework.referrals.tests.test_documents import docx_bytes

MIB = 1024 * 1024


def docx_with(*entries: tuple[str, bytes], big: tuple[str, int] | None = None) -> bytes:
    """A DOCX (the two parts that make it one, and ``entries``), with optionally one ``big`` part of
    zeros, written a megabyte at a time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, content in entries:
            archive.writestr(name, content)
        if big:
            name, size = big
            with archive.open(name, "w") as part:
                for _ in range(size // MIB):
                    part.write(bytes(MIB))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A DOCX of about 400 KB that inflates to 400 MiB."""
    return docx_with(big=("word/media/image1.png", 400 * MIB))


def test_the_400_kb_docx_that_inflates_to_400_mib_is_refused(bomb):
    assert len(bomb) < 500 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert sum(entry.file_size for entry in archive.infolist()) >= 400 * MIB
    with pytest.raises(DocumentRefused, match="too large when opened: it must expand to less than 100 MB"):
        check_file("Report.docx", len(bomb), bomb)


def test_an_ordinary_docx_is_accepted():
    content = docx_with(("word/styles.xml", "<w:styles>" + "<w:style/>" * 2000 + "</w:styles>"))
    assert check_file("Report.docx", len(content), content).code == "docx"


def test_too_many_parts_are_refused(settings):
    settings.CASEWORK_ARCHIVE_MAX_ENTRIES = 10
    content = docx_with(*[(f"word/part{n}.xml", "<p/>") for n in range(9)])
    with pytest.raises(DocumentRefused, match="too many parts: it must have 10 or fewer"):
        check_file("Report.docx", len(content), content)
    settings.CASEWORK_ARCHIVE_MAX_ENTRIES = 11
    assert check_file("Report.docx", len(content), content).code == "docx"


def test_a_part_compressed_too_tightly_is_refused_though_small_overall(settings):
    settings.CASEWORK_ARCHIVE_MAX_INFLATED_BYTES = 1024 * MIB
    content = docx_with(big=("word/media/image1.png", 4 * MIB))
    with pytest.raises(DocumentRefused, match="compressed more than 100 times over"):
        check_file("Report.docx", len(content), content)


def test_the_inflated_total_across_parts_is_counted(settings):
    settings.CASEWORK_ARCHIVE_MAX_INFLATED_BYTES = 3 * MIB
    settings.CASEWORK_ARCHIVE_MAX_RATIO = 10_000
    content = docx_with(big=("word/media/image1.png", 2 * MIB))
    assert check_file("Report.docx", len(content), content).code == "docx"
    two = docx_with(("word/media/image2.png", bytes(2 * MIB)), big=("word/media/image1.png", 2 * MIB))
    with pytest.raises(DocumentRefused, match="too large when opened"):
        check_file("Report.docx", len(two), two)


def _lie_about_sizes(content: bytes, name: str, declared: int) -> bytes:
    """Rewrite the uncompressed size ``name`` declares, in its local header and the central
    directory, as someone crafting an archive would."""
    data = bytearray(content)
    encoded = name.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        position = 0
        while (position := data.find(signature, position)) != -1:
            name_at = position + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(encoded)] == encoded:
                data[position + offset : position + offset + 4] = struct.pack("<I", declared)
            position += 4
    return bytes(data)


def test_sizes_the_archive_lies_about_are_not_believed(settings):
    """It says its big part is 1 KB; inflating it shows otherwise, and it is refused."""
    settings.CASEWORK_ARCHIVE_MAX_INFLATED_BYTES = 1 * MIB
    content = _lie_about_sizes(docx_with(big=("word/media/image1.png", 8 * MIB)), "word/media/image1.png", 1024)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sum(entry.file_size for entry in archive.infolist()) < MIB
    with pytest.raises(DocumentRefused, match="damaged or password-protected|too large when opened"):
        check_file("Report.docx", len(content), content)


def test_an_encrypted_part_is_refused():
    content = bytearray(docx_bytes())
    # Set the "encrypted" flag on every entry, in both headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = 0
        while (position := content.find(signature, position)) != -1:
            content[position + offset] |= 0x1
            position += 4
    with pytest.raises(DocumentRefused, match="damaged or password-protected"):
        check_file("Report.docx", len(content), bytes(content))


def test_an_xlsx_or_any_other_zip_is_checked_as_an_archive_too(bomb):
    """Only DOCX is accepted today; any other zip-based file meets the archive limits first."""
    with pytest.raises(DocumentRefused, match="too large when opened"):
        check_file("Accounts.xlsx", len(bomb), bomb)


def test_the_limits_come_from_settings(settings):
    limits = archives.Limits.from_settings()
    assert (limits.max_inflated_bytes, limits.max_entries, limits.max_ratio) == (100 * MIB, 1000, 100)


def test_the_page_refuses_the_bomb_with_a_message_on_the_field_and_stores_nothing(
    cast, client_for, bomb, documents_in_tmp
):
    referral = ReferralFactory()
    response = client_for(cast.coordinator).post(
        f"/referrals/{referral.reference}/documents/new/",
        {"kind": "previous_report", "file": SimpleUploadedFile("Report.docx", bomb)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#id_file"' in page
    assert "The selected file is too large when opened: it must expand to less than 100 MB" in page
    assert 'value="previous_report" checked' in page
    assert not ReferralDocument.objects.exists()
    assert not documents_in_tmp.exists() or not any(documents_in_tmp.rglob("*"))
