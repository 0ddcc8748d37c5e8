"""Chinese full-text search over the archive: title, body_text and the attachments' text.

How it is built
---------------
Two contentless FTS5 tables keyed by rowid = articles.id, both created with
``contentless_delete=1`` (SQLite >= 3.43; we run 3.51 through pysqlite3) so a row can be removed
by rowid without its old text:

* ``search_tri`` (tokenizer ``trigram``, detail=full): terms of 3+ characters, multi-term AND
  queries and quoted phrases. bm25-ranked, title weighted 10x the body.
* ``search_bi`` (tokenizer ``unicode61``, detail=full since migration v9) over text we pre-split into overlapping
  character bigrams (``苏州工业园区`` -> ``苏州 州工 工业 业园 园区 区``; the last character of
  every run is also emitted alone). A 2-character term is one bigram token; a 1-character
  term is a prefix query ``区*``. Trigram MATCH cannot find 1-2 character terms at all, and a
  LIKE/instr scan of 100k 5 KB rows costs 0.5-1 s; a bigram token lookup costs milliseconds.
  It was detail=column (v3) to save space, but on a *contentless* table FTS5 finds a detail=column
  phrase's instances by re-reading the row's text, which it does not have: bm25 saw no hit at all
  and scored every 2-character match -0.0 (unranked, id order). detail=full stores the positions,
  so bm25 counts hits, weights the title and uses idf and length as for longer terms.

The text indexed is NFKC-normalized (full-width ``２０２４`` is found by ``2024``); queries are
normalized the same way. Matching ignores ASCII case.

Keeping it up to date (no FTS work in the crawl's hot path)
-----------------------------------------------------------
Per-row triggers that update a trigram index slowed batched inserts from ~8,500 to ~220 rows/s
(FIELD-NOTES). Here the triggers on ``articles`` only record *which* rows changed: an
``INSERT OR IGNORE INTO search_queue(article_id)`` on insert, on an update that changes title or
body_text, and on delete -- one small B-tree insert per article (see tests/bench/search.py for the
measured insert rate). ``sync_index(db)`` drains the queue in batches: for each queued id it deletes
the FTS rows by rowid and, when the article still exists, indexes its current title and body.
Call it at the end of a crawl; ``search()`` calls it before every query (it skips the sync
rather than wait when another process holds the write lock, e.g. a running crawl).

Because the FTS tables are contentless, FTS5's snippet()/highlight() have no text to work on;
snippets are cut in Python from the article's stored body (``_snippet``), marking every query
term with ``[`` ``]``; a hit's ``marked_title`` is its title marked the same way (a hit only in
the title is marked there). Both show the stored text: a term found only in the NFKC form (``2024``
in ``２０２４``) is marked on the stored characters it came from, and ``，`` stays ``，``.

Attachments (migration 13)
--------------------------
Both tables have a third column, ``attach``: the text of the article's attachments
(``articles.attachment_text``, each attachment's text joined by a blank line). Its own column, not
its own rows: one rowid per article keeps the probe, bm25 and the broad-query listing per article,
and bm25 sums per column, so a body hit scores as before (the attach column weighs 0.5: a hit only
in an attachment ranks below the same hit in a body). A hit with no term in the body but some in
an attachment says which (``SearchHit.attachment``, its link text or file name) and its snippet is
cut from that attachment's text.

Ranking, and broad queries
--------------------------
A query is first probed for its newest BROAD+1 (2,001) matches by rowid, a bounded cost whatever
the archive's size. When it matches at most BROAD articles, hits are ranked by bm25 (lower score
is better; title weighted 10x). When it matches more -- "园区" or "营商环境" in a park-news archive
-- bm25 would cost time in proportion to every match (its idf alone walks all of them: ~60 ms per
17k matches measured, linear in N) and says little. Such a query lists the articles with every
term in the title, newest stored first, then the other matches, newest stored first (each an FTS
scan in rowid order that stops after `limit` rows); `score` is None.

Measured (tests/bench/search.py, generated ~5 KB articles, 2 shared cores under load)
-----------------------------------------------------------------------------------
* Crawl path: batched inserts with and without the queue trigger 10.4k-12.1k rows/s both
  (within run-to-run noise).
* Size (measured with the v3 detail=column bigram table): 5k articles 28 MB -> trigram +59 MB, bigram +19 MB; 50k articles 279 MB
  -> 1,004 MB with both (x3.6).
* sync_index: 190-330 articles/s (3-5 ms each; trigram insertion dominates), so a crawl's end
  pays about 3-5 s per 1,000 new articles; 50k from scratch took 265 s.
* search() at 50k articles, median of several terms each: 2-char 2.5 ms, 3-char 3.6 ms, 4-char
  4.1 ms, quoted phrases 9 ms, 2-char + 4-char AND 14 ms, 4-char + site 12 ms, filters only
  0.7 ms. Slow spots: a 1-character term found in nearly every article ("区") 110-130 ms (prefix
  query over every bigram starting with it); a 2-char term in a mixed query materializes its
  whole match list (grows with N: ~12 ms per 30k matches).

Query syntax
------------
Space-separated terms are ANDed; ``"..."`` is one literal term (spaces kept). Every term is
passed to FTS5 as an escaped string (``"`` doubled) in a bound parameter, so FTS syntax
characters and SQL in user input are plain text. Filters (site, source, author, since, until) are
bound parameters too; ``source`` and ``author`` match substrings, ``site`` is exact; ``since`` /
``until`` compare ``published_at`` as ISO strings (a date-only ``until`` includes that whole day).
With an empty query the filters alone list articles newest first.
"""
from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import unquote, urlsplit
from dataclasses import dataclass
from typing import Any, Iterable

