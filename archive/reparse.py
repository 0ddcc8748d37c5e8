"""Re-parse stored articles from their captured responses (offline, with the current parser).

For each article, the latest 2xx capture of the article's own URL (`articles.url`) is read back
from its WARC file (a revisit record is followed to the response holding the payload), parsed
with `crawler.parsing.parse_page`, and stored through the crawl's own record path
(archive.process.process_record): the same validation (a record failing one of the crawl's checks
is skipped with its reason, the article left as it was), normalisation and storage, comparing every
parsed field with the stored record. A changed record is updated (fields, `parser_version`,
`updated_at`), with an article_versions row when its text, title or date changed, and its
near-duplicate index and cluster redone when its text changed; an unchanged parser changes
nothing. A missing or damaged WARC file is reported by URL and the rest goes on.

A multi-page article (its `pages` column, archive.pages) is re-read from every page's latest 2xx
capture and merged as the crawl merged it (crawler/parsing/pages.py); a page whose capture is
gone or unreadable is named missing in the record's warnings.

What the crawl fetched for the page's links is kept: an attachment's or image's served media type,
size, SHA-256, capture or reason (crawler/fetch_linked.py) stay on the entry the parser lists again
(by URL, by src), since a re-parse fetches nothing (keep_fetched).

The record's `fetched_at` is the fetch time of the response that holds the payload, as in the
crawl (relative dates resolve against it), so a re-parse of the same bytes gives the same record.
"""
from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from crawler.parsing.record import PARSED_FIELDS

from . import captures as captures_mod
from . import pages as pages_mod
from . import parks as parks_mod
from .process import DUPLICATE, REFUSED, UPDATED, Outcome, process_record
from .validate import normalize_record, validation_error
from .warc import RENAMED_HEADER_PREFIX, WarcReadError, read_record, recover_open_files

@dataclass
class ReparseResult:
    checked: int = 0
    changed: int = 0
    fields: Counter = field(default_factory=Counter)
    no_capture: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (url, reason): not an article now
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)

    @property
    def ok(self) -> bool:
        return not self.unreadable


def page_headers(headers: list[tuple[str, str]], content_decoded: bool) -> dict[str, str]:
    """HTTP headers from a WARC record as the crawl handed them to the parser
    (spiders.common.header_dict after Scrapy's decompression)."""
    out: dict[str, str] = {}
    for name, value in headers:
        low = name.lower()
        if low.startswith(RENAMED_HEADER_PREFIX.lower()):
            low = low[len(RENAMED_HEADER_PREFIX):]
        if content_decoded and low == "content-encoding":
            continue
        out[low] = f"{out[low]}, {value}" if low in out else value
    return out


def read_response(db, archive_dir: str | Path, capture: dict):
    """(WARC record, headers as the parser saw them, fetched_at) of a capture row; a revisit is
    followed to the response holding the payload; a conversion (a page's rendered DOM, which the
    crawl parsed) is read as itself. Raises WarcReadError naming what is wrong."""
    source = capture
    if capture["record_type"] == "revisit":
        source = captures_mod.capture_by_record_id(db, capture["refers_to"])
        if source is None:
            raise WarcReadError(f"revisit refers to {capture['refers_to']}, which is not in captures")
    stored = read_record(archive_dir, source["warc_file"], source["offset"], source["length"],
                         record_id=source["record_id"])
    fetched_at = captures_mod.fetched_at_seconds(source["fetched_at"])
    if stored.record_type == "conversion":  # a rendered DOM (crawler/render.py): its own Content-Type
        return stored, {"content-type": stored.content_type or "text/html; charset=utf-8"}, fetched_at
    if stored.record_type != "response":
        raise WarcReadError(f"{source['warc_file']}@{source['offset']}: a {stored.record_type} record, "
                            "not a response")
    return stored, page_headers(stored.headers, content_decoded=stored.content_decoded), fetched_at


