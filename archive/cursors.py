"""Export cursors: incremental exports that deliver every added or changed record at least once.

How a cursor knows what changed
-------------------------------
`articles.updated_at` is the time a writer *computed* (before its transaction commits), at
one-second resolution, and a crawl keeps its write transaction open across saves (archive.store
batches commits). A watermark on (updated_at, id) alone can therefore pass over a row that is
committed later with an older updated_at, or an updated row with a lower id in the watermark's
second: that row would be silently skipped.

So migration v6 also keeps `article_changes(article_id PK, seq)`: triggers on `articles` give a
row a new, strictly increasing `seq` on every insert and update. SQLite has one writer at a
time, so seqs are handed out in commit order: a reader's snapshot holds every seq up to its max
and none above it that can still appear below it. A cursor's watermark is that seq (the highest
one its last complete export covered); it also keeps the (updated_at, id) of the last record
exported, for people reading the table.

    export_cursors(name PK, seq, updated_at, last_id, filters, format, records, moved_at)

Moving a cursor is the last step of an export, after the output file was renamed into place (or
stdout was flushed). A failed or killed export leaves the cursor where it was, and the next
export with that name delivers the same records again: at least once, never skipped. A cursor
remembers the filters it was made with; using it with other filters is refused (it would skip
the records the old filters left out).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

CURSOR_TABLE = "export_cursors"
CHANGES_TABLE = "article_changes"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class CursorError(ValueError):
    """A bad cursor name, or a cursor used with other filters than it was made with."""


def migrate_v6(db) -> None:
    db.execute(
        f"CREATE TABLE {CURSOR_TABLE} (name TEXT PRIMARY KEY, seq INTEGER NOT NULL DEFAULT 0, "
        "updated_at TEXT, last_id INTEGER, filters TEXT NOT NULL DEFAULT '{}', format TEXT, "
        "records INTEGER NOT NULL DEFAULT 0, moved_at TEXT)"
    )
    db.execute(f"CREATE TABLE {CHANGES_TABLE} (article_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL)")
    db.execute(f"CREATE UNIQUE INDEX idx_{CHANGES_TABLE}_seq ON {CHANGES_TABLE}(seq)")
    next_seq = f"(SELECT coalesce(max(seq), 0) + 1 FROM {CHANGES_TABLE})"
    db.execute(
        f"CREATE TRIGGER {CHANGES_TABLE}_ai AFTER INSERT ON articles BEGIN "
        f"INSERT OR REPLACE INTO {CHANGES_TABLE}(article_id, seq) VALUES (new.id, {next_seq}); END"
    )
    db.execute(
        f"CREATE TRIGGER {CHANGES_TABLE}_au AFTER UPDATE ON articles BEGIN "
        f"DELETE FROM {CHANGES_TABLE} WHERE article_id = old.id AND old.id IS NOT new.id; "
        f"INSERT OR REPLACE INTO {CHANGES_TABLE}(article_id, seq) VALUES (new.id, {next_seq}); END"
    )
    db.execute(
        f"CREATE TRIGGER {CHANGES_TABLE}_ad AFTER DELETE ON articles BEGIN "
        f"DELETE FROM {CHANGES_TABLE} WHERE article_id = old.id; END"
    )
    # Articles stored before v6: in (updated_at, id) order.
    db.execute(
        f"INSERT INTO {CHANGES_TABLE}(article_id, seq) "
        "SELECT id, row_number() OVER (ORDER BY updated_at, id) FROM articles"
    )


def check_name(name: str) -> str:
    if not NAME_RE.match(name or ""):
        raise CursorError(
            f"--cursor {name!r}: a cursor name is 1-64 letters, digits, '.', '_' or '-' "
            "(no path characters), starting with a letter or digit"
        )
    return name


@dataclass
class Cursor:
    name: str
    seq: int = 0
    updated_at: str | None = None
    last_id: int | None = None
    filters: dict[str, Any] | None = None
    format: str | None = None
    records: int = 0
    moved_at: str | None = None
    exists: bool = False


def get(db, name: str) -> Cursor:
    row = db.execute(
        f"SELECT seq, updated_at, last_id, filters, format, records, moved_at FROM {CURSOR_TABLE} "
        "WHERE name = ?", [name]
    ).fetchone()
    if row is None:
        return Cursor(name)
    return Cursor(name, row[0], row[1], row[2], json.loads(row[3] or "{}"), row[4], row[5], row[6], True)


def check_filters(cursor: Cursor, filters: dict[str, Any]) -> None:
    if cursor.exists and (cursor.filters or {}) != filters:
        made = ", ".join(f"{k}={v}" for k, v in sorted((cursor.filters or {}).items())) or "no filters"
        raise CursorError(
            f"cursor {cursor.name!r} was made with {made}; an export with other filters would skip "
            "records: use another cursor name"
        )


def high_water(db) -> int:
    """The highest change seq in the reader's current snapshot."""
    return db.execute(f"SELECT coalesce(max(seq), 0) FROM {CHANGES_TABLE}").fetchone()[0]


def move(db, name: str, *, seq: int, updated_at: str | None, last_id: int | None,
         filters: dict[str, Any], fmt: str, records: int) -> None:
    """Record a completed export (one statement: atomic). Call only once the output is complete."""
    moved_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    db.execute(
        f"INSERT INTO {CURSOR_TABLE} (name, seq, updated_at, last_id, filters, format, records, moved_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET seq = excluded.seq, "
        "updated_at = coalesce(excluded.updated_at, updated_at), last_id = coalesce(excluded.last_id, last_id), "
        "filters = excluded.filters, format = excluded.format, records = excluded.records, "
        "moved_at = excluded.moved_at",
        [name, seq, updated_at, last_id, json.dumps(filters, ensure_ascii=False, sort_keys=True), fmt,
         records, moved_at],
    )