from .parks import park_filter
from .transactions import joined_transaction, unless_busy

TRI_TABLE = "search_tri"
BI_TABLE = "search_bi"
QUEUE_TABLE = "search_queue"
TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
ATTACH_WEIGHT = 0.5
FTS_COLUMNS = ("title", "body", "attach")  # both tables (migration 13); bm25 weights in this order
SYNC_BATCH = 500
SNIPPET_CHARS = 80
BROAD = 2000  # a query matching more articles than this is "broad" (see search())
MAX_QUERY_CHARS = 500  # a longer query is refused before any work (SearchError)
MAX_TERMS = 16  # more terms than this: refused

# Runs of characters unicode61 keeps inside a token (letters, digits, private use); everything
# else separates runs. Bigrams are only made inside a run, so a bigram never spans punctuation.
_RUN_RE = re.compile(r"[^\W_]+")
_WS_RE = re.compile(r"\s+")
_TERM_RE = re.compile(r'"([^"]*)"?|(\S+)')


# ---------------------------------------------------------------- schema (migration v3)

def migrate_v3(db) -> None:
    """Create the search tables, the change-queue triggers, and queue every existing article."""
    db.execute(
        f"CREATE VIRTUAL TABLE {TRI_TABLE} USING fts5(title, body, content='', "
        "contentless_delete=1, tokenize='trigram')"
    )
    db.execute(
        f"CREATE VIRTUAL TABLE {BI_TABLE} USING fts5(title, body, content='', "
        "contentless_delete=1, detail=column, tokenize='unicode61')"
    )
    db.execute(f"CREATE TABLE {QUEUE_TABLE} (article_id INTEGER PRIMARY KEY)")
    db.execute(
        f"CREATE TRIGGER search_queue_ai AFTER INSERT ON articles BEGIN "
        f"INSERT OR IGNORE INTO {QUEUE_TABLE}(article_id) VALUES (new.id); END"
    )
    db.execute(
        f"CREATE TRIGGER search_queue_au AFTER UPDATE OF id, title, body_text ON articles "
        "WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.body_text IS NOT new.body_text "
        f"BEGIN INSERT OR IGNORE INTO {QUEUE_TABLE}(article_id) VALUES (old.id); "
        f"INSERT OR IGNORE INTO {QUEUE_TABLE}(article_id) VALUES (new.id); END"
    )
    db.execute(
        f"CREATE TRIGGER search_queue_ad AFTER DELETE ON articles BEGIN "
        f"INSERT OR IGNORE INTO {QUEUE_TABLE}(article_id) VALUES (old.id); END"
    )
    db.execute(f"INSERT INTO {QUEUE_TABLE}(article_id) SELECT id FROM articles")


def _create_fts(db, table: str, tokenizer: str, columns: tuple[str, ...]) -> None:
    """A contentless FTS5 table of `columns` (see the module docstring for why contentless)."""
    db.execute(
        f"CREATE VIRTUAL TABLE {table} USING fts5({', '.join(columns)}, content='', "
        f"contentless_delete=1, tokenize='{tokenizer}')"
    )


