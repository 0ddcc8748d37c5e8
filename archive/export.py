"""Reading records back out of the archive, as stored, for downstream systems."""
from __future__ import annotations

import json
from typing import IO, Any, Iterator

import sqlite_utils

from crawler.items import RECORD_FIELDS

from .store import JSON_COLUMNS

EXPORT_FIELDS = ("id",) + RECORD_FIELDS


def row_to_record(row: dict[str, Any]) -> dict[str, Any]:
    out = {name: row.get(name) for name in EXPORT_FIELDS}
    for name in JSON_COLUMNS:
        if isinstance(out.get(name), str):
            out[name] = json.loads(out[name])
    return out


def iter_records(db: sqlite_utils.Database, *, site: str | None = None) -> Iterator[dict[str, Any]]:
    """Every stored article as a record dict, in id order, streamed (not loaded at once)."""
    sql = "SELECT * FROM articles"
    params: list[Any] = []
    if site:
        sql += " WHERE site = ?"
        params.append(site)
    sql += " ORDER BY id"
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield row_to_record(dict(zip(names, values)))


def write_jsonl(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
