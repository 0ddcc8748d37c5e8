"""The record checks every path into the archive applies: a crawl (crawler.pipelines'
StorePipeline through archive.process), a retry of refused pages (archive.retry) and a
re-parse (archive.reparse) refuse and normalise a record by these same two functions. Pure: no
Scrapy, no database."""

from __future__ import annotations

import re
import unicodedata

from crawler.parsing.keys import content_hash
from crawler.parsing.record import Record
from crawler.parsing.parks import with_parks


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z))?$")


def validation_error(item: Record) -> tuple[str, str] | None:
    """(reason, detail) when a record cannot be stored: no http(s) URL, no title, no body, a date
    that is not ISO 8601; None when it can."""
    if not item.url or not item.url.startswith(("http://", "https://")):
        return "invalid_url", repr(item.url)
    if not (item.title or "").strip():
        return "no_title", ""
    if not (item.body_text or "").strip():
        return "no_body", ""
    if item.published_at and not ISO_DATE.match(item.published_at):
        return "invalid_date", item.published_at
    return None


def _clean_line(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", unicodedata.normalize("NFC", value)).strip()
    return value or None


def normalize_record(item: Record) -> Record:
    """Trim and collapse white space in one-line fields, NFC everywhere, recompute the hash."""
    before = (item.title, item.body_text)
    for name in ("title", "source", "author", "editor", "canonical_url", "site"):
        setattr(item, name, _clean_line(getattr(item, name)))
    item.body_text = unicodedata.normalize("NFC", item.body_text or "").strip()
    item.content_hash = content_hash(item.body_text)
    if (item.title, item.body_text) != before:  # park mention offsets point into these texts
        with_parks(item)
    return item
