"""The end-of-run search index sync under real faults: a full disk (a small tmpfs mounted by
the test) and a kill -9 in the middle of it. The run's row is truthful (never 'ok' when the
sync did not finish), the error is one line naming the cause, and `search` on the full disk
answers from what is indexed instead of crashing."""
import os
import random
import signal
import subprocess
import time

import pytest

from pn_testing import run_cli, start_cli


def _queue_many_articles(db_path, n, seed=1):
    """`n` stored articles waiting in the search queue (as a big crawl leaves them)."""
    from archive.store import Archive
    from crawler.items import Record
    from archive.validate import normalize_record

    rng = random.Random(seed)
    archive = Archive(db_path, batch_size=1000)
    for i in range(n):
        body = "".join(chr(0x4e00 + rng.randrange(6000)) for _ in range(600)) + "。园区招商"
        archive.save(normalize_record(Record(url=f"http://bulk.example/a/{i}.html", site="bulk",
                                             title=f"园区新闻{i}", body_text=body)))
    archive.close()


def _checkpoint(db_path):
    from archive.db import open_db

    db = open_db(db_path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _queued(db_path):
    import sqlite3

    conn = sqlite3.connect(db_path, timeout=30)
    try:
        return conn.execute("SELECT count(*) FROM search_queue").fetchone()[0]
    finally:
        conn.close()


def _run_rows(ops, db):
    return ops.db_rows(db, "SELECT id, site, status, exit_code FROM crawl_runs WHERE site = 'idx' ORDER BY id")


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root): no real full-disk test")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _resize(mount, size):
    subprocess.run(["mount", "-o", f"remount,size={size}", str(mount)], check=True, capture_output=True)


def test_full_disk_during_the_index_sync(small_disk, tmp_path, ops):
    pages = ops.generate_site(5, seed=41)
    db = small_disk / "a.db"
    with ops.SiteServer(dict(pages)) as srv:
        site = ops.write_site(tmp_path, "idx", srv.base_url)
        args = ("crawl", site, "--db", db, "--warc-dir", tmp_path / "warc", "--delay", "0", "--log-level", "ERROR")
        assert ops.run(*args).code == 0
        _queue_many_articles(db, 1500)
        _checkpoint(db)
        used = sum(f.stat().st_size for f in small_disk.rglob("*") if f.is_file())
        _resize(small_disk, used + 512 * 1024)  # room for the crawl's own writes, not the index

        full = ops.run(*args)
        assert full.code == 1, full
        assert "Traceback" not in full.stderr and "cannot rollback" not in full.stderr, full.stderr[-3000:]
        last = full.stderr.strip().splitlines()[-1]
        assert "database or disk is full" in last and "search index" in last, full.stderr[-3000:]
        rows = _run_rows(ops, db)
        assert rows[-1]["status"] in ("failed", "running"), rows  # never 'ok'
        assert rows[-1]["exit_code"] in (1, None)

        found = run_cli("search", "园区招商", "--db", db)  # on the full disk: no crash
        assert "Traceback" not in found.stderr and found.code in (0, 1), found

        _resize(small_disk, "64m")  # space again: the next crawl brings the index up to date
        again = ops.run(*args)
        assert again.code == 0, again
        assert _queued(db) == 0
        assert _run_rows(ops, db)[-1]["status"] == "ok"


def test_kill_during_the_index_sync_does_not_leave_the_run_ok(tmp_path, ops):
    pages = ops.generate_site(5, seed=42)
    db = tmp_path / "k.db"
    with ops.SiteServer(dict(pages)) as srv:
        site = ops.write_site(tmp_path, "idx", srv.base_url)
        args = ("crawl", site, "--db", db, "--delay", "0", "--log-level", "ERROR")
        assert ops.run(*args).code == 0
        _queue_many_articles(db, 2500, seed=2)
        before = _queued(db)
        proc = start_cli(*args)
        try:
            ops.wait_for(lambda: proc.poll() is not None or _queued(db) < before, timeout=120, every=0.02)
            assert proc.poll() is None, "the sync ended before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
        assert 0 < _queued(db) < before  # killed in the middle of the sync
        assert _run_rows(ops, db)[-1]["status"] == "running"  # not 'ok': the run had not finished
        again = ops.run(*args)  # the next crawl marks it interrupted and finishes the index
        assert again.code == 0, again
        assert [r["status"] for r in _run_rows(ops, db)][-2:] == ["interrupted", "ok"]
        assert _queued(db) == 0
