"""The rule-free article parser: (url, headers, body bytes, fetched_at) -> Record.

Pipeline (one lxml tree, a handful of passes):
  decode bytes -> parse -> read hidden metadata -> drop hidden/noise elements -> flatten to lines
  -> body container -> title -> header/body/footer regions -> dates, bylines -> clean body lines
  -> sections, images. Optional per-site `rules` override single fields.

Modules (one job each; each field has one public extractor):
  encoding.py  bytes -> text (header/BOM/meta charset as hints, strict decodes, GB* as GB18030)
  dom.py       the lxml tree, hidden-element removal, flattening into `Line`s
  meta.py      <meta>, <title>, canonical, JSON-LD, china.com.cn enpproperty/enpcontent comments
  body.py      main-block scoring (maximum-subtree over line values), junk boxes, boilerplate lines
  bodytext.py  extract_body: the text lines of the chosen block (repeats, credits, boilerplate set aside)
  titles.py    extract_title: heading-like lines scored against <title>/og:title and the text
  dates.py     date shapes (regex first, dateparser fallback), labels, metadata and URL dates
  published.py extract_published_at: the date candidates of the whole page, best first
  bylines.py   来源/作者/责任编辑 labels, bylines, datelines, trailing credits, value cleaning
  credits.py   extract_bylines: source/author/editor candidates with ranks, the choice
  outlet_slot.py slot_source: the unlabelled outlet beside the date, read from the meta line's items
  sections.py  extract_sections: sub-heading detection and the sections structure
  article.py   is_article: own prose, link blocks, URL role -> keep or refuse with a reason
  images.py    body images (lazy attributes, absolute URLs) and captions
  rules.py     per-site CSS/XPath selectors
  vocab.py     labels, placeholders, chrome words and thresholds as named constants
  explain.py   Trace: the ranked candidates per field (parknews parse --explain)
A page region vocabulary is used throughout: the *header* is the lines between the headline and
the text (date/source/author line), the *footer* the lines right after the text (editor, source
notes), *removed* the credit and boilerplate lines taken out of the text (parsed for labels).
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Mapping
from urllib.parse import urljoin

from . import bylines as by
from . import dates as dt
from .article import is_article
from .body import (expand_container, inside, is_link_line, is_meta_line, junk_elements, line_value, pick_container,
                   related_blocks)
from .bodytext import extract_body
from .credits import Credits, extract_bylines
from .dom import build_lines, clean_tree, parse_html
from .dom import text_key as _key
from .encoding import decode_body
from .errors import NotAnArticle
from .explain import Trace
from .images import extract_images
from .attachments import find_attachments
from .keys import canonicalize_url, content_hash
from .meta import collect_meta, enpcontent_container
from .parks import with_parks
from .published import extract_published_at
from .record import Record
from .rules import apply_drop, select_element, select_text
from .sections import extract_sections
from .titles import extract_title

PARSER_VERSION = "2.1"

_DEBUG: dict | None = None  # set to a dict to collect intermediate values (development aid)
_HEADER_SPAN = 30
# a dated line wholly in brackets ("（2007年6月29日…会议通过）") is a note of the document, not the meta line
_BRACKETED_RE = re.compile(r"^\s*[（(][^（）()]*[）)]\s*$")
_FOOTER_SPAN = 40


def parse_page(url: str, headers: Mapping[str, str] | None, body: bytes, fetched_at: datetime, *,
               site: str | None = None, rules: dict | None = None, trace: Trace | None = None,
               later_page: bool = False) -> Record:
    """Parse one page. With a `Trace`, every extractor records its ranked candidates (--explain).
    `later_page`: page 2…n of an article (crawler/parsing/pages.py), kept however short its text
    (the article was judged on its first page)."""
    rules = rules or {}
    text, codec, warnings = decode_body(body, headers)
    clean = not any("no clean decoding" in w for w in warnings)
    try:
        doc = parse_html(text, body if clean else None, codec)
    except (ValueError, Exception) as e:  # lxml raises a few kinds on garbage
        raise NotAnArticle("empty", f"unparseable HTML: {e}") from None
    meta = collect_meta(doc, text)
    base_url = urljoin(url, meta.base) if meta.base else url
    clean_tree(doc)
    if rules.get("drop"):
        apply_drop(doc, rules.get("drop"))
    root = doc.find("body")
    if root is None:
        root = doc
    lines = build_lines(root)
    if not lines:
        raise NotAnArticle("empty", "no visible text")
    extraction: dict[str, str] = {}
    f_url_year = dt.url_year(url)

    # ---- body container ----
    container = None
    scores = None
    if rules.get("body"):
        container = select_element(doc, rules["body"])
        if container is not None:
            extraction["body"] = "rule"
    if container is None:
        container = enpcontent_container(doc)
        if container is not None and sum(l.n for l in lines if inside(l.el, container)) >= 20:
            extraction["body"] = "comment"
        else:
            container = None
    if container is None:
        best, _score, scores = pick_container(lines, root)
        container = expand_container(best, scores, root)
        if len(container) == 1:
            container = best
        extraction["body"] = "structure"
    in_c = [inside(l.el, container) for l in lines]
    junk = junk_elements([l for l, ok in zip(lines, in_c) if ok], container)
    related = related_blocks(lines)
    c_idx = [i for i, ok in enumerate(in_c) if ok]
    if not c_idx:
        raise NotAnArticle("no_body", "no text in the body container")
    c_first, c_last = c_idx[0], c_idx[-1]

    # ---- title ----
    title, title_idx, title_method = None, None, None
    if rules.get("title"):
        title = select_text(doc, rules["title"])
        if title:
            title_method = "rule"
            k = _key(title)
            for l in lines:
                if _key(l.text) == k:
                    title_idx = l.idx
                    break
    if not title:
        title, title_idx, title_method = extract_title(lines, c_first, c_last, container, meta, trace)
    if not title:
        raise NotAnArticle("no_title", "no headline found")
    if _STATIC_TITLE_RE.match(_key(title)) and not dt.url_date(url):
        raise NotAnArticle("static_page", title)
    title_key0 = _key(title)
    if extraction.get("body") == "structure" and title_idx is not None and scores is not None:
        # Prose between the headline and the chosen block (or a block above the headline) means the
        # winner is another article on the page (a recommendation feed): take the best block that
        # starts right under the headline instead.
        other_h1 = title_idx < c_first and any(
            lines[j].hl == 1 and _key(lines[j].text) != title_key0 for j in c_idx[:3])
        gap = any(not in_c[j] and line_value(lines[j]) > 30 for j in range(title_idx + 1, min(c_first, len(lines))))
        far = title_idx < c_first - 30 and getattr(extract_title, "last_sim", 0) >= 0.75
        if (gap and (other_h1 or far)) or title_idx > c_last:
            alt = _anchored_block(lines, scores, title_idx, root, container)
            if alt is not None:
                alt_list = expand_container(alt, scores, root)
                container = alt if len(alt_list) == 1 else alt_list
                in_c = [inside(l.el, container) for l in lines]
                junk = junk_elements([l for l, ok in zip(lines, in_c) if ok], container)
                c_idx = [i for i, ok in enumerate(in_c) if ok]
                c_first, c_last = c_idx[0], c_idx[-1]
    extraction["title"] = title_method
    title_key = _key(title)

    # ---- regions ----
    if title_idx is not None and title_idx < c_first and c_first - title_idx <= _HEADER_SPAN:
        header = list(range(title_idx + 1, c_first))
    elif title_idx is not None and title_idx < c_first:
        # a video box or a gallery between headline and text: the lines under the headline and
        # the lines right above the text
        header = sorted(set(range(title_idx + 1, title_idx + 16)) | set(range(c_first - 12, c_first)))
    elif title_idx is not None and c_first <= title_idx <= c_last:
        # the headline repeated at the top of the text: the lines between its first showing above
        # the text and the text are the header (the meta line sits between the two)
        first = next((l.idx for l in lines[max(0, c_first - _HEADER_SPAN):c_first] if _key(l.text) == title_key), None)
        header = list(range(first + 1, c_first)) if first is not None else []
    else:
        header = list(range(max(0, c_first - 12), c_first))
    body_start = c_first
    if title_idx is not None and c_first <= title_idx <= c_last:
        body_start = title_idx + 1
    # meta lines at the top of the container belong to the header
    i = body_start
    while i <= c_last and i - body_start < 8:
        l = lines[i]
        if not in_c[i]:
            i += 1
            continue
        if _key(l.text) == title_key or (is_meta_line(l.text) and (dt.find_dates(l.text) or by.parse_labels(l.text))
                                         and l.n <= 80 and "。" not in l.text) or (l.n <= 50 and not re.search(r"[。，]", l.text)
                                                            and not _BRACKETED_RE.match(l.text)
                                                            and dt.find_dates(l.text, fetched_at, allow_relative=False)):
            header.append(i)
            i += 1
            continue
        if is_link_line(l) or l.n < 6:
            i += 1
            continue
        break
    header_set = set(header)

    fields = Credits()

    # ---- body lines ----
    kept, removed = extract_body(lines, range(body_start, c_last + 1), in_c, header_set, container, junk, related,
                                 title, [lines[i] for i in c_idx], fields)
    footer = [i for i in range(c_last + 1, min(len(lines), c_last + 1 + _FOOTER_SPAN))]

    # ---- source / author / editor ----
    source, author, editor = extract_bylines(lines, header, footer, removed, kept, fields, meta, rules, doc,
                                             extraction, fetched_at, trace, url=url)
    if _DEBUG is not None:
        _DEBUG.update(header=[lines[i].text for i in header], removed=[l.text for l in removed],
                      footer=[lines[i].text for i in footer], source=fields.source, author=fields.author,
                      editor=fields.editor, title_idx=title_idx, c_first=c_first, c_last=c_last)
    if trace is not None:
        if scores is not None:
            for el, sc in sorted(scores.items(), key=lambda x: -x[1])[:8]:
                first = next((l.text for l in lines if inside(l.el, el)), "")
                trace.add("body", f"<{el.tag}{' class=' + repr(el.get('class')) if el.get('class') else ''}>", "structure",
                          sc, first[:50])

    # ---- date ----
    published, how = extract_published_at(lines, header, footer, c_first, c_last, in_c, meta, url,
                                          fetched_at, f_url_year, trace, title_idx)
    if rules.get("published_at"):
        rv = select_text(doc, rules["published_at"])
        if rv:
            d = dt.parse_date(rv, fetched_at, f_url_year)
            if d:
                published, how = d, "rule"
    if published:
        extraction["published_at"] = how

    # ---- body text, sections, images ----
    texts = [l.text for l in kept]
    body_text = "\n".join(texts)
    c_lines = [lines[i] for i in c_idx]
    verdict = is_article(title, kept, c_lines, lines, url)
    if _DEBUG is not None:
        _DEBUG.update(verdict=verdict)
    if trace is not None:
        trace.add("is_article", "keep" if verdict.keep else f"refuse ({verdict.reason})", "structure",
                  verdict.own_prose, f"own prose {verdict.own_prose} chars; {verdict.detail}".strip("; "))
    if not verdict.keep and not later_page:
        raise NotAnArticle(verdict.reason, verdict.detail)
    sections, flags = extract_sections(kept, title, trace)
    canonical = None
    for cand in (meta.canonical, meta.get("og:url")):
        if cand and not cand.startswith(("javascript:", "#")):
            canonical = urljoin(base_url, cand)
            if canonical.startswith("//"):
                canonical = "https:" + canonical
            if not canonical.startswith(("http://", "https://")):
                canonical = None
                continue
            break
    images = extract_images(container, kept, base_url or canonical or "", flags)
    if not canonical:
        canonical = canonicalize_url(url) if url else None

    return with_parks(Record(  # the park mentions (crawler/parsing/parks.py)
        url=url,
        canonical_url=canonical,
        site=site,
        title=title,
        published_at=published,
        source=source,
        author=author,
        editor=editor,
        sections=sections,
        body_text=body_text,
        images=images,
        attachments=find_attachments(container, base_url or canonical or url or ""),
        fetched_at=fetched_at.isoformat(),
        content_hash=content_hash(body_text),
        extraction=extraction,
        warnings=warnings,
        parser_version=PARSER_VERSION,
    ))


def _anchored_block(lines, scores, title_idx, root, old):
    """The best-scoring element whose text starts within a few lines under the headline."""
    first: dict = {}
    for l in lines[title_idx + 1:title_idx + 16]:
        el = l.el
        while el is not None and el is not root:
            if el not in first:
                first[el] = l.idx
            el = el.getparent()
    title_el = lines[title_idx].el
    best, best_score = None, 20.0
    for el, idx in first.items():
        sc = scores.get(el)
        if sc is None or sc <= best_score:
            continue
        if inside(title_el, el) or inside(el, old) or inside(old if not isinstance(old, list) else old[0], el):
            continue
        best, best_score = el, sc
    return best


_STATIC_TITLE_RE = re.compile(
    r"^(?:关于我们|联系我们|联系方式|网站地图|隐私政策|隐私声明|版权声明|免责声明|法律声明|用户协议|服务条款|网站声明|"
    r"使用帮助|帮助中心|意见反馈|加入我们|招贤纳士|友情链接|About|Contact)$", re.I)
