"""slot_source: the outlet printed without a label beside the date ("2019年11月25日 18:57 参考消息").

Portals (Sina's `日期 媒体`, Hexun's link after the date, Tencent's outlet span before it) print the
article's 来源 in a fixed slot of the meta line with no label. A template rewrite keeps the slot's
visible shape but not its class names, and may put the items in another order, so the slot is read
from the line's items alone: the line is cut into items at white space, separators and element
boundaries; the outlet is the one item left beside the date once page chrome is set aside (numbers,
tool words, links to the site's own pages such as the channel name): after the date any such item,
before it only a link to another site (an unlinked name before the date is as often an account). A line marked 原创 names a
self-media account, not an outlet (README labelling rules), and gives none.

    slot_source(lines, header, site_names={"新浪网"}, fetched_at=..., site_host="sina.com.cn")
"""
from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from . import bylines as by
from . import dates as dt
from .dom import BLOCK_TAGS
from .dom import text_key as _key
from .vocab import (SLOT_CHROME_TOKEN_PATTERN, SLOT_HEADER_LINES, SLOT_MAX_CHARS, SLOT_MIN_CHARS, SLOT_NOT_OUTLET_PATTERN,
                    SLOT_SELF_MEDIA_MARKS)

_BOUNDARY = "\x1f"  # where one element's text ends and the next one's begins
_SPLIT_RE = re.compile(r"[\s%s|｜丨]+" % _BOUNDARY)
_CHROME_TOKEN_RE = re.compile(SLOT_CHROME_TOKEN_PATTERN)
_NOT_OUTLET_RE = re.compile(SLOT_NOT_OUTLET_PATTERN)
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "co", "ac"}


def registered_domain(host: str) -> str:
    """news.sina.com.cn -> sina.com.cn, finance.qq.com -> qq.com (enough to tell own links from others)."""
    parts = [p for p in (host or "").lower().split(":")[0].split(".") if p]
    if len(parts) >= 3 and parts[-2] in _SECOND_LEVEL and len(parts[-1]) == 2:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def site_host(doc, url: str = "", canonical: str | None = None) -> str:
    """The site's registered domain: from the page URL, its canonical link, else the domain most
    of the page's absolute links point to (a saved page without its URL still links home)."""
    for u in (url, canonical):
        host = urlsplit(u or "").hostname
        if host:
            return registered_domain(host)
    hosts = Counter()
    for href in doc.iter("a"):
        h = urlsplit((href.get("href") or "").strip()).hostname
        if h:
            hosts[registered_domain(h)] += 1
    return hosts.most_common(1)[0][0] if hosts else ""


def _pieces(line):
    """(text, href or None) for each text node of the line's element outside nested blocks, or
    None when those do not make up the line (a block holding several lines)."""
    out = []

    def walk(el, href):
        if el.text:
            out.append((el.text, href))
        for c in el:
            if isinstance(c.tag, str) and c.tag not in BLOCK_TAGS:
                walk(c, (c.get("href") or "") if c.tag == "a" else href)
            if c.tail:
                out.append((c.tail, href))

    walk(line.el, None)
    if _key("".join(t for t, _h in out)) != _key(line.text):
        return None
    return out


def _tokens(line, fetched_at):
    """[(text, is_date, href, glued)] in line order; glued: touching a date with no space between."""
    pieces = _pieces(line) or [(line.text, None)]
    text, owner = "", []
    for t, href in pieces:
        text += t + _BOUNDARY
        owner += [href] * (len(t) + 1)
    dates = dt.find_dates(text.replace(_BOUNDARY, " "), fetched_at, allow_relative=False)
    out, pos = [], 0
    for span in [(d.start, d.end) for d in dates] + [(len(text), len(text))]:
        for m in re.finditer(r"[^\s%s|｜丨]+" % _BOUNDARY, text[pos:span[0]]):
            a, b = pos + m.start(), pos + m.end()
            glued = (b == span[0] and span[0] < len(text)) or (out and out[-1][1] and a == pos and pos > 0)
            out.append((m.group(0), False, owner[a], bool(glued)))
        if span[0] < len(text):
            out.append((text[span[0]:span[1]], True, None, False))
        pos = span[1]
    return out


def _own_link(href, host: str) -> bool:
    if href is None:
        return False
    h = urlsplit(href.strip()).hostname
    return not h or (bool(host) and registered_domain(h) == host)


def _outlet(tok: str, site_names) -> bool:
    return (SLOT_MIN_CHARS <= len(tok) <= SLOT_MAX_CHARS and bool(_CJK_RE.search(tok))
            and not _NOT_OUTLET_RE.search(tok) and _key(tok) not in site_names and not by.is_place(tok)
            and by.clean_source(tok) is not None)


def _from_line(line, site_names, fetched_at, host):
    """The outlet of one meta line; None when it has none; False when it has no date."""
    toks = _tokens(line, fetched_at)
    di = next((i for i, t in enumerate(toks) if t[1]), None)
    if di is None:
        return False
    if any(t[0] in SLOT_SELF_MEDIA_MARKS for t in toks):
        return None
    words = [(i, t) for i, t in enumerate(toks) if not t[1] and not _CHROME_TOKEN_RE.fullmatch(t[0])
             and not _own_link(t[2], host) and _key(t[0]) not in site_names]
    if not words:
        return ""   # only the date: the slot may be the next line
    if len(words) > 1:
        return None
    i, (tok, _d, href, glued) = words[0]
    if glued or abs(i - di) != 1 or tok.startswith(("·", "•")):
        return None
    if i < di and href is None:
        # before the date an unlinked name is as often the writer's account (Toutiao, 网易号) as the
        # outlet; a link to another site is the outlet's own (Sina, Hexun: the slot reordered)
        return None
    return tok if _outlet(tok, site_names) else None


def slot_source(lines, header, site_names, fetched_at, host: str = "") -> str | None:
    """The unlabelled outlet beside the date in the first header lines that hold a date and no label."""
    for n, i in enumerate(header[:SLOT_HEADER_LINES]):
        line = lines[i]
        if by.parse_labels(line.text):
            continue
        got = _from_line(line, site_names, fetched_at, host)
        if got is False:
            continue
        if got == "" and n + 1 < len(header) and header[n + 1] == i + 1:
            nxt = lines[i + 1].text.strip()
            if dt.find_dates(nxt) or by.parse_labels(nxt) or len(nxt.split()) != 1:
                return None
            return nxt if _outlet(nxt, site_names) else None
        return got or None
    return None
