"""Shared by the WARC capture tests: crawl the demo site (or a changed copy) in a subprocess."""
from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import sqlite_utils
from warcio.archiveiterator import ArchiveIterator

from pn_testing import run_cli


@functools.lru_cache(maxsize=1)
def _has_full() -> bool:
    # incremental crawls (another module) skip known articles unless --full
    return "--full" in run_cli("crawl", "--help").stdout


def crawl(base_url: str, db, archive=None, *extra):
    args = ["crawl", "demo", "--base-url", base_url, "--db", db, "--log-level", "WARNING", *extra]
    if archive is not None:
        args += ["--warc-dir", archive]
    if _has_full():
        args.append("--full")
    return run_cli(*args)


def warc_files(folder) -> list[Path]:
    return sorted(Path(folder).glob("*.warc.gz"))


def records(path):
    """[(type, headers dict, http status or None, payload bytes)] of one WARC file."""
    out = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            status = int(rec.http_headers.get_statuscode()) if rec.http_headers and rec.rec_type == "response" else None
            body = rec.content_stream().read() if rec.rec_type == "response" else b""
            out.append((rec.rec_type, dict(rec.rec_headers.headers), status, body))
    return out


def warcio_check(paths) -> subprocess.CompletedProcess:
    return subprocess.run(["warcio", "check", "-v", *map(str, paths)], capture_output=True, text=True)


def db_of(path) -> sqlite_utils.Database:
    return sqlite_utils.Database(str(path))
