"""The CDXJ index of a real crawl (every captured URL in it; a second crawl adds only its own
records; lookups by binary search) and replay of that crawl in pywb, a replay engine no one
here wrote, started on a free port."""
import io
import json
import socket
import time
import urllib.request

import pytest
import sqlite_utils

from pn_testing import run_cli, start_cli


def _lines(path):
    return [l for l in path.read_text("utf-8").splitlines() if l.strip()]


def _captured_urls(db_path, run_id=None):
    db = sqlite_utils.Database(str(db_path))
    sql = "SELECT DISTINCT url FROM captures WHERE record_type IN ('response', 'revisit')"
    rows = db.execute(sql + (" AND run_id = ?" if run_id else ""), [run_id] if run_id else []).fetchall()
    db.close()
    return {u for (u,) in rows}


def test_index_after_each_crawl_lists_every_capture_and_adds_only_new_records(tmp_path):
    from cdxj_indexer import CDXJIndexer

    from archive.cdxj_index import lookup
    from archive.warc import warc_dir_for

    db_path = tmp_path / "demo.db"
    assert run_cli("demo", "--db", db_path).code == 0
    folder = warc_dir_for(db_path)
    index = folder / "index.cdxj"
    first = _lines(index)  # written as the crawl finished
    assert first == sorted(first)
    first_files = {json.loads(l.split(" ", 2)[2])["filename"] for l in first}
    assert _captured_urls(db_path) <= {json.loads(l.split(" ", 2)[2])["url"] for l in first}

    again = run_cli("index", "--db", db_path)
    assert again.code == 0 and "0 records from 0 new WARC files" in again.stdout, again
    assert _lines(index) == first

    assert run_cli("demo", "--db", db_path).code == 0  # incremental: new WARC file, few records
    second = _lines(index)
    assert second == sorted(second)
    assert set(first) <= set(second)
    added = [json.loads(l.split(" ", 2)[2]) for l in second if l not in set(first)]
    assert added and all(a["filename"] not in first_files for a in added)
    new_files = sorted({a["filename"] for a in added})
    assert len(new_files) == 1
    out = io.StringIO()  # exactly the records of the new file, as cdxj-indexer reads them alone
    CDXJIndexer(output=out, inputs=[str(folder / new_files[0])], sort=True).process_all()
    assert sorted(set(second) - set(first)) == out.getvalue().splitlines()
    db = sqlite_utils.Database(str(db_path))
    last_run = db.execute("SELECT max(id) FROM crawl_runs").fetchone()[0]
    db.close()
    assert _captured_urls(db_path, last_run) <= {a["url"] for a in added}

    url = sorted(_captured_urls(db_path))[0]
    hits = lookup(folder, url)
    assert hits and all(h["url"] == url for h in hits)
    assert [h["timestamp"] for h in hits] == sorted(h["timestamp"] for h in hits)
    shown = run_cli("index", "--db", db_path, "--lookup", url)
    assert shown.code == 0 and f"/parknews/{hits[0]['timestamp']}/{url}" in shown.stdout, shown
    at = run_cli("index", "--db", db_path, "--lookup", url, "--at", hits[-1]["timestamp"])
    assert at.code == 0 and at.stdout.count("/parknews/") == 1 and hits[-1]["timestamp"] in at.stdout, at
    bad_at = run_cli("index", "--db", db_path, "--lookup", url, "--at", "soon")
    assert bad_at.code == 2 and "--at 'soon'" in bad_at.stderr and "Traceback" not in bad_at.stderr
    missing = run_cli("index", "--db", db_path, "--lookup", "http://demo.parknews.invalid/no-such-page")
    assert missing.code == 1 and "not in the index" in missing.stderr and "Traceback" not in missing.stderr

    index.unlink()  # a lost index is built again whole
    rebuilt = run_cli("index", "--db", db_path)
    assert rebuilt.code == 0 and _lines(index) == second, rebuilt

    for name in first_files:  # a WARC file removed from the folder: its lines go too
        (folder / name).unlink()
    dropped = run_cli("index", "--db", db_path)
    assert dropped.code == 0 and "1 gone or changed files dropped" in dropped.stdout, dropped
    assert _lines(index) == out.getvalue().splitlines()


