"""Opening the archive database: WAL mode, pragmas, and schema migrations applied on open.

Every schema change is a numbered step in MIGRATIONS; `open_db` applies the steps a file has
not seen yet, in order, each in its own transaction, and records them in `schema_migrations`.
An older database is upgraded in place without losing a row.
"""
from __future__ import annotations

from pathlib import Path
import time
from typing import Callable

import sqlite_utils
from sqlite_utils.utils import sqlite3

from .clock import now_iso
from .errors import ArchiveError
from .transactions import joined_transaction, transaction  # noqa: F401 (re-exported)
from .captures import migrate_v2 as _v2_captures
from .search import migrate_v3 as _v3_search, migrate_v9 as _v9_search_bi
from .neardup import migrate_v4 as _v4_neardup
from .runs import migrate_v5 as _v5_runs
from .cursors import migrate_v6 as _v6_cursors
from .refused import migrate_v7 as _v7_refused
from .parks import migrate_v8 as _v8_parks
from .copies import migrate_v10 as _v10_copies
from .pages import migrate_v11 as _v11_pages
from .attachments import migrate_v12 as _v12_attachments, migrate_v13 as _v13_attachment_text


def _v1(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            canonical_url TEXT,
            site TEXT,
            title TEXT,
            published_at TEXT,
            source TEXT,
            author TEXT,
            editor TEXT,
            sections TEXT NOT NULL DEFAULT '[]',
            body_text TEXT NOT NULL DEFAULT '',
            images TEXT NOT NULL DEFAULT '[]',
            fetched_at TEXT,
            content_hash TEXT,
            extraction TEXT NOT NULL DEFAULT '{}',
            warnings TEXT NOT NULL DEFAULT '[]',
            parser_version TEXT,
            first_seen TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE UNIQUE INDEX idx_articles_content_hash ON articles(content_hash)")
    db.execute("CREATE INDEX idx_articles_site_published ON articles(site, published_at)")
    db.execute("CREATE INDEX idx_articles_published ON articles(published_at)")
    db.execute("CREATE INDEX idx_articles_canonical ON articles(canonical_url)")
    db.execute(
        """
        CREATE TABLE article_urls (
            url TEXT PRIMARY KEY,
            url_key TEXT NOT NULL,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            site TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_article_urls_article ON article_urls(article_id)")
    db.execute("CREATE INDEX idx_article_urls_key ON article_urls(url_key)")
    db.execute(
        """
        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            finish_reason TEXT,
            pages_fetched INTEGER NOT NULL DEFAULT 0,
            articles_new INTEGER NOT NULL DEFAULT 0,
            articles_updated INTEGER NOT NULL DEFAULT 0,
            articles_unchanged INTEGER NOT NULL DEFAULT 0,
            articles_duplicate INTEGER NOT NULL DEFAULT 0,
            pages_failed INTEGER NOT NULL DEFAULT 0,
            counts TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    db.execute("CREATE INDEX idx_crawl_runs_site ON crawl_runs(site, started_at)")
    db.execute(
        """
        CREATE TABLE fetch_failures (
            url TEXT PRIMARY KEY,
            site TEXT,
            status INTEGER,
            reason TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            last_run_id INTEGER REFERENCES crawl_runs(id)
        )
        """
    )


# (version, description, step). Append only; never edit a released step.
MIGRATIONS: list[tuple[int, str, Callable[[sqlite_utils.Database], None]]] = [
    (1, "articles, article_urls, crawl_runs, fetch_failures", _v1),
    (2, "WARC captures, article versions, gone marks", _v2_captures),
    (3, "full-text search: trigram + bigram FTS5 tables, change queue", _v3_search),
    (4, "near-duplicates: signatures, LSH bands, clusters", _v4_neardup),
    (5, "crawl_runs operator columns, page validators", _v5_runs),
    (6, "export cursors and the article change sequence", _v6_cursors),
    (7, "refused pages: article candidates the parser refused, with their capture", _v7_refused),
    (8, "parks: articles.parks, parks, park_aliases, article_parks, park_candidates, park_queue", _v8_parks),
    (9, "search_bi with positions (detail=full) so 2-character terms are bm25-ranked", _v9_search_bi),
    (10, "copy_records: each URL's own parse of an article; the article row is the chosen copy's", _v10_copies),
    (11, "pages: the page URLs of an article split over several pages", _v11_pages),
    (12, "attachments: the attachment links of an article (附件)", _v12_attachments),
    (13, "attachment_text: the attachments' text, indexed by search (FTS tables rebuilt with an attach column)", _v13_attachment_text),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]


class OlderSchemaError(ArchiveError):
    """A parknews database whose schema is older than this version's (the read commands do not
    upgrade it; `parknews upgrade` and crawls do)."""

    def __init__(self, path: Path, version: int):
        super().__init__(f"{path}: made by an older parknews (schema {version} < {SCHEMA_VERSION}); "
                         f"upgrade it with `parknews upgrade --db {path}`")
        self.version = version



def applied_versions(db: sqlite_utils.Database) -> set[int]:
    if "schema_migrations" not in db.table_names():
        return set()
    return {row["version"] for row in db["schema_migrations"].rows}


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply the steps this database has not had; return the versions applied.

    Each step runs in its own write transaction (BEGIN IMMEDIATE) that reads the applied
    versions *after* taking the lock: two processes opening a fresh file at once apply every
    step exactly once (the second waits, then finds the step done)."""
    if _pending(db) == []:
        return []  # the common case, read without taking the write lock
    applied = []
    for version, description, step in MIGRATIONS:
        with transaction(db):  # one transaction per step: all of it or none of it
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            if version in applied_versions(db):
                continue
            step(db)
            db.execute(
                "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                [version, description, now_iso()],
            )
        applied.append(version)
    return applied


def _pending(db: sqlite_utils.Database) -> list[int]:
    done = applied_versions(db)
    return [v for v, _, _ in MIGRATIONS if v not in done]


LOCK_WAIT_S = 30.0  # how long an open waits for another process's lock (sqlite3 timeout too)


def _connect(path: Path, wal: bool) -> tuple[sqlite_utils.Database, list[str]]:
    """Connect and read the table list, waiting out other processes' locks.

    SQLite's busy handler does not cover every lock an open meets: switching a fresh file to WAL
    while another process does the same, or reading the WAL index while another connection
    rebuilds it, answers SQLITE_BUSY at once. Those are retried until LOCK_WAIT_S has passed;
    any other error (not SQLite, unreadable) is reported at once.
    """
    deadline = time.monotonic() + LOCK_WAIT_S
    delay = 0.01
    while True:
        conn = None
        try:
            # Autocommit mode: every transaction is explicit (see `transaction`), DDL included.
            conn = sqlite3.connect(str(path), timeout=LOCK_WAIT_S, isolation_level=None)
            db = sqlite_utils.Database(conn)
            if wal:
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            return db, db.table_names()
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            busy = isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))
            if not busy or time.monotonic() > deadline:
                raise ArchiveError(f"{path}: not a readable SQLite database ({exc})") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


# The search index's FTS5 tables use contentless_delete=1, which SQLite has since 3.43 (2023).
MIN_SQLITE = (3, 43, 0)


def old_sqlite_message(error: object = None) -> str | None:
    """The one-line explanation when this Python's SQLite is older than MIN_SQLITE and `error`
    (an exception or its text; None: any) is what that causes ("unrecognized option:
    contentless_delete"); None otherwise."""
    if sqlite3.sqlite_version_info >= MIN_SQLITE:
        return None
    if error is not None and "contentless_delete" not in str(error):
        return None
    need = ".".join(map(str, MIN_SQLITE))
    return (f"this Python's SQLite is {sqlite3.sqlite_version} ({sqlite3.__name__}), and the search index "
            f"needs SQLite {need} or later (contentless_delete): `pip install pysqlite3-binary` (a parknews "
            f"dependency on Linux); older SQLite reads every table but search_tri and search_bi")


def open_db(path: str | Path, *, create: bool = True, migrate_schema: bool = True) -> sqlite_utils.Database:
    """Open (and when `create`, create) the archive at `path`, migrated to SCHEMA_VERSION.

    With migrate_schema=False (the read commands) nothing is written: a file without the
    parknews schema (an empty file included) or with an older one is an error, not upgraded,
    and the journal mode is left as it is.

    Raises ArchiveError with a one-line message naming the file when it is missing
    (create=False), unreadable, not SQLite, not parknews's (read-only), older (read-only), or
    from a newer parknews.
    """
    path = Path(path)
    if migrate_schema and old_sqlite_message():  # a crawl or upgrade would write the index
        raise ArchiveError(f"{path}: {old_sqlite_message()}")
    if not create and not path.exists():
        raise ArchiveError(f"{path}: no such database (run a crawl first, or check --db)")
    if path.exists() and path.is_dir():
        raise ArchiveError(f"{path}: is a directory, not a database file")
    if not path.exists() and not path.parent.exists():
        raise ArchiveError(f"{path}: folder {path.parent} does not exist")
    db, tables = _connect(path, migrate_schema)
    if tables and "schema_migrations" not in tables and "articles" in tables:
        raise ArchiveError(f"{path}: has an articles table but no schema_migrations: not a parknews database")
    known = {v for v, _, _ in MIGRATIONS}
    if not migrate_schema:
        if "schema_migrations" not in tables:
            db.close()
            what = "an empty file" if path.stat().st_size == 0 else "no parknews tables"
            raise ArchiveError(f"{path}: not a parknews database ({what}; run a crawl first, or check --db)")
        have = applied_versions(db)
        if known - have and not (have - known):
            db.close()
            raise OlderSchemaError(path, max(have, default=0))
    newer = applied_versions(db) - known
    if newer:
        raise ArchiveError(
            f"{path}: made by a newer parknews (schema {max(newer)} > {SCHEMA_VERSION}); upgrade parknews"
        )
    if not migrate_schema:
        return db
    try:
        migrate(db)
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path}: could not upgrade the schema ({exc})") from None
    return db


# ---------------------------------------------------------------- schema introspection
# (the read commands work on archives of any schema version, so they ask what is there)

def has_table(db, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?",
                      [name]).fetchone() is not None


def columns(db, table: str) -> list[str]:
    if not has_table(db, table):
        return []
    return [r[1] for r in db.execute(f"PRAGMA table_info([{table}])")]
