"""Hidden page metadata: <meta>, <title>, canonical links, JSON-LD, china.com.cn enpproperty comments."""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field

from lxml import etree

from .dom import norm_ws, text_of

_ENP_RE = re.compile(r"<!--\s*enpproperty(.*?)-->", re.S | re.I)
_ENP_FIELD_RE = re.compile(r"<(\w+)>(.*?)</\1>", re.S)
_WRAPPER_RE = re.compile(r"^\s*<text\s[^>]*?title=\"([^\"]*)\"", re.I)
# The page data a script hands its template (window.DATA = {"pubtime": "2019-09-07 19:02:26"},
# var publish_time = '…'): publication-time keys, matched case-insensitively; a value is a quoted
# date-time or a 10/13-digit epoch.
SCRIPT_DATE_KEYS = ("pubtime", "pub_time", "publish_time", "publishtime", "pubdate", "pub_date",
                    "publishdate", "publish_date", "datepublished", "ptime", "releasetime", "release_time")
_SCRIPT_DATE_RE = re.compile(
    r"""["']?\b(%s)\b["']?\s*[:=]\s*(?:["']([^"'\n]{8,40})["']|(\d{10}(?:\d{3})?)\b)""" % "|".join(SCRIPT_DATE_KEYS),
    re.I)


@dataclass
class PageMeta:
    metas: dict[str, str] = field(default_factory=dict)  # lower-cased name/property -> first value
    title_tag: str | None = None
    canonical: str | None = None
    base: str | None = None
    jsonld: dict = field(default_factory=dict)
    enp: dict[str, str] = field(default_factory=dict)
    scripts: list[str] = field(default_factory=list)  # inline script texts, in page order
    wrapper_title: str | None = None

    def script_dates(self) -> list[tuple[str, str]]:
        """(key, value) of the publication-time keys in the inline scripts' page data, in page
        order; read on demand (only when no visible date or <meta> decided)."""
        return [(m[1].lower(), m[2] or m[3]) for text in self.scripts for m in _SCRIPT_DATE_RE.finditer(text)]

    def get(self, *names: str) -> str | None:
        for n in names:
            v = self.metas.get(n.lower())
            if v:
                return v
        return None


def _walk_jsonld(obj, out: dict):
    if isinstance(obj, list):
        for o in obj:
            _walk_jsonld(o, out)
    elif isinstance(obj, dict):
        typ = obj.get("@type")
        typ = " ".join(typ) if isinstance(typ, list) else str(typ or "")
        if "@graph" in obj:
            _walk_jsonld(obj["@graph"], out)
        if re.search(r"Article|Posting|Report|WebPage", typ):
            for k in ("headline", "datePublished", "dateModified", "author", "publisher"):
                if k in obj and k not in out:
                    out[k] = obj[k]


def collect_meta(doc, raw_text: str) -> PageMeta:
    pm = PageMeta()
    for el in doc.iter("meta", "title", "link", "base", "script"):
        tag = el.tag
        if tag == "meta":
            name = (el.get("name") or el.get("property") or el.get("itemprop") or el.get("http-equiv") or "").strip().lower()
            content = el.get("content")
            if name and content and content.strip() and name not in pm.metas:
                pm.metas[name] = norm_ws(content)
        elif tag == "title":
            if pm.title_tag is None:
                pm.title_tag = norm_ws(text_of(el)) or None
        elif tag == "link":
            if pm.canonical is None and "canonical" in (el.get("rel") or "").lower().split() and el.get("href"):
                pm.canonical = el.get("href").strip()
        elif tag == "base":
            if pm.base is None and el.get("href"):
                pm.base = el.get("href").strip()
        elif (el.get("type") or "").lower() == "application/ld+json" and el.text:
            try:
                _walk_jsonld(json.loads(el.text), pm.jsonld)
            except (ValueError, TypeError):
                pass
        elif el.text and not el.get("src"):
            pm.scripts.append(el.text)
    m = _ENP_RE.search(raw_text)
    if m:
        for k, v in _ENP_FIELD_RE.findall(m.group(1)):
            pm.enp.setdefault(k.lower(), norm_ws(html.unescape(v)))
    m = _WRAPPER_RE.match(raw_text[:2000])
    if m:
        pm.wrapper_title = norm_ws(html.unescape(m.group(1))) or None
    return pm


def enpcontent_container(doc):
    """china.com.cn style: the parent of <!--enpcontent-->."""
    for c in doc.iter(etree.Comment):
        if (c.text or "").strip().lower() == "enpcontent":
            return c.getparent()
    return None
