"""A crawl killed with SIGKILL in the middle leaves readable WARC files and a consistent database;
the next crawl recovers the unfinished `.open` file (complete records kept, the torn tail cut)."""
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zlib

from crawler.demo.server import Page, SiteServer
from crawler.demo.site import build_demo_site
from archive.warc import OPEN_SUFFIX, _complete_prefix, read_record
from pn_testing import ROOT

from archive_capture._helpers import _has_full, crawl, db_of, warc_files, warcio_check


def _count(db_path, sql):
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute(sql).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _captures_read_back(db_path, folder):
    db = db_of(db_path)
    articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    without = db.execute("SELECT count(*) FROM articles a WHERE NOT EXISTS "
                         "(SELECT 1 FROM captures c WHERE c.article_id = a.id)").fetchone()[0]
    assert without == 0, f"{without} of {articles} articles have no capture"
    rows = list(db.execute_returning_dicts("SELECT * FROM captures"))
    for row in rows:
        rec = read_record(folder, row["warc_file"], row["offset"], row["length"])
        assert rec.record_id == row["record_id"] and rec.url == row["url"]
    return articles, len(rows)


def test_kill_9_mid_crawl(tmp_path):
    site = build_demo_site()
    slow = {path: (Page(p.status, p.body, dict(p.headers), delay=1.0) if "/content_" in path else p)
            for path, p in site.pages.items()}
    db_path, folder = tmp_path / "archive.db", tmp_path / "archive.warc"
    with SiteServer(slow) as srv:
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        args = [sys.executable, "-m", "crawler.cli", "crawl", "demo", "--base-url", srv.base_url,
                "--db", str(db_path), "--log-level", "ERROR"] + (["--full"] if _has_full() else [])
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _count(db_path, "SELECT count(*) FROM captures") < 3:
                time.sleep(0.05)
            assert proc.poll() is None, "the crawl ended before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
        # --- right after the kill: the unfinished file is readable up to its last complete record
        open_files = sorted(folder.glob("*" + OPEN_SUFFIX))
        assert len(open_files) == 1 and not warc_files(folder)
        good, members = _complete_prefix(open_files[0])
        assert members >= 3 and good > 0
        articles, caps = _captures_read_back(db_path, folder)  # the DB: every article's capture exists
        assert articles >= 1 and caps >= articles
        # what a kill in the middle of a write leaves: half a gzip member at the end
        comp = zlib.compressobj(6, zlib.DEFLATED, 31)
        member = comp.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + os.urandom(4000)) + comp.flush()
        with open(open_files[0], "ab") as fh:
            fh.write(member[:1000])
        # --- the next crawl recovers it and runs to the end
        srv.pages = dict(site.pages)
        again = crawl(srv.base_url, db_path)
        assert again.code == 0, again
    files = warc_files(folder)
    assert not list(folder.glob("*" + OPEN_SUFFIX))
    recovered = folder / open_files[0].name[: -len(OPEN_SUFFIX)]
    assert recovered in files and recovered.stat().st_size == good
    result = warcio_check(files)
    assert result.returncode == 0, result.stdout + result.stderr
    articles, _ = _captures_read_back(db_path, folder)
    assert articles == site.expected["stored_count"]
