"""Item pipelines: parse, then store (validate, normalise, dedup, store: archive.process).

Thin Scrapy adapters: parsing is crawler.parsing, everything after it archive.process.process_record,
the one record path every writer shares. Each drop raises DropItem with a reason and bumps
`parknews/dropped/<reason>`.
A page the parser refuses (not an article, a parse error, a record that fails validation) is
still recorded in the archive with its reason and capture (archive.refused, `refused_pages`;
`parknews/refused/recorded`), so `parknews reparse` can recover it when the parser improves.
Storage errors propagate (Scrapy logs them and the run is marked failed); they are never
swallowed.
"""
from __future__ import annotations

from datetime import datetime

from scrapy.exceptions import DropItem

from archive.process import REFUSED, Outcome, process_record, refuse
from archive.store import NEW, Archive

from .extensions import CrawlRunRecorder
from .items import FetchedPage, FetchFailure, ParsedPage
from .parsing import PARSER_VERSION, NotAnArticle, parse_page
from .parsing.pager import page_number
from .parsing.pages import parse_later_pages


class _Stage:
    def __init__(self, crawler, run: CrawlRunRecorder):
        self.crawler = crawler
        self.stats = crawler.stats
        self.run = run  # the archive's owner: .archive, .run_id

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, CrawlRunRecorder.of(crawler))

    @property
    def archive(self) -> Archive:
        return self.run.archive

    def drop(self, reason: str, detail: str = ""):
        self.stats.inc_value(f"parknews/dropped/{reason}")
        raise DropItem(f"{reason}: {detail}" if detail else reason)

    def refused(self, outcome: Outcome, drop_reason: str):
        """Count a refusal recorded by archive.process, then drop the item."""
        self.stats.inc_value("parknews/refused/recorded")
        reason, detail = outcome.reason, outcome.detail
        self.drop(drop_reason, detail if drop_reason == reason else f"{reason}: {detail}" if detail else reason)


class ParsePipeline(_Stage):
    """FetchedPage -> ParsedPage (the record and its capture), or a counted drop for pages that
    are not articles (recorded as refused)."""

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
            self.refused(refuse(self.archive, item.url, item.site, item.capture, exc.reason,
                                exc.detail, run_id=self.run.run_id), "not_article")
        except Exception as exc:  # a parser bug on one page must not stop the crawl
            self.stats.inc_value("parknews/parse_error")
            self.refused(refuse(self.archive, item.url, item.site, item.capture, "parse_error",
                                f"{type(exc).__name__}: {exc}", run_id=self.run.run_id), "parse_error")
        record.site = record.site or item.site
        if item.parts or item.missing:
            record = self.merge_pages(record, item)
        self.stats.inc_value("parknews/parsed")
        return ParsedPage(record, item.capture, tuple(p.capture for p in item.parts if p.capture))

    def merge_pages(self, record, item: FetchedPage):
        """Page 1's record with pages 2…n's text (crawler/parsing/pages.py)."""
        later = [(page_number(item.url, p.url) or i + 2, p.url, p.headers, p.body,
                  datetime.fromisoformat(p.fetched_at)) for i, p in enumerate(item.parts)]
        merged = parse_later_pages(record, later, item.missing, site=item.site, rules=item.rules)
        self.stats.inc_value("parknews/article_pages/merged", len(merged.pages) - 1 if merged.pages else 0)
        if item.missing or len(merged.pages) < len(item.parts) + 1:
            self.stats.inc_value("parknews/article_pages/incomplete")
        return merged


class StorePipeline(_Stage):
    """ParsedPage -> archive.process.process_record (validate, normalise, dedup, store); fetch
    failures -> the archive's fetch_failures. Returns the stored Record; refusals and copies of a
    stored article are counted and dropped."""

    def process_item(self, item, spider=None):
        archive, run_id = self.archive, self.run.run_id
        if isinstance(item, FetchFailure):
            archive.record_failure(item.url, site=item.site, status=item.status, reason=item.reason, run_id=run_id,
                                   capture=item.capture)
            self.stats.inc_value("parknews/failures/recorded")
            key = "blocked" if item.reason.startswith("blocked: ") else (  # crawler/blocked.py
                item.status if item.status is not None else "error")
            self.stats.inc_value(f"parknews/failed/{key}")
            return item
        if not isinstance(item, ParsedPage):
            return item
        record = item.record
        outcome = process_record(record, item.capture, archive, run_id=run_id, page_captures=item.page_captures)
        if outcome.kind == REFUSED:
            self.refused(outcome, outcome.reason)
        self.stats.inc_value(f"parknews/articles/{outcome.kind}")
        if outcome.copy:
            self.drop("duplicate", f"copy of article {outcome.article_id} (same {outcome.how})")
        if outcome.kind == NEW:
            for name in record.missing_fields():
                self.stats.inc_value(f"parknews/missing/{name}")
        return record
