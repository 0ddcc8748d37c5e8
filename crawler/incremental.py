"""Incremental crawling: fetch only what is new.

The spiders mark the requests they yield from a list page with `meta["pn_kind"]` ("article" or
"list"). `IncrementalMiddleware` (a spider middleware) then, per list page, in document order:

- drops article requests whose URL is already stored (`article_urls`, by URL key), and dead links
  (404/410 in `fetch_failures`); with `--refresh DAYS` (PARKNEWS_REFRESH_DAYS), articles first
  seen within the last DAYS days are fetched again with If-None-Match / If-Modified-Since from
  the stored validators, so an unchanged page costs a 304;
- counts consecutive known articles along a chain of list pages (newest first); once
  PARKNEWS_STOP_AFTER_KNOWN are seen in a row, the page's pagination links (and, below
  the start pages, its other list links) are not followed: older pages were read by an earlier
  run. A start page's links to other sections are always followed, each counted afresh.

Stopping early is only done after a complete previous run of the site (see
archive.runs.last_pass_complete): after a killed, interrupted or page-budgeted run, one cut
short by storage errors (a full disk), or one in which pages failed in a way that may pass
(503s or timeouts on list or article pages), the next run pages through every list page (still skipping known
articles), so nothing behind a failed page is lost. With `--refresh DAYS`, the articles in the
window do not count towards the known streak: every one of them is re-fetched.
`--full` (PARKNEWS_INCREMENTAL = False) fetches everything again.

Sitemaps and feeds (spiders/discovery.py) give their entries' dates in `meta["pn_lastmod"]`: a stored
article whose date is later than its URL's last fetch is fetched again (a conditional request,
`parknews/incremental/lastmod_newer`), the others are skipped as known; a sitemap named by a
sitemap index (`pn_kind` "sitemap") is not fetched when its `lastmod` is older than the start of
the previous run and that run was complete (`parknews/incremental/sitemaps_unchanged`).

`ValidatorRecorder` (a downloader middleware) counts 304s and stores the ETag / Last-Modified of
article responses that no WARC capture records (PARKNEWS_WARC off; see archive.runs).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from scrapy import Request

from archive import dedup, runs

from crawler.parsing.pager import is_next_page

from .capture import META_KEY as CAPTURE_META_KEY
from .extensions import CrawlRunRecorder

logger = logging.getLogger(__name__)


def _later(a: str, b: str) -> bool:
    """ISO 8601 time `a` is after `b` (either may lack an offset: then it is UTC)."""
    def aware(text: str) -> datetime:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)

    return aware(a) > aware(b)


class IncrementalMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.run = CrawlRunRecorder.of(crawler)  # the archive's owner: .archive, .run_id
        settings = crawler.settings
        self.enabled = settings.getbool("PARKNEWS_INCREMENTAL")
        self.stop_after = settings.getint("PARKNEWS_STOP_AFTER_KNOWN")
        self.refresh_days = settings.getfloat("PARKNEWS_REFRESH_DAYS")
        self.strip = tuple(settings.getlist("PARKNEWS_STRIP_PARAMS"))
        self._may_stop: bool | None = None
        self._refreshed: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # ---- lookups ----
    @property
    def db(self):
        return self.run.archive.db

    def may_stop(self) -> bool:
        if self._may_stop is None:
            site = getattr(self.crawler.spider, "site_name", None) or self.crawler.spider.name
            run_id = self.run.run_id
            self._may_stop = self.enabled and runs.last_pass_complete(self.db, site, before_id=run_id)
            if self.enabled and not self._may_stop and runs.earlier_run_exists(self.db, site, before_id=run_id):
                logger.info("incremental: the last run of %s did not finish; paging through every list page", site)
        return self._may_stop

    def known(self, url: str) -> tuple[bool, str | None]:
        """(known, first_seen of its article) for an article URL.

        The exact URL, not its key: a page seen under another URL form (tracking parameters)
        is still fetched once, so that every URL of an article gets its article_urls row."""
        return runs.known_url(self.db, url)

    def changed_since_fetch(self, request: Request) -> bool:
        """A stored article's sitemap/feed date (`pn_lastmod`) is not before its URL's last fetch."""
        seen = runs.url_last_seen(self.db, request.url)
        # times are to the second: a date in the same second as the fetch counts as after it
        return seen is None or not _later(seen, request.meta["pn_lastmod"])

    def sitemap_unchanged(self, request: Request) -> bool:
        """A sitemap an index names is skipped when its `lastmod` is before the start of the
        site's previous run, and that run was complete (it read the sitemap as it was then)."""
        lastmod = request.meta.get("pn_lastmod")
        if not (self.enabled and lastmod and self.may_stop()):
            return False
        site = getattr(self.crawler.spider, "site_name", None) or self.crawler.spider.name
        started = runs.previous_run_started(self.db, site, before_id=self.run.run_id)
        # to the second: a sitemap changed in the second the previous run started is read again
        return bool(started) and _later(started, lastmod)

    def conditional(self, request: Request) -> Request:
        etag, modified = runs.validators(self.db, dedup.url_key(request.url, self.strip), request.url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        meta = dict(request.meta)
        meta["pn_refresh"] = True
        meta["handle_httpstatus_list"] = list(meta.get("handle_httpstatus_list", [])) + [304]
        self.stats.inc_value("parknews/incremental/refreshed")
        new = request.replace(meta=meta, dont_filter=True)
        for name, value in headers.items():
            new.headers[name] = value
        return new

    def _start_urls(self) -> set[str]:
        if not hasattr(self, "_starts"):
            spider = self.crawler.spider
            config = getattr(spider, "config", None)
            urls = list(getattr(config, "start_urls", []) or []) + [getattr(spider, "start_url", None)]
            self._starts = {u for u in urls if u}
        return self._starts

    # ---- the filter ----
    def _filter(self, response, outputs: list):
        streak = int(response.meta.get("pn_streak", 0)) if response is not None else 0
        stop = False
        lists: list[Request] = []
        out = []
        cutoff = None
        if self.refresh_days:
            cutoff = (datetime.now(timezone.utc) - timedelta(days=self.refresh_days)).isoformat(timespec="seconds")
        for obj in outputs:
            if not isinstance(obj, Request) or "pn_kind" not in obj.meta:
                out.append(obj)
                continue
            if obj.meta["pn_kind"] == "list":
                lists.append(obj)
                continue
            if obj.meta["pn_kind"] == "sitemap":
                if self.sitemap_unchanged(obj):
                    self.stats.inc_value("parknews/incremental/sitemaps_unchanged")
                else:
                    out.append(obj)
                continue
            self.stats.inc_value("parknews/incremental/article_links")
            if not self.enabled:
                out.append(obj)
                continue
            known, first_seen = self.known(obj.url)
            if not known:
                streak = 0
                out.append(obj)
                continue
            if "pn_lastmod" in obj.meta:  # from a sitemap or feed (spiders/discovery.py)
                if self.changed_since_fetch(obj) and obj.url not in self._refreshed:
                    self._refreshed.add(obj.url)
                    self.stats.inc_value("parknews/incremental/lastmod_newer")
                    out.append(self.conditional(obj))
                else:
                    self.stats.inc_value("parknews/incremental/skipped_known")
                continue
            in_window = bool(cutoff and first_seen and first_seen >= cutoff)
            if not in_window:
                # articles to refresh do not count: paging goes on past every one of them
                streak += 1
                if self.stop_after and streak >= self.stop_after:
                    stop = True
            if in_window and obj.url not in self._refreshed:
                self._refreshed.add(obj.url)  # refresh requests bypass the dupefilter: once per run
                out.append(self.conditional(obj))
            else:
                self.stats.inc_value("parknews/incremental/skipped_known")
        # A start page's links to other lists (sections) are always followed, each with a fresh
        # count; the known-streak carries along pagination only, and stops it.
        start_page = response is None or "pn_kind" not in response.meta
        stopping = stop and self.may_stop()
        dropped = 0
        starts = self._start_urls()
        for req in lists:
            if (response is not None and req.url == response.url) or req.url in starts:
                continue  # a list's link to itself or to a start page (start requests bypass the dupefilter)
            paging = response is not None and is_next_page(response.url, req.url, strict=start_page)
            if stopping and (paging or not start_page):
                dropped += 1
                continue
            req.meta["pn_streak"] = streak if paging else 0
            out.append(req)
        if dropped:
            self.stats.inc_value("parknews/incremental/stopped_paging")
            self.stats.inc_value("parknews/incremental/lists_not_followed", dropped)
            logger.debug("incremental: %d known articles in a row on %s; not paging further",
                         streak, getattr(response, "url", "?"))
        return out

    def process_spider_output(self, response, result, spider=None):
        yield from self._filter(response, list(result))

    async def process_spider_output_async(self, response, result, spider=None):
        outputs = [obj async for obj in result]
        for obj in self._filter(response, outputs):
            yield obj


class ValidatorRecorder:
    """Stores ETag / Last-Modified of article responses no capture records, for later
    conditional requests."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.archive = CrawlRunRecorder.of(crawler).archive

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if response.status == 304:
            self.crawler.stats.inc_value("parknews/pages/not_modified")
        if request.meta.get("pn_kind") != "article" or response.status != 200:
            return response
        if request.meta.get(CAPTURE_META_KEY):
            return response  # its captures row keeps the ETag / Last-Modified (archive.runs)
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        if etag or modified:
            self.archive.save_validators(
                response.url, etag.decode("latin-1") if etag else None,
                modified.decode("latin-1") if modified else None)
        return response
