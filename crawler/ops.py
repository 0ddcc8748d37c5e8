"""Operating crawls unattended: one crawl per site at a time (a lock file), exit codes, and
judging a finished run (failures over a threshold, a site that looks broken).

Exit codes of `parknews crawl`:
  0  ok
  1  the crawl ran but too many pages failed (PARKNEWS_FAIL_THRESHOLD) or records failed to store
  2  usage or configuration error (also: every page refused as a loopback/private address
     without --allow-private)
  3  the site looks broken: the run is marked `degraded` (see assess_run)
  4  the site answers with anti-bot pages (script challenges, captchas): the run is marked
     `blocked` (see assess_run); a person must act (ask the site, slow down, another address)
  75 another crawl of the site is running (EX_TEMPFAIL: cron tries again next time)
  130 interrupted by SIGINT or SIGTERM: what was fetched before is stored; run again to go on
"""
from __future__ import annotations

import fcntl
import logging
import os
import re
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2
EXIT_DEGRADED = 3
EXIT_BLOCKED = 4
EXIT_LOCKED = 75
EXIT_INTERRUPTED = 130

# Worst first when combining the exit codes of several crawls (crawl --all). Blocked ranks with
# degraded, just above it: both need a person, and a blocked site stored nothing.
_SEVERITY = {EXIT_USAGE: 5, EXIT_BLOCKED: 4.5, EXIT_DEGRADED: 4, EXIT_FAILURES: 3, EXIT_INTERRUPTED: 2.5,
             EXIT_LOCKED: 2, EXIT_OK: 0}

# Sites crawled at once by `crawl --all` unless --max-sites-at-once says otherwise: most of a
# polite crawler's time is waiting out delays, so many per core; each costs a few MiB.
SITES_PER_CORE = 50


def default_sites_at_once() -> int:
    return SITES_PER_CORE * (os.cpu_count() or 1)


logger = logging.getLogger(__name__)


def worst_exit(codes: list[int]) -> int:
    if not codes:
        return EXIT_OK
    return max(codes, key=lambda c: _SEVERITY.get(c, 6))


# ---------------------------------------------------------------------------------------------
# The per-site lock
# ---------------------------------------------------------------------------------------------
class LockBusy(Exception):
    def __init__(self, site: str, pid: str, since: str):
        super().__init__(f"another crawl of {site} is running (pid {pid}, since {since})")
        self.site, self.pid, self.since = site, pid, since


def lock_path(db_path: str | Path, site: str) -> Path:
    db_path = Path(db_path)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", site) or "_"
    return db_path.with_name(db_path.name + ".locks") / f"{safe}.lock"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class SiteLock:
    """An exclusive flock on `<db>.locks/<site>.lock` holding "pid since". The kernel drops the
    flock when the holder dies (even by kill -9), so a lock file left by a dead crawl is simply
    taken over; `stale_pid` then names the dead holder."""

    path: Path
    site: str
    fd: int | None = None
    stale_pid: int | None = None
    since: str = ""

    def acquire(self) -> "SiteLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            content = os.pread(fd, 200, 0).decode("utf-8", "replace").split()
            os.close(fd)
            pid = content[0] if content else "?"
            since = content[1] if len(content) > 1 else "?"
            raise LockBusy(self.site, pid, since) from None
        old = os.pread(fd, 200, 0).decode("utf-8", "replace").split()
        if old and old[0].isdigit() and int(old[0]) != os.getpid():
            self.stale_pid = int(old[0])
        self.since = datetime.now(timezone.utc).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {self.since}\n".encode(), 0)
        os.fsync(fd)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> "SiteLock":
        return self.acquire() if self.fd is None else self

    def __exit__(self, *exc) -> None:
        self.release()


def site_lock(db_path: str | Path, site: str) -> SiteLock:
    return SiteLock(lock_path(db_path, site), site)


# ---------------------------------------------------------------------------------------------
# Judging a finished run
# ---------------------------------------------------------------------------------------------
@dataclass
class Assessment:
    status: str
    exit_code: int
    degraded: list[str] = field(default_factory=list)
    failure_rate: float = 0.0
    blocked: str | None = None  # why the run is blocked (see blocked_verdict)


def storage_errors(stats: dict) -> int:
    """Errors of our own code or storage in a run: items and spider callbacks that raised, and
    archive writes that failed at the run's end (the index sync, the run's row)."""
    return sum(int(stats.get(f"parknews/errors/{k}", 0) or 0) for k in ("item", "spider", "storage"))


