"""The sample site crawled end to end by real Scrapy crawls into a real SQLite file."""
import hashlib
import json
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from archive.dedup import url_key
from crawler.items import RECORD_FIELDS

from pn_testing import cli, jsonl, run_cli, table_dump  # noqa: F401 (cli is a fixture)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl of the demo site through `parknews crawl demo --base-url`, then a second one."""
    from crawler.demo.server import SiteServer
    from crawler.demo.site import build_demo_site

    site = build_demo_site()
    db_path = tmp_path_factory.mktemp("crawl") / "archive.db"
    with SiteServer(dict(site.pages)) as srv:
        first = run_cli("crawl", "demo", "--base-url", srv.base_url, "--db", db_path, "--log-level", "WARNING")
        assert first.code == 0, first
        after_first = {t: table_dump(db_path, t) for t in ("articles", "article_urls")}
        requests_first = srv.requested_paths("GET")
        srv.clear_requests()
        second = run_cli("crawl", "demo", "--base-url", srv.base_url, "--db", db_path, "--log-level", "WARNING")
        assert second.code == 0, second
    return {"site": site, "db": db_path, "base": srv.base_url, "first": first, "second": second,
            "after_first": after_first, "requests_first": requests_first,
            "requests_second": srv.requested_paths("GET")}


def _db(crawled):
    return sqlite_utils.Database(str(crawled["db"]))


def test_every_distinct_article_stored_exactly_once(crawled):
    expected = crawled["site"].expected
    rows = crawled["after_first"]["articles"]
    assert len(rows) == expected["stored_count"]
    shapes = [m["title"] for m in expected["shapes"].values() if m["stores"]]
    assert sorted(r["title"] for r in rows) == sorted([a["title"] for a in expected["articles"]] + shapes)


def test_multipage_shape_stored_once_with_every_page(crawled):
    """The demo's three-page article: one record, the three pages' text in order, every page
    URL in `pages` and captured; pages 2 and 3 are no article of their own."""
    shape = crawled["site"].expected["shapes"]["multipage"]
    db = _db(crawled)
    rows = db.execute("SELECT a.body_text, a.pages FROM articles a JOIN article_urls u ON u.article_id = a.id "
                      "WHERE u.url LIKE ?", ["%" + shape["path"]]).fetchall()
    assert len(rows) == 1
    body, pages = rows[0]
    assert body == shape["body_text"]
    assert [urlsplit(p).path for p in json.loads(pages)] == shape["pages"]
    for later in shape["pages"][1:]:
        assert db.execute("SELECT count(*) FROM article_urls WHERE url LIKE ?", ["%" + later]).fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM captures WHERE url LIKE ?", ["%" + later]).fetchone()[0] >= 1


def _notice(crawled):
    shape = crawled["site"].expected["shapes"]["notice"]
    rows = _db(crawled).execute_returning_dicts(
        "SELECT a.* FROM articles a JOIN article_urls u ON u.article_id = a.id WHERE u.url LIKE ?",
        ["%" + shape["path"]])
    assert len(rows) == 1
    return shape, rows[0]


