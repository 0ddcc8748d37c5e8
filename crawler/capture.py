"""WARC capture of every fetched response (archive.warc does the writing).

`WarcCaptureMiddleware` (a downloader middleware next to the downloader, so it sees every
response as received: list pages, articles, redirects, errors, retried 5xx, robots.txt) writes
the request and the response to the crawl's WARC file. A response whose payload digest equals
the last capture of the same URL (same status) is written as a `revisit` record instead
(identical-payload-digest profile, WARC-Refers-To-* naming the full response). The capture
reference goes into `request.meta["parknews_capture"]`; `CaptureSpiderMiddleware` copies it onto
the FetchedPage / FetchFailure items the spider makes from that response, and the store writes
it as a `captures` row in the same transaction as the article. A page rendered in a browser
(crawler/render.py) keeps its shell as fetched (a response record) and its rendered DOM as a
`conversion` record referring to it; its reference names the conversion (what the parser saw).

Settings (declared in crawler/settings.py): PARKNEWS_WARC, PARKNEWS_WARC_DIR, PARKNEWS_WARC_MAX_SIZE,
PARKNEWS_OPERATOR.

Every write is checked (a full disk raises, and the file is cut back to its last whole record);
the store fsyncs the WARC file before each commit, so a committed captures row always names
bytes on disk. At the start of every crawl, the `.open` files of dead writers in the archive
folder are recovered (archive.warc.recover_open_files: whole records kept where they are, torn
ones skipped, the unfinished tail cut off).
"""
from __future__ import annotations

import logging
import platform
import socket
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive import captures as captures_mod
from archive.warc import (RENAMED_HEADER_PREFIX, WarcWriter, warc_dir_for,
                          payload_digest, recover_open_files)

from .items import FetchedPage, FetchFailure
from .render import RENDER_KEY, RENDERED_TYPE, SHELL_FLAG, as_rendered
from .extensions import CrawlRunRecorder

logger = logging.getLogger(__name__)
META_KEY = "parknews_capture"
# Headers that describe the transfer, not the payload: the body we get is already de-chunked.
_TRANSFER_HEADERS = {b"transfer-encoding"}


def warc_dir(settings) -> Path:
    """The crawl's WARC folder (archive.warc.warc_dir_for): PARKNEWS_WARC_DIR (or its old name
    PARKNEWS_ARCHIVE_DIR), else the database's own."""
    return warc_dir_for(settings.get("PARKNEWS_DB"),
                        settings.get("PARKNEWS_WARC_DIR") or settings.get("PARKNEWS_ARCHIVE_DIR"))


def _headers(headers) -> list[tuple[str, str]]:
    out = []
    for key, values in headers.items():
        name = key.decode("latin-1")
        if key.lower() in _TRANSFER_HEADERS:
            name = RENAMED_HEADER_PREFIX + name
        for value in values:
            out.append((name, value.decode("latin-1")))
    return out


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("parknews")
    except Exception:
        return "0"