def pages_fetched(stats: dict[str, Any]) -> int:
    """Pages of the site a run fetched: every response but robots.txt (Scrapy's own fetch, and URL
    mode's read of its Sitemap: lines, spiders/discovery.py)."""
    def get(key):
        return int(stats.get(key, 0) or 0)

    return get("downloader/response_count") - get("robotstxt/response_count") - get("parknews/discovery/robots")


def failure_rate(stats: dict[str, Any]) -> float:
    def get(key):
        return int(stats.get(key, 0) or 0)

    from crawler.blocked import blocked_counts

    # requests refused by the page budget (--max-pages), by robots.txt or as an off-site redirect
    # (recorded in fetch_failures) reach the errback but are not failures of the site; anti-bot
    # answers are judged by their own rule (blocked_verdict)
    failed = max(get("parknews/pages/failed") - get("parknews/budget/refused") - get("robotstxt/forbidden")
                 - get("parknews/refused/offsite") - sum(blocked_counts(stats).values()), 0)
    # pages tried: requests sent, less robots.txt and retries of the same page
    tried = get("downloader/request_count") - get("robotstxt/request_count") - get("retry/count")
    denom = max(tried, failed, 1)
    return failed / denom


def blocked_verdict(stats: dict[str, Any], settings) -> str | None:
    """Why the run is blocked, or None: its start page was an anti-bot answer, or at least
    PARKNEWS_BLOCKED_SHARE of the pages it fetched were (crawler/blocked.py). A few such answers
    among good pages are counted (the summary's "blocked answers" line) but do not block the run."""
    from crawler.blocked import blocked_counts

    counts = blocked_counts(stats)
    total = sum(counts.values())
    if not total:
        return None
    pages = max(pages_fetched(stats), total)
    reasons = ", ".join(f"{why} {n}" for why, n in counts.items())
    start = stats.get("parknews/blocked_start")
    if start:
        return f"the start page is an anti-bot answer ({start}); {total} of {pages} pages blocked ({reasons})"
    if total / pages >= settings.getfloat("PARKNEWS_BLOCKED_SHARE"):
        return f"{total} of {pages} pages were anti-bot answers ({reasons}; the first: {stats.get('parknews/blocked_first')})"
    return None


def assess_run(stats: dict[str, Any], reason: str, recent: list[dict[str, Any]], cover: dict[str, Any],
               settings) -> Assessment:
    """Status and exit code of a finished run from its stats and the site's recent runs.

    Degraded (exit 3) when, against the median of the site's recent runs that stored new
    records, the share of new records with a date or a body falls by more than
    PARKNEWS_DEGRADED_DROP (relative), or when the run found no article link at all while
    recent runs did (a changed list template), or when article pages were fetched and none
    became a record.

    Blocked (exit 4) when the site answered with anti-bot pages (blocked_verdict); checked after
    our own errors, refusals and interruptions, before degraded and the failure rate."""
    def get(key):
        return int(stats.get(key, 0) or 0)

    from archive import runs

    errors = storage_errors(stats)
    rate = failure_rate(stats)
    threshold = settings.getfloat("PARKNEWS_FAIL_THRESHOLD")
    min_new = settings.getint("PARKNEWS_DEGRADED_MIN_NEW")
    drop = settings.getfloat("PARKNEWS_DEGRADED_DROP")

    degraded: list[str] = []
    new = get("parknews/articles/new")
    links = get("parknews/incremental/article_links")
    baseline = [r for r in recent if (r.get("articles_new") or 0) >= min_new]
    if reason == "finished" and baseline:
        usual_share = runs.usual_coverage(recent, min_new)
        for name in ("date", "body"):
            usual, now = usual_share[name], cover.get(name)
            if usual is None or now is None or new + get("parknews/dropped/no_body") + get("parknews/dropped/not_article") < min_new:
                continue
            if usual >= 0.3 and now < usual * (1 - drop):
                degraded.append(f"{name} share fell to {now:.0%} (usual {usual:.0%})")
        if links == 0 and any((r.get("article_links") or 0) > 0 for r in baseline):
            degraded.append("no article links found on the list pages (usual: "
                            f"{int(statistics.median(r.get('article_links') or 0 for r in baseline))})")
        fetched_articles = get("parknews/pages/article")
        made = new + get("parknews/articles/updated") + get("parknews/articles/unchanged") + get("parknews/articles/duplicate")
        if fetched_articles >= min_new and made == 0 and not any(d.startswith("body") for d in degraded):
            degraded.append(f"{fetched_articles} article pages fetched, none gave a record")

    if errors:
        return Assessment("failed", EXIT_FAILURES, degraded, rate)
    pages = pages_fetched(stats)
    if get("parknews/refused/private") and pages == 0:
        # nothing fetched because the site is on a loopback/private address: a configuration
        # problem (--allow-private), not a failing site
        return Assessment("refused", EXIT_USAGE, degraded, rate)
    if reason in ("shutdown", "interrupted"):  # a signal: pages cut off are not the site's failures
        return Assessment("interrupted", EXIT_INTERRUPTED, degraded, rate)
    blocked = blocked_verdict(stats, settings)
    if blocked:  # before degraded: a blocked site also shows no links, no records
        return Assessment("blocked", EXIT_BLOCKED, degraded, rate, blocked)
    if degraded:
        return Assessment("degraded", EXIT_DEGRADED, degraded, rate)
    if rate > threshold:
        return Assessment("failed", EXIT_FAILURES, degraded, rate)
    if reason == "finished":
        return Assessment("ok", EXIT_OK, degraded, rate)
    if reason in ("max_pages", "closespider_pagecount"):
        return Assessment(reason, EXIT_OK, degraded, rate)
    return Assessment(reason, EXIT_OK, degraded, rate)


