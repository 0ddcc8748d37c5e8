"""Log lines for dropped items and failed pages: one line naming the URL, never the item body."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.logformatter import LogFormatter


def _item_url(item) -> str:
    if isinstance(item, dict):
        return str(item.get("url", "?"))
    return str(getattr(item, "url", "?"))


class OneLineLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider):
        reason = str(exception)
        # Duplicates and unchanged pages are routine: keep them out of the INFO log.
        level = logging.DEBUG if reason.startswith(("duplicate", "unchanged")) else logging.INFO
        return {
            "level": level,
            "msg": "Skipped %(url)s: %(reason)s",
            "args": {"url": _item_url(item), "reason": reason},
        }

    def scraped(self, item, response, spider):
        return {"level": logging.DEBUG, "msg": "Stored %(url)s", "args": {"url": _item_url(item)}}

    def item_error(self, item, exception, response, spider):
        return {
            "level": logging.ERROR,
            "msg": "Error processing %(url)s: %(error)s",
            "args": {"url": _item_url(item), "error": exception},
        }


def _network_errors() -> tuple[type, ...]:
    from twisted.internet import error as net
    from twisted.web import _newclient

    from scrapy import exceptions as sx

    kinds = [net.ConnectError, net.TimeoutError, net.ConnectionLost, net.ConnectionDone,
             _newclient.ResponseNeverReceived, _newclient.ResponseFailed, OSError]
    kinds += [getattr(sx, name) for name in ("DownloadConnectionRefusedError", "DownloadFailedError",
                                             "DownloadTimeoutError", "CannotResolveHostError") if hasattr(sx, name)]
    return tuple(kinds)


class OneLineNetworkErrors(logging.Filter):
    """A connection that fails (refused, DNS, timeout, reset) is the site's state, not a bug:
    its log line (which names the URL and the reason) goes out without the traceback Scrapy
    attaches (robots.txt middleware, scraper). Other errors keep their traceback.

    One failure is one line: when the retry middleware has given up on a host's robots.txt,
    the robots.txt middleware's own line about the same failure ("Error downloading <the
    page>: ...", which names the page that waited for robots.txt) is dropped."""

    ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"

    def __init__(self):
        super().__init__()
        self.kinds = _network_errors()
        self.robots_failed: set[str] = set()  # hosts whose robots.txt failure was logged

    @staticmethod
    def _request_url(record: logging.LogRecord) -> str | None:
        args = record.args if isinstance(record.args, dict) else {}
        return getattr(args.get("request"), "url", None)

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info and record.exc_info is not True else None
        if exc is not None and isinstance(exc, self.kinds):
            record.exc_info = None
            record.exc_text = None
        if record.levelno < logging.ERROR:
            return True
        url = self._request_url(record)
        if not url:
            return True
        parts = urlsplit(url)
        if record.name == self.ROBOTS_LOGGER:
            return not (isinstance(exc, self.kinds) and parts.netloc in self.robots_failed)
        if parts.path == "/robots.txt" and len(self.robots_failed) < 10_000:
            self.robots_failed.add(parts.netloc)
        return True


def install_network_error_filter() -> None:
    """Add OneLineNetworkErrors to the root handlers (Scrapy's configure_logging installs one)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, OneLineNetworkErrors) for f in handler.filters):
            handler.addFilter(OneLineNetworkErrors())
