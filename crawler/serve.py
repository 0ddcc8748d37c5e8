"""`parknews serve`: the archive in Datasette, read-only.

* The database is opened with `?mode=ro` (Datasette's mutable mode, so rows a crawl commits later
  are seen; `immutable=1` tells SQLite the file never changes, which a running crawl breaks:
  its commits would be missed or read inconsistently), and its
  write connection is refused outright (`ReadOnlyDatabase`): no plugin, canned query or request
  can write. Datasette itself only runs SELECT statements from `?sql=`. The one write
  `parknews serve` makes is before Datasette starts: it indexes the articles waiting in the
  search queue (skipped when a crawl holds the write lock).
* Metadata (`crawler/datasette_metadata.json`): title, licence and source notes, table and
  column descriptions, canned queries.
* Chinese full-text search goes through `archive.search` (the trigram + bigram FTS5 index, so
  2-character terms work), exposed to SQL as `pn_search(query[, site[, limit[, source[, since[,
  until]]]]])`: a JSON array of `{"id", "score", "snippet"}`, best first (the filters as `parknews
  search`'s; empty text is no filter). The `search` canned query is the search page (q, site,
  source, since, until; each hit's title links to its record page, `live_url` is the page on its
  site); on the articles table `?_search=园区` filters through the same function.
* pn_search is bounded like the SQL around it: the query must be text of at most
  `archive.search.MAX_QUERY_CHARS` characters and MAX_TERMS terms (a blob or a longer text is
  refused before any work), and its own SQLite work stops at Datasette's `sql_time_limit_ms`
  (3 s), interrupting the statement that called it ("SQL query took too long").
* SIGTERM/SIGINT stop the server: requests still running get SHUTDOWN_GRACE_S seconds, and every
  statement still running in Datasette's worker threads is interrupted, so none holds the exit.
* JSON columns (sections, images, extraction, warnings, run counts) are rendered as HTML.
* An article's or a capture's URL links to the live page and, next to it, to its archived copy
  in `parknews replay` ("archived copy, captured …": crawler/replay.py's replay URL).
"""
from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

DB_NAME = "parknews"
METADATA_PATH = Path(__file__).with_name("datasette_metadata.json")
JSON_COLUMNS = {"sections", "images", "extraction", "warnings", "parks", "surfaces", "counts", "responses", "dropped",
                "coverage", "changed", "filters"}
SEARCH_LIMIT_MAX = 500
SHUTDOWN_GRACE_S = 3  # on SIGTERM, requests still running after this are cancelled
PROGRESS_STEPS = 200  # SQLite VM steps between two checks of pn_search's deadline

try:
    from datasette import hookimpl
except ImportError:  # pragma: no cover - datasette is a dependency; imported lazily by the CLI
    def hookimpl(f=None, **_):
        return f if f else (lambda g: g)


