"""Provenance check of one article: each capture's stored WARC record read back from disk and
checked (gzip member, WARC-Record-ID, block and payload digests) as the WARC export checks it,
its IP address (WARC-IP-Address, when the crawl knew it), and whether a fresh parse of the
captured page (archive.reparse.parse_capture, as `parknews reparse` does it) still gives the
stored record's fields."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.parsing.record import COMPARED_FIELDS

from .warc import WarcReadError, record_problem, resolve_path


def check_capture(warc_dir: str | Path, cap: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """("ok", None, ip), ("missing", why, None) or ("mismatch", why, ip) for one captures row."""
    path = resolve_path(warc_dir, cap["warc_file"])
    try:
        with open(path, "rb") as fh:
            fh.seek(cap["offset"])
            data = fh.read(cap["length"])
    except OSError as exc:
        return "missing", f"{path}: {exc.strerror or exc}", None
    if len(data) != cap["length"]:
        return "missing", f"{path}@{cap['offset']}: file ends before the record does", None
    problem = record_problem(data)
    if problem:
        return "mismatch", f"{path}@{cap['offset']}: {problem[:200]}", None
    rid, ip = _record_headers(data)
    if cap.get("record_id") and rid != cap["record_id"]:
        return "mismatch", f"{path}@{cap['offset']}: record there is {rid}, not {cap['record_id']}", ip
    return "ok", None, ip


def _record_headers(data: bytes) -> tuple[str | None, str | None]:
    import io
    import zlib

    from warcio.archiveiterator import ArchiveIterator

    raw = zlib.decompress(data, zlib.MAX_WBITS + 16)
    headers = next(iter(ArchiveIterator(io.BytesIO(raw)))).rec_headers
    return headers.get_header("WARC-Record-ID"), headers.get_header("WARC-IP-Address")


def fresh_parse(db, warc_dir, cap: dict[str, Any], article: dict[str, Any], cache: dict,
                sites_dir=None) -> tuple[str, list[str] | str | None]:
    """("equal", None), ("differs", [fields]), ("refused", reason), ("unreadable", why) or
    ("not compared", why) for one capture against the stored article row."""
    from .reparse import parse_capture
    from .store import record_row

    if cap["record_type"] not in ("response", "revisit") or not (200 <= (cap["status"] or 200) < 300):
        return "not compared", f"a {cap['record_type']} with status {cap['status']}"
    if cap["url"] != article["url"]:
        return "not compared", "another URL of the article (the record shows its own URL's page)"
    try:
        record, refusal = parse_capture(db, warc_dir, cap, cap["url"], article["site"], cache, sites_dir)
    except WarcReadError as exc:
        return "unreadable", str(exc)
    if refusal:
        return "refused", f"{refusal[0]}{': ' + refusal[1] if refusal[1] else ''}"
    row = record_row(record)
    changed = [f for f in COMPARED_FIELDS if row[f] != article[f]]
    return ("differs", changed) if changed else ("equal", None)


def provenance(db, article_id: int, warc_dir: str | Path, sites_dir=None) -> list[dict[str, Any]]:
    """Every capture row of the article, each with "check", "problem", "ip", "parse" and
    "parse_detail" (see fresh_parse)."""
    rows = db.execute_returning_dicts("SELECT * FROM captures WHERE article_id = ? ORDER BY id", [article_id])
    article = db.execute_returning_dicts("SELECT * FROM articles WHERE id = ?", [article_id])[0]
    cache: dict = {}
    for row in rows:
        row["check"], row["problem"], row["ip"] = check_capture(warc_dir, row)
        if row["check"] == "ok":
            row["parse"], row["parse_detail"] = fresh_parse(db, warc_dir, row, article, cache, sites_dir)
        else:
            row["parse"], row["parse_detail"] = "not compared", "the record on disk failed its check"
    return rows
