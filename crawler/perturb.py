"""Rewrite a page's template but keep its visible text: what `parknews eval --perturb` scores.

A parser that truly reads the page scores the same on the rewritten page; one that keys on a class
name, on `<h1>` or on where the meta line sits does not. Each rewrite is one KIND:

- attrs:      every class and id attribute removed;
- h1:         each `<h1>` turned into a `<div>` styled to look like one;
- meta_table: the meta line (the short line with date/来源/作者 labels after the headline) moved into
              a `<table><tr><td>` of an old table layout;
- whitespace: runs of white space changed (newlines to tabs and spaces, spaces to `&nbsp;`, `&nbsp;`
              to spaces);
- meta_order: the items of the meta line reordered (last first).

    from crawler.perturb import perturb_page, KINDS
    new = perturb_page(body, ("h1", "attrs"), title="主标题")   # new.body, new.applied

Pure (bytes in, bytes out; no Scrapy, no DB). The bytes keep the page's encoding: a GBK page stays GBK
(characters GBK cannot hold become character references), a UTF-8 page stays UTF-8. `title` (the
truth's headline) helps find the headline on pages without an `<h1>`; without it such a page keeps its
meta line as it is (that kind is then not in `applied`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from crawler.parsing.dom import squashed as _norm, without_stray_end
from crawler.parsing.encoding import decode_body

KINDS = ("attrs", "h1", "meta_table", "whitespace", "meta_order")

# What makes a line the meta line: a label or a date, in a short element after the headline.
META_LABELS = ("来源", "信息来源", "文章来源", "本文来源", "稿源", "出处", "来自", "作者", "记者", "撰稿", "编辑",
               "责任编辑", "责编", "发布", "发布时间", "发布日期", "发表时间", "时间", "日期", "更新时间", "浏览",
               "点击", "浏览次数", "点击数")
# a label starts a word: not inside a longer word (推荐阅读：, 中文：)
_LABEL_RE = re.compile(r"(?<![\u4e00-\u9fff])(?:%s)\s*[:：]"
                       % "|".join(sorted(map(re.escape, META_LABELS), key=len, reverse=True)))
_DATE_RE = re.compile(r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
META_MAX_CHARS = 160        # longer elements are body text or page chrome, not a meta line
META_DATE_ONLY_MAX_CHARS = 40  # a line with a date and no label is the meta line only when short
META_SEARCH_ELEMENTS = 80   # how many elements after the headline are searched
TITLE_SLACK_CHARS = 20      # a headline element may hold this much more text than the title
H1_STYLE = "font-size:2em;font-weight:bold;margin:0.67em 0;display:block"

# raw-text elements (their content is not page text) and those whose white space is meaningful
_SKIP = {"script", "style", "textarea", "pre", "noscript", "template", "iframe", "xmp", "noembed", "noframes"}
_NOT_SHOWN = "ancestor::script or ancestor::style or ancestor::iframe or ancestor::noembed or ancestor::noframes"
_INLINE = {"a", "span", "font", "b", "strong", "em", "i", "u", "small", "big", "label", "time", "cite", "abbr"}
_PARSER = etree.HTMLParser(remove_comments=False, recover=True, default_doctype=False)


@dataclass
class Perturbed:
    body: bytes
    applied: tuple[str, ...]   # the kinds that changed something on this page


def _text(el) -> str:
    return "".join(el.xpath(f".//text()[not({_NOT_SHOWN})]"))


def visible_text(body: bytes) -> str:
    """The page's text outside script/style/iframe, white space removed (what a perturbation must keep)."""
    text, _codec, _w = decode_body(body)
    doc = etree.fromstring(without_stray_end(_strip_xml_decl(text)), _PARSER)
    return "" if doc is None else _norm(_text(doc))


def _strip_xml_decl(text: str) -> str:
    return re.sub(r"^\s*<\?xml[^>]*>", "", text)


def _hits(text: str) -> int:
    return len(_LABEL_RE.findall(text)) + len(_DATE_RE.findall(text))


def _elements(doc):
    return (e for e in doc.iter() if isinstance(e.tag, str) and e.tag not in _SKIP)


def find_headline(doc, title: str | None = None):
    """The first non-empty `<h1>`; else the smallest element whose text is (about) the title."""
    for h in doc.iter("h1"):
        if _norm(_text(h)):
            return h
    want = _norm(title or "")
    if not want:
        return None
    best = None
    for e in _elements(doc):
        if e.tag in ("html", "head", "title", "body", "meta"):
            continue
        t = _norm(_text(e))
        if want in t and len(t) <= len(want) + TITLE_SLACK_CHARS:
            if best is None or len(t) <= len(_norm(_text(best))):
                best = e
    return best