def site_config(site: str | None, cache: dict, sites_dir: str | Path | None = None):
    """(field rules, strip params) of a configured site (spiders/sites/NAME.toml, or NAME.toml in
    `sites_dir`), as its crawl used them; (None, ()) for a site that is not configured."""
    if site not in cache:
        rules, strip = None, ()
        if site:
            try:
                from crawler.parsing.sitefile import SITES_DIR, load_site

                config = load_site(site, Path(sites_dir) if sites_dir else SITES_DIR)
                rules, strip = config.field_rules or None, tuple(config.strip_params)
            except Exception:
                pass
        cache[site] = (rules, strip)
    return cache[site]


def parse_capture(db, archive_dir: str | Path, capture: dict, url: str, site: str | None, cache: dict,
                  sites_dir: str | Path | None = None):
    """Read a capture back and parse it as the crawl did (site rules, fetch time, normalisation):
    (record, None), or (None, (reason, detail)) when the parser refuses it. Raises WarcReadError."""
    from crawler.parsing import NotAnArticle, parse_page

    stored, headers, fetched_at = read_response(db, archive_dir, capture)
    try:
        record = parse_page(url, headers, stored.body, datetime.fromisoformat(fetched_at),
                            site=site, rules=site_config(site, cache, sites_dir)[0])
    except NotAnArticle as exc:
        return None, (exc.reason, exc.detail)
    except Exception as exc:  # a parser bug on one page must not stop a re-parse
        return None, ("parse_error", f"{type(exc).__name__}: {exc}")
    record.site = record.site or site
    record.fetched_at = fetched_at
    normalize_record(record)
    return record, None


def parsed_captures(db, archive_dir: str | Path, rows, result, *, url: str, site: str, cache: dict,
                    sites_dir: str | Path | None = None, progress: Callable[[int, int], None] | None = None):
    """(row, record, refusal) for each row (a captures row, with its URL and site under the keys
    `url`, `site`) whose capture reads back, parsed as the crawl did (parse_capture). Counts on
    `result` (a re-parse's or a retry's): `no_capture` for a row without one, `checked` for the
    others, and `unreadable` lists (url, why) for a capture that does not read back."""
    last_progress = 0.0
    for i, row in enumerate(rows):
        if progress and (time.monotonic() - last_progress > 0.2 or i + 1 == len(rows)):
            progress(i + 1, len(rows))
            last_progress = time.monotonic()
        if row["capture_id"] is None or row["warc_file"] is None:
            result.no_capture += 1
            continue
        result.checked += 1
        try:
            record, refusal = parse_capture(db, archive_dir, row, row[url], row[site], cache, sites_dir)
        except WarcReadError as exc:
            result.unreadable.append((row[url], str(exc)))
            continue
        yield row, record, refusal


# The record's lists of linked files: field -> the entry's key and the keys the parser writes;
# every other key of a stored entry was filled by the crawl's fetch
LINKED = {"attachments": ("url", ("url", "text")), "images": ("src", ("src", "caption"))}


def keep_fetched(db, article_id: int, record) -> None:
    """Give the re-parsed record's attachments and images what the crawl fetched for them (the
    stored article's entries of the same URL / src), as re-parsing fetches nothing."""
    import json

    row = db.execute(f"SELECT {', '.join(LINKED)} FROM articles WHERE id = ?", [article_id]).fetchone()
    for (name, (key, parsed_keys)), stored in zip(LINKED.items(), row):
        fetched = {e.get(key): e for e in json.loads(stored or "[]")}
        entries = getattr(record, name) or []
        for k, entry in enumerate(entries):
            old = fetched.get(entry.get(key))
            if old:
                entries[k] = {**entry, **{f: v for f, v in old.items() if f not in parsed_keys}}


