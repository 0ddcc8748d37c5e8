"""What the spiders hand to the pipelines: a fetched page or a failed fetch; and what the parse
pipeline hands to the store: the parsed page (its record and capture). The record the parser
makes from a page is crawler/parsing/record.py (re-exported here for the pipelines)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.parsing.record import CORE_FIELDS, RECORD_FIELDS, Record  # noqa: F401 (re-exported)


@dataclass
class FetchedPage:
    """A fetched article candidate on its way to the parser (ParsePipeline)."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str  # ISO 8601 with offset
    site: str | None = None
    rules: dict[str, Any] | None = None
    # Where the response is in the WARC files (crawler.capture); None when not captured.
    capture: dict[str, Any] | None = None
    # An article split over several pages (spiders/pages.py): pages 2…n as FetchedPages, in
    # order, and (page number, URL, reason) of those that could not be fetched.
    parts: list["FetchedPage"] = field(default_factory=list)
    missing: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ParsedPage:
    """A parsed record with the WARC capture of the response it came from (ParsePipeline ->
    StorePipeline); the capture becomes the article's captures row, it is not a record field."""

    record: Record
    capture: dict[str, Any] | None = None
    page_captures: tuple[dict[str, Any], ...] = ()  # pages 2…n of a multi-page article

    @property
    def url(self) -> str:  # what the log lines name (crawler.logformatter)
        return self.record.url


@dataclass
class FetchFailure:
    """A page that could not be fetched (HTTP error after retries, DNS, timeout...)."""

    url: str
    reason: str
    status: int | None = None
    site: str | None = None
    capture: dict[str, Any] | None = None  # the error response's WARC capture, when there was one
