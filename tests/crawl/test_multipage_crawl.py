"""Articles split over several pages, crawled for real (local SiteServer, `parknews crawl` in a
subprocess): stored once with every page's text, every page captured in WARC and linked to the
article, `pages` right, a list linking page 2 directly stores nothing of its own, a second
incremental run fetches nothing new, `reparse` gives the same record, a page 2 that fails leaves
the record with what it has and the gap named, and the page guard holds."""
import json
import re

import pytest

from archive_capture._helpers import warc_files, warcio_check
from crawler.demo.multipage import multipage_article
from crawler.demo.server import Page, SiteServer
from crawler.demo.site import generate_site
from pn_testing import db_rows, run_cli, table_dump, write_site

ARTICLE = (r"/\d{4}-\d{2}/\d{2}/content_\d+(_\d+)?\.html", r"/zcwj/\d+/t\d+_\d+/index(_\d+)?\.html")
SUFFIX = "/news/2024-06/28/content_40230001.html"
VOUCHERS = [f"第{k}条 南湖高新区科技创新券用于支持科技型中小企业购买检验检测、研发设计、技术转移等科技服务，"
            f"本条规定第{k}类服务的申领条件、兑付比例和监督管理要求，每家企业年度额度不超过{k * 10}万元。" for k in range(1, 13)]
INDEX = "/zcwj/202406/t20240628_77/index.html"


def _site():
    pages = dict(generate_site(4, seed=3))
    a_pages, a = multipage_article(SUFFIX)
    b_pages, b = multipage_article(INDEX, shape="index", pager="rel", n=4, title="南湖高新区印发科技创新券管理办法（全文）",
                                   author="王强", editor="赵敏", paragraphs=VOUCHERS)
    pages.update(a_pages)
    pages.update(b_pages)
    first = pages["/news/index.html"]
    links = "".join(f'<li><a href="{p}">{t}</a><span class="date">2024-06-28</span></li>'
                    for p, t in [(SUFFIX, a["title"]), (INDEX, b["title"]),
                                 (a["pages"][1], a["title"] + "（二）")])  # page 2 linked directly
    text = first.body.decode("utf-8").replace("<ul>", "<ul>" + links, 1)
    pages["/news/index.html"] = Page(200, text.encode("utf-8"), dict(first.headers))
    return pages, a, b


def _crawl(db, site, *extra):
    result = run_cli("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING", *extra)
    assert result.code == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("multipage")
    pages, a, b = _site()
    with SiteServer(pages) as srv:
        site = write_site(tmp, "mp", srv.base_url, article=ARTICLE)
        db = tmp / "a.db"
        first = _crawl(db, site)
        after_first = table_dump(db, "articles")
        requests_first = srv.requested_paths("GET")
        srv.clear_requests()
        second = _crawl(db, site)
        yield {"db": db, "base": srv.base_url, "a": a, "b": b, "first": first, "second": second,
               "after_first": after_first, "requests_first": requests_first,
               "requests_second": srv.requested_paths("GET"), "tmp": tmp, "srv": srv, "site": site}


def test_stored_once_with_all_text_and_pages(crawled):
    db, base = crawled["db"], crawled["base"]
    rows = db_rows(crawled["db"], "SELECT * FROM articles ORDER BY id")
    assert len(rows) == 4 + 2  # no page 2…n stored as an article of its own
    for want in (crawled["a"], crawled["b"]):
        row = next(r for r in rows if r["url"] == base + want["path"])
        assert row["body_text"] == want["body_text"]
        assert (row["title"], row["editor"], row["author"]) == (want["title"], want["editor"], want["author"])
        assert json.loads(row["pages"]) == [base + p for p in want["pages"]]
        assert json.loads(row["warnings"]) == []
        urls = db_rows(db, "SELECT url FROM article_urls WHERE article_id = ?", [row["id"]])
        assert [u["url"] for u in urls] == [row["url"]]
        captured = db_rows(db, "SELECT url, warc_file FROM captures WHERE article_id = ? ORDER BY id", [row["id"]])
        assert sorted(c["url"] for c in captured) == sorted(base + p for p in want["pages"])
    single = [r for r in rows if "content_40230001" not in r["url"] and "/zcwj/" not in r["url"]]
    assert all(json.loads(r["pages"]) == [] for r in single)
    assert db_rows(db, "SELECT count(*) AS n FROM refused_pages")[0]["n"] == 0
    # every page fetched for the chain; page 2, linked from the list, fetched but not stored alone
    assert crawled["requests_first"].count(crawled["a"]["pages"][1]) >= 1


