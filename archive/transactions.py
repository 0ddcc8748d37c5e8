"""Explicit transactions on the archive's autocommit connections (no migrations, no imports of
other archive modules, so every module can use these)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import sqlite_utils


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block raises."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextmanager
def joined_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Work inside the caller's open transaction (committing nothing), or, when none is open,
    in a transaction of its own (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on error)."""
    if db.conn.in_transaction:
        yield db
        return
    with transaction(db):
        yield db
