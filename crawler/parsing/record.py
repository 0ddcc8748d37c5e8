"""The article record: the one shape shared by parsers, pipelines, the store and exports.

It lives in the pure parsing layer (no Scrapy, no database), so the archive can import it
without importing the crawler. A record never carries a Scrapy Response; every field is plain
JSON-able data.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

# Fields present in every record, in the order they are stored and exported.
RECORD_FIELDS: tuple[str, ...] = (
    "url",
    "canonical_url",
    "site",
    "title",
    "published_at",
    "source",
    "author",
    "editor",
    "sections",
    "body_text",
    "images",
    "fetched_at",
    "content_hash",
    "extraction",
    "warnings",
    "parser_version",
    "parks",
)

# Fields a reader expects an article to have; their absence is counted as "missing".
CORE_FIELDS: tuple[str, ...] = ("title", "published_at", "source", "author", "editor", "body_text")


@dataclass
class Record:
    url: str
    canonical_url: str | None = None
    site: str | None = None
    title: str | None = None
    # ISO 8601: "YYYY-MM-DD" (date only) or "YYYY-MM-DDTHH:MM[:SS]+08:00".
    published_at: str | None = None
    source: str | None = None
    # Names separated by one space.
    author: str | None = None
    editor: str | None = None
    # [{"heading": str | None, "paragraphs": [str, ...]}, ...]
    sections: list[dict[str, Any]] = field(default_factory=list)
    # Paragraphs joined by "\n" (headings included, as their own lines).
    body_text: str = ""
    # [{"src": absolute URL, "caption": str | None}, ...]
    images: list[dict[str, Any]] = field(default_factory=list)
    # ISO 8601 with offset.
    fetched_at: str | None = None
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

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in RECORD_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Record":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def missing_fields(self) -> list[str]:
        return [name for name in CORE_FIELDS if not getattr(self, name)]
