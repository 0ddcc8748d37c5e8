"""What both spiders share: turning responses into items, failures into records, link lists."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import FetchedPage, FetchFailure

# Links to these are never pages worth fetching.
ASSET_SUFFIXES = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".svg", ".ico", ".css", ".js", ".pdf",
    ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".zip", ".rar", ".7z", ".gz", ".mp3",
    ".mp4", ".avi", ".flv", ".wmv", ".mov", ".swf", ".exe", ".apk", ".xml", ".json",
)


def header_dict(response: Response) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, values in response.headers.items():
        name = key.decode("latin-1").lower()
        out[name] = ", ".join(v.decode("latin-1") for v in values)
    return out


def page_item(response: Response, site: str | None, rules: dict | None) -> FetchedPage:
    return FetchedPage(
        url=response.url,
        status=response.status,
        headers=header_dict(response),
        body=response.body,
        fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        site=site,
        rules=rules or None,
    )


def not_modified(response: Response, stats) -> bool:
    """A 304 to a conditional re-fetch (crawl --refresh): the stored article is unchanged."""
    if response.status != 304:
        return False
    stats.inc_value("parknews/articles/unchanged")
    return True


def failure_item(failure: Failure, site: str | None) -> FetchFailure:
    request = getattr(failure, "request", None)
    url = request.url if request is not None else "?"
    blocked = request.meta.get("pn_blocked") if request is not None else None
    if blocked:  # an anti-bot answer (crawler/blocked.py): its status, and why it is not the page
        return FetchFailure(url=url, status=blocked[1], reason=f"blocked: {blocked[0]}", site=site)
    if failure.check(HttpError):
        response = failure.value.response
        return FetchFailure(url=response.url, status=response.status, reason=f"http {response.status}", site=site)
    if request is not None and request.meta.get("pn_oversize"):  # crawler/politeness.py
        return FetchFailure(url=url, status=None, reason=f"oversize: larger than DOWNLOAD_MAXSIZE "
                            f"({request.meta['pn_oversize']} bytes)", site=site)
    reason = failure.type.__name__ if failure.type else "error"
    message = str(failure.value).strip().splitlines()[0][:200] if str(failure.value).strip() else ""
    return FetchFailure(url=url, status=None, reason=f"{reason}: {message}" if message else reason, site=site)


def count_failure(failure: Failure, stats, crawler=None) -> None:
    """Count a failed page: `parknews/pages/failed`, and `parknews/pages/walk_gaps` for a page
    (list or article) whose failure may pass: a 5xx, a timeout, a refused connection; not a
    404/410 (gone), nor a request we refused ourselves (robots.txt, politeness, the page
    budget). A run with gaps did not see, or did not store, every article it links to: the next
    incremental run walks every list page again (archive.runs.last_pass_complete), so an article
    that failed is requested again there (it is not stored, so not skipped as known). An article
    that an earlier run saw fail too (`fetch_failures`, read through `crawler`'s archive) is no
    gap: it was given its second chance, and a page that always answers 500 does not make every
    run walk the whole listing."""
    stats.inc_value("parknews/pages/failed")
    if not stats.get_value("parknews/pages/first_failure"):  # the cause the crawl's last line names
        first = failure_item(failure, None)
        stats.set_value("parknews/pages/first_failure", f"{first.url}: {first.reason}")
    request = getattr(failure, "request", None)
    blocked = request is not None and request.meta.get("pn_blocked")  # a gap: the page is behind it
    if failure.check(IgnoreRequest) and not failure.check(HttpError) and not blocked:
        return
    if failure.check(HttpError) and failure.value.response.status in (404, 410):
        return
    if crawler is not None and request is not None and request.meta.get("pn_kind") == "article":
        from archive.runs import failed_before
        from crawler.extensions import CrawlRunRecorder

        if failed_before(CrawlRunRecorder.of(crawler).archive.db, request.url):
            return
    stats.inc_value("parknews/pages/walk_gaps")


def extract_links(response: Response, area: str | None = None) -> list[str]:
    """Absolute http(s) URLs of the <a href> links in `area` (CSS/XPath) or the whole page,
    in document order, without duplicates, fragments or asset files."""
    if not isinstance(response, TextResponse):
        return []
    sel = response
    if area:
        sel = response.xpath(area) if area.lstrip("(").startswith("/") else response.css(area)
        if not sel:
            sel = response
    hrefs = sel.xpath(".//a/@href").getall() if area else response.xpath("//a/@href").getall()
    seen: set[str] = set()
    out: list[str] = []
    for href in hrefs:
        href = href.strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        url = response.urljoin(href).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            continue
        if parts.path.lower().endswith(ASSET_SUFFIXES):
            continue
        if url not in seen:
            seen.add(url)
            out.append(url)
    return out


def select_links(response: Response, selector: str) -> list[str]:
    """URLs from a CSS/XPath selector naming links (<a> elements or @href attributes)."""
    if not isinstance(response, TextResponse):
        return []
    if selector.lstrip("(").startswith("/"):
        found = response.xpath(selector)
    else:
        found = response.css(selector)
    out = []
    for node in found:
        value = node.attrib.get("href") if hasattr(node, "attrib") and node.attrib else None
        value = value or node.get()
        if value and "<" not in value:
            out.append(response.urljoin(value.strip()).split("#", 1)[0])
    return out


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def in_domains(url: str, domains: Iterable[str]) -> bool:
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains)
