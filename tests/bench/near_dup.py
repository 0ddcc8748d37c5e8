"""Bench: near-duplicate detection (archive.neardup) on generated park-news articles.

    python tests/bench/near_dup.py [--originals 300] [--sizes 1000,10000,100000]

1. Precision / recall. An archive holds P originals and, for each, a same-topic article (same
   city, park and industry, the same officials' boilerplate, different news). Every original is
   republished five ways (a dropped paragraph, a changed title repeated as the first line,
   punctuation changes, an appended editor's note, all combined) and each copy is looked up:
   finding its original is a true positive, any other article a false positive. Each same-topic
   article is looked up too (every hit a false positive). Targets: precision >= 0.99, recall >= 0.95.
2. Lookup time as the table grows (1k -> 100k articles): median find_near_duplicates and
   on_new_article time for 200 queries at each size, and the fingerprint cost alone.
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

from _articles import EDIT_KINDS, edit, generate  # noqa: E402

from archive import neardup as N  # noqa: E402
from archive.db import open_db  # noqa: E402

INSERT_SQL = (
    "INSERT INTO articles (id, url, site, title, published_at, source, body_text, first_seen, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01', '2026-01-01')"
)


def add(db, article_id: int, a) -> None:
    db.execute(INSERT_SQL, [article_id, a.url, a.site, a.title, a.published_at, a.source, a.body_text])
    N.index_article(db, article_id, a.body_text)


def quality(tmp: Path, originals: int, threshold: float) -> None:
    db = open_db(tmp / "quality.db")
    db.execute("BEGIN")
    topics = {}
    for i in range(originals):
        a = generate(i, seed=11)
        add(db, i + 1, a)
        topics[i + 1] = a
        # same topic: same city, same industry, same boilerplate; different news
        neg = generate(10_000_000 + i, seed=11, city=a.city, industry=a.industry)
        add(db, originals + i + 1, neg)
    db.execute("COMMIT")
    tp = fp = fn = 0
    by_kind = {k: [0, 0] for k in EDIT_KINDS}
    sims = []
    for oid, a in topics.items():
        for kind in EDIT_KINDS:
            copy = edit(a, kind, seed=5)
            found = dict(N.find_near_duplicates(db, copy.body_text, threshold))
            if oid in found:
                tp += 1
                by_kind[kind][0] += 1
                sims.append(found[oid])
            else:
                fn += 1
            by_kind[kind][1] += 1
            fp += len([x for x in found if x != oid])
    neg_fp = 0
    for nid in range(originals + 1, 2 * originals + 1):
        body = db.execute("SELECT body_text FROM articles WHERE id = ?", [nid]).fetchone()[0]
        neg_fp += len(N.find_near_duplicates(db, body, threshold, exclude=nid))
    fp += neg_fp
    # how close do same-topic pairs come? (exact Jaccard, each negative vs its original)
    close = sorted(
        N.jaccard(N.shingle_set(topics[i].body_text),
                  N.shingle_set(db.execute("SELECT body_text FROM articles WHERE id = ?", [originals + i]).fetchone()[0]))
        for i in topics
    )
    print(f"quality: {originals} originals + {originals} same-topic articles, {originals * len(EDIT_KINDS)} copies, "
          f"threshold {threshold}")
    print(f"  precision {tp / max(1, tp + fp):.4f} (tp {tp}, fp {fp}, of which {neg_fp} from same-topic lookups)")
    print(f"  recall    {tp / (tp + fn):.4f} (fn {fn}); by edit: "
          + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in by_kind.items()))
    print(f"  similarity of found copies: min {min(sims):.3f}, median {statistics.median(sims):.3f}; "
          f"same-topic pairs: median {statistics.median(close):.3f}, max {max(close):.3f}")
    db.close()


def growth(tmp: Path, sizes: list[int], queries: int = 200) -> None:
    db = open_db(tmp / "growth.db")
    print(f"\nlookup time as the table grows ({queries} lookups of republished copies at each size):")
    print(f"  {'articles':>9} {'band rows':>10} {'find_near_duplicates':>22} {'on_new_article':>16} {'candidates':>11}")
    n = 0
    fp_times = []
    for size in sizes:
        db.execute("BEGIN")
        t_load = time.perf_counter()
        while n < size:
            a = generate(n, seed=3)
            if n % 50 == 0:
                t = time.perf_counter()
                N.fingerprint(a.body_text)
                fp_times.append(time.perf_counter() - t)
            add(db, n + 1, a)
            n += 1
            if n % 2000 == 0:
                db.execute("COMMIT")
                db.execute("BEGIN")
        db.execute("COMMIT")
        t_load = time.perf_counter() - t_load
        step = max(1, n // queries)
        copies = [edit(generate(i, seed=3), "combined", seed=9) for i in range(0, n, step)][:queries]
        ts, cands = [], []
        for c in copies:
            t = time.perf_counter()
            N.find_near_duplicates(db, c.body_text)
            ts.append((time.perf_counter() - t) * 1000)
            cands.append(len(N.candidates(db, N.fingerprint(c.body_text))))
        # on_new_article: insert the copy, fingerprint, band rows, lookup, cluster; rolled back
        ts_new = []
        db.execute("BEGIN")
        for k, c in enumerate(copies[:50]):
            db.execute(INSERT_SQL, [10_000_000 + k, c.url, c.site, c.title, c.published_at, c.source, c.body_text])
            t = time.perf_counter()
            N.on_new_article(db, 10_000_000 + k, c.body_text)
            ts_new.append((time.perf_counter() - t) * 1000)
        db.execute("ROLLBACK")
        bands = db.execute("SELECT count(*) FROM lsh_bands").fetchone()[0]
        print(f"  {n:>9,} {bands:>10,} {statistics.median(ts):>17.2f} ms {statistics.median(ts_new):>13.2f} ms "
              f"{statistics.mean(cands):>11.2f}   (loaded in {t_load:.0f} s)")
    print(f"fingerprint: median {statistics.median(fp_times) * 1000:.2f} ms per ~5 KB article "
          f"({'numpy' if N.np is not None else 'pure Python'})")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sig_bytes = sum(r[0] for r in db.execute("SELECT sum(length(signature)) FROM article_signatures"))
    print(f"DB file {os.path.getsize(tmp / 'growth.db') / 1e6:,.0f} MB for {n:,} articles; "
          f"signatures {sig_bytes / 1e6:.0f} MB of it")
    db.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--originals", type=int, default=300)
    ap.add_argument("--threshold", type=float, default=N.DEFAULT_THRESHOLD)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--skip-growth", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        quality(tmp, args.originals, args.threshold)
        if not args.skip_growth:
            growth(tmp, [int(x) for x in args.sizes.split(",")])


if __name__ == "__main__":
    main()
