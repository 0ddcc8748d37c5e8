"""Score the parser against a labelled corpus (DIR/pages/*.html + DIR/truth.jsonl).

    from crawler.evaluate import evaluate_corpus, format_table
    result = evaluate_corpus(Path("/work/shared/corpus"))
    print(format_table(result)); print(result.failed_targets())

Scoring rules (per page, averaged over the pages a field applies to):
- title: equal after NFKC and removing all white space.
- date: same calendar day. When the truth `published` is empty, the page shows no absolute date:
  if `published_raw` is empty too (nothing visible) we must give none; if `published_raw` holds a
  relative or year-less date (昨天, 01-14 17:58) the parser is required to resolve it against the
  fetch time, so any answer whose month/day (and hour:minute) agree with the raw text, or no answer,
  counts as right (the year cannot be checked).
- minute: same day, hour and minute; only pages whose truth has a time.
- author, editor: same set of names after splitting on white space and 、,，;；/|&.
- source: equal after NFKC and removing white space.
- body: F1 of character bigrams of body_text (white space removed) against the truth.
- headings: Jaccard of the section-heading sets, on pages whose truth has headings.
A page that raises scores 0 on every field (the eval never crashes).

Subsets (to tune on part of the corpus and check on pages not looked at): a page's host is its id
after `dev-NNN-` (dev-016-163.com -> 163.com); `Subset(split=(K, N))` keeps the pages whose host is
in fold K of N, fold(host) = int(sha1(host).hexdigest(), 16) % N + 1, so all pages of a host fall in
the same fold; `invert=True` keeps all but fold K; `sites`/`exclude_sites` keep/drop hosts (a name
matches its host and the host's subdomains).
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from crawler.parsing import parse_page
from crawler.parsing.dom import squashed as _key

TARGETS = {"title": .97, "date": .97, "minute": .95, "author": .90, "source": .92, "editor": .95,
           "body": .96, "headings": .85}
FIELDS = tuple(TARGETS)
FETCHED_AT = datetime(2026, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=8)))

_NAME_SPLIT = re.compile(r"[\s、,，;；/|&＆]+")


def _names(s) -> set[str]:
    return {_key(x) for x in _NAME_SPLIT.split(unicodedata.normalize("NFKC", s or "")) if _key(x)}


def _bigrams(s: str) -> Counter:
    s = re.sub(r"\s+", "", s or "")
    return Counter(s[i:i + 2] for i in range(len(s) - 1))


def bigram_f1(got: str, want: str) -> float:
    a, b = _bigrams(got), _bigrams(want)
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    common = sum((a & b).values())
    if not common:
        return 0.0
    p, r = common / sum(a.values()), common / sum(b.values())
    return 2 * p * r / (p + r)


_ISO_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d))?")


def _parts(s):
    m = _ISO_RE.match(s or "")
    if not m:
        return None
    return tuple(int(x) if x else None for x in m.groups())


def score_date(got: str | None, truth: dict) -> tuple[float, float | None]:
    """(day score, minute score or None when the truth has no time)."""
    want = truth.get("published") or ""
    g = _parts(got)
    if not want:
        raw = truth.get("published_raw") or ""
        if not raw:
            return (1.0 if g is None else 0.0), None
        if g is None:
            return 1.0, None
        nums = [int(x) for x in re.findall(r"\d+", raw)]
        ok = True
        if len(nums) >= 2:
            ok = (g[1], g[2]) == (nums[0], nums[1])
        return (1.0 if ok else 0.0), None
    w = _parts(want)
    day = 1.0 if g and g[:3] == w[:3] else 0.0
    minute = None
    if w[3] is not None:
        minute = 1.0 if g and g[:5] == w[:5] else 0.0
    return day, minute


_HOST_RE = re.compile(r"^[A-Za-z]+-\d+-(.+)$")


def page_host(page_id: str) -> str:
    """The host a corpus page id names: dev-016-163.com -> 163.com (an id without the prefix is its own host)."""
    m = _HOST_RE.match(page_id)
    return (m.group(1) if m else page_id).lower()


def fold_of(host: str, n: int) -> int:
    """The fold (1..n) a host belongs to; stable across runs and machines."""
    return int(hashlib.sha1(host.encode("utf-8")).hexdigest(), 16) % n + 1


def _host_matches(host: str, name: str) -> bool:
    return host == name or host.endswith("." + name)


class SubsetError(ValueError):
    """A subset that is malformed or selects no page of the corpus (the message names the option)."""


@dataclass(frozen=True)
class Subset:
    """Which pages of a corpus to score; the default scores all of them."""
    split: tuple[int, int] | None = None
    invert: bool = False
    sites: tuple[str, ...] = ()
    exclude_sites: tuple[str, ...] = ()

    def __post_init__(self):
        if self.split is not None:
            k, n = self.split
            if n < 2 or not 1 <= k <= n:
                raise SubsetError(f"--split {k}/{n}: need N >= 2 and 1 <= K <= N")
        if self.invert and self.split is None:
            raise SubsetError("--invert needs --split K/N")

    @classmethod
    def parse(cls, split: str | None = None, invert: bool = False, sites: str | None = None,
              exclude_sites: str | None = None) -> "Subset":
        """From the command line's strings: split 'K/N', sites 'a,b'."""
        fold = None
        if split is not None:
            m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", split)
            if not m:
                raise SubsetError(f"--split {split!r}: expected K/N, e.g. 1/5")
            fold = (int(m.group(1)), int(m.group(2)))

        def names(option, value):
            out = tuple(x.strip().lower() for x in (value or "").split(",") if x.strip())
            if value is not None and not out:
                raise SubsetError(f"{option} {value!r}: give host names separated by commas")
            return out

        return cls(split=fold, invert=invert, sites=names("--sites", sites),
                   exclude_sites=names("--exclude-sites", exclude_sites))

    @property
    def is_all(self) -> bool:
        return self.split is None and not self.sites and not self.exclude_sites

    def selects(self, page_id: str) -> bool:
        host = page_host(page_id)
        if self.split is not None:
            k, n = self.split
            if (fold_of(host, n) == k) == self.invert:
                return False
        if self.sites and not any(_host_matches(host, s) for s in self.sites):
            return False
        return not any(_host_matches(host, s) for s in self.exclude_sites)

    def describe(self) -> str:
        if self.is_all:
            return "all pages"
        parts = []
        if self.split is not None:
            k, n = self.split
            parts.append(f"all folds but {k} of {n} (--split {k}/{n} --invert)" if self.invert
                         else f"fold {k} of {n} (--split {k}/{n})")
        if self.sites:
            parts.append("sites " + ",".join(self.sites))
        if self.exclude_sites:
            parts.append("excluding sites " + ",".join(self.exclude_sites))
        return "; ".join(parts)

    def check_hosts(self, page_ids) -> None:
        """Raise SubsetError for a --sites/--exclude-sites name that matches no page (a typo scores nothing)."""
        hosts = {page_host(p) for p in page_ids}
        for option, names in (("--sites", self.sites), ("--exclude-sites", self.exclude_sites)):
            for name in names:
                if not any(_host_matches(h, name) for h in hosts):
                    raise SubsetError(f"{option}: no page of the corpus is from host {name!r}")


