"""Which copy of an article its row shows: the merge rule (pure; archive.copies applies it).

An article is one text reached at one or more URLs (exact copies: the same canonical URL or the
same normalised body, archive.dedup). Every URL's own parse is kept (`copy_records`); the
article row is the fields of one of them, chosen by, in order:

1. **The original.** A copy another copy names: its URL is another copy's canonical URL, or
   another copy's 来源 (source) names its site key, its site's title or its host (the names
   archive.neardup compares for near-duplicate clusters). A copy that credits another copy
   itself is not an original, and no page is an original by naming itself.
2. **The most complete record**: the most of title, date, source, author, editor and images
   present (`completeness`).
3. **The most precise date**: a time of day beats a bare date, a UTC offset beats a local time
   (`date_precision`).
4. **The copy seen first** (the order given): an equal copy arriving later never moves the row.

Copies are dicts with at least url, canonical_url, site, source, published_at and the fields
`completeness` counts, as stored (JSON columns as text or as lists; a stored copy's url_key is
used as given).
"""
from __future__ import annotations

import json
import re
from typing import Any, Sequence

from crawler.parsing.keys import url_key

from .neardup import named_members

# Fields whose presence makes a record more complete (images: a non-empty list).
COMPLETENESS_FIELDS = ("title", "published_at", "source", "author", "editor", "images")

_TIME_RE = re.compile(r"T\d{2}:\d{2}")
_OFFSET_RE = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def _present(value: Any) -> bool:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            value = json.loads(value)
        except ValueError:
            pass
    return bool(value)


def completeness(copy: dict[str, Any]) -> int:
    """How many of COMPLETENESS_FIELDS the copy has."""
    return sum(_present(copy.get(f)) for f in COMPLETENESS_FIELDS)


def date_precision(published_at: str | None) -> int:
    """0 no date, 1 a date, 2 a date and time, 3 a date and time with a UTC offset."""
    if not published_at:
        return 0
    if not _TIME_RE.search(published_at):
        return 1
    return 3 if _OFFSET_RE.search(published_at) else 2


def originals(copies: Sequence[dict[str, Any]], strip_params: tuple[str, ...] = ()) -> set[int]:
    """Indexes of the copies another copy names (rule 1)."""
    keys = [c.get("url_key") or url_key(c["url"], strip_params) for c in copies]  # stored copies have theirs
    named = [url_key(c["canonical_url"], strip_params) if c.get("canonical_url") else None for c in copies]
    found = {i for i, key in enumerate(keys) if any(j != i and name == key for j, name in enumerate(named))}
    members = [dict(c, id=i) for i, c in enumerate(copies)]
    found |= {m["id"] for m in named_members(members)}
    return found


def choose(copies: Sequence[dict[str, Any]], strip_params: tuple[str, ...] = ()) -> int:
    """The index of the copy the article row shows (the rule in the module docstring)."""
    if not copies:
        raise ValueError("choose: no copies")
    first = originals(copies, strip_params)
    return min(range(len(copies)), key=lambda i: (
        i not in first, -completeness(copies[i]), -date_precision(copies[i].get("published_at")), i))
