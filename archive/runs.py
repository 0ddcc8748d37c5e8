"""Crawl runs as an operator sees them: schema v5 (more crawl_runs columns, page validators) and
the queries behind `parknews status`, `parknews runs` and broken-site detection.

Migration v5 adds real columns to crawl_runs (exit code, pid, mode, requests, bytes, responses
by status, drops by reason, field coverage of the new records, degraded reasons) and a
`page_validators` table holding the ETag / Last-Modified of fetched article URLs, used by
`crawl --refresh DAYS` for conditional requests.

The ETag / Last-Modified of a response have one owner: its `captures` row (archive/captures.py)
when the crawl writes WARC files (the default). `page_validators` only holds them for responses
no capture records (a crawl with PARKNEWS_WARC off; Archive.save_validators); `validators()`
reads captures first. Rows written there by crawls before this rule stay as a fallback.

Also the other lookups an incremental crawl makes (crawler/incremental.py): whether an article
URL is known or dead (`known_url`), whether a site has run before (`earlier_run_exists`).
"""
from __future__ import annotations

import json
import statistics
from typing import Any

from . import pages
from .clock import now_iso

# Fields whose share among the new records of a run is recorded (coverage), by record field.
COVERAGE_FIELDS: dict[str, str] = {
    "date": "published_at",
    "author": "author",
    "source": "source",
    "body": "body_text",
}

_V5_COLUMNS = [
    ("exit_code", "INTEGER"),
    ("pid", "INTEGER"),
    ("mode", "TEXT"),
    ("requests", "INTEGER NOT NULL DEFAULT 0"),
    ("bytes", "INTEGER NOT NULL DEFAULT 0"),
    ("responses", "TEXT NOT NULL DEFAULT '{}'"),
    ("dropped", "TEXT NOT NULL DEFAULT '{}'"),
    ("coverage", "TEXT NOT NULL DEFAULT '{}'"),
    ("article_links", "INTEGER NOT NULL DEFAULT 0"),
    ("degraded", "TEXT"),
]


def migrate_v5(db) -> None:
    for name, decl in _V5_COLUMNS:
        db.execute(f"ALTER TABLE crawl_runs ADD COLUMN {name} {decl}")
    db.execute(
        """
        CREATE TABLE page_validators (
            url_key TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            fetched_at TEXT NOT NULL
        )
        """
    )


def coverage(stats: dict[str, Any]) -> dict[str, float | None]:
    """Share of the run's new records having each field (None when there were no new records).

    body: new records over every article page that reached the parser and yielded no record
    for want of a body (not_article, no_body drops), so a body selector that stops matching
    shows as a falling body share rather than as silence."""
    def get(key):
        return int(stats.get(key, 0) or 0)

    new = get("parknews/articles/new")
    out: dict[str, float | None] = {}
    for name, field in COVERAGE_FIELDS.items():
        if name == "body":
            denom = new + get("parknews/dropped/no_body") + get("parknews/dropped/not_article")
            out[name] = round(new / denom, 3) if denom else None
        else:
            out[name] = round(1 - get(f"parknews/missing/{field}") / new, 3) if new else None
    return out


def usual_coverage(recent: list[dict[str, Any]], min_new: int) -> dict[str, float | None]:
    """Each COVERAGE_FIELDS share's median over the `recent` runs (recent_runs) that stored at
    least `min_new` new records (PARKNEWS_DEGRADED_MIN_NEW); None where no such run measured it.
    What a run's coverage is compared with (crawler.ops.assess_run, `parknews status`)."""
    baseline = [r for r in recent if (r.get("articles_new") or 0) >= min_new]
    out: dict[str, float | None] = {}
    for name in COVERAGE_FIELDS:
        values = [r["coverage"].get(name) for r in baseline if r["coverage"].get(name) is not None]
        out[name] = statistics.median(values) if values else None
    return out


def mark_run_started(db, run_id: int, *, pid: int, mode: str) -> None:
    db.execute("UPDATE crawl_runs SET pid = ?, mode = ? WHERE id = ?", [pid, mode, run_id])


def record_run_details(db, run_id: int, *, exit_code: int, status: str, counts: dict[str, Any],
                       cover: dict[str, Any], article_links: int, degraded: list[str]) -> None:
    db.execute(
        "UPDATE crawl_runs SET exit_code = ?, status = ?, requests = ?, bytes = ?, responses = ?, "
        "dropped = ?, coverage = ?, article_links = ?, degraded = ? WHERE id = ?",
        [
            exit_code, status, counts.get("requests", 0), counts.get("bytes", 0),
            json.dumps(counts.get("responses_by_status", {}), sort_keys=True),
            json.dumps(counts.get("dropped", {}), sort_keys=True),
            json.dumps(cover, sort_keys=True), article_links,
            "; ".join(degraded) if degraded else None, run_id,
        ],
    )


def interrupt_stale_runs(db, site: str, *, except_id: int | None = None) -> int:
    """Runs of `site` still 'running' whose process is gone become 'interrupted' (a killed
    crawl). Called with the site's crawl lock held, so no live crawl of the site owns them."""
    rows = db.execute(
        "SELECT id FROM crawl_runs WHERE site = ? AND status = 'running' AND id != ?",
        [site, except_id if except_id is not None else -1],
    ).fetchall()
    for (run_id,) in rows:
        db.execute(
            "UPDATE crawl_runs SET status = 'interrupted', finish_reason = 'killed', finished_at = ? "
            "WHERE id = ?", [now_iso(), run_id],
        )
    return len(rows)


