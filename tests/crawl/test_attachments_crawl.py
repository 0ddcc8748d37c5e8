"""Attachments crawled for real (local SiteServer, `parknews crawl` in a subprocess): a notice
with a PDF (Chinese text, fpdf2 + Noto CJK), a DOCX, a corrupt PDF and a 404 link is stored with
every attachment listed; the good ones fetched, captured in WARC (warcio check) with size and
SHA-256, the bad ones with their reasons; a second incremental run fetches nothing new."""
import gzip
import hashlib
import json

import pytest

from archive_capture._helpers import warc_files, warcio_check
from crawler.demo.server import Page
from crawler.demo.server import SiteServer
from crawler.demo.site import generate_site
from crawler.parsing.attachment_text import DOCX, PDF
from parsing.test_attachments import PDF_WORD, make_docx, make_pdf
from pn_testing import db_rows, run_cli, write_site

NOTICE = "/news/2024-06/28/content_40239001.html"
FILES = {"/files/plan.pdf": "招标文件", "/files/form.docx": "报名表", "/files/broken.pdf": "补充说明",
         "/files/gone.pdf": "已删除的附件"}


def _site():
    pages = dict(generate_site(3, seed=5))
    paragraphs = "".join(f"<p>第{i}条 南湖高新区园区绿化工程公开招标的有关事项通知如下，请符合条件的单位按时报名参加，逾期不予受理。</p>"
                         for i in range(1, 9))
    links = "".join(f'<p><a href="{path}">{text}</a></p>' for path, text in FILES.items())
    html = (f"<html><head><title>关于园区绿化工程招标的通知</title></head><body>"
            f"<div class='article'><h1>关于园区绿化工程招标的通知</h1><div class='info'>2024-06-28 来源：南湖高新区管委会</div>"
            f"<div class='content'>{paragraphs}<p>附件：</p>{links}</div></div></body></html>")
    pages[NOTICE] = Page(200, html.encode("utf-8"), {})
    pdf, docx = make_pdf(["南湖高新区", PDF_WORD]), make_docx(["报名须知", "联系人：王工"])
    pages["/files/plan.pdf"] = Page(200, pdf, {"Content-Type": "application/pdf"})
    pages["/files/form.docx"] = Page(200, docx, {"Content-Type": DOCX})
    pages["/files/broken.pdf"] = Page(200, b"%PDF-1.4\nthis is not a pdf", {"Content-Type": "application/pdf"})
    first = pages["/news/index.html"]
    text = first.body.decode("utf-8").replace(
        "<ul>", f'<ul><li><a href="{NOTICE}">关于园区绿化工程招标的通知</a><span class="date">2024-06-28</span></li>', 1)
    pages["/news/index.html"] = Page(200, text.encode("utf-8"), dict(first.headers))
    return pages, pdf, docx


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("attachments")
    pages, pdf, docx = _site()
    with SiteServer(pages) as srv:
        site = write_site(tmp, "att", srv.base_url)
        db = tmp / "a.db"
        first = run_cli("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
        assert first.code == 0, first.stderr[-3000:]
        requests_first = srv.requested_paths("GET")
        srv.clear_requests()
        second = run_cli("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
        assert second.code == 0, second.stderr[-3000:]
        yield {"db": db, "base": srv.base_url, "pdf": pdf, "docx": docx, "requests_first": requests_first,
               "requests_second": srv.requested_paths("GET")}


def test_the_notice_is_stored_with_every_attachment_and_its_outcome(crawled):
    base = crawled["base"]
    [row] = db_rows(crawled["db"], "SELECT attachments FROM articles WHERE url = ?", [base + NOTICE])
    entries = {e["url"][len(base):]: e for e in json.loads(row["attachments"])}
    assert list(entries) == list(FILES)
    assert [e["text"] for e in entries.values()] == list(FILES.values())
    plan, form = entries["/files/plan.pdf"], entries["/files/form.docx"]
    for entry, data, media_type in ((plan, crawled["pdf"], PDF), (form, crawled["docx"], DOCX)):
        assert entry["media_type"] == media_type and "reason" not in entry
        assert (entry["bytes"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
        assert entry["capture"]["warc_file"] and entry["capture"]["offset"] >= 0
    assert entries["/files/broken.pdf"]["reason"].startswith("unreadable pdf: ")
    assert entries["/files/gone.pdf"]["reason"] == "http 404"
    for path in FILES:
        assert path in crawled["requests_first"]


def test_attachments_in_warc_and_warcio_accepts_the_files(crawled):
    files = warc_files(crawled["db"].with_suffix(".warc"))
    check = warcio_check(files)
    assert check.returncode == 0, check.stdout + check.stderr
    raw = b"".join(gzip.open(f).read() for f in files)
    assert crawled["pdf"] in raw and crawled["docx"] in raw
    for path in FILES:
        assert f"WARC-Target-URI: {crawled['base']}{path}".encode() in raw


def test_a_second_incremental_run_fetches_no_attachment_again(crawled):
    assert not set(FILES) & set(crawled["requests_second"])


def test_attachment_text_is_kept_and_searchable_marked_as_in_the_attachment(crawled):
    base = crawled["base"]
    [row] = db_rows(crawled["db"], "SELECT attachment_text FROM articles WHERE url = ?", [base + NOTICE])
    kept = {e["url"][len(base):]: e for e in json.loads(row["attachment_text"])}
    assert list(kept) == ["/files/plan.pdf", "/files/form.docx"]
    assert PDF_WORD in kept["/files/plan.pdf"]["text"] and kept["/files/plan.pdf"]["name"] == "招标文件"
    assert "联系人" in kept["/files/form.docx"]["text"] and not kept["/files/form.docx"]["truncated"]
    table = run_cli("search", PDF_WORD, "--db", crawled["db"])
    # the hit's line names the attachment, then the snippet cut from its text (the hit bracketed)
    line = next(l for l in table.stdout.splitlines() if "[附件: " in l)
    assert table.code == 0 and line.strip().startswith("[附件: 招标文件] ") and f"[{PDF_WORD}]" in line, table.stdout
    [hit] = json.loads(run_cli("search", PDF_WORD, "--db", crawled["db"], "--format", "json").stdout)["results"]
    assert hit["attachment"] == "招标文件" and hit["record"]["url"] == base + NOTICE
    hits = json.loads(run_cli("search", "逾期不予受理", "--db", crawled["db"], "--format", "json").stdout)["results"]
    body_hit = next(h for h in hits if h["record"]["url"] == base + NOTICE)
    assert body_hit["attachment"] is None and "[逾期不予受理]" in body_hit["snippet"]
