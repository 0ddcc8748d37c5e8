"""An article's attachments (附件): links to documents in the body or right under it.

Pure: the body container(s) and the page URL in, [{url, text, media_type}] out, in page order,
each URL once. A link counts when its path (or a file-name query parameter) ends in one of the
document extensions below; the media type is the extension's, the server's answer may refine it
when the attachment is fetched."""
from __future__ import annotations

import posixpath
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from .dom import norm_ws, text_of

MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".wps": "application/vnd.ms-works",
    ".ofd": "application/ofd",
    ".zip": "application/zip",
}
# siblings after the body that may still hold its attachment list ("附件：1. …")
SIBLINGS_AFTER_BODY = 3


def media_type_of(url: str) -> str | None:
    """The document media type a URL names by its extension (path, else a file-name parameter)."""
    parts = urlsplit(url)
    names = [unquote(parts.path)] + [v for _, v in parse_qsl(parts.query)]
    for name in names:
        ext = posixpath.splitext(name.strip().lower())[1]
        if ext in MEDIA_TYPES:
            return MEDIA_TYPES[ext]
    return None


def _scopes(container) -> list:
    conts = container if isinstance(container, list) else [container]
    out = []
    for c in conts:
        if c is None:
            continue
        out.append(c)
        sib = c.getnext()
        for _ in range(SIBLINGS_AFTER_BODY):
            if sib is None:
                break
            if isinstance(sib.tag, str):
                out.append(sib)
            sib = sib.getnext()
    return out


def find_attachments(container, base_url: str) -> list[dict]:
    """The attachment links in the body container(s) and the few elements right after them."""
    out, seen = [], set()
    for scope in _scopes(container):
        for a in scope.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:")):
                continue
            url = urljoin(base_url, href) if base_url else href
            if not url.startswith(("http://", "https://")):
                continue
            media_type = media_type_of(url)
            if media_type is None:
                continue
            url = url.split("#", 1)[0]
            if url in seen:
                continue
            seen.add(url)
            text = norm_ws(text_of(a)) or norm_ws(a.get("title") or "") or None
            out.append({"url": url, "text": text, "media_type": media_type})
    return out
