"""Reading sitemaps, sitemap indexes, news sitemaps, RSS/Atom feeds and where sites announce them
(crawler/parsing/sitemaps.py): documents written here, modelled on what CMSs of Chinese portals
publish (TRS/Hanweb sitemaps with date-only lastmod, GB2312 RSS, .xml.gz sitemaps)."""
import gzip
from datetime import datetime, timezone

import pytest

from crawler.parsing import sitemaps
from crawler.parsing.sitemaps import (SitemapError, feed_links, parse_feed, parse_sitemap, sitemaps_in_robots,
                                      w3c_datetime)

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


def test_urlset_entries_dates_and_relative_locs():
    doc = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset {NS}>
  <url><loc>http://www.example-zone.gov.cn/xwzx/2024-06/18/content_1.htm</loc><lastmod>2024-06-18</lastmod></url>
  <url><loc> /xwzx/2024-06/19/content_2.htm </loc><lastmod>2024-06-19T08:32:00+08:00</lastmod></url>
  <url><loc>http://www.example-zone.gov.cn/about.htm</loc><lastmod>2024-06-19T00:32Z</lastmod></url>
  <url><loc>http://www.example-zone.gov.cn/a.htm</loc><lastmod>not a date</lastmod></url>
  <url><loc>javascript:void(0)</loc></url>
  <url><lastmod>2024-06-19</lastmod></url>
</urlset>""".encode()
    sm = parse_sitemap(doc, "http://www.example-zone.gov.cn/sitemap.xml")
    assert sm.kind == "urlset" and not sm.truncated
    assert [e.url for e in sm.entries] == [
        "http://www.example-zone.gov.cn/xwzx/2024-06/18/content_1.htm",
        "http://www.example-zone.gov.cn/xwzx/2024-06/19/content_2.htm",
        "http://www.example-zone.gov.cn/about.htm",
        "http://www.example-zone.gov.cn/a.htm",
    ]
    # a bare date is the end of that day in China; a time keeps its offset; Z is UTC
    assert [e.modified for e in sm.entries] == [utc(2024, 6, 18, 15, 59, 59), utc(2024, 6, 19, 0, 32),
                                                utc(2024, 6, 19, 0, 32), None]
    assert not any(e.news for e in sm.entries)


def test_news_sitemap_gives_title_and_publication_date():
    doc = f"""<urlset {NS} {NEWS_NS}><url><loc>http://a.cn/c_1.htm</loc>
      <news:news><news:publication>name>某区</news:publication>
      <news:publication_date>2024-06-18T08:32:00+08:00</news:publication_date>
      <news:title>经开区签约项目12个</news:title></news:news></url></urlset>""".encode()
    (entry,) = parse_sitemap(doc, "http://a.cn/sitemap_news.xml").entries
    assert entry.news and entry.title == "经开区签约项目12个"
    assert entry.modified == utc(2024, 6, 18, 0, 32)


def test_gzip_sitemap_index():
    doc = f"""<sitemapindex {NS}>
      <sitemap><loc>http://a.cn/sitemaps/news_1.xml.gz</loc><lastmod>2024-06-18</lastmod></sitemap>
      <sitemap><loc>sitemaps/pages.xml</loc></sitemap></sitemapindex>""".encode()
    sm = parse_sitemap(gzip.compress(doc), "http://a.cn/sitemap_index.xml.gz")
    assert sm.kind == "sitemapindex"
    assert [e.url for e in sm.entries] == ["http://a.cn/sitemaps/news_1.xml.gz", "http://a.cn/sitemaps/pages.xml"]
    assert sm.entries[1].modified is None


@pytest.mark.parametrize("body, why", [
    (b"<html><body><h1>404</h1></body></html>", "not a sitemap (root element <html>)"),
    (b"", "not XML"),
    (b"\x1f\x8b\x08\x00garbage", "broken gzip"),
])
def test_what_is_not_a_sitemap_is_named(body, why):
    with pytest.raises(SitemapError) as err:
        parse_sitemap(body, "http://a.cn/sitemap.xml")
    assert str(err.value).startswith("http://a.cn/sitemap.xml: ") and why in str(err.value)


def test_entities_are_not_expanded():
    doc = f"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>
      <urlset {NS}><url><loc>http://a.cn/&x;</loc></url></urlset>""".encode()
    entries = parse_sitemap(doc, "http://a.cn/s.xml").entries
    assert all("root:" not in e.url for e in entries)


