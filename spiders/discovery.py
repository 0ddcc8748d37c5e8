"""Requests from sitemaps and feeds, for both spiders (navigation only; reading the documents is
crawler/parsing/sitemaps.py, deciding what is new is crawler/incremental.py).

- A site file's `links.sitemaps` and `links.feeds` are fetched at the start of the crawl;
  in URL mode the spider finds them itself: the `Sitemap:` lines of robots.txt (else
  `/sitemap.xml`, tried quietly), and the `<link rel="alternate" type="application/rss+xml">` of
  the pages it walks.
- A sitemap index's sitemaps are followed (at most MAX_SITEMAP_DEPTH deep, on the site's domains),
  each with its `lastmod` in `meta["pn_lastmod"]` (`pn_kind` "sitemap"), so an incremental run
  skips the ones that did not change since the last complete run.
- Every entry the spider takes for an article becomes an article request (`pn_kind` "article",
  `pn_lastmod` its date): the incremental filter fetches it when it is not stored, or when its
  date is newer than the URL's last fetch (a conditional request), and skips it otherwise.

Counts: parknews/discovery/{sitemaps,feeds} (documents read), .../entries (entries seen),
.../articles (article requests made), .../robots (URL mode's robots.txt reads, no pages), .../not_article (entries whose URL is no article of the
site), .../unreadable (documents that were no sitemap/feed), .../not_found (a guessed sitemap
the site does not have), .../truncated (a sitemap over the protocol's 50,000 URLs).
"""
from __future__ import annotations

import logging
from typing import Callable, Iterable, Iterator

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.parsing.sitemaps import (MAX_SITEMAP_DEPTH, Entry, SitemapError, default_sitemap, feed_links,
                                      parse_feed, parse_sitemap, robots_url, sitemaps_in_robots)

logger = logging.getLogger(__name__)

SITEMAP, FEED = "sitemap", "feed"


def _iso(entry: Entry) -> str | None:
    return entry.modified.isoformat() if entry.modified else None


class Discovery:
    """Sitemap and feed navigation for one spider.

    `is_article(entry)` says whether an entry is one of the site's articles; `in_site(url)` whether a
    URL may be fetched at all; `article_callback` / `errback` are the spider's own for article
    pages."""

    def __init__(self, spider: scrapy.Spider, *, is_article: Callable[[Entry], bool], in_site: Callable[[str], bool],
                 article_callback, errback):
        self.spider = spider
        self.is_article = is_article
        self.in_site = in_site
        self.article_callback = article_callback
        self.errback = errback

    @property
    def stats(self):
        return self.spider.crawler.stats

    # ---- requests for the documents ----
    def document_request(self, url: str, kind: str, *, lastmod: str | None = None, depth: int = 0,
                         guessed: bool = False) -> scrapy.Request:
        meta = {"pn_discovery": kind, "pn_sitemap_depth": depth}
        if kind == SITEMAP and depth:
            meta["pn_kind"] = "sitemap"  # a sitemap an index names: crawler.incremental may skip it
            if lastmod:
                meta["pn_lastmod"] = lastmod
        callback = self.parse_sitemap if kind == SITEMAP else self.parse_feed
        # a guessed /sitemap.xml that is not there is no failed page of the site
        errback = self.guess_failed if guessed else self.errback
        return scrapy.Request(url, callback=callback, errback=errback, meta=meta, priority=1)

    def start_requests(self, sitemaps: Iterable[str], feeds: Iterable[str]) -> Iterator[scrapy.Request]:
        for url in sitemaps:
            yield self.document_request(url, SITEMAP)
        for url in feeds:
            yield self.document_request(url, FEED)

    def robots_request(self, start_url: str) -> scrapy.Request:
        """URL mode: robots.txt for its Sitemap: lines (else /sitemap.xml is tried)."""
        return scrapy.Request(robots_url(start_url), callback=self.parse_robots, errback=self.robots_failed,
                              meta={"pn_discovery": "robots", "pn_start": start_url}, dont_filter=True, priority=2)

    def announced_feeds(self, response) -> Iterator[scrapy.Request]:
        """The feeds a walked page announces (the dupefilter keeps each to one fetch)."""
        for url in feed_links(response.body, response.url):
            if self.in_site(url):
                yield self.document_request(url, FEED)

    # ---- callbacks ----
    def parse_robots(self, response):
        self.stats.inc_value("parknews/discovery/robots")  # not a page of the site (runner.pages_fetched)
        found = sitemaps_in_robots(response.text if hasattr(response, "text") else "", response.url)
        found = [u for u in found if self.in_site(u)]
        if found:
            for url in found:
                yield self.document_request(url, SITEMAP)
        else:
            yield self.document_request(default_sitemap(response.meta["pn_start"]), SITEMAP, guessed=True)

    def robots_failed(self, failure):
        request = failure.request
        if failure.check(HttpError):
            self.stats.inc_value("parknews/discovery/robots")
        yield self.document_request(default_sitemap(request.meta["pn_start"]), SITEMAP, guessed=True)

    def guess_failed(self, failure):
        self.stats.inc_value("parknews/discovery/not_found")
        logger.debug("discovery: no sitemap at %s (%s)", failure.request.url, failure.value)
        return []

    def parse_sitemap(self, response):
        doc = self._read(parse_sitemap, response, "sitemaps")
        if doc is None:
            return
        if doc.truncated:
            self.stats.inc_value("parknews/discovery/truncated")
            logger.warning("discovery: %s lists more than the protocol's 50,000 URLs; the rest was not read",
                           response.url)
        depth = int(response.meta.get("pn_sitemap_depth", 0))
        if doc.kind == "sitemapindex":
            for entry in doc.entries:
                if depth + 1 > MAX_SITEMAP_DEPTH:
                    logger.warning("discovery: %s: sitemap indexes nested deeper than %d; not followed",
                                   response.url, MAX_SITEMAP_DEPTH)
                    break
                if self.in_site(entry.url):
                    yield self.document_request(entry.url, SITEMAP, lastmod=_iso(entry), depth=depth + 1)
            return
        yield from self._articles(doc.entries)

    def parse_feed(self, response):
        entries = self._read(parse_feed, response, "feeds")
        if entries is not None:
            yield from self._articles(entries)

    def _read(self, reader, response, counted: str):
        """reader(body, url), counted in parknews/discovery/<counted>; None (a warning and
        .../unreadable) for a document that is no sitemap or feed."""
        try:
            doc = reader(response.body, response.url)
        except SitemapError as exc:
            self.stats.inc_value("parknews/discovery/unreadable")
            logger.warning("discovery: %s", exc)
            return None
        self.stats.inc_value(f"parknews/discovery/{counted}")
        return doc

    def _articles(self, entries: list[Entry]) -> Iterator[scrapy.Request]:
        for entry in entries:
            self.stats.inc_value("parknews/discovery/entries")
            if not (self.in_site(entry.url) and self.is_article(entry)):
                self.stats.inc_value("parknews/discovery/not_article")
                continue
            self.stats.inc_value("parknews/discovery/articles")
            meta = {"pn_kind": "article"}  # pn_kind: crawler.incremental
            if entry.modified:
                meta["pn_lastmod"] = _iso(entry)
            yield scrapy.Request(entry.url, callback=self.article_callback, errback=self.errback, meta=meta)
