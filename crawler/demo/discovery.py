"""The sample site's sitemaps and feed: how the demo shows finding articles without list pages.

- `/sitemap.xml`: a sitemap index naming `/sitemaps/news.xml.gz` (every article, gzip-compressed,
  each with its `lastmod`) and `/sitemaps/pages.xml` (the static pages, no articles);
- `/rss.xml`: an RSS 2.0 feed of the newest articles, announced by the home page's
  `<link rel="alternate" type="application/rss+xml">`;
- `robots.txt` names the sitemap index (`Sitemap:` line), for URL-mode crawls of the demo.

One article (`discovery_only_path`) is on no list page, the home page or the sidebar: a crawl
finds it only through the sitemap and the feed. `<loc>` and `<link>` are server-relative, so the
files work under any host the demo is served from (a real site gives absolute URLs; the parser
resolves either against the document's own URL).
"""
from __future__ import annotations

import gzip
from datetime import date
from xml.sax.saxutils import escape

from .server import Page

SITEMAP_INDEX = "/sitemap.xml"
NEWS_SITEMAP = "/sitemaps/news.xml.gz"
PAGES_SITEMAP = "/sitemaps/pages.xml"
FEED = "/rss.xml"
FEED_SIZE = 10  # the newest articles in the feed
# When the static pages last changed (their sitemap's lastmod).
STATIC_LASTMOD = "2024-01-15"
FEED_LINK = f'<link rel="alternate" type="application/rss+xml" title="园区动态" href="{FEED}">'
ROBOTS_LINE = f"Sitemap: {SITEMAP_INDEX}\n"

_SM_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _lastmod(published_at: str) -> str:
    # "2024-06-18" stays a date; "2024-06-18T08:32+08:00" gets its seconds (W3C datetime)
    return published_at.replace("+08:00", ":00+08:00") if "T" in published_at else published_at


def _rfc822(published_at: str) -> str:
    day = date.fromisoformat(published_at[:10])
    clock = published_at[11:16] if "T" in published_at else "00:00"
    return f"{day:%a, %d %b %Y} {clock}:00 +0800"


def discovery_pages(articles: list[dict], static_paths: list[str], discovery_only: str) -> tuple[dict[str, Page], dict]:
    """(pages, manifest part) for the articles (manifest dicts with path, title, published_at; newest
    first), the static pages and the one article found only through the sitemap and feed."""
    urls = "".join(f"<url><loc>{escape(a['path'])}</loc><lastmod>{_lastmod(a['published_at'])}</lastmod></url>"
                   for a in articles)
    news = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_SM_NS}">{urls}</urlset>\n'
    static = "".join(f"<url><loc>{escape(p)}</loc><lastmod>{STATIC_LASTMOD}</lastmod></url>" for p in static_paths)
    pages_xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_SM_NS}">{static}</urlset>\n'
    newest = max(_lastmod(a["published_at"]) for a in articles)
    index = (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{_SM_NS}">'
             f"<sitemap><loc>{NEWS_SITEMAP}</loc><lastmod>{newest}</lastmod></sitemap>"
             f"<sitemap><loc>{PAGES_SITEMAP}</loc><lastmod>{STATIC_LASTMOD}</lastmod></sitemap>"
             "</sitemapindex>\n")
    in_feed = articles[:FEED_SIZE] + [a for a in articles[FEED_SIZE:] if a["path"] == discovery_only]
    items = "".join(
        f"<item><title>{escape(a['title'])}</title><link>{escape(a['path'])}</link>"
        f"<pubDate>{_rfc822(a['published_at'])}</pubDate></item>" for a in in_feed)
    rss = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>园区动态</title>'
           f"<link>/</link><description>园区新闻示例站</description>{items}</channel></rss>\n")
    xml = "application/xml; charset=utf-8"
    pages = {
        SITEMAP_INDEX: Page(200, index.encode("utf-8"), {"Content-Type": xml}),
        NEWS_SITEMAP: Page(200, gzip.compress(news.encode("utf-8"), mtime=0), {"Content-Type": "application/x-gzip"}),
        PAGES_SITEMAP: Page(200, pages_xml.encode("utf-8"), {"Content-Type": xml}),
        FEED: Page(200, rss.encode("utf-8"), {"Content-Type": "application/rss+xml; charset=utf-8"}),
    }
    manifest = {
        "sitemap_index": SITEMAP_INDEX, "sitemaps": [NEWS_SITEMAP, PAGES_SITEMAP], "feed": FEED,
        "feed_paths": [a["path"] for a in in_feed], "discovery_only_path": discovery_only,
    }
    return pages, manifest
