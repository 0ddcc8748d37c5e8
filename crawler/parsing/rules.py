"""Per-site field selectors from a site file: CSS or XPath (XPath when it starts with "/" or "(")."""
from __future__ import annotations

from functools import lru_cache

from lxml import etree

from .dom import norm_ws, remove_keep_tail, text_of

RULE_FIELDS = ("title", "published_at", "source", "author", "editor", "body")


@lru_cache(maxsize=512)
def compile_selector(sel: str) -> etree.XPath:
    sel = sel.strip()
    if sel.startswith("/") or sel.startswith("("):
        return etree.XPath(sel)
    from cssselect import HTMLTranslator

    return etree.XPath(HTMLTranslator().css_to_xpath(sel))


def select(doc, sel: str) -> list:
    try:
        res = compile_selector(sel)(doc)
    except (etree.XPathError, Exception):  # a bad selector in a site file must not kill parsing
        return []
    if not isinstance(res, list):
        res = [res]
    return res


def select_text(doc, sel: str) -> str | None:
    """Text of the first non-empty match (element text or XPath string result)."""
    for r in select(doc, sel):
        if isinstance(r, str):
            t = norm_ws(r)
        elif hasattr(r, "tag") and isinstance(r.tag, str):
            t = norm_ws(text_of(r))
        else:
            continue
        if t:
            return t
    return None


def select_element(doc, sel: str):
    for r in select(doc, sel):
        if hasattr(r, "tag") and isinstance(r.tag, str):
            return r
    return None


def apply_drop(doc, selectors) -> None:
    if not selectors:
        return
    if isinstance(selectors, str):
        selectors = [selectors]
    for sel in selectors:
        for el in select(doc, sel):
            if hasattr(el, "getparent"):
                remove_keep_tail(el)