def migrate_v9(db) -> None:
    """Recreate search_bi with positions (detail=full: bm25 on a contentless detail=column table
    sees no hits) and queue every article to be indexed again."""
    db.execute(f"DROP TABLE IF EXISTS {BI_TABLE}")
    # with the attach column of migration 13 (which rebuilds it so anyway): re-running this step
    # alone on a newer archive keeps the table sync_index writes
    _create_fts(db, BI_TABLE, "unicode61", FTS_COLUMNS)
    db.execute(f"INSERT OR IGNORE INTO {QUEUE_TABLE}(article_id) SELECT id FROM articles")


_QUEUE_AU = (
    f"CREATE TRIGGER search_queue_au AFTER UPDATE OF id, title, body_text, attachment_text ON articles "
    "WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.body_text IS NOT new.body_text "
    "OR old.attachment_text IS NOT new.attachment_text "
    f"BEGIN INSERT OR IGNORE INTO {QUEUE_TABLE}(article_id) VALUES (old.id); "
    f"INSERT OR IGNORE INTO {QUEUE_TABLE}(article_id) VALUES (new.id); END"
)


def migrate_v13(db) -> None:
    """Recreate both FTS tables with the attach column (the attachments' text), queue an update
    of attachment_text too, and queue every article to be indexed again."""
    for table, tokenizer in ((TRI_TABLE, "trigram"), (BI_TABLE, "unicode61")):
        db.execute(f"DROP TABLE IF EXISTS {table}")
        _create_fts(db, table, tokenizer, FTS_COLUMNS)
    db.execute("DROP TRIGGER IF EXISTS search_queue_au")
    db.execute(_QUEUE_AU)
    db.execute(f"INSERT OR IGNORE INTO {QUEUE_TABLE}(article_id) SELECT id FROM articles")


# ---------------------------------------------------------------- text preparation

def normalize(text: str | None) -> str:
    """The form both the index and queries use: NFKC."""
    return unicodedata.normalize("NFKC", text or "")


def bigram_text(text: str) -> str:
    """Overlapping character bigrams of every word run, space separated, lower-cased;
    the last character of each run also alone (so a 1-character prefix query finds it)."""
    out: list[str] = []
    for run in _RUN_RE.findall(text.lower()):
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
        out.append(run[-1])
    return " ".join(out)


# ---------------------------------------------------------------- keeping the index up to date

def attachment_texts(value) -> list[dict]:
    """The entries of an attachment_text column value (JSON text or a list); [] when empty."""
    if not value:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [e for e in value if isinstance(e, dict) and e.get("text")] if isinstance(value, list) else []


def _attach_text(value) -> str:
    return "\n\n".join(e["text"] for e in attachment_texts(value))


def pending(db) -> int:
    """How many articles are waiting to be (re)indexed."""
    return db.execute(f"SELECT count(*) FROM {QUEUE_TABLE}").fetchone()[0]


def _sync_batch(db, batch: int) -> int:
    ids = [r[0] for r in db.execute(
        f"SELECT article_id FROM {QUEUE_TABLE} ORDER BY article_id LIMIT ?", [batch]
    ).fetchall()]
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    for table in (TRI_TABLE, BI_TABLE):
        db.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", ids)
    rows = db.execute(
        f"SELECT id, title, body_text, attachment_text FROM articles WHERE id IN ({marks})", ids
    ).fetchall()
    tri, bi = [], []
    for article_id, title, body, attach in rows:
        title, body, attach = normalize(title), normalize(body), normalize(_attach_text(attach))
        tri.append((article_id, title, body, attach))
        bi.append((article_id, bigram_text(title), bigram_text(body), bigram_text(attach)))
    conn = db.conn
    conn.executemany(f"INSERT INTO {TRI_TABLE}(rowid, title, body, attach) VALUES (?, ?, ?, ?)", tri)
    conn.executemany(f"INSERT INTO {BI_TABLE}(rowid, title, body, attach) VALUES (?, ?, ?, ?)", bi)
    db.execute(f"DELETE FROM {QUEUE_TABLE} WHERE article_id IN ({marks})", ids)
    return len(ids)


def sync_index(db, *, batch: int = SYNC_BATCH, limit: int | None = None) -> int:
    """Index every queued (inserted, updated, deleted) article; return how many were processed.

    Runs in transactions of `batch` articles each; inside a transaction the caller already has
    open, works within it and commits nothing. `limit` caps the number processed in this call."""
    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        with joined_transaction(db):
            n = _sync_batch(db, size)
        done += n
        if n < size:
            break
    return done


