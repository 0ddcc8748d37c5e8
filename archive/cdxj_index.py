"""The CDXJ index of a WARC folder (`FOLDER/index.cdxj`), kept up to date incrementally.

    result = update_index(folder)        # index the closed WARC files not indexed yet
    lines = lookup(folder, url)          # that URL's captures, by binary search, oldest first

Each line is cdxj-indexer's: `SURT TIMESTAMP {"url", "mime", "status", "digest", "length",
"offset", "filename"}`, sorted, the format pywb and the WACZ tools read. Only closed files
(`NAME.warc.gz`, never a crawl's `.open` file) are indexed; a closed file is never written again.
`index.cdxj.files` (JSON: file name -> size) lists the files indexed, so a run reads only new
files: their lines are sorted and merged with the existing index into a temp file that is
renamed into place, so a reader (pywb, a lookup) always sees a whole index. A file that is
gone, or whose size changed, has its lines dropped (and is indexed again when present).
One process updates at a time (flock on `index.cdxj.lock`).
"""
from __future__ import annotations

import fcntl
import heapq
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .warc import WARC_SUFFIX

INDEX_NAME = "index.cdxj"
FILES_NAME = INDEX_NAME + ".files"
LOCK_NAME = INDEX_NAME + ".lock"
REBUILD = f"delete it and {INDEX_NAME}, and `parknews index` builds the index again"


class CdxjIndexError(Exception):
    """The index cannot be read or written (one line naming the file)."""


@dataclass(frozen=True)
class IndexResult:
    path: Path
    files_added: int
    records_added: int
    files_dropped: int
    records: int  # lines in the index after the update


def index_path(folder: str | Path) -> Path:
    return Path(folder) / INDEX_NAME


def _closed_files(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(folder.glob("*" + WARC_SUFFIX)) if p.is_file()}


def _read_files(folder: Path) -> dict[str, int]:
    path = folder / FILES_NAME
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CdxjIndexError(f"{path}: cannot read the list of indexed files ({exc}); {REBUILD}") from None
    if not isinstance(data, dict) or not all(isinstance(v, int) for v in data.values()):
        raise CdxjIndexError(f"{path}: not a JSON object of file name -> size; {REBUILD}")
    return data


def cdxj_lines(paths: list[str | Path]) -> list[str]:
    """cdxj-indexer's sorted index lines (with their newlines) of these WARC files; each line's
    "filename" is the file's base name."""
    from cdxj_indexer import CDXJIndexer

    if not paths:
        return []
    out = io.StringIO()
    CDXJIndexer(output=out, inputs=[str(p) for p in paths], sort=True).process_all()
    return out.getvalue().splitlines(keepends=True)


def _filename(line: str) -> str | None:
    try:
        return json.loads(line.split(" ", 2)[2]).get("filename")
    except (IndexError, ValueError):
        return None


def _write_atomic(path: Path, lines) -> int:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    count = 0
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line)
                count += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def _merged(old: Iterator[str], new: list[str], drop: set[str]) -> Iterator[str]:
    last = None
    for line in heapq.merge(old, new):
        if line == last:  # a file indexed twice (a run that died between index and list)
            continue
        if drop and _filename(line) in drop:
            continue
        last = line
        yield line


def update_index(folder: str | Path) -> IndexResult:
    """Index the closed WARC files of `folder` that the index does not hold yet."""
    folder = Path(folder)
    path = index_path(folder)
    if not folder.is_dir():
        raise CdxjIndexError(f"{folder}: no such WARC folder")
    try:
        lock = open(folder / LOCK_NAME, "a")
    except OSError as exc:
        raise CdxjIndexError(f"{folder / LOCK_NAME}: cannot write ({exc.strerror or exc})") from None
    with lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        indexed = _read_files(folder)
        if indexed and not path.exists():
            indexed = {}  # the index was deleted: build it again
        present = _closed_files(folder)
        drop = {n for n, size in indexed.items() if present.get(n) != size}
        new = [n for n, size in present.items() if indexed.get(n) != size]
        if not new and not drop and path.exists():
            return IndexResult(path, 0, 0, 0, _count(path))
        try:
            lines = cdxj_lines([folder / n for n in new])
        except Exception as exc:  # warcio/cdxj-indexer on a damaged file
            raise CdxjIndexError(f"{folder}: cannot index {', '.join(new)} ({exc})") from None
        try:
            old = open(path, encoding="utf-8") if path.exists() else None
            with old or io.StringIO() as fh:
                total = _write_atomic(path, _merged(fh, lines, drop))
            files = {n: s for n, s in indexed.items() if n not in drop}
            files.update({n: present[n] for n in new})
            _write_atomic(folder / FILES_NAME, [json.dumps(files, ensure_ascii=False, indent=0, sort_keys=True)])
        except OSError as exc:
            raise CdxjIndexError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return IndexResult(path, len(new), len(lines), len(drop - set(new)), total)


def _count(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)


def url_key(url: str) -> str:
    """The SURT key the index sorts by (cdxj-indexer's)."""
    import surt

    return surt.surt(url)


def closest(hits: list[dict], when: str) -> dict | None:
    """Of lookup()'s hits, the capture nearest in time to `when` (ISO 8601 or 14 digits)."""
    from datetime import datetime

    def moment(text: str) -> datetime:
        digits = "".join(c for c in text if c.isdigit())[:14]
        digits += "0101000000"[max(len(digits) - 4, 0):] if len(digits) < 14 else ""
        return datetime.strptime(digits, "%Y%m%d%H%M%S")

    target = moment(when)
    return min(hits, key=lambda h: abs((moment(h["timestamp"]) - target).total_seconds()), default=None)


def lookup(folder: str | Path, url: str) -> list[dict]:
    """Every indexed capture of exactly `url`, oldest first, found by binary search (no scan):
    dicts of the line's JSON plus "urlkey" and "timestamp"."""
    path = index_path(folder)
    key = url_key(url)
    prefix = (key + " ").encode("utf-8")
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        raise CdxjIndexError(f"{path}: no index yet (run `parknews index`)") from None
    except OSError as exc:
        raise CdxjIndexError(f"{path}: cannot read ({exc.strerror or exc})") from None
    out = []
    with fh:
        fh.seek(_first_at_or_after(fh, prefix))
        for raw in fh:
            if not raw.startswith(prefix):
                break
            urlkey, ts, data = raw.decode("utf-8").split(" ", 2)
            out.append(dict(json.loads(data), urlkey=urlkey, timestamp=ts))
    return out


def _first_at_or_after(fh, prefix: bytes, block: int = 4096) -> int:
    """Offset of the first line >= prefix in a sorted file: a binary search over blocks (the
    first whole line after a block start decides), then a scan of at most one block."""
    lo, hi = 0, fh.seek(0, os.SEEK_END) // block
    while hi - lo > 1:
        mid = (lo + hi) // 2
        fh.seek(mid * block)
        fh.readline()  # the rest of a line that began before this block
        line = fh.readline()
        if line and line < prefix:
            lo = mid
        else:
            hi = mid
    fh.seek(lo * block)
    if lo:
        fh.readline()
    while True:
        pos = fh.tell()
        line = fh.readline()
        if not line or line >= prefix:
            return pos
