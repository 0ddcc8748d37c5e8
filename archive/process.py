"""One record's way into the archive, the same for every writer: a crawl (crawler.pipelines), a
re-parse (archive.reparse) and a retry of refused pages (archive.retry). No Scrapy.

process_record(record, capture, archive): validate (archive.validate; a record failing a check is
recorded as refused with its capture, archive.refused), normalise, then Archive.save (archive.store):
exact dedup (archive.dedup.match, inside the write transaction), the article row, the URL row,
near-duplicate index and cluster (archive.neardup), article_versions and the captures row
(archive.captures), park links (archive.parks); the full-text index follows the articles table
(archive.search). The result is an Outcome, a value: the caller counts and logs it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.parsing.record import PARSED_FIELDS, Record
from crawler.parsing import PARSER_VERSION

from .store import DUPLICATE, NEW, UNCHANGED, UPDATED, Archive
from .validate import normalize_record, validation_error

REFUSED = "refused"
KINDS = (NEW, UPDATED, UNCHANGED, DUPLICATE, REFUSED)


@dataclass(frozen=True)
class Outcome:
    """What became of one record.

    kind: "new", "updated", "unchanged", "duplicate" (article_id is the article it copies; `how`
    says what matched: "url", "canonical_url" or "content_hash") or "refused" (`reason`,
    `detail`: a validation or parser refusal; article_id None)."""

    kind: str
    article_id: int | None = None
    how: str = ""
    reason: str = ""
    detail: str = ""
    changed: tuple[str, ...] = ()  # for "updated": the columns that changed

    @property
    def copy(self) -> bool:
        """A copy of a stored article reached through another URL (same canonical URL or text);
        not a known copy URL seen again."""
        return self.kind == DUPLICATE and self.how != "url"


def refuse(archive: Archive, url: str, site: str | None, capture: dict[str, Any] | None, reason: str,
           detail: str = "", *, run_id: int | None = None) -> Outcome:
    """Record a page the parser or the checks refused (archive.refused), with its capture."""
    archive.record_refused(url, site=site, reason=reason, detail=detail, parser_version=PARSER_VERSION,
                           capture=capture, run_id=run_id)
    return Outcome(REFUSED, reason=reason, detail=detail)


def process_record(record: Record, capture: dict[str, Any] | None, archive: Archive, *,
                   run_id: int | None = None, seen_at: str | None = None,
                   reparse_of: int | None = None, page_captures: tuple[dict[str, Any], ...] = ()) -> Outcome:
    """Validate, normalise and store one parsed record (see the module doc).

    `capture` is where its response is in the WARC files (crawler.capture), or None;
    `page_captures` those of pages 2…n of a multi-page article (archive.pages). With
    `reparse_of=ID` the record is stored article ID's capture parsed again: every parsed field is
    compared (not only the text, title, date and credits a re-fetch compares), the URL is not
    marked seen, no captures row is added, and a refusal is returned without being recorded (the
    article stays as it was)."""
    error = validation_error(record)
    if error:
        reason, detail = error
        if reparse_of is not None:
            return Outcome(REFUSED, reason=reason, detail=detail)
        return refuse(archive, record.url, record.site, capture, reason, detail, run_id=run_id)
    normalize_record(record)
    if reparse_of is not None:
        saved = archive.save(record, seen_at=seen_at, fetched=False, compared=PARSED_FIELDS, article_id=reparse_of)
    else:
        saved = archive.save(record, seen_at=seen_at, capture=capture, page_captures=page_captures)
    return Outcome(saved.outcome, saved.article_id, how=saved.how, changed=saved.changed)
