"""`export --format wacz`: a WACZ package (spec 1.1.1) of the selected articles' captures.

The WARC records come from the WARC export (archive.export, which copies and checks each
record's bytes); the CDXJ index is cdxj-indexer's over that file; pages/pages.jsonl lists each
exported article (URL, title, capture time); datapackage.json holds every file's SHA-256 and
size, and datapackage-digest.json the hash of datapackage.json. The zip is written to a temp
file beside the output and renamed into place, so a failed export leaves no partial package.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from .cdxj_index import cdxj_lines
from .export import ExportError, ExportResult, _version, export, iter_rows

WACZ_VERSION = "1.1.1"
WARC_NAME = "archive/data.warc.gz"
INDEX_NAME = "indexes/index.cdxj"
PAGES_NAME = "pages/pages.jsonl"


def _cdxj(warc_path: Path) -> bytes:
    return "".join(cdxj_lines([warc_path])).encode("utf-8")


def _pages(db, *, site, since, until, park, title: str) -> tuple[bytes, int]:
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": title}, ensure_ascii=False)]
    for row in list(iter_rows(db, site=site, since=since, until=until, park=park,
                              select="a.id, a.url, a.title")):
        art_id, url, art_title = row[:3]
        cap = db.execute("SELECT url, fetched_at FROM captures WHERE article_id = ? "
                         "AND record_type IN ('response', 'revisit') ORDER BY id LIMIT 1", [art_id]).fetchone()
        if cap is None:
            continue
        page = {"url": cap[0] or url, "title": art_title or "", "ts": cap[1]}
        lines.append(json.dumps(page, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8"), len(lines) - 1


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def export_wacz(db, *, output: str, warc_dir, site=None, since=None, until=None, park=None) -> ExportResult:
    """Write the WACZ package of the selected articles' captures to `output` (a file path)."""
    if output == "-":
        raise ExportError("a WACZ package cannot be streamed to stdout: give --output FILE.wacz")
    path = Path(output)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise ExportError(f"{path}: is a directory; give a file name")
    if not path.parent.is_dir():
        raise ExportError(f"{path}: cannot write (folder {path.parent} does not exist)")
    filters = {k: v for k, v in (("site", site), ("since", since), ("until", until), ("park", park)) if v}
    title = "parknews export" + (" " + json.dumps(filters, ensure_ascii=False, sort_keys=True) if filters else "")
    with tempfile.TemporaryDirectory(prefix="parknews-wacz-") as tmpdir:
        warc_path = Path(tmpdir) / "data.warc.gz"
        result = export(db, fmt="warc", output=str(warc_path), site=site, since=since, until=until,
                        park=park, warc_dir=warc_dir, progress=False)
        index = _cdxj(warc_path)
        pages, n_pages = _pages(db, site=site, since=since, until=until, park=park, title=title)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
                resources = []
                h = hashlib.sha256()
                size = 0
                with open(warc_path, "rb") as src, zf.open(zipfile.ZipInfo(WARC_NAME, _now()), "w") as dst:
                    while chunk := src.read(2**20):
                        h.update(chunk)
                        size += len(chunk)
                        dst.write(chunk)
                resources.append({"name": "data.warc.gz", "path": WARC_NAME,
                                  "hash": "sha256:" + h.hexdigest(), "bytes": size})
                for name, data in ((INDEX_NAME, index), (PAGES_NAME, pages)):
                    zf.writestr(zipfile.ZipInfo(name, _now()), data)
                    resources.append({"name": Path(name).name, "path": name, "hash": _sha256(data),
                                      "bytes": len(data)})
                package = {
                    "profile": "data-package",
                    "title": title,
                    "resources": resources,
                    "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "wacz_version": WACZ_VERSION,
                    "software": f"parknews {_version() or ''}".strip(),
                }
                package_bytes = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
                zf.writestr(zipfile.ZipInfo("datapackage.json", _now()), package_bytes)
                digest = {"path": "datapackage.json", "hash": _sha256(package_bytes)}
                zf.writestr(zipfile.ZipInfo("datapackage-digest.json", _now()),
                            json.dumps(digest, indent=2).encode("utf-8"))
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ExportError(f"{path}: cannot write ({exc.strerror or exc})") from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    manifest = dict(result.manifest, format="wacz", file=path.name, pages=n_pages)
    return ExportResult(result.records, path, None, manifest, None)


def _now() -> tuple[int, int, int, int, int, int]:
    return datetime.now(timezone.utc).timetuple()[:6]
