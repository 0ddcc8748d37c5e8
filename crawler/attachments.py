"""Fetching an article's attachments before it is stored (between the parse and store stages).

The parser lists the attachment links (crawler/parsing/attachments.py); this stage fetches each
one through the engine (so the downloader middlewares apply: the WARC capture of every
response, safe targets, the site's politeness), with Scrapy's `download_maxsize` set to
PARKNEWS_MAX_ATTACHMENT_BYTES, and fills its entry: `media_type` (the server's Content-Type when it
names one), `bytes`, `sha256`, `capture` (the WARC capture reference, crawler.capture) and, when
its text cannot be read, `reason`. An attachment on another site (outside allowed_domains), one
that fails to download (404, too big, timeout) or to parse is recorded with its reason and never
fails the article. Stats `parknews/attachments/{fetched,failed,offsite}`.
"""
from __future__ import annotations

import hashlib
import scrapy

from spiders.common import in_domains

from .capture import META_KEY
from .items import ParsedPage
from .parsing.attachment_text import extract_text


# what an attachment entry keeps of its WARC capture reference (enough to read the record back)
CAPTURE_KEYS = ("warc_file", "offset", "length", "record_id")


class AttachmentsPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_bytes = crawler.settings.getint("PARKNEWS_MAX_ATTACHMENT_BYTES")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item, spider=None):
        if not isinstance(item, ParsedPage) or not item.record.attachments:
            return item
        for entry in item.record.attachments:
            await self.fetch(entry)
        return item

    async def fetch(self, entry: dict) -> None:
        domains = [d.lower() for d in getattr(self.crawler.spider, "allowed_domains", None) or []]
        if domains and not in_domains(entry["url"], domains):
            entry["reason"] = "not fetched: outside the site's allowed_domains"
            self.stats.inc_value("parknews/attachments/offsite")
            return
        meta = {"download_maxsize": self.max_bytes, "pn_kind": "attachment"}
        request = scrapy.Request(entry["url"], meta=meta, dont_filter=True)
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # too big (cancelled), timeout, DNS, refused: the entry says which
            entry["reason"] = f"not fetched: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
            self.stats.inc_value("parknews/attachments/failed")
            return
        capture = response.meta.get(META_KEY) if response.request is not None else None
        if capture:
            entry["capture"] = {k: capture.get(k) for k in CAPTURE_KEYS}
        if response.status != 200:
            entry["reason"] = f"http {response.status}"
            self.stats.inc_value("parknews/attachments/failed")
            return
        served = (response.headers.get("Content-Type") or b"").decode("latin-1").split(";", 1)[0].strip().lower()
        if served and served not in ("application/octet-stream", "application/force-download", "text/html"):
            entry["media_type"] = served
        entry["bytes"] = len(response.body)
        entry["sha256"] = hashlib.sha256(response.body).hexdigest()
        _text, reason = extract_text(response.body, entry["media_type"])
        if reason and not reason.startswith("no text extraction for"):
            entry["reason"] = reason
        self.stats.inc_value("parknews/attachments/fetched")
