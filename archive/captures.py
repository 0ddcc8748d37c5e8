"""Captures (where each fetch of an article URL is stored in the WARC files), article versions
(the previous values of an article whose text, title or date changed on a re-fetch), and gone
marks (an article URL that answers 404/410).

The store calls `on_saved` and `on_failure` inside its open transaction, so an article row and
its capture row are committed together. Schema: migration 2 (`migrate_v2`).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from . import dedup

# Fields whose change on a re-fetch makes an article_versions row.
VERSIONED_FIELDS = ("title", "published_at", "body_text")
GONE_STATUSES = (404, 410)

CAPTURE_COLUMNS = (
    "url", "article_id", "warc_file", "offset", "length", "record_id", "record_type", "refers_to",
    "payload_digest", "status", "fetched_at", "etag", "last_modified", "run_id",
)


def migrate_v2(db) -> None:
    """captures, article_versions, and gone_at on articles and article_urls."""
    db.execute(
        """
        CREATE TABLE captures (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            article_id INTEGER REFERENCES articles(id),
            warc_file TEXT NOT NULL,
            "offset" INTEGER NOT NULL,
            length INTEGER NOT NULL,
            record_id TEXT NOT NULL,
            record_type TEXT NOT NULL DEFAULT 'response',
            refers_to TEXT,
            payload_digest TEXT,
            status INTEGER,
            fetched_at TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            run_id INTEGER
        )
        """
    )
    db.execute("CREATE INDEX idx_captures_url ON captures(url, id)")
    db.execute("CREATE INDEX idx_captures_article ON captures(article_id, id)")
    db.execute("CREATE INDEX idx_captures_record ON captures(record_id)")
    db.execute(
        """
        CREATE TABLE article_versions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            title TEXT,
            published_at TEXT,
            body_text TEXT,
            content_hash TEXT,
            changed TEXT NOT NULL DEFAULT '[]',
            old_capture_id INTEGER REFERENCES captures(id),
            new_capture_id INTEGER REFERENCES captures(id),
            seen_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_article_versions_article ON article_versions(article_id, id)")
    db.execute("ALTER TABLE articles ADD COLUMN gone_at TEXT")
    db.execute("ALTER TABLE article_urls ADD COLUMN gone_at TEXT")


# ---- reading ----

def latest_capture(db, url: str) -> dict[str, Any] | None:
    """The last capture row of exactly this URL."""
    rows = db.execute_returning_dicts(
        "SELECT * FROM captures WHERE url = ? ORDER BY id DESC LIMIT 1", [url]
    )
    return rows[0] if rows else None


def capture_by_record_id(db, record_id: str) -> dict[str, Any] | None:
    rows = db.execute_returning_dicts(
        "SELECT * FROM captures WHERE record_id = ? ORDER BY id LIMIT 1", [record_id]
    )
    return rows[0] if rows else None


def revisit_target(db, url: str, digest: str, status: int) -> dict[str, Any] | None:
    """When the last capture of `url` (as fetched: a conversion is not one) had this payload
    digest and status: the full response record holding that payload ({record_id, warc_date,
    url}), for a revisit record."""
    row = db.execute(
        "SELECT record_type, refers_to, payload_digest, status, record_id, fetched_at, url "
        "FROM captures WHERE url = ? AND record_type IN ('response', 'revisit') ORDER BY id DESC LIMIT 1",
        [url],
    ).fetchone()
    if not row or row[2] != digest or row[3] != status:
        return None
    if row[0] == "revisit":
        orig = db.execute(
            "SELECT record_id, fetched_at, url FROM captures WHERE record_id = ? LIMIT 1", [row[1]]
        ).fetchone()
        if not orig:
            return None
        return {"record_id": orig[0], "warc_date": orig[1], "url": orig[2]}
    return {"record_id": row[4], "warc_date": row[5], "url": row[6]}


def snapshot(db, article_id: int) -> dict[str, Any]:
    """The versioned fields (and content hash) of an article as stored now."""
    rows = db.execute_returning_dicts(
        "SELECT title, published_at, body_text, content_hash FROM articles WHERE id = ?", [article_id]
    )
    return rows[0] if rows else {}


def fetched_at_seconds(warc_date: str) -> str:
    """A WARC-Date as the records' fetched_at: ISO 8601, seconds, +00:00."""
    return datetime.fromisoformat(warc_date.replace("Z", "+00:00")).isoformat(timespec="seconds")


# ---- writing (inside the store's transaction) ----