def merge_later_pages(db, archive_dir: str | Path, row: dict, record, cache: dict,
                      sites_dir: str | Path | None = None):
    """Page 1's re-parsed `record` merged with the article's later pages read back from their
    captures (archive.pages), as the crawl merged them."""
    from crawler.parsing.pager import page_number
    from crawler.parsing.pages import parse_later_pages

    stored = pages_mod.stored_pages(row.get("article_pages"))
    if len(stored) < 2:
        return record
    later, missing = [], []
    for i, (url, capture) in enumerate(pages_mod.page_captures(db, row["article_id"], stored)):
        number = page_number(row["article_url"], url) or i + 2
        if capture is None:
            missing.append((number, url, "no capture"))
            continue
        try:
            page, headers, fetched_at = read_response(db, archive_dir, capture)
        except WarcReadError as exc:
            missing.append((number, url, f"capture unreadable: {exc}"))
            continue
        later.append((number, url, headers, page.body, datetime.fromisoformat(fetched_at)))
    merged = parse_later_pages(record, later, missing, site=record.site,
                               rules=site_config(row["article_site"], cache, sites_dir)[0])
    normalize_record(merged)
    return merged


def _select(db, site: str | None, since: str | None):
    where, params = [], []
    if site:
        where.append("a.site = ?")
        params.append(site)
    sql = (
        "SELECT a.id AS article_id, a.url AS article_url, a.site AS article_site, a.pages AS article_pages, "
        "c.id AS capture_id, c.warc_file, c.\"offset\", c.length, c.record_id, c.record_type, c.refers_to, c.fetched_at "
        "FROM articles a LEFT JOIN captures c ON c.id = ("
        "  SELECT id FROM captures WHERE article_id = a.id AND url = a.url "
        "  AND status BETWEEN 200 AND 299 ORDER BY id DESC LIMIT 1)"
    )
    if since:
        where.append("c.fetched_at >= ?")
        params.append(since)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.id"
    return db.execute_returning_dicts(sql, params)


def reparse(archive, archive_dir: str | Path, *, site: str | None = None, since: str | None = None,
            dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
            sites_dir: str | Path | None = None) -> ReparseResult:
    """Re-parse the selected articles of `archive` (an archive.store.Archive, whose batching
    commits the changes); see the module doc. `progress(done, total)` is called now and then;
    site rules come from spiders/sites (or `sites_dir`)."""
    db = archive.db
    recover_open_files(archive_dir)
    rows = _select(db, site, since)
    result = ReparseResult()
    try:
        cache: dict = {}
        for row, record, refusal in parsed_captures(db, archive_dir, rows, result, url="article_url",
                                                    site="article_site", cache=cache, sites_dir=sites_dir,
                                                    progress=progress):
            url = row["article_url"]
            if refusal:
                reason, detail = refusal
                result.rejected.append((url, f"parse error ({detail})" if reason == "parse_error"
                                        else f"not an article now ({reason})"))
                continue
            record = merge_later_pages(db, archive_dir, row, record, cache, sites_dir)
            keep_fetched(db, row["article_id"], record)
            if dry_run:  # what process_record would do, writing nothing
                invalid = validation_error(record)
                outcome = Outcome(REFUSED, reason=invalid[0], detail=invalid[1]) if invalid else Outcome(
                    UPDATED, row["article_id"], changed=archive.changes(record, row["article_id"], PARSED_FIELDS))
            else:
                outcome = process_record(record, None, archive, reparse_of=row["article_id"])
            if outcome.kind == REFUSED:
                detail = f": {outcome.detail}" if outcome.detail else ""
                result.rejected.append((url, f"fails validation ({outcome.reason}{detail})"))
            elif outcome.kind == DUPLICATE:
                result.conflicts.append((url, f"its new text equals article {outcome.article_id}'s; left as it was"))
            elif outcome.changed:
                result.changed += 1
                result.fields.update(outcome.changed)
        archive.flush()
        if not dry_run:
            parks_mod.sync_links(db)  # the gazetteer mirror, and articles queued by `parks add`
    except BaseException:
        archive.rollback()
        raise
    return result


def tty_progress(stream=None) -> Callable[[int, int], None] | None:
    """A one-line progress display on stderr, or None when stderr is not a terminal."""
    stream = stream or sys.stderr
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        stream.write(f"\rreparse: {done}/{total}")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show
