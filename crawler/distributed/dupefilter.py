"""The shared seen-set (keys.SEEN): scrapy-redis's RFPDupeFilter, with Scrapy's own
REQUEST_FINGERPRINTER (scrapy-redis hashes method, canonical URL and body its own way, so a
distributed crawl would call two requests the same that a local crawl tells apart, or the other
way round), and never cleared when one worker closes (the others still use it)."""
from __future__ import annotations

from scrapy_redis.dupefilter import RFPDupeFilter

from . import keys


class SeenFilter(RFPDupeFilter):
    def __init__(self, server, fingerprinter, key: str = keys.SEEN, debug: bool = False):
        super().__init__(server, key=key, debug=debug)
        self.fingerprinter = fingerprinter

    @classmethod
    def from_crawler(cls, crawler, server=None):
        from .connection import redis_of

        return cls(server or redis_of(crawler.settings), crawler.request_fingerprinter,
                   debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))

    def request_fingerprint(self, request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def close(self, reason: str = "") -> None:
        """Kept: the seen-set outlives a worker (scrapy-redis deletes it here)."""
