"""Bench: Chinese full-text search (archive.search) on N generated ~5 KB park-news articles.

    python tests/bench/search.py --n 20000 [--db /tmp/search-bench.db] [--keep]

Loads N articles (articles rows as the store writes them; the search_queue trigger fires),
measures the insert rate with and without that trigger, the DB size before and after
sync_index, the sync time, then the median latency of search() for 1-, 2-, 3-, 4-character
terms, quoted phrases, a mixed 2+4-character query and a filtered query (several terms each,
each run several times). Target: < 50 ms median per kind at 100k.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _articles import generate  # noqa: E402

from archive import search as S  # noqa: E402
from archive.db import open_db  # noqa: E402

QUERIES = {
    "1-char": ["区", "氢", "锐"],
    "2-char": ["园区", "招商", "融资", "氢能", "上海", "恒瑞", "签约", "专利"],
    "3-char": ["高新区", "软件园", "区块链", "总经理", "生产线", "元宇宙", "乌鲁木"],
    "4-char": ["生物医药", "营商环境", "集成电路", "招商引资", "低空经济", "乌鲁木齐", "综合保税"],
    "phrase": ['"优化营商环境"', '"专精特新"', '"重大项目集中签约仪式"', '"打破国外垄断"', '"宁波软件园"'],
    "2+4 mixed": ["园区 生物医药", "氢能 营商环境", "融资 集成电路"],
    "4-char+site": ["生物医药"],
}
INSERT_SQL = (
    "INSERT INTO articles (url, site, title, published_at, source, author, body_text, content_hash, "
    "first_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def rows(start: int, stop: int):
    for i in range(start, stop):
        a = generate(i)
        yield (a.url, a.site, a.title, a.published_at, a.source, a.author, a.body_text, f"h{i}",
               "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00")


def load(db, start: int, stop: int, batch: int = 1000) -> float:
    """Insert articles [start, stop); return seconds spent in SQLite (generation excluded)."""
    spent = 0.0
    for lo in range(start, stop, batch):
        data = list(rows(lo, min(stop, lo + batch)))
        t = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.conn.executemany(INSERT_SQL, data)
        db.execute("COMMIT")
        spent += time.perf_counter() - t
    return spent


def size(path: Path, db) -> int:
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.stat().st_size + (Path(str(path) + "-wal").stat().st_size if Path(str(path) + "-wal").exists() else 0)


def table_sizes(db) -> dict[str, int]:
    try:
        rows_ = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    except Exception:
        return {}
    out: dict[str, int] = {}
    for name, n in rows_:
        key = next((t for t in (S.TRI_TABLE, S.BI_TABLE) if name.startswith(t)), name)
        out[key] = out.get(key, 0) + n
    return out


def doc_count(db, q: str):
    """How many articles a one-term query matches (None for several terms)."""
    terms = S.parse_query(q)
    if len(terms) != 1:
        return "?"
    t = terms[0]
    table, expr = (S.TRI_TABLE, S._fts_string(t)) if len(t) >= 3 else (S.BI_TABLE, S._short_expr(t))
    return db.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", [expr]).fetchone()[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--db", default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--queries-only", action="store_true",
                    help="run the queries on an existing --db kept by an earlier run (no load, no sync)")
    args = ap.parse_args()
    path = Path(args.db or os.path.join(tempfile.mkdtemp(), "search-bench.db"))
    if args.queries_only:
        db = open_db(path, create=False)
        print(f"{path}: {db.execute('SELECT count(*) FROM articles').fetchone()[0]} articles, "
              f"{size(path, db) / 1e6:,.1f} MB")
        queries(db, args.repeat)
        db.close()
        return
    if path.exists():
        sys.exit(f"{path} exists; give a new --db")
    db = open_db(path)
    n = args.n
    print(f"N={n} articles -> {path}")

    # insert rate without / with the queue trigger (the only search cost in the crawl's path)
    probe = min(5000, n // 4)
    db.execute("DROP TRIGGER search_queue_ai")
    t_without = load(db, 0, probe)
    db.execute("DELETE FROM articles")
    db.execute(
        f"CREATE TRIGGER search_queue_ai AFTER INSERT ON articles BEGIN "
        f"INSERT OR IGNORE INTO {S.QUEUE_TABLE}(article_id) VALUES (new.id); END"
    )
    t_with = load(db, 0, probe)
    print(f"insert rate, batches of 1000: without queue trigger {probe / t_without:,.0f} rows/s, "
          f"with {probe / t_with:,.0f} rows/s")
    t_rest = load(db, probe, n)
    print(f"loaded {n} rows ({(n - probe) / max(t_rest, 1e-9):,.0f} rows/s); queued {S.pending(db)}")
    before = size(path, db)

    t = time.perf_counter()
    done = S.sync_index(db, batch=1000)
    t_sync = time.perf_counter() - t
    after = size(path, db)
    print(f"sync_index: {done} articles in {t_sync:.1f} s ({done / t_sync:,.0f} articles/s)")
    print(f"DB size without index {before / 1e6:,.1f} MB, with index {after / 1e6:,.1f} MB "
          f"(x{after / before:.2f})")
    parts = table_sizes(db)
    if parts:
        print("  by table (MB): " + ", ".join(f"{k} {v / 1e6:,.1f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1])[:6]))

    # a small sync on top of a full index: what a crawl's end costs
    db.execute("BEGIN IMMEDIATE")
    db.conn.executemany(INSERT_SQL, list(rows(n, n + 200)))
    db.execute("UPDATE articles SET body_text = body_text || '补充' WHERE id <= 50")
    db.execute("DELETE FROM articles WHERE id BETWEEN 51 AND 100")
    db.execute("COMMIT")
    t = time.perf_counter()
    done = S.sync_index(db)
    print(f"incremental sync of 200 new + 50 updated + 50 deleted: {done} in {(time.perf_counter() - t) * 1000:.0f} ms")

    queries(db, args.repeat)
    db.close()
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(path) + suffix)
            if p.exists():
                p.unlink()


def queries(db, repeat: int) -> None:
    print(f"\nsearch() latency, {repeat} runs per query (ms): median / max, hits of the first run")
    for kind, queries in QUERIES.items():
        times = []
        details = []
        for q in queries:
            kw = {"site": "site7"} if kind.endswith("+site") else {}
            hits = S.search(db, q, **kw)  # warm
            ts = []
            for _ in range(repeat):
                t = time.perf_counter()
                S.search(db, q, **kw)
                ts.append((time.perf_counter() - t) * 1000)
            times += ts
            matched = doc_count(db, q)
            details.append(f"{q.strip(chr(34))}:{statistics.median(ts):.1f}({len(hits)}/{matched} docs)")
        print(f"  {kind:12s} median {statistics.median(times):7.1f}  max {max(times):7.1f}   " + "  ".join(details))
    t = time.perf_counter()
    S.search(db, "", site="site3", since="2022-01-01")
    print(f"  filters only (site+since, newest first): {(time.perf_counter() - t) * 1000:.1f} ms")
    hits = S.search(db, "生物医药 营商环境", limit=3)
    print("\nexample hits for '生物医药 营商环境':")
    for h in hits:
        print(f"  #{h.id} {h.title} | {h.snippet[:90]}")


if __name__ == "__main__":
    main()
