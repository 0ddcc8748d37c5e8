"""extract_bylines: 来源 / 作者 / 责任编辑, chosen from candidates found all over the page.

Candidates, each with a rank (lower is better): labelled values in the header lines between the
headline and the text (rank 0), id/class slots such as #source_baidu (1), the unlabelled outlet
beside the date (1, outlet_slot.py), bylines in the header (1), credit lines taken out of the text (2), trailing
（来源：…） notes (2), labels under the text (3), bylines in the text (3), a dateline's reporters (4),
trailing credits (5), a standalone （袁源） (6); the hidden metadata only when nothing visible
names a source. A site rule overrides all of them. With a `Trace` every candidate is recorded.
"""
from __future__ import annotations

import re

from . import bylines as by
from . import dates as dt
from .dom import norm_ws, text_of
from .dom import text_key as _key
from .outlet_slot import site_host, slot_source
from .rules import select_text
from .vocab import DATELINE_PARAGRAPHS


def _site_names(meta) -> set[str]:
    names = set()
    for v in (meta.get("og:site_name", "application-name", "sitename", "site_name"),):
        if v:
            names.add(_key(v))
    if meta.title_tag:
        parts = re.split(r"\s*[_|\-–—｜]+\s*", meta.title_tag)
        if len(parts) > 1:
            for p in parts[1:]:
                if p:
                    names.add(_key(p))
    return names


class Credits:
    """Candidate values of source/author/editor with their origin and rank (lower ranks first)."""

    def __init__(self):
        self.source: list[tuple[str, str, int]] = []  # (value, method, rank)
        self.author: list[tuple[list[str], str, int]] = []
        self.editor: list[tuple[str, str, int]] = []

    def labels(self, text: str, method: str, rank: int):
        labs = by.parse_labels(text)
        if not any(k == "editor" for k, _l, _v in labs):
            ed = by.editor_credit(text) if len(text) <= 40 else None
            if ed:
                self.editor.append((ed, method, rank * 10 + 1))
        for kind, lab, value in labs:
            if kind == "source":
                v = by.clean_source(value)
                if v:
                    self.source.append((v, method, rank))
            elif kind == "author":
                names = by.clean_people(value)
                if lab in ("作者",) and not names:
                    # an explicit placeholder (作者：未知) blocks weaker author evidence? no: just skip it
                    continue
                if names:
                    self.author.append((names, method, rank if lab == "作者" else rank + 1))
            elif kind == "editor":
                v = by.clean_editor(value)
                if v:
                    r = {"责任编辑": 0, "责编": 0, "值班编辑": 1, "本文编辑": 1}.get(lab, 2)
                    self.editor.append((v, method, rank * 10 + r))


_TRAILING_SOURCE_RE = re.compile(r"[（(]\s*(?:本文)?(?:来源|稿件来源|信息来源|转自|来自)\s*[:：]\s*([^（）()]{2,24})[）)]\s*$")


_STRUCT_IDS = {"source": ("source_baidu", "source", "ly", "laiyuan", "articlesource", "media_name"),
               "author": ("author_baidu",),
               "editor": ("editor_baidu",)}


def _structural_fields(region, fields: Credits) -> None:
    """Baidu-style #pubtime_baidu/#source_baidu/#author_baidu and Tencent-like span.a_source slots."""
    seen = set()
    cands = []
    for l in region:
        el, depth = l.el, 0
        while el is not None and depth < 3:
            if el not in seen:
                seen.add(el)
                cands.append(el)
            el = el.getparent()
            depth += 1
        if len(l.el) <= 30:
            for d in l.el.iterdescendants():
                if d not in seen and isinstance(d.tag, str):
                    seen.add(d)
                    cands.append(d)
    for el in cands:
        ident = (el.get("id") or "").lower()
        cls = (el.get("class") or "").lower()
        if not ident and not cls:
            continue
        for kind, names in _STRUCT_IDS.items():
            if ident in names or (kind == "source" and re.search(r"(?:^|\s)(?:a_source|source|article-source|ly)(?:$|\s)", cls)):
                t = norm_ws(text_of(el))
                if not t or len(t) > 60:
                    continue
                labs = by.parse_labels(t)
                if labs:
                    fields.labels(t, "structure", 1)
                elif kind == "source":
                    v = by.clean_source(t)
                    if v and not dt.find_dates(t) and not re.search(r"[:：]", t):
                        fields.source.append((v, "structure", 1))
                elif kind == "author":
                    names = by.clean_people(t)
                    if names:
                        fields.author.append((names, "structure", 1))
                elif kind == "editor":
                    v = by.clean_editor(t)
                    if v:
                        fields.editor.append((v, "structure", 1))


