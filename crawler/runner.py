"""Running a crawl in this process: settings from crawler.settings plus the command line's,
and a summary read back from the crawl's stats.

A Twisted reactor runs once per process, so one call of `run_crawl` per process (the CLI).
"""
from __future__ import annotations

import json
import logging
import math
import signal
import sys
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
        from .ops import pages_fetched

        return pages_fetched(self.stats)

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
        from .ops import storage_errors

        return storage_errors(self.stats)

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

    def skipped(self) -> dict[str, int]:
        """What the run skipped: `known` article links not fetched because they are stored
        (the cron line's "known skipped", crawler/cli/crawl.one_line), then the dropped pages by
        reason. One count for the summary, the cron line and the progress line."""
        out = {"known": self.get("parknews/incremental/skipped_known")}
        out.update(sorted((k.split("/", 2)[2], v) for k, v in self.stats.items() if k.startswith("parknews/dropped/")))
        return {k: v for k, v in out.items() if v}

    def blocked(self) -> dict[str, int]:
        """Anti-bot answers of the run by reason (crawler/blocked.py)."""
        from .blocked import blocked_counts

        return blocked_counts(self.stats)

    def blocked_line(self) -> str:
        """'1 (http 412 script challenge)', '3 (captcha page 2, http 521 script challenge 1)'."""
        counts = self.blocked()
        if len(counts) == 1:
            return f"{sum(counts.values())} ({next(iter(counts))})"
        return f"{sum(counts.values())} ({', '.join(f'{k} {v}' for k, v in counts.items())})"

    def lines(self) -> list[str]:
        missing = self.missing()
        miss = ", ".join(f"{k} {v}" for k, v in sorted(missing.items())) if missing else "none"
        skipped = self.skipped()
        skip = ", ".join(f"{k} {v}" for k, v in skipped.items()) if skipped else "none"
        return [
            f"site:               {self.site}",
            f"pages fetched:      {self.pages_fetched}",
            f"articles stored:    {self.articles_new} new, {self.get('parknews/articles/updated')} updated, "
            f"{self.get('parknews/articles/unchanged')} unchanged",
            f"duplicates found:   {self.duplicates}",
            f"pages failed:       {self.failed}{self._failed_detail()}",
            f"skipped:            {skip}",
            *([f"blocked answers:    {self.blocked_line()} (anti-bot pages, not retried)"] if self.blocked() else []),
            *([f"refused, kept:      {self.get('parknews/refused/recorded')} pages with their capture "
               "(see `parknews status`; `parknews reparse` retries them)"]
              if self.get("parknews/refused/recorded") else []),
            *([f"sitemaps, feeds:    {self.get('parknews/discovery/sitemaps')} sitemaps and "
               f"{self.get('parknews/discovery/feeds')} feeds read, {self.get('parknews/discovery/articles')} "
               f"article links in them ({self.get('parknews/incremental/sitemaps_unchanged')} unchanged sitemaps "
               "not fetched)"]
              if self.get("parknews/discovery/sitemaps") or self.get("parknews/discovery/feeds") else []),
            *([f"images captured:    {self.get('parknews/images/fetched')} fetched, "
               f"{self.get('parknews/images/failed')} failed, {self.get('parknews/images/skipped')} skipped"]
              if self.get("parknews/images/fetched") else []),
            *([f"pages rendered:     {self.get('parknews/render/pages')} (in a headless browser)"]
              if self.get("parknews/render/pages") else []),
            *([f"not rendered:       {self.get('parknews/render/unavailable')} pages the site file renders "
               "with a browser, parsed as sent (no Chromium: set PARKNEWS_CHROMIUM)"]
              if self.get("parknews/render/unavailable") else []),
            f"fields missing:     {miss} (in new articles)",
            f"run status:         {self.status}",
        ]


