"""The bundled demo site and its HTTP server (crawler.demo)."""
from __future__ import annotations

import html
import re
import socket
import threading
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

import pytest

from crawler.demo.server import Page, SiteServer
from crawler.demo.site import build_demo_site, generate_site

ARTICLE_RE = re.compile(r"/news/\d{4}-\d{2}/\d{2}/content_\d+\.html")


def fetch(url: str, method: str = "GET", headers: dict | None = None):
    """(status, headers, body) without raising on HTTP errors."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def hrefs(body: bytes, encoding: str = "utf-8") -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', body.decode(encoding))]


@pytest.fixture(scope="module")
def site():
    return build_demo_site()


@pytest.fixture
def srv(site):
    with SiteServer(site.pages) as s:
        yield s


def crawl_lists(srv, start="/news/index.html"):
    """Follow 下一页 links from the first list page; return (list paths, article links)."""
    seen, links, url = [], [], srv.url(start)
    while url and len(seen) < 20:
        status, _, body = fetch(url)
        assert status == 200
        seen.append(urlsplit(url).path)
        text = body.decode("utf-8")
        for h in hrefs(body):
            full = urljoin(url, h)
            if ARTICLE_RE.search(urlsplit(full).path) and '<div class="list">' in text:
                links.append(full)
        m = re.search(r'<a href="([^"]+)" class="next">下一页</a>', text)
        url = urljoin(url, m.group(1)) if m else None
    return seen, links


# --- the site through the server ---------------------------------------------------------------

def test_list_pages_link_at_least_30_articles(srv, site):
    lists, links = crawl_lists(srv)
    assert lists == site.expected["main_list_pages"]
    assert len(lists) >= 3
    list_items = set()
    for path in lists:
        body = fetch(srv.url(path))[2].decode()
        block = body.split('<div class="list">', 1)[1].split("</ul>", 1)[0]
        items = re.findall(r'<li><a href="([^"]+)"', block)
        assert 1 <= len(items) <= 12
        list_items.update(items)
    plain = {u.split("?")[0] for u in list_items if ARTICLE_RE.fullmatch(u.split("?")[0])}
    assert len(plain) >= 30
    ok = [u for u in plain if fetch(srv.url(u))[0] == 200]
    assert len(ok) >= 30
    # Pages have numbered links and the site chrome.
    first = fetch(srv.url("/news/index.html"))[2].decode()
    assert "下一页" in first and '<a href="index_2.html">2</a>' in first
    assert "热点推荐" in first and "/about.html" in first and "/contact.html" in first


def test_home_links_lists_and_partner(srv, site):
    status, headers, body = fetch(srv.url("/"))
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    links = hrefs(body)
    assert "/news/index.html" in links and site.expected["partner_list_page"] in links
    partner = fetch(srv.url(site.expected["partner_list_page"]))[2].decode()
    assert site.expected["republished_paths"][1] in partner


def test_gbk_article(srv, site):
    path = site.expected["gbk_path"]
    status, headers, body = fetch(srv.url(path))
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=gb2312"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gb18030")
    art = next(a for a in site.expected["articles"] if a["path"] == path)
    assert art["title"] in text and '<meta charset="gb2312">' in text
    assert any(ord(c) > 127 for c in art["title"])
    assert path in {u.split("?")[0] for p in site.expected["main_list_pages"] for u in hrefs(fetch(srv.url(p))[2])}


def test_tracked_url_same_body(srv, site):
    plain, tracked = site.expected["tracked_urls"]
    assert tracked.startswith(plain + "?") and "utm_source=wechat" in tracked and "spm=123" in tracked
    a, b = fetch(srv.url(plain)), fetch(srv.url(tracked))
    assert a[0] == b[0] == 200 and a[2] == b[2]
    linked = [u for p in site.expected["main_list_pages"] for u in hrefs(fetch(srv.url(p))[2])]
    assert plain in linked and tracked in linked


def test_republished_article(srv, site):
    main_path, partner_path = site.expected["republished_paths"]
    assert partner_path.startswith("/partner/")
    art = next(a for a in site.expected["articles"] if a["path"] == main_path)
    main = fetch(srv.url(main_path))[2].decode()
    partner = fetch(srv.url(partner_path))[2].decode()
    assert art["title"] in main and art["title"] in partner
    assert "articleBody" in main and "articleBody" not in partner and "TRS_Editor" in partner
    assert "发布日期：" in partner and "信息来源：" in partner
    for para in art["body_text"].split("\n"):
        assert para in partner
    assert site.expected["republished_partner"]["body_text"] == art["body_text"]


def test_error_pages(srv, site):
    listed = {u for p in site.expected["main_list_pages"] for u in hrefs(fetch(srv.url(p))[2])}
    for key, code in (("not_found_path", 404), ("server_error_path", 500)):
        path = site.expected[key]
        assert path in listed and ARTICLE_RE.fullmatch(path)
        assert fetch(srv.url(path))[0] == code
    assert fetch(srv.url("/no/such/page.html"))[0] == 404


def test_robots_and_static(srv):
    status, headers, body = fetch(srv.url("/robots.txt"))
    assert status == 200 and b"User-agent: *" in body and b"Disallow: /" not in body
    for p in ("/about.html", "/contact.html"):
        assert fetch(srv.url(p))[0] == 200


def test_manifest_consistent_with_pages(srv, site):
    exp = site.expected
    assert exp["article_count"] == len(exp["articles"]) >= 32
    assert len({a["path"] for a in exp["articles"]}) == exp["article_count"]
    assert len({a["title"] for a in exp["articles"]}) == exp["article_count"]
    years = {a["published_at"][:7] for a in exp["articles"]}
    assert len(years) >= 8 and all(y.startswith("2024-") for y in years)
    for a in exp["articles"]:
        status, headers, body = fetch(srv.url(a["path"]))
        assert status == 200, a["path"]
        text = body.decode(a["encoding"])
        assert f">{a['title']}</h1>" in text
        assert a["editor"] and f"责任编辑" in text and a["editor"] in text
        assert a["source"] in text
        if a["author"]:
            assert a["author"].split()[0] in text
        for h in a["section_headings"]:
            assert f"<p>{h}</p>" in text or f"<p><strong>{h}</strong></p>" in text
        for para in a["body_text"].split("\n"):
            assert para in text
        for img in a["images"]:
            assert f'src="{img["src"]}"' in text and img["caption"] in text
            s, h, _ = fetch(srv.url(img["src"]))
            assert s == 200 and h["Content-Type"] == "image/png"
        assert re.fullmatch(r"2024-\d\d-\d\d(T\d\d:\d\d\+08:00)?", a["published_at"])
        date_shown = a["published_at"][:10] + (" " + a["published_at"][11:16] if "T" in a["published_at"] else "")
        assert date_shown in text
    # Variety the parsers must cope with.
    arts = exp["articles"]
    assert any(a["author"] is None for a in arts)
    assert any(a["author"] and " " in a["author"] for a in arts)
    assert any("T" in a["published_at"] for a in arts) and any("T" not in a["published_at"] for a in arts)
    assert sum(1 for a in arts if a["section_headings"]) >= 10
    assert sum(1 for a in arts if a["images"]) >= 5
    for path in exp["article_paths"]:
        assert fetch(srv.url(path))[0] == 200


def test_meta_line_variants(site):
    texts = [site.pages[a["path"]].body.decode(a["encoding"]) for a in site.expected["articles"]]
    assert any(re.search(r"时间:2024-\d\d-\d\d来源 : [^<]+作者 : ", t) for t in texts)
    assert any(re.search(r"发布时间：2024-\d\d-\d\d \d\d:\d\d  来源：", t) for t in texts)
    assert any("<p><strong>" in t for t in texts)
    for t in texts:
        assert "分享到：" in t and "【<a" in t and "纠错" in t and "相关新闻" in t
        assert "Copyright &copy; 2024" in t and "版权所有" in t


def test_seed_format_article(site):
    a = next(a for a in site.expected["articles"] if a["path"] == site.expected["seed_format_path"])
    assert a["kind"] == "seed_format" and len(a["section_headings"]) >= 3
    text = site.pages[a["path"]].body.decode()
    assert f"<div class=\"info\">时间:{a['published_at']}来源 : {a['source']}作者 : {a['author']}</div>" in text
    body = text.split('id="articleBody"', 1)[1].split("</div>", 1)[0]
    assert body.rstrip().endswith(f"<p>(责任编辑:{a['editor']})</p>")
    assert "Back to Top" in text


# --- the server itself --------------------------------------------------------------------------

def test_request_log_and_head(srv):
    srv.clear_requests()
    fetch(srv.url("/news/index.html"), headers={"User-Agent": "parknews-test"})
    status, headers, body = fetch(srv.url("/news/index.html"), method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000
    fetch(srv.url("/missing?x=1"))
    log = srv.requests
    assert [(m, p) for m, p, _ in log] == [("GET", "/news/index.html"), ("HEAD", "/news/index.html"),
                                           ("GET", "/missing?x=1")]
    assert log[0][2]["User-Agent"] == "parknews-test"


def test_lookup_order_callables_and_replacing_pages():
    pages = {
        "/a.html": Page.html("<p>plain</p>"),
        "/a.html?v=2": Page.html("<p>exact</p>"),
        "/dyn": lambda pq: Page.text(f"you asked {pq}"),
    }
    with SiteServer(pages) as s:
        assert fetch(s.url("/a.html?v=2"))[2] == b"<p>exact</p>"
        assert fetch(s.url("/a.html?v=3"))[2] == b"<p>plain</p>"
        assert fetch(s.url("/dyn?q=1"))[2] == b"you asked /dyn?q=1"
        assert fetch(s.url("/robots.txt"))[0] == 404
        s.pages = {"/a.html": Page.html("<p>changed</p>")}
        assert fetch(s.url("/a.html"))[2] == b"<p>changed</p>"
        s.pages = lambda pq: Page.html("all") if pq.startswith("/x") else None
        assert fetch(s.url("/x/1"))[2] == b"all" and fetch(s.url("/y"))[0] == 404


def test_stop_closes_port_and_is_idempotent():
    s = SiteServer({"/": Page.html("hi")}).start()
    port = s.port
    assert port and s.base_url == f"http://127.0.0.1:{port}"
    assert fetch(s.url("/"))[0] == 200
    s.stop()
    s.stop()
    assert not s.running
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_concurrent_requests(srv, site):
    paths = [a["path"] for a in site.expected["articles"]][:16]
    results = []

    def get(p):
        results.append(fetch(srv.url(p))[0])

    threads = [threading.Thread(target=get, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * len(paths)
    assert len(srv.requests) == len(paths)


def test_local_server_fixture(local_server):
    assert fetch(local_server.url("/"))[0] == 200
    assert local_server.site.expected["article_count"] >= 32


# --- benchmark generator ------------------------------------------------------------------------

def test_generate_site_deterministic_and_sized():
    a, b = generate_site(45, seed=3), generate_site(45, seed=3)
    assert a.keys() == b.keys() and all(a[k].body == b[k].body for k in a)
    assert generate_site(45, seed=4)["/news/index.html"].body != a["/news/index.html"].body
    arts = [k for k in a if ARTICLE_RE.fullmatch(k)]
    assert len(arts) == 45
    assert all(5_000 <= len(a[k].body) <= 15_000 for k in arts)
    lists = ["/news/index.html", "/news/index_2.html", "/news/index_3.html"]
    assert all(k in a for k in lists) and "/news/index_4.html" not in a
    linked = set()
    for k in lists:
        linked.update(h for h in hrefs(a[k].body) if ARTICLE_RE.fullmatch(h))
    assert set(arts) <= linked
