"""Read-side queries for archivists: one article with everything known about it (`show`), counts
and field coverage (`stats`), and the checks shared by the read commands (dates, site names).

Tables other parts of parknews add later (captures, article_versions, crawl_runs columns) are
looked up at run time: when a table or column is absent, its part of the answer is empty.
Every value from the user reaches SQL as a bound parameter; only column and table names that
come from this module (or from the database's own schema) are formatted into SQL.
"""
from __future__ import annotations

import calendar
import json
import re
from datetime import date, datetime
from typing import Any

from .db import columns, has_table
from .export import record_by_id
from .parks import park_filter

# The fields `parknews stats` reports the coverage of, over stored articles: field -> SQL
# expression that is 1 when an article has it. (A crawl run's coverage of its new records is
# archive.runs.COVERAGE_FIELDS, from the crawl's stats.)
STATS_FIELDS: dict[str, str] = {
    "title": "coalesce(title, '') != ''",
    "published_at": "coalesce(published_at, '') != ''",
    "source": "coalesce(source, '') != ''",
    "author": "coalesce(author, '') != ''",
    "editor": "coalesce(editor, '') != ''",
    "body_text": "coalesce(body_text, '') != ''",
    "headings": "instr(sections, '\"heading\": \"') > 0",
    "images": "coalesce(images, '[]') NOT IN ('[]', '')",
}
GROUPS = {
    "month": "coalesce(substr(published_at, 1, 7), '(no date)')",
    "site": "coalesce(site, '(none)')",
    "source": "coalesce(nullif(source, ''), '(none)')",
    "park": "ap.park",
}

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


class ReaderError(ValueError):
    """Bad input to a read command; the message is one line for the user."""


# ---------------------------------------------------------------- input checks

def parse_date_bound(value: str | None, option: str, *, upper: bool) -> str | None:
    """A --since/--until value as the ISO string compared with published_at.

    YYYY, YYYY-MM and YYYY-MM-DD are whole periods (--until 2024-05 includes May 31st);
    a date-time (YYYY-MM-DDTHH:MM[:SS][offset]) is used as given."""
    if value is None or value == "":
        return None
    v = value.strip()
    m = _DATE_RE.match(v)
    try:
        if m:
            year, month, day = int(m.group(1)), m.group(2), m.group(3)
            if month is None:
                date(year, 1, 1)
                return f"{year:04d}-12-31" if upper else f"{year:04d}-01-01"
            mon = int(month)
            if day is None:
                last = calendar.monthrange(year, mon)[1]  # raises on a bad month
                date(year, mon, 1)
                return f"{year:04d}-{mon:02d}-{last:02d}" if upper else f"{year:04d}-{mon:02d}-01"
            return date(year, mon, int(day)).isoformat()
        if "T" in v:
            datetime.fromisoformat(v)
            return v
    except (ValueError, calendar.IllegalMonthError):
        pass
    raise ReaderError(f"{option} {value!r}: not a date (use YYYY-MM-DD, YYYY-MM, YYYY or an ISO 8601 time)")


def known_sites(db) -> set[str]:
    names = {r[0] for r in db.execute("SELECT DISTINCT site FROM articles WHERE site IS NOT NULL")}
    if has_table(db, "crawl_runs"):  # a site crawled that stored nothing yet is known too
        names |= {r[0] for r in db.execute("SELECT DISTINCT site FROM crawl_runs")}
    try:
        from crawler.parsing.sitefile import load_all_sites

        names |= {s.name for s in load_all_sites()}
    except Exception:  # noqa: BLE001 - a broken site file must not stop reading the archive
        pass
    return names


def check_site(db, site: str | None) -> str | None:
    if site is None:
        return None
    if site not in known_sites(db):
        stored = sorted(r[0] for r in db.execute("SELECT DISTINCT site FROM articles WHERE site IS NOT NULL"))
        known = ", ".join(stored[:10]) + (" …" if len(stored) > 10 else "") if stored else "none yet"
        raise ReaderError(f"unknown site {site!r} (sites in this archive: {known})")
    return site


