"""Running a crawl in this process: settings from crawler.settings plus the command line's,
and a summary read back from the crawl's stats.

A Twisted reactor runs once per process, so one call of `run_crawl` per process (the CLI).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings


@dataclass
class CrawlSummary:
    site: str
    stats: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> int:
        return int(self.stats.get(key, 0) or 0)

    @property
    def pages_fetched(self) -> int:
        # robots.txt is fetched but is not a page of the site
        return self.get("downloader/response_count") - self.get("robotstxt/response_count")

    @property
    def articles_new(self) -> int:
        return self.get("parknews/articles/new")

    @property
    def duplicates(self) -> int:
        return self.get("parknews/articles/duplicate")

    @property
    def failed(self) -> int:
        return self.get("parknews/pages/failed")

    @property
    def storage_errors(self) -> int:
        return self.get("parknews/errors/item") + self.get("parknews/errors/spider")

    @property
    def status(self) -> str:
        return str(self.stats.get("parknews/run_status", "unknown"))

    def write_stats(self, path: str | Path) -> None:
        """The crawl's Scrapy stats as JSON (times as ISO strings)."""
        Path(path).write_text(json.dumps(self.stats, default=str, indent=1, sort_keys=True), encoding="utf-8")

    def _failed_detail(self) -> str:
        parts = {k.rsplit("/", 1)[1]: v for k, v in self.stats.items() if k.startswith("parknews/failed/")}
        if not parts:
            return ""
        return " (" + ", ".join(f"{'http ' + k if k.isdigit() else k}: {v}" for k, v in sorted(parts.items())) + ")"

    def missing(self) -> dict[str, int]:
        return {k.rsplit("/", 1)[1]: v for k, v in self.stats.items() if k.startswith("parknews/missing/")}

    def lines(self) -> list[str]:
        missing = self.missing()
        miss = ", ".join(f"{k} {v}" for k, v in sorted(missing.items())) if missing else "none"
        skipped = {k.split("/", 2)[2]: v for k, v in self.stats.items() if k.startswith("parknews/dropped/")}
        skip = ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())) if skipped else "none"
        return [
            f"site:               {self.site}",
            f"pages fetched:      {self.pages_fetched}",
            f"articles stored:    {self.articles_new} new, {self.get('parknews/articles/updated')} updated, "
            f"{self.get('parknews/articles/unchanged')} unchanged",
            f"duplicates found:   {self.duplicates}",
            f"pages failed:       {self.failed}{self._failed_detail()}",
            f"skipped:            {skip}",
            f"fields missing:     {miss} (in new articles)",
            f"run status:         {self.status}",
        ]


def build_settings(db: str | Path, *, max_pages: int = 0,
                   log_level: str = "WARNING", log_file: str | None = None, delay: float | None = None,
                   overrides: dict[str, Any] | None = None, archive_dir: str | Path | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("PARKNEWS_DB", str(db), priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if archive_dir:  # WARC folder (crawler/capture.py); default archive.warc.default_archive_dir
        settings.set("PARKNEWS_ARCHIVE_DIR", str(archive_dir), priority="cmdline")
    if log_file:
        settings.set("LOG_FILE", log_file, priority="cmdline")
    # The site's own politeness settings are applied by the site spider (spiders/site.py).
    if max_pages:
        settings.set("PARKNEWS_MAX_PAGES", max_pages, priority="cmdline")
    if delay is not None:
        settings.set("DOWNLOAD_DELAY", delay, priority="cmdline")
        settings.set("AUTOTHROTTLE_START_DELAY", max(delay, 0.1), priority="cmdline")
        if delay == 0:
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(spider: str, settings: Settings, site_label: str, **spider_kwargs) -> CrawlSummary:
    """Run one spider ("site" or "auto") to the end and return its summary."""
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_kwargs)
    process.start()
    logging.getLogger("scrapy").handlers.clear()
    stats = dict(crawler.stats.get_stats() or {})
    stats["parknews/search/indexed"] = update_search_index(settings.get("PARKNEWS_DB"))
    return CrawlSummary(site=site_label, stats=stats)


def update_search_index(db_path: str) -> int:
    """Bring the full-text index up to date after a crawl (kept out of the crawl's hot path;
    see archive/search.py). Returns the number of articles indexed."""
    from archive.db import open_db
    from archive.search import sync_index

    db = open_db(db_path)
    try:
        return sync_index(db)
    finally:
        db.close()