ALL_PAGES = Subset()


@dataclass
class Miss:
    page: str
    field: str
    expected: object
    got: object
    score: float

    def to_json(self) -> dict:
        return {"page": self.page, "field": self.field, "expected": self.expected, "got": self.got,
                "score": round(self.score, 4)}


@dataclass
class EvalResult:
    scores: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    subset: str = "all pages"
    corpus_pages: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)
    per_page: dict[str, dict[str, float]] = field(default_factory=dict)

    def failed_targets(self) -> list[str]:
        return [f for f, t in TARGETS.items() if self.scores.get(f, 0.0) < t]

    def to_json(self) -> dict:
        return {"pages": self.pages, "subset": self.subset, "corpus_pages": self.corpus_pages,
                "scores": {k: round(v, 4) for k, v in self.scores.items()},
                "counts": self.counts, "targets": TARGETS, "failed_targets": self.failed_targets(),
                "errors": self.errors, "misses": [m.to_json() for m in self.misses],
                "per_page": self.per_page}


def _score_page(rec, t: dict) -> dict[str, tuple[float, object, object]]:
    out = {}
    out["title"] = (1.0 if _key(rec.title) == _key(t["title"]) else 0.0, t["title"], rec.title)
    day, minute = score_date(rec.published_at, t)
    out["date"] = (day, t.get("published") or t.get("published_raw") or "", rec.published_at)
    if minute is not None:
        out["minute"] = (minute, t["published"], rec.published_at)
    out["author"] = (1.0 if _names(rec.author) == _names(t.get("author")) else 0.0, t.get("author") or "", rec.author)
    out["editor"] = (1.0 if _names(rec.editor) == _names(t.get("editor")) else 0.0, t.get("editor") or "", rec.editor)
    out["source"] = (1.0 if _key(rec.source) == _key(t.get("source")) else 0.0, t.get("source") or "", rec.source)
    out["body"] = (bigram_f1(rec.body_text, t.get("body_text") or ""), (t.get("body_text") or "")[:300],
                   (rec.body_text or "")[:300])
    want_h = [h for h in (t.get("section_headings") or [])]
    if want_h:
        got_h = [s["heading"] for s in rec.sections if s.get("heading")]
        a, b = {_key(x) for x in got_h}, {_key(x) for x in want_h}
        out["headings"] = (len(a & b) / len(a | b) if a | b else 1.0, want_h, got_h)
    return out


