"""Retrying refused pages (`parknews reparse`): every page in refused_pages parsed again from its
WARC capture; those the parser now accepts are stored as articles (archive/refused.py keeps the
table, archive/reparse.py reads and parses a capture as the crawl did)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from crawler.parsing import PARSER_VERSION

from .process import process_record
from .refused import pending
from .reparse import parsed_captures, site_config
from .transactions import joined_transaction
from .validate import validation_error


@dataclass
class RetryResult:
    checked: int = 0
    recovered: list[tuple[str, int, str]] = field(default_factory=list)  # (url, article id, outcome)
    still_refused: Counter = field(default_factory=Counter)  # reason -> pages
    no_capture: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)


def retry_refused(archive, archive_dir, *, site: str | None = None, dry_run: bool = False,
                  sites_dir=None) -> RetryResult:
    """Parse every refused page not recovered yet again from its WARC capture with the current
    parser; a page it now accepts goes through the crawl's validation, normalisation and storage
    (archive.process: dedup, captures, near-duplicates) and its refusal is marked recovered. A page
    still refused keeps its row, with the new reason and parser version. Site rules come from
    spiders/sites (or `sites_dir`), so a site file fixed since the crawl applies."""
    db = archive.db
    result = RetryResult()
    cache: dict = {}
    default_strip = archive.strip_params
    try:
        for row, record, refusal in parsed_captures(db, archive_dir, pending(db, site), result, url="url",
                                                    site="site", cache=cache, sites_dir=sites_dir):
            url = row["url"]
            reason, detail = refusal or validation_error(record) or (None, "")
            if reason is not None:
                result.still_refused[reason] += 1
                if not dry_run:
                    with joined_transaction(db):
                        db.execute("UPDATE refused_pages SET reason = ?, detail = ?, parser_version = ? WHERE url = ?",
                                   [reason, detail or None, PARSER_VERSION, url])
                continue
            if dry_run:
                result.recovered.append((url, 0, "would store"))
                continue
            archive.strip_params = site_config(row["site"], cache, sites_dir)[1] or default_strip
            saved = process_record(record, None, archive)  # checked above: stored (or a duplicate)
            result.recovered.append((url, saved.article_id, saved.kind))
    finally:
        archive.strip_params = default_strip
        archive.flush()
    return result
