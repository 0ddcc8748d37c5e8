"""The text of an attachment: bytes and media type in, (text, None) or (None, reason) out.

PDF through pypdf, DOCX through python-docx (paragraphs, then table rows), XLSX through
openpyxl (each sheet's rows, cells joined by tabs). Pure and never raising on bad input: a
corrupt or unsupported file gives a one-line reason, which the record keeps in the attachment's
entry (an attachment that cannot be read never fails its article)."""
from __future__ import annotations

import io

from .attachments import MEDIA_TYPES

PDF = MEDIA_TYPES[".pdf"]
DOCX = MEDIA_TYPES[".docx"]
XLSX = MEDIA_TYPES[".xlsx"]


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join((page.extract_text() or "").strip() for page in reader.pages)


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _xlsx(data: bytes) -> str:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        lines = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells = ["" if v is None else str(v) for v in row]
                if any(cells):
                    lines.append("\t".join(cells).rstrip("\t"))
        return "\n".join(lines)
    finally:
        book.close()


EXTRACTORS = {PDF: _pdf, DOCX: _docx, XLSX: _xlsx}


def extract_text(data: bytes, media_type: str | None) -> tuple[str | None, str | None]:
    """(text, None) when the attachment's text was read, else (None, one-line reason)."""
    base = (media_type or "").split(";", 1)[0].strip().lower()
    extractor = EXTRACTORS.get(base)
    if extractor is None:
        return None, f"no text extraction for {base or 'unknown media type'}"
    if not data:
        return None, "empty file"
    try:
        text = extractor(data)
    except Exception as exc:  # any library's error on a corrupt file becomes the entry's reason
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return None, f"unreadable {base.rsplit('/', 1)[-1]}: {type(exc).__name__}{': ' + first if first else ''}"
    # NULs are never text (pypdf leaves one per glyph of some two-byte CID fonts, as fpdf2 writes
    # Noto CJK); they would also end a C string in the search index
    lines = [line.rstrip() for line in text.replace("\x00", "").splitlines()]
    text = "\n".join(line for line in lines if line.strip()).strip()
    if not text:
        return None, "no text in the file (a scan without a text layer?)"
    return text, None
