"""Finding articles through sitemaps and feeds, in real crawls of local sites: a site file's
`links.sitemaps` / `links.feeds`; URL mode's own discovery (robots.txt `Sitemap:`, /sitemap.xml,
`<link rel="alternate">`); sitemap indexes and gzip sitemaps; `lastmod` driving incremental runs."""
import gzip
import json
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.demo.server import Page, SiteServer
from crawler.demo.site import generate_site
from pn_testing import assert_one_line_error, run_cli, write_site
import sqlite_utils

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
OLD = "2024-12-31"  # older than any run of these tests


def xml(text: str) -> Page:
    return Page(200, text.encode("utf-8"), {"Content-Type": "application/xml; charset=utf-8"})


def urlset(entries) -> str:
    return f"<urlset {NS}>" + "".join(f"<url><loc>{u}</loc><lastmod>{m}</lastmod></url>" for u, m in entries) + \
        "</urlset>"


def index(entries) -> str:
    return f"<sitemapindex {NS}>" + "".join(
        f"<sitemap><loc>{u}</loc><lastmod>{m}</lastmod></sitemap>" for u, m in entries) + "</sitemapindex>"


def rss(paths) -> str:
    items = "".join(f"<item><title>t{k}</title><link>{p}</link><pubDate>Mon, 02 Dec 2024 08:00:00 +0800</pubDate>"
                    "</item>" for k, p in enumerate(paths))
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'


class Shop:
    """A 20-article site (one list page), plus 4 articles only its sitemap names and 2 only its
    feed names; the sitemap index names a gzip news sitemap and a sitemap of other pages."""

    def __init__(self):
        self.pages = generate_site(20, seed=21)
        self.listed = sorted(p for p in self.pages if "/content_" in p)
        hidden = generate_site(6, seed=22)
        hidden_paths = sorted(p for p in hidden if "/content_" in p)
        self.sitemap_only, self.feed_only = [], []
        for k, path in enumerate(hidden_paths):
            new = f"/news/2024-11/{k + 1:02d}/content_7700000{k}.html"
            self.pages[new] = hidden[path]
            (self.sitemap_only if k < 4 else self.feed_only).append(new)
        self.news_lastmod = {p: OLD for p in self.listed + self.sitemap_only}
        self.index_lastmod = OLD
        self.build()

    def build(self):
        self.pages["/sm/news.xml.gz"] = Page(200, gzip.compress(urlset(sorted(self.news_lastmod.items())).encode()),
                                             {"Content-Type": "application/x-gzip"})
        self.pages["/sm/other.xml"] = xml(urlset([("/about.html", OLD), ("/contact.html", OLD)]))
        self.pages["/sitemap_index.xml"] = xml(index([("/sm/news.xml.gz", self.index_lastmod),
                                                      ("/sm/other.xml", OLD)]))
        self.pages["/feed.xml"] = Page(200, rss(self.feed_only + self.listed[:3]).encode(),
                                       {"Content-Type": "application/rss+xml"})

    @property
    def articles(self):
        return self.listed + self.sitemap_only + self.feed_only


def site_file(tmp_path, base, sitemaps=("/sitemap_index.xml",), feeds=("/feed.xml",)):
    path = write_site(tmp_path, "shop", base)
    text = path.read_text(encoding="utf-8")
    extra = f"sitemaps = {json.dumps([base + s for s in sitemaps])}\nfeeds = {json.dumps([base + f for f in feeds])}\n"
    path.write_text(text.replace("[crawl]\n", extra + "[crawl]\n"), encoding="utf-8")
    return path


def stored_paths(db):
    d = sqlite_utils.Database(str(db))
    try:
        return sorted(urlsplit(r["url"]).path for r in d.query("SELECT url FROM article_urls"))
    finally:
        d.close()


def warc_urls(folder):
    out = []
    for path in sorted(folder.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            out += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                    if r.rec_type in ("response", "revisit")]
    return out


def crawl(*args):
    return run_cli("crawl", *args, "--delay", "0", "--log-level", "WARNING")


