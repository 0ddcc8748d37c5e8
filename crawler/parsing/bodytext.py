"""extract_body: the article's text lines, out of the lines of the block the text was drawn from.

The block (body.py chose it) holds more than the text: the repeated headline, credit and source
lines, boilerplate, keyword soups, link lines, related-headline teasers, vertical labels. Each
is set aside here; credit and boilerplate lines go to `removed` (parsed for labels by credits.py)
and bylines met on the way are added to the byline candidates. An editor's credit after enough
text closes it: later lines are read for credits only.

    kept, removed = extract_body(lines, range(first, last + 1), in_block, header, block, junk,
                                 related, title, block_lines, credits)
"""
from __future__ import annotations

import re
from dataclasses import replace

from . import bylines as by
from .article import teaser_summaries
from .body import in_blocks, in_junk, is_boilerplate, is_keyword_soup, is_link_line
from .dom import text_key as _key
from .vocab import TEXT_BEFORE_END_CREDIT, VERTICAL_LABEL_RUN

_TITLE_REPEAT_MIN = 6  # a bold fragment of the headline this long at the top of the text is a repeat


def extract_body(lines, span, in_c, header_set, container, junk, related, title: str, block_lines, fields):
    """(kept, removed): the text lines among lines[i] for i in `span` that lie in the block
    (`in_c`), outside the header, junk boxes and related blocks; `fields` (a credits.Credits)
    receives the bylines found in the text."""
    title_key = _key(title)
    kept = []
    removed = []  # lines removed as credits (parsed for labels)
    ended = False  # an editor's credit closed the text: later lines are read for credits only
    for i in span:
        if not in_c[i] or i in header_set:
            continue
        l = lines[i]
        t = strip_trailing_ui(l.text)
        if t is not l.text:
            removed.append(l)
            l = _retext(l, t)
        if in_junk(l.el, container, junk) or (related and in_blocks(l.el, related)):
            continue
        if abs(len(t) - len(title)) <= 8 or (not kept and len(t) <= len(title)):
            k = _key(t)
            if k == title_key:
                continue
            if not kept and len(k) >= _TITLE_REPEAT_MIN and k in title_key and l.bold >= l.n * 0.5:
                continue
        if is_keyword_soup(t):
            continue
        if is_boilerplate(t):
            removed.append(l)
            continue
        if _is_credit_line(t):
            removed.append(l)
            ended = ended or _ends_text(t, kept)
            continue
        if ended:
            continue
        if is_link_line(l) and not re.search(r"[。！？]", t):
            continue
        if re.search(r"电\s*题[:：]", t) and len(t) < 120:
            removed.append(l)
            continue
        ba = by.byline_author(t)
        if ba:
            fields.author.append((ba, "text", 3))
            removed.append(l)
            continue
        kept.append(l)
    kept = _drop_vertical_labels(kept)
    teasers = teaser_summaries(block_lines)
    if teasers:
        kept = [l for l in kept if id(l) not in teasers]
    # a standalone trailing "（袁源）" credit
    if kept and len(kept) > 2:
        ta = by.trailing_author(kept[-1].text, standalone_ok=True)
        if ta and len(kept[-1].text) <= 12:
            fields.author.append((ta, "text", 6))
            kept.pop()
    return kept, removed


def _ends_text(t: str, kept) -> bool:
    """An editor's credit after the text ("责任编辑：于文凯") closes it: what follows in the block
    (tags, related lists, comments) is not the article, whatever the block's markup."""
    if sum(l.n for l in kept) < TEXT_BEFORE_END_CREDIT or not by.editor_credit(t):
        return False
    return True


def _drop_vertical_labels(kept):
    """A label set one character per line ("今/日/推/荐" in a table column) is not text."""
    out, run = [], []
    for l in kept + [None]:
        if l is not None and l.n == 1:
            run.append(l)
            continue
        if len(run) < VERTICAL_LABEL_RUN:
            out.extend(run)
        run = []
        if l is not None:
            out.append(l)
    return out


def _retext(line, text):
    return replace(line, text=text)


_CREDIT_START_RE = re.compile(
    r"^[\s(（\[【<〔]*(?:本文|文章|稿件|信息|新闻|内容)?(?:来源|出处|责任编辑|责编|编辑|作者|撰文|撰稿|记者|采写|执笔|校对|审核|审校|监制|"
    r"摄影|排版|美编|通讯员|供稿|编审|终审|初审|复审|值班编辑|策划|统筹|图片|视频|主编)\s*[:：|｜丨/]")
_CREDIT_ANY_RE = re.compile(r"[(（\[【]\s*(?:本文)?(?:来源|责任编辑|责编|编辑|作者)\s*[:：|｜丨]")


_TRAILING_UI_RE = re.compile(r"\s*(?:返回[^，。！？\s]{0,10}首页\s*[>》]*|返回[^，。！？\s]{1,8}[，,]\s*查看更多|【?\s*纠错\s*】|【责任编辑[:：][^】]{0,12}】)\s*$")


def strip_trailing_ui(t: str) -> str:
    """"…仍将持续。返回腾讯网首页>>": a UI link glued to the last paragraph."""
    m = _TRAILING_UI_RE.search(t)
    if m and m.start() >= 10:
        return t[:m.start()].rstrip()
    return t


def _is_credit_line(t: str) -> bool:
    t = re.sub(r"^[□■●◆◇▲△★☆○◎※•·\s]+", "", t)
    if len(t) <= 40 and not re.search(r"[。，！？；]", t) and by.parse_labels(t):
        return True
    if len(t) <= 120 and _CREDIT_START_RE.search(t):
        return True
    if len(t) <= 60 and _CREDIT_ANY_RE.search(t):
        return True
    if len(t) <= 40 and re.match(r"^[\s(（]*(?:来源于|信息来源于|来源)\S", t):
        return True
    if len(t) <= 30 and re.match(r"^(?:作者|编辑|来源|责编)\s+\S", t):
        return True
    if len(t) <= 40 and by.editor_credit(t) and re.match(r"^[（(\[【]", t):
        return True
    return False