# ---------------------------------------------------------------------------------------------
# Hooks called by crawler.extensions.CrawlRunRecorder
# ---------------------------------------------------------------------------------------------
def run_mode(settings) -> str:
    if not settings.getbool("PARKNEWS_INCREMENTAL"):
        return "full"
    days = settings.getfloat("PARKNEWS_REFRESH_DAYS")
    return f"incremental+refresh {days:g}d" if days else "incremental"


def run_opened(crawler, archive, site: str, run_id: int) -> None:
    from archive import runs

    archive.flush()
    runs.mark_run_started(archive.db, run_id, pid=os.getpid(), mode=run_mode(crawler.settings))
    if crawler.settings.getbool("PARKNEWS_LOCK_HELD"):
        # With the site's lock held no other crawl of it is alive: its 'running' rows are dead.
        n = runs.interrupt_stale_runs(archive.db, site, except_id=run_id)
        if n:
            logger.warning("%d earlier run(s) of %s were killed before finishing; marked interrupted", n, site)


def judge_run(crawler, archive, spider, reason: str, run_id: int | None) -> Assessment:
    """Assess the run from its stats (failures, degraded; see assess_run); put exit code,
    coverage and reasons in the stats. The verdict's status is the run's status."""
    from archive import runs

    stats = crawler.stats.get_stats()
    site = getattr(spider, "site_name", spider.name)
    cover = runs.coverage(stats)
    archive.flush()
    recent = runs.recent_runs(archive.db, site, before_id=run_id,
                              limit=crawler.settings.getint("PARKNEWS_DEGRADED_WINDOW"))
    verdict = assess_run(stats, reason, recent, cover, crawler.settings)
    if verdict.blocked:
        logger.warning("site %s is blocking the crawl: %s", site, verdict.blocked)
    for why in [] if verdict.blocked else verdict.degraded:  # a blocked site shows no links either
        logger.warning("site %s looks broken: %s", site, why)
    if verdict.exit_code == EXIT_FAILURES and verdict.status == "failed" and verdict.failure_rate > 0:
        logger.warning("%.0f%% of the pages of %s failed", verdict.failure_rate * 100, site)
    crawler.stats.set_value("parknews/coverage", cover)
    crawler.stats.set_value("parknews/degraded", verdict.degraded)
    if verdict.blocked:
        crawler.stats.set_value("parknews/blocked_reason", verdict.blocked)
    crawler.stats.set_value("parknews/exit_code", verdict.exit_code)
    crawler.stats.set_value("parknews/failure_rate", round(verdict.failure_rate, 3))
    return verdict


def run_closed(crawler, archive, run_id: int, counts: dict[str, Any], verdict: Assessment) -> None:
    from archive import runs

    stats = crawler.stats.get_stats()
    runs.record_run_details(
        archive.db, run_id, exit_code=verdict.exit_code, status=verdict.status, counts=counts,
        cover=stats.get("parknews/coverage", {}),
        article_links=int(stats.get("parknews/incremental/article_links", 0) or 0),
        # the degraded column holds the reasons of the run's status: blocked's first
        degraded=([verdict.blocked] if verdict.blocked else []) + verdict.degraded,
    )
    logger.info(
        "crawl %s run %s: %s exit=%s requests=%s pages=%s new=%s updated=%s unchanged=%s failed=%s bytes=%s",
        getattr(crawler.spider, "site_name", "?"), run_id, verdict.status, verdict.exit_code,
        counts.get("requests"), counts.get("pages_fetched"), counts.get("articles_new"),
        counts.get("articles_updated"), counts.get("articles_unchanged"), counts.get("pages_failed"),
        counts.get("bytes"),
    )
