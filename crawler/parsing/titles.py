"""The headline: the heading-like line that best matches <title>/og:title, near the body start.

Not <title> with its site suffix, not a slogan h1, not a breadcrumb. Candidates are visible lines
in heading markup (h1-h6, *title*/*headline* classes) or any short line that matches a reference
title string; they are scored by similarity to the references, markup and distance to the body.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from .body import _RELATED_HEAD_RE, is_link_line
from .dom import squashed as _key

_TITLE_ATTR_RE = re.compile(r"tit|headline|topic|biaoti|(?:^|[\s_-])(?:hd|bt|bti)(?:$|[\s_\d-])", re.I)
_SPLIT_RE = re.compile(r"\s*(?:_|\||｜|--|-|–|—|::)\s*")


_DATEISH_RE = re.compile(r"(?:19|20)\d\d\s*[-年/.]\s*\d{1,2}|\d{1,2}-\d{1,2}\s+\d{1,2}:\d\d|来源|作者|发布|时间")
_QUOTES = "\"'“”‘’「」『』"
_SENTENCE_END_RE = re.compile(r"[。；;]|[，,].*[，,]")  # a sentence, not a headline
META_HEADLINE_MAX = 60      # a line over the meta line at most this long may be the headline ...
META_HEADLINE_MARKUP = 0.3  # ... with the markup weight of an all-bold line
_CRUMB_RE = re.compile(r"首页|当前位置|您的位置|>|›|»|\s[-/]\s.*\s[-/]\s")


def quick_sim(c: str, r: str) -> float:
    """Containment-only similarity (no alignment)."""
    if not c or not r:
        return 0.0
    if c == r:
        return 1.0
    if c in r:
        return 0.5 + 0.5 * len(c) / len(r)
    if r in c:
        return 0.4 + 0.5 * len(r) / len(c)
    return 0.0


def sim(c: str, r: str) -> float:
    """quick_sim, or for strings that do not contain each other, their longest common run."""
    if not c or not r:
        return 0.0
    if c == r or c in r or r in c:
        return quick_sim(c, r)
    m = SequenceMatcher(None, c, r, autojunk=False).find_longest_match(0, len(c), 0, len(r)).size
    return 0.8 * m / max(len(c), len(r))


def _heading_score(line) -> float:
    el = line.el
    if line.hl:
        return {1: 1.0, 2: 0.9, 3: 0.75}.get(line.hl, 0.6)
    depth = 0
    while el is not None and depth < 3:
        attrs = (el.get("class") or "") + " " + (el.get("id") or "")
        if _TITLE_ATTR_RE.search(attrs) and not re.search(r"sub-?title|subtitle|title-?(?:bar|nav)|list", attrs, re.I):
            return 0.8
        el = el.getparent()
        depth += 1
    if line.bold >= 0.9 * line.n:
        return 0.3
    return 0.0


def references(meta) -> list[str]:
    refs = []
    for v in (meta.get("og:title", "twitter:title", "articletitle", "headline", "title"),
              meta.jsonld.get("headline") if isinstance(meta.jsonld.get("headline"), str) else None,
              meta.enp.get("title"), meta.title_tag, meta.wrapper_title):
        if v and _key(v) and _key(v) not in refs:
            refs.append(_key(v))
    return refs


def extract_title(lines, c_first: int, c_last: int, container, meta, trace=None):
    """Return (title, line index or None, method): the best-scoring headline candidate, else metadata."""
    refs = references(meta)
    extract_title.last_sim = 0.0
    best = None
    lo = max(0, c_first - 40)
    hi = min(len(lines), c_first + 8)
    for i in range(0, len(lines)):
        line = lines[i]
        if line.n < 4 or line.n > 120 or line.text.count(" ") > 12:
            continue
        near = lo <= i < hi
        if not near and not (line.hl or line.center or line.bold * 2 >= line.n):
            continue
        k = _key(line.text)
        s = max((quick_sim(k, r) for r in refs), default=0.0)
        hs = _heading_score(line)
        meta_next = any(_DATEISH_RE.search(lines[j].text) and lines[j].n <= 120
                        for j in range(i + 1, min(len(lines), i + 4)))
        if hs == 0 and near and i + 1 < len(lines) and _DATEISH_RE.search(lines[i + 1].text) \
                and lines[i + 1].n <= 120 and line.n <= META_HEADLINE_MAX and not is_link_line(line) \
                and not _DATEISH_RE.search(line.text) and not _SENTENCE_END_RE.search(line.text):
            # no heading markup left (a class-styled <div>): a short line right over the meta line reads as one
            hs = META_HEADLINE_MARKUP
        if near and s == 0.0 and refs and (hs > 0 or line.bold * 2 >= line.n):
            s = max(sim(k, r) for r in refs)
        if not near:
            # far from the body: only an exact headline match, not a link, counts
            if s < 0.75 or is_link_line(line) or i > c_last or (hs == 0 and s < 0.95):
                continue
        if hs == 0 and s < 0.75:
            continue
        if is_link_line(line) and s < 0.75:
            continue
        dist = c_first - i if i < c_first else (i - c_first) * 3
        prox = max(0.0, 1 - dist / 40)
        crumb = bool(_CRUMB_RE.search(line.text)) or bool(_RELATED_HEAD_RE.match(line.text))
        inner = 0.4 if i > c_first else 0.0  # a sub-heading inside the text, not the headline above it
        score = 2 * (s if s >= 0.45 else 0.3 * s) + 0.8 * hs + 0.6 * prox + 0.6 * meta_next - 1.0 * crumb - inner
        if trace is not None:
            trace.add("title", line.text, "text" if s >= 0.5 else "structure", score,
                      f"line {i}: ref {s:.2f} markup {hs:.2f} near {prox:.2f} meta-next {int(meta_next)}")
        if best is None or score > best[0]:
            best = (score, i, s, hs)
    if best is not None:
        _score, i, s, hs = best
        text, i, s = _join_broken(lines, i, refs, s)
        k = _key(text)
        # a button label glued to the headline ("…行为播报文章"): cut to the reference
        for r in refs:
            # not when the rest starts with a quotation mark: the reference is an attribute value
            # cut short at an unescaped '"' (content="…龙湖集团"暗伤"曝露？")
            if k.startswith(r) and k != r and len(k) - len(r) <= 8 and len(r) >= 6 and k[len(r)] not in _QUOTES:
                text = _cut_to(text, len(r))
                break
        extract_title.last_sim = s
        return text, i, ("text" if s >= 0.5 else "structure")
    # fall back to metadata
    og = meta.get("og:title", "articletitle", "twitter:title")
    if trace is not None:
        for v, where in ((og, "og:title"), (meta.title_tag, "<title>"), (meta.wrapper_title, "wrapper")):
            if v:
                trace.add("title", v, "meta", -1.0, where)
    if og:
        return og, None, "meta"
    if meta.title_tag:
        parts = [p for p in _SPLIT_RE.split(meta.title_tag) if p]
        t = max(parts[:1] or [meta.title_tag], key=len)
        if len(_key(t)) >= 4:
            return t, None, "meta"
    if meta.wrapper_title:
        return meta.wrapper_title, None, "meta"
    return None, None, None


def _join_broken(lines, i, refs, s):
    """A headline broken over lines of one block (<br>): join the lines before and after line i
    while the joined text is still part of a reference and matches it better. Returns (text,
    index of the last line joined, similarity)."""
    first = last = i
    while True:
        grown = False
        for j in (first - 1, last + 1):
            if not 0 <= j < len(lines) or lines[j].el is not lines[i].el:
                continue
            a, b = min(j, first), max(j, last)
            k = "".join(_key(lines[x].text) for x in range(a, b + 1))
            js = max((quick_sim(k, r) for r in refs), default=0.0)
            if js > s and any(k in r for r in refs):
                first, last, s, grown = a, b, js, True
        if not grown:
            break
    if first == last:
        return lines[i].text, i, s
    return "".join(lines[x].text for x in range(first, last + 1)), last, s


def _cut_to(text: str, nchars: int) -> str:
    """The prefix of `text` holding `nchars` non-space (NFKC) characters."""
    count = 0
    for j, ch in enumerate(text):
        if not ch.isspace():
            count += len(unicodedata.normalize("NFKC", ch))
        if count >= nchars:
            return text[:j + 1]
    return text
