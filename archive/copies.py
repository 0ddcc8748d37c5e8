"""What each URL of an article said: `copy_records`, one row per URL (by URL key) with the record
columns as parsed from that URL's last fetch, and the article row recomputed from them.

The store calls `keep` for every stored record (the first copy too) and `remerge` when a record
is a copy of a known article (a new URL, or a copy's URL fetched again), inside its open
transaction. `remerge` sets the article row to the copy archive.merge.choose picks; a changed row
is an update like a re-fetched article's: the caller gets the row's previous versioned fields for
article_versions (archive.captures), the search and parks queues follow from the articles triggers,
and a changed body is fingerprinted again (archive.neardup). Schema: migration 10 (`migrate_v10`).
"""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from crawler.parsing.keys import url_key

from . import captures, merge, neardup, parks

TABLE = "copy_records"
# The large columns: NULL in a copy record means "the same as the article row's" (most articles
# have one URL, whose parse is the row: its text is stored once). hold_shared fills them in
# before the row's values change.
SHARED = ("body_text", "sections")
# articles columns that are the archive's bookkeeping, not part of a parsed record
_NOT_RECORD = ("id", "first_seen", "updated_at", "gone_at")
_OWN = ("url_key", "article_id", "seen_at")


def migrate_v10(db) -> None:
    """copy_records with the articles table's record columns; every article row becomes the
    copy of its own URL (the parses of its other URLs were not kept before this step), its
    SHARED columns NULL (the same as the row's)."""
    cols = [r[1] for r in db.execute("PRAGMA table_info(articles)") if r[1] not in _NOT_RECORD]
    db.execute(
        f"CREATE TABLE {TABLE} (url_key TEXT PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id), "
        f"seen_at TEXT NOT NULL, {', '.join(f'{c} TEXT' for c in cols)})"
    )
    db.execute(f"CREATE INDEX idx_{TABLE}_article ON {TABLE}(article_id)")
    db.execute(
        f"CREATE TRIGGER {TABLE}_article_ad AFTER DELETE ON articles BEGIN "
        f"DELETE FROM {TABLE} WHERE article_id = old.id; END"
    )
    values = ", ".join("NULL" if c in SHARED else "a." + c for c in cols)
    db.execute(  # the URL row is written with the article: its key
        f"INSERT OR IGNORE INTO {TABLE} (url_key, article_id, seen_at, {', '.join(cols)}) "
        f"SELECT u.url_key, a.id, a.updated_at, {values} FROM articles a JOIN article_urls u ON u.url = a.url "
        "ORDER BY a.id")
    for row in db.execute(  # an article whose URL row is missing: the key of its URL
            f"SELECT a.url, a.id, a.updated_at, {values} FROM articles a "
            "WHERE NOT EXISTS (SELECT 1 FROM article_urls u WHERE u.url = a.url) ORDER BY a.id").fetchall():
        db.execute(f"INSERT OR IGNORE INTO {TABLE} (url_key, article_id, seen_at, {', '.join(cols)}) "
                   f"VALUES ({', '.join('?' * (len(cols) + 3))})", [url_key(row[0]), *row[1:]])


def keep(db, article_id: int, row: dict[str, Any], seen_at: str, strip_params: tuple[str, ...] = ()) -> None:
    """Store `row` (a record's articles-row columns, archive.store.record_row) as what its URL said
    (its SHARED columns NULL where they equal the article row's)."""
    values = dict(row, url_key=url_key(row["url"], strip_params), article_id=article_id, seen_at=seen_at)
    stored = db.execute(f"SELECT {', '.join(SHARED)} FROM articles WHERE id = ?", [article_id]).fetchone()
    for name, value in zip(SHARED, stored):
        if values[name] == value:
            values[name] = None
    cols = list(values)
    db.execute(
        f"INSERT INTO {TABLE} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
        f"ON CONFLICT(url_key) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in cols if c != 'url_key')}",
        [values[c] for c in cols],
    )


def hold_shared(db, article_id: int) -> None:
    """Before the article row's SHARED columns change: the copies that said "the same as the
    row" get the row's present values."""
    sets = ", ".join(f"{c} = coalesce({c}, (SELECT {c} FROM articles WHERE id = ?))" for c in SHARED)
    db.execute(f"UPDATE {TABLE} SET {sets} WHERE article_id = ? AND ({' OR '.join(c + ' IS NULL' for c in SHARED)})",
               [article_id] * len(SHARED) + [article_id])


def copies_of(db, article_id: int) -> list[dict[str, Any]]:
    """The article's copy records, the first seen first."""
    return db.execute_returning_dicts(
        f"SELECT rowid AS copy_id, * FROM {TABLE} WHERE article_id = ? ORDER BY rowid", [article_id])


def chosen_index(db, article_id: int, copies: list[dict[str, Any]], strip_params: tuple[str, ...] = ()) -> int | None:
    """Which of `copies` the row should show: archive.merge.choose among the copies whose text no
    other article holds (a copy by canonical URL may carry a body stored as another article)."""
    usable = []
    for i, c in enumerate(copies):
        taken = c.get("content_hash") and db.execute(
            "SELECT 1 FROM articles WHERE content_hash = ? AND id != ?", [c["content_hash"], article_id]
        ).fetchone()
        if not taken:
            usable.append(i)
    if not usable:
        return None
    return usable[merge.choose([copies[i] for i in usable], strip_params)]


def remerge(db, article_id: int, seen_at: str, gaz, strip_params: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """Set the article row to its chosen copy; returns the row's previous versioned fields when
    it changed (for article_versions), else None."""
    copies = copies_of(db, article_id)
    best = chosen_index(db, article_id, copies, strip_params)
    if best is None:
        return None
    chosen = {k: v for k, v in copies[best].items()
              if k not in _OWN and k != "copy_id" and not (k in SHARED and v is None)}
    cols = list(chosen)
    old = db.execute_returning_dicts(
        f"SELECT {', '.join(cols)} FROM articles WHERE id = ?", [article_id])[0]
    if url_key(old["url"], strip_params) == copies[best]["url_key"] or old == chosen:
        return None  # the row is its own URL's already (archive.store keeps that one up to date)
    replaced = captures.snapshot(db, article_id)
    hold_shared(db, article_id)
    db.execute(
        f"UPDATE articles SET {', '.join(f'{c} = ?' for c in cols)}, updated_at = ? WHERE id = ?",
        [chosen[c] for c in cols] + [seen_at, article_id],
    )
    if chosen.get("body_text", old.get("body_text")) != old.get("body_text"):
        neardup.index_article(db, article_id, chosen["body_text"])
        neardup.link_cluster(db, article_id)
    # parks.link_record reads only a record's `parks`
    parks.link_record(db, article_id, SimpleNamespace(parks=json.loads(chosen.get("parks") or "[]")), gaz)
    return replaced