class WarcCaptureMiddleware:
    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.getbool("PARKNEWS_WARC"):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.run = CrawlRunRecorder.of(crawler)  # the archive's owner: .archive, .run_id
        self.folder = warc_dir(settings)
        self.max_size = settings.getint("PARKNEWS_WARC_MAX_SIZE")
        self.operator = settings.get("PARKNEWS_OPERATOR")
        self.writer: WarcWriter | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _info(self, spider) -> dict[str, str]:
        s = self.crawler.settings
        import scrapy

        try:
            from importlib.metadata import version

            warcio_version = version("warcio")
        except Exception:
            warcio_version = "?"
        crawl = {
            "DOWNLOAD_DELAY": s.get("DOWNLOAD_DELAY"),
            "CONCURRENT_REQUESTS": s.get("CONCURRENT_REQUESTS"),
            "CONCURRENT_REQUESTS_PER_DOMAIN": s.get("CONCURRENT_REQUESTS_PER_DOMAIN"),
            "AUTOTHROTTLE_ENABLED": s.getbool("AUTOTHROTTLE_ENABLED"),
            "ROBOTSTXT_OBEY": s.getbool("ROBOTSTXT_OBEY"),
            "PARKNEWS_MAX_PAGES": s.get("PARKNEWS_MAX_PAGES"),
        }
        return {
            "software": f"parknews/{_version()} (Scrapy {scrapy.__version__}; warcio {warcio_version}; "
                        f"Python {platform.python_version()})",
            "operator": self.operator,
            "hostname": socket.gethostname(),
            "http-header-user-agent": s.get("USER_AGENT"),
            "robots": "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore",
            "isPartOf": getattr(spider, "site_name", spider.name),
            "description": f"parknews crawl of {getattr(spider, 'site_name', spider.name)} "
                           f"(spider {spider.name})",
            "crawl-settings": " ".join(f"{k}={v}" for k, v in crawl.items()),
        }

    def spider_opened(self, spider):
        for name, final in recover_open_files(self.folder):
            if final:
                logger.warning("recovered the unfinished WARC file %s as %s", name, final)
                self.stats.inc_value("parknews/warc/recovered")
            else:
                logger.warning("discarded the unfinished WARC file %s (no complete record)", name)
                self.stats.inc_value("parknews/warc/discarded")
        site = getattr(spider, "site_name", None) or spider.name
        self.writer = WarcWriter(self.folder, site=site, info=self._info(spider), max_size=self.max_size)
        # the store commits captures rows only after the records they name are on disk
        self.run.archive.before_commit.append(self.writer.sync)

    def spider_closed(self, spider, reason):
        if self.writer is not None:
            hooks = self.run.archive.before_commit  # shared by the crawls of this process
            if self.writer.sync in hooks:
                hooks.remove(self.writer.sync)
            self.writer.close()
            self.stats.set_value("parknews/warc/files", len(self.writer.files))
            self._update_index()

    def _update_index(self) -> None:
        """The CDXJ index takes in the files this run closed (archive/cdxj_index.py); a failure
        is logged and left to the next run or `parknews index`, never lost data."""
        from archive.cdxj_index import CdxjIndexError, update_index

        try:
            result = update_index(self.folder)
        except (CdxjIndexError, OSError) as exc:
            logger.error("CDXJ index not brought up to date (%s); `parknews index` does it", exc)
            return
        self.stats.set_value("parknews/cdxj/indexed", result.records_added)

    def process_response(self, request, response, spider=None):
        if self.writer is None or SHELL_FLAG in response.flags:  # a shell the browser failed on: captured
            return response
        if RENDER_KEY in request.meta and "playwright" in response.flags:
            return self._rendered(request, as_rendered(response))
        body = response.body
        digest = payload_digest(body)
        url = response.url
        db = self.run.archive.db
        revisit = captures_mod.revisit_target(db, url, digest, response.status)
        req_headers = _headers(request.headers)
        if not any(k.lower() == "host" for k, _ in req_headers):
            host = url.split("://", 1)[-1].split("/", 1)[0]
            req_headers.insert(0, ("Host", host))
        ip = getattr(response, "ip_address", None)
        ref = self.writer.write_exchange(
            url,
            method=request.method,
            request_headers=req_headers,
            status=response.status,
            response_headers=_headers(response.headers),
            body=body,
            protocol=getattr(response, "protocol", None) or "HTTP/1.1",
            ip_address=str(ip) if ip is not None else None,
            digest=digest,
            revisit_of=revisit,
            when=datetime.now(timezone.utc),
        )
        self.stats.inc_value(f"parknews/warc/{ref.record_type}")
        request.meta[META_KEY] = {
            "url": url,
            "warc_file": ref.warc_file,
            "offset": ref.offset,
            "length": ref.length,
            "record_id": ref.record_id,
            "record_type": ref.record_type,
            "refers_to": ref.refers_to,
            "payload_digest": ref.payload_digest,
            "status": response.status,
            "fetched_at": ref.warc_date,
            "etag": _one(response.headers.get(b"ETag")),
            "last_modified": _one(response.headers.get(b"Last-Modified")),
            "run_id": self.run.run_id,
        }
        return response


    def _rendered(self, request, response):
        """A page's DOM as the browser rendered it (crawler/render.py): a conversion record
        referring to the shell's response record, and the capture the parsed page names."""
        shell = request.meta[META_KEY]  # the shell's capture, made when it was fetched
        ref = self.writer.write_conversion(
            response.url, response.body, content_type=RENDERED_TYPE,
            source={"record_id": shell["record_id"], "url": shell["url"], "warc_date": shell["fetched_at"]},
            when=datetime.now(timezone.utc))
        self.stats.inc_value("parknews/warc/conversion")
        request.meta[META_KEY] = {
            **shell, "url": response.url, "warc_file": ref.warc_file, "offset": ref.offset, "length": ref.length,
            "record_id": ref.record_id, "record_type": ref.record_type, "refers_to": ref.refers_to,
            "payload_digest": ref.payload_digest, "status": 200, "fetched_at": ref.warc_date,
        }
        return response


def _one(value) -> str | None:
    return value.decode("latin-1") if value else None


class CaptureSpiderMiddleware:
    """Puts each response's capture reference on the items the spider made from it."""

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("PARKNEWS_WARC"):
            raise NotConfigured
        return cls()

    @staticmethod
    def _attach(response, item):
        if isinstance(item, (FetchedPage, FetchFailure)) and item.capture is None:
            try:
                capture = response.meta.get(META_KEY)
            except AttributeError:  # no response, or a response without its request
                capture = None
            if capture and capture["url"] == item.url:
                item.capture = capture
                if isinstance(item, FetchedPage):
                    # the record's fetch time is the capture's, so a re-parse gives the same record
                    item.fetched_at = captures_mod.fetched_at_seconds(capture["fetched_at"])
        return item

    def process_spider_output(self, response, result, spider=None):
        for item in result:
            yield self._attach(response, item)

    async def process_spider_output_async(self, response, result, spider=None):
        async for item in result:
            yield self._attach(response, item)
