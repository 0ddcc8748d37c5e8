"""is_article: is this page one article (keep it) or a list, an index, an empty shell (refuse it)?

An archiving crawler must not lose an article because the parser is unsure, so the decision errs
toward keeping: a page with a headline and enough prose of its own (paragraphs that are not the
summaries under headline links) is an article, however many related-headline blocks, ad tables
or teaser boxes sit beside or inside its text. Only a page without such prose is tested for the
shapes of a list (a main block made of headline links, or of link -> summary pairs).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import vocab as V
from .body import is_link_line

_SENT_RE = re.compile(r"[，。！？；,;!?]")
_WS_RE = re.compile(r"\s+")


@dataclass
class Verdict:
    keep: bool
    reason: str = ""   # NotAnArticle reason when refused ("list_page", "no_body")
    detail: str = ""
    own_prose: int = 0  # characters of prose that is the page's own (explain/debug)


def _headline_link(line) -> bool:
    return is_link_line(line) and V.HEADLINE_LINK_MIN <= line.n <= V.HEADLINE_LINK_MAX


def _own_prose(kept, block_lines) -> tuple[int, int, int]:
    """(characters, paragraphs, longest) of kept prose lines that are not teaser summaries."""
    teasers = teaser_summaries(block_lines)
    chars = paras = longest = 0
    for l in kept:
        if l.n >= V.PROSE_LINE_MIN and l.link < l.n * 0.3 and _SENT_RE.search(l.text) and id(l) not in teasers:
            chars += l.n
            paras += 1
            longest = max(longest, l.n)
    return chars, paras, longest


_LIST_URL_RE = re.compile(V.LIST_URL_PATTERN, re.I)
_ARTICLE_URL_RE = re.compile(V.ARTICLE_URL_PATTERN, re.I)


def url_role(url: str) -> str | None:
    """"list" for a channel/index URL (/news/, list_2.html, index.shtml), "article" for one with a
    date or a long number in its last segments (t20240513_123.html, /2024/05/13/, content_4455.htm)."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url or "", flags=re.I).split("#", 1)[0]
    if not path or path == "/":
        return "list"
    if _ARTICLE_URL_RE.search(path):
        return "article"
    if _LIST_URL_RE.search(path):
        return "list"
    return None


def is_article(title: str | None, kept, block_lines, all_lines, url: str = "") -> Verdict:
    """Decide from the headline, the kept body lines, the main block's lines (in page order), the
    page's lines and the URL's role."""
    body_chars = sum(len(_WS_RE.sub("", l.text)) for l in kept)
    links = [l for l in block_lines if _headline_link(l)]
    link_chars = sum(l.n for l in links)
    own, paras, longest = _own_prose(kept, block_lines)
    if title and (own >= V.KEEP_PROSE_ALONE
                  or (own >= V.KEEP_PROSE_SEVERAL and paras >= V.KEEP_PARAGRAPHS_SEVERAL)
                  or (own >= V.KEEP_PROSE_CHARS and paras >= V.KEEP_PROSE_PARAGRAPHS
                      and own >= V.KEEP_PROSE_VS_LINKS * link_chars)):
        return Verdict(True, own_prose=own)
    page_links = sum(1 for l in all_lines if _headline_link(l))
    if own < V.KEEP_PROSE_CHARS and page_links >= V.LIST_URL_PAGE_LINKS and url_role(url) == "list":
        return Verdict(False, "list_page", f"a channel URL, {page_links} headline links and {own} characters of text", own)
    n_links = len(links)
    prose_lines = sum(1 for l in kept if l.n >= V.PROSE_LINE_MIN)
    if n_links >= V.LIST_LINKS_MIN and n_links >= V.LIST_LINK_SHARE * len(block_lines):
        return Verdict(False, "list_page", f"{n_links} of {len(block_lines)} lines in the main block are links", own)
    if n_links >= V.TEASER_LINKS_MIN and n_links >= V.TEASER_VS_PROSE * prose_lines:
        seq = ["L" if _headline_link(l) else "P" for l in block_lines
               if _headline_link(l) or (l.n >= V.PROSE_LINE_MIN and l.link < l.n * 0.3)]
        pairs = sum(1 for a, b in zip(seq, seq[1:]) if a == "L" and b == "P")
        if pairs >= V.TEASER_PAIRS_MIN:
            return Verdict(False, "list_page", f"{pairs} headline links followed by summaries", own)
    if body_chars < V.SHORT_BODY_CHARS and (_mostly_links(all_lines) or sum(
            1 for l in all_lines if is_link_line(l) and 8 <= l.n <= 60) >= V.PAGE_LINKS_FOR_LIST):
        return Verdict(False, "list_page", "headline links and no article text", own)
    if body_chars < V.NO_BODY_CHARS:
        return Verdict(False, "no_body", "no article text", own)
    return Verdict(True, own_prose=own)


def _mostly_links(lines) -> bool:
    if len(lines) < 20:
        return False
    return sum(1 for l in lines if is_link_line(l)) >= len(lines) * 0.5


def teaser_summaries(block_lines) -> set[int]:
    """ids of the summary lines of teaser runs (headline link -> summary, at least TEASER_RUN_MIN
    times without own prose between them): a related-headlines block inside the article's block."""
    out: set[int] = set()
    run: list[int] = []
    prev_link = False
    for l in block_lines:
        if _headline_link(l):
            prev_link = True
            continue
        if l.n >= V.PROSE_LINE_MIN:
            if prev_link:
                run.append(id(l))
            else:
                if len(run) >= V.TEASER_RUN_MIN:
                    out.update(run)
                run = []
            prev_link = False
    if len(run) >= V.TEASER_RUN_MIN:
        out.update(run)
    return out
