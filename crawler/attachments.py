"""Fetching an article's attachments before it is stored (between the parse and store stages).

The parser lists the attachment links (crawler/parsing/attachments.py); this stage fetches each
one through the engine (crawler/fetch_linked.py, shared with the images: so the downloader middlewares apply: the WARC capture of every
response, safe targets, the site's politeness), with Scrapy's `download_maxsize` set to
PARKNEWS_MAX_ATTACHMENT_BYTES, and fills its entry: `media_type` (the server's Content-Type when it
names one), `bytes`, `sha256`, `capture` (the WARC capture reference, crawler.capture) and, when
its text cannot be read, `reason`. An attachment on another site (outside allowed_domains), one
that fails to download (404, too big, timeout) or to parse is recorded with its reason and never
fails the article. Stats `parknews/attachments/{fetched,failed,offsite}`.
"""
from __future__ import annotations

from spiders.common import in_domains

from .fetch_linked import fetch_linked
from .items import ParsedPage
from .parsing.attachment_text import extract_text


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
        guessed = entry.get("media_type")  # by the link's extension (the parser)
        response = await fetch_linked(self.crawler, entry, entry["url"], max_bytes=self.max_bytes, kind="attachment")
        if response is None:
            self.stats.inc_value("parknews/attachments/failed")
            return
        if entry.get("media_type") == "text/html":  # a server's default for any file: says nothing
            entry["media_type"] = guessed
        _text, reason = extract_text(response.body, entry["media_type"])
        if reason and not reason.startswith("no text extraction for"):
            entry["reason"] = reason
        self.stats.inc_value("parknews/attachments/fetched")