def load_truth(corpus_dir: Path) -> list[dict]:
    """The truth records of DIR/truth.jsonl, one per page, in file order."""
    path = Path(corpus_dir) / "truth.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate_corpus(corpus_dir: Path, parse: Callable = parse_page, subset: Subset = ALL_PAGES,
                    transform: Callable[[bytes, dict], bytes] | None = None) -> EvalResult:
    """Parse every page of DIR/pages that `subset` selects with its truth URL (no headers, fetched at
    FETCHED_AT) and score it; `transform(body, truth)` rewrites each page first (--perturb).
    Raises SubsetError when the subset selects no page."""
    corpus_dir = Path(corpus_dir)
    every = load_truth(corpus_dir)
    subset.check_hosts(t["id"] for t in every)
    truths = [t for t in every if subset.selects(t["id"])]
    if not truths:
        raise SubsetError(f"{subset.describe()}: selects none of the {len(every)} pages of {corpus_dir}")
    res = EvalResult(subset=subset.describe(), corpus_pages=len(every))
    sums: dict[str, float] = {f: 0.0 for f in FIELDS}
    counts: dict[str, int] = {f: 0 for f in FIELDS}
    for t in truths:
        pid = t["id"]
        res.pages += 1
        path = corpus_dir / "pages" / f"{pid}.html"
        try:
            body = path.read_bytes()
            if transform is not None:
                body = transform(body, t)
            rec = parse(t.get("url") or "", None, body, FETCHED_AT)
            scored = _score_page(rec, t)
        except Exception as e:  # any failure is a miss on every field
            res.errors[pid] = f"{type(e).__name__}: {e}"
            scored = {}
            for f in FIELDS:
                if f == "minute" and not re.search(r"\d:\d", t.get("published") or ""):
                    continue
                if f == "headings" and not t.get("section_headings"):
                    continue
                scored[f] = (0.0, "(page)", f"error: {type(e).__name__}: {e}")
        res.per_page[pid] = {f: v[0] for f, v in scored.items()}
        for f, (s, exp, got) in scored.items():
            sums[f] += s
            counts[f] += 1
            if s < 1.0:
                res.misses.append(Miss(pid, f, exp, got, s))
    res.counts = counts
    res.scores = {f: (sums[f] / counts[f] if counts[f] else 0.0) for f in FIELDS}
    return res


PERTURB_TOLERANCE = 0.03   # issue 9: scores under perturbation stay within this of the plain scores


@dataclass
class PerturbResult:
    """Plain scores and the scores after each perturbation kind and after all of them together."""
    plain: EvalResult
    perturbed: dict[str, EvalResult]          # kind (or "all") -> result
    changed: dict[str, int]                   # kind -> pages the kind rewrote

    def diff(self, kind: str) -> dict[str, float]:
        return {f: self.perturbed[kind].scores.get(f, 0.0) - self.plain.scores.get(f, 0.0) for f in FIELDS}

    def drifted(self) -> list[tuple[str, str, float]]:
        """(kind, field, difference) where a perturbed score fell more than the tolerance."""
        return [(k, f, d) for k in self.perturbed for f, d in self.diff(k).items() if d < -PERTURB_TOLERANCE - 1e-9]

    def to_json(self) -> dict:
        return {"subset": self.plain.subset, "pages": self.plain.pages, "tolerance": PERTURB_TOLERANCE,
                "plain": {f: round(v, 4) for f, v in self.plain.scores.items()},
                "perturbed": {k: {"scores": {f: round(v, 4) for f, v in r.scores.items()},
                                  "diff": {f: round(v, 4) for f, v in self.diff(k).items()},
                                  "pages_rewritten": self.changed.get(k, r.pages),
                                  "errors": r.errors} for k, r in self.perturbed.items()},
                "drifted": [{"kind": k, "field": f, "diff": round(d, 4)} for k, f, d in self.drifted()]}


