"""Downloader middlewares that keep a crawl polite and safe on the open web.

`SafeTargetMiddleware` (before Scrapy's offsite middleware, so redirects and robots.txt fetches
are checked too): only http and https; no request to a host that is, or resolves to, a
loopback, private, link-local, reserved or multicast address unless the site allows it
(`[crawl] allow_private = true` in the site file, `--allow-private`, PARKNEWS_ALLOW_PRIVATE).
A redirect to a host outside the spider's allowed_domains is refused too (`offsite`), so it is
recorded rather than dropped silently by Scrapy's offsite middleware.
A refusal is an IgnoreRequest (the page is recorded as failed) counted under
`parknews/refused/<why>`. It also counts responses dropped for exceeding DOWNLOAD_MAXSIZE
(`parknews/dropped/oversize`).

`BackoffRetryMiddleware` replaces Scrapy's RetryMiddleware: the same retry codes and exceptions,
but each retry waits PARKNEWS_RETRY_BACKOFF * 2**n seconds (capped by
PARKNEWS_RETRY_BACKOFF_MAX), and a 429 or 503 carrying `Retry-After` (seconds or an HTTP date)
waits that long instead; a Retry-After longer than PARKNEWS_RETRY_AFTER_MAX gives up on the page.

Limits: the address check resolves the host name itself before the download; a DNS answer that
changes between the check and the connection (rebinding) is not caught.
"""
from __future__ import annotations

import ipaddress
import logging
import random
import socket
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.internet.threads import deferToThread

logger = logging.getLogger(__name__)


def _non_public(ip: ipaddress._BaseAddress) -> str | None:
    """Why an address is not a public unicast one, or None."""
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_private or ip.is_reserved or not ip.is_global:
        return "private"
    return None


async def _sleep(seconds: float) -> None:
    if seconds > 0:
        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class SafeTargetMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.allow_setting = crawler.settings.getbool("PARKNEWS_ALLOW_PRIVATE")
        self._resolved: dict[str, list[str]] = {}
        # connected before Scrapy's OffsiteMiddleware (priority 50) connects its own
        crawler.signals.connect(self._scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self._bytes, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _offsite_redirect(self, request) -> bool:
        if not request.meta.get("redirect_urls"):
            return False
        domains = [d.lower() for d in getattr(self.crawler.spider, "allowed_domains", None) or []]
        host = (urlsplit(request.url).hostname or "").lower()
        return bool(domains) and not any(host == d or host.endswith("." + d) for d in domains)

    def _scheduled(self, request, spider=None):
        # Scrapy's offsite middleware drops an off-site redirect at scheduling, without a trace;
        # let it through to process_request, which refuses it into the errback (fetch_failures)
        if self._offsite_redirect(request):
            request.meta["allow_offsite"] = True

    def _allowed_private(self) -> bool:
        return self.allow_setting or bool(getattr(self.crawler.spider, "allow_private", False))

    def _refuse(self, why: str, request, detail: str):
        self.stats.inc_value(f"parknews/refused/{why}")
        if self.stats.get_value("parknews/refused/first") is None:  # the crawl's last line names it
            self.stats.set_value("parknews/refused/first", f"{request.url}: {detail}")
        logger.warning("refused %s: %s", request.url, detail)
        raise IgnoreRequest(f"refused ({why}): {detail}")

    async def _addresses(self, host: str) -> list[str]:
        if host in self._resolved:
            return self._resolved[host]
        try:
            infos = await maybe_deferred_to_future(deferToThread(socket.getaddrinfo, host, None))
            addrs = sorted({info[4][0] for info in infos})
        except OSError:
            addrs = []  # the download itself will fail to resolve and be recorded
        self._resolved[host] = addrs
        return addrs

    async def process_request(self, request, spider=None):
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            self._refuse("scheme", request, f"only http and https are fetched, not {parts.scheme!r}")
        host = (parts.hostname or "").strip("[]")
        if not host:
            self._refuse("scheme", request, "no host")
        if self._offsite_redirect(request):  # recorded, also with allow_private on
            self._refuse("offsite", request, f"redirected from {request.meta['redirect_urls'][0]} to "
                         f"{host}, which is not in the site's allowed_domains")
        if self._allowed_private():
            return None
        try:
            addrs = [str(ipaddress.ip_address(host))]
        except ValueError:
            addrs = await self._addresses(host)
        for addr in addrs:
            why = _non_public(ipaddress.ip_address(addr.split("%", 1)[0]))
            if why:
                self._refuse("private", request, f"{host} is a {why} address ({addr}); "
                             "set [crawl] allow_private = true in the site file or pass --allow-private")
        return None

    def _bytes(self, data, request, spider=None):
        # body bytes so far: a streamed response (no Content-Length) over DOWNLOAD_MAXSIZE is
        # cancelled by Scrapy with a bare DownloadCancelledError; this tells it from other cancels
        request.meta["pn_body_bytes"] = request.meta.get("pn_body_bytes", 0) + len(data)

    def process_exception(self, request, exception, spider=None):
        text = str(exception)
        maxsize = request.meta.get("download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        streamed_over = bool(maxsize) and request.meta.get("pn_body_bytes", 0) > maxsize
        if ("max size" in text and "larger than download" in text) or streamed_over:
            self.stats.inc_value("parknews/dropped/oversize")
            request.meta["pn_oversize"] = maxsize  # spiders/common.failure_item names it
            logger.warning("dropped %s: larger than DOWNLOAD_MAXSIZE (%s bytes)", request.url, maxsize)
        return None


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None when absent/bad."""
    if not value:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("PARKNEWS_RETRY_BACKOFF")
        self.backoff_max = settings.getfloat("PARKNEWS_RETRY_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("PARKNEWS_RETRY_AFTER_MAX")

    def _wait(self, request) -> float:
        tries = request.meta.get("retry_times", 0)
        base = min(self.backoff * (2 ** tries), self.backoff_max)
        return base * (0.8 + 0.4 * random.random())

    def _next_try(self, request, reason):
        """The next try of `request` (Scrapy's get_retry_request within the request's or the
        settings' RETRY_TIMES and RETRY_PRIORITY_ADJUST), or None when it has had them all."""
        return get_retry_request(request, spider=self.crawler.spider, reason=reason,
                                 max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
                                 priority_adjust=request.meta.get("priority_adjust", self.priority_adjust))

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        reason = response_status_message(response.status)
        wait = None
        if response.status in (429, 503):
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None:
                self.crawler.stats.inc_value("parknews/retry_after/honoured")
                if wait > self.retry_after_max:
                    self.crawler.stats.inc_value("parknews/retry_after/too_long")
                    logger.warning("%s asks to retry after %.0f s (more than %.0f): giving up on this page",
                                   request.url, wait, self.retry_after_max)
                    return response
        retry = self._next_try(request, reason)
        if retry is None:
            return response
        wait = self._wait(request) if wait is None else wait
        self.crawler.stats.inc_value("parknews/retry/backoff_seconds", int(round(wait)))
        logger.debug("retrying %s in %.1f s (%s)", request.url, wait, reason)
        await _sleep(wait)
        return retry

    async def process_exception(self, request, exception, spider=None):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._next_try(request, exception)
        if retry is None:
            return None
        wait = self._wait(request)
        await _sleep(wait)
        return retry