def parse_set_options(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`-s NAME=VALUE` options (as `scrapy crawl -s`) as a dict; a NAME that is neither a Scrapy
    setting nor one of crawler/settings.py is an error (a typo would be silently ignored)."""
    from scrapy.settings import default_settings

    known = set(dir(default_settings)) | {k for k in dir(__import__("crawler.settings").settings) if k.isupper()}
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"-s {item!r}: give NAME=VALUE, e.g. -s DOWNLOAD_TIMEOUT=60")
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name.upper(), [k for k in known if k.isupper()], n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ValueError(f"-s {name}: not a Scrapy or parknews setting{hint}")
        _check_set_value(name, value, _setting_default(name))
        out[name] = value
    return out


# Settings whose default is an int but that are read with getfloat (a fraction is fine).
_FLOAT_READ = {"DOWNLOAD_TIMEOUT", "DOWNLOAD_DELAY", "DNS_TIMEOUT", "CLOSESPIDER_TIMEOUT", "PARKNEWS_REFRESH_DAYS"}
# Settings Scrapy divides work by: 0 or less hangs the crawl at "Crawled 0 pages".
_AT_LEAST_ONE = {"CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "CONCURRENT_ITEMS"}
_BOOL_VALUES = {"0", "1", "true", "false"}


def _setting_default(name: str) -> Any:
    from scrapy.settings import default_settings

    import crawler.settings as ours

    return getattr(ours, name, getattr(default_settings, name, None))


def _check_set_value(name: str, value: str, default: Any) -> None:
    """Refuse a `-s NAME=VALUE` whose VALUE a component would fail to read (Scrapy's getint,
    getfloat, getbool, getdict in a from_crawler raise a traceback deep in the crawl's start):
    the type is the setting's default's."""
    def bad(kind: str) -> ValueError:
        return ValueError(f"-s {name}={value}: {name} must be {kind}")

    text = value.strip()
    if isinstance(default, bool):
        if text.lower() not in _BOOL_VALUES:
            raise bad("true or false (or 1/0)")
    elif isinstance(default, (int, float)):
        as_float = isinstance(default, float) or name in _FLOAT_READ
        try:
            number = float(text) if as_float else int(text)
        except ValueError:
            raise bad("a number" if as_float else "an integer") from None
        if not math.isfinite(number):
            raise bad("a finite number")
        if name in _AT_LEAST_ONE and number < 1:
            raise bad("1 or more")
        if number < 0 and name in _FLOAT_READ:
            raise bad("0 or more")
    elif isinstance(default, dict):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise bad('a JSON object, e.g. {"KEY": "VALUE"}')


def build_settings(db: str | Path, *, max_pages: int = 0,
                   log_level: str = "WARNING", log_file: str | None = None, delay: float | None = None,
                   overrides: dict[str, Any] | None = None, warc_dir: str | Path | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("PARKNEWS_DB", str(db), priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if warc_dir:  # the WARC folder (crawler/capture.py); default archive.warc.warc_dir_for
        settings.set("PARKNEWS_WARC_DIR", str(warc_dir), priority="cmdline")
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


class StoppableProcess(CrawlerProcess):
    """Scrapy's CrawlerProcess whose crawl always ends on SIGINT/SIGTERM.

    The first signal stops the crawl gracefully (Scrapy: pages in flight finish, the spider
    closes and the run is recorded). When that has not ended within PARKNEWS_STOP_GRACE
    seconds, or on a second signal, the reactor is stopped at once (`reactor.crash`: no
    shutdown triggers, which would wait for the stuck engine); run_crawl then closes the
    run itself (extensions.close_interrupted): what was stored is committed, the WARC file
    closed, the run marked interrupted."""

    signal_name: str | None = None
    crashed = False

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        import signal as signal_mod

        from twisted.internet import reactor

        self.signal_name = signal_mod.Signals(signum).name
        sys.stderr.write(f"parknews: {self.signal_name}: stopping after the pages in flight "
                         f"(at most {self._grace():g} s; signal again to stop at once)\n")
        super()._signal_shutdown(signum, frame)
        reactor.callFromThread(reactor.callLater, self._grace(), self._crash)

    def _signal_kill(self, signum: int, frame: Any) -> None:
        from scrapy.utils.ossignal import install_shutdown_handlers
        from twisted.internet import reactor

        install_shutdown_handlers(signal.SIG_IGN)
        reactor.callFromThread(self._crash)

    def _grace(self) -> float:
        return max(self.settings.getfloat("PARKNEWS_STOP_GRACE"), 0.0)

    def _crash(self) -> None:
        from twisted.internet import reactor

        if reactor.running:
            self.crashed = True
            reactor.crash()


def _stop_threadpool(wait: float = 5.0) -> None:
    """After reactor.crash the reactor's thread pool (DNS lookups) was not stopped by a shutdown
    trigger; its idle workers would keep the process alive. Stopped here, waiting at most `wait`
    seconds for a lookup in progress."""
    import threading

    from twisted.internet import reactor

    pool = getattr(reactor, "threadpool", None)
    if pool is None:
        return
    stopper = threading.Thread(target=pool.stop, daemon=True)
    stopper.start()
    stopper.join(wait)


def run_crawl(spider: str, settings: Settings, site_label: str, **spider_kwargs) -> CrawlSummary:
    """Run one spider ("site" or "auto") to the end (or to a signal) and return its summary."""
    from .extensions import close_interrupted

    from .logformatter import install_network_error_filter

    process = StoppableProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_kwargs)
    install_network_error_filter()  # after Scrapy installed its root log handler
    process.start()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # a Ctrl-C from now on: "aborted"
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if process.signal_name:
        crawler.stats.set_value("parknews/interrupted_by", process.signal_name)
    if process.crashed:
        close_interrupted(crawler)
        _stop_threadpool()
    logging.getLogger("scrapy").handlers.clear()
    stats = dict(crawler.stats.get_stats() or {})  # the index was synced as the run closed
    return CrawlSummary(site=site_label, stats=stats)


@dataclass
class CrawlJob:
    """One site of a crawl of several sites in one process (`run_crawls`): `start()` is called
    just before its crawler starts (takes the site's lock) and returns None to go on or a summary
    that stands for the site without crawling it (a busy lock); `finish()` once it ended (or
    never started after a signal)."""
    label: str
    spider: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    start: Any = None  # () -> CrawlSummary | None
    finish: Any = None  # () -> None


def not_started(label: str, signal_name: str | None) -> CrawlSummary:
    """A queued site a signal kept from starting: no run of its own, exit 130."""
    from .ops import EXIT_INTERRUPTED

    stats = {"parknews/exit_code": EXIT_INTERRUPTED, "parknews/run_status": "not started"}
    if signal_name:
        stats["parknews/interrupted_by"] = signal_name
    return CrawlSummary(site=label, stats=stats)


def run_crawls(jobs: list[CrawlJob], settings: Settings, max_at_once: int, on_end=None) -> list[CrawlSummary]:
    """Run several crawlers in ONE Scrapy process (one reactor), at most `max_at_once` at a
    time: when one ends the next queued one starts, so memory stays flat however many sites.
    Each crawler has its own copy of `settings` with its site file's delay and concurrency
    (spiders/site.py: its own download slot), its own stats, run row and WARC writer; all share
    one archive connection (archive.batch.shared). A signal stops every running crawler
    gracefully (StoppableProcess: each run closed `interrupted`) and starts no queued one.
    `on_end(summary)` is called as each site ends (its summary printed then). Summaries in the
    order of `jobs`."""
    from .extensions import close_interrupted
    from .logformatter import install_network_error_filter

    process = StoppableProcess(settings)
    queue = list(enumerate(jobs))
    results: dict[int, CrawlSummary] = {}
    crawlers: dict[int, Any] = {}
    running = [0]

    def done(index: int, summary: CrawlSummary) -> None:
        results[index] = summary
        if on_end is not None:
            on_end(summary)

    def launch_next() -> None:
        while queue and running[0] < max(max_at_once, 1):
            index, job = queue.pop(0)
            if process.signal_name:
                done(index, not_started(job.label, process.signal_name))
                continue
            early = job.start() if job.start else None
            if early is not None:
                done(index, early)
                continue
            crawler = process.create_crawler(job.spider)
            crawlers[index] = crawler
            running[0] += 1
            d = process.crawl(crawler, **job.kwargs)
            d.addBoth(ended, index, job, crawler)

    def ended(result, index: int, job: CrawlJob, crawler):
        running[0] -= 1
        if hasattr(result, "getErrorMessage"):  # the crawler could not start or crashed
            from .ops import EXIT_FAILURES

            message = f"the crawl failed: {result.getErrorMessage()}"
            logging.getLogger(__name__).error("crawl of %s: %s", job.label, message)
            crawler.stats.set_value("parknews/exit_code", EXIT_FAILURES)
            crawler.stats.set_value("parknews/run_status", "failed")
            crawler.stats.set_value("parknews/errors/message", message)
        try:
            if job.finish:
                job.finish()
            if process.signal_name:
                crawler.stats.set_value("parknews/interrupted_by", process.signal_name)
            done(index, CrawlSummary(site=job.label, stats=dict(crawler.stats.get_stats() or {})))
        finally:
            launch_next()
        return None

    launch_next()
    install_network_error_filter()  # after Scrapy installed its root log handler
    if running[0]:
        process.start()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # a Ctrl-C from now on: "aborted"
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for index, crawler in crawlers.items():
        if index in results:
            continue
        # the reactor was crashed (a second signal, or the grace ran out) before it ended
        job = jobs[index]
        crawler.stats.set_value("parknews/interrupted_by", process.signal_name or "a signal")
        close_interrupted(crawler)
        try:
            if job.finish:
                job.finish()
        finally:
            done(index, CrawlSummary(site=job.label, stats=dict(crawler.stats.get_stats() or {})))
    for index, job in queue:  # never started: the reactor was crashed
        done(index, not_started(job.label, process.signal_name))
    if process.crashed:
        _stop_threadpool()
    logging.getLogger("scrapy").handlers.clear()
    return [results[i] for i in range(len(jobs))]
