"""Bytes -> text: HTTP charset, BOM, <meta charset>, then the bytes themselves.

Declared charsets are often wrong (UTF-8 bytes under a gb2312 meta, GBK with no declaration),
so a declaration is only a hint: a strict UTF-8 decode wins over a GB declaration, GB2312/GBK
are decoded as GB18030, and when nothing decodes cleanly we decode with replacement and warn.
"""
from __future__ import annotations

import codecs
import re
from typing import Mapping

from .errors import NotAnArticle

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENC_RE = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)
_ANY_CHARSET_RE = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_\-.]+)""", re.I)
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-.]+)""", re.I)

_BINARY_MAGIC = (
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"GIF8", "gif"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"RIFF", "riff"),
    (b"\x00\x00\x01\x00", "ico"),
    (b"ID3", "mp3"),
    (b"\x00\x00\x00", "binary"),
)

_BINARY_CTYPES = ("image/", "audio/", "video/", "application/pdf", "application/zip",
                  "application/octet-stream", "application/x-", "font/")


def normalize_charset(name: str | None) -> str | None:
    """Canonical codec name; GB2312/GBK/x-gbk -> gb18030; unknown names -> None."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in ("gb2312", "gbk", "x-gbk", "gb_2312-80", "gb_2312", "cp936", "euc-cn", "hz-gb-2312",
                "gb18030", "x-euc-cn", "csgb2312", "windows-936", "ms936"):
        return "gb18030"
    if name in ("utf8", "utf-8", "unicode-1-1-utf-8", "x-unicode20utf8"):
        return "utf-8"
    if name in ("big5-hkscs", "big5", "x-big5", "cn-big5"):
        return "big5hkscs"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_value(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    low = name.lower()
    for k, v in headers.items():
        key = k.decode("latin-1") if isinstance(k, bytes) else str(k)
        if key.lower() == low:
            if isinstance(v, (list, tuple)):
                v = v[0] if v else ""
            if isinstance(v, bytes):
                v = v.decode("latin-1")
            return str(v)
    return None


def check_binary(body: bytes, headers: Mapping[str, str] | None = None) -> None:
    """Raise NotAnArticle for empty or binary bodies."""
    if not body or not body.strip():
        raise NotAnArticle("empty", "empty body")
    ctype = (header_value(headers, "content-type") or "").lower()
    if ctype and any(ctype.startswith(p) for p in _BINARY_CTYPES):
        raise NotAnArticle("binary", f"content-type {ctype}")
    head = body[:8]
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            raise NotAnArticle("binary", f"{kind} bytes")
    sample = body[:4096]
    if sample.count(b"\x00") > max(2, len(sample) // 100):
        raise NotAnArticle("binary", "NUL bytes")


def check_truncated(body: bytes, headers: Mapping[str, str] | None) -> None:
    """A body shorter than its (uncompressed) Content-Length was cut off in transfer."""
    cl = header_value(headers, "content-length")
    if not cl or header_value(headers, "content-encoding"):
        return
    try:
        want = int(cl.strip())
    except ValueError:
        return
    if 0 < len(body) < want:
        raise NotAnArticle("truncated", f"{len(body)} of {want} bytes")


def declared_charsets(body: bytes, headers: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """[(source, codec)] in order of authority: http header, meta/xml declaration, any charset= token."""
    out: list[tuple[str, str]] = []
    ctype = header_value(headers, "content-type")
    if ctype:
        m = _HEADER_CHARSET_RE.search(ctype)
        if m and normalize_charset(m.group(1)):
            out.append(("header", normalize_charset(m.group(1))))
    head = body[:5000]
    for src, rx in (("meta", _META_CHARSET_RE), ("xml", _XML_ENC_RE), ("any", _ANY_CHARSET_RE)):
        m = rx.search(head)
        if m:
            cs = normalize_charset(m.group(1).decode("ascii", "ignore"))
            if cs:
                out.append((src, cs))
    return out


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_body(body: bytes, headers: Mapping[str, str] | None = None) -> tuple[str, str, list[str]]:
    """Return (text, codec used, warnings). Raises NotAnArticle for empty/binary bodies."""
    check_binary(body, headers)
    check_truncated(body, headers)
    warnings: list[str] = []
    # BOMs are authoritative.
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            text = body[len(bom):].decode(codec, "replace")
            if "\ufffd" in text:
                warnings.append(f"encoding: {codec} with BOM did not decode cleanly")
            return text, codec, warnings
    declared = declared_charsets(body, headers)
    first_declared = declared[0][1] if declared else None

    # UTF-8 is self-validating: a strict decode of non-ASCII bytes is near-certain evidence.
    text = _strict(body, "utf-8")
    if text is not None:
        if first_declared and first_declared not in ("utf-8", "ascii") and not body.isascii():
            warnings.append(f"encoding: declared {first_declared} but bytes are utf-8")
        return text, "utf-8", warnings
    tried = ["utf-8"]
    for _src, codec in declared:
        if codec in tried:
            continue
        tried.append(codec)
        text = _strict(body, codec)
        if text is not None:
            return text, codec, warnings
    if "gb18030" not in tried:
        text = _strict(body, "gb18030")
        if text is not None:
            if first_declared:
                warnings.append(f"encoding: declared {first_declared} but bytes are gb18030")
            return text, "gb18030", warnings
    # Nothing is clean: pick the decoding with the fewest replacement characters.
    best = None
    for codec in dict.fromkeys([c for _s, c in declared] + ["utf-8", "gb18030"]):
        try:
            t = body.decode(codec, "replace")
        except LookupError:
            continue
        bad = t.count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, codec, t)
    assert best is not None
    bad, codec, text = best
    warnings.append(f"encoding: no clean decoding; used {codec} with {bad} replacement characters")
    return text, codec, warnings
