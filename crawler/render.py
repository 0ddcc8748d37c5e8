"""Script-rendered pages (site file `render = "browser"`): the page is fetched as usual (its
response, the shell the server sent, is captured byte for byte), then rendered in Debian's
headless Chromium through scrapy-playwright, and the spider parses the rendered DOM with the
normal pure parser.

- `apply_render_settings` (called with the site's settings, spiders/site.py) installs
  scrapy-playwright's download handler for http/https only for a site that renders; requests
  without `meta["playwright"]` still go through Scrapy's own handler. The asyncio reactor is
  already Scrapy's default (crawler/settings.py does not change it).
- `RenderMiddleware` (a downloader middleware) answers the plain 200 HTML response of a URL the
  site file renders (`SiteConfig.renders`) with a second request of the same URL for the
  browser: the browser's navigation is answered with the shell already fetched (`_serve_shell`,
  so the server is asked for the page once and the DOM is made from the captured bytes); the
  page's scripts and their XHR go to the site. The browser waits for the network to fall idle
  (PARKNEWS_RENDER_TIMEOUT), then the DOM, utf-8 (`as_rendered`), is what the spider parses and
  what crawler/capture.py keeps as a `conversion` record referring to the shell's response
  record. Stats: parknews/render/pages, parknews/render/failed (the browser failed: the shell
  is parsed as sent), parknews/render/unavailable (no Chromium or scrapy-playwright here: the
  crawl goes on with the shell, and the summary says so).
"""
from __future__ import annotations

import logging
import os
import shutil

from scrapy.http import HtmlResponse

logger = logging.getLogger(__name__)

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
RENDER_KEY = "pn_render"  # request.meta of the browser's request: the shell it renders
SHELL_FLAG = "pn_shell"   # flag of the shell handed on when the browser failed (already captured)
RENDERED_TYPE = "text/html; charset=utf-8"
# headers of the shell that describe its transfer, not what the browser is given
_TRANSFER = {"content-length", "content-encoding", "transfer-encoding"}


def chromium_path(setting: str | None) -> str | None:
    """The Chromium to drive: PARKNEWS_CHROMIUM when given (None when it is not an executable
    file), else /usr/bin/chromium, else `chromium` on PATH."""
    if setting:
        return setting if os.path.isfile(setting) and os.access(setting, os.X_OK) else None
    if os.access(DEFAULT_CHROMIUM, os.X_OK):
        return DEFAULT_CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_unavailable(settings) -> str | None:
    """Why pages cannot be rendered here (one line), or None when they can."""
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        return "scrapy-playwright is not installed"
    if chromium_path(settings.get("PARKNEWS_CHROMIUM")) is None:
        where = settings.get("PARKNEWS_CHROMIUM") or f"{DEFAULT_CHROMIUM} or chromium on PATH"
        return f"no Chromium at {where} (set PARKNEWS_CHROMIUM)"
    return None


def apply_render_settings(settings, config) -> None:
    """scrapy-playwright for a site that renders (and Chromium is here); nothing otherwise."""
    if config.render != "browser" or browser_unavailable(settings):
        return
    settings.set("DOWNLOAD_HANDLERS", {**settings.getdict("DOWNLOAD_HANDLERS"),
                                       "http": HANDLER, "https": HANDLER}, priority="spider")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="spider")
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", {
        "executable_path": chromium_path(settings.get("PARKNEWS_CHROMIUM")),
        "headless": True, "args": ["--no-sandbox", "--disable-dev-shm-usage"],
    }, priority="spider")
    timeout_ms = int(settings.getfloat("PARKNEWS_RENDER_TIMEOUT") * 1000)
    settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", timeout_ms, priority="spider")


def as_rendered(response):
    """The browser's answer as the parser and the WARC conversion record take it: the DOM in
    utf-8 with only its Content-Type (the shell's transfer headers describe other bytes)."""
    if response.headers.get("Content-Type") == RENDERED_TYPE.encode() and len(response.headers) == 1:
        return response
    return HtmlResponse(response.url, status=200, headers={"Content-Type": RENDERED_TYPE},
                        body=response.text.encode("utf-8"), encoding="utf-8", request=response.request,
                        flags=list(response.flags), ip_address=getattr(response, "ip_address", None))


async def _serve_shell(page, request) -> None:
    """playwright_page_init_callback: the page's first navigation is answered with the shell
    already fetched and captured; every other request (scripts, XHR) goes on to the site."""
    shell = request.meta[RENDER_KEY]
    served = []

    async def answer(route, browser_request):
        if not served and browser_request.is_navigation_request():
            served.append(browser_request.url)
            await route.fulfill(status=shell["status"], headers=shell["headers"], body=shell["body"])
        else:
            await route.fallback()

    await page.route("**", answer)  # the newest route runs first: before scrapy-playwright's own


def _is_html(response) -> bool:
    kind = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    return "html" in kind or (not kind and response.body.lstrip()[:1] == b"<")


class RenderMiddleware:
    """Downloader middleware (just below HttpCompressionMiddleware: it sees the shell decoded)."""

    def __init__(self, crawler):
        self.stats = crawler.stats
        self.timeout_ms = int(crawler.settings.getfloat("PARKNEWS_RENDER_TIMEOUT") * 1000)
        config = getattr(crawler.spider, "config", None)
        self.config = config if config is not None and config.render == "browser" else None
        self.unavailable = browser_unavailable(crawler.settings) if self.config else None
        if self.unavailable:
            logger.warning("%s renders pages with a browser, but %s: those pages are parsed as sent",
                           self.config.name, self.unavailable)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if RENDER_KEY in request.meta:  # the browser's answer, or the shell after it failed
            if "playwright" in response.flags:
                self.stats.inc_value("parknews/render/pages")
                return as_rendered(response)
            return response
        if (self.config is None or response.status != 200 or not self.config.renders(response.url)
                or not _is_html(response)):
            return response
        if self.unavailable:
            self.stats.inc_value("parknews/render/unavailable")
            return response
        from scrapy_playwright.page import PageMethod

        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()
                   if k.decode("latin-1").lower() not in _TRANSFER}
        return request.replace(url=response.url, dont_filter=True, meta={
            **request.meta, RENDER_KEY: {"status": response.status, "headers": headers, "body": response.body},
            "playwright": True, "playwright_page_init_callback": _serve_shell,
            "playwright_page_methods": [PageMethod("wait_for_load_state", "networkidle", timeout=self.timeout_ms)],
        })

    def process_exception(self, request, exception, spider=None):
        """The browser failed (a timeout, a crash): the shell, already captured, is parsed as sent."""
        shell = request.meta.get(RENDER_KEY)
        if shell is None:
            return None
        logger.warning("%s not rendered (%s: %s): parsed as sent", request.url, type(exception).__name__,
                       str(exception).splitlines()[0] if str(exception) else "")
        self.stats.inc_value("parknews/render/failed")
        return HtmlResponse(request.url, status=shell["status"], headers=shell["headers"], body=shell["body"],
                            request=request, flags=[SHELL_FLAG])
