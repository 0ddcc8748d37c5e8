"""How two fetches are recognised as the same article: URL keys and content hashes.

Pure functions (no database); the store uses them for its lookups.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
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


@dataclass
class Match:
    """What the archive already holds for a record.

    kind: "new" (nothing), "same_url" (this URL is known: article_id is its article) or
    "copy" (another URL of a stored article: same canonical URL or identical text; `how` says which).
    """

    kind: str
    article_id: int | None = None
    how: str = ""


# ---- lookups against the archive (the store calls these inside its transaction) ----

def find_by_url(db, url: str, strip_params: tuple[str, ...] = ()) -> int | None:
    """The article already seen at this URL (any scheme, tracking params, fragment...)."""
    row = db.execute(
        "SELECT article_id FROM article_urls WHERE url_key = ? LIMIT 1", [url_key(url, strip_params)]
    ).fetchone()
    return row[0] if row else None


def find_duplicate(db, record, strip_params: tuple[str, ...] = ()) -> tuple[int, str] | None:
    """An existing article that `record` (seen at a URL not yet known) is a copy of.

    Returns (article_id, how): "canonical_url" when the page's canonical URL is a known
    URL, "content_hash" when the normalized body text is identical. None for a new article.
    """
    if record.canonical_url:
        found = find_by_url(db, record.canonical_url, strip_params)
        if found is not None:
            return found, "canonical_url"
    if record.content_hash:
        row = db.execute(
            "SELECT id FROM articles WHERE content_hash = ?", [record.content_hash]
        ).fetchone()
        if row:
            return row[0], "content_hash"
    return None


def match(db, record, strip_params: tuple[str, ...] = ()) -> Match:
    """Classify `record` against the archive (see Match)."""
    known = find_by_url(db, record.url, strip_params)
    if known is not None:
        return Match("same_url", known, "url")
    dup = find_duplicate(db, record, strip_params)
    if dup is not None:
        return Match("copy", dup[0], dup[1])
    return Match("new")