def test_every_page_in_warc_and_warcio_accepts_the_files(crawled):
    folder = crawled["db"].with_suffix(".warc")
    files = warc_files(folder)
    assert files
    check = warcio_check(files)
    assert check.returncode == 0, check.stdout + check.stderr
    raw = b"".join(__import__("gzip").open(f).read() for f in files)
    for want in (crawled["a"], crawled["b"]):
        for p in want["pages"]:
            assert f"WARC-Target-URI: {crawled['base']}{p}".encode() in raw


def test_second_incremental_run_fetches_nothing_new(crawled):
    fetched = [p for p in crawled["requests_second"] if p != "/robots.txt"]
    assert fetched == ["/news/index.html"], fetched
    assert "0 new" in crawled["second"].stdout
    assert table_dump(crawled["db"], "articles") == crawled["after_first"]


def test_reparse_gives_the_same_records(crawled):
    before = table_dump(crawled["db"], "articles")
    result = run_cli("reparse", "--db", crawled["db"])
    assert result.code == 0, result
    assert "re-parsed 6 articles" in result.stdout and ": 0 changed" in result.stdout, result.stdout
    assert table_dump(crawled["db"], "articles") == before


def test_a_failing_page_two_leaves_the_rest(tmp_path):
    pages, a, _b = _site()
    pages[a["pages"][1]] = Page.html("<h1>Internal Server Error</h1>", status=500)
    pages["/news/index.html"] = Page(200, pages["/news/index.html"].body.replace(
        f'<li><a href="{a["pages"][1]}">'.encode(), b'<li><a href="/nowhere.html">'), {})
    with SiteServer(pages) as srv:
        site = write_site(tmp_path, "mp", srv.base_url, article=ARTICLE)
        db = tmp_path / "a.db"
        _crawl(db, site, "-s", "PARKNEWS_MAX_ARTICLE_PAGES=3")
        base = srv.base_url
    row = db_rows(db, "SELECT * FROM articles WHERE url = ?", [base + a["path"]])[0]
    assert json.loads(row["pages"]) == [base + a["pages"][0], base + a["pages"][2]]
    assert json.loads(row["warnings"]) == [f"page 2 missing: {base}{a['pages'][1]} (http 500)"]
    assert row["editor"] == a["editor"] and a["body_text"].split("\n")[-1] in row["body_text"]
    failures = db_rows(db, "SELECT url, status FROM fetch_failures")
    assert {"url": base + a["pages"][1], "status": 500} in failures
    # the four-page article is cut at PARKNEWS_MAX_ARTICLE_PAGES=3, the fourth page named
    b_row = db_rows(db, "SELECT * FROM articles WHERE url LIKE ?", ["%/zcwj/%"])[0]
    assert len(json.loads(b_row["pages"])) == 3
    assert [w for w in json.loads(b_row["warnings"]) if re.search(r"missing: .*index_3\.html \(over PARKNEWS_MAX_ARTICLE_PAGES \(3\)\)", w)]


def test_loop_pager_stops(tmp_path):
    pages = dict(generate_site(2, seed=4))
    loop_pages, loop = multipage_article(SUFFIX, pager="loop")
    pages.update(loop_pages)
    first = pages["/news/index.html"]
    pages["/news/index.html"] = Page(200, first.body.decode().replace(
        "<ul>", f'<ul><li><a href="{SUFFIX}">{loop["title"]}</a></li>', 1).encode(), dict(first.headers))
    with SiteServer(pages) as srv:
        site = write_site(tmp_path, "mp", srv.base_url, article=ARTICLE)
        db = tmp_path / "a.db"
        _crawl(db, site)
        n = srv.requested_paths("GET").count(SUFFIX)
        base = srv.base_url
    row = db_rows(db, "SELECT * FROM articles WHERE url = ?", [base + SUFFIX])[0]
    assert row["body_text"] == loop["body_text"] and len(json.loads(row["pages"])) == 3
    assert n == 1  # the last page's 下一页 back to page 1 is not followed again
