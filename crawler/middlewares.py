"""Downloader middlewares of parknews."""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured

from .render import RENDER_KEY


class PageBudgetMiddleware:
    """A hard bound on the pages a crawl fetches (`PARKNEWS_MAX_PAGES`, the CLI's --max-pages).

    Scrapy's CLOSESPIDER_PAGECOUNT lets requests already in flight finish; this counts requests
    as they are sent and refuses every one past the budget, then closes the spider. robots.txt
    fetches are not pages and do not count, nor the browser's rendering of a page already
    fetched (crawler/render.py).
    """

    def __init__(self, crawler, budget: int):
        self.crawler = crawler
        self.budget = budget
        self.sent = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler):
        budget = crawler.settings.getint("PARKNEWS_MAX_PAGES")
        if budget <= 0:
            raise NotConfigured
        return cls(crawler, budget)

    def process_request(self, request, spider=None):
        if request.url.endswith("/robots.txt") or RENDER_KEY in request.meta:  # a fetched page, rendered
            return None
        if self.sent >= self.budget:
            self.crawler.stats.inc_value("parknews/budget/refused")
            if not self.closing:
                self.closing = True
                self.crawler.engine.close_spider(self.crawler.spider, "max_pages")
            raise IgnoreRequest(f"page budget of {self.budget} reached")
        self.sent += 1
        return None


def check_host_map(raw) -> dict[str, str]:
    """PARKNEWS_HOST_MAP (a dict, or its JSON text as `-s` gives it) as {host: "http://HOST:PORT"};
    ValueError naming the setting when it is not one."""
    from scrapy.settings import BaseSettings

    try:
        value = BaseSettings({"PARKNEWS_HOST_MAP": raw or {}}).getdict("PARKNEWS_HOST_MAP")
    except ValueError:
        raise ValueError(f"PARKNEWS_HOST_MAP={raw!r}: give a JSON object, "
                         '{"HOST": "http://127.0.0.1:PORT"}') from None
    host_map = {}
    for host, target in value.items():
        parts = urlsplit(str(target))
        if parts.scheme != "http" or not parts.hostname or parts.path not in ("", "/") or not str(host).strip():
            raise ValueError(f"PARKNEWS_HOST_MAP[{host!r}] = {target!r}: give http://HOST:PORT")
        host_map[str(host).strip().lower()] = f"http://{parts.netloc}"
    return host_map


class HostMapMiddleware:
    """Send the requests for some host names to another HTTP server (`PARKNEWS_HOST_MAP`,
    `{"demo.parknews.invalid": "http://127.0.0.1:8123"}`): a hosts-file entry with a port.

    The request keeps its URL, so records, `article_urls`, dedup keys and WARC records carry the
    mapped name, and only the connection goes to the mapped server (through Scrapy's proxy
    support: the server gets the absolute URL, as an HTTP proxy would). `parknews demo` uses it
    to give the sample site one stable origin whatever local port serves it. Only plain http
    requests are mapped; a request that already names a proxy is left alone.
    """

    def __init__(self, host_map: dict[str, str]):
        self.host_map = host_map

    @classmethod
    def from_crawler(cls, crawler):
        host_map = check_host_map(crawler.settings.get("PARKNEWS_HOST_MAP"))
        if not host_map:
            raise NotConfigured
        return cls(host_map)

    def process_request(self, request, spider=None):
        parts = urlsplit(request.url)
        target = self.host_map.get((parts.hostname or "").lower())
        if target and parts.scheme == "http" and "proxy" not in request.meta:
            request.meta["proxy"] = target
        return None