def _strip_label(v: str) -> str:
    """A rule matched "审核：王刚": drop a short leading label of any kind."""
    return re.sub(r"^[^\s:：|]{1,6}\s*[:：|｜]\s*", "", v.strip())


def _rule_value(doc, rules, field: str, clean, extraction):
    """A site rule's value for a byline field: the labelled value inside the selected text (or
    the text without a short leading label), cleaned; None when the rule is absent or empty."""
    if not rules.get(field):
        return None
    v = select_text(doc, rules[field])
    if not v:
        return None
    labs = by.parse_labels(v)
    value = clean(next((x for k, _l, x in labs if k == field), None) or _strip_label(v))
    if value:
        extraction[field] = "rule"
    return value or None


def _resolve_fields(fields: Credits, rules, doc, meta, extraction):
    source = _rule_value(doc, rules, "source", by.clean_source, extraction)
    if source is None and fields.source:
        ordered = sorted(fields.source, key=lambda x: x[2])
        good = [x for x in ordered if not by.is_generic_source(x[0])]
        pick = (good or ordered)[0]
        source = pick[0]
        extraction["source"] = pick[1]
    if source is None:
        v = meta.get("contentsource", "source") or meta.enp.get("source")
        if v:
            source = by.clean_source(v)
            if source:
                extraction["source"] = "meta"
    names = _rule_value(doc, rules, "author", by.clean_people, extraction)
    author = " ".join(names) if names else None
    if author is None and fields.author:
        pick = sorted(fields.author, key=lambda x: x[2])[0]
        author = " ".join(pick[0])
        extraction["author"] = pick[1]
    editor = _rule_value(doc, rules, "editor", by.clean_editor, extraction)
    if editor is None and fields.editor:
        pick = sorted(fields.editor, key=lambda x: x[2])[0]
        editor = pick[0]
        extraction["editor"] = pick[1]
    return source, author, editor


def extract_bylines(lines, header, footer, removed, kept, fields: Credits, meta, rules, doc, extraction,
                    fetched_at, trace=None, url: str = ""):
    """(source, author, editor): adds the candidates of the header, footer, removed credit lines
    and the text's first and last paragraphs to `fields` (which holds those found while the body
    was read) and picks the best of each."""
    for i in header:
        fields.labels(lines[i].text, "text", 0)
    _structural_fields([lines[i] for i in header] + [lines[i] for i in footer[:10]], fields)
    slot = slot_source(lines, header, _site_names(meta), fetched_at, site_host(doc, url, meta.canonical))
    if slot:
        fields.source.append((slot, "text", 1))
    for l in removed:
        fields.labels(l.text, "text", 2)
    for i in footer:
        if len(lines[i].text) <= 120:
            fields.labels(lines[i].text, "text", 3)
    for i in header:
        ba = by.byline_author(lines[i].text)
        if ba:
            fields.author.append((ba, "text", 1))
    if kept:
        # the dateline opens the text, though a caption, a standfirst or a teaser may come first
        da = next((x for x in (by.dateline_author(l.text) for l in kept[:DATELINE_PARAGRAPHS]) if x), None)
        if da:
            fields.author.append((da, "text", 4))
        for l in kept[-2:]:
            ta = by.trailing_author(l.text, last=l is kept[-1])
            if ta:
                fields.author.append((ta, "text", 5))
            m = _TRAILING_SOURCE_RE.search(l.text)
            if m and by.clean_source(m.group(1)):
                fields.source.append((by.clean_source(m.group(1)), "text", 2))
    source, author, editor = _resolve_fields(fields, rules, doc, meta, extraction)
    if trace is not None:
        for v, method, rank in fields.source:
            trace.add("source", v, method, -rank - (5 if by.is_generic_source(v) else 0))
        for names, method, rank in fields.author:
            trace.add("author", " ".join(names), method, -rank)
        for v, method, rank in fields.editor:
            trace.add("editor", v, method, -rank)
    return source, author, editor