def _rows(cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


# ---------------------------------------------------------------- show

def resolve_article(db, ref: str) -> int | None:
    """An article id from an id, a URL it was seen at (any spelling with the same URL key), or its
    canonical URL."""
    ref = ref.strip()
    if ref.isdigit():
        if int(ref) >= 2 ** 63:  # beyond SQLite's integers: no such id
            return None
        row = db.execute("SELECT id FROM articles WHERE id = ?", [int(ref)]).fetchone()
        return row[0] if row else None
    row = db.execute("SELECT article_id FROM article_urls WHERE url = ?", [ref]).fetchone()
    if row:
        return row[0]
    if "://" in ref:
        from .dedup import url_key

        try:
            key = url_key(ref)
        except Exception:  # noqa: BLE001 - an unparsable URL is simply not found
            key = None
        if key:
            row = db.execute("SELECT article_id FROM article_urls WHERE url_key = ? ORDER BY first_seen LIMIT 1",
                             [key]).fetchone()
            if row:
                return row[0]
    row = db.execute("SELECT id FROM articles WHERE canonical_url = ? OR url = ? ORDER BY id LIMIT 1",
                     [ref, ref]).fetchone()
    return row[0] if row else None


def _linked_rows(db, table: str, article_id: int, urls: list[str]) -> list[dict[str, Any]]:
    """Rows of `table` about the article: by article_id when the table has it, else by url."""
    cols = columns(db, table)
    if not cols:
        return []
    order = "id" if "id" in cols else "rowid"
    if "article_id" in cols:
        return _rows(db.execute(f"SELECT * FROM [{table}] WHERE article_id = ? ORDER BY {order}", [article_id]))
    if "url" in cols and urls:
        marks = ",".join("?" * len(urls))
        return _rows(db.execute(f"SELECT * FROM [{table}] WHERE url IN ({marks}) ORDER BY {order}", urls))
    return []


def show(db, article_id: int) -> dict[str, Any] | None:
    """Everything the archive knows about one article."""
    record = record_by_id(db, article_id)
    if record is None:
        return None
    urls = _rows(db.execute(
        "SELECT url, site, first_seen, last_seen FROM article_urls WHERE article_id = ? ORDER BY first_seen, url",
        [article_id],
    ))
    url_list = [u["url"] for u in urls]
    captures = _linked_rows(db, "captures", article_id, url_list)
    versions = _linked_rows(db, "article_versions", article_id, url_list)
    for v in versions:  # stored JSON text of sections/images: parsed for JSON output
        for k in ("sections", "images", "extraction", "warnings", "record", "fields"):
            if isinstance(v.get(k), str) and v[k][:1] in "[{":
                try:
                    v[k] = json.loads(v[k])
                except ValueError:
                    pass
    cluster = None
    if has_table(db, "cluster_members"):
        row = db.execute("SELECT cluster_id FROM cluster_members WHERE article_id = ?", [article_id]).fetchone()
        if row:
            cid = row[0]
            original = db.execute("SELECT original_article_id FROM clusters WHERE id = ?", [cid]).fetchone()
            members = _rows(db.execute(
                "SELECT a.id, a.title, a.site, a.source, a.published_at, a.url, m.similarity "
                "FROM cluster_members m JOIN articles a ON a.id = m.article_id WHERE m.cluster_id = ? "
                "ORDER BY a.published_at IS NULL, a.published_at, a.id", [cid],
            ))
            cluster = {"id": cid, "original_article_id": original[0] if original else None, "members": members}
    return {"record": record, "urls": urls, "copies": _copies(db, article_id, record["url"], urls),
            "captures": captures, "versions": versions, "cluster": cluster}


COPY_FIELDS = ("url", "published_at", "source", "author", "editor", "title", "seen_at")


def _copies(db, article_id: int, row_url: str, urls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each URL of the article said (archive.copies), the row's copy marked `row`; a URL
    whose parse was not kept (stored before migration 10) is listed with `kept` false."""
    if not has_table(db, "copy_records"):
        return []
    rows = _rows(db.execute(
        f"SELECT url_key, {', '.join(COPY_FIELDS)} FROM copy_records WHERE article_id = ? ORDER BY rowid",
        [article_id]))
    kept = {r["url_key"] for r in rows}
    keys = dict(db.execute("SELECT url, url_key FROM article_urls WHERE article_id = ?", [article_id]).fetchall())
    row_key = keys.get(row_url)
    out = [dict({k: r[k] for k in COPY_FIELDS}, row=r["url_key"] == row_key or r["url"] == row_url, kept=True)
           for r in rows]
    seen = set(kept)
    for u in urls:
        key = keys.get(u["url"])
        if key not in seen:
            seen.add(key)
            out.append(dict({k: None for k in COPY_FIELDS}, url=u["url"], row=False, kept=False))
    return out


# ---------------------------------------------------------------- stats

def stats(db, *, site: str | None = None, by: str | None = None) -> dict[str, Any]:
    """Article counts and field coverage, overall and per group (month, site, source, or park:
    the articles about each park, archive.parks)."""
    where, params = ("WHERE site = ?", [site]) if site else ("", [])
    cover = ", ".join(f"sum({expr})" for expr in STATS_FIELDS.values())
    key = GROUPS[by] if by else "'all'"
    source, order = "articles", "k"
    if by == "park":
        source = "articles JOIN article_parks ap ON ap.article_id = articles.id AND ap.about = 1"
        order = "count(*) DESC, k"
    rows = db.execute(
        f"SELECT {key} AS k, count(*), {cover} FROM {source} {where} GROUP BY k ORDER BY {order}", params
    ).fetchall()
    groups = []
    for r in rows:
        n = r[1]
        groups.append({"group": r[0], "articles": n,
                       "coverage": {f: (c or 0) / n if n else 0.0 for f, c in zip(STATS_FIELDS, r[2:])}})
    total = sum(g["articles"] for g in groups) if by != "park" else db.execute(
        f"SELECT count(*) FROM articles {where}", params).fetchone()[0]
    url_where = "WHERE a.site = ?" if site else ""
    n_urls = db.execute(
        f"SELECT count(*) FROM article_urls u JOIN articles a ON a.id = u.article_id {url_where}", params
    ).fetchone()[0]
    out = {"site": site, "by": by, "articles": total, "urls": n_urls, "groups": groups}
    if has_table(db, "cluster_members"):
        out["clustered_articles"] = db.execute(
            f"SELECT count(*) FROM cluster_members m JOIN articles a ON a.id = m.article_id {url_where}", params
        ).fetchone()[0]
    return out


def per_month_per_site(db, site: str | None = None, park: str | None = None) -> list[tuple[str, str, int]]:
    """(month, site, articles) of the dated articles; `park`: only those about that park."""
    where, params = ("AND site = ?", [site]) if site else ("", [])
    if park:
        clause, values = park_filter(park)
        where += " AND " + clause.replace("a.id", "articles.id")
        params = params + values
    return [tuple(r) for r in db.execute(
        "SELECT substr(published_at, 1, 7) AS month, coalesce(site, '(none)'), count(*) FROM articles "
        f"WHERE published_at IS NOT NULL {where} GROUP BY 1, 2 ORDER BY 1, 2", params
    )]