def insert_capture(db, capture: dict[str, Any], article_id: int | None) -> int:
    values = dict(capture, article_id=article_id)
    cols = ", ".join(f'"{c}"' for c in CAPTURE_COLUMNS)
    cur = db.execute(
        f"INSERT INTO captures ({cols}) VALUES ({', '.join('?' * len(CAPTURE_COLUMNS))})",
        [values.get(c) for c in CAPTURE_COLUMNS],
    )
    return cur.lastrowid


def _last_ok_capture_id(db, article_id: int) -> int | None:
    row = db.execute(
        "SELECT id FROM captures WHERE article_id = ? AND status BETWEEN 200 AND 299 "
        "ORDER BY id DESC LIMIT 1",
        [article_id],
    ).fetchone()
    return row[0] if row else None


def _clear_gone(db, url: str, article_id: int, strip_params: tuple[str, ...]) -> None:
    db.execute(
        "UPDATE article_urls SET gone_at = NULL WHERE url_key = ? AND gone_at IS NOT NULL",
        [dedup.url_key(url, strip_params)],
    )
    db.execute("UPDATE articles SET gone_at = NULL WHERE id = ? AND gone_at IS NOT NULL", [article_id])


def on_saved(db, record, outcome: str, article_id: int, *, capture: dict[str, Any] | None,
             replaced: dict[str, Any] | None, seen_at: str, strip_params: tuple[str, ...] = (),
             page_captures: tuple[dict[str, Any], ...] = ()) -> None:
    """After Archive.save wrote `record` (outcome new/updated/unchanged/duplicate): clear the
    URL's gone mark, add the capture row (and one per later page of a multi-page article,
    `page_captures`, linked to the same article: archive.pages), and when the article's text,
    title or date changed (`replaced`: the article's previous column values), an
    article_versions row."""
    _clear_gone(db, record.url, article_id, strip_params)
    old_capture = _last_ok_capture_id(db, article_id) if replaced else None
    new_capture = insert_capture(db, capture, article_id) if capture else None
    for page in page_captures:
        insert_capture(db, page, article_id)
    if replaced:
        add_version(db, record, article_id, replaced, old_capture=old_capture, new_capture=new_capture,
                    seen_at=seen_at)


def on_reparsed(db, record, article_id: int, *, replaced: dict[str, Any] | None, seen_at: str) -> None:
    """After Archive.save rewrote `record` from a stored capture (a re-parse, no new fetch): an
    article_versions row when its text, title or date changed; no capture is added."""
    if replaced:
        add_version(db, record, article_id, replaced, old_capture=_last_ok_capture_id(db, article_id),
                    new_capture=None, seen_at=seen_at)


def add_version(db, record, article_id: int, replaced: dict[str, Any], *, old_capture: int | None,
                new_capture: int | None, seen_at: str) -> None:
    """An article_versions row keeping `replaced` (the article's previous values) when its text,
    title or date differ from the row as written now (`record`'s, or the merged copy's that
    archive.copies chose)."""
    now = snapshot(db, article_id)
    changed = [f for f in VERSIONED_FIELDS if replaced.get(f) != now.get(f)]
    if not changed:
        return
    db.execute(
        "INSERT INTO article_versions (article_id, title, published_at, body_text, content_hash, "
        "changed, old_capture_id, new_capture_id, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [article_id, replaced.get("title"), replaced.get("published_at"), replaced.get("body_text"),
         replaced.get("content_hash"), json.dumps(changed), old_capture, new_capture, seen_at],
    )


def on_failure(db, url: str, status: int | None, *, capture: dict[str, Any] | None, seen_at: str,
               strip_params: tuple[str, ...] = ()) -> None:
    """A fetch of `url` failed: a capture row when it is a known article URL, and a gone mark on
    the URL (and on the article once all its URLs are gone) for 404/410."""
    key = dedup.url_key(url, strip_params)
    row = db.execute("SELECT article_id FROM article_urls WHERE url_key = ? LIMIT 1", [key]).fetchone()
    if row is None:
        return
    article_id = row[0]
    if capture:
        insert_capture(db, capture, article_id)
    if status in GONE_STATUSES:
        db.execute(
            "UPDATE article_urls SET gone_at = ? WHERE url_key = ? AND gone_at IS NULL", [seen_at, key]
        )
        db.execute(
            "UPDATE articles SET gone_at = ? WHERE id = ? AND gone_at IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM article_urls WHERE article_id = ? AND gone_at IS NULL)",
            [seen_at, article_id, article_id],
        )