def test_site_file_sitemaps_and_feeds_then_lastmod_drives_the_next_runs(tmp_path):
    shop = Shop()
    db = tmp_path / "a.db"
    with SiteServer(shop.pages) as srv:
        site = site_file(tmp_path, srv.base_url)
        first = crawl(site, "--db", db, "--stats-file", tmp_path / "s1.json")
        assert first.code == 0, first.stderr[-3000:]
        assert stored_paths(db) == sorted(shop.articles)
        assert "/about.html" not in srv.requested_paths("GET")  # a sitemap entry that is no article
        stats = json.loads((tmp_path / "s1.json").read_text())
        assert stats["parknews/discovery/sitemaps"] == 3 and stats["parknews/discovery/feeds"] == 1
        assert stats["parknews/discovery/not_article"] == 2
        assert "sitemaps, feeds:    3 sitemaps and 1 feeds read" in first.stdout
        # every fetch is in the WARC files, sitemaps and feed included
        captured = warc_urls(tmp_path / "a.warc")
        for path in ("/sitemap_index.xml", "/sm/news.xml.gz", "/feed.xml", shop.sitemap_only[0]):
            assert srv.base_url + path in captured

        # nothing changed: the index and the feed are read, the sitemaps it names are not
        srv.clear_requests()
        second = crawl(site, "--db", db)
        assert second.code == 0, second.stderr[-3000:]
        assert sorted(set(srv.requested_paths("GET"))) == ["/feed.xml", "/news/index.html", "/robots.txt",
                                                           "/sitemap_index.xml"]
        assert "0 new" in second.stdout and "2 unchanged sitemaps not fetched" in second.stdout

        # one sitemap-only article changes: its lastmod and its sitemap's are now
        changed = shop.sitemap_only[1]
        other = generate_site(1, seed=23)
        shop.pages[changed] = other[next(p for p in other if "/content_" in p)]
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        shop.news_lastmod[changed] = now
        shop.index_lastmod = now
        shop.build()
        srv.clear_requests()
        third = crawl(site, "--db", db, "--stats-file", tmp_path / "s3.json")
        assert third.code == 0, third.stderr[-3000:]
        fetched = srv.requested_paths("GET")
        assert "/sm/news.xml.gz" in fetched and "/sm/other.xml" not in fetched
        assert [p for p in fetched if "/content_" in p] == [changed]
        stats = json.loads((tmp_path / "s3.json").read_text())
        assert stats["parknews/incremental/lastmod_newer"] == 1
        assert stats["parknews/articles/updated"] == 1


def test_url_mode_finds_the_sitemap_in_robots_and_the_feed_a_page_announces(tmp_path):
    shop = Shop()
    shop.pages["/robots.txt"] = Page.text("User-agent: *\nAllow: /\nSitemap: /sitemap_index.xml\n")
    home = shop.pages["/"].body.decode("utf-8")
    shop.pages["/"] = Page.html(home.replace(
        "</head>", '<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>', 1))
    db = tmp_path / "a.db"
    with SiteServer(shop.pages) as srv:
        result = crawl(srv.base_url + "/", "--db", db, "--allow-private")
        assert result.code == 0, result.stderr[-3000:]
        assert "/sitemap.xml" not in srv.requested_paths("GET")  # robots.txt named the sitemap
    stored = stored_paths(db)
    for path in shop.sitemap_only + shop.feed_only:
        assert path in stored


def test_url_mode_without_sitemap_tries_sitemap_xml_quietly(tmp_path):
    pages = generate_site(5, seed=24)
    db = tmp_path / "a.db"
    with SiteServer(pages) as srv:
        result = crawl(srv.base_url + "/news/index.html", "--db", db, "--allow-private",
                       "--stats-file", tmp_path / "s.json")
        assert result.code == 0, result.stderr[-3000:]
        assert "/sitemap.xml" in srv.requested_paths("GET")
    stats = json.loads((tmp_path / "s.json").read_text())
    assert stats["parknews/discovery/not_found"] == 1
    assert stats.get("parknews/pages/failed", 0) == 0  # a guessed sitemap is no failed page
    d = sqlite_utils.Database(str(db))
    assert d["fetch_failures"].count == 0
    assert d["articles"].count == 5


def test_a_sitemap_url_that_serves_no_sitemap_is_counted_not_fatal(tmp_path):
    shop = Shop()
    shop.pages["/sitemap_index.xml"] = Page.html("<html><body><h1>首页</h1></body></html>")
    db = tmp_path / "a.db"
    with SiteServer(shop.pages) as srv:
        site = site_file(tmp_path, srv.base_url, feeds=())
        result = crawl(site, "--db", db, "--stats-file", tmp_path / "s.json")
    assert result.code == 0, result.stderr[-3000:]
    assert json.loads((tmp_path / "s.json").read_text())["parknews/discovery/unreadable"] == 1
    assert stored_paths(db) == sorted(shop.listed)  # the list pages still did their part
    assert "sitemap_index.xml: not a sitemap (root element <html>)" in result.stderr


@pytest.mark.parametrize("line, needle", [
    ('sitemaps = ["ftp://a.cn/s.xml"]', "links.sitemaps: 'ftp://a.cn/s.xml' is not an http(s) URL"),
    ('feeds = "http://a.cn/rss.xml"', "links.feeds must be a list of http(s) URLs"),
])
def test_bad_sitemap_and_feed_keys_are_one_line_errors(tmp_path, line, needle):
    path = write_site(tmp_path, "bad", "http://127.0.0.1:9")
    path.write_text(path.read_text(encoding="utf-8").replace("[crawl]\n", line + "\n[crawl]\n"), encoding="utf-8")
    assert_one_line_error(crawl(path, "--db", tmp_path / "a.db"), str(path), needle)
