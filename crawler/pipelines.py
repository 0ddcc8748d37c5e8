"""Item pipelines: parse -> validate -> normalize -> dedup -> store.

Thin Scrapy wrappers: parsing is crawler.parsing, validation and normalisation archive.validate,
deduplication archive.dedup, storage archive.store. Each drop raises DropItem with a reason and
bumps `parknews/dropped/<reason>`.
A page the parser refuses (not an article, a parse error, a record that fails validation) is
still recorded in the archive with its reason and capture (archive.refused, `refused_pages`;
`parknews/refused/recorded`), so `parknews reparse` can recover it when the parser improves.
Storage errors propagate (Scrapy logs them and the run is marked failed); they are never
swallowed.
"""
from __future__ import annotations

from datetime import datetime

from scrapy.exceptions import DropItem

from archive.store import DUPLICATE, Archive
from archive.validate import normalize_record, validation_error

from .items import FetchedPage, FetchFailure, Record
from .parsing import PARSER_VERSION, NotAnArticle, parse_page


def archive_for(crawler) -> Archive:
    """The crawl's one open archive, shared by the pipelines and the run recorder."""
    archive = getattr(crawler, "parknews_archive", None)
    if archive is None:
        settings = crawler.settings
        archive = Archive(
            settings.get("PARKNEWS_DB"),
            batch_size=settings.getint("PARKNEWS_BATCH_SIZE"),
            batch_seconds=settings.getfloat("PARKNEWS_BATCH_SECONDS"),
            strip_params=tuple(settings.getlist("PARKNEWS_STRIP_PARAMS")),
        )
        crawler.parknews_archive = archive
        config = getattr(getattr(crawler, "spider", None), "config", None)
        if getattr(config, "parks", None):  # a site file's own parks ([[park]])
            archive.add_site_parks(config.name, config.parks)
    return archive


class _Stage:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def drop(self, reason: str, detail: str = ""):
        self.stats.inc_value(f"parknews/dropped/{reason}")
        raise DropItem(f"{reason}: {detail}" if detail else reason)

    def refuse(self, url: str, site: str | None, capture, drop_reason: str, reason: str, detail: str = ""):
        """Record the refused page in the archive (reason, capture, parser version), then drop it."""
        archive_for(self.crawler).record_refused(
            url, site=site, reason=reason, detail=detail, parser_version=PARSER_VERSION, capture=capture,
            run_id=getattr(self.crawler, "parknews_run_id", None))
        self.stats.inc_value("parknews/refused/recorded")
        self.drop(drop_reason, detail if drop_reason == reason else f"{reason}: {detail}" if detail else reason)


class ParsePipeline(_Stage):
    """FetchedPage -> Record, or a counted drop for pages that are not articles."""

    def process_item(self, item, spider=None):
        if not isinstance(item, FetchedPage):
            return item
        try:
            record = parse_page(
                item.url, item.headers, item.body, datetime.fromisoformat(item.fetched_at),
                site=item.site, rules=item.rules,
            )
        except NotAnArticle as exc:
            self.stats.inc_value(f"parknews/not_article/{exc.reason}")
            self.refuse(item.url, item.site, item.capture, "not_article", exc.reason, exc.detail)
        except Exception as exc:  # a parser bug on one page must not stop the crawl
            self.stats.inc_value("parknews/parse_error")
            self.refuse(item.url, item.site, item.capture, "parse_error", "parse_error", f"{type(exc).__name__}: {exc}")
        record.site = record.site or item.site
        record._capture = item.capture  # read by the store (captures row); not a record field
        self.stats.inc_value("parknews/parsed")
        return record


class ValidatePipeline(_Stage):
    """A record must have a URL, a title and a body; a date, when present, must be ISO 8601."""

    def process_item(self, item, spider=None):
        if not isinstance(item, Record):
            return item
        error = validation_error(item)
        if error:
            reason, detail = error
            self.refuse(item.url, item.site, getattr(item, "_capture", None), reason, reason, detail)
        return item


class NormalizePipeline(_Stage):
    """Trim and collapse white space in one-line fields, NFC everywhere, recompute the hash."""

    def process_item(self, item, spider=None):
        if not isinstance(item, Record):
            return item
        return normalize_record(item)


class DedupPipeline(_Stage):
    """Copies of a stored article (same canonical URL, same text) are linked, then dropped."""

    def process_item(self, item, spider=None):
        if not isinstance(item, Record):
            return item
        archive = archive_for(self.crawler)
        match = archive.match(item)
        if match.kind == "copy":
            result = archive.save(item, match, capture=getattr(item, "_capture", None))
            assert result.outcome == DUPLICATE
            self.stats.inc_value("parknews/articles/duplicate")
            self.drop("duplicate", f"copy of article {result.article_id} (same {result.how})")
        item._dedup_match = match  # read by StorePipeline; not a record field
        return item


class StorePipeline(_Stage):
    """Writes records and fetch failures to the archive."""

    def process_item(self, item, spider=None):
        archive = archive_for(self.crawler)
        run_id = getattr(self.crawler, "parknews_run_id", None)
        if isinstance(item, FetchFailure):
            archive.record_failure(item.url, site=item.site, status=item.status, reason=item.reason, run_id=run_id,
                                   capture=item.capture)
            self.stats.inc_value("parknews/failures/recorded")
            key = item.status if item.status is not None else "error"
            self.stats.inc_value(f"parknews/failed/{key}")
            return item
        if not isinstance(item, Record):
            return item
        result = archive.save(item, getattr(item, "_dedup_match", None), capture=getattr(item, "_capture", None))
        self.stats.inc_value(f"parknews/articles/{result.outcome}")
        if result.outcome == "new":
            for name in item.missing_fields():
                self.stats.inc_value(f"parknews/missing/{name}")
        return item
