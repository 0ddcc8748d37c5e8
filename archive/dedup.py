"""Duplicate lookups against the archive: a record's URL and text matched to a stored
article, by the keys of crawler/parsing/keys.py (URL keys, content hashes)."""
from __future__ import annotations

from dataclasses import dataclass

from crawler.parsing.keys import url_key


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