def evaluate_perturbed(corpus_dir: Path, parse: Callable = parse_page, subset: Subset = ALL_PAGES,
                       kinds=None) -> PerturbResult:
    """Score the plain pages, then the pages rewritten by each perturbation kind, then by all together."""
    from crawler import perturb

    kinds = tuple(kinds or perturb.KINDS)
    plain = evaluate_corpus(corpus_dir, parse, subset)
    out: dict[str, EvalResult] = {}
    changed: dict[str, int] = {}
    for name, group in [(k, (k,)) for k in kinds] + [("all", kinds)]:
        seen = set()

        def rewrite(body, truth, group=group, seen=seen):
            new = perturb.perturb_page(body, group, title=truth.get("title"))
            if new.applied:
                seen.add(truth["id"])
            return new.body

        out[name] = evaluate_corpus(corpus_dir, parse, subset, transform=rewrite)
        changed[name] = len(seen)
    return PerturbResult(plain, out, changed)


def format_perturbed(res: PerturbResult) -> str:
    kinds = list(res.perturbed)
    rows = [f"{'field':<10} {'plain':>7} " + " ".join(f"{k:>17}" for k in kinds)]
    for f in FIELDS:
        cells = []
        for k in kinds:
            d = res.diff(k)[f]
            mark = "!" if d < -PERTURB_TOLERANCE - 1e-9 else " "
            cells.append(f"{res.perturbed[k].scores.get(f, 0.0):7.3f} ({d:+.3f}){mark}")
        rows.append(f"{f:<10} {res.plain.scores.get(f, 0.0):7.3f} " + " ".join(f"{c:>17}" for c in cells))
    rows.append(f"{'rewritten':<10} {'':>7} " + " ".join(f"{res.changed.get(k, 0):>17}" for k in kinds))
    rows.append(f"{'errors':<10} {len(res.plain.errors):>7} "
                + " ".join(f"{len(res.perturbed[k].errors):>17}" for k in kinds))
    rows.append(f"scored: {res.plain.subset}: {res.plain.pages} of {res.plain.corpus_pages} pages; "
                f"perturbed score (difference to plain); ! = fell more than {PERTURB_TOLERANCE}")
    return "\n".join(rows)


def format_perturb_losses(res: PerturbResult, field: str) -> str:
    """The pages whose `field` scored lower after a perturbation than plain, kind by kind, with
    what the parser gave on the rewritten page (what it keys on)."""
    out = []
    for kind, r in res.perturbed.items():
        got = {m.page: m for m in r.misses if m.field == field}
        for page, scores in r.per_page.items():
            before = res.plain.per_page.get(page, {}).get(field)
            after = scores.get(field)
            if before is None or after is None or after >= before:
                continue
            m = got.get(page)
            shown = m.got if m is None or not isinstance(m.got, str) else m.got[:200]
            out.append(f"{page} [{kind}: {before:.3f} -> {after:.3f}]\n  expected: "
                       f"{m.expected if m else ''}\n  got:      {shown if m else ''}")
    return "\n".join(out) if out else f"(no page lost {field} under a perturbation)"


def format_table(result: EvalResult) -> str:
    rows = [f"{'field':<10} {'score':>7} {'target':>7} {'pages':>6}  status"]
    for f in FIELDS:
        s = result.scores.get(f, 0.0)
        t = TARGETS[f]
        rows.append(f"{f:<10} {s:7.3f} {t:7.2f} {result.counts.get(f, 0):6d}  {'ok' if s >= t else 'BELOW'}")
    rows.append(f"scored: {result.subset}: {result.pages} of {result.corpus_pages or result.pages} pages, "
                f"errors: {len(result.errors)}")
    return "\n".join(rows)


def format_misses(result: EvalResult, field: str) -> str:
    out = []
    for m in result.misses:
        if m.field != field:
            continue
        exp = m.expected if not isinstance(m.expected, str) else m.expected[:200]
        got = m.got if not isinstance(m.got, str) else m.got[:200]
        out.append(f"{m.page} [{m.score:.3f}]\n  expected: {exp}\n  got:      {got}")
    return "\n".join(out) if out else f"(no misses for {field})"


def main(argv=None) -> int:  # pragma: no cover - convenience entry point
    import argparse

    ap = argparse.ArgumentParser(description="Score the parser on a labelled corpus.")
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--misses", action="append", default=[], help="print misses for a field")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    r = evaluate_corpus(a.corpus)
    if a.json:
        print(json.dumps(r.to_json(), ensure_ascii=False, indent=1))
    else:
        print(format_table(r))
        for f in a.misses:
            print(f"\n== misses: {f}")
            print(format_misses(r, f))
        for pid, err in r.errors.items():
            print(f"error {pid}: {err}")
    return 0 if not r.failed_targets() else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
