"""Pagers: which links are more pages of the same list (list pagination, `is_next_page`), and
which are an article's own pages (`own_pages`: content_123.htm -> content_123_2.htm,
index.html -> index_1.html, found in a pager: 上一页 1 2 3 下一页, 第2页, rel="next").

Pure: URLs and HTML text in, URLs out. The spiders navigate with it (spiders/pages.py), the
merge of the pages' records is crawler/parsing/pages.py.

An article's pager differs from a list's by where it is asked, and by a stricter URL test: only
a page of an article (the spider's article callback) is searched for its own pager, and a link is
one of its pages only when its text or rel says so (a page number, 上一页/下一页, 第N页, 首页/尾页,
rel=next/prev) and its URL is the same article's: the same folder, query and extension, and a
stem that is the first page's plus `_N` (or the first page's itself). So content_123 -> content_124
(the next article, 下一篇) is never a page, while a list's pagination accepts it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import html as lxml_html

from .rules import select

# ---- list pagination (crawler/incremental.py) ----

_PAGE_PARAMS = {"page", "p", "pn", "pageno", "page_no", "pagenum", "pageindex", "pg", "start", "offset", "cpage"}
_PAGE_SUFFIX = re.compile(r"[_-]\d+$")
_INDEX_STEMS = {"", "index", "default", "list"}


def _parts(url: str):
    p = urlsplit(url)
    folder, _, name = p.path.rpartition("/")
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", name)
    query = sorted((k, v) for k, v in parse_qsl(p.query, keep_blank_values=True) if k.lower() not in _PAGE_PARAMS)
    return p.netloc.lower(), folder, stem, query


def is_next_page(src: str, dst: str, *, strict: bool = False) -> bool:
    """Whether `dst` looks like another page of the list at `src` (index.html -> index_2.html,
    node_12.html -> node_12_3.html, list?page=2, /xwzx/ -> /xwzx/index_1.html). With `strict`
    (a start page), only page 1 -> page N counts, so links to other sections never do."""
    h1, d1, s1, q1 = _parts(src)
    h2, d2, s2, q2 = _parts(dst)
    if h1 != h2 or d1 != d2 or q1 != q2:
        return False
    if s1 == s2:
        return src != dst  # the same list with another page parameter
    n1, n2 = _PAGE_SUFFIX.sub("", s1), _PAGE_SUFFIX.sub("", s2)
    if n2 == s1 or (s1 in _INDEX_STEMS and n2 in _INDEX_STEMS):
        return True
    return not strict and (n1 == s2 or (n1 == n2 and n1 != s1 and n2 != s2))


# ---- an article's own pages ----

# What a pager link says: a page number ([2]), 上一页/下一页, 第2页, 首页/尾页, arrows.
_PAGER_TEXT = re.compile(
    r"^[\[【(（]?\s*(?:\d{1,3}|上一?页|下一?页|前一页|后一页|首页|尾页|末页|最后一?页|第\s*\d{1,3}\s*页|"
    r"next|prev(?:ious)?|[<>«»‹›]+)\s*[\]】)）]?$", re.I)
_STEM_PAGE = re.compile(r"^(?P<base>.+)_(?P<n>\d{1,3})$")


@dataclass(frozen=True)
class PageUrl:
    first: str   # the article's first page
    number: int  # 1 for the first page; N for stem_N (index_1.html is page 2 on TRS sites: N + 1)


def _split(url: str):
    p = urlsplit(url.split("#", 1)[0])
    folder, _, name = p.path.rpartition("/")
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    return p, folder, stem, dot + ext


def page_number(first: str, url: str) -> int | None:
    """The number of `url` as a page of the article whose first page is `first` (1: itself), or
    None when it is not one (another folder, query, extension, or stem)."""
    p1, f1, s1, e1 = _split(first)
    p2, f2, s2, e2 = _split(url)
    if (p1.scheme, p1.netloc.lower(), f1, e1, p1.query) != (p2.scheme, p2.netloc.lower(), f2, e2, p2.query):
        return None
    if s1 == s2:
        return 1
    m = _STEM_PAGE.match(s2)
    if not m or m["base"] != s1:
        return None
    n = int(m["n"])
    # content_123_2 is page 2; index_1 is page 2 (TRS numbers from 1 after the unnumbered first)
    return n + 1 if s1 in _INDEX_STEMS or n < 2 else n


def first_page_candidates(url: str) -> list[str]:
    """`url` itself, and the first page it would be page N of (content_123_2.htm -> content_123.htm)."""
    p, folder, stem, ext = _split(url)
    out = [url.split("#", 1)[0]]
    m = _STEM_PAGE.match(stem)
    if m:
        out.append(p._replace(path=f"{folder}/{m['base']}{ext}", fragment="").geturl())
    return out


@dataclass(frozen=True)
class Pager:
    """The own-page links found on one page: `first` (the article's first page) and `pages`
    (every page URL of the article this page names, itself included, in page order)."""

    first: str
    pages: tuple[str, ...]


def _links(doc, base_url: str, selector: str | None):
    """(absolute URL, text, rel) of the <a href> links inside `selector`'s elements, or the page's."""
    if selector:
        nodes = select(doc, selector)
        anchors = []
        for node in nodes:
            if not hasattr(node, "tag"):
                continue
            anchors.extend([node] if node.tag == "a" else node.iter("a"))
    else:
        anchors = doc.iter("a")
    for a in anchors:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        yield urljoin(base_url, href).split("#", 1)[0], " ".join(a.text_content().split()), (a.get("rel") or "").lower()


def own_pages(url: str, text: str, *, selector: str | None = None, first: str | None = None) -> Pager:
    """The article pages named by the pager of the page at `url` (its HTML `text`).

    `first`: the article's first page when the caller knows it (a page 2…n fetched from page 1);
    otherwise it is `url`, or the URL `url` is page N of when the pager links to that. A site
    file's `article_pager` `selector` names the pager: every same-site link in it is a page (a
    page number, 下一页...), whatever its text; the URL must still be the same article's."""
    try:
        doc = lxml_html.fromstring(text) if text and text.strip() else None
    except (ValueError, Exception):  # lxml raises a few kinds on garbage
        doc = None
    here = url.split("#", 1)[0]
    if doc is None:
        return Pager(first or here, (here,) if first is None else ())
    base = doc.find(".//base[@href]")
    base_url = urljoin(here, base.get("href")) if base is not None else here
    found = [(u, t, r) for u, t, r in _links(doc, base_url, selector)
             if selector or "next" in r.split() or "prev" in r.split() or _PAGER_TEXT.match(t)]
    candidates = [first] if first else first_page_candidates(here)
    best: tuple[str, dict[str, int]] | None = None
    for cand in candidates:
        numbers = {}
        for u in [here] + [u for u, _, _ in found]:
            n = page_number(cand, u)
            if n is not None:
                numbers.setdefault(u, n)
        if cand != here and first is None and len(numbers) < 2:
            continue  # page N of another URL only when its pager says so
        if best is None or len(numbers) > len(best[1]):
            best = (cand, numbers)
        if first:
            break
    cand, numbers = best if best else (here, {here: 1})
    if first is None and cand == here and not any(u != here for u in numbers):
        return Pager(here, (here,))
    numbers.setdefault(cand, 1)
    ordered = tuple(sorted(numbers, key=lambda u: (numbers[u], u)))
    return Pager(cand, ordered)
