"""Hostile evidence for the report upload, on the page and in the API: each file is refused with
a clear Vietnamese message, and nothing is stored (no report, no attachment, no file on disk, no
timeline entry, the assignment still in progress). Real small PDF, PNG, JPEG, DOCX and XLSX
files go through."""

import io
import zipfile
import zlib
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from tests.security.evidence_samples import (
    JPEG,
    PDF,
    PNG,
    docx_bytes,
    docx_parts,
    image_bytes,
    pdf_bytes,
    png_chunk,
    png_sized,
    png_with_chunk,
    xlsx_bytes,
    zip_bytes,
    zip_patched,
)
from workflow.choices import AssignmentState
from workflow.models import Attachment, ProgressReport
from workflow.services import assignment_receive

API = "/api/v1"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)


@cache
def ratio_bomb() -> bytes:
    """A .docx whose 20 MB of zeros pack into about 20 KB (ratio ≈ 1,000)."""
    return zip_bytes(docx_parts(**{"word/media/zeros.bin": bytes(20 * 1024 * 1024)}))


@cache
def many_parts() -> bytes:
    return zip_bytes(docx_parts(**{f"word/p{n}.xml": b"<p/>" for n in range(5001)}))


def _lying_size() -> bytes:
    data = zip_bytes(docx_parts(**{"word/big.xml": b"<a>" + b"x" * 5000 + b"</a>"}))
    return zip_patched(data, "word/big.xml", 24, (10).to_bytes(4, "little"))


def _encrypted_member() -> bytes:
    data = zip_bytes(docx_parts())
    return zip_patched(data, "word/document.xml", 8, (1).to_bytes(2, "little"))


def jpeg_with_comment(text: bytes) -> bytes:
    return JPEG[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + JPEG[2:]


def _ole() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"Microsoft Word 97-2003"


def _word_dir_only() -> bytes:
    # The probe's zip: [Content_Types].xml and a `word/` entry, no document.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(zipfile.ZipInfo("word/"), b"")
    return buffer.getvalue()


def _pdf_script_in_object_stream() -> bytes:
    """The script compressed inside an object stream, where no byte of the file shows it."""
    header, script = b"7 0 ", b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    packed = zlib.compress(header + script)
    stream = (
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed))
        + packed
        + b"\nendstream"
    )
    return pdf_bytes(catalog=b"/OpenAction 7 0 R", extra=(stream,))


JS_ACTION = b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"
JS_NAMES = b"/Names << /JavaScript 6 0 R >>"

