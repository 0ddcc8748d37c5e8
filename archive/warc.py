"""Writing and reading WARC files (WARC/1.1, one gzip member per record) with warcio.

    writer = WarcWriter(folder, site="demo", info={...})
    ref = writer.write_exchange(url, request_line=..., ...)   # -> CaptureRef
    writer.close()

A file being written is named `NAME.warc.gz.open` and holds an exclusive flock; `close()` (or a
rotation at `max_size` bytes) renames it to `NAME.warc.gz`. NAME is `<site>-<UTC time>-<seq>`.

Every record is built in memory, compressed as one gzip member and written with one `write()`
followed by a flush to the operating system, so a process killed at any moment leaves a file
whose complete records are all readable and at most one unfinished member at its end.
`recover_open_files(folder)` (run at the start of every crawl and of reparse) handles the `.open`
files of dead writers: the unfinished tail is cut off and the file renamed to `.warc.gz`; a file
without a single complete record is deleted. A `.open` file whose flock is still held belongs to
a live writer and is left alone.
"""
from __future__ import annotations

import base64
import errno
import fcntl
import hashlib
import io
import os
import re
import zlib
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import Iterable

import logging

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

DEFAULT_MAX_SIZE = 1024 ** 3  # 1 GB
OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
# Transfer headers of a response are stored under this prefix: the body we store is de-chunked.
RENAMED_HEADER_PREFIX = "X-Parknews-Orig-"
COMPRESS_LEVEL = 6  # warcio's own writer uses 9: twice the CPU for a few per cent of size


@dataclass
class CaptureRef:
    """Where one fetch is stored: the record in its WARC file and what it says."""

    warc_file: str  # file name, relative to the archive folder (final name, without .open)
    offset: int
    length: int  # bytes of the record's gzip member
    record_id: str
    payload_digest: str  # "sha1:<base32>"
    record_type: str  # "response", "revisit" or "conversion" (a rendered DOM, write_conversion)
    warc_date: str  # WARC-Date, ISO 8601 UTC with microseconds
    refers_to: str | None = None  # revisit: WARC-Record-ID of the response holding the payload;
    # conversion: that of the response it was made from

    def to_dict(self) -> dict:
        return asdict(self)


