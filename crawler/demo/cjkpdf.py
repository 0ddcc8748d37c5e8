"""A small Chinese PDF written by hand, for the demo site's notice attachment: no font file and no
PDF library at run time, so `parknews demo` works offline on a machine without CJK fonts.

The text is set in STSong-Light, one of the standard CJK fonts every PDF reader must supply
(PDF 1.7 §9.7.5.2, Adobe-GB1), not embedded, encoded with the predefined CMap UniGB-UCS2-H (each
character is its two-byte UCS-2 code), with a ToUnicode CMap so that text extraction (pypdf, a
reader's copy and paste) gives back the same characters. One page, one line of text per given line,
at most `MAX_LINE` characters of the BMP each (the caller writes its lines that short).
"""
from __future__ import annotations

MAX_LINE = 36   # characters per line at 12 pt in the A4 page's 451 pt wide text area
MAX_LINES = 50  # lines per page at 14 pt leading

_FONT = b"STSong-Light"


def _hex(text: str) -> bytes:
    return b"<" + "".join(f"{ord(c):04X}" for c in text).encode("ascii") + b">"


def _to_unicode(chars: list[str]) -> bytes:
    """A ToUnicode CMap mapping each two-byte code to its character (codes are the characters)."""
    out = [b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
           b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
           b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
           b"1 begincodespacerange <0000> <FFFF> endcodespacerange"]
    for k in range(0, len(chars), 100):  # at most 100 entries per bfchar block
        block = chars[k:k + 100]
        out.append(f"{len(block)} beginbfchar".encode("ascii"))
        out += [_hex(c) + b" " + _hex(c) for c in block]
        out.append(b"endbfchar")
    out += [b"endcmap CMapName currentdict /CMap defineresource pop end end"]
    return b"\n".join(out)


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def chinese_pdf(lines: list[str], title: str = "") -> bytes:
    """The bytes of a one-page PDF showing `lines` (Chinese and ASCII text), one per line."""
    for line in lines:
        if len(line) > MAX_LINE or any(ord(c) > 0xFFFF or c in "\r\n" for c in line):
            raise ValueError(f"PDF line {line!r}: over {MAX_LINE} characters, a line break or outside the BMP")
    if len(lines) > MAX_LINES:
        raise ValueError(f"{len(lines)} PDF lines: one page holds {MAX_LINES}")
    text = [b"BT /F1 12 Tf 14 TL 72 770 Td"]
    for k, line in enumerate(lines):
        text.append((b"" if k == 0 else b"T* ") + _hex(line) + b" Tj")
    text.append(b"ET")
    chars = sorted(set("".join(lines)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /" + _FONT + b" /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        _stream(b"\n".join(text)),
        # Adobe-GB1 CIDs 1-95 are the proportional ASCII glyphs: half width
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /" + _FONT + b" /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 8 0 R /DW 1000 /W [1 95 500] >>",
        _stream(_to_unicode(chars)),
        b"<< /Type /FontDescriptor /FontName /" + _FONT + b" /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        b"<< /Title " + _hex("\ufeff" + title) + b" /Producer (parknews demo) >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, len(objects), xref))
    return bytes(out)
