"""Real small evidence files (PDF, PNG, JPEG, DOCX, XLSX) and the tools to spoil them, for the
tests of uploads. Every sample is made here, so the tests hold no binary fixtures."""

import io
import struct
import zipfile
import zlib

from PIL import Image


def pdf_bytes(
    text: bytes = b"Bao cao ket qua",
    *,
    catalog: bytes = b"",
    extra: tuple[bytes, ...] = (),
    kids: bytes = b"[3 0 R]",
    count: int = 1,
) -> bytes:
    """A one-page PDF with a correct cross-reference table; ``catalog`` is added to the
    catalog's dictionary and ``extra`` objects are numbered from 6."""
    contents = b"BT /F1 12 Tf 20 50 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids " + kids + b" /Count %d >>" % count,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(contents) + contents + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra,
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        start,
    )
    return out


PDF = pdf_bytes()


def image_bytes(kind: str = "PNG", size=(48, 32), **options) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    for x in range(size[0]):
        image.putpixel((x, x % size[1]), (10, 10, 200))
    image.save(buffer, kind, **options)
    return buffer.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG", quality=85)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_chunk(kind: bytes, data: bytes, png: bytes = PNG) -> bytes:
    """``png`` with one more chunk just before IEND."""
    end = png.rindex(b"IEND") - 4
    return png[:end] + png_chunk(kind, data) + png[end:]


def png_sized(width: int, height: int, png: bytes = PNG) -> bytes:
    """``png`` whose header claims another size (its CRC fixed, so only the decoder can tell)."""
    ihdr = png[16:29]
    new = struct.pack(">II", width, height) + ihdr[8:]
    return png[:8] + png_chunk(b"IHDR", new) + png[33:]


def zip_bytes(parts: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES_DOCX = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
DOCUMENT_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>B\xc3\xa1o c\xc3\xa1o k\xe1\xba\xbft qu\xe1\xba\xa3</w:t></w:r></w:p></w:body>"
    b"</w:document>"
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="%s"/>'
    b"</Relationships>"
)


def docx_parts(**more: bytes) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": CONTENT_TYPES_DOCX,
        "_rels/.rels": RELS % b"word/document.xml",
        "word/document.xml": DOCUMENT_XML,
        **more,
    }


def docx_bytes() -> bytes:
    """A real .docx as Word writes it (python-docx's own template)."""
    import docx

    document = docx.Document()
    document.add_paragraph("Báo cáo kết quả thực hiện nhiệm vụ")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    """A minimal .xlsx that Excel and LibreOffice open: one sheet, two cells."""
    return zip_bytes(
        {
            "[Content_Types].xml": (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                b'<Default Extension="xml" ContentType="application/xml"/>'
                b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                b"</Types>"
            ),
            "_rels/.rels": RELS % b"xl/workbook.xml",
            "xl/workbook.xml": (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                b'<sheets><sheet name="KetQua" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ),
            "xl/_rels/workbook.xml.rels": (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                b"</Relationships>"
            ),
            "xl/worksheets/sheet1.xml": (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Ty le</t></is></c>'
                b'<c r="B1"><v>95</v></c></row></sheetData></worksheet>'
            ),
        }
    )


def zip_patched(data: bytes, member: str, offset: int, value: bytes) -> bytes:
    """``data`` with ``value`` written at ``offset`` of ``member``'s central directory entry
    (8: flags, 20: compressed size, 24: uncompressed size)."""
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        (name_length,) = struct.unpack("<H", data[at + 28 : at + 30])
        if data[at + 46 : at + 46 + name_length] == member.encode():
            break
        at += 4
    return data[: at + offset] + value + data[at + offset + len(value) :]
