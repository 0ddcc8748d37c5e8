"""Split body lines into sections at sub-headings.

A heading is a short line that is marked up as one (h2-h6, wholly bold, centred) or written as
one (numbered "一、"/"（一）"/"1."/bare "1", "01"; a short plain line between long paragraphs in
the plain seed format). Photo captions (the line right under an image, "▲…", "图：…") and
emphasised sentences are not headings.
"""
from __future__ import annotations

import re
from statistics import median

from .dom import BLOCK_TAGS, Line
from .vocab import MIN_HEADING_CHARS

_END_PUNCT = "。！？!?；;，,、…：:"
_BARE_NUM_RE = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十]{1,3}|[（(][一二三四五六七八九十\d]{1,3}[)）]|[①-⑳]|Part\s*\d+|PART\s*\d+)$")
_NUMBERED_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[、.．](?!\d)|0\d\s*\S|第[一二三四五六七八九十\d]+[部章节篇个条]|[①-⑳])")
_LIST_ITEM_END = "；;，,、"
LIST_LEAD_IN_MIN = 12  # a numbered line ending in a colon and longer than this introduces a list
# a line that is only a date ("2003年5月", "2021-03-14") dates the text, it heads nothing
_DATE_ONLY_RE = re.compile(r"^(?:19|20)\d\d\s*(?:年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|[-/.]\d{1,2}(?:[-/.]\d{1,2})?)$")
_CAPTION_RE = re.compile(r"^(?:▲|△|↑|图[:：为]|资料图|图片|（图|\(图|图\d|摄影)|(?:摄|供图|截图|视频截图|资料图)[)）]?$|图[）)]$")


def _plain_len(text: str) -> int:
    return len(re.sub(r"\s", "", text))


def _block_of(el):
    while el is not None and el.tag not in BLOCK_TAGS:
        el = el.getparent()
    return el


def _is_caption(line: Line) -> bool:
    """The line right under an image, in the image's own block or centred like it."""
    if not line.after_img:
        return False
    if line.center:
        return True
    return any(_block_of(img) is line.el for img in line.imgs)


def _in_data_table(td) -> bool:
    """A cell of a table with several rows of several cells (a data table, not a layout table)."""
    table = td.getparent()
    while table is not None and table.tag != "table":
        table = table.getparent()
    if table is None:
        return False
    rows = [r for r in table.iter("tr")]
    return len(rows) >= 2 and sum(1 for r in rows if len(r) >= 2) >= 2


def heading_flags(lines: list[Line], title: str | None = None) -> list[bool]:
    n = len(lines)
    flags = [False] * n
    if n == 0:
        return flags
    lens = [_plain_len(l.text) for l in lines]
    med = median(lens) if lens else 0
    prose_page = med >= 45 and n >= 4
    for i, line in enumerate(lines):
        t = line.text.strip()
        L = lens[i]
        if L == 0 or L > 60:
            continue
        if L < MIN_HEADING_CHARS and not _BARE_NUM_RE.match(t):
            # one character alone ("今" of a vertical "今日推荐" label) heads nothing
            continue
        nxt = lines[i + 1] if i + 1 < n else None
        prv = lines[i - 1] if i > 0 else None
        if i == n - 1:
            # a heading heads something; the last line never does
            continue
        if _CAPTION_RE.search(t) or _is_caption(line) or _DATE_ONLY_RE.match(t):
            continue
        if line.el is not None and line.el.tag in ("td", "th") and _in_data_table(line.el):
            continue
        bold = line.bold >= 0.9 * line.n
        ends = t[-1] in _END_PUNCT
        if line.hl >= 2 or (line.hl == 1 and i > 0):
            flags[i] = L <= 60
            continue
        if _BARE_NUM_RE.match(t):
            flags[i] = t not in ("0", "00")
            continue
        if t.startswith("【") and t.endswith("】") and L <= 20:
            flags[i] = True
            continue
        if bold:
            if i == 0 and L > 20 and not _NUMBERED_RE.match(t):
                continue
            if t[-1] in "，,、；;" or (not prose_page and t[-1] in "！!。"):
                continue
            if L <= 30 and not (t.endswith("。") and L > 15) and t.count("，") <= 2:
                flags[i] = True
            elif L <= 45 and "。" not in t and t.count("，") <= 2 and not ends:
                flags[i] = True
            continue
        if _NUMBERED_RE.match(t) and L <= 30 and not t.endswith("。") and (
                L <= 15 or lens[i + 1] > L or _NUMBERED_RE.match(nxt.text.strip())):
            # a numbered line heads what follows: longer text or its own numbered sub-heading; one
            # ending like a list item ("（三）国有企业管理人员；") or a list's lead-in ("…进行监察：") does not
            flags[i] = not (t[-1] in _LIST_ITEM_END or (t[-1] in "：:" and L > LIST_LEAD_IN_MIN))
            continue
        if line.center and L <= 25 and not ends and nxt is not None and lens[i + 1] >= 40:
            flags[i] = True
            continue
        if prose_page and L <= 28 and (not ends or t[-1] in "？?") and prv is not None and nxt is not None:
            if lens[i + 1] >= 30 and prv.text.strip()[-1:] in "。！？!?”\"）)…" and not t.endswith("。"):
                flags[i] = True
    # A page that numbers its sections ("1", "01", "一、") uses bold only for emphasis.
    numbered = [i for i, f in enumerate(flags) if f and (_BARE_NUM_RE.match(lines[i].text.strip())
                                                        or _NUMBERED_RE.match(lines[i].text.strip()))]
    if len(numbered) >= 2:
        for i, f in enumerate(flags):
            if f and i not in numbered and lines[i].hl == 0:
                t = lines[i].text.strip()
                if t[-1] in _END_PUNCT + "”\"" or "，" in t:
                    flags[i] = False
    return flags


def build_sections(texts: list[str], flags: list[bool]) -> list[dict]:
    sections: list[dict] = []
    cur = {"heading": None, "paragraphs": []}
    for t, h in zip(texts, flags):
        if h:
            if cur["heading"] is not None or cur["paragraphs"]:
                sections.append(cur)
            cur = {"heading": t, "paragraphs": []}
        else:
            cur["paragraphs"].append(t)
    if cur["heading"] is not None or cur["paragraphs"]:
        sections.append(cur)
    return sections


def extract_sections(lines: list[Line], title: str | None = None, trace=None) -> tuple[list[dict], list[bool]]:
    """(sections, heading flag per line) of the body lines."""
    flags = heading_flags(lines, title)
    if trace is not None:
        for line, f in zip(lines, flags):
            if f:
                trace.add("sections", line.text, "structure", 1.0, "sub-heading")
    return build_sections([l.text for l in lines], flags), flags
