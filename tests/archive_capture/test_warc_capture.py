"""Real crawls of the demo site write real WARC files; captures rows point into them; a second,
unchanged crawl writes revisit records; reparse from the WARC files changes nothing."""
import json

import pytest

from archive.warc import read_record
from pn_testing import run_cli, table_dump

from archive_capture._helpers import crawl, db_of, records, warc_files, warcio_check


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from crawler.demo.server import SiteServer
    from crawler.demo.site import build_demo_site

    site = build_demo_site()
    tmp = tmp_path_factory.mktemp("warc")
    db_path = tmp / "archive.db"
    with SiteServer(dict(site.pages)) as srv:
        first = crawl(srv.base_url, db_path)
        assert first.code == 0, first
        files_first = warc_files(tmp / "archive.warc")
        articles_first = table_dump(db_path, "articles")
        versions_first = table_dump(db_path, "article_versions")  # the merged republished article's
        second = crawl(srv.base_url, db_path)
        assert second.code == 0, second
    return {"site": site, "db": db_path, "base": srv.base_url, "folder": tmp / "archive.warc",
            "files_first": files_first, "articles_first": articles_first, "versions_first": versions_first}


def test_default_folder_beside_the_database_and_files_named_by_site(crawled):
    files = warc_files(crawled["folder"])
    assert len(files) == 2  # one per crawl (far below the 1 GB rotation size)
    assert all(f.name.startswith("demo-") for f in files)
    assert not list(crawled["folder"].glob("*.open"))