def test_replay_without_pywb_set_up_says_how_to_set_it_up(tmp_path):
    (tmp_path / "w").mkdir()
    result = run_cli("replay", "--warc-dir", tmp_path / "w", "--port", "0",
                     env={"PARKNEWS_PYWB_ENV": str(tmp_path / "no-pywb")})
    assert result.code == 2 and "parknews replay --setup" in result.stderr, result
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_index_without_a_warc_folder_is_one_line(tmp_path):
    result = run_cli("index", "--db", tmp_path / "none.db")
    assert result.code == 2 and "no such WARC folder" in result.stderr and "Traceback" not in result.stderr


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, timeout=30):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_replay_in_pywb_serves_an_article_and_the_gbk_page_as_captured(archive):
    from archive.warc import warc_dir_for, read_record
    from crawler.replay import PYWB_REQUIREMENT, pywb_env, pywb_python, replay_url

    if pywb_python() is None:
        pytest.skip(f"pywb is not set up in {pywb_env()} (`parknews replay --setup` installs {PYWB_REQUIREMENT})")
    db = sqlite_utils.Database(str(archive["db"]))
    caps = db.execute(
        "SELECT a.title, c.url, c.fetched_at, c.warc_file, c.\"offset\", c.length FROM captures c "
        "JOIN articles a ON a.id = c.article_id WHERE a.site = 'demo' AND c.record_type = 'response' "
        "ORDER BY c.id").fetchall()
    db.close()
    gbk_path = archive["site"].expected["gbk_path"]
    gbk = [c for c in caps if c[1].endswith(gbk_path)]
    assert caps and gbk
    port = _free_port()
    proc = start_cli("replay", "--db", archive["db"], "--port", port)
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "pywb did not start"
                time.sleep(0.3)
        title, url, fetched_at = caps[0][:3]
        status, headers, body = _get(replay_url(url, fetched_at, base=base))
        assert status == 200
        assert f"<title>{title}".encode() in body or title.encode() in body

        title, url, fetched_at, warc_file, offset, length = gbk[0]
        stored = read_record(warc_dir_for(archive["db"]), warc_file, offset, length)
        status, headers, body = _get(replay_url(url, fetched_at, base=base, original=True))
        assert status == 200
        assert body == stored.body and body.decode("gb18030").count(title) >= 1
        assert "charset=gb2312" in headers.get("Content-Type", "").lower().replace(" ", "")
        status, headers, body = _get(replay_url(url, fetched_at, base=base))  # rewritten, same charset
        assert status == 200 and title in body.decode("gb18030")
    finally:
        proc.terminate()
        proc.wait(20)
    with pytest.raises(OSError):  # parknews replay stopped pywb with it
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_a_damaged_list_of_indexed_files_fails_the_index_not_the_crawl(tmp_path):
    from archive.warc import warc_dir_for

    db_path = tmp_path / "demo.db"
    folder = warc_dir_for(db_path)
    folder.mkdir()
    (folder / "index.cdxj.files").write_text("{not json", encoding="utf-8")
    crawl = run_cli("demo", "--db", db_path, "--log-level", "ERROR")
    assert crawl.code == 0, crawl
    assert "CDXJ index not brought up to date" in crawl.stderr and "index.cdxj.files" in crawl.stderr
    result = run_cli("index", "--db", db_path)
    assert result.code == 2 and "Traceback" not in result.stderr, result
    assert "index.cdxj.files" in result.stderr and "parknews index` builds the index again" in result.stderr
    (folder / "index.cdxj.files").unlink()
    assert run_cli("index", "--db", db_path).code == 0
    assert _captured_urls(db_path) <= {json.loads(l.split(" ", 2)[2])["url"] for l in _lines(folder / "index.cdxj")}
