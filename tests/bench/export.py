"""Bench: `parknews export` of N generated ~5 KB park-news records to JSONL and Parquet (and CSV).

    python tests/bench/export.py [--n 100000] [--db /tmp/export-bench.db] [--keep] [--formats jsonl,parquet]

Builds an archive of N records (articles rows as the store writes them: sections with headings,
images, extraction), then runs each export in its own process and prints records/s and that
process's peak memory (ru_maxrss). Each format is exported twice: the whole archive, and about
an eighth of it (`--until 2018-12`), so the two peaks show whether memory grows with the number
of records (it should not: exports stream). Also printed: the export process's CPU time (the
main thread reading SQLite plus the thread hashing and writing), as throughput per CPU-second,
which a loaded machine changes less than wall time. Target: JSONL >= 20,000 records/s.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from _articles import generate  # noqa: E402

INSERT_SQL = (
    "INSERT INTO articles (url, canonical_url, site, title, published_at, source, author, editor, sections, "
    "body_text, images, fetched_at, content_hash, extraction, warnings, parser_version, first_seen, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
EXTRACTION = json.dumps({"title": "text", "published_at": "text", "source": "text", "author": "text",
                         "body": "structure"}, ensure_ascii=False)
HEADINGS = ("项目进展", "产业集聚", "营商环境", "下一步工作")

DRIVER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from archive.db import open_db
from archive.export import export
db = open_db(sys.argv[2], create=False)
t = time.perf_counter()
until = sys.argv[5] or None
c = time.process_time()
r = export(db, fmt=sys.argv[3], output=sys.argv[4], until=until, progress=False)
print(json.dumps({"records": r.records, "seconds": time.perf_counter() - t, "cpu": time.process_time() - c,
                  "bytes": r.manifest["bytes"]}))
"""


def build(db_path: Path, n: int) -> float:
    from archive.db import open_db

    db = open_db(db_path)
    start = time.perf_counter()
    batch = []
    for i in range(n):
        a = generate(i)
        paras = a.paragraphs
        k = max(1, len(paras) // 3)
        sections = [{"heading": None, "paragraphs": paras[:k]}]
        for j, h in enumerate(HEADINGS[: min(3, len(paras) - k)]):
            sections.append({"heading": h, "paragraphs": paras[k + j::3] or [paras[-1]]})
        images = [{"src": f"{a.url.rsplit('/', 1)[0]}/img/{i}_{j}.jpg", "caption": "图为活动现场" if j == 0 else None}
                  for j in range(i % 3)]
        now = "2026-01-01T00:00:00+00:00"
        batch.append((a.url, a.url, a.site, a.title, a.published_at, a.source, a.author, "责任编辑",
                      json.dumps(sections, ensure_ascii=False), a.body_text, json.dumps(images, ensure_ascii=False),
                      now, f"{i:064x}", EXTRACTION, "[]", "1.0", now, now))
        if len(batch) >= 2000:
            db.execute("BEGIN")
            db.conn.executemany(INSERT_SQL, batch)
            db.execute("COMMIT")
            batch = []
    if batch:
        db.execute("BEGIN")
        db.conn.executemany(INSERT_SQL, batch)
        db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return time.perf_counter() - start


def run_export(db_path: Path, fmt: str, out: Path, until: str = "") -> dict:
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(ROOT), str(db_path), fmt, str(out), until],
                            stdout=subprocess.PIPE, text=True)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"export {fmt} failed (exit {proc.returncode})")
    result = json.loads(output)
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux: KiB
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--keep", action="store_true", help="keep the database and the outputs")
    ap.add_argument("--formats", default="jsonl,parquet,csv")
    ap.add_argument("--out-dir", type=Path, help="where the exports go (default: a temp folder; /dev/shm "
                    "takes the disk out of the measurement)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pn-export-bench-"))
    db_path = args.db or tmp / "bench.db"
    if not db_path.exists():
        secs = build(db_path, args.n)
        print(f"built {args.n} records in {secs:.1f} s ({db_path.stat().st_size / 2**20:.0f} MB)")
    out_dir = args.out_dir or tmp
    print(f"{'format':14} {'records':>8} {'seconds':>8} {'records/s':>10} {'CPU s':>6} {'rec/CPU-s':>10} "
          f"{'MB out':>7} {'peak RSS MB':>12}")
    try:
        for fmt in args.formats.split(","):
            for until in ("2018-12", ""):
                out = out_dir / f"pn-export-bench-{until or 'all'}.{fmt}"
                r = run_export(db_path, fmt, out, until)
                rate = r["records"] / r["seconds"] if r["seconds"] else 0
                label = fmt + (" (1/8)" if until else "")
                print(f"{label:14} {r['records']:>8} {r['seconds']:>8.2f} {rate:>10,.0f} {r['cpu']:>6.2f} "
                      f"{r['records'] / r['cpu']:>10,.0f} {r['bytes'] / 2**20:>7.0f} {r['peak_rss_mb']:>12.0f}")
                if not args.keep:
                    out.unlink(missing_ok=True)
                    Path(str(out) + ".manifest.json").unlink(missing_ok=True)
    finally:
        if not args.keep:
            for p in tmp.iterdir():
                if p != db_path or not args.db:
                    p.unlink()
            if not any(tmp.iterdir()):
                tmp.rmdir()


if __name__ == "__main__":
    main()