def test_sizes_over_the_protocol_limits(monkeypatch):
    monkeypatch.setattr(sitemaps, "MAX_SITEMAP_ENTRIES", 3)
    doc = f"<urlset {NS}>" + "".join(f"<url><loc>http://a.cn/{i}.htm</loc></url>" for i in range(5)) + "</urlset>"
    sm = parse_sitemap(doc.encode(), "http://a.cn/s.xml")
    assert len(sm.entries) == 3 and sm.truncated
    monkeypatch.setattr(sitemaps, "MAX_SITEMAP_BYTES", 1000)
    with pytest.raises(SitemapError, match="more than"):
        parse_sitemap(gzip.compress(b" " * 5000), "http://a.cn/s.xml.gz")


def test_rss_in_gb2312_with_relative_links():
    rss = """<?xml version="1.0" encoding="gb2312"?>
<rss version="2.0"><channel><title>园区动态</title><link>http://www.example-zone.gov.cn/</link>
<item><title>高新区举办招商推介会</title><link>/xwzx/202406/t20240618_1.html</link>
<pubDate>Tue, 18 Jun 2024 08:32:00 +0800</pubDate></item>
<item><title>无日期</title><link>http://www.example-zone.gov.cn/xwzx/202406/t20240617_2.html</link></item>
<item><title>没有链接</title></item>
</channel></rss>""".encode("gb2312")
    entries = parse_feed(rss, "http://www.example-zone.gov.cn/rss/news.xml")
    assert [(e.url, e.title, e.modified) for e in entries] == [
        ("http://www.example-zone.gov.cn/xwzx/202406/t20240618_1.html", "高新区举办招商推介会", utc(2024, 6, 18, 0, 32)),
        ("http://www.example-zone.gov.cn/xwzx/202406/t20240617_2.html", "无日期", None),
    ]
    assert all(e.news for e in entries)


def test_atom_feed_prefers_updated():
    atom = """<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
      <entry><title>园区</title><link href="http://a.cn/1.html"/><published>2024-06-01T10:00:00+08:00</published>
      <updated>2024-06-02T10:00:00+08:00</updated></entry></feed>""".encode()
    (entry,) = parse_feed(atom, "http://a.cn/atom.xml")
    assert entry.url == "http://a.cn/1.html" and entry.modified == utc(2024, 6, 2, 2, 0)


def test_an_html_page_is_no_feed():
    with pytest.raises(SitemapError, match=r"^http://a.cn/rss: not an RSS or Atom feed$"):
        parse_feed(b"<html><body><p>\xe6\x8a\xb1\xe6\xad\x89</p></body></html>", "http://a.cn/rss")


def test_robots_sitemap_lines():
    robots = "User-agent: *\nDisallow: /admin/\nSITEMAP: /sitemap_index.xml\n# Sitemap: http://a.cn/no.xml\n" \
             "Sitemap:http://a.cn/news.xml.gz\nsitemap: ftp://a.cn/x.xml\nSitemap: /sitemap_index.xml\n"
    assert sitemaps_in_robots(robots, "http://a.cn/robots.txt") == ["http://a.cn/sitemap_index.xml",
                                                                   "http://a.cn/news.xml.gz"]


def test_feed_links_announced_by_a_page():
    page = """<html><head><base href="http://a.cn/cms/">
      <link rel="alternate" type="application/rss+xml" title="要闻" href="rss/yw.xml">
      <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="http://a.cn/atom.xml">
      <link rel="alternate" hreflang="en" href="/en/"><link rel="stylesheet" type="text/css" href="a.css">
      </head><body></body></html>""".encode()
    assert feed_links(page, "http://a.cn/index.html") == ["http://a.cn/cms/rss/yw.xml", "http://a.cn/atom.xml"]
    assert feed_links(b"", "http://a.cn/") == []


@pytest.mark.parametrize("text, value", [
    ("2024-06-18", utc(2024, 6, 18, 15, 59, 59)),
    ("2024-06-18T08:32+08:00", utc(2024, 6, 18, 0, 32)),
    ("2024-06-18T08:32:05", utc(2024, 6, 18, 0, 32, 5)),  # no offset: a Chinese site's local time
    ("2024-06-18T00:32:05.123Z", utc(2024, 6, 18, 0, 32, 5, 123000)),
    ("18/06/2024", None), ("", None), (None, None),
])
def test_w3c_datetimes(text, value):
    assert w3c_datetime(text) == value
