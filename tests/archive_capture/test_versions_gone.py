"""Re-crawls of a changing site: a changed article keeps its old values in article_versions, a
404 marks the URL gone and a comeback clears it; reparse reports missing or damaged WARC files
by URL and re-parses the rest."""
import pytest

from crawler.demo.server import Page, SiteServer
from crawler.demo.site import build_demo_site
from pn_testing import run_cli

from archive_capture._helpers import crawl, db_of, warc_files, warcio_check


def _plain_articles(site):
    e = site.expected
    skip = set(e["republished_paths"]) | {u.split("?")[0] for u in e["tracked_urls"]} | {e["gbk_path"]}
    return [a for a in e["articles"] if a["kind"] == "regular" and not a["also_at"] and a["path"] not in skip]


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    site = build_demo_site()
    tmp = tmp_path_factory.mktemp("versions")
    db_path, folder = tmp / "archive.db", tmp / "w"
    a, b = _plain_articles(site)[:2]
    pages = dict(site.pages)
    out = {"site": site, "db": db_path, "folder": folder, "a": a, "b": b}
    with SiteServer(pages) as srv:
        base = srv.base_url
        out["base"] = base
        first = crawl(base, db_path, folder)
        assert first.code == 0, first
        changed = dict(pages)
        old = pages[a["path"]]
        para = a["sections"][0]["paragraphs"][0]
        html = old.body.decode("utf-8").replace(a["title"], a["title"] + "（更新）")
        html = html.replace(para, para + "园区新增就业岗位一千余个。")
        headers = dict(old.headers, ETag='"v2"', **{"Last-Modified": "Tue, 03 Dec 2024 08:00:00 GMT"})
        changed[a["path"]] = Page(old.status, html.encode("utf-8"), headers)
        changed[b["path"]] = Page.html("<html><body><h1>404</h1><p>页面不存在</p></body></html>", status=404)
        srv.pages = changed
        second = crawl(base, db_path, folder)
        assert second.code in (0, 1), second
        out["after_second"] = {
            # the changed article's versions (the demo's republished article has one from its first
            # crawl: its row became the original's when that page followed the partner copy)
            "versions": list(db_of(db_path).execute_returning_dicts(
                "SELECT v.* FROM article_versions v JOIN article_urls u ON u.article_id = v.article_id "
                "WHERE u.url = ?", [base + a["path"]])),
            "b_url": list(db_of(db_path).execute_returning_dicts(
                "SELECT * FROM article_urls WHERE url = ?", [base + b["path"]])),
            "b_article": list(db_of(db_path).execute_returning_dicts(
                "SELECT a.* FROM articles a JOIN article_urls u ON u.article_id = a.id WHERE u.url = ?",
                [base + b["path"]])),
        }
        restored = dict(changed)
        restored[b["path"]] = pages[b["path"]]
        srv.pages = restored
        third = crawl(base, db_path, folder)
        assert third.code == 0, third
    out["files"] = warc_files(folder)
    return out


def test_changed_article_becomes_the_record_and_keeps_a_version(history):
    a, base = history["a"], history["base"]
    versions = history["after_second"]["versions"]
    assert len(versions) == 1
    v = versions[0]
    db = db_of(history["db"])
    art = db.execute_returning_dicts("SELECT * FROM articles WHERE id = ?", [v["article_id"]])[0]
    assert art["url"] == base + a["path"]
    assert art["title"] == a["title"] + "（更新）"
    assert "园区新增就业岗位一千余个。" in art["body_text"]
    assert v["title"] == a["title"] and "园区新增就业岗位一千余个。" not in v["body_text"]
    assert v["published_at"] == a["published_at"]
    assert set(__import__("json").loads(v["changed"])) == {"title", "body_text"}
    old_cap = db.execute_returning_dicts("SELECT * FROM captures WHERE id = ?", [v["old_capture_id"]])[0]
    new_cap = db.execute_returning_dicts("SELECT * FROM captures WHERE id = ?", [v["new_capture_id"]])[0]
    assert old_cap["url"] == new_cap["url"] == art["url"]
    assert old_cap["run_id"] == 1 and new_cap["run_id"] == 2
    assert new_cap["record_type"] == "response" and new_cap["payload_digest"] != old_cap["payload_digest"]
    assert (new_cap["etag"], new_cap["last_modified"]) == ('"v2"', "Tue, 03 Dec 2024 08:00:00 GMT")
    assert (old_cap["etag"], old_cap["last_modified"]) == (None, None)
    # the third crawl saw the same changed page: no new version
    assert db.execute("SELECT count(*) FROM article_versions WHERE article_id = ?", [v["article_id"]]).fetchone()[0] == 1


def test_404_marks_gone_and_keeps_the_record_and_captures(history):
    urls = history["after_second"]["b_url"]
    arts = history["after_second"]["b_article"]
    assert urls and urls[0]["gone_at"]
    assert arts and arts[0]["gone_at"] and arts[0]["title"] == history["b"]["title"]
    db = db_of(history["db"])
    caps = list(db.execute_returning_dicts(
        "SELECT run_id, status FROM captures WHERE url = ? ORDER BY id", [history["base"] + history["b"]["path"]]))
    assert [(c["run_id"], c["status"]) for c in caps] == [(1, 200), (2, 404), (3, 200)]


def test_comeback_clears_the_gone_mark(history):
    db = db_of(history["db"])
    url = history["base"] + history["b"]["path"]
    row = db.execute("SELECT u.gone_at, a.gone_at FROM article_urls u JOIN articles a ON a.id = u.article_id "
                     "WHERE u.url = ?", [url]).fetchone()
    assert row == (None, None)
    assert db.execute("SELECT count(*) FROM articles WHERE gone_at IS NOT NULL").fetchone()[0] == 0


def test_all_files_valid(history):
    assert len(history["files"]) == 3
    result = warcio_check(history["files"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_reparse_reports_missing_and_damaged_files_by_url_and_goes_on(history, tmp_path):
    import shutil

    folder = tmp_path / "w"
    shutil.copytree(history["folder"], folder)
    base = history["base"]
    db = db_of(history["db"])
    # A's payload is in the second crawl's file (the third wrote a revisit); B's in the third's
    a_file = db.execute("SELECT warc_file FROM captures WHERE url = ? AND run_id = 2", [base + history["a"]["path"]]).fetchone()[0]
    b_file, b_off, b_len = db.execute('SELECT warc_file, "offset", length FROM captures WHERE url = ? AND run_id = 3',
                                      [base + history["b"]["path"]]).fetchone()
    assert a_file != b_file
    (folder / a_file).unlink()
    with open(folder / b_file, "r+b") as fh:  # damage B's record
        fh.seek(b_off + 10)
        fh.write(b"\x00" * min(40, b_len - 20))
    before = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    result = run_cli("reparse", "--db", history["db"], "--archive", folder)
    assert result.code == 1, result
    lines = [l for l in result.stderr.splitlines() if l.startswith("unreadable ")]
    assert len(lines) == 2, result
    assert any(l.startswith(f"unreadable {base}{history['a']['path']}:") and a_file in l for l in lines)
    assert any(l.startswith(f"unreadable {base}{history['b']['path']}:") for l in lines)
    assert f"re-parsed {before - 2} of {before} articles" in result.stdout and ": 0 changed" in result.stdout
    assert f"2 of {before} articles could not be read from their WARC files in " + str(folder) in result.stderr
    assert f"the other {before - 2} were re-parsed" in result.stderr
