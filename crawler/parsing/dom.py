"""One lxml tree per page, hidden/noise elements removed, flattened into visual lines.

A *line* is the text between two block boundaries (block elements and <br>), with the facts the
later passes need: its owning block element, how much of it is link text or bold, heading level,
centring, and whether an image came right before it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from lxml import etree

from .vocab import DEEP_NESTING_LIMIT, DEEP_WRAPPER_TAGS, LXML_HUGE_TREE, STRAY_END_TAIL

BLOCK_TAGS = frozenset("""p div section article main li ul ol dl dt dd h1 h2 h3 h4 h5 h6 table tbody thead tfoot
tr td th blockquote pre figure figcaption header footer center form aside nav hr caption address text body
html fieldset legend details summary""".split())
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "select",
             "textarea", "button", "input", "audio", "video", "head", "map", "frameset", "frame", "link", "meta",
             "option", "datalist", "title")
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none", re.I)
_BOLD_STYLE_RE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)
_CENTER_STYLE_RE = re.compile(r"text-align\s*:\s*center", re.I)
_HCLASS_RE = re.compile(r"(?:^|[\s_-])h([1-6])(?:$|[\s_-])|bjh-h([1-6])", re.I)
_WS_ANY_RE = re.compile(r"\s+")
_WS_RE = re.compile(r"[\s\u3000\xa0\u200b\u200c\u200d\ufeff]+")
_IMG_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-url", "data-actualsrc", "original", "src")


_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "『": '"', "』": '"'})


def squashed(s: str | None) -> str:
    """NFKC with no white space at all: text compared whatever its spacing and full-width forms."""
    return _WS_ANY_RE.sub("", unicodedata.normalize("NFKC", s or ""))


def text_key(s: str) -> str:
    """A comparison key: squashed, curly quotes as straight ones."""
    return squashed(s).translate(_QUOTES)


def norm_ws(s: str) -> str:
    return _WS_RE.sub(" ", s or "").strip()


@dataclass(eq=False)
class Line:
    text: str
    el: etree._Element
    idx: int = 0
    link: int = 0
    bold: int = 0
    hl: int = 0
    center: bool = False
    after_img: bool = False
    imgs: list = field(default_factory=list)  # <img> elements just before this line
    n: int = -1  # len(text), set on creation

    def __post_init__(self):
        self.n = len(self.text)


_BYTE_PARSERS: dict = {}


def parse_html(text: str, raw: bytes | None = None, codec: str | None = None) -> etree._Element:
    """Parse decoded text; when the bytes decoded cleanly as `codec`, libxml2 parses the raw bytes
    with that encoding forced (same tree, faster than parsing a Python str)."""
    if _stray_end(raw if raw is not None else text):
        # a header include's own </body></html> mid-page: libxml2 drops all that follows it
        text, raw = _END_TAGS_RE.sub("", text), None
    if raw is not None and codec in ("utf-8", "gb18030") and not raw.startswith(b"\xef\xbb\xbf"):
        parser = _BYTE_PARSERS.get(codec)
        if parser is None:
            parser = _BYTE_PARSERS[codec] = etree.HTMLParser(
                encoding=codec, remove_comments=False, remove_pis=True, recover=True, default_doctype=False,
                huge_tree=LXML_HUGE_TREE)
        try:
            doc = etree.fromstring(raw, parser)
        except (etree.ParserError, ValueError, LookupError):
            doc = None
        if doc is not None and not _too_deep(parser):
            return doc
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    if not text.strip():
        raise ValueError("empty document")
    doc = etree.fromstring(text, _PARSER)
    if doc is not None and _too_deep(_PARSER):
        # libxml2 drops everything below its hard depth limit (2048 even with huge_tree): parse
        # again without the wrapper tags that pile up (unclosed <font>, <div>), keeping their text
        doc = etree.fromstring(_WRAPPER_TAG_RE.sub("", text), _PARSER)
    if doc is None:
        raise ValueError("no document")
    return doc


_END_TAGS_RE = re.compile(r"</(?:body|html)\s*>", re.I)
_HTML_END_RE = re.compile(r"</html\s*>", re.I)
_HTML_END_B_RE = re.compile(rb"</html\s*>", re.I)
_BLOCK_START_RE = re.compile(r"<(?:div|p|table|article|section)[\s>]", re.I)
_BLOCK_START_B_RE = re.compile(rb"<(?:div|p|table|article|section)[\s>]", re.I)


def without_stray_end(text: str) -> str:
    """The page text without its end tags when a stray </html> (a header include's) sits mid-page."""
    return _END_TAGS_RE.sub("", text) if _stray_end(text) else text


def _stray_end(doc) -> bool:
    """Does page content (blocks, STRAY_END_TAIL bytes or more) follow the first </html>?"""
    is_bytes = isinstance(doc, bytes)
    m = (_HTML_END_B_RE if is_bytes else _HTML_END_RE).search(doc)
    if m is None or len(doc) - m.end() < STRAY_END_TAIL:
        return False
    return bool((_BLOCK_START_B_RE if is_bytes else _BLOCK_START_RE).search(doc, m.end()))


_WRAPPER_TAG_RE = re.compile(r"</?(?:" + "|".join(DEEP_WRAPPER_TAGS) + r")(?:\s[^>]*)?>", re.I)


def _too_deep(parser) -> bool:
    return any(e.type_name == "ERR_RESOURCE_LIMIT" and "depth" in e.message for e in parser.error_log)


_PARSER = etree.HTMLParser(remove_comments=False, remove_pis=True, recover=True, default_doctype=False,
                           huge_tree=LXML_HUGE_TREE)


def text_of(el) -> str:
    """The string value of an element (comments excluded)."""
    return el.xpath("string()")


def is_hidden(el) -> bool:
    style = el.get("style")
    if style and _HIDDEN_STYLE_RE.search(style):
        return True
    if el.get("hidden") is not None:
        return True
    return False


_STYLED = etree.XPath("//*[@style or @hidden]")


def remove_keep_tail(el) -> None:
    """Remove an element from its tree, keeping the text that follows it (its tail)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def clean_tree(doc) -> None:
    """Drop scripts, styles, form controls and hidden elements (tails are kept)."""
    etree.strip_elements(doc, *DROP_TAGS, with_tail=False)
    hidden = [el for el in _STYLED(doc) if is_hidden(el)]
    for el in hidden:
        # a folded article body ("展开全文") is hidden by style but is still the article
        if len(text_of(el)) > 600:
            continue
        remove_keep_tail(el)


def img_src(img) -> str | None:
    for a in _IMG_ATTRS:
        v = img.get(a)
        if v and v.strip() and not v.strip().startswith("data:"):
            return v.strip()
    return None


# private-use code points (glyphs of old GB fonts, icon fonts): never text
_PUA_RE = re.compile("[\ue000-\uf8ff]")
_HEAD_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _Builder:
    def __init__(self):
        self.lines: list[Line] = []
        self.buf: list[str] = []
        self.link = 0
        self.bold = 0
        self.hl = 0
        self.center = False
        self.owner = None
        self.has_text = False
        self.pending_imgs: list = []

    def add(self, text: str, link: bool, bold: bool, hl: int, center: bool, owner):
        if not text:
            return
        if not text.strip():
            if self.buf:
                self.buf.append(" ")
            return
        t = _WS_RE.sub(" ", text)
        if not self.has_text:
            self.owner = owner
            self.has_text = True
        self.buf.append(t)
        n = len(t.strip())
        if link:
            self.link += n
        if bold or hl:
            self.bold += n
        if hl and (not self.hl or hl < self.hl):
            self.hl = hl
        self.center = self.center or center

    def flush(self):
        if not self.buf:
            if self.center:
                self.center = False
            return
        text = "".join(self.buf)
        if _PUA_RE.search(text):
            text = _PUA_RE.sub("", text)
        text = norm_ws(text)
        if text:
            line = Line(text=text, el=self.owner, idx=len(self.lines), link=min(self.link, len(text)),
                        bold=min(self.bold, len(text)), hl=self.hl, center=self.center,
                        after_img=bool(self.pending_imgs), imgs=self.pending_imgs)
            self.lines.append(line)
            self.pending_imgs = []
        self.buf = []
        self.link = self.bold = self.hl = 0
        self.center = False
        self.owner = None
        self.has_text = False

    def walk(self, el, link=False, bold=False, hl=0, center=False, block_owner=None):
        tag = el.tag
        if tag.__class__ is not str:
            return
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            if img_src(el):
                self.pending_imgs.append(el)
            return
        is_block = tag in BLOCK_TAGS
        if is_block:
            self.flush()
            block_owner = el
            if tag in _HEAD_TAGS:
                hl = _HEAD_TAGS[tag]
            elif tag == "center":
                center = True
        elif tag == "a":
            link = True
        elif tag == "b" or tag == "strong":
            bold = True
        attrib = el.attrib
        if attrib:
            style = attrib.get("style")
            if style:
                if _BOLD_STYLE_RE.search(style):
                    bold = True
                if _CENTER_STYLE_RE.search(style):
                    center = True
            align = attrib.get("align")
            if align and align.lower() == "center":
                center = True
            cls = attrib.get("class")
            if cls and "bjh-h" in cls:
                m = _HCLASS_RE.search(cls)
                if m:
                    hl = int(m.group(1) or m.group(2))
        add = self.add  # it takes None and blank text (one space between runs) as they come
        add(el.text, link, bold, hl, center, block_owner)
        walk = self.walk
        for child in el:
            walk(child, link, bold, hl, center, block_owner)
            add(child.tail, link, bold, hl, center, block_owner)
        if is_block:
            self.flush()


def build_lines(root) -> list[Line]:
    b = _Builder()
    try:
        b.walk(root, block_owner=root)
    except RecursionError:
        # thousands of nested wrappers (unclosed <font>/<div> in old pages): unwrap the deep ones
        flatten_deep(root)
        b = _Builder()
        b.walk(root, block_owner=root)
    b.flush()
    return b.lines


_KEEP_DEEP = frozenset("p br img h1 h2 h3 h4 h5 h6 li td th tr table a".split())


def flatten_deep(root, limit: int = DEEP_NESTING_LIMIT) -> None:
    """Unwrap wrapper elements nested deeper than `limit` (their text and children stay in place)."""
    depth = {root: 0}
    deep = []
    for el in root.iterdescendants():
        d = depth[el.getparent()] + 1
        depth[el] = d
        if d > limit and isinstance(el.tag, str) and el.tag not in _KEEP_DEEP:
            deep.append(el)
    for el in reversed(deep):
        _unwrap(el)


def _unwrap(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    pos = parent.index(el)
    text, tail = el.text or "", el.tail or ""
    children = list(el)
    if pos > 0:
        prev = parent[pos - 1]
        prev.tail = (prev.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    if children:
        last = children[-1]
        last.tail = (last.tail or "") + tail
    elif pos > 0:
        parent[pos - 1].tail = (parent[pos - 1].tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(el)
    for i, c in enumerate(children):
        parent.insert(pos + i, c)