def find_meta_line(doc, headline):
    """The smallest element after the headline that holds the whole meta line, or None."""
    if headline is None:
        return None
    found = None
    for n, e in enumerate(headline.xpath("following::*")):
        if n >= META_SEARCH_ELEMENTS:
            break
        if not isinstance(e.tag, str) or e.tag in _SKIP or e.xpath("ancestor::script|ancestor::style"):
            continue
        t = _norm(_text(e))
        if not t or len(t) > META_MAX_CHARS:
            continue
        labels = len(_LABEL_RE.findall(t))
        if not _hits(t) or (not labels and len(t) > META_DATE_ONLY_MAX_CHARS):
            continue
        if len(_LABEL_RE.sub("", t)) >= 4:
            found = e
            break
    if found is None:
        return None
    while True:  # descend to the smallest element holding the whole line
        whole = _norm(_text(found))
        inner = [c for c in found if isinstance(c.tag, str) and _norm(_text(c)) == whole]
        if not inner:
            break
        found = inner[0]
    # an inline element alone in its block: the block is the line
    while found.tag in _INLINE and found.getparent() is not None \
            and _norm(_text(found.getparent())) == _norm(_text(found)):
        found = found.getparent()
    return found


# --- the rewrites; each returns True when it changed the tree ---------------------------------

def strip_attrs(doc) -> bool:
    changed = False
    for e in doc.iter():
        if isinstance(e.tag, str):
            for a in ("class", "id"):
                if a in e.attrib:
                    del e.attrib[a]
                    changed = True
    return changed


def h1_to_div(doc) -> bool:
    changed = False
    for h in list(doc.iter("h1")):
        h.tag = "div"
        style = h.get("style", "").strip().rstrip(";")
        h.set("style", f"{style};{H1_STYLE}" if style else H1_STYLE)
        changed = True
    return changed


def meta_to_table(meta) -> bool:
    """Move the meta line's content into <table><tr><td> in place of its element."""
    if meta is None or meta.getparent() is None:
        return False
    table = etree.Element("table", {"width": "100%", "border": "0", "cellspacing": "0", "cellpadding": "0"})
    td = etree.SubElement(etree.SubElement(table, "tr"), "td", {"align": "center"})
    td.text = meta.text
    for child in list(meta):
        td.append(child)
    table.tail = meta.tail
    meta.getparent().replace(meta, table)
    return True


def _starts_item(text: str) -> bool:
    return bool(_LABEL_RE.match(text) or _DATE_RE.match(text))


def _has_item(tokens) -> bool:
    t = _norm(_tokens_text(tokens))
    return bool(t) and not _LABEL_RE.fullmatch(t)   # a bare label waits for its value


ITEM_SEPARATORS = "|｜丨"
_WORD_START = re.compile(r"(?:(?<=[\s%s])|^)(?=[^\s%s])" % (ITEM_SEPARATORS, ITEM_SEPARATORS))


def _after_label(text: str) -> bool:
    return text.rstrip().endswith((":", "："))


def _split_items(meta) -> list[list]:
    """Take the meta line apart into items, each a list of tokens: text, or an element (tail cut off).
    An item starts where a label or a date starts, or at an element set apart by white space, once
    the item before it holds a value (and does not end in a label waiting for one)."""
    tokens: list = [meta.text or ""]
    for c in list(meta):
        tail = c.tail or ""
        c.tail = None
        meta.remove(c)
        tokens += [c, tail]
    items: list[list] = [[]]
    for tok in tokens:
        if not isinstance(tok, str):
            cur = _tokens_text(items[-1])
            # an element starts an item with a label or a date, or apart from the text before it
            apart = _starts_item(_text(tok).strip()) or (cur and cur[-1] in f" \t\r\n\xa0\u3000{ITEM_SEPARATORS}")
            if apart and _has_item(items[-1]) and not _after_label(cur):
                items.append([])
            items[-1].append(tok)
            continue
        pos = 0
        for m in _WORD_START.finditer(tok):
            p = m.start()
            if p > pos or p == 0:
                before = items[-1] + [tok[pos:p]]
                if _starts_item(tok[p:]) and _has_item(before) and not _after_label(_tokens_text(before)):
                    items[-1].append(tok[pos:p])
                    items.append([])
                    pos = p
        items[-1].append(tok[pos:])
    return items


def _tokens_text(tokens) -> str:
    return "".join(t if isinstance(t, str) else _text(t) for t in tokens)


