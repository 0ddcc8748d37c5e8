"""Capturing an article's images before it is stored (issue 12, optional: `parknews crawl --images`,
site file `[crawl] capture_images = true`, or PARKNEWS_CAPTURE_IMAGES).

Hotlinked images vanish later; this stage fetches each of the record's `images` (its absolute
`src`) through the engine with crawler/fetch_linked.py (shared with the attachments: WARC capture
under the image's own URL, so a replay of the article shows it; SafeTargetMiddleware still refuses
private targets unless allowed; politeness), capped at PARKNEWS_MAX_IMAGE_BYTES, and fills the
entry: `capture`, `media_type`, `bytes`, `sha256`, or `reason` ("http 404", "too big: over N
bytes", "not an image: text/html", "not fetched: ..."). Images on other hosts are fetched: they
usually live on a CDN, unlike attachments (which stay within allowed_domains). `data:` URIs are not
fetched (the page itself holds them); images past PARKNEWS_MAX_IMAGES_PER_ARTICLE are skipped
with their reason. Never fails the article. Stats `parknews/images/{fetched,failed,skipped}`.
An unchanged article is not parsed again by an incremental run, so its images are not re-fetched.
"""
from __future__ import annotations

from .fetch_linked import fetch_linked
from .items import ParsedPage

# magic numbers of the image formats a server may send as application/octet-stream
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
               (b"BM", "image/bmp"))


def sniff_image(data: bytes) -> str | None:
    """The image media type the bytes begin with, or None."""
    for magic, media_type in _SIGNATURES:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class ImagesPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.enabled = crawler.settings.getbool("PARKNEWS_CAPTURE_IMAGES")
        self.max_bytes = crawler.settings.getint("PARKNEWS_MAX_IMAGE_BYTES")
        self.max_count = crawler.settings.getint("PARKNEWS_MAX_IMAGES_PER_ARTICLE")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def on(self) -> bool:
        return self.enabled or bool(getattr(self.crawler.spider, "capture_images", False))

    async def process_item(self, item, spider=None):
        if not isinstance(item, ParsedPage) or not item.record.images or not self.on():
            return item
        fetched = 0
        for entry in item.record.images:
            src = entry.get("src") or ""
            if not src.startswith(("http://", "https://")):
                entry["reason"] = "not fetched: not an http(s) URL (a data: URI is in the page itself)"
                self.stats.inc_value("parknews/images/skipped")
            elif self.max_count and fetched >= self.max_count:
                entry["reason"] = f"not fetched: over {self.max_count} images in the article"
                self.stats.inc_value("parknews/images/skipped")
            else:
                fetched += 1
                await self.fetch(entry, src)
        return item

    async def fetch(self, entry: dict, src: str) -> None:
        response = await fetch_linked(self.crawler, entry, src, max_bytes=self.max_bytes, kind="image")
        if response is None:
            self.stats.inc_value("parknews/images/failed")
            return
        served = entry.get("media_type")
        if not served:
            sniffed = sniff_image(response.body)
            if sniffed:
                entry["media_type"] = sniffed
        if not (entry.get("media_type") or "").startswith("image/"):
            entry["reason"] = f"not an image: {served or 'unknown type'}"
            self.stats.inc_value("parknews/images/failed")
            return
        self.stats.inc_value("parknews/images/fetched")