def test_warcio_check_accepts_every_file(crawled):
    result = warcio_check(warc_files(crawled["folder"]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout and "fail" not in result.stdout.lower()


def test_records_warcinfo_request_response(crawled):
    expected = crawled["site"].expected
    base = crawled["base"]
    recs = records(crawled["files_first"][0])
    assert recs[0][0] == "warcinfo"
    types = [r[0] for r in recs]
    assert types.count("response") == types.count("request") == (len(recs) - 1) // 2 > 0
    responses = {r[1]["WARC-Target-URI"]: r for r in recs if r[0] == "response"}
    for rec in responses.values():
        h = rec[1]
        assert h["WARC-Date"] and h["WARC-Payload-Digest"].startswith("sha1:")
        assert h["WARC-IP-Address"] == "127.0.0.1"
    requests = [r for r in recs if r[0] == "request"]
    ids = {r[1]["WARC-Record-ID"] for r in recs if r[0] == "response"}
    assert {r[1]["WARC-Concurrent-To"] for r in requests} == ids
    # every kind of fetched response: list pages, articles, robots.txt, 404 and 500 (with retries)
    assert base + expected["list_pages"][0] in responses or base + "/" in responses
    assert responses[base + expected["not_found_path"]][2] == 404
    assert responses[base + expected["server_error_path"]][2] == 500
    assert base + "/robots.txt" in responses
    assert all(base + a["path"] in responses for a in expected["articles"])


def test_warcinfo_says_software_site_and_settings(crawled):
    with open(crawled["files_first"][0], "rb") as fh:
        from warcio.archiveiterator import ArchiveIterator

        info = next(iter(ArchiveIterator(fh)))
        text = info.content_stream().read().decode()
        assert info.rec_headers.get_header("WARC-Filename") == crawled["files_first"][0].name
    assert "software: parknews/" in text and "warcio" in text
    assert "isPartOf: demo" in text
    assert "DOWNLOAD_DELAY=" in text and "http-header-user-agent: parknews/" in text


def test_every_article_has_a_capture_that_reads_back(crawled):
    db = db_of(crawled["db"])
    rows = list(db.execute_returning_dicts(
        "SELECT a.id, a.url, c.* FROM articles a JOIN captures c ON c.article_id = a.id AND c.url = a.url "
        "WHERE c.run_id = (SELECT min(id) FROM crawl_runs)"))
    assert len({r["id"] for r in rows}) == crawled["site"].expected["stored_count"]
    for row in rows:
        assert row["record_type"] == "response" and row["status"] == 200
        rec = read_record(crawled["folder"], row["warc_file"], row["offset"], row["length"])
        assert rec.record_id == row["record_id"]
        assert rec.url == row["url"] and rec.payload_digest == row["payload_digest"]
        assert rec.body.startswith(b"<!DOCTYPE") or b"<html" in rec.body[:500].lower()


def test_second_unchanged_crawl_writes_revisits_not_bodies(crawled):
    db = db_of(crawled["db"])
    runs = [r[0] for r in db.execute("SELECT id FROM crawl_runs ORDER BY id").fetchall()]
    assert len(runs) == 2
    second = list(db.execute_returning_dicts("SELECT * FROM captures WHERE run_id = ?", [runs[1]]))
    assert second and all(r["record_type"] == "revisit" for r in second)
    first_by_url = {r["url"]: r for r in db.execute_returning_dicts("SELECT * FROM captures WHERE run_id = ?", [runs[0]])}
    for row in second:
        orig = first_by_url[row["url"]]
        assert row["refers_to"] == orig["record_id"]
        assert row["payload_digest"] == orig["payload_digest"]
    # in the file: revisit records with the identical-payload-digest profile and no body
    revisits = [r for r in records(warc_files(crawled["folder"])[1]) if r[0] == "revisit"]
    assert len(revisits) >= len(second)
    by_uri = {r[1]["WARC-Target-URI"]: r[1] for r in revisits}
    for row in second:
        h = by_uri[row["url"]]
        assert h["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
        assert h["WARC-Refers-To"] == first_by_url[row["url"]]["record_id"]
        assert h["WARC-Refers-To-Target-URI"] == row["url"]
        assert h["WARC-Refers-To-Date"] == first_by_url[row["url"]]["fetched_at"]
        assert h["WARC-Payload-Digest"] == row["payload_digest"]
    # the notice's attachments (crawler/demo/notice.py) are fetched again by this --full run and
    # written whole: their fetch is no captures row, so no revisit can refer to it (yet)
    base = crawled["base"]
    attachments = [a["path"] for a in crawled["site"].expected["shapes"]["notice"]["attachments"]]
    whole = [r for r in records(warc_files(crawled["folder"])[1])
             if r[0] == "response" and r[1]["WARC-Target-URI"] in {base + p for p in attachments}]
    assert len(whole) == len(attachments)
    size_first, size_second = (f.stat().st_size for f in warc_files(crawled["folder"]))
    assert size_second < size_first / 2 + sum(len(r[3]) for r in whole)


def test_second_crawl_changes_no_article(crawled):
    assert table_dump(crawled["db"], "articles") == crawled["articles_first"]
    assert table_dump(crawled["db"], "article_versions") == crawled["versions_first"]


def test_reparse_with_unchanged_parser_changes_nothing(crawled):
    before = table_dump(crawled["db"], "articles")
    result = run_cli("reparse", "--db", crawled["db"])
    assert result.code == 0, result
    n = crawled["site"].expected["stored_count"]
    assert f"re-parsed {n} articles" in result.stdout and ": 0 changed" in result.stdout
    assert "fields changed: none" in result.stdout
    assert table_dump(crawled["db"], "articles") == before


def test_reparse_filters(crawled):
    result = run_cli("reparse", "--db", crawled["db"], "--site", "nosuchsite")
    assert result.code == 0 and "re-parsed 0 articles" in result.stdout
    result = run_cli("reparse", "--db", crawled["db"], "--since", "2999-01-01")
    assert result.code == 0 and "re-parsed 0 articles" in result.stdout
    result = run_cli("reparse", "--db", crawled["db"], "--since", "yesterday")
    assert result.code == 2 and "--since" in result.stderr


def test_reparse_rewrites_records_from_the_warc(crawled, tmp_path):
    """Spoil stored fields in a copy of the database: reparse restores them from the WARC files."""
    import shutil

    db_copy = tmp_path / "copy.db"
    src = db_of(crawled["db"])
    src.execute("PRAGMA wal_checkpoint(FULL)")
    src.close()
    shutil.copy(crawled["db"], db_copy)
    before = table_dump(db_copy, "articles")
    db = db_of(db_copy)
    db.execute("UPDATE articles SET title = 'x' || title, parser_version = '0.9' WHERE id <= 3")
    db.conn.commit()
    db.close()
    result = run_cli("reparse", "--db", db_copy, "--warc-dir", crawled["folder"])
    assert result.code == 0, result
    assert ": 3 changed" in result.stdout
    assert "parser_version 3" in result.stdout and "title 3" in result.stdout
    after = table_dump(db_copy, "articles", exclude=("updated_at",))
    assert after == [{k: v for k, v in r.items() if k != "updated_at"} for r in before]