def test_notice_shape_stored_once_with_both_attachments_captured(crawled):
    """The demo's notice: one record with its fields, both attachments fetched with size, SHA-256
    and a capture that warcio reads back as the served file; their text kept."""
    from warcio.archiveiterator import ArchiveIterator

    from archive_capture._helpers import warc_files, warcio_check

    shape, row = _notice(crawled)
    for field in ("title", "published_at", "source", "author", "editor", "body_text"):
        assert row[field] == shape[field], field
    base, pages = crawled["base"], crawled["site"].pages
    entries = json.loads(row["attachments"])
    assert [(e["url"], e["text"]) for e in entries] == [(base + a["path"], a["name"]) for a in shape["attachments"]]
    folder = crawled["db"].with_suffix(".warc")
    for entry, want in zip(entries, shape["attachments"]):
        served = pages[want["path"]].body
        assert "reason" not in entry and entry["media_type"] == want["media_type"]
        assert (entry["bytes"], entry["sha256"]) == (len(served), hashlib.sha256(served).hexdigest())
        with open(folder / entry["capture"]["warc_file"], "rb") as fh:
            fh.seek(entry["capture"]["offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
            assert record.content_stream().read() == served
    kept = json.loads(row["attachment_text"])
    assert [k["name"] for k in kept] == [a["name"] for a in shape["attachments"]]
    for k, want in zip(kept, shape["attachments"]):
        assert want["phrase"] in k["text"] and k["chars"] == len(k["text"]) and not k["truncated"]
    check = warcio_check(warc_files(folder))
    assert check.returncode == 0, check.stdout + check.stderr


def test_notice_attachment_text_searchable_marked_as_attachment_hit(crawled):
    shape, row = _notice(crawled)
    pdf = shape["attachments"][0]
    result = run_cli("search", pdf["phrase"], "--db", crawled["db"], "--format", "json")
    assert result.code == 0, result
    [hit] = json.loads(result.stdout)["results"]
    assert hit["record"]["url"] == row["url"] and hit["attachment"] == pdf["name"]
    table = run_cli("search", pdf["phrase"], "--db", crawled["db"])
    assert f"[附件: {pdf['name']}]" in table.stdout, table.stdout


def test_second_run_fetches_no_article_and_no_attachment_again(crawled):
    site = crawled["site"]
    shape = site.expected["shapes"]["notice"]
    assert {a["path"] for a in shape["attachments"]} <= set(crawled["requests_first"])
    fetched = set(crawled["requests_second"])
    stored = {a["path"] for a in site.stored_articles()}
    assert not fetched & stored, sorted(fetched & stored)
    assert not fetched & {a["path"] for a in shape["attachments"]}


def test_gbk_article_title_decoded(crawled):
    expected = crawled["site"].expected
    gbk = next(a for a in expected["articles"] if a["path"] == expected["gbk_path"])
    db = _db(crawled)
    row = db.execute(
        "SELECT a.title, a.body_text FROM articles a JOIN article_urls u ON u.article_id = a.id WHERE u.url LIKE ?",
        ["%" + expected["gbk_path"]],
    ).fetchone()
    assert row is not None
    assert row[0] == gbk["title"]
    assert "\ufffd" not in row[1]


def test_tracked_parameters_article_stored_once_with_two_urls(crawled):
    expected = crawled["site"].expected
    plain, tracked = expected["tracked_urls"]
    db = _db(crawled)
    urls = {r[0]: r[1] for r in db.execute("SELECT url, article_id FROM article_urls").fetchall()}
    base = crawled["base"]
    assert base + plain in urls and base + tracked in urls
    assert urls[base + plain] == urls[base + tracked]
    # both URL keys differ only in tracking parameters: one key, two rows would be wrong
    assert url_key(base + plain) == url_key(base + tracked)


def test_republished_copy_stored_once(crawled):
    expected = crawled["site"].expected
    main_path, partner_path = expected["republished_paths"]
    db = _db(crawled)
    base = crawled["base"]
    ids = dict(db.execute("SELECT url, article_id FROM article_urls").fetchall())
    assert ids[base + main_path] == ids[base + partner_path]
    assert db.execute("SELECT count(*) FROM articles WHERE id = ?", [ids[base + main_path]]).fetchone()[0] == 1


def test_republished_article_row_is_the_originals_and_each_copy_keeps_its_parse(crawled):
    # the partner copy is reached first (its list is linked from the home page): the row still
    # ends with the original's fields, and what the partner page said is kept as its copy
    expected = crawled["site"].expected
    main_path, partner_path = expected["republished_paths"]
    original = next(a for a in expected["articles"] if a["path"] == main_path)
    partner = expected["republished_partner"]
    db = _db(crawled)
    base = crawled["base"]
    fields = ("published_at", "source", "author", "editor")
    article_id = db.execute("SELECT article_id FROM article_urls WHERE url = ?", [base + partner_path]).fetchone()[0]
    row = db.execute_returning_dicts("SELECT * FROM articles WHERE id = ?", [article_id])[0]
    assert row["url"] == base + main_path
    assert {f: row[f] for f in fields} == {f: original[f] for f in fields}
    assert original["published_at"] == "2024-06-18T08:32+08:00" and original["author"] == "张晓峰"
    kept = {r["url"]: r for r in db.execute_returning_dicts(
        "SELECT * FROM copy_records WHERE article_id = ?", [article_id])}
    assert set(kept) == {base + main_path, base + partner_path}
    assert {f: kept[base + partner_path][f] for f in fields} == {f: partner[f] for f in fields}
    assert {f: kept[base + main_path][f] for f in fields} == {f: original[f] for f in fields}
    captured = {r[0] for r in db.execute("SELECT url FROM captures WHERE article_id = ? AND status = 200", [article_id])}
    assert captured == {base + main_path, base + partner_path}


def test_404_and_500_recorded_and_not_fatal(crawled):
    expected = crawled["site"].expected
    db = _db(crawled)
    failures = {r[0]: r[1] for r in db.execute("SELECT url, status FROM fetch_failures").fetchall()}
    base = crawled["base"]
    assert failures.get(base + expected["not_found_path"]) == 404
    assert failures.get(base + expected["server_error_path"]) == 500
    runs = list(db.execute_returning_dicts("SELECT * FROM crawl_runs ORDER BY id"))
    assert [r["status"] for r in runs] == ["ok", "ok"]
    assert runs[0]["pages_failed"] == 3  # the 404, the 500 and the 412 challenge (below)
    counts = json.loads(runs[0]["counts"])
    assert counts["responses_by_status"]["404"] == 1


def test_the_challenge_page_is_counted_not_retried_and_the_run_stays_ok(crawled):
    shape = crawled["site"].expected["shapes"]["challenge"]
    db = _db(crawled)
    url = crawled["base"] + shape["path"]
    rows = list(db.execute_returning_dicts("SELECT status, reason FROM fetch_failures WHERE url = ?", [url]))
    assert rows == [{"status": 412, "reason": "blocked: http 412 script challenge"}]
    assert not list(db.execute("SELECT 1 FROM article_urls WHERE url = ?", [url]))
    for run in (crawled["first"], crawled["second"]):  # a blocked page is asked again by the next run
        assert "blocked answers:    1 (http 412 script challenge)" in run.stdout, run
        assert "run status:         ok" in run.stdout
    statuses = [r[0] for r in db.execute("SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses == ["ok", "ok"]


def test_fields_match_the_sample_site(crawled):
    expected = crawled["site"].expected
    db = _db(crawled)
    base = crawled["base"]
    by_url = {}
    for row in db.execute_returning_dicts(
        "SELECT u.url AS u_url, a.* FROM article_urls u JOIN articles a ON a.id = u.article_id"
    ):
        by_url[row["u_url"]] = row
    wrong = []
    for art in expected["articles"]:
        row = by_url[base + art["path"]]  # a republished article's row is its original's (archive.merge)
        for field in ("title", "published_at", "source", "author", "editor", "body_text"):
            if (row[field] or None) != (art[field] or None):
                wrong.append((art["path"], field, art[field], row[field]))
        headings = [s["heading"] for s in json.loads(row["sections"]) if s["heading"]]
        if headings != art["section_headings"]:
            wrong.append((art["path"], "headings", art["section_headings"], headings))
    assert not wrong, "\n".join(map(repr, wrong))


def test_second_run_adds_nothing_and_changes_nothing(crawled):
    before = crawled["after_first"]
    after_articles = table_dump(crawled["db"], "articles")
    after_urls = table_dump(crawled["db"], "article_urls")
    assert after_articles == before["articles"]
    strip = lambda rows: [{k: v for k, v in r.items() if k != "last_seen"} for r in rows]
    assert strip(after_urls) == strip(before["article_urls"])
    assert "36 unchanged" in crawled["second"].stdout or "0 new" in crawled["second"].stdout


def test_export_jsonl_every_record_every_field(crawled, cli):
    result = cli("export", "--format", "jsonl", "--db", crawled["db"])
    assert result.code == 0, result
    records = jsonl(result.stdout)
    assert len(records) == crawled["site"].expected["stored_count"]
    for rec in records:
        assert set(RECORD_FIELDS) <= set(rec)
        assert isinstance(rec["sections"], list) and isinstance(rec["images"], list)
        for image in rec["images"]:
            assert image["src"].startswith("http://127.0.0.1:")


def test_export_to_file(crawled, cli, tmp_path):
    out = tmp_path / "records.jsonl"
    result = cli("export", "--db", crawled["db"], "--output", out)
    assert result.code == 0, result
    assert len(jsonl(out.read_text(encoding="utf-8"))) == crawled["site"].expected["stored_count"]
    assert not list(tmp_path.glob("*.part"))


def test_reparse_keeps_what_the_crawl_fetched_for_attachments_and_images(crawled):
    """(Last in the module: it re-parses the archive.) Re-parsing fetches nothing, so each
    attachment's and image's fetched details (size, SHA-256, capture, reason) and the attachments'
    text stay as the crawl stored them."""
    fields = ("attachments", "attachment_text", "images")
    before = {r["id"]: r for r in table_dump(crawled["db"], "articles")}
    _, notice = _notice(crawled)
    assert all(e.get("capture") for e in json.loads(before[notice["id"]]["attachments"]))
    result = run_cli("reparse", "--db", crawled["db"])
    assert result.code == 0 and ": 0 changed" in result.stdout, result
    after = {r["id"]: r for r in table_dump(crawled["db"], "articles")}
    assert {i: [r[f] for f in fields] for i, r in after.items()} == {i: [r[f] for f in fields] for i, r in before.items()}
