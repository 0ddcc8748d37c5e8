"""The crawl-run recorder: the one owner of the crawl's archive and of its crawl_runs row (opened
at start, closed with counts). The pipelines and middlewares that write the archive are handed it
in their from_crawler (`CrawlRunRecorder.of(crawler)`)."""
from __future__ import annotations

import logging

from scrapy import signals
from sqlite_utils.utils import sqlite3

from archive.batch import shared
from archive.store import Archive, now_iso
from crawler.ops import pages_fetched, storage_errors

logger = logging.getLogger(__name__)

# Stats keys summarised into the crawl_runs row.
def run_counts(stats: dict) -> dict:
    def get(key):
        return int(stats.get(key, 0) or 0)

    counts = {
        "requests": get("downloader/request_count"),
        "pages_fetched": pages_fetched(stats),
        "bytes": get("downloader/response_bytes"),
        "articles_new": get("parknews/articles/new"),
        "articles_updated": get("parknews/articles/updated"),
        "articles_unchanged": get("parknews/articles/unchanged"),
        "articles_duplicate": get("parknews/articles/duplicate"),
        "pages_failed": get("parknews/pages/failed"),
        "walk_gaps": get("parknews/pages/walk_gaps"),
        "responses_by_status": {
            k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("downloader/response_status_count/")
        },
        "dropped": {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("parknews/dropped/")},
        "not_article": {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("parknews/not_article/")},
        "missing": {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("parknews/missing/")},
    }
    return counts


def open_archive(crawler) -> Archive:
    """The crawl's archive (PARKNEWS_DB), with the spider's site file parks ([[park]]) added.
    Its connection is the one every crawl of this process on that database shares
    (archive.batch.shared: crawlers on one reactor thread must not wait for each other's write
    lock); closing the archive releases it."""
    settings = crawler.settings
    path = settings.get("PARKNEWS_DB")
    archive = Archive(
        path,
        strip_params=tuple(settings.getlist("PARKNEWS_STRIP_PARAMS")),
        batch=shared(path, batch_size=settings.getint("PARKNEWS_BATCH_SIZE"),
                     batch_seconds=settings.getfloat("PARKNEWS_BATCH_SECONDS")),
    )
    config = getattr(getattr(crawler, "spider", None), "config", None)
    if getattr(config, "parks", None):  # a site file's own parks ([[park]])
        archive.add_site_parks(config.name, config.parks)
    return archive


