"""Writing the archive: articles, the URLs they were seen at, crawl runs and fetch failures.

Writes are batched in one open transaction that is committed every `batch_size` writes or
`batch_seconds` seconds, and always on `flush()`/`close()`: a crawl is not slowed by one
commit per article. Storage errors propagate; nothing here swallows them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from crawler.parsing.record import COMPARED_FIELDS, JSON_FIELDS, RECORD_FIELDS, Record

from . import captures, copies, dedup, neardup, parks, refused, runs
from .clock import now_iso
from .batch import WriteBatch

# Outcomes of Archive.save
NEW = "new"
UNCHANGED = "unchanged"
UPDATED = "updated"
DUPLICATE = "duplicate"

# The articles table's record columns are the record's fields (crawler.items).
JSON_COLUMNS = JSON_FIELDS
ARTICLE_COLUMNS = RECORD_FIELDS
# Columns compared to decide whether a re-fetched article changed.
COMPARED_COLUMNS = COMPARED_FIELDS



def _same(column: str, old: Any, new: Any) -> bool:
    """Whether a compared column is unchanged; images by src and caption only (their capture
    references, crawler/images.py, differ on every fetch of the same image)."""
    if old == new or column != "images":
        return old == new

    def shown(text):
        return [(i.get("src"), i.get("caption")) for i in json.loads(text or "[]")]
    return shown(old) == shown(new)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def record_row(record: Record) -> dict[str, Any]:
    """The articles-table row of a record (JSON columns serialized)."""
    data = record.to_dict()
    row = {name: data[name] for name in ARTICLE_COLUMNS}
    for name in JSON_COLUMNS:
        row[name] = _dumps(row[name] if row[name] is not None else ([] if name != "extraction" else {}))
    return row


@dataclass
class SaveResult:
    outcome: str  # NEW, UNCHANGED, UPDATED or DUPLICATE
    article_id: int
    how: str = ""  # for duplicates: "url", "canonical_url" or "content_hash"
    changed: tuple[str, ...] = ()  # for UPDATED: the compared columns that changed


# A write transaction is committed after this many writes or seconds, whichever comes first
# (the defaults of the crawl's PARKNEWS_BATCH_SIZE / PARKNEWS_BATCH_SECONDS, crawler/settings.py).
BATCH_SIZE = 200
BATCH_SECONDS = 2.0


class Archive:
    """One writer's view of an archive database (a crawl, a reparse): its URL rules and parks;
    the connection and its batched transaction are its own, or shared by the crawls of one
    process (archive.batch)."""

    def __init__(self, path: str | Path, *, batch_size: int = BATCH_SIZE, batch_seconds: float = BATCH_SECONDS,
                 strip_params: tuple[str, ...] = (), batch: WriteBatch | None = None):
        """`batch`: a connection shared with other writers in this thread (archive.batch.shared,
        several crawls in one process); `close()` then releases it. By default the archive has
        its own."""
        self.path = Path(path)
        self.batch = batch or WriteBatch(self.path, batch_size=batch_size, batch_seconds=batch_seconds)
        self.db = self.batch.db
        self.strip_params = tuple(strip_params)
        self._gazetteer = parks.gazetteer(self.db)  # parks users added: read once per writer

    # ---- transactions (archive.batch: one open transaction, committed in batches) ----
    @property
    def before_commit(self) -> list[Callable[[], None]]:
        """Called before every commit: the WARC writer's fsync, so a committed captures row
        never names bytes the disk does not hold yet (crawler.capture registers it)."""
        return self.batch.before_commit

    @property
    def _in_tx(self) -> bool:
        return self.batch.in_tx

    def _begin(self) -> None:
        self.batch.begin()

    def _wrote(self) -> None:
        self.batch.wrote()

    def flush(self) -> None:
        self.batch.flush()

    def rollback(self) -> None:
        self.batch.rollback()

    def close(self) -> None:
        self.batch.release()

    def add_site_parks(self, site: str, entries) -> None:
        """A site file's [[park]] tables join this archive's gazetteer (archive.parks)."""
        self.flush()
        if parks.add_site_parks(self.db, site, entries):
            self._gazetteer = parks.gazetteer(self.db)

    # ---- articles ----
    def _add_url(self, url: str, article_id: int, site: str | None, seen_at: str) -> None:
        self.db.execute(
            "INSERT INTO article_urls (url, url_key, article_id, site, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET last_seen = excluded.last_seen",
            [url, dedup.url_key(url, self.strip_params), article_id, site, seen_at, seen_at],
        )

    def match(self, record: Record) -> dedup.Match:
        """What the archive holds for this record already (see archive.dedup.match)."""
        found = dedup.match(self.db, record, self.strip_params)
        found.tx = self.batch.serial if self._in_tx else None  # read under our write lock?
        return found

    def save(self, record: Record, match: dedup.Match | None = None, *,
             seen_at: str | None = None, capture: dict[str, Any] | None = None,
             fetched: bool = True, compared: tuple[str, ...] = COMPARED_COLUMNS,
             article_id: int | None = None, page_captures: tuple[dict[str, Any], ...] = ()) -> SaveResult:
        """Store one parsed record: a new article, a known one seen again, or a copy of one.

        `match` is the record's dedup.match, when the caller has it already; one made outside
        this write transaction is made again inside it, so the lookup and the insert are one
        atomic step (another process sharing the database may have stored the same text
        meanwhile: the record is then its duplicate, not a UNIQUE constraint error). `capture` (where
        the fetch is in the WARC files, see crawler.capture) becomes a captures row in the same
        transaction (`page_captures`: those of pages 2…n of a multi-page article, archive.pages); a
        changed text, title or date keeps the old values in article_versions.

        `fetched=False` is a re-parse of a stored capture, not a fetch: the URL's last_seen and
        gone marks are left as they are and no captures row is added. `compared` are the columns
        whose change makes a known URL's article UPDATED (a re-parse compares every parsed field).
        `article_id`: the record is that stored article's own URL parsed again (a re-parse), so it
        is matched to it without a lookup."""
        seen_at = seen_at or now_iso()
        parks.apply_gazetteer(record, self._gazetteer)
        self._begin()
        try:
            self._replaced = None
            if article_id is not None:
                match = dedup.Match("same_url", article_id, "url")
            elif match is None or getattr(match, "tx", None) != self.batch.serial:
                match = self.match(record)
            result = self._save(record, match, seen_at, fetched=fetched, compared=compared)
            if fetched:
                captures.on_saved(self.db, record, result.outcome, result.article_id, capture=capture,
                                  replaced=self._replaced, seen_at=seen_at, strip_params=self.strip_params,
                                  page_captures=page_captures)
                refused.on_stored(self.db, record.url, result.article_id, seen_at)
            else:
                captures.on_reparsed(self.db, record, result.article_id, replaced=self._replaced, seen_at=seen_at)
        except BaseException:
            self.rollback()
            raise
        self._wrote()
        return result

    def _changed(self, article_id: int, row: dict[str, Any], compared: tuple[str, ...]):
        """(the article's URL, the `compared` columns whose stored value differs from `row`'s)."""
        old = self.db.execute(f"SELECT url, {', '.join(compared)} FROM articles WHERE id = ?",
                              [article_id]).fetchone()
        return old[0], tuple(c for c, value in zip(compared, old[1:]) if not _same(c, value, row[c]))

    def changes(self, record: Record, article_id: int, compared: tuple[str, ...] = COMPARED_COLUMNS) -> tuple[str, ...]:
        """The columns `save` would change in stored article `article_id` for `record`; writes
        nothing (a dry run)."""
        parks.apply_gazetteer(record, self._gazetteer)
        return self._changed(article_id, record_row(record), compared)[1]

    def _save(self, record: Record, match: dedup.Match, seen_at: str, *, fetched: bool = True,
              compared: tuple[str, ...] = COMPARED_COLUMNS) -> SaveResult:
        db = self.db
        if match.kind == "same_url":
            known = match.article_id
            if fetched:
                self._add_url(record.url, known, record.site, seen_at)
            row = record_row(record)
            old_url, changed = self._changed(known, row, compared)
            if dedup.url_key(old_url, self.strip_params) != dedup.url_key(record.url, self.strip_params):
                # A copy's URL seen again: its own parse is kept, the row is the best copy's.
                return self._copy_seen(record, row, known, "url", seen_at)
            if not changed:
                copies.keep(db, known, row, seen_at, self.strip_params)
                return SaveResult(UNCHANGED, known, "url")
            other = None
            if record.content_hash:
                other = db.execute(
                    "SELECT id FROM articles WHERE content_hash = ? AND id != ?",
                    [record.content_hash, known],
                ).fetchone()
            if other:  # the page now carries another stored article's text
                return SaveResult(DUPLICATE, other[0], "content_hash")
            self._replaced = captures.snapshot(db, known)  # for article_versions
            copies.hold_shared(db, known)  # the other copies' text stays theirs
            sets = ", ".join(f"{c} = ?" for c in ARTICLE_COLUMNS[1:])
            db.execute(
                f"UPDATE articles SET {sets}, updated_at = ? WHERE id = ?",
                [row[c] for c in ARTICLE_COLUMNS[1:]] + [seen_at, known],
            )
            if "body_text" in changed:
                neardup.index_article(db, known, record.body_text)
                neardup.link_cluster(db, known)
            parks.link_record(db, known, record, self._gazetteer)
            copies.keep(db, known, row, seen_at, self.strip_params)
            return SaveResult(UPDATED, known, "url", changed)
        if match.kind == "copy":
            self._add_url(record.url, match.article_id, record.site, seen_at)
            return self._copy_seen(record, record_row(record), match.article_id, match.how, seen_at)
        row = record_row(record)
        cols = list(row) + ["first_seen", "updated_at"]
        cur = db.execute(
            f"INSERT INTO articles ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            list(row.values()) + [seen_at, seen_at],
        )
        article_id = cur.lastrowid
        self._add_url(record.url, article_id, record.site, seen_at)
        copies.keep(db, article_id, row, seen_at, self.strip_params)
        # Republished copies with edits (not caught by content_hash) join one cluster.
        neardup.on_new_article(db, article_id, record.body_text)
        parks.link_record(db, article_id, record, self._gazetteer)
        return SaveResult(NEW, article_id)

    def _copy_seen(self, record: Record, row: dict[str, Any], article_id: int, how: str,
                   seen_at: str) -> SaveResult:
        """A copy of a stored article: keep what its URL said, and make the article row its best
        copy's (archive.copies.remerge; a changed row gets an article_versions row)."""
        copies.keep(self.db, article_id, row, seen_at, self.strip_params)
        self._replaced = copies.remerge(self.db, article_id, seen_at, self._gazetteer, self.strip_params)
        return SaveResult(DUPLICATE, article_id, how)

    # ---- fetch failures ----
    def record_failure(self, url: str, *, site: str | None, status: int | None, reason: str,
                       run_id: int | None, seen_at: str | None = None,
                       capture: dict[str, Any] | None = None) -> None:
        """Record a failed fetch; a known article URL also gets its captures row, and a gone
        mark when it answers 404/410 (archive.captures.on_failure)."""
        seen_at = seen_at or now_iso()
        self._begin()
        captures.on_failure(self.db, url, status, capture=capture, seen_at=seen_at,
                            strip_params=self.strip_params)
        self.db.execute(
            "INSERT INTO fetch_failures (url, site, status, reason, first_seen, last_seen, last_run_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET status = excluded.status, "
            "reason = excluded.reason, last_seen = excluded.last_seen, last_run_id = excluded.last_run_id",
            [url, site, status, reason, seen_at, seen_at, run_id],
        )
        self._wrote()

    # ---- refused pages ----
    def record_refused(self, url: str, *, site: str | None, reason: str, detail: str = "",
                       parser_version: str | None, capture: dict[str, Any] | None,
                       run_id: int | None = None, seen_at: str | None = None) -> None:
        """Record an article candidate the parser refused, with its capture (archive.refused)."""
        self._begin()
        try:
            refused.record(self.db, url, site=site, reason=reason, detail=detail, parser_version=parser_version,
                           capture=capture, seen_at=seen_at or now_iso(), run_id=run_id)
        except BaseException:
            self.rollback()
            raise
        self._wrote()

    # ---- validators for conditional requests ----
    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Keep a response's ETag / Last-Modified for `crawl --refresh` when no capture holds
        them (a crawl with PARKNEWS_WARC off; archive.runs.validators reads captures first)."""
        self._begin()
        runs.save_validators(self.db, dedup.url_key(url, self.strip_params), url, etag, last_modified)
        self._wrote()

    # ---- crawl runs ----
    def start_run(self, site: str) -> int:
        self.flush()
        cur = self.db.execute(
            "INSERT INTO crawl_runs (site, started_at, status) VALUES (?, ?, 'running')",
            [site, now_iso()],
        )
        return cur.lastrowid

    def finish_run(self, run_id: int, *, status: str, finish_reason: str | None,
                   counts: dict[str, Any]) -> None:
        self.flush()
        self.db.execute(
            "UPDATE crawl_runs SET finished_at = ?, status = ?, finish_reason = ?, pages_fetched = ?, "
            "articles_new = ?, articles_updated = ?, articles_unchanged = ?, articles_duplicate = ?, "
            "pages_failed = ?, counts = ? WHERE id = ?",
            [
                now_iso(), status, finish_reason,
                counts.get("pages_fetched", 0), counts.get("articles_new", 0),
                counts.get("articles_updated", 0), counts.get("articles_unchanged", 0),
                counts.get("articles_duplicate", 0), counts.get("pages_failed", 0),
                _dumps(counts), run_id,
            ],
        )
