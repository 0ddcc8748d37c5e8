"""Refused pages: article candidates the parser would not take (not an article, a parse error, a
record failing the crawl's checks in archive.validate), kept so that no page is lost without a trace.

The crawl captures every response in the WARC files anyway; a refused page gets a `captures` row
(article_id NULL) and a `refused_pages` row saying why, with which parser version, when it was
first and last refused. When a later crawl or `parknews reparse` stores the URL as an article,
the row is marked recovered (`recovered_article_id`, `recovered_at`) and its capture row is
linked to the article. Schema: migration 7 (`migrate_v7`).
"""
from __future__ import annotations

from typing import Any

from .captures import insert_capture
from .transactions import joined_transaction


def migrate_v7(db) -> None:
    db.execute(
        """
        CREATE TABLE refused_pages (
            url TEXT PRIMARY KEY,
            site TEXT,
            reason TEXT NOT NULL,
            detail TEXT,
            capture_id INTEGER REFERENCES captures(id),
            parser_version TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            times_refused INTEGER NOT NULL DEFAULT 1,
            last_run_id INTEGER,
            recovered_article_id INTEGER REFERENCES articles(id),
            recovered_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX idx_refused_pages_site ON refused_pages(site, recovered_at)")


def record(db, url: str, *, site: str | None, reason: str, detail: str = "", parser_version: str | None,
           capture: dict[str, Any] | None, seen_at: str, run_id: int | None = None) -> None:
    """Record (or record again) a refused page; its capture becomes a captures row. Joins the
    caller's transaction."""
    with joined_transaction(db):
        capture_id = insert_capture(db, capture, None) if capture else None
        db.execute(
            "INSERT INTO refused_pages (url, site, reason, detail, capture_id, parser_version, first_seen, "
            "last_seen, last_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
            "site = excluded.site, reason = excluded.reason, detail = excluded.detail, "
            "capture_id = COALESCE(excluded.capture_id, refused_pages.capture_id), "
            "parser_version = excluded.parser_version, last_seen = excluded.last_seen, "
            "last_run_id = excluded.last_run_id, times_refused = refused_pages.times_refused + 1, "
            "recovered_article_id = NULL, recovered_at = NULL",
            [url, site, reason, detail or None, capture_id, parser_version, seen_at, seen_at, run_id],
        )


def on_stored(db, url: str, article_id: int, seen_at: str) -> None:
    """The URL was stored as an article: mark its refusal recovered and link its capture."""
    row = db.execute("SELECT capture_id FROM refused_pages WHERE url = ? AND recovered_at IS NULL",
                     [url]).fetchone()
    if row is None:
        return
    db.execute("UPDATE refused_pages SET recovered_article_id = ?, recovered_at = ? WHERE url = ?",
               [article_id, seen_at, url])
    if row[0] is not None:
        db.execute("UPDATE captures SET article_id = ? WHERE id = ? AND article_id IS NULL", [article_id, row[0]])


def pending(db, site: str | None = None) -> list[dict[str, Any]]:
    """Refused pages not recovered yet, with their capture (for a retry), oldest first."""
    sql = ("SELECT r.url, r.site, r.reason, r.parser_version, r.capture_id, c.warc_file, c.\"offset\", c.length, "
           "c.record_id, c.record_type, c.refers_to, c.fetched_at "
           "FROM refused_pages r LEFT JOIN captures c ON c.id = r.capture_id WHERE r.recovered_at IS NULL")
    params: list = []
    if site:
        sql += " AND r.site = ?"
        params.append(site)
    return db.execute_returning_dicts(sql + " ORDER BY r.first_seen, r.url", params)


def counts(db, site: str | None = None) -> dict[str, Any]:
    """{"refused": N not recovered, "recovered": M, "reasons": {reason: n}} (not recovered)."""
    where, params = "", []
    if site:
        where, params = " WHERE site = ?", [site]
    if "refused_pages" not in db.table_names():
        return {"refused": 0, "recovered": 0, "reasons": {}}
    rows = db.execute(
        f"SELECT reason, recovered_at IS NOT NULL, COUNT(*) FROM refused_pages{where} GROUP BY 1, 2", params
    ).fetchall()
    out: dict[str, Any] = {"refused": 0, "recovered": 0, "reasons": {}}
    for reason, recovered, n in rows:
        if recovered:
            out["recovered"] += n
        else:
            out["refused"] += n
            out["reasons"][reason] = out["reasons"].get(reason, 0) + n
    return out


def format_counts(c: dict[str, Any]) -> str:
    """One line: 'N (list_page 2, no_body 1), M recovered'."""
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(c["reasons"].items(), key=lambda kv: (-kv[1], kv[0])))
    text = f"{c['refused']}" + (f" ({reasons})" if reasons else "")
    return text + (f", {c['recovered']} recovered" if c["recovered"] else "")