def rebuild_index(db) -> int:
    """Drop every indexed row and queue all articles again, then sync (e.g. after a change to
    the text preparation)."""
    with joined_transaction(db):
        for table in (TRI_TABLE, BI_TABLE):
            db.execute(f"DELETE FROM {table}")
        db.execute(f"INSERT OR IGNORE INTO {QUEUE_TABLE}(article_id) SELECT id FROM articles")
    return sync_index(db)


def try_sync(db) -> bool:
    """sync_index before a read, but give up at once (search stale by one batch) when the
    archive is locked or the disk is full (archive.transactions.unless_busy); True when synced."""
    if not db.conn.in_transaction and db.execute(f"SELECT 1 FROM {QUEUE_TABLE} LIMIT 1").fetchone() is None:
        return True  # nothing queued: no write transaction
    return unless_busy(db, sync_index)


# ---------------------------------------------------------------- queries

class SearchError(ValueError):
    """A query that is refused (too long, too many terms, not text): one line for the user."""


@dataclass
class SearchHit:
    id: int
    url: str
    title: str | None
    published_at: str | None
    site: str | None
    source: str | None
    snippet: str
    score: float | None = None  # bm25 (lower is better); None when listing without a query
    marked_title: str | None = None  # the title with the query's terms marked [ ]
    attachment: str | None = None  # the hit is in this attachment (link text or file name), not the body


def parse_query(query: str | None) -> list[str]:
    """Terms of a query: space separated, a "quoted phrase" is one term; normalized (NFKC),
    duplicates dropped; empty quotes ignored. A query longer than MAX_QUERY_CHARS or with more
    than MAX_TERMS terms raises SearchError before any work is done on it."""
    if query is not None and not isinstance(query, str):
        raise SearchError(f"the query must be text, not {type(query).__name__}")
    if query and len(query) > MAX_QUERY_CHARS:
        raise SearchError(f"the query is {len(query):,} characters long; at most {MAX_QUERY_CHARS} are searched")
    terms: list[str] = []
    for m in _TERM_RE.finditer(normalize(query).strip()):
        term = m.group(1) if m.group(1) is not None else m.group(2)
        term = _WS_RE.sub(" ", term).strip()
        if term and term.lower() not in {t.lower() for t in terms}:
            terms.append(term)
    if len(terms) > MAX_TERMS:
        raise SearchError(f"the query has {len(terms)} terms; at most {MAX_TERMS} are searched")
    return terms


def _fts_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _short_expr(term: str) -> str | None:
    """FTS5 expression on the bigram table for a 1-2 character term (None: matches nothing)."""
    runs = _RUN_RE.findall(term.lower())
    if not runs:
        return None
    parts = []
    for run in runs:  # a term with punctuation inside ("5%"): its word runs, ANDed
        if len(run) == 1:
            parts.append(_fts_string(run) + " *")
        else:
            parts.append(_fts_string(run))
    return " AND ".join(parts)


def article_filters(site=None, source=None, author=None, since=None, until=None,
                    park=None) -> tuple[list[str], list[Any]]:
    """WHERE clauses (on `articles a`) and their parameters for the readers' common filters;
    `park` is a canonical park name (archive.parks.resolve): the articles about it."""
    where, params = [], []
    if park:
        clause, values = park_filter(park)
        where.append(clause)
        params.extend(values)
    for value, clause in ((site, "a.site = ?"), (source, "instr(a.source, ?) > 0"),
                          (author, "instr(a.author, ?) > 0"), (since, "a.published_at >= ?")):
        if value:
            where.append(clause)
            params.append(value)
    if until:
        where.append("a.published_at <= ?")
        # a date-only bound includes the whole day ("2024-05-01T10:00+08:00" <= "2024-05-01\uffff")
        params.append(until + "\uffff" if len(until) == 10 else until)
    return where, params


