"""Script-rendered pages (site file render = "browser"), crawled for real: a local page whose
article a script inserts (JSON fetched by XHR) is archived with its text through scrapy-playwright
and Debian's Chromium, the shell fetched once and kept as a WARC response, the rendered DOM as a
conversion record referring to it, `warcio check` accepting the file and `reparse` giving the same
record; without Chromium the crawl still ends and says the pages were not rendered.
One crawl (one browser launch) per module."""
import gzip

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive_capture._helpers import warc_files, warcio_check

from crawler.demo.scripted import scripted_article
from crawler.demo.server import SiteServer
from crawler.demo.site import generate_site
from crawler.demo.multipage import add_link
from crawler.render import chromium_path
from pn_testing import db_rows, run_cli, table_dump, write_site

try:
    import scrapy_playwright  # noqa: F401
    _MISSING = None if chromium_path(None) else "no Chromium (/usr/bin/chromium or chromium on PATH)"
except ImportError:
    _MISSING = "scrapy-playwright not installed"
needs_browser = pytest.mark.skipif(_MISSING is not None, reason=f"browser rendering: {_MISSING}")

PATH = "/news/2024-06/30/content_40239001.html"


def _site():
    pages = dict(generate_site(2, seed=5))
    shell, want = scripted_article(PATH)
    pages.update(shell)
    pages["/news/index.html"] = add_link(pages["/news/index.html"], f'<li><a href="{PATH}">{want["title"]}</a>'
                                         '<span class="date">2024-06-30</span></li>')
    return pages, want


def _site_file(tmp, base, name):
    path = write_site(tmp, name, base)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[links]\n", 'render = "browser"\n[links]\n', 1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("render")
    pages, want = _site()
    with SiteServer(pages) as srv:
        db = tmp / "r.db"
        result = run_cli("crawl", _site_file(tmp, srv.base_url, "rn"), "--db", db, "--delay", "0",
                         "--log-level", "WARNING")
        yield {"db": db, "base": srv.base_url, "want": want, "result": result,
               "requests": srv.requested_paths("GET")}


def _records(db):
    """{WARC-Target-URI: [(type, WARC headers, payload)]} of the crawl's WARC files."""
    out = {}
    for path in warc_files(db.with_suffix(".warc")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                body = rec.content_stream().read() if rec.rec_type in ("response", "conversion") else b""
                out.setdefault(rec.rec_headers.get_header("WARC-Target-URI"), []).append(
                    (rec.rec_type, dict(rec.rec_headers.headers), body))
    return out


@needs_browser
def test_script_inserted_article_archived_with_its_text(rendered):
    assert rendered["result"].code == 0, rendered["result"].stderr[-3000:]
    want, base = rendered["want"], rendered["base"]
    rows = db_rows(rendered["db"], "SELECT * FROM articles WHERE url = ?", [base + PATH])
    assert len(rows) == 1
    row = rows[0]
    assert (row["title"], row["author"], row["editor"]) == (want["title"], want["author"], want["editor"])
    assert row["body_text"] == want["body_text"]
    assert want["data_path"] in rendered["requests"]  # the browser ran the page's script
    # the plain articles still stored (list pages and other articles fetched without the browser)
    assert db_rows(rendered["db"], "SELECT count(*) AS n FROM articles")[0]["n"] == 3
    # the browser was answered with the shell already fetched: the server was asked for it once
    assert rendered["requests"].count(PATH) == 1
    assert "pages rendered:     3 (in a headless browser)" in rendered["result"].stdout


@needs_browser
def test_warc_keeps_the_shell_and_the_rendered_dom_linked(rendered):
    db, url, want = rendered["db"], rendered["base"] + PATH, rendered["want"]
    check = warcio_check(warc_files(db.with_suffix(".warc")))
    assert check.returncode == 0, check.stdout + check.stderr
    recs = {kind: (headers, body) for kind, headers, body in _records(db)[url]}
    assert set(recs) == {"request", "response", "conversion"}
    shell_headers, shell = recs["response"]
    conv_headers, dom = recs["conversion"]
    assert "正在加载".encode() in shell and want["body_text"].split("\n")[0].encode() not in shell  # as sent
    assert want["body_text"].split("\n")[0].encode() in dom and b'id="articleBody"' in dom
    assert conv_headers["WARC-Refers-To"] == shell_headers["WARC-Record-ID"]
    assert conv_headers["WARC-Refers-To-Target-URI"] == url
    assert conv_headers["WARC-Refers-To-Date"] == shell_headers["WARC-Date"]
    assert conv_headers["Content-Type"] == "text/html; charset=utf-8"
    # the article's capture names the rendered DOM (what the parser saw), which names the shell
    (cap,) = db_rows(db, "SELECT c.* FROM captures c JOIN articles a ON a.id = c.article_id WHERE a.url = ?", [url])
    assert (cap["record_type"], cap["record_id"], cap["refers_to"]) == (
        "conversion", conv_headers["WARC-Record-ID"], shell_headers["WARC-Record-ID"])


@needs_browser
def test_reparse_gives_the_same_record(rendered):
    before = table_dump(rendered["db"], "articles")
    result = run_cli("reparse", "--db", rendered["db"])
    assert result.code == 0, result
    assert ": 0 changed" in result.stdout, result.stdout
    assert table_dump(rendered["db"], "articles") == before


def test_without_chromium_the_page_is_reported_not_rendered(tmp_path):
    pages, want = _site()
    with SiteServer(pages) as srv:
        db = tmp_path / "n.db"
        result = run_cli("crawl", _site_file(tmp_path, srv.base_url, "nb"), "--db", db, "--delay", "0",
                         "--log-level", "WARNING", "-s", f"PARKNEWS_CHROMIUM={tmp_path}/no-chromium")
        requests = srv.requested_paths("GET")
    assert result.code in (0, 1), result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert "not rendered:       3" in result.stdout  # the three article pages
    assert want["data_path"] not in requests  # no script ran
    assert db_rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 2
