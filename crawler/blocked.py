"""Anti-bot answers met by a crawl: a script challenge (HTTP 412/521) or a captcha page where the
page should be (recognised by crawler/parsing/antibot.py).

`BlockedAnswerMiddleware` is a downloader middleware between the WARC capture (950) and the
back-off retry (550), so a blocked answer is captured like every response and never reaches the
retry. It is counted under `parknews/blocked/<reason>`, logged once per reason with its URL, and
raised as IgnoreRequest: the page goes to its errback and `fetch_failures` says
`blocked: <reason>`. It is not retried: without running the challenge's script or solving the
captcha the next try gets the same answer, and asking again is what the site defends against.
A blocked start page is noted (`parknews/blocked_start`, "URL: reason"), the first blocked answer
too (`parknews/blocked_first`); crawler/ops.assess_run marks the run `blocked` on either a
blocked start page or a share of blocked pages of at least PARKNEWS_BLOCKED_SHARE.

robots.txt and non-text answers (images, PDFs) are not looked at.
"""
from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest

from crawler.parsing.antibot import blocked_reason

logger = logging.getLogger(__name__)

PREFIX = "parknews/blocked/"
# the request meta key the spiders set on their start requests (spiders/site.py, spiders/auto.py)
START_META = "pn_start"
# the request meta key holding (reason, status) of a blocked answer (spiders/common.failure_item)
BLOCKED_META = "pn_blocked"


def blocked_counts(stats: dict) -> dict[str, int]:
    """Blocked answers of a run by reason, from its stats."""
    return {k[len(PREFIX):]: int(v or 0) for k, v in sorted(stats.items()) if k.startswith(PREFIX) and v}


def _looked_at(request, response) -> bool:
    if request.url.split("?", 1)[0].endswith("/robots.txt"):
        return False
    served = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    return not served or "html" in served or served.startswith("text/")


class BlockedAnswerMiddleware:
    def __init__(self, crawler):
        self.stats = crawler.stats
        self.logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if not _looked_at(request, response):
            return response
        reason = blocked_reason(response.status, None, response.body)
        if reason is None:
            return response
        self.stats.inc_value(PREFIX + reason)
        where = f"{response.url}: {reason}"
        if self.stats.get_value("parknews/blocked_first") is None:
            self.stats.set_value("parknews/blocked_first", where)
        if request.meta.get(START_META) and self.stats.get_value("parknews/blocked_start") is None:
            self.stats.set_value("parknews/blocked_start", where)
        if reason not in self.logged:
            self.logged.add(reason)
            logger.warning("blocked: %s answered with an anti-bot page (%s); not retried "
                           "(further answers like it are counted, not logged)", response.url, reason)
        request.meta[BLOCKED_META] = (reason, response.status)
        raise IgnoreRequest(f"blocked ({reason})")
