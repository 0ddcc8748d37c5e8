"""Pages 2…n of multi-page articles in the archive: the `pages` column (migration 11), which
article a later page belongs to (so it is never stored, nor fetched again, as an article of its
own), and the captures of every page (so `parknews reparse` re-reads and merges them).

A later page's fetch is a captures row of its article (`captures.article_id`, written with the
article by archive.captures.on_saved); the article's `pages` column lists its pages in order.
"""
from __future__ import annotations

import json
from typing import Any


def migrate_v11(db) -> None:
    """articles.pages and copy_records.pages: the page URLs of a multi-page article ('[]': one page)."""
    db.execute("ALTER TABLE articles ADD COLUMN pages TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE copy_records ADD COLUMN pages TEXT DEFAULT '[]'")


def article_of_page(db, url: str) -> int | None:
    """The stored article whose later page `url` is (a 2xx capture of it linked to an article
    whose own URL it is not), or None."""
    row = db.execute(
        "SELECT c.article_id FROM captures c JOIN articles a ON a.id = c.article_id "
        "WHERE c.url = ? AND a.url != c.url AND c.status BETWEEN 200 AND 299 LIMIT 1", [url],
    ).fetchone()
    return row[0] if row else None


def stored_pages(value: Any) -> list[str]:
    """An articles.pages value (JSON text, a list, or NULL) as a list of URLs."""
    if isinstance(value, list):
        return value
    return json.loads(value) if value else []


def page_captures(db, article_id: int, pages: list[str]) -> list[tuple[str, dict[str, Any] | None]]:
    """(URL, latest 2xx capture row or None) of each later page (pages[1:]) of an article."""
    out = []
    for url in pages[1:]:
        rows = db.execute_returning_dicts(
            "SELECT id AS capture_id, * FROM captures WHERE article_id = ? AND url = ? "
            "AND status BETWEEN 200 AND 299 ORDER BY id DESC LIMIT 1", [article_id, url])
        out.append((url, rows[0] if rows else None))
    return out