def _ends_with_space(tokens) -> bool:
    text = _tokens_text(tokens)
    return not text or text[-1].isspace()


def reorder_meta(meta) -> bool:
    """Reverse the order of the meta line's items (a leading run with no item stays first)."""
    if meta is None:
        return False
    items = _split_items(meta)
    lead = [] if items and items[0] and _hits(_norm(_tokens_text(items[0]))) else items.pop(0) if items else []
    body = [it for it in items if it]
    new = lead + [tok for it in _reversed_spaced(body) for tok in it]
    changed = len([it for it in body if _norm(_tokens_text(it))]) >= 2
    meta.text = None
    last = None
    for tok in new:
        if isinstance(tok, str):
            if last is None:
                meta.text = (meta.text or "") + tok
            else:
                last.tail = (last.tail or "") + tok
        else:
            meta.append(tok)
            last = tok
    return changed


def _reversed_spaced(items):
    """The items last first, each but the new last one ending in white space (so none run together)."""
    out = [list(it) for it in reversed(items)]
    for it in out[:-1]:
        if not _ends_with_space(it):
            it.append("\u3000")
    return out


_WS_RUN = re.compile(r"[ \t\r\n\f\xa0]+")


def _swap_ws(m) -> str:
    run = m.group(0)
    if "\n" in run or "\r" in run:
        return "\t \t"
    if set(run) == {"\xa0"}:
        return " " * len(run)
    return "\xa0" * len(run)


def change_whitespace(doc) -> bool:
    changed = False
    for e in doc.iter():
        if not isinstance(e.tag, str) or e.tag in _SKIP:
            # the tail of a skipped element is outside it
            if e.tail and e.getparent() is not None and e.getparent().tag not in _SKIP:
                new = _WS_RUN.sub(_swap_ws, e.tail)
                changed |= new != e.tail
                e.tail = new
            continue
        if any(a.tag in _SKIP for a in e.iterancestors()):
            continue
        for attr in ("text", "tail"):
            v = getattr(e, attr)
            if attr == "tail" and (e.getparent() is None or e.getparent().tag in _SKIP):
                continue
            if v:
                new = _WS_RUN.sub(_swap_ws, v)
                if new != v:
                    setattr(e, attr, new)
                    changed = True
    return changed


# --- bytes in, bytes out ----------------------------------------------------------------------

def _encode(text: str, codec: str, bom: bytes) -> bytes:
    if codec == "gb18030":
        codec = "gbk"  # a GB page stays GB bytes; what GBK cannot hold becomes &#NNNN;
    return bom + text.encode(codec, errors="xmlcharrefreplace")


def perturb_page(body: bytes, kinds=KINDS, title: str | None = None) -> Perturbed:
    """Apply the rewrites `kinds` (in KINDS order) to one page; unknown kinds raise ValueError."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown perturbation {', '.join(sorted(unknown))} (one of {', '.join(KINDS)})")
    text, codec, _w = decode_body(body)
    bom = b"\xef\xbb\xbf" if body.startswith(b"\xef\xbb\xbf") and codec == "utf-8" else b""
    doc = etree.fromstring(without_stray_end(_strip_xml_decl(text)), _PARSER)
    if doc is None:
        return Perturbed(body, ())
    tree = doc.getroottree()
    headline = find_headline(doc, title)
    meta = find_meta_line(doc, headline)
    applied = []
    # the meta line's items first (they are found by their text), then its place, then the rest
    if "meta_order" in kinds and reorder_meta(meta):
        applied.append("meta_order")
    if "meta_table" in kinds and meta_to_table(meta):
        applied.append("meta_table")
    if "h1" in kinds and h1_to_div(doc):
        applied.append("h1")
    if "whitespace" in kinds and change_whitespace(doc):
        applied.append("whitespace")
    if "attrs" in kinds and strip_attrs(doc):
        applied.append("attrs")
    if not applied:
        return Perturbed(body, ())
    out = etree.tostring(doc, method="html", encoding="unicode")
    if not re.match(r"\s*(?:<!--.*?-->\s*)*(?:<!doctype[^>]*>\s*)?<html", text, re.I | re.S):
        # a fragment (e.g. a <text title=…> wrapper): drop the <html><body> libxml2 put around it
        m = re.fullmatch(r"<html><body>(.*)</body></html>", out, re.S)
        out = m.group(1) if m else out
    doctype = tree.docinfo.doctype
    if doctype:
        out = doctype + "\n" + out
    return Perturbed(_encode(out, codec, bom), tuple(k for k in KINDS if k in applied))