def payload_digest(body: bytes) -> str:
    """The WARC payload digest of a body: sha1, base32 (as warcio and Heritrix write it)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


LEGACY_DIR_NAME = "warc"  # the shared default folder of databases made before NAME.warc/


def warc_dir_for(db_path: str | Path, warc_dir: str | Path | None = None) -> Path:
    """The WARC folder of a database: `warc_dir` when given (`--warc-dir`, PARKNEWS_WARC_DIR),
    else `NAME.warc/` beside `NAME.db` (`news.db` -> `news.warc/`), so several databases in one
    folder never share one. The one place this is decided (crawl, demo, reparse, export, show
    and the crawl's capture all use it).

    A database whose WARC files are still in the old shared `warc/` folder beside it (made before
    this name) keeps that folder while `NAME.warc/` does not exist: its captures point there."""
    if warc_dir:
        return Path(warc_dir)
    path = Path(db_path).resolve()
    name = path.stem if path.suffix and path.suffix != ".warc" else path.name
    folder = path.parent / f"{name}.warc"
    legacy = path.parent / LEGACY_DIR_NAME
    if not folder.exists() and legacy.is_dir() and _captures_in(path, legacy):
        return legacy
    return folder


def _captures_in(db_path: Path, folder: Path) -> bool:
    """Whether the database's latest capture names a WARC file present in `folder` (read-only
    peek; a missing or unreadable database, or one without captures, says no)."""
    import sqlite3

    if not db_path.is_file():
        return False
    try:
        conn = sqlite3.connect(db_path.as_uri() + "?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT warc_file FROM captures ORDER BY rowid DESC LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return bool(row and row[0]) and ((folder / row[0]).exists() or (folder / (row[0] + OPEN_SUFFIX)).exists())


def safe_site(site: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", site or "crawl").strip("._") or "crawl"


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class WarcWriter:
    """Appends records to the current WARC file of a folder, rotating at `max_size` bytes."""

    def __init__(self, folder: str | Path, *, site: str, info: dict[str, str] | None = None,
                 max_size: int = DEFAULT_MAX_SIZE):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.site = safe_site(site)
        self.info = dict(info or {})
        self.max_size = max(int(max_size), 1)
        self._builder = WARCWriter(None, gzip=False, warc_version="1.1")
        self._fh = None
        self._name: str | None = None
        self._seq = 0
        self._unsynced = 0  # bytes written since the last fsync
        self._stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        self.files: list[str] = []  # final names of the files this writer made

    # ---- files ----
    @property
    def current_file(self) -> str | None:
        return self._name

    def _open(self) -> None:
        self._seq += 1
        name = f"{self.site}-{self._stamp}-{self._seq:05d}{WARC_SUFFIX}"
        path = self.folder / (name + OPEN_SUFFIX)
        fh = open(path, "xb", buffering=0)
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._fh, self._name = fh, name
        self.files.append(name)
        info = {"software": self.info.get("software", "parknews"), "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"}
        info.update(self.info)
        record = self._builder.create_warcinfo_record(name, info)
        self._write(record)

    def _write(self, *records) -> list[tuple[int, int]]:
        """Compress each record as its own gzip member; one write for all; (offset, length) each."""
        out = io.BytesIO()
        spans = []
        start = self._fh.tell()
        for record in records:
            raw = io.BytesIO()
            self._builder.out = raw
            self._builder.write_record(record)
            comp = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
            member = comp.compress(raw.getvalue()) + comp.flush()
            spans.append((start + out.tell(), len(member)))
            out.write(member)
        self._write_all(out.getvalue(), start)
        return spans

    def _write_all(self, data: bytes, start: int) -> None:
        """Write every byte at `start` (unbuffered: in the OS when this returns), or none: a
        short write (a full disk, a file size limit) is continued, and when the disk refuses
        the rest the file is cut back to `start`, so it never holds a torn record that later
        records follow, and the error propagates (no capture is made of this fetch)."""
        fd = self._fh.fileno()
        view = memoryview(data)
        done = 0
        try:
            while done < len(view):
                n = os.write(fd, view[done:])
                if n <= 0:
                    raise OSError(errno.EIO, "short write to a WARC file")
                done += n
        except OSError:
            try:
                os.ftruncate(fd, start)
                os.lseek(fd, start, os.SEEK_SET)
            except OSError:  # cannot even cut it back: leave the file to recovery, use a new one
                fh, self._fh, self._name = self._fh, None, None
                fh.close()
            raise
        self._unsynced += len(data)

    def sync(self) -> None:
        """Make the records written so far durable (fsync), before captures naming them are
        committed (crawler.capture registers this with the store)."""
        if self._fh is not None and self._unsynced:
            os.fsync(self._fh.fileno())
            self._unsynced = 0

    def _rotate_if_full(self) -> None:
        if self._fh is not None and self._fh.tell() >= self.max_size:
            self._close_file()

    def _close_file(self) -> None:
        if self._fh is None:
            return
        fh, name = self._fh, self._name
        self._fh = self._name = None
        os.fsync(fh.fileno())
        self._unsynced = 0
        os.rename(self.folder / (name + OPEN_SUFFIX), self.folder / name)
        fh.close()  # releases the lock after the rename

    def close(self) -> None:
        self._close_file()

    # ---- records ----
    def write_exchange(
        self,
        url: str,
        *,
        method: str,
        request_headers: Iterable[tuple[str, str]],
        status: int,
        response_headers: Iterable[tuple[str, str]],
        body: bytes,
        protocol: str = "HTTP/1.1",
        ip_address: str | None = None,
        digest: str | None = None,
        revisit_of: dict | None = None,
        when: datetime | None = None,
    ) -> CaptureRef:
        """Write a request and its response (or a revisit record when `revisit_of`, a dict with
        record_id, warc_date and url of the earlier response with the same payload digest).
        Returns where the response/revisit record is."""
        if self._fh is None:
            self._open()
        digest = digest or payload_digest(body)
        date = datetime_to_iso_date((when or datetime.now(timezone.utc)).replace(tzinfo=None), use_micros=True)
        http_headers = StatusAndHeaders(f"{status} {reason_phrase(status)}", list(response_headers),
                                        protocol=protocol or "HTTP/1.1")
        rec_headers = {"WARC-Date": date, "WARC-Payload-Digest": digest}
        if ip_address:
            rec_headers["WARC-IP-Address"] = ip_address
        if revisit_of:
            rec_headers["WARC-Refers-To"] = revisit_of["record_id"]
            resp = self._builder.create_revisit_record(
                url, digest, revisit_of["url"], revisit_of["warc_date"], http_headers=http_headers,
                warc_headers_dict=rec_headers,
            )
            record_type = "revisit"
        else:
            resp = self._builder.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http_headers,
                warc_headers_dict=rec_headers,
            )
            record_type = "response"
        record_id = resp.rec_headers.get_header("WARC-Record-ID")
        path = url.split("://", 1)[-1]
        path = "/" + path.split("/", 1)[1] if "/" in path else "/"
        req_http = StatusAndHeaders(f"{method} {path} {protocol or 'HTTP/1.1'}", list(request_headers),
                                    is_http_request=True)
        req_headers = {"WARC-Date": date, "WARC-Concurrent-To": record_id}
        if ip_address:
            req_headers["WARC-IP-Address"] = ip_address
        req = self._builder.create_warc_record(url, "request", http_headers=req_http,
                                               warc_headers_dict=req_headers)
        name = self._name
        (offset, length), _ = self._write(resp, req)
        ref = CaptureRef(name, offset, length, record_id, digest, record_type, date,
                         revisit_of["record_id"] if revisit_of else None)
        self._rotate_if_full()
        return ref

    def write_conversion(self, url: str, body: bytes, *, content_type: str, source: dict,
                         when: datetime | None = None) -> CaptureRef:
        """Write `body` made from an earlier response (a page's DOM as a browser rendered it) as
        a `conversion` record: WARC-Refers-To / WARC-Refers-To-Target-URI / WARC-Refers-To-Date
        name `source` (a dict with record_id, url, warc_date of that response record)."""
        if self._fh is None:
            self._open()
        digest = payload_digest(body)
        date = datetime_to_iso_date((when or datetime.now(timezone.utc)).replace(tzinfo=None), use_micros=True)
        headers = {"WARC-Date": date, "WARC-Payload-Digest": digest, "WARC-Refers-To": source["record_id"],
                   "WARC-Refers-To-Target-URI": source["url"], "WARC-Refers-To-Date": source["warc_date"]}
        record = self._builder.create_warc_record(url, "conversion", payload=io.BytesIO(body), length=len(body),
                                                  warc_content_type=content_type, warc_headers_dict=headers)
        name = self._name
        ((offset, length),) = self._write(record)
        ref = CaptureRef(name, offset, length, record.rec_headers.get_header("WARC-Record-ID"), digest,
                         "conversion", date, source["record_id"])
        self._rotate_if_full()
        return ref


# ---- reading ----

_PAYLOAD_TYPES = ("response", "conversion")  # records whose body read_record returns


class WarcReadError(Exception):
    """A record that cannot be read: missing file, damaged bytes, wrong record."""


def resolve_path(folder: str | Path, warc_file: str) -> Path:
    """The file of a capture: NAME.warc.gz, or NAME.warc.gz.open while its crawl still runs."""
    path = Path(folder) / warc_file
    if not path.exists():
        alt = path.with_name(path.name + OPEN_SUFFIX)
        if alt.exists():
            return alt
    return path


@dataclass
class StoredResponse:
    url: str
    record_type: str
    record_id: str
    status: int
    protocol: str
    headers: list[tuple[str, str]]
    body: bytes  # the payload, Content-Encoding undone; b"" for revisits
    warc_date: str
    payload_digest: str | None
    content_decoded: bool = False  # body had a Content-Encoding that was undone
    content_type: str | None = None  # the record's own Content-Type (a conversion has no HTTP headers)


def read_record(folder: str | Path, warc_file: str, offset: int, length: int | None = None,
                record_id: str | None = None) -> StoredResponse:
    """The record at `offset` of `warc_file` in `folder`. Raises WarcReadError when the file is
    missing, the bytes are damaged, or the record there is not `record_id` (when given)."""
    path = resolve_path(folder, warc_file)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise WarcReadError(f"{warc_file}: {exc.strerror or exc}") from None
    with fh:
        try:
            fh.seek(offset)
            data = fh.read(length) if length else None
            stream = io.BytesIO(data) if data is not None else fh
            record = next(iter(ArchiveIterator(stream)))
            # content_stream() undoes Content-Encoding, as Scrapy's HttpCompressionMiddleware does
            body = record.content_stream().read() if record.rec_type in _PAYLOAD_TYPES else b""
            encoding = record.http_headers.get_header("content-encoding") if record.http_headers else None
            decoded = bool(encoding) and encoding.lower() in BufferedReader.get_supported_decompressors()
        except StopIteration:
            raise WarcReadError(f"{warc_file}@{offset}: no record there") from None
        except WarcReadError:
            raise
        except Exception as exc:  # warcio raises assorted errors on damaged bytes
            raise WarcReadError(f"{warc_file}@{offset}: damaged record ({type(exc).__name__}: {exc})") from None
    found_id = record.rec_headers.get_header("WARC-Record-ID")
    if record.format != "warc" or not found_id or (record_id and found_id != record_id):
        raise WarcReadError(f"{warc_file}@{offset}: damaged record (expected {record_id or 'a WARC record'}, "
                            f"found {found_id or 'none'})")
    digest = record.rec_headers.get_header("WARC-Payload-Digest")
    if record.rec_type in _PAYLOAD_TYPES and digest and not decoded and payload_digest(body) != digest:
        raise WarcReadError(f"{warc_file}@{offset}: damaged record (payload digest mismatch)")
    http = record.http_headers
    return StoredResponse(
        url=record.rec_headers.get_header("WARC-Target-URI"),
        record_type=record.rec_type,
        record_id=record.rec_headers.get_header("WARC-Record-ID"),
        status=int(http.get_statuscode()) if http else 0,
        protocol=http.protocol if http else "",
        headers=list(http.headers) if http else [],
        body=body,
        warc_date=record.rec_headers.get_header("WARC-Date"),
        payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
        content_decoded=decoded,
        content_type=record.rec_headers.get_header("Content-Type"),
    )


def record_problem(data: bytes) -> str | None:
    """What is wrong with the bytes of one stored record (one gzip member), or None when they
    are one whole WARC record whose block and payload digests match."""
    d = zlib.decompressobj(zlib.MAX_WBITS + 16)
    try:
        raw = d.decompress(data)
    except zlib.error as exc:
        return f"not a whole gzip member ({exc})"
    if not d.eof:
        return "truncated (the gzip member ends early)"
    if d.unused_data:
        return "bytes after the record"
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(raw), check_digests=True)))
        stream = record.content_stream()
        while stream.read(1 << 20):
            pass
    except StopIteration:
        return "no record"
    except Exception as exc:  # noqa: BLE001 - warcio raises assorted errors on damaged bytes
        return f"{type(exc).__name__}: {exc}"
    if record.digest_checker.passed is False:
        return "; ".join(record.digest_checker.problems) or "digest mismatch"
    return None


# ---- recovery of unfinished files ----

_GZIP_MAGIC = b"\x1f\x8b\x08"
_MIN_FILLER = 20  # bytes of the smallest gzip member (empty, no optional fields)


def _member_at(buf, pos: int) -> int | None:
    """The length of a whole gzip member at `pos` of `buf` holding a WARC record, else None."""
    d = zlib.decompressobj(zlib.MAX_WBITS + 16)
    head = b""
    at = pos
    step = 1 << 20
    while at < len(buf):
        chunk = buf[at: at + step]
        try:
            out = d.decompress(chunk)
        except zlib.error:
            return None
        if len(head) < 5:
            head += out[: 5 - len(head)]
            if len(head) == 5 and head != b"WARC/":
                return None
        if d.eof:
            return (at + len(chunk) - len(d.unused_data) - pos) if head == b"WARC/" else None
        at += len(chunk)
    return None


def _whole_members(path: Path) -> list[tuple[int, int]]:
    """(offset, length) of every whole WARC gzip member of `path`, in order. After bytes that
    are not one (a torn record), the scan goes on at the next gzip member that is whole."""
    import mmap

    spans: list[tuple[int, int]] = []
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return spans
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            pos = 0
            while pos < size:
                n = _member_at(buf, pos)
                if n:
                    spans.append((pos, n))
                    pos += n
                    continue
                pos = buf.find(_GZIP_MAGIC, pos + 1)  # torn: look for the next record
                if pos < 0:
                    break
    return spans


def _complete_prefix(path: Path) -> tuple[int, int]:
    """(bytes of the whole WARC gzip members at the start of `path`, how many)."""
    good = members = 0
    for offset, length in _whole_members(path):
        if offset != good:
            break
        good, members = offset + length, members + 1
    return good, members


def _filler(n: int) -> bytes:
    """`n` bytes (n >= 20) of empty gzip members: they decompress to nothing, so WARC readers
    step over them (the FEXTRA header field pads one member to any length up to 65,557)."""
    out = []
    while n:
        size = n if n <= 65535 + 22 else (65535 + 22 if n - (65535 + 22) >= _MIN_FILLER else n - _MIN_FILLER)
        if size == 21:  # one byte more than the bare member: an empty file name field
            out.append(b"\x1f\x8b\x08\x08\0\0\0\0\x00\xff\x00\x03\x00" + b"\0" * 8)
        elif size == 20:
            out.append(b"\x1f\x8b\x08\x00\0\0\0\0\x00\xff\x03\x00" + b"\0" * 8)
        else:
            xlen = size - 22
            out.append(b"\x1f\x8b\x08\x04\0\0\0\0\x00\xff" + xlen.to_bytes(2, "little") + b"\0" * xlen
                       + b"\x03\x00" + b"\0" * 8)
        n -= size
    return b"".join(out)


def recover_file(path: str | Path) -> str | None:
    """Finish a dead writer's `.open` file and rename it: every whole record is kept where it
    is (so captures naming its offset stay valid); a torn record followed by whole ones is
    overwritten in place with empty gzip members (WARC readers step over them; a gap under 20
    bytes cannot be, and is left as it is); a torn tail is cut off. Returns the final name,
    or None when nothing was whole (the file is deleted) or the file is still locked by a
    live writer (left alone)."""
    path = Path(path)
    try:
        fh = open(path, "r+b")
    except FileNotFoundError:
        return None
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # a live writer
        spans = _whole_members(path)
        if not spans:
            path.unlink()
            return None
        pos = 0
        for offset, length in spans:
            gap = offset - pos
            if gap >= _MIN_FILLER:
                fh.seek(pos)
                fh.write(_filler(gap))
                logger.warning("%s: %d bytes of a torn record at offset %d skipped; the records after it kept",
                               path.name, gap, pos)
            elif gap:
                logger.warning("%s: %d bytes of a torn record at offset %d left in place", path.name, gap, pos)
            pos = offset + length
        fh.truncate(pos)
        fh.flush()
        os.fsync(fh.fileno())
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        os.rename(path, final)
    return final.name


def recover_open_files(folder: str | Path) -> list[tuple[str, str | None]]:
    """recover_file for every `*.warc.gz.open` in `folder`: [(open name, final name or None)]."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    done = []
    for path in sorted(folder.glob("*" + WARC_SUFFIX + OPEN_SUFFIX)):
        done.append((path.name, recover_file(path)))
    return done