def load_metadata(db_path: str | Path | None = None) -> dict[str, Any]:
    """The metadata file, with the queries fitted to the columns this database has (the
    `degraded` reasons column of crawl_runs arrived with a later migration)."""
    meta = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    if db_path is not None:
        from sqlite_utils.utils import sqlite3

        conn = sqlite3.connect(Path(db_path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            run_cols = {r[1] for r in conn.execute("PRAGMA table_info(crawl_runs)")}
        finally:
            conn.close()
        if "degraded" in run_cols:
            q = meta["databases"][DB_NAME]["queries"]["degraded_runs"]
            q["sql"] = (
                "SELECT id, site, started_at, finished_at, status, degraded AS why, finish_reason, "
                "pages_fetched, articles_new, pages_failed\nFROM crawl_runs\n"
                "WHERE status = 'degraded' OR coalesce(degraded, '') != ''\nORDER BY started_at DESC"
            )
    return meta


# ---------------------------------------------------------------- search function for SQL

_local = threading.local()
# Every SQLite connection serving a request (Datasette's and pn_search's own), so that stopping
# the server can interrupt the queries still running in Datasette's worker threads. They live as
# long as their threads (one per worker thread and database), so the list stays short.
_open_conns: list = []
_conns_lock = threading.Lock()


def _track(conn) -> None:
    with _conns_lock:
        _open_conns.append(conn)


def _search_db(path: str):
    """A read-only connection of this thread to the archive, for pn_search."""
    import sqlite_utils
    from sqlite_utils.utils import sqlite3

    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    db = conns.get(path)
    if db is None:
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        _track(conn)
        db = conns[path] = sqlite_utils.Database(conn)
    return db


class SearchTimeout(Exception):
    pass


def search_json(path: str, query: Any, site: Any = None, limit: Any = 50, source: Any = None,
                since: Any = None, until: Any = None, *, time_limit_ms: int | None = None) -> str:
    """pn_search(): the hits as JSON. The query must be text (of at most MAX_QUERY_CHARS
    characters: archive.search refuses more before any work), and the search's own SQLite work
    stops after `time_limit_ms` (SearchTimeout), so the function cannot run past the limit that
    bounds the SQL around it."""
    from archive.search import SearchError, search
    from sqlite_utils.utils import sqlite3

    if query is not None and not isinstance(query, (str, int, float)):
        raise SearchError(f"pn_search: the query must be text, not {type(query).__name__}")
    for name, value in (("site", site), ("source", source), ("since", since), ("until", until)):
        if value is not None and not isinstance(value, str):
            raise SearchError(f"pn_search: the {name} must be text")
    from archive.readers import ReaderError, parse_date_bound

    try:  # YYYY, YYYY-MM or YYYY-MM-DD: whole years, months, days (as the CLI's --since/--until)
        since = parse_date_bound(since or None, "since", upper=False)
        until = parse_date_bound(until or None, "until", upper=True)
    except ReaderError as exc:
        raise SearchError(f"pn_search: {exc}") from None
    try:
        n = max(1, min(int(limit or 50), SEARCH_LIMIT_MAX))
    except (TypeError, ValueError, OverflowError):
        n = 50
    db = _search_db(path)
    if time_limit_ms:
        deadline = time.monotonic() + time_limit_ms / 1000
        db.conn.set_progress_handler(lambda: 1 if time.monotonic() >= deadline else 0, PROGRESS_STEPS)
    try:
        hits = search(db, str(query if query is not None else ""), site=site or None, source=source or None,
                      since=since, until=until, limit=n, sync=False)
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise SearchTimeout(f"pn_search: stopped after the {time_limit_ms} ms time limit") from None
        raise
    finally:
        if time_limit_ms:
            db.conn.set_progress_handler(None, PROGRESS_STEPS)
    return json.dumps([{"id": h.id, "score": h.score, "snippet": h.snippet} for h in hits], ensure_ascii=False)


def _pn_search(conn, path: str, limit_ms: int):
    """The SQL function for one Datasette connection: a refused or timed-out search interrupts
    the statement around it too, so Datasette reports it as a query that took too long (or an
    error) instead of going on."""
    from archive.search import SearchError

    def fn(*args):
        try:
            return search_json(path, *args, time_limit_ms=limit_ms)
        except SearchTimeout:
            conn.interrupt()
            raise
        except SearchError as exc:
            raise ValueError(str(exc)) from None
    return fn


def interrupt_queries() -> None:
    """Interrupt every SQLite statement running for the server (safe from any thread)."""
    with _conns_lock:
        conns = list(_open_conns)
    for conn in conns:
        try:
            conn.interrupt()
        except Exception:  # a connection being closed: nothing left to interrupt
            pass


# ---------------------------------------------------------------- Datasette hooks (this module is the plugin)

@hookimpl
def prepare_connection(conn, database, datasette):
    db = datasette.databases.get(database)
    if database != DB_NAME or db is None or not db.path:
        return
    _track(conn)
    fn = _pn_search(conn, db.path, int(datasette.setting("sql_time_limit_ms") or 0))
    for nargs in range(1, 7):
        conn.create_function("pn_search", nargs, fn)

@hookimpl
def filters_from_request(request, database, table, datasette):
    from datasette.filters import FilterArguments

    if database != DB_NAME or table != "articles":
        return None
    q = request.args.get("_search")
    if not q:
        return FilterArguments([], extra_context={"supports_search": True})
    return FilterArguments(
        ["id IN (SELECT value ->> '$.id' FROM json_each(pn_search(:pn_q, NULL, 500)))"],
        params={"pn_q": q},
        human_descriptions=[f'Chinese full-text search matches "{q}"'],
        extra_context={"supports_search": True, "search": q},
    )

@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DB_NAME:
        return None
    if table is None and column in ("record", "title") and _has(row, "record"):
        return _record_link(row, value, column, datasette)  # the search page: hits link to records
    if not isinstance(value, str):
        return None
    if column == "url" and table in ("articles", "captures") and _has(row, "fetched_at"):
        return _live_and_archived(row, value, table)
    if column == "snippet":
        return _marked(value)
    if column in JSON_COLUMNS and value[:1] in "[{":
        try:
            data = json.loads(value)
        except ValueError:
            return None
        return _render_json(column, data)
    return None


def _has(row, key: str) -> bool:
    try:
        return key in row.keys()
    except AttributeError:
        return False


def _record_link(row, value, column, datasette):
    """On a query with a `record` column (an article id; the search page): the id and the title
    link to the article's record page (/parknews/articles/ID)."""
    from markupsafe import Markup, escape

    record = row["record"]
    if not isinstance(record, int):
        return None
    href = datasette.urls.row(DB_NAME, "articles", str(record))
    text = f"record {record}" if column == "record" else (value or "(no title)")
    return Markup(f'<a class="pn-record" href="{escape(href)}">{escape(text)}</a>')


def _live_and_archived(row, url: str, table: str):
    """An article's or a capture's URL: the live page, and next to it its archived copy in
    `parknews replay` (crawler/replay.py; the article's record was parsed from its fetch at
    fetched_at)."""
    from markupsafe import Markup, escape

    from crawler.replay import archived_copy_label, capture_replay_url

    cap = {"url": url, "fetched_at": row["fetched_at"],
           "record_type": row["record_type"] if table == "captures" else "response"}
    replay = capture_replay_url(cap)
    live = f'<a class="pn-live" href="{escape(url)}" rel="nofollow noreferrer">{escape(url)}</a>'
    if not replay:
        return Markup(live)
    return Markup(f'{live} · <a class="pn-archived" href="{escape(replay)}">{escape(archived_copy_label(cap))}</a>')


def _marked(text: str):
    from markupsafe import Markup, escape

    out = str(escape(text)).replace("[", "<mark>").replace("]", "</mark>")
    return Markup(out)


def _render_json(column: str, data: Any):
    from markupsafe import Markup, escape

    if column == "sections" and isinstance(data, list):
        heads = [s.get("heading") for s in data if isinstance(s, dict) and s.get("heading")]
        n_par = sum(len(s.get("paragraphs") or []) for s in data if isinstance(s, dict))
        summary = f"{len(data)} sections, {n_par} paragraphs" + (": " + " · ".join(heads) if heads else "")
        body = []
        for s in data:
            if not isinstance(s, dict):
                continue
            if s.get("heading"):
                body.append(f"<h4>{escape(s['heading'])}</h4>")
            body += [f"<p>{escape(p)}</p>" for p in s.get("paragraphs") or []]
        return Markup(f"<details><summary>{escape(summary)}</summary>{''.join(body)}</details>")
    if column == "images" and isinstance(data, list):
        if not data:
            return Markup("<em>no images</em>")
        items = []
        for i in data:
            if isinstance(i, dict) and i.get("src"):
                cap = f" {escape(i['caption'])}" if i.get("caption") else ""
                items.append(f'<li><a href="{escape(i["src"])}" rel="nofollow noreferrer">{escape(i["src"])}</a>{cap}</li>')
        return Markup(f"<ul>{''.join(items)}</ul>")
    if column == "warnings" and isinstance(data, list):
        return Markup("<ul>" + "".join(f"<li>{escape(w)}</li>" for w in data) + "</ul>") if data else Markup("")
    if isinstance(data, dict):
        if not data:
            return Markup("")
        rows = "".join(f"<tr><td>{escape(str(k))}</td><td>{escape(json.dumps(v, ensure_ascii=False))}</td></tr>"
                       for k, v in data.items())
        return Markup(f"<table class='pn-json'>{rows}</table>")
    return Markup(f"<pre>{escape(json.dumps(data, ensure_ascii=False, indent=1))}</pre>")


_registered = False
_register_lock = threading.Lock()


def _register_plugin() -> None:
    global _registered
    from datasette.plugins import pm

    with _register_lock:
        if not _registered:
            pm.register(sys.modules[__name__], name="parknews")
            _registered = True


def make_datasette(db_path: str | Path):
    """A Datasette instance serving the archive read-only under /parknews."""
    from datasette.app import Datasette
    from datasette.database import Database

    class ReadOnlyDatabase(Database):
        def connect(self, write=False):
            if write:
                raise PermissionError("parknews serve is read-only")
            return super().connect(write=False)

    _register_plugin()
    ds = Datasette(
        metadata=load_metadata(db_path),
        settings={"allow_download": False, "default_page_size": 50, "sql_time_limit_ms": 3000,
                  "allow_facet": True, "suggest_facets": False},
    )
    path = str(Path(db_path).resolve())
    ds.add_database(ReadOnlyDatabase(ds, path=path, is_mutable=True), name=DB_NAME)
    return ds


def run_server(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8001) -> None:
    import asyncio

    import click
    import uvicorn

    if port == 0:  # a free port, chosen here so the line below can name it
        import socket

        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    ds = make_datasette(db_path)
    asyncio.run(ds.invoke_startup())
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"serving {Path(db_path).resolve()} read-only at http://{shown}:{port}/{DB_NAME} "
               "(Ctrl-C stops)", err=True)
    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):  # SIGTERM / SIGINT: stop the queries still running too
            super().handle_exit(sig, frame)
            interrupt_queries()

    config = uvicorn.Config(ds.app(), host=host, port=port, log_level="warning", lifespan="on",
                            timeout_graceful_shutdown=SHUTDOWN_GRACE_S)
    Server(config).run()
    interrupt_queries()  # a worker thread still in a statement would hold the exit
