"""Explicit transactions on the archive's autocommit connections (no migrations, no imports of
other archive modules, so every module can use these)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import sqlite_utils


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
