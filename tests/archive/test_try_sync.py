"""The catch-up writes a reader makes before it reads (archive.search.try_sync, archive.parks.try_sync,
both through archive.transactions.unless_busy): done when the archive can be written, skipped within
a moment (not an error) while another process holds the write lock, on a real SQLite file."""
import time

import pytest
import sqlite_utils
from sqlite_utils.utils import sqlite3

from archive import parks, search
from archive.db import open_db
from crawler.parsing.keys import content_hash
from archive.store import Archive
from archive.transactions import unless_busy
from crawler.items import Record

BODY = "苏州工业园区招商引资再创新高，新签约项目120个。"


def _archive_with_one_queued(path):
    archive = Archive(path)
    archive.save(Record(url="http://x.example/a/1.html", site="x", title="园区招商", body_text=BODY,
                        content_hash=content_hash(BODY)))
    archive.close()


def _queued(db):
    return db.execute(f"SELECT count(*) FROM {search.QUEUE_TABLE}").fetchone()[0]


def test_search_try_sync_gives_up_while_locked_and_syncs_after(tmp_path):
    path = tmp_path / "a.db"
    _archive_with_one_queued(path)
    db = open_db(path)
    assert _queued(db) == 1
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another writer
    try:
        started = time.monotonic()
        assert search.try_sync(db) is False
        assert time.monotonic() - started < 5
        assert _queued(db) == 1
        assert search.search(db, "招商", sync=True) == []  # searches what is indexed: nothing yet
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] > 200  # the connection's own timeout is back
    assert search.try_sync(db) is True
    assert _queued(db) == 0
    assert [h.title for h in search.search(db, "招商")] == ["园区招商"]
    assert search.try_sync(db) is True  # nothing queued
    db.close()


def test_parks_try_sync_gives_up_while_locked(tmp_path):
    path = tmp_path / "a.db"
    _archive_with_one_queued(path)
    db = open_db(path)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        assert parks.try_sync(db) is False
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert parks.try_sync(db) is True
    db.close()


def test_unless_busy_raises_other_errors_and_runs_inside_an_open_transaction(tmp_path):
    db = sqlite_utils.Database(tmp_path / "t.db")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        unless_busy(db, lambda d: d.execute("SELECT * FROM missing"))
    db.execute("CREATE TABLE t (x)")
    db.execute("BEGIN IMMEDIATE")
    assert unless_busy(db, lambda d: d.execute("INSERT INTO t VALUES (1)")) is True
    assert db.conn.in_transaction  # joined the caller's transaction, committed nothing
    db.execute("ROLLBACK")
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 0