# (id, file name, content, the InvalidInput code — or "invalid" for the form's own check)
HOSTILE = [
    ("html-named-pdf", "bao-cao.pdf", lambda: HTML, "file_type"),
    ("html-plain", "trang.html", lambda: HTML, "file_type"),
    ("svg-script", "bieu-do.svg", lambda: SVG, "file_type"),
    ("svg-named-png", "anh.png", lambda: SVG, "file_type"),
    ("png-then-html", "anh.png", lambda: PNG + HTML, "file_hidden_content"),
    (
        "png-html-in-text-chunk",
        "anh.png",
        lambda: png_with_chunk(b"tEXt", b"c\x00" + HTML),
        "file_hidden_content",
    ),
    (
        "png-svg-in-text-chunk",
        "anh.png",
        lambda: png_with_chunk(b"tEXt", b"c\x00" + SVG),
        "file_hidden_content",
    ),
    ("png-junk-after-iend", "anh.png", lambda: PNG + b"\x00" * 64, "file_damaged"),
    ("png-truncated", "anh.png", lambda: PNG[: len(PNG) // 2] + PNG[-12:], "file_damaged"),
    (
        "png-magic-only",
        "anh.png",
        lambda: b"\x89PNG\r\n\x1a\n" + png_chunk(b"IEND", b""),
        "file_damaged",
    ),
    ("png-bad-crc", "anh.png", lambda: PNG[:29] + b"\x00\x00\x00\x00" + PNG[33:], "file_damaged"),
    ("png-pixel-bomb", "anh.png", lambda: png_sized(30000, 30000), "image_too_large"),
    ("png-81-megapixels", "anh.png", lambda: png_sized(9000, 9000), "image_too_large"),
    ("jpeg-then-html", "anh.jpg", lambda: JPEG + HTML, "file_hidden_content"),
    (
        "jpeg-script-in-comment",
        "anh.jpg",
        lambda: jpeg_with_comment(b"<script>alert(1)</script>"),
        "file_hidden_content",
    ),
    ("jpeg-truncated", "anh.jpg", lambda: JPEG[: len(JPEG) // 2], "file_damaged"),
    (
        "jpeg-magic-then-garbage",
        "anh.jpg",
        lambda: b"\xff\xd8\xff\xe0" + b"\x13" * 300,
        "file_damaged",
    ),
    ("pdf-then-html", "bao-cao.pdf", lambda: PDF + HTML, "file_hidden_content"),
    (
        "pdf-html-in-comment",
        "bao-cao.pdf",
        lambda: PDF.replace(b"%\xe2\xe3\xcf\xd3", b"%" + HTML, 1),
        "file_hidden_content",
    ),
    ("pdf-header-only", "bao-cao.pdf", lambda: b"%PDF-1.4\n%%EOF\n", "file_damaged"),
    (
        "pdf-no-catalog",
        "bao-cao.pdf",
        lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        "file_damaged",
    ),
    ("pdf-truncated", "bao-cao.pdf", lambda: PDF[: len(PDF) // 2], "file_damaged"),
    ("pdf-no-pages", "bao-cao.pdf", lambda: pdf_bytes(kids=b"[]", count=0), "file_damaged"),
    (
        "pdf-javascript-open-action",
        "bao-cao.pdf",
        lambda: pdf_bytes(catalog=JS_ACTION),
        "file_script",
    ),
    (
        "pdf-javascript-name-tree",
        "bao-cao.pdf",
        lambda: pdf_bytes(
            catalog=JS_NAMES,
            extra=(b"<< /Names [(a) 7 0 R] >>", b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"),
        ),
        "file_script",
    ),
    ("pdf-javascript-in-object-stream", "bao-cao.pdf", _pdf_script_in_object_stream, "file_script"),
    (
        "pdf-launch-action",
        "bao-cao.pdf",
        lambda: pdf_bytes(catalog=b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
        "file_script",
    ),
    (
        "pdf-magic-then-executable",
        "bao-cao.pdf",
        lambda: b"%PDF-1.7\nMZ\x90\x00" + b"\x00" * 200 + b"\n%%EOF",
        "file_damaged",
    ),
    (
        "exe-named-pdf",
        "bao-cao.pdf",
        lambda: b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200,
        "file_type",
    ),
    ("elf-named-docx", "bao-cao.docx", lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "file_type"),
    ("gif-js-polyglot", "anh.gif", lambda: b"GIF89a/*\x00\x00*/=alert(1);//<script>", "file_type"),
    ("zip-with-word-dir-only", "bao-cao.docx", _word_dir_only, "file_type"),
    (
        "zip-word-html-part",
        "bao-cao.docx",
        lambda: zip_bytes({"[Content_Types].xml": b"<Types/>", "word/evil.html": HTML}),
        "file_type",
    ),
    ("zip-not-office", "bao-cao.docx", lambda: zip_bytes({"a.txt": b"hello"}), "file_type"),
    (
        "zip-docx-and-xlsx",
        "bao-cao.docx",
        lambda: zip_bytes(docx_parts(**{"xl/workbook.xml": b"<workbook/>"})),
        "file_type",
    ),
    (
        "zip-html-stored-inside",
        "bao-cao.docx",
        lambda: zip_bytes(docx_parts(**{"word/a.htm": HTML}), compression=zipfile.ZIP_STORED),
        "file_hidden_content",
    ),
    (
        "zip-then-html",
        "bao-cao.docx",
        lambda: zip_bytes(docx_parts()) + HTML,
        "file_hidden_content",
    ),
    ("zip-then-junk", "bao-cao.docx", lambda: zip_bytes(docx_parts()) + b"\x00" * 100, "file_type"),
    ("html-then-zip", "bao-cao.docx", lambda: b"<p>hi</p>" + zip_bytes(docx_parts()), "file_type"),
    ("zip-bomb-ratio", "bao-cao.docx", ratio_bomb, "file_bomb"),
    ("zip-bomb-many-parts", "bao-cao.docx", many_parts, "file_bomb"),
    ("zip-lying-size", "bao-cao.docx", _lying_size, "file_damaged"),
    ("zip-encrypted-part", "bao-cao.docx", _encrypted_member, "file_encrypted"),
    (
        "zip-path-traversal-part",
        "bao-cao.docx",
        lambda: zip_bytes(docx_parts(**{"../../etc/cron.d/x": b"* * * * * sh"})),
        "file_type",
    ),
    (
        "docx-xxe",
        "bao-cao.docx",
        lambda: zip_bytes(
            docx_parts(
                **{
                    "word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document>&x;</w:document>'
                }
            )
        ),
        "file_damaged",
    ),
    (
        "docx-broken-xml",
        "bao-cao.docx",
        lambda: zip_bytes(docx_parts(**{"word/document.xml": b"<w:document><w:body>"})),
        "file_damaged",
    ),
    ("legacy-word-ole", "bao-cao.doc", _ole, "file_legacy"),
    (
        "path-traversal-name-html",
        "../../../static/js/app.js",
        lambda: b"<script>alert(1)</script>",
        "file_type",
    ),
    ("windows-path-name-html", "..\\..\\templates\\base.html", lambda: HTML, "file_type"),
    ("double-extension-html", "bao-cao.pdf.html", lambda: HTML, "file_type"),
    ("double-extension-php", "anh.png.php", lambda: b"<?php system($_GET['c']); ?>", "file_type"),
    ("null-byte-name", "bao-cao.php\x00.pdf", lambda: b"<?php echo 1; ?>", "file_type"),
    ("oversize", "lon.pdf", lambda: pdf_bytes(b"x" * 1_100_000), "file_too_big"),
    ("empty", "rong.pdf", lambda: b"", "invalid"),
]

# What the page says for each refusal (Vietnamese), whatever the file's name.
SAYS = {
    "file_type": "không phải là tài liệu được chấp nhận",
    "file_hidden_content": "có ẩn nội dung trang web hoặc mã lệnh",
    "file_damaged": "bị hỏng hoặc không đầy đủ",
    "file_script": "chứa mã lệnh",
    "file_bomb": ("khi giải nén lớn hơn nhiều", "quá nhiều thành phần"),
    "file_encrypted": "được đặt mật khẩu",
    "file_legacy": "định dạng cũ",
    "image_too_large": "ảnh quá lớn",
    "file_too_big": "quá lớn",
    "invalid": "Tập tin được gửi là rỗng",
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024  # the "oversize" case, without a 20 MB upload
    return settings.MEDIA_ROOT


@pytest.fixture
def officer(client, assignment, people, media):
    assignment_receive(actor=people["head"], assignment=assignment, assignee=people["officer"])
    client.force_login(people["officer"])
    return client


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def post(client, surface, assignment, name, content):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    if surface == "page":
        url = reverse("workflow:step", args=[assignment.pk, "report"])
        return client.post(url, {"report-text": "Đã hoàn thành.", "report-files": [upload]})
    url = f"{API}/assignments/{assignment.pk}/report/"
    return client.post(url, {"text": "Đã hoàn thành.", "files": [upload]})


def test_the_hostile_uploads_are_counted(capsys):
    assert len(HOSTILE) >= 30
    assert len({case[0] for case in HOSTILE}) == len(HOSTILE)
    with capsys.disabled():
        print(f"\nhostile uploads tried on the report upload: {len(HOSTILE)} × 2 (page, API)")


@pytest.mark.parametrize("surface", ["page", "api"])
@pytest.mark.parametrize(
    ("name", "content", "code"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE]
)
def test_a_hostile_upload_is_refused_and_nothing_is_stored(
    officer, assignment, media, surface, name, content, code, figure
):
    events = AuditEvent.objects.count()
    says = SAYS[code] if isinstance(SAYS[code], tuple) else (SAYS[code],)
    response = post(officer, surface, assignment, name, content())
    assert response.status_code == 400
    if surface == "api":
        body = response.json()
        assert body["code"] == code, body
        said = body["message"] + str(body.get("errors", ""))
    else:
        said = response.content.decode()
        assert "Đã hoàn thành." in said  # what the officer typed is kept
    assert any(fragment in said for fragment in says), said[-2000:]
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.IN_PROGRESS
    assert not ProgressReport.objects.exists() and not Attachment.objects.exists()
    assert AuditEvent.objects.count() == events
    assert stored_files(media) == []
    figure("hostile uploads refused (report, page and API)", 1, 0)


ACCEPTED = [
    ("ket-qua.pdf", lambda: PDF, "application/pdf", "pdf"),
    ("anh-hien-truong.png", lambda: PNG, "image/png", "png"),
    ("anh-hien-truong.jpg", lambda: JPEG, "image/jpeg", "jpg"),
    ("anh-lon.jpeg", lambda: image_bytes("JPEG", (1600, 1200), quality=70), "image/jpeg", "jpg"),
    (
        "bao-cao.docx",
        docx_bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    (
        "so-lieu.xlsx",
        xlsx_bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
]


@pytest.mark.parametrize("surface", ["page", "api"])
@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"), ACCEPTED, ids=[a[0] for a in ACCEPTED]
)
def test_a_real_document_is_accepted(
    officer, assignment, media, surface, name, content, content_type, extension
):
    data = content()
    response = post(officer, surface, assignment, name, data)
    assert response.status_code == (302 if surface == "page" else 200)
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.REPORTED
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == (name, content_type)
    assert attachment.size == len(data)
    (stored,) = stored_files(media)
    assert stored.read_bytes() == data
    assert stored.suffix == f".{extension}" and name.rsplit(".", 1)[0] not in stored.name