def search(db, query: str | None, *, site: str | None = None, source: str | None = None,
           author: str | None = None, since: str | None = None, until: str | None = None,
           limit: int = 20, sync: bool = True, park: str | None = None) -> list[SearchHit]:
    """Ranked articles matching every term of `query` (see the module docstring for syntax),
    restricted by the filters; with no terms, the filtered articles newest first."""
    terms = parse_query(query)  # refuses an oversized query before any work
    if sync:
        try_sync(db)
    where, params = article_filters(site, source, author, since, until, park=park)
    limit = max(0, int(limit))
    cols = "a.id, a.url, a.title, a.published_at, a.site, a.source, a.body_text, a.attachment_text"
    if not terms:
        sql = f"SELECT {cols}, NULL FROM articles a"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.published_at DESC, a.id DESC LIMIT ?"  # NULL dates sort last
        rows = db.execute(sql, params + [limit]).fetchall()
        return [_hit(r, terms) for r in rows]

    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    short_exprs = [_short_expr(t) for t in short_terms]
    if any(e is None for e in short_exprs):
        return []  # a term made only of punctuation: not indexed, so nothing is found
    short_match = " AND ".join(f"({e})" for e in short_exprs)

    def match(title_only: bool = False) -> tuple[str, list[Any]]:
        """The FTS condition (SQL, params) for all terms; title_only: all terms in the title."""
        def wrap(expr: str) -> str:
            return "{title} : (" + expr + ")" if title_only else expr
        if long_terms:
            # Ranked on the trigram table; short terms restrict the rowids through the bigram table.
            # "+rowid": keeps the IN list out of FTS5's xFilter, which would rerun the MATCH per rowid.
            sql = f"{TRI_TABLE} MATCH ?"
            mp: list[Any] = [wrap(" AND ".join(_fts_string(t) for t in long_terms))]
            if short_match:
                sql += f" AND +{TRI_TABLE}.rowid IN (SELECT rowid FROM {BI_TABLE} WHERE {BI_TABLE} MATCH ?)"
                mp.append(wrap(short_match))
            return sql, mp
        return f"{BI_TABLE} MATCH ?", [wrap(short_match)]

    table = TRI_TABLE if long_terms else BI_TABLE
    match_sql, match_params = match()
    # How broad is the query? The newest BROAD+1 matches, by rowid: cost bounded whatever N.
    probe = [r[0] for r in db.execute(
        f"SELECT rowid FROM {table} WHERE {match_sql} ORDER BY rowid DESC LIMIT {BROAD + 1}",
        match_params,
    ).fetchall()]
    if not probe:
        return []
    if len(probe) <= BROAD:
        join = f" CROSS JOIN articles a ON a.id = {table}.rowid" if where else ""
        filt = "".join(" AND " + w for w in where)
        ranked = db.execute(
            f"SELECT {table}.rowid, bm25({table}, {TITLE_WEIGHT}, {BODY_WEIGHT}, {ATTACH_WEIGHT}) AS score FROM {table}{join} "
            f"WHERE {match_sql}{filt} ORDER BY score, {table}.rowid LIMIT ?",
            match_params + params + [limit],
        ).fetchall()
    else:
        # A broad query (a term in most articles): bm25 would cost time in proportion to every
        # match, and its idf says little. Articles with every term in the title, newest first,
        # then the other matches, newest first: each an FTS scan in rowid order, stopped early.
        def newest(sql: str, mp: list[Any], n: int) -> list[int]:
            if where:  # the filters' indexes pick articles; the match set is a list to check
                return [r[0] for r in db.execute(
                    f"SELECT a.id FROM articles a WHERE {' AND '.join(where)} AND a.id IN "
                    f"(SELECT rowid FROM {table} WHERE {sql}) ORDER BY a.id DESC LIMIT ?",
                    params + mp + [n],
                ).fetchall()]
            return [r[0] for r in db.execute(
                f"SELECT rowid FROM {table} WHERE {sql} ORDER BY rowid DESC LIMIT ?", mp + [n]
            ).fetchall()]

        title_sql, title_params = match(title_only=True)
        in_title = newest(title_sql, title_params, limit)
        seen = set(in_title)
        rest = probe if not where else newest(match_sql, match_params, limit + len(in_title))
        ids = in_title + [i for i in rest if i not in seen]
        ranked = [(i, None) for i in ids[:limit]]
    if not ranked:
        return []
    ids = [r[0] for r in ranked]
    rows = {r[0]: r for r in db.execute(
        f"SELECT {cols} FROM articles a "
        f"WHERE a.id IN ({','.join('?' * len(ids))})", ids,
    ).fetchall()}
    return [_hit(rows[i] + (score,), terms) for i, score in ranked if i in rows]


def attachment_name(entry: dict) -> str:
    """How a hit names its attachment: the link text, else the URL's file name."""
    return (entry.get("name") or "").strip() or unquote(urlsplit(entry.get("url") or "").path.rsplit("/", 1)[-1])


