"""Explicit transactions on the archive's autocommit connections (no migrations, no imports of
other archive modules, so every module can use these)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

import sqlite_utils
from sqlite_utils.utils import sqlite3


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block (or the COMMIT) raises. The
    error raised is the block's own: SQLite rolls some failures back by itself ("database or
    disk is full"), and a ROLLBACK then would only say "no transaction is active"."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        rollback_quietly(db)
        raise


def rollback_quietly(db: sqlite_utils.Database) -> None:
    """ROLLBACK the open transaction, if SQLite has not already; a failing ROLLBACK is not
    raised (the caller is raising the error that made it roll back)."""
    if db.conn.in_transaction:
        try:
            db.execute("ROLLBACK")
        except Exception:  # noqa: BLE001 - the original error is the one to report
            pass


@contextmanager
def joined_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Work inside the caller's open transaction (committing nothing), or, when none is open,
    in a transaction of its own (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on error)."""
    if db.conn.in_transaction:
        yield db
        return
    with transaction(db):
        yield db


# SQLite errors that mean "this archive cannot be written just now" (another writer holds the
# lock, a full disk, a read-only file): a reader may go on with what is stored.
_CANNOT_WRITE = ("locked", "busy", "full", "readonly")


def unless_busy(db: sqlite_utils.Database, work: Callable[[sqlite_utils.Database], object]) -> bool:
    """Run `work(db)` (a catch-up write before a read: the search index, park links), but give
    up after 200 ms when the archive cannot be written (see _CANNOT_WRITE); True when it ran.
    Inside the caller's open transaction it just runs (errors raised)."""
    if db.conn.in_transaction:
        work(db)
        return True
    old = db.execute("PRAGMA busy_timeout").fetchone()[0]
    db.execute("PRAGMA busy_timeout = 200")
    try:
        work(db)
        return True
    except sqlite3.OperationalError as exc:
        if not any(word in str(exc) for word in _CANNOT_WRITE):
            raise
        return False
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(old)}")
