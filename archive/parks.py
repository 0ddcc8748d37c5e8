"""Parks in the archive: which articles are about which development zone.

Tables (migration v8):

* ``parks`` (name, type, place, level, origin, added_at) and ``park_aliases`` (alias, park): the
  gazetteer the archive links with: the bundled one (crawler/parsing/data/parks.toml, origin
  'gazetteer', mirrored here so SQL and Datasette can resolve aliases) plus the parks a person
  added with `parknews parks add` (origin 'user', kept across upgrades).
* ``article_parks`` (article_id, park, known, mentions, about, in_title, surfaces): one row per
  park an article names; ``about`` = in the title or mentioned at least twice. ``park`` is a
  canonical name; ``known`` = 0 for a park not in the gazetteer (a candidate).
* ``park_candidates`` (a view): the unknown parks found, with article counts, for a person to
  confirm with `parknews parks add NAME`.
* ``park_queue``: articles whose links must be (re)computed: every article when the table is
  made (the backfill of an older archive), an article whose title or text changed (reparse),
  every article when the gazetteer changed (a user's park, a new bundled list).

An article stored by a crawl is linked in the store's transaction (`link_record`); queued
articles are linked by `sync_links`, which every command that reads the links calls first.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable

from crawler.parsing.parks import (GAZETTEER_PATH, LEVELS, PARK_TYPES, Gazetteer, GazetteerError, Park,
                                   check_park, default_gazetteer, extract_parks)

from .clock import now_iso
from .transactions import joined_transaction, unless_busy

QUEUE_TABLE = "park_queue"
SYNC_BATCH = 500


class ParkError(ValueError):
    """A one-line reason a park command cannot run (unknown park, bad name)."""



# ---------------------------------------------------------------- schema (migration v8)

def migrate_v8(db) -> None:
    db.execute("ALTER TABLE articles ADD COLUMN parks TEXT")  # NULL: not computed yet (sync_links)
    db.execute(
        "CREATE TABLE parks (name TEXT PRIMARY KEY, type TEXT NOT NULL, place TEXT, level TEXT, "
        "origin TEXT NOT NULL, added_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE park_aliases (alias TEXT PRIMARY KEY, "
        "park TEXT NOT NULL REFERENCES parks(name) ON DELETE CASCADE)"
    )
    db.execute("CREATE INDEX idx_park_aliases_park ON park_aliases(park)")
    db.execute(
        "CREATE TABLE article_parks (article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, "
        "park TEXT NOT NULL, known INTEGER NOT NULL, mentions INTEGER NOT NULL, about INTEGER NOT NULL, "
        "in_title INTEGER NOT NULL, surfaces TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (article_id, park))"
    )
    db.execute("CREATE INDEX idx_article_parks_park ON article_parks(park, about)")
    db.execute("CREATE TABLE park_meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute(f"CREATE TABLE {QUEUE_TABLE} (article_id INTEGER PRIMARY KEY)")
    db.execute(
        f"CREATE TRIGGER park_queue_ai AFTER INSERT ON articles BEGIN "
        f"INSERT OR IGNORE INTO {QUEUE_TABLE}(article_id) VALUES (new.id); END"
    )
    db.execute(
        f"CREATE TRIGGER park_queue_au AFTER UPDATE OF title, body_text ON articles "
        "WHEN old.title IS NOT new.title OR old.body_text IS NOT new.body_text "
        f"BEGIN INSERT OR IGNORE INTO {QUEUE_TABLE}(article_id) VALUES (new.id); END"
    )
    db.execute(
        f"CREATE TRIGGER park_queue_ad AFTER DELETE ON articles BEGIN "
        f"DELETE FROM {QUEUE_TABLE} WHERE article_id = old.id; "
        "DELETE FROM article_parks WHERE article_id = old.id; END"
    )
    db.execute(
        "CREATE VIEW park_candidates AS SELECT ap.park AS name, count(*) AS articles, "
        "sum(ap.about) AS about, sum(ap.mentions) AS mentions, min(a.published_at) AS first_published, "
        "max(a.published_at) AS last_published, group_concat(DISTINCT a.site) AS sites, "
        "min(ap.article_id) AS first_article_id "
        "FROM article_parks ap JOIN articles a ON a.id = ap.article_id "
        "WHERE ap.known = 0 AND ap.park NOT IN (SELECT name FROM parks) GROUP BY ap.park"
    )
    db.execute(f"INSERT INTO {QUEUE_TABLE}(article_id) SELECT id FROM articles")


# ---------------------------------------------------------------- the archive's gazetteer

def _bundled_hash() -> str:
    return hashlib.sha256(GAZETTEER_PATH.read_bytes()).hexdigest()


def user_parks(db) -> list[Park]:
    """The parks added to this archive by a person (origin 'user') or a site file ('site:NAME')."""
    rows = db.execute("SELECT name, type, place, level FROM parks WHERE origin != 'gazetteer' ORDER BY name").fetchall()
    aliases: dict[str, list[str]] = {}
    for alias, park in db.execute(
            "SELECT a.alias, a.park FROM park_aliases a JOIN parks p ON p.name = a.park "
            "WHERE p.origin != 'gazetteer' ORDER BY a.rowid").fetchall():
        aliases.setdefault(park, []).append(alias)
    return [Park(n, t, pl, lv, tuple(a for a in aliases.get(n, []) if a != n), "user") for n, t, pl, lv in rows]


def gazetteer(db) -> Gazetteer:
    """The bundled gazetteer plus the parks users added to this archive."""
    extra = user_parks(db)
    return default_gazetteer().with_parks(extra) if extra else default_gazetteer()


def _mirror_gazetteer(db) -> None:
    """Write the bundled parks (and the users') into parks/park_aliases: one row per park,
    one per alias (a user's alias wins a clash)."""
    db.execute("DELETE FROM park_aliases WHERE park IN (SELECT name FROM parks WHERE origin = 'gazetteer')")
    db.execute("DELETE FROM parks WHERE origin = 'gazetteer'")
    now = now_iso()
    users = {p.name for p in user_parks(db)}
    for p in default_gazetteer().parks.values():
        if p.name in users:
            continue
        db.execute("INSERT INTO parks (name, type, place, level, origin, added_at) VALUES (?, ?, ?, ?, 'gazetteer', ?)",
                   [p.name, p.type, p.place, p.level, now])
        for a in (p.name,) + p.aliases:
            db.execute("INSERT OR IGNORE INTO park_aliases (alias, park) VALUES (?, ?)", [a, p.name])


def _check_gazetteer(db) -> None:
    """Mirror the bundled gazetteer and queue every article again when the file changed."""
    digest = _bundled_hash()
    row = db.execute("SELECT value FROM park_meta WHERE key = 'gazetteer_sha256'").fetchone()
    if row and row[0] == digest:
        return
    _mirror_gazetteer(db)
    db.execute("INSERT OR REPLACE INTO park_meta (key, value) VALUES ('gazetteer_sha256', ?)", [digest])
    if row:  # a new bundled list: links may change
        requeue_all(db)


def requeue_all(db) -> None:
    db.execute(f"INSERT OR IGNORE INTO {QUEUE_TABLE}(article_id) SELECT id FROM articles")


# ---------------------------------------------------------------- linking

def _write_links(db, article_id: int, entries: list[dict[str, Any]], gaz: Gazetteer) -> None:
    db.execute("DELETE FROM article_parks WHERE article_id = ?", [article_id])
    for e in entries:
        known = e["park"] in gaz.parks
        db.execute(
            "INSERT INTO article_parks (article_id, park, known, mentions, about, in_title, surfaces) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [article_id, e["park"], int(known), e["mentions"], int(e["about"]), int(e["in_title"]),
             json.dumps(sorted({s["text"] for s in e["spans"]}), ensure_ascii=False)],
        )
    db.execute(f"DELETE FROM {QUEUE_TABLE} WHERE article_id = ?", [article_id])


def apply_gazetteer(record, gaz: Gazetteer) -> None:
    """The record's `parks` as this archive knows them: found again when the archive has parks
    the bundled gazetteer does not (users', site files')."""
    if gaz is not default_gazetteer():
        record.parks = extract_parks(record.title, record.body_text, gaz)


def link_record(db, article_id: int, record, gaz: Gazetteer) -> None:
    """Link a just-stored article to its parks (inside the caller's transaction); the record's
    `parks` were made with `gaz` (apply_gazetteer)."""
    _write_links(db, article_id, record.parks, gaz)


def sync_links(db, *, batch: int = SYNC_BATCH) -> int:
    """Link every queued article (after mirroring a changed bundled gazetteer); returns how many
    were linked. An article's stored `parks` field is rewritten when it differs (an archive made
    before parks were known, a park added since)."""
    with joined_transaction(db):
        _check_gazetteer(db)
    gaz = gazetteer(db)
    done = 0
    while True:
        with joined_transaction(db):
            rows = db.execute(
                f"SELECT a.id, a.title, a.body_text, a.parks FROM {QUEUE_TABLE} q "
                f"JOIN articles a ON a.id = q.article_id ORDER BY q.article_id LIMIT ?", [batch]
            ).fetchall()
            if not rows:
                db.execute(f"DELETE FROM {QUEUE_TABLE}")  # ids of articles gone since
                break
            for article_id, title, body, stored in rows:
                entries = extract_parks(title, body, gaz)
                text = json.dumps(entries, ensure_ascii=False)
                if stored != text:
                    db.execute("UPDATE articles SET parks = ? WHERE id = ?", [text, article_id])
                _write_links(db, article_id, entries, gaz)
            done += len(rows)
    return done


def try_sync(db) -> bool:
    """sync_links, unless the archive cannot be written just now (another writer holds the lock:
    links stale by one batch; archive.transactions.unless_busy); True when synced."""
    return unless_busy(db, sync_links)


# ---------------------------------------------------------------- names

def resolve(db, name: str, option: str = "--park") -> str:
    """The canonical park NAME stands for: a park's name or alias (this archive's gazetteer),
    or a candidate's name; ParkError naming the option otherwise."""
    if not name or not name.strip():
        raise ParkError(f"{option}: give a park name")
    gaz = gazetteer(db)
    found = gaz.resolve(name)
    if found:
        return found
    row = db.execute("SELECT park FROM park_aliases WHERE alias = ?", [name.strip()]).fetchone()
    if row:
        return row[0]
    row = db.execute("SELECT park FROM article_parks WHERE park = ? LIMIT 1", [name.strip()]).fetchone()
    if row:
        return row[0]
    raise ParkError(f"{option} {name!r}: no such park or alias in this archive (see `parknews parks`, "
                    "`parknews parks --candidates`)")


def add_park(db, name: str, *, aliases: Iterable[str] = (), type_: str | None = None, place: str | None = None,
             level: str | None = None, origin: str = "user") -> tuple[Park, list[tuple[str, str]], bool]:
    """Add (or replace) a park of this archive with its aliases; when that changes anything,
    queue every article to be linked again. Returns the park, the (alias, other park) pairs whose
    alias now names this park, and whether anything changed."""
    name = (name or "").strip()
    if not name:
        raise ParkError("parks add: give the park's name")
    with joined_transaction(db):
        _check_gazetteer(db)
        old = db.execute("SELECT type, place, level, origin FROM parks WHERE name = ?",
                         [name.replace("(", "（").replace(")", "）")]).fetchone()
        try:
            park = check_park({"name": name, "type": type_ or (old[0] if old else "其他"),
                               "place": place or (old[1] if old else None), "level": level or (old[2] if old else None),
                               "aliases": list(aliases), "origin": "user"}, "parks add")
        except GazetteerError as exc:
            raise ParkError(str(exc)) from None
        for a in park.aliases:
            if db.execute("SELECT 1 FROM parks WHERE name = ? AND name != ?", [a, park.name]).fetchone():
                raise ParkError(f"parks add: {a!r} is the name of another park, not an alias of {park.name}")
        old_aliases = [a for (a,) in db.execute(
            "SELECT alias FROM park_aliases WHERE park = ? AND alias != ? ORDER BY rowid", [park.name, park.name])]
        level = park.level
        if old and tuple(old) == (park.type, park.place, level, origin) and set(old_aliases) >= set(park.aliases):
            return park, [], False
        keep = [a for a in old_aliases if a not in park.aliases]  # names are added, never dropped
        taken = db.execute(
            f"SELECT alias, park FROM park_aliases WHERE alias IN ({','.join('?' * len(park.aliases))}) AND park != ?",
            list(park.aliases) + [park.name]).fetchall() if park.aliases else []
        db.execute("DELETE FROM park_aliases WHERE park = ?", [park.name])
        db.execute(
            "INSERT INTO parks (name, type, place, level, origin, added_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET type = excluded.type, place = excluded.place, "
            "level = excluded.level, origin = excluded.origin, added_at = excluded.added_at",
            [park.name, park.type, park.place, level, origin, now_iso()])
        for a in (park.name,) + tuple(keep) + park.aliases:
            db.execute("INSERT OR REPLACE INTO park_aliases (alias, park) VALUES (?, ?)", [a, park.name])
        requeue_all(db)
    return park, [tuple(t) for t in taken], True


def add_site_parks(db, site: str, entries: Iterable[dict[str, Any]]) -> int:
    """The [[park]] tables of a site file, added as parks of origin 'site:NAME'; returns how many
    changed (none on a crawl after the first)."""
    changed = 0
    for e in entries:
        _, _, did = add_park(db, e["name"], aliases=e.get("aliases") or (), type_=e.get("type", "其他"),
                             place=e.get("place"), level=e.get("level"), origin=f"site:{site}")
        changed += did
    return changed


# ---------------------------------------------------------------- reading

def park_filter(park: str) -> tuple[str, list[Any]]:
    """A WHERE clause (on `articles a`) for the articles about `park` (a canonical name)."""
    return "a.id IN (SELECT article_id FROM article_parks WHERE park = ? AND about = 1)", [park]


def list_parks(db, *, candidates: bool = False, site: str | None = None, include_empty: bool = False) -> list[dict]:
    """Parks with their article counts (about / naming), first and last article date and sites."""
    where, params = ["ap.known = %d" % (0 if candidates else 1)], []
    if candidates:
        where.append("ap.park NOT IN (SELECT name FROM parks)")
    if site:
        where.append("a.site = ?")
        params.append(site)
    rows = db.execute_returning_dicts(
        "SELECT ap.park AS park, sum(ap.about) AS about, count(*) AS named, sum(ap.mentions) AS mentions, "
        "min(a.published_at) AS first_published, max(a.published_at) AS last_published, "
        "group_concat(DISTINCT a.site) AS sites, min(ap.article_id) AS first_article_id "
        "FROM article_parks ap JOIN articles a ON a.id = ap.article_id "
        f"WHERE {' AND '.join(where)} GROUP BY ap.park ORDER BY about DESC, named DESC, ap.park", params)
    info = {r["name"]: r for r in db.execute_returning_dicts("SELECT name, type, level, origin FROM parks")}
    for r in rows:
        meta = info.get(r["park"], {})
        r["level"], r["origin"] = meta.get("level"), meta.get("origin")
        r["sites"] = sorted((r["sites"] or "").split(",")) if r["sites"] else []
        r["aliases"] = [a for (a,) in db.execute(
            "SELECT alias FROM park_aliases WHERE park = ? AND alias != ? ORDER BY rowid", [r["park"], r["park"]])]
    if include_empty and not candidates:
        seen = {r["park"] for r in rows}
        for name, meta in sorted(info.items()):
            if name not in seen:
                rows.append({"park": name, "about": 0, "named": 0, "mentions": 0, "first_published": None,
                             "last_published": None, "sites": [], "first_article_id": None,
                             "level": meta["level"], "origin": meta["origin"], "aliases": [a for (a,) in db.execute(
                                 "SELECT alias FROM park_aliases WHERE park = ? AND alias != ? ORDER BY rowid",
                                 [name, name])]})
    return rows


__all__ = ["LEVELS", "PARK_TYPES", "ParkError", "add_park", "gazetteer", "link_record", "list_parks",
           "migrate_v8", "park_filter", "requeue_all", "resolve", "sync_links", "try_sync"]