def _hit(row, terms: list[str]) -> SearchHit:
    article_id, url, title, published_at, site, source, body, attach, score = row
    marked = highlight(title, terms) if title and terms else title
    attachment, snippet_text = None, body or ""
    if terms and not _spans(snippet_text, terms, cap=1):  # not in the body: in an attachment?
        found = [(len({t for _, _, t in _spans(e["text"], terms)}), -i, e)
                 for i, e in enumerate(attachment_texts(attach))]
        best = max(found, key=lambda f: f[:2], default=None)
        if best and best[0]:
            attachment, snippet_text = attachment_name(best[2]), best[2]["text"]
    return SearchHit(article_id, url, title, published_at, site, source, _snippet(snippet_text, terms), score,
                     marked, attachment)


# ---------------------------------------------------------------- snippets

def _normalized_offsets(text: str) -> tuple[str, list[int]]:
    """NFKC of `text` (character by character) and, for every character of it, the index of
    the stored character it came from: a term found in the indexed form is marked in the stored
    text (``，`` stays ``，``, ``２０２４`` is marked where ``2024`` was searched)."""
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        n = n.lower() if len(n.lower()) == len(n) else n  # case ignored, offsets kept
        out.append(n)
        offsets.extend([i] * len(n))
    return "".join(out), offsets


def _spans(text: str, terms: Iterable[str], cap: int = 2000) -> list[tuple[int, int, str]]:
    """(start, end, term) in `text` of every occurrence of every term (ASCII case ignored; a
    term found only in the NFKC form of the text is mapped back to the stored characters),
    sorted and merged where they overlap; at most `cap` occurrences."""
    terms = [t.lower() for t in terms if t]
    if not terms or not text:
        return []
    offsets: list[int] | None = None
    if unicodedata.is_normalized("NFKC", text):
        hay = text
    else:  # full-width letters, digits, punctuation: search the indexed form, mark the stored one
        hay, offsets = _normalized_offsets(text)
    if any(t != t.upper() or t != t.lower() for t in terms):
        lowered = hay.lower()
        hay = lowered if len(lowered) == len(hay) else hay  # offsets must stay the stored ones
    found: list[tuple[int, int, str]] = []
    for t in terms:
        i = hay.find(t)
        while i >= 0 and len(found) < cap:
            if offsets is None:
                found.append((i, i + len(t), t))
            else:
                found.append((offsets[i], offsets[i + len(t) - 1] + 1, t))
            i = hay.find(t, i + 1)
    found.sort()
    merged: list[tuple[int, int, str]] = []
    for s, e, t in found:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]), merged[-1][2])
        else:
            merged.append((s, e, t))
    return merged


def _mark(text: str, spans: list[tuple[int, int, str]], base: int = 0,
          open_mark: str = "[", close_mark: str = "]") -> str:
    out, pos = [], 0
    for s, e, _ in spans:
        s, e = max(s - base, pos), min(e - base, len(text))
        if e <= s:
            continue
        out += [text[pos:s], open_mark, text[s:e], close_mark]
        pos = e
    out.append(text[pos:])
    return "".join(out)


def highlight(text: str, terms: Iterable[str], open_mark: str = "[", close_mark: str = "]") -> str:
    """`text` with every occurrence of every term wrapped in the markers (ASCII case ignored;
    compatibility forms such as full-width digits match as in the index)."""
    return _mark(text, _spans(text, terms), 0, open_mark, close_mark)


def _snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """About `width` characters of the stored `text` around the window holding the most
    distinct query terms, terms marked with [ ]; "…" where text was cut. White space runs
    become one space."""
    spans = _spans(text, terms) if terms else []
    start = 0
    if spans:
        best, best_count, j = spans[0][0], 0, 0
        for i, (p, _, _) in enumerate(spans):  # sliding window: most distinct terms within `width`
            while spans[j][0] < p - width // 2:
                j += 1
            seen = {t for _, _, t in spans[j:i + 1]}
            if len(seen) > best_count:
                best, best_count = spans[j][0], len(seen)
        start = max(0, best - width // 4)
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    inside = [sp for sp in spans if sp[1] > start and sp[0] < end]
    piece = _WS_RE.sub(" ", _mark(text[start:end], inside, start))
    if start == 0:
        piece = piece.lstrip()
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")
