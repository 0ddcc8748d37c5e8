"""Finding articles without list pages: sitemaps, news sitemaps, RSS/Atom feeds, and where a site
announces them (robots.txt `Sitemap:` lines, `<link rel="alternate" type="application/rss+xml">`).

Pure (bytes in, entries out; no Scrapy, no database): the spiders (spiders/discovery.py) turn the
entries into requests, crawler/incremental.py decides from their dates what is new.

    doc = parse_sitemap(body, url)        # a <urlset> or a <sitemapindex>, gzip or not
    entries = parse_feed(body, url)       # RSS 0.9x/1.0/2.0 or Atom, by feedparser
    sitemaps_in_robots(robots_text)       # the Sitemap: lines
    feed_links(html_bytes, page_url)      # the feeds a page announces

Every entry's `modified` is an aware UTC datetime or None: `lastmod` of a sitemap entry, a news
sitemap's `publication_date` when there is no lastmod, a feed entry's updated or published date.
A date without a time counts as the end of that day in China (23:59:59+08:00), so a page changed
later on the day of the last crawl is fetched again rather than missed.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from urllib.parse import urljoin, urlsplit

from lxml import etree, html as lxml_html

# The sitemap protocol's limits (sitemaps.org): 50,000 URLs and 50 MB uncompressed per file.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
MAX_SITEMAP_ENTRIES = 50_000
# How deep sitemap indexes may nest (the protocol allows one level; some CMSs make two).
MAX_SITEMAP_DEPTH = 3
# The media types a page announces its feeds with (<link rel="alternate" type=...>).
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
# Where a site without a robots.txt `Sitemap:` line usually keeps its sitemap.
DEFAULT_SITEMAP_PATH = "/sitemap.xml"

CHINA = timezone(timedelta(hours=8))
_GZIP_MAGIC = b"\x1f\x8b"
_ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)
_W3C_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SitemapError(ValueError):
    """A sitemap or feed that cannot be read (the message names the URL and why)."""


@dataclass(frozen=True)
class Entry:
    url: str
    modified: datetime | None = None  # aware, UTC
    title: str | None = None
    news: bool = False  # from a news sitemap (<news:news>) or a feed: an article, not any page


@dataclass
class Sitemap:
    kind: str  # "urlset" or "sitemapindex"
    entries: list[Entry] = field(default_factory=list)
    truncated: bool = False  # more than MAX_SITEMAP_ENTRIES; the rest was not read


def w3c_datetime(text: str | None) -> datetime | None:
    """A sitemap date (W3C datetime: 2024-06-18, 2024-06-18T08:32+08:00, ...Z) as aware UTC, or None."""
    if not text:
        return None
    text = text.strip()
    try:
        if _W3C_DATE.match(text):
            day = datetime.fromisoformat(text).date()
            return datetime.combine(day, time(23, 59, 59), CHINA).astimezone(timezone.utc)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA)  # a Chinese site's local time
    return value.astimezone(timezone.utc)


def _gunzip(body: bytes, url: str) -> bytes:
    if not body.startswith(_GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, MAX_SITEMAP_BYTES + 1)
    except zlib.error as exc:
        raise SitemapError(f"{url}: broken gzip ({exc})") from None
    if len(out) <= MAX_SITEMAP_BYTES and not inflater.eof:
        raise SitemapError(f"{url}: broken gzip (the file ends before the compressed data does)")
    if len(out) > MAX_SITEMAP_BYTES:
        raise SitemapError(f"{url}: more than {MAX_SITEMAP_BYTES // (1024 * 1024)} MB uncompressed")
    return out


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def parse_sitemap(body: bytes, url: str) -> Sitemap:
    """The entries of a sitemap (<urlset>) or sitemap index (<sitemapindex>); gzip bodies are
    inflated. Relative or other-scheme <loc> values are resolved against `url`; entries without an
    http(s) <loc> are left out. Raises SitemapError for what is not a sitemap."""
    data = _gunzip(body, url)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise SitemapError(f"{url}: not XML ({exc})") from None
    if root is None:
        raise SitemapError(f"{url}: not XML (empty document)")
    kind = _local(root.tag).lower()
    if kind not in ("urlset", "sitemapindex"):
        raise SitemapError(f"{url}: not a sitemap (root element <{_local(root.tag)}>)")
    item = "url" if kind == "urlset" else "sitemap"
    out = Sitemap(kind=kind)
    for element in root:
        if _local(element.tag) != item:
            continue
        if len(out.entries) >= MAX_SITEMAP_ENTRIES:
            out.truncated = True
            break
        loc = _child_text(element, "loc")
        target = urljoin(url, loc) if loc else None
        if not target or urlsplit(target).scheme not in ("http", "https"):
            continue
        modified = w3c_datetime(_child_text(element, "lastmod"))
        title, news = None, False
        for child in element:
            if _local(child.tag) == "news":
                news = True
                title = _child_text(child, "title")
                modified = modified or w3c_datetime(_child_text(child, "publication_date"))
        out.entries.append(Entry(url=target, modified=modified, title=title, news=news))
    return out


def parse_feed(body: bytes, url: str) -> list[Entry]:
    """The entries of an RSS or Atom feed (feedparser: every RSS version and Atom, GBK/GB2312
    feeds by their XML declaration, dates in RFC 822 or ISO form). Raises SitemapError when the
    document is no feed at all."""
    import feedparser

    feed = feedparser.parse(_gunzip(body, url), response_headers={"content-location": url})
    if not feed.entries and (feed.bozo or not feed.get("version")):
        raise SitemapError(f"{url}: not an RSS or Atom feed")
    out = []
    for entry in feed.entries[:MAX_SITEMAP_ENTRIES]:
        link = entry.get("link") or next((l.get("href") for l in entry.get("links", []) if l.get("href")), None)
        target = urljoin(url, link) if link else None
        if not target or urlsplit(target).scheme not in ("http", "https"):
            continue
        # dict.get: FeedParserDict.get maps a missing updated_parsed to published_parsed, with a warning
        stamp = dict.get(entry, "updated_parsed") or dict.get(entry, "published_parsed")
        modified = datetime(*stamp[:6], tzinfo=timezone.utc) if stamp else None
        out.append(Entry(url=target, modified=modified, title=(entry.get("title") or None), news=True))
    return out


def sitemaps_in_robots(text: str, base_url: str) -> list[str]:
    """The `Sitemap:` URLs of a robots.txt (any case, any place in the file), resolved and in order."""
    out: list[str] = []
    for match in _ROBOTS_SITEMAP.finditer(text):
        target = urljoin(base_url, match.group(1))
        if urlsplit(target).scheme in ("http", "https") and target not in out:
            out.append(target)
    return out


def feed_links(body: bytes, page_url: str) -> list[str]:
    """The feeds a page announces with <link rel="alternate" type="application/rss+xml" href=...>
    (Atom, RDF and JSON feeds too), resolved against the page URL (and its <base href>)."""
    try:
        doc = lxml_html.fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    base = next(iter(doc.xpath("//base/@href")), None)
    base_url = urljoin(page_url, base) if base else page_url
    out: list[str] = []
    for link in doc.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES:
            target = urljoin(base_url, link.get("href").strip())
            if urlsplit(target).scheme in ("http", "https") and target not in out:
                out.append(target)
    return out


def default_sitemap(url: str) -> str:
    """The conventional sitemap URL of the site `url` is on."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{DEFAULT_SITEMAP_PATH}"


def robots_url(url: str) -> str:
    """The robots.txt of the site `url` is on."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"