class CrawlRunRecorder:
    """Opens the archive when Scrapy builds the extensions (before the pipelines and middlewares,
    which take it in their from_crawler), starts the run when the spider opens, and closes the
    run and then the archive when it closes. `archive`: the open archive; `run_id`: the
    crawl_runs row, None until the spider opened."""

    def __init__(self, crawler, archive: Archive):
        self.crawler = crawler
        self.archive = archive
        self.run_id: int | None = None

    @classmethod
    def of(cls, crawler) -> "CrawlRunRecorder":
        """The crawler's recorder; a component writing the archive cannot run without it."""
        found = _recorder(crawler)
        if found is None:
            raise RuntimeError("crawler.extensions.CrawlRunRecorder is not enabled (EXTENSIONS): it opens the "
                               "archive the parknews pipelines and middlewares write")
        return found

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler, open_archive(crawler))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    # Errors of our own code or storage (not a site's 404/500, which are failures, not errors).
    def item_error(self, item, response, spider, failure):
        self.crawler.stats.inc_value("parknews/errors/item")

    def spider_error(self, failure, response, spider):
        self.crawler.stats.inc_value("parknews/errors/spider")

    def spider_opened(self, spider):
        archive = self.archive
        site = getattr(spider, "site_name", spider.name)
        self.run_id = archive.start_run(site)
        from . import ops  # operator columns, stale runs, exit code (crawler/ops.py)

        ops.run_opened(self.crawler, archive, site, self.run_id)

    def spider_closed(self, spider, reason):
        archive = self.archive
        try:
            self._close_run(archive, spider, reason)
        except (sqlite3.DatabaseError, OSError) as exc:  # a full disk while closing the run
            self._close_failed(archive, spider, reason, exc)
        try:
            archive.close()
        except (sqlite3.DatabaseError, OSError) as exc:
            self._storage_error(f"could not close the archive: {exc}")

    def _storage_error(self, message: str) -> None:
        stats = self.crawler.stats
        stats.inc_value("parknews/errors/storage")
        if not stats.get_value("parknews/errors/message"):
            stats.set_value("parknews/errors/message", message)
        logger.error("%s", message)

    def _sync_index(self, archive) -> None:
        """Bring the full-text index up to date as part of the run, before the run's row is
        closed: a kill meanwhile leaves the run 'running' (later 'interrupted'), a full disk
        makes it 'failed', never 'ok' with a stale index."""
        from archive.parks import sync_links
        from archive.search import sync_index

        try:
            sync_links(archive.db)  # the gazetteer mirror, and articles queued by a reparse or `parks add`
            indexed = sync_index(archive.db)
        except sqlite3.DatabaseError as exc:
            self._storage_error(f"search index not brought up to date ({exc}); it is updated by the next "
                                "crawl or search once the archive can be written")
            indexed = 0
        self.crawler.stats.set_value("parknews/search/indexed", indexed)

    def _close_run(self, archive, spider, reason):
        archive.flush()
        self._sync_index(archive)
        stats = self.crawler.stats.get_stats()
        counts = run_counts(stats)
        errors = storage_errors(stats)
        run_id = self.run_id
        from . import ops

        verdict = ops.judge_run(self.crawler, archive, spider, reason, run_id)
        status = verdict.status
        # whether this run walked the whole site (see archive.runs.last_pass_complete)
        counts["complete"] = reason == "finished" and errors == 0 and counts["walk_gaps"] == 0
        self.crawler.stats.set_value("parknews/complete", counts["complete"])
        if run_id is not None:
            archive.finish_run(run_id, status=status, finish_reason=reason, counts=counts)
            ops.run_closed(self.crawler, archive, run_id, counts, verdict)
        self.crawler.stats.set_value("parknews/run_id", run_id)
        self.crawler.stats.set_value("parknews/run_status", status)

    def _close_failed(self, archive, spider, reason, exc) -> None:
        """The run could not be closed (the archive cannot be written): say so in one line, and
        record the run as failed when the database still takes that much; else its row stays
        'running' and the next crawl marks it interrupted."""
        from . import ops

        self._storage_error(f"could not record the end of the run ({exc})")
        archive.rollback()
        run_id = self.run_id
        stats = self.crawler.stats
        stats.set_value("parknews/run_id", run_id)
        stats.set_value("parknews/run_status", "failed")
        stats.set_value("parknews/exit_code", ops.EXIT_FAILURES)
        if run_id is None:
            return
        try:
            archive.db.execute("UPDATE crawl_runs SET status = 'failed', finish_reason = ?, exit_code = ?, "
                               "finished_at = ? WHERE id = ?",
                               [reason, ops.EXIT_FAILURES, now_iso(), run_id])
        except (sqlite3.DatabaseError, OSError):
            pass  # left 'running': interrupted at the next crawl, never 'ok'


def close_interrupted(crawler) -> None:
    """Close a crawl whose reactor was stopped at once (runner.StoppableProcess) before the
    spider closed: the spider_closed handlers run now, so what the pipelines stored is committed,
    the WARC file closed and the run recorded as interrupted. Nothing when the spider closed."""
    if "parknews/run_status" in (crawler.stats.get_stats() or {}):
        return
    spider = getattr(crawler, "spider", None)
    recorder = _recorder(crawler)
    if spider is None or recorder is None or recorder.run_id is None:
        return
    crawler.stats.set_value("finish_reason", "interrupted")
    crawler.signals.send_catch_log(signal=signals.spider_closed, spider=spider, reason="interrupted")


def _recorder(crawler) -> CrawlRunRecorder | None:
    for ext in getattr(getattr(crawler, "extensions", None), "middlewares", ()):
        if isinstance(ext, CrawlRunRecorder):
            return ext
    return None
