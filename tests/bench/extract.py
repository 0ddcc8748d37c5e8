"""Throughput of parse_page on the development corpus vs plain lxml parsing of the same pages.

    python tests/bench/extract.py [CORPUS_DIR] [--rounds N]

Prints pages/s for both and the cost ratio (parse_page time / lxml.html.fromstring time);
the target is a ratio of at most 10. Skips with a message when the corpus is absent.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
TARGET_RATIO = 10.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args(argv)
    pages_dir = a.corpus / "pages"
    if not pages_dir.is_dir():
        print(f"SKIP: corpus not found at {a.corpus}")
        return 0
    import json

    import lxml.html

    from crawler.parsing import NotAnArticle, parse_page

    urls = {}
    truth = a.corpus / "truth.jsonl"
    if truth.exists():
        for line in truth.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                urls[d["id"]] = d.get("url") or ""
    pages = [(p.stem, p.read_bytes()) for p in sorted(pages_dir.glob("*.html"))]
    fetched = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8)))
    # warm-up (imports, regex compilation)
    for pid, body in pages[:3]:
        try:
            parse_page(urls.get(pid, ""), None, body, fetched)
        except NotAnArticle:
            pass

    best_lxml = best_parse = float("inf")
    ratios = []
    for _ in range(a.rounds):
        # both measured back to back in every round, so load from other processes hits both alike
        t0 = time.perf_counter()
        for _ in range(3):  # a short loop: repeat it so timer noise matters less
            for _pid, body in pages:
                lxml.html.fromstring(body)
        t_lxml = (time.perf_counter() - t0) / 3
        t0 = time.perf_counter()
        for pid, body in pages:
            try:
                parse_page(urls.get(pid, ""), None, body, fetched)
            except NotAnArticle:
                pass
        t_parse = time.perf_counter() - t0
        best_lxml, best_parse = min(best_lxml, t_lxml), min(best_parse, t_parse)
        ratios.append(t_parse / t_lxml)
    n = len(pages)
    ratios.sort()
    ratio = ratios[len(ratios) // 2]
    print(f"pages: {n} ({sum(len(b) for _p, b in pages) / 1e6:.1f} MB), best of {a.rounds} rounds")
    print(f"lxml.html.fromstring: {n / best_lxml:8.1f} pages/s  ({1000 * best_lxml / n:.2f} ms/page)")
    print(f"parse_page:           {n / best_parse:8.1f} pages/s  ({1000 * best_parse / n:.2f} ms/page)")
    print(f"cost ratio parse_page/lxml (median of {len(ratios)} rounds): {ratio:.1f}x "
          f"(best-of ratio {best_parse / best_lxml:.1f}x; target <= {TARGET_RATIO:.0f}x) {'OK' if ratio <= TARGET_RATIO else 'SLOW'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
