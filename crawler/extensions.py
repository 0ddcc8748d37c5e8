"""The crawl-run recorder: one crawl_runs row per crawl, opened at start, closed with counts."""
from __future__ import annotations

from scrapy import signals

from .pipelines import archive_for

# Stats keys summarised into the crawl_runs row.
def run_counts(stats: dict) -> dict:
    def get(key):
        return int(stats.get(key, 0) or 0)

    counts = {
        "requests": get("downloader/request_count"),
        "pages_fetched": get("downloader/response_count") - get("robotstxt/response_count"),
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


class CrawlRunRecorder:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
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
        archive = archive_for(self.crawler)
        site = getattr(spider, "site_name", spider.name)
        self.crawler.parknews_run_id = archive.start_run(site)
        from . import ops  # operator columns, stale runs, exit code (crawler/ops.py)

        ops.run_opened(self.crawler, archive, site)

    def spider_closed(self, spider, reason):
        archive = archive_for(self.crawler)
        stats = self.crawler.stats.get_stats()
        counts = run_counts(stats)
        errors = int(stats.get("parknews/errors/item", 0) or 0) + int(stats.get("parknews/errors/spider", 0) or 0)
        status = "ok" if reason == "finished" and errors == 0 else ("failed" if errors else reason)
        run_id = getattr(self.crawler, "parknews_run_id", None)
        from . import ops

        status = ops.judge_run(self.crawler, archive, spider, reason, counts, status)
        # whether this run walked the whole site (see archive.runs.last_pass_complete)
        counts["complete"] = reason == "finished" and errors == 0 and counts["walk_gaps"] == 0
        self.crawler.stats.set_value("parknews/complete", counts["complete"])
        if run_id is not None:
            archive.finish_run(run_id, status=status, finish_reason=reason, counts=counts)
            ops.run_closed(self.crawler, archive, run_id, counts)
        self.crawler.stats.set_value("parknews/run_id", run_id)
        self.crawler.stats.set_value("parknews/run_status", status)
        archive.close()


def close_interrupted(crawler) -> None:
    """Close a crawl whose reactor was stopped at once (runner.StoppableProcess) before the
    spider closed: the spider_closed handlers run now, so what the pipelines stored is committed,
    the WARC file closed and the run recorded as interrupted. Nothing when the spider closed."""
    if "parknews/run_status" in (crawler.stats.get_stats() or {}):
        return
    spider = getattr(crawler, "spider", None)
    if spider is None or getattr(crawler, "parknews_run_id", None) is None:
        return
    crawler.stats.set_value("finish_reason", "interrupted")
    crawler.signals.send_catch_log(signal=signals.spider_closed, spider=spider, reason="interrupted")
