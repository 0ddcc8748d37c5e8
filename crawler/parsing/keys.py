"""How two fetches are recognised as the same article: URL keys and content hashes.

Pure functions, in the parsing layer: the parser sets a record's canonical_url and
content_hash with them, and the archive (archive/dedup.py) looks records up by them.
"""
from __future__ import annotations

import fnmatch
import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track a visit and never select content.
TRACKING_PARAMS: tuple[str, ...] = (
    "utm_*",
    "spm",
    "from",
    "fromid",
    "source",
    "share_token",
    "share",
    "timestamp",
    "scene",
    "isappinstalled",
    "wxshare_count",
    "fbclid",
    "gclid",
    "ref",
    "refer",
    "_t",
    "_",
)

_INDEX_RE = re.compile(r"/(?:index|default)\.(?:html?|shtml|php|aspx?|jsp)$", re.I)
_WS_RE = re.compile(r"\s+")


def _is_tracking(name: str, extra: tuple[str, ...] = ()) -> bool:
    low = name.lower()
    return any(fnmatch.fnmatchcase(low, pat) for pat in TRACKING_PARAMS + tuple(extra))


def canonicalize_url(url: str, strip_params: tuple[str, ...] = ()) -> str:
    """A normalized absolute URL: lower-case host, no default port, no fragment,
    no tracking parameters (plus `strip_params` glob patterns), sorted query,
    `/index.html` reduced to `/`. The scheme is kept (http stays http)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    path = parts.path or "/"
    path = re.sub(r"/{2,}", "/", path)
    path = _INDEX_RE.sub("/", path)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(k, strip_params)
    ]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def url_key(url: str, strip_params: tuple[str, ...] = ()) -> str:
    """The key under which URLs of one page are the same: the canonical URL
    without its scheme, so http and https copies match."""
    canon = canonicalize_url(url, strip_params)
    return canon.split("://", 1)[1] if "://" in canon else canon


def normalize_text(text: str) -> str:
    """Body text as compared for exact duplicates: NFKC, no white space at all."""
    return _WS_RE.sub("", unicodedata.normalize("NFKC", text or ""))


def content_hash(body_text: str) -> str | None:
    """sha256 hex of the normalized body; None for an empty body."""
    norm = normalize_text(body_text)
    if not norm:
        return None
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()