def last_pass_complete(db, site: str, *, before_id: int | None = None) -> bool:
    """Whether the site's previous run walked its lists to the end: it finished (not killed,
    interrupted or page-budgeted), stored every record it made (no storage error: a full disk)
    and no list page failed in a way that may pass (a 5xx or a timeout leaves the articles
    behind it unseen). Stopping after N known articles is only safe after such a run;
    otherwise the next run pages through."""
    row = db.execute(
        "SELECT status, finish_reason, counts FROM crawl_runs WHERE site = ? AND id < ? ORDER BY id DESC LIMIT 1",
        [site, before_id if before_id is not None else 1 << 62],
    ).fetchone()
    if not row or row[1] != "finished" or row[0] in ("running", "interrupted"):
        return False
    try:
        counts = json.loads(row[2] or "{}")
    except ValueError:
        counts = {}
    if "complete" in counts:
        return bool(counts["complete"])
    return row[0] != "failed"  # a run recorded before runs said whether they were complete


def earlier_run_exists(db, site: str, *, before_id: int | None = None) -> bool:
    """Whether the site has any crawl_runs row older than `before_id` (any row when None)."""
    return db.execute("SELECT 1 FROM crawl_runs WHERE site = ? AND id < ? LIMIT 1",
                      [site, before_id if before_id is not None else 1 << 62]).fetchone() is not None


def known_url(db, url: str) -> tuple[bool, str | None]:
    """(known, first_seen of its article) for an article URL: known when this exact URL (not its
    key) has an article_urls row, or is a later page of a stored article (archive.pages; the
    first_seen is its article's), or is a dead link (404/410 in fetch_failures; first_seen None)."""
    row = db.execute(
        "SELECT a.first_seen FROM article_urls u JOIN articles a ON a.id = u.article_id "
        "WHERE u.url = ? LIMIT 1", [url],
    ).fetchone()
    if row:
        return True, row[0]
    article = pages.article_of_page(db, url)
    if article is not None:
        row = db.execute("SELECT first_seen FROM articles WHERE id = ?", [article]).fetchone()
        return True, row[0] if row else None
    dead = db.execute("SELECT 1 FROM fetch_failures WHERE url = ? AND status IN (404, 410)", [url]).fetchone()
    return dead is not None, None


def url_last_seen(db, url: str) -> str | None:
    """When this exact URL was last fetched as an article (article_urls.last_seen), or None."""
    row = db.execute("SELECT last_seen FROM article_urls WHERE url = ?", [url]).fetchone()
    return row[0] if row else None


def previous_run_started(db, site: str, *, before_id: int | None = None) -> str | None:
    """When the site's run before `before_id` started (crawl_runs.started_at), or None. With
    last_pass_complete: what an earlier complete walk had already seen."""
    row = db.execute("SELECT started_at FROM crawl_runs WHERE site = ? AND id < ? ORDER BY id DESC LIMIT 1",
                     [site, before_id if before_id is not None else 1 << 62]).fetchone()
    return row[0] if row else None


def failed_before(db, url: str) -> bool:
    """Whether an earlier run already recorded a failure of this exact URL (fetch_failures)."""
    return db.execute("SELECT 1 FROM fetch_failures WHERE url = ? LIMIT 1", [url]).fetchone() is not None


def recent_runs(db, site: str, *, limit: int, before_id: int | None = None) -> list[dict[str, Any]]:
    """The site's last `limit` finished runs (newest first; PARKNEWS_DEGRADED_WINDOW), as dicts with
    coverage decoded."""
    cur = db.execute(
        "SELECT * FROM crawl_runs WHERE site = ? AND id < ? AND finish_reason IS NOT NULL "
        "AND status NOT IN ('running', 'interrupted') ORDER BY id DESC LIMIT ?",
        [site, before_id if before_id is not None else 1 << 62, limit],
    )
    cols = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        item = dict(zip(cols, row))
        item["coverage"] = json.loads(item.get("coverage") or "{}")
        out.append(item)
    return out


def list_runs(db, *, site: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    sql = "SELECT * FROM crawl_runs"
    args: list[Any] = []
    if site:
        sql += " WHERE site = ?"
        args.append(site)
    sql += " ORDER BY id DESC LIMIT ?"
    args.append(limit)
    cur = db.execute(sql, args)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def sites_with_runs(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT DISTINCT site FROM crawl_runs ORDER BY site").fetchall()]


def last_new_article(db, site: str) -> str | None:
    row = db.execute("SELECT max(first_seen) FROM articles WHERE site = ?", [site]).fetchone()
    return row[0] if row else None


# ---- page validators (ETag / Last-Modified) for conditional re-fetches ----

def save_validators(db, key: str, url: str, etag: str | None, last_modified: str | None) -> None:
    db.execute(
        "INSERT INTO page_validators (url_key, url, etag, last_modified, fetched_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(url_key) DO UPDATE SET url = excluded.url, etag = excluded.etag, "
        "last_modified = excluded.last_modified, fetched_at = excluded.fetched_at",
        [key, url, etag, last_modified, now_iso()],
    )


def validators(db, key: str, url: str | None = None) -> tuple[str | None, str | None]:
    """ETag and Last-Modified of the last 200 capture of `url` (captures table, schema v2),
    else the ones page_validators kept for its URL key."""
    if url:
        try:
            row = db.execute(
                "SELECT etag, last_modified FROM captures WHERE url = ? AND status = 200 "
                "AND (etag IS NOT NULL OR last_modified IS NOT NULL) ORDER BY id DESC LIMIT 1", [url],
            ).fetchone()
        except Exception:  # no captures table in this database
            row = None
        if row:
            return row[0], row[1]
    row = db.execute("SELECT etag, last_modified FROM page_validators WHERE url_key = ?", [key]).fetchone()
    return (row[0], row[1]) if row else (None, None)
