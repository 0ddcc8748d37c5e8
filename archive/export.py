"""Exports for downstream systems: JSON Lines, CSV, Parquet and WARC (WACZ: archive.wacz_export).

Every export streams: rows are read from SQLite with one cursor and written as they come (Parquet
in row groups of PARQUET_BATCH), so memory does not grow with the number of records.

Shapes (the record schema is `archive/record.schema.json`, version SCHEMA_VERSION):
* JSONL: one record a line, `sections`/`images`/`extraction`/`warnings` as JSON structures.
* Parquet: the same fields as typed columns: `sections` list<struct<heading, paragraphs
  list<string>>>, `images` list<struct<src, caption, media_type, bytes, sha256, capture, reason>> (all but src and caption null unless `crawl --images`), `extraction` map<string, string>,
  `warnings` list<string>; the schema version is in the file's key-value metadata.
* CSV: one row a record, header row of the field names; the four structured fields are
  JSON text in their cells (`sections` as `[{"heading": ..., "paragraphs": [...]}]`). UTF-8, no BOM.

A file export is written to a temporary file beside the target and renamed into place when
complete, then `FILE.manifest.json` is written beside it (schema version, record count, SHA-256
and size of the data file, the filters, the cursor range). Only then does an export with
`cursor=NAME` move that cursor (archive.cursors): a failed or killed export is delivered again.
Only a regular file is ever replaced (or created) that way. An output that is a symlink is
followed (its target is written, the link stays); stdout (`-`), a device or a FIFO is written
to directly, with no manifest, and a cursor moves only when every byte was written
(`-o /dev/full` fails with one line and leaves the cursor where it was).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import queue
import re
import stat
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Callable, Iterator

import sqlite_utils

from .errors import DamagedData

from crawler.parsing.record import JSON_FIELDS, RECORD_FIELDS

from . import cursors as cursors_mod
from .search import article_filters

SCHEMA_PATH = Path(__file__).with_name("record.schema.json")
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
SCHEMA_VERSION: str = SCHEMA["version"]
SCHEMA_ID: str = SCHEMA["$id"]

EXPORT_FIELDS: tuple[str, ...] = ("id",) + RECORD_FIELDS + ("first_seen", "updated_at")
# The JSON columns (the record's list and dict fields) and their empty value.
STRUCTURED = {name: "{}" if name == "extraction" else "[]" for name in JSON_FIELDS}
FORMATS = ("jsonl", "csv", "parquet", "warc")
PARQUET_BATCH = 2000
_IMAGE_KEYS = ("src", "caption", "media_type", "bytes", "sha256", "capture", "reason")
_SELECT = ", ".join(f"a.{name}" for name in EXPORT_FIELDS)


class ExportError(Exception):
    """A one-line reason an export cannot run (bad output path, bad filters)."""


# ---------------------------------------------------------------- records

def row_to_record(row: dict[str, Any]) -> dict[str, Any]:
    """An articles row (dict) as an export record: JSON columns parsed."""
    out = {name: row.get(name) for name in EXPORT_FIELDS}
    for name, empty in STRUCTURED.items():
        value = out.get(name)
        out[name] = json.loads(value if isinstance(value, str) and value else empty) \
            if not isinstance(value, (list, dict)) else value
    return out


def record_by_id(db, article_id: int) -> dict[str, Any] | None:
    cur = db.execute(f"SELECT {_SELECT} FROM articles a WHERE a.id = ?", [article_id])
    row = cur.fetchone()
    return row_to_record(dict(zip(EXPORT_FIELDS, row))) if row else None


def _query(site, since, until, seq_range: tuple[int, int] | None, select: str = _SELECT,
           count: bool = False, park: str | None = None) -> tuple[str, list[Any]]:
    """SQL for the selected rows: `select`, then a.updated_at, a.id and the change seq (NULL
    without a cursor); or, with `count`, their number."""
    where, params = article_filters(site=site, since=since, until=until, park=park)
    if seq_range is None:
        source, seq, order = "articles a", "NULL", " ORDER BY a.id"
    else:
        source = f"{cursors_mod.CHANGES_TABLE} c JOIN articles a ON a.id = c.article_id"
        seq, order = "c.seq", " ORDER BY c.seq"
        where = ["c.seq > ?", "c.seq <= ?"] + where
        params = list(seq_range) + params
    cols = "count(*)" if count else f"{select}, a.updated_at, a.id, {seq}"
    sql = f"SELECT {cols} FROM {source}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return (sql if count else sql + order), params


def iter_rows(db, *, site=None, since=None, until=None, seq_range=None, select: str = _SELECT,
              park=None) -> Iterator[tuple]:
    """Rows (the `select` columns: by default EXPORT_FIELDS..., then updated_at, id, seq), streamed."""
    sql, params = _query(site, since, until, seq_range, select, park=park)
    yield from db.execute(sql, params)


def iter_records(db: sqlite_utils.Database, *, site: str | None = None, since: str | None = None,
                 until: str | None = None) -> Iterator[dict[str, Any]]:
    """Every stored article (filtered) as a record dict, in id order, streamed."""
    for row in iter_rows(db, site=site, since=since, until=until):
        yield row_to_record(dict(zip(EXPORT_FIELDS, row[:-3])))


def count_rows(db, *, site=None, since=None, until=None, seq_range=None, park=None) -> int:
    sql, params = _query(site, since, until, seq_range, count=True, park=park)
    return db.execute(sql, params).fetchone()[0]


# ---------------------------------------------------------------- writers

def _raw_json(value: Any, empty: str) -> str:
    """A stored JSON column as one line of JSON text (as stored, when it already is)."""
    if not value:
        return empty
    if "\n" in value:  # stored pretty-printed by someone: re-encode on one line
        return json.dumps(json.loads(value), ensure_ascii=False)
    return value


_IS_STRUCTURED = [STRUCTURED.get(n) for n in EXPORT_FIELDS]


class _Writer:
    def __init__(self, out: "Sink"):
        self.out = out

    def write(self, row: tuple) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _jsonl_select() -> str:
    """One JSON object per row, built by SQLite's JSON functions (C): keys in EXPORT_FIELDS order,
    the structured columns embedded as JSON (json() checks them and writes them on one line),
    text as-is UTF-8. (Embedding the stored JSON text unparsed measured no faster.)"""
    parts = []
    for name in EXPORT_FIELDS:
        if name in STRUCTURED:
            parts.append(f"'{name}', json(coalesce(nullif(a.{name}, ''), '{STRUCTURED[name]}'))")
        else:
            parts.append(f"'{name}', a.{name}")
    return "json_object(" + ", ".join(parts) + ")"


JSONL_SELECT = _jsonl_select()


class JsonlWriter(_Writer):
    """JSON Lines. Its rows are whole lines made by SQLite (JSONL_SELECT), read as UTF-8 bytes
    (RAW_TEXT: no decoding and re-encoding in Python); the writer thread joins and writes them."""

    CHUNK = 256
    RAW_TEXT = True
    SELECT = JSONL_SELECT

    def __init__(self, out):
        super().__init__(out)
        self._buf: list[bytes] = []

    def write(self, row):
        line = row[0]
        if isinstance(line, bytes):
            try:  # SQLite passes stored bytes through: a damaged database must not make bad JSONL
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                rid = re.match(rb'\{"id":(\d+)', line)
                raise DamagedData(f"record {rid.group(1).decode() if rid else '?'} is not valid UTF-8 "
                                  f"(byte {exc.start}): the database is damaged; export stopped") from None
        self._buf.append(line if isinstance(line, bytes) else line.encode("utf-8"))
        self._buf.append(b"\n")
        if len(self._buf) >= 2 * self.CHUNK:
            self._flush()

    def _flush(self):
        if self._buf:
            self.out.write(self._buf)
            self._buf = []

    def close(self):
        self._flush()


class CsvWriter(_Writer):
    def __init__(self, out):
        super().__init__(out)
        self._text = io.StringIO()
        self._csv = csv.writer(self._text, lineterminator="\r\n")
        self._csv.writerow(EXPORT_FIELDS)
        self._n = 0

    def write(self, row):
        self._csv.writerow([
            _raw_json(v, empty) if empty is not None else ("" if v is None else v)
            for empty, v in zip(_IS_STRUCTURED, row)
        ])
        self._n += 1
        if self._n % 256 == 0:
            self._flush()

    def _flush(self):
        data = self._text.getvalue()
        if data:
            self.out.write(data.encode("utf-8"))
            self._text.seek(0)
            self._text.truncate()

    def close(self):
        self._flush()


def parquet_schema():
    import pyarrow as pa

    text = pa.string()
    types = {name: text for name in EXPORT_FIELDS}
    types["id"] = pa.int64()
    types["sections"] = pa.list_(pa.struct([("heading", text), ("paragraphs", pa.list_(text))]))
    types["extraction"] = pa.map_(text, text)
    types["warnings"] = pa.list_(text)
    types["pages"] = pa.list_(text)
    capture = pa.struct([("warc_file", text), ("offset", pa.int64()), ("length", pa.int64()), ("record_id", text)])
    types["images"] = pa.list_(pa.struct([("src", text), ("caption", text), ("media_type", text), ("bytes", pa.int64()),
                                          ("sha256", text), ("capture", capture), ("reason", text)]))
    types["attachments"] = pa.list_(pa.struct([("url", text), ("text", text), ("media_type", text), ("bytes", pa.int64()),
                                               ("sha256", text), ("capture", capture), ("reason", text)]))
    types["attachment_text"] = pa.list_(pa.struct([("url", text), ("name", text), ("text", text), ("chars", pa.int64()),
                                                   ("truncated", pa.bool_())]))
    span = pa.struct([("field", text), ("start", pa.int64()), ("end", pa.int64()), ("text", text), ("form", text)])
    types["parks"] = pa.list_(pa.struct([("park", text), ("known", pa.bool_()), ("level", text),
                                         ("mentions", pa.int64()), ("in_title", pa.bool_()), ("about", pa.bool_()),
                                         ("spans", pa.list_(span))]))
    return pa.schema([(n, types[n]) for n in EXPORT_FIELDS],
                     metadata={"parknews.schema": SCHEMA_ID, "parknews.schema_version": SCHEMA_VERSION})


class ParquetWriter(_Writer):
    """Row groups of PARQUET_BATCH records through pyarrow.parquet.ParquetWriter."""

    def __init__(self, out):
        super().__init__(out)
        import pyarrow.parquet as pq

        self._schema = parquet_schema()
        self._cols: dict[str, list] = {n: [] for n in EXPORT_FIELDS}
        self._writer = pq.ParquetWriter(out.binary_file(), self._schema, compression="zstd")

    def write(self, row):
        cols = self._cols
        for name, empty, value in zip(EXPORT_FIELDS, _IS_STRUCTURED, row):
            if empty is not None:
                value = json.loads(value) if value else json.loads(empty)
                if name == "extraction":
                    value = [(k, None if v is None else str(v)) for k, v in value.items()]
                elif name == "images":  # the capture keys only when --images fetched them (crawler/images.py)
                    value = [{k: i.get(k) for k in _IMAGE_KEYS} for i in value]
            cols[name].append(value)
        if len(cols["id"]) >= PARQUET_BATCH:
            self._flush()

    def _flush(self):
        import pyarrow as pa

        if self._cols["id"]:
            table = pa.Table.from_pydict(self._cols, schema=self._schema)
            self._writer.write_table(table)
            self._cols = {n: [] for n in EXPORT_FIELDS}

    def close(self):
        self._flush()
        self._writer.close()


# ---------------------------------------------------------------- WARC

def _gzip_member_length(fh, offset: int, limit: int = 64 * 2**20) -> int | None:
    """The length of the gzip member starting at `offset` (None when there is none)."""
    import zlib

    fh.seek(offset)
    dec = zlib.decompressobj(zlib.MAX_WBITS + 16)
    fed = 0
    while fed < limit:
        chunk = fh.read(65536)
        if not chunk:
            return None
        fed += len(chunk)
        try:
            dec.decompress(chunk)
        except zlib.error:
            return None
        if dec.eof:
            return fed - len(dec.unused_data)
    return None


class WarcExportWriter(_Writer):
    """The archived WARC records of the selected articles, copied byte for byte out of the
    crawl's WARC files (each record is its own gzip member, so the copies concatenate into a
    valid .warc.gz): after one warcinfo record describing the export, for every capture of every
    selected article (oldest first) its response or revisit record, the request record written
    beside it, and for a revisit the response record it refers to (once). (The crawl writes its
    WARC files with archive.warc.WarcWriter; this one only copies them, plus its warcinfo.)"""

    SELECT = "a.id"

    def __init__(self, out, db, warc_dir: Path, info: dict[str, str]):
        super().__init__(out)
        from .db import columns

        if not {"article_id", "warc_file", "offset", "length"} <= set(columns(db, "captures")):
            raise ExportError("this archive has no WARC captures (a captures table with warc_file, "
                              "offset, length): nothing to export as WARC")
        self.db = db
        self.dir = Path(warc_dir)
        self.records = 0
        self.captures = 0
        self._copied: set[tuple[str, int]] = set()
        self._fh_cache: dict[str, Any] = {}
        self._warcinfo(info)

    @classmethod
    def factory(cls, db, warc_dir: Path, info: dict[str, str]):
        return lambda out: cls(out, db, warc_dir, info)

    def _warcinfo(self, info: dict[str, str]) -> None:
        from warcio.warcwriter import WARCWriter as _WW

        buf = io.BytesIO()
        ww = _WW(buf, gzip=True, warc_version="1.1")
        ww.write_record(ww.create_warcinfo_record("parknews-export.warc.gz", info))
        self.out.write(buf.getvalue())
        self.records += 1

    def _file(self, name: str):
        fh = self._fh_cache.get(name)
        if fh is None:
            from .warc import resolve_path

            path = resolve_path(self.dir, name)
            try:
                fh = open(path, "rb")
            except OSError as exc:
                raise ExportError(f"{path}: cannot read a WARC file the archive refers to "
                                  f"({exc.strerror}); check --warc-dir") from None
            if len(self._fh_cache) > 16:
                for old in self._fh_cache.values():
                    old.close()
                self._fh_cache.clear()
            self._fh_cache[name] = fh
        return fh

    def _copy(self, name: str, offset: int, length: int | None) -> bool:
        if (name, offset) in self._copied:
            return True
        fh = self._file(name)
        if length is None:
            length = _gzip_member_length(fh, offset)
            if length is None:
                return False
        fh.seek(offset)
        data = fh.read(length)
        if len(data) != length or data[:2] != b"\x1f\x8b":
            raise ExportError(f"{name}@{offset}: not a complete WARC record (damaged or truncated file)")
        from .warc import record_problem

        problem = record_problem(data)  # never copy a damaged record into an export
        if problem:
            raise ExportError(f"{name}@{offset}: damaged WARC record ({problem[:200]}); nothing exported")
        self._copied.add((name, offset))
        self.out.write(data)
        self.records += 1
        return True

    def _is_request_for(self, name: str, offset: int, length: int, record_id: str | None) -> bool:
        from warcio.archiveiterator import ArchiveIterator

        fh = self._file(name)
        fh.seek(offset)
        try:
            rec = next(iter(ArchiveIterator(io.BytesIO(fh.read(length)))))
        except Exception:  # noqa: BLE001 - not a record: not copied
            return False
        return rec.rec_type == "request" and (
            record_id is None or rec.rec_headers.get_header("WARC-Concurrent-To") == record_id)

    def write(self, row):
        article_id = row[0]
        caps = self.db.execute(
            'SELECT warc_file, "offset", length, record_id, record_type, refers_to FROM captures '
            "WHERE article_id = ? ORDER BY id", [article_id],
        ).fetchall()
        for warc_file, offset, length, record_id, record_type, refers_to in caps:
            if record_type == "revisit" and refers_to:
                target = self.db.execute(
                    'SELECT warc_file, "offset", length FROM captures WHERE record_id = ? ORDER BY id LIMIT 1',
                    [refers_to],
                ).fetchone()
                if target:
                    self._copy(*target)
            self._copy(warc_file, offset, length)
            self.captures += 1
            nxt = offset + length  # the request record written right after it
            fh = self._file(warc_file)
            req_len = _gzip_member_length(fh, nxt)
            if req_len and self._is_request_for(warc_file, nxt, req_len, record_id):
                self._copy(warc_file, nxt, req_len)

    def close(self):
        for fh in self._fh_cache.values():
            fh.close()
        self._fh_cache.clear()

    def summary(self) -> dict[str, int]:
        return {"warc_records": self.records, "captures": self.captures}


# ---------------------------------------------------------------- sinks

class Sink:
    """Where export bytes go: a temp file renamed into place, or stdout. A background thread
    hashes (SHA-256) and writes the chunks while the main thread reads SQLite (both release the
    GIL), through a bounded queue: memory stays flat, and a slow reader of stdout holds the
    export back."""

    QUEUE_CHUNKS = 8
    SYNC_EVERY = 64 * 2**20

    def __init__(self, output: str):
        self.output = output
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.path: Path | None = None
        self._tmp: Path | None = None
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._unsynced = 0
        self.direct = False  # written in place (stdout, a device, a FIFO): no rename, no manifest
        if output == "-":
            self.direct = True
            self._fh: IO[bytes] = sys.stdout.buffer
            return
        path = Path(output)
        if path.is_symlink():  # write what the link points at; the link stays
            path = Path(os.path.realpath(path))
        if path.is_dir():
            raise ExportError(f"{path}: is a directory; give a file name")
        if not path.parent.is_dir():
            raise ExportError(f"{path}: cannot write (folder {path.parent} does not exist)")
        self.path = path
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            mode = None
        except OSError as exc:
            raise ExportError(f"{path}: cannot write ({exc.strerror})") from None
        if mode is not None and not stat.S_ISREG(mode):
            # a device, a FIFO, a socket: written to as it is (never replaced), no manifest
            self.direct = True
            try:
                self._fh = open(path, "wb")
            except OSError as exc:
                raise ExportError(f"{path}: cannot write ({exc.strerror})") from None
            return
        self._tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        try:
            self._fh = open(self._tmp, "wb")
        except OSError as exc:
            raise ExportError(f"{path}: cannot write ({exc.strerror})") from None

    @property
    def is_stdout(self) -> bool:
        return self.path is None

    @property
    def name(self) -> str:
        return str(self.path) if self.path is not None else "stdout"

    def _drain(self) -> None:
        while True:
            data = self._queue.get()
            if data is None:
                return
            if self._error is not None:
                continue
            try:
                if isinstance(data, list):  # joined here, off the reading thread
                    data = b"".join(data)
                self.sha256.update(data)
                self._fh.write(data)
                self._unsynced += len(data)
                if self._tmp is not None and self._unsynced >= self.SYNC_EVERY:
                    # start the disk writes now, on this thread, rather than all in finish()
                    self._fh.flush()
                    os.fdatasync(self._fh.fileno())
                    self._unsynced = 0
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                self._error = exc

    def write(self, data: bytes | list[bytes]) -> None:
        """Queue bytes, or a list of byte strings (written in order, not joined here)."""
        if self._error is not None:
            raise self._error
        if self._thread is None:
            self._queue = queue.Queue(maxsize=self.QUEUE_CHUNKS)
            self._thread = threading.Thread(target=self._drain, name="export-writer", daemon=True)
            self._thread.start()
        self.size += sum(map(len, data)) if isinstance(data, list) else len(data)
        self._queue.put(data)

    def _join(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error

    def binary_file(self):
        """A file-like object for libraries that write themselves (hashing kept)."""
        return _HashingFile(self)

    def finish(self) -> None:
        """Every byte written (a write error raises OSError here), then renamed into place."""
        self._join()
        self._fh.flush()
        if self.direct and self.path is not None:
            self._fh.close()  # a device or FIFO: closing reports a late write error too
            return
        if self._tmp is not None:
            os.fsync(self._fh.fileno())
            self._fh.close()
            os.replace(self._tmp, self.path)
            self._tmp = None

    def abort(self) -> None:
        """Drop the partial output (never waits for the writer thread: it may be blocked on a
        pipe nobody reads; it is a daemon thread)."""
        self._error = self._error or ExportError("aborted")
        if self.direct and self.path is not None:
            try:
                self._fh.close()
            except Exception:  # noqa: BLE001 - the write error is reported by the caller
                pass
        if self._tmp is not None:
            try:
                self._fh.close()
            except Exception:  # noqa: BLE001 - the thread may be mid-write
                pass
            finally:
                self._tmp.unlink(missing_ok=True)
                self._tmp = None


class _HashingFile(io.RawIOBase):
    def __init__(self, sink: Sink):
        self._sink = sink
        self._pos = 0

    def writable(self):
        return True

    def write(self, data):
        data = bytes(data)
        self._sink.write(data)
        self._pos += len(data)
        return len(data)

    def tell(self):
        return self._pos

    def close(self):  # the sink owns the real file
        pass


# ---------------------------------------------------------------- progress

class Progress:
    """Records exported, on stderr, when it is a terminal (redrawn at most every 0.5 s)."""

    def __init__(self, total: int, enabled: bool | None = None, stream: IO[str] | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.start = time.monotonic()
        self._last = 0.0

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.5:
            return
        self._last = now
        rate = done / max(now - self.start, 1e-6)
        pct = f" ({100 * done / self.total:.0f}%)" if self.total else ""
        self.stream.write(f"\rexporting: {done}/{self.total} records{pct}, {rate:,.0f}/s ")
        self.stream.flush()

    def done(self, n: int) -> None:
        if self.enabled:
            self.stream.write(f"\rexporting: {n}/{self.total} records, done{' ' * 20}\n")
            self.stream.flush()


# ---------------------------------------------------------------- the export

@dataclass
class ExportResult:
    records: int
    path: Path | None
    manifest_path: Path | None
    manifest: dict[str, Any] = field(default_factory=dict)
    cursor: str | None = None


WRITERS: dict[str, Callable[[Sink], _Writer]] = {"jsonl": JsonlWriter, "csv": CsvWriter, "parquet": ParquetWriter}


def export(db, *, fmt: str, output: str, site: str | None = None, since: str | None = None, park: str | None = None,
           until: str | None = None, cursor: str | None = None, progress: bool | None = None,
           warc_dir: str | Path | None = None,
           writer_factory: Callable[[Sink], _Writer] | None = None) -> ExportResult:
    """Export the selected records (all, or those added/changed since `cursor`'s last export)
    to `output` (a file path, or "-" for stdout); see the module docstring."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    filters = {k: v for k, v in (("site", site), ("since", since), ("until", until), ("park", park)) if v}
    cur = None
    if cursor is not None:
        try:
            cursors_mod.check_name(cursor)
            cur = cursors_mod.get(db, cursor)
            cursors_mod.check_filters(cur, filters)
        except cursors_mod.CursorError as exc:
            raise ExportError(str(exc)) from None
    if fmt == "parquet" and output == "-":
        raise ExportError("Parquet cannot be streamed to stdout: give --output FILE.parquet")
    if writer_factory is None:
        if fmt == "warc":
            if warc_dir is None:
                raise ExportError("a WARC export needs the folder of the archive's WARC files")
            info = {"software": f"parknews {_version() or ''}".strip(), "format": "WARC File Format 1.1",
                    "description": "parknews export: the archived records of the selected articles",
                    "parknews-query": json.dumps(filters, ensure_ascii=False, sort_keys=True)}
            writer_factory = WarcExportWriter.factory(db, Path(warc_dir), info)
        else:
            writer_factory = WRITERS[fmt]
    sink = Sink(output)  # fails here, before anything is read, on a bad path
    n = 0
    last: tuple[str | None, int | None] = (None, None)
    try:
        db.execute("BEGIN")  # one read snapshot for the high-water mark and the rows
        try:
            seq_range = None
            if cur is not None:
                seq_range = (cur.seq, cursors_mod.high_water(db))
            total = count_rows(db, site=site, since=since, until=until, seq_range=seq_range, park=park)
            meter = Progress(total, progress)
            writer = writer_factory(sink)
            old_factory = db.conn.text_factory
            if getattr(writer, "RAW_TEXT", False):
                db.conn.text_factory = bytes
            try:
                for row in iter_rows(db, site=site, since=since, until=until, seq_range=seq_range,
                                     select=getattr(writer, "SELECT", _SELECT), park=park):
                    writer.write(row[:-3])
                    n += 1
                    if n % 500 == 0:
                        meter.update(n)
            finally:
                db.conn.text_factory = old_factory
            writer.close()
            if n:
                stamp = row[-3]
                last = (stamp.decode("utf-8") if isinstance(stamp, bytes) else stamp, row[-2])
        finally:
            db.execute("COMMIT")
        sink.finish()
    except BrokenPipeError:
        sink.abort()
        raise ExportError("the output closed before the export finished"
                          + ("; the cursor was not moved" if cur else "")) from None
    except OSError as exc:
        sink.abort()
        raise ExportError(f"{sink.name}: cannot write ({exc.strerror or exc})"
                          + ("; the cursor was not moved" if cur else "")) from None
    except BaseException:
        sink.abort()
        raise
    meter.done(n)
    manifest = {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "format": fmt,
        "file": sink.path.name if sink.path else "-",
        "records": n,
        "sha256": sink.sha256.hexdigest(),
        "bytes": sink.size,
        "query": {"site": site, "since": since, "until": until, **({"park": park} if park else {})},
        "cursor": None if cur is None else {"name": cur.name, "after_seq": seq_range[0], "to_seq": seq_range[1]},
        **(writer.summary() if hasattr(writer, "summary") else {}),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "parknews_version": _version(),
    }
    manifest_path = None
    if not sink.direct:
        manifest_path = sink.path.with_name(sink.path.name + ".manifest.json")
        tmp = manifest_path.with_name(f".{manifest_path.name}.{os.getpid()}.part")
        try:
            tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            os.replace(tmp, manifest_path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ExportError(f"{manifest_path}: cannot write ({exc.strerror})") from None
    if cur is not None:  # the output is complete: only now move the cursor
        cursors_mod.move(db, cur.name, seq=seq_range[1], updated_at=last[0], last_id=last[1],
                         filters=filters, fmt=fmt, records=n)
    return ExportResult(n, sink.path, manifest_path, manifest, cursor)


def _version() -> str | None:
    try:
        from importlib.metadata import version

        return version("parknews")
    except Exception:  # noqa: BLE001 - not installed: a source checkout
        return None


def write_jsonl(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """Record dicts as JSON Lines on a text stream (kept for callers of the old API)."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
