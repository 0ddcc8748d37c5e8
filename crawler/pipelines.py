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

from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future

from archive.process import REFUSED, Outcome, process_record, refuse
from archive.store import NEW, Archive

from .extensions import CrawlRunRecorder
from .items import FetchedPage, FetchFailure, ParsedPage
from .parse_job import NOT_ARTICLE, PARSE_ERROR, ParseResult, job_of, run_job
from .parse_pool import InOrder, ParsePool


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
    are not articles (recorded as refused).

    The parse itself (crawler/parse_job.py) runs in PARKNEWS_PARSE_WORKERS worker processes
    (crawler/parse_pool.py), started when the spider opens and stopped when it closes;
    process_item then returns a coroutine and Scrapy goes on downloading while the workers parse.
    Each site's items leave this stage in the order they entered it (parse_pool.InOrder), so they
    reach the store in the order their responses came. 0 workers (or no open_spider: the
    pipeline built by hand) parses inline, on the reactor thread."""

    parse = staticmethod(run_job)  # a ParseJob -> ParseResult function of a module a worker can import

    def __init__(self, crawler, run: CrawlRunRecorder):
        super().__init__(crawler, run)
        self.workers = crawler.settings.getint("PARKNEWS_PARSE_WORKERS")
        self.pool: ParsePool | None = None
        self.order = InOrder()

    def open_spider(self):
        if self.workers > 0:
            self.pool = ParsePool(self.workers, self.parse,
                                  count=lambda name: self.stats.inc_value(f"parknews/parse_pool/{name}"))
            self.pool.warm()
            self.stats.set_value("parknews/parse_pool/workers", self.workers)

    def close_spider(self):
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None

    def process_item(self, item, spider=None):
        if not isinstance(item, FetchedPage):
            return item
        if self.pool is None:
            return self.outcome(item, self.parse(job_of(item)))
        return self.pooled(item)

    async def pooled(self, item: FetchedPage):
        result = await maybe_deferred_to_future(self.order.wrap(item.site, self.pool.submit(job_of(item))))
        return self.outcome(item, result)

    def outcome(self, item: FetchedPage, result: ParseResult):
        """The ParsedPage of a parse result, or its refusal recorded and the item dropped."""
        self.stats.inc_value("parknews/time/parse", result.seconds)
        if result.kind == NOT_ARTICLE:
            self.stats.inc_value(f"parknews/not_article/{result.reason}")
            self.refused(refuse(self.archive, item.url, item.site, item.capture, result.reason,
                                result.detail, run_id=self.run.run_id), "not_article")
        if result.kind == PARSE_ERROR:
            self.stats.inc_value("parknews/parse_error")
            self.refused(refuse(self.archive, item.url, item.site, item.capture, "parse_error",
                                result.detail, run_id=self.run.run_id), "parse_error")
        if item.parts or item.missing:
            self.stats.inc_value("parknews/article_pages/merged", result.merged_pages)
            if result.incomplete:
                self.stats.inc_value("parknews/article_pages/incomplete")
        self.stats.inc_value("parknews/parsed")
        return ParsedPage(result.record, item.capture, tuple(p.capture for p in item.parts if p.capture))


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
