"""Provenance check of one article: each capture's stored WARC record read back from disk and
checked (gzip member, WARC-Record-ID, block and payload digests) as the WARC export checks it."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .warc import record_problem, resolve_path


def check_capture(warc_dir: str | Path, cap: dict[str, Any]) -> tuple[str, str | None]:
    """("ok", None), ("missing", why) or ("mismatch", why) for one captures row."""
    path = resolve_path(warc_dir, cap["warc_file"])
    try:
        with open(path, "rb") as fh:
            fh.seek(cap["offset"])
            data = fh.read(cap["length"])
    except OSError as exc:
        return "missing", f"{path}: {exc.strerror or exc}"
    if len(data) != cap["length"]:
        return "missing", f"{path}@{cap['offset']}: file ends before the record does"
    problem = record_problem(data)
    if problem:
        return "mismatch", f"{path}@{cap['offset']}: {problem[:200]}"
    rid = _record_id(data)
    if cap.get("record_id") and rid != cap["record_id"]:
        return "mismatch", f"{path}@{cap['offset']}: record there is {rid}, not {cap['record_id']}"
    return "ok", None


def _record_id(data: bytes) -> str | None:
    import io
    import zlib

    from warcio.archiveiterator import ArchiveIterator

    raw = zlib.decompress(data, zlib.MAX_WBITS + 16)
    return next(iter(ArchiveIterator(io.BytesIO(raw)))).rec_headers.get_header("WARC-Record-ID")


def provenance(db, article_id: int, warc_dir: str | Path) -> list[dict[str, Any]]:
    """Every capture row of the article, each with "check" and "problem"."""
    rows = db.execute_returning_dicts("SELECT * FROM captures WHERE article_id = ? ORDER BY id", [article_id])
    for row in rows:
        row["check"], row["problem"] = check_capture(warc_dir, row)
    return rows
