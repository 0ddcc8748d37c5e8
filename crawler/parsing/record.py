"""The article record: the one shape shared by parsers, pipelines, the store and exports.

It lives in the pure parsing layer (no Scrapy, no database), so the archive can import it
without importing the crawler. A record never carries a Scrapy Response; every field is plain
JSON-able data.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

# Fields a reader expects an article to have; their absence is counted as "missing".
CORE_FIELDS: tuple[str, ...] = ("title", "published_at", "source", "author", "editor", "body_text")


@dataclass
class Record:
    # metadata: "fetch" marks what the fetch gives, not the parser (a re-parse keeps it);
    # "compared" what decides whether a re-fetched article changed (archive.store). The column
    # lists below are derived from these fields; they are written nowhere else.
    url: str = field(metadata={"fetch": True})
    canonical_url: str | None = None
    site: str | None = None
    title: str | None = field(default=None, metadata={"compared": True})
    # ISO 8601: "YYYY-MM-DD" (date only) or "YYYY-MM-DDTHH:MM[:SS]+08:00".
    published_at: str | None = field(default=None, metadata={"compared": True})
    source: str | None = field(default=None, metadata={"compared": True})
    # Names separated by one space.
    author: str | None = field(default=None, metadata={"compared": True})
    editor: str | None = field(default=None, metadata={"compared": True})
    # [{"heading": str | None, "paragraphs": [str, ...]}, ...]
    sections: list[dict[str, Any]] = field(default_factory=list, metadata={"compared": True})
    # Paragraphs joined by "\n" (headings included, as their own lines).
    body_text: str = field(default="", metadata={"compared": True})
    # [{"src": absolute URL, "caption": str | None}, ...]
    images: list[dict[str, Any]] = field(default_factory=list, metadata={"compared": True})
    # ISO 8601 with offset.
    fetched_at: str | None = field(default=None, metadata={"fetch": True})
    # sha256 hex of the normalized body text (crawler.parsing.keys.content_hash).
    content_hash: str | None = None
    # field -> how it was found: "rule", "meta", "text", "url", "structure", "jsonld", ...
    extraction: dict[str, str] = field(default_factory=dict)
    # Human-readable notes about doubtful extraction (e.g. unclean decoding).
    warnings: list[str] = field(default_factory=list)
    parser_version: str | None = None
    # The development zones the article names (crawler.parsing.parks.extract_parks): one entry per
    # park, {"park", "known", "level", "mentions", "in_title", "about", "spans": [...]}.
    parks: list[dict[str, Any]] = field(default_factory=list)
    # An article split over several pages (crawler/parsing/pages.py): every page URL whose text the
    # record holds, in order, the first page (url) first; empty for a one-page article.
    pages: list[str] = field(default_factory=list)
    # The article's attachments (crawler/parsing/attachments.py), in page order:
    # [{"url": absolute URL, "text": link text | None, "media_type": by the URL's extension}, ...]
    attachments: list[dict[str, Any]] = field(default_factory=list)
    # The text read from the fetched attachments (crawler/attachments.py), one entry per attachment
    # with text, in the order of `attachments`: {"url", "name": link text | None, "text", "chars":
    # length of the whole text, "truncated": True when only PARKNEWS_MAX_ATTACHMENT_TEXT were kept}.
    # Filled by the crawl, not the parser ("fetch"): a re-parse keeps it.
    attachment_text: list[dict[str, Any]] = field(default_factory=list, metadata={"fetch": True})

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in RECORD_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Record":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def missing_fields(self) -> list[str]:
        return [name for name in CORE_FIELDS if not getattr(self, name)]


def _fields(keep=lambda f: True) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(Record) if keep(f))


# Fields present in every record, in the order they are stored (articles columns) and exported.
RECORD_FIELDS: tuple[str, ...] = _fields()
# Stored as JSON text: the list and dict fields.
JSON_FIELDS: tuple[str, ...] = _fields(lambda f: f.default_factory in (list, dict))
# What the parser produces (a re-parse compares and rewrites these): all but url and fetched_at.
PARSED_FIELDS: tuple[str, ...] = _fields(lambda f: not f.metadata.get("fetch"))
# What makes a re-fetched article "updated", not "unchanged": its text, title, date, credits, images.
COMPARED_FIELDS: tuple[str, ...] = _fields(lambda f: f.metadata.get("compared", False))
