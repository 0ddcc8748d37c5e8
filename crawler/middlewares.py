"""Downloader middlewares of parknews."""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest, NotConfigured


class PageBudgetMiddleware:
    """A hard bound on the pages a crawl fetches (`PARKNEWS_MAX_PAGES`, the CLI's --max-pages).

    Scrapy's CLOSESPIDER_PAGECOUNT lets requests already in flight finish; this counts requests
    as they are sent and refuses every one past the budget, then closes the spider. robots.txt
    fetches are not pages and do not count.
    """

    def __init__(self, crawler, budget: int):
        self.crawler = crawler
        self.budget = budget
        self.sent = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler):
        budget = crawler.settings.getint("PARKNEWS_MAX_PAGES", 0)
        if budget <= 0:
            raise NotConfigured
        return cls(crawler, budget)

    def process_request(self, request, spider=None):
        if request.url.endswith("/robots.txt"):
            return None
        if self.sent >= self.budget:
            self.crawler.stats.inc_value("parknews/budget/refused")
            if not self.closing:
                self.closing = True
                self.crawler.engine.close_spider(self.crawler.spider, "max_pages")
            raise IgnoreRequest(f"page budget of {self.budget} reached")
        self.sent += 1
        return None
