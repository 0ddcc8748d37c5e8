"""Fetching an article's attachments before it is stored (between the parse and store stages).

The parser lists the attachment links (crawler/parsing/attachments.py); this stage fetches each
one through the engine (crawler/fetch_linked.py, shared with the images: so the downloader middlewares apply: the WARC capture of every
response, safe targets, the site's politeness), with Scrapy's `download_maxsize` set to
PARKNEWS_MAX_ATTACHMENT_BYTES, and fills its entry: `media_type` (the server's Content-Type when it
names one), `bytes`, `sha256`, `capture` (the WARC capture reference, crawler.capture) and, when
its text cannot be read, `reason`. The text is read once here and kept on the record
(`attachment_text`: url, link text, at most PARKNEWS_MAX_ATTACHMENT_TEXT characters, its whole
length and whether it was truncated); stat `parknews/attachments/text_kept`. An attachment on another site (outside allowed_domains), one
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
        self.max_text = crawler.settings.getint("PARKNEWS_MAX_ATTACHMENT_TEXT")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item, spider=None):
        if not isinstance(item, ParsedPage) or not item.record.attachments:
            return item
        kept = []
        for entry in item.record.attachments:
            text = await self.fetch(entry)
            if text:
                kept.append(self.keep(entry, text))
        item.record.attachment_text = kept
        return item

    def keep(self, entry: dict, text: str) -> dict:
        """The attachment_text entry of an attachment's text: at most max_text characters."""
        self.stats.inc_value("parknews/attachments/text_kept")
        truncated = bool(self.max_text) and len(text) > self.max_text
        if truncated:
            self.stats.inc_value("parknews/attachments/text_truncated")
        return {"url": entry["url"], "name": entry.get("text"), "text": text[:self.max_text] if truncated else text,
                "chars": len(text), "truncated": truncated}

    async def fetch(self, entry: dict) -> str | None:
        """Fetch one attachment and fill its entry; its text when it has one."""
        domains = [d.lower() for d in getattr(self.crawler.spider, "allowed_domains", None) or []]
        if domains and not in_domains(entry["url"], domains):
            entry["reason"] = "not fetched: outside the site's allowed_domains"
            self.stats.inc_value("parknews/attachments/offsite")
            return None
        guessed = entry.get("media_type")  # by the link's extension (the parser)
        response = await fetch_linked(self.crawler, entry, entry["url"], max_bytes=self.max_bytes, kind="attachment")
        if response is None:
            self.stats.inc_value("parknews/attachments/failed")
            return None
        if entry.get("media_type") == "text/html":  # a server's default for any file: says nothing
            entry["media_type"] = guessed
        text, reason = extract_text(response.body, entry["media_type"])
        if reason and not reason.startswith("no text extraction for"):
            entry["reason"] = reason
        self.stats.inc_value("parknews/attachments/fetched")
        return text
