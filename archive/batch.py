"""One archive connection and its batched write transaction, shareable by several writers in
one thread.

A crawl's writes go into one open transaction (BEGIN IMMEDIATE) committed every `batch_size`
writes or `batch_seconds` seconds and on `flush()`. Several crawlers in one process all run on
the reactor's one thread: with a connection each, a crawler waiting for the write lock (the
busy timeout blocks the thread) keeps the one holding it from ever committing, a deadlock. So
the writers of one database in one process share ONE `WriteBatch` (`shared`): their writes
serialise on the thread, any of them may commit the common transaction, and `before_commit`
holds every writer's hook (each crawl's WARC fsync) so whatever commits, every captures row
committed names bytes already on disk. The connection closes when its last user `release`s it.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from .db import open_db
from .transactions import rollback_quietly

_SHARED: dict[Path, "WriteBatch"] = {}


class WriteBatch:
    def __init__(self, path: str | Path, *, batch_size: int, batch_seconds: float):
        self.path = Path(path)
        self.db = open_db(self.path)
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.in_tx = False
        self.serial = 0  # which transaction is open (matches made in it stay valid)
        self._pending = 0
        self._started = 0.0
        # called before every commit: the WARC writers' fsync (crawler.capture registers them)
        self.before_commit: list[Callable[[], None]] = []
        self.users = 1
        self._key: Path | None = None  # in the shared registry under this key

    def begin(self) -> None:
        if not self.in_tx:
            self.db.execute("BEGIN IMMEDIATE")
            self.in_tx = True
            self.serial += 1
            self._pending = 0
            self._started = time.monotonic()

    def wrote(self) -> None:
        self._pending += 1
        if self._pending >= self.batch_size or time.monotonic() - self._started >= self.batch_seconds:
            self.flush()

    def flush(self) -> None:
        if self.in_tx:
            try:
                for hook in list(self.before_commit):
                    hook()
            except BaseException:
                self.rollback()  # what the batch names is not durable: none of it is stored
                raise
            try:
                self.db.execute("COMMIT")
            except BaseException:
                self.rollback()
                raise
            self.in_tx = False
            self._pending = 0

    def rollback(self) -> None:
        if self.in_tx:
            self.in_tx = False
            self._pending = 0
            rollback_quietly(self.db)  # SQLite may have rolled back already (a full disk)

    def release(self) -> None:
        """One user is done: commit what is pending; the last one closes the connection."""
        self.users -= 1
        if self.users > 0:
            self.flush()
            return
        if self._key is not None and _SHARED.get(self._key) is self:
            del _SHARED[self._key]
        try:
            self.flush()
        finally:
            self.db.close()


def shared(path: str | Path, *, batch_size: int, batch_seconds: float) -> WriteBatch:
    """This process's batch for the database at `path` (opened on first use; the first user's
    batch size and seconds apply); every caller `release`s it once."""
    key = Path(path).resolve()
    batch = _SHARED.get(key)
    if batch is not None:
        batch.users += 1
        return batch
    batch = WriteBatch(path, batch_size=batch_size, batch_seconds=batch_seconds)
    batch._key = key
    _SHARED[key] = batch
    return batch
