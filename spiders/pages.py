"""Fetching an article's pages 2…n (the spiders only navigate: the merge is crawler/parsing/pages.py).

An article response is searched for its own pager (crawler.parsing.pager.own_pages; a site
file's `article_pager` selector names it). A page without one is handed on as it is. Page 1 of
a multi-page article starts a chain: pages 2…n are requested one after the other (each page's
pager may name more pages), carrying page 1's FetchedPage in `meta`, and the last one hands on
page 1's FetchedPage with the later pages in `parts`. A later page reached directly (a list
linking to content_123_2.htm) is never handed on itself: its first page is requested instead
(Scrapy's duplicate filter drops it when it is requested already; the incremental filter when
it is stored).

Guards: a page already in the chain (a redirect back, or the same bytes as an earlier page: a
loop pager) ends it (`parknews/article_pages/loop`); at most PARKNEWS_MAX_ARTICLE_PAGES pages
are fetched, the rest named missing (`parknews/article_pages/capped`); a later page that fails
is recorded as a fetch failure, named missing in the record (archive: warnings), and the chain
goes on, so the article is stored with what it has.
"""
from __future__ import annotations

import hashlib

import scrapy

from crawler.capture import CaptureSpiderMiddleware
from crawler.parsing.encoding import decode_body
from crawler.parsing.errors import NotAnArticle
from crawler.parsing.pager import Pager, own_pages, page_number

from .common import count_failure, failure_item, header_dict, page_item

STATE = "pn_article_pages"


def pager_of(response, selector: str | None, first: str | None = None) -> Pager:
    if not hasattr(response, "text"):
        return Pager(first or response.url, (response.url,))
    try:
        text, _codec, _warnings = decode_body(response.body, header_dict(response))
    except NotAnArticle:
        # a binary body (a PDF served as text/html): no pager; the parse stage refuses the page
        # with its reason and keeps it (refused_pages), as for any page it cannot take
        return Pager(first or response.url, (response.url,))
    return own_pages(response.url, text, selector=selector, first=first)


class ArticlePages:
    """Spider mixin: `article_items(response, rules, selector, callback)` for an article response."""

    def article_items(self, response, rules, selector: str | None, callback):
        stats = self.crawler.stats
        pager = pager_of(response, selector)
        if pager.first != response.url:
            stats.inc_value("parknews/article_pages/via_first")
            yield scrapy.Request(pager.first, callback=callback, errback=self.failed,
                                 meta={"pn_kind": "article"})  # pn_kind: crawler.incremental
            return
        item = page_item(response, self.site_name, rules)
        if len(pager.pages) < 2:
            yield item
            return
        stats.inc_value("parknews/article_pages/articles")
        CaptureSpiderMiddleware._attach(response, item)
        state = {"item": item, "pages": list(pager.pages), "done": [response.url], "selector": selector,
                 "digests": [hashlib.sha256(response.body).hexdigest()]}
        yield from self._next_page(state)

    def _next_page(self, state):
        item = state["item"]
        tried = set(state["done"]) | {url for _, url, _ in item.missing}
        todo = [u for u in state["pages"] if u not in tried]
        limit = self.crawler.settings.getint("PARKNEWS_MAX_ARTICLE_PAGES")
        if todo and limit and len(tried) >= limit:
            self.crawler.stats.inc_value("parknews/article_pages/capped")
            item.missing.extend((page_number(item.url, u) or 0, u, f"over PARKNEWS_MAX_ARTICLE_PAGES ({limit})")
                                for u in todo)
            todo = []
        if not todo:
            yield item
            return
        yield scrapy.Request(todo[0], callback=self.parse_article_page, errback=self.article_page_failed,
                             dont_filter=True, priority=2, meta={STATE: state})

    def parse_article_page(self, response):
        state = response.meta[STATE]
        item = state["item"]
        digest = hashlib.sha256(response.body).hexdigest()
        if response.url in state["done"] or digest in state["digests"]:
            self.crawler.stats.inc_value("parknews/article_pages/loop")
            yield item  # the pager led back to a page it had: the chain ends here
            return
        self.crawler.stats.inc_value("parknews/pages/article_page")
        part = page_item(response, item.site, item.rules)
        CaptureSpiderMiddleware._attach(response, part)
        item.parts.append(part)
        state["done"].append(response.url)
        state["digests"].append(digest)
        for url in pager_of(response, state["selector"], first=item.url).pages:
            if url not in state["pages"]:
                state["pages"].append(url)
        state["pages"].sort(key=lambda u: page_number(item.url, u) or 0)
        yield from self._next_page(state)

    def article_page_failed(self, failure):
        count_failure(failure, self.crawler.stats, self.crawler)
        failed = failure_item(failure, self.site_name)
        yield failed
        state = failure.request.meta[STATE]
        item = state["item"]
        item.missing.append((page_number(item.url, failure.request.url) or 0, failure.request.url, failed.reason))
        self.crawler.stats.inc_value("parknews/article_pages/missing")
        yield from self._next_page(state)
