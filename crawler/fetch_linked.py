"""Fetching one file an article links to (an attachment, an image) through the engine, before
the article is stored: crawler/attachments.py and crawler/images.py share it.

The request goes through the downloader middlewares (the WARC capture of every response,
SafeTargetMiddleware, the site's politeness) with Scrapy's `download_maxsize` as the cap, and
`dont_filter` (a file is not a page: Scrapy's offsite filter is the caller's decision). The
entry gains `capture` (the WARC capture reference, crawler.capture), `bytes`, `sha256`, the
served `media_type` when it names one, or `reason` ("http 404", "too big: over N bytes",
"not fetched: ..."). Never raises for a failed download."""
from __future__ import annotations

import hashlib

import scrapy

from .capture import META_KEY

# what an entry keeps of its WARC capture reference (enough to read the record back)
CAPTURE_KEYS = ("warc_file", "offset", "length", "record_id")
# Content-Types that say nothing about the file
VAGUE_TYPES = ("application/octet-stream", "application/force-download", "binary/octet-stream")


def served_type(response) -> str:
    return (response.headers.get("Content-Type") or b"").decode("latin-1").split(";", 1)[0].strip().lower()


async def fetch_linked(crawler, entry: dict, url: str, *, max_bytes: int, kind: str):
    """Fetch url into entry; the response when it answered 200, else None (entry["reason"] set)."""
    request = scrapy.Request(url, meta={"download_maxsize": max_bytes, "pn_kind": kind}, dont_filter=True)
    try:
        response = await crawler.engine.download_async(request)
    except Exception as exc:  # too big (cancelled), timeout, DNS, refused: the entry says which
        message = str(exc).splitlines()[0] if str(exc) else ""
        if "larger than download max size" in message:
            entry["reason"] = f"too big: over {max_bytes} bytes"
        else:
            entry["reason"] = f"not fetched: {type(exc).__name__}: {message}".rstrip(": ")
        return None
    capture = response.meta.get(META_KEY) if response.request is not None else None
    if capture:
        entry["capture"] = {k: capture.get(k) for k in CAPTURE_KEYS}
    if response.status != 200:
        entry["reason"] = f"http {response.status}"
        return None
    served = served_type(response)
    if served and served not in VAGUE_TYPES:
        entry["media_type"] = served
    entry["bytes"] = len(response.body)
    entry["sha256"] = hashlib.sha256(response.body).hexdigest()
    return response
