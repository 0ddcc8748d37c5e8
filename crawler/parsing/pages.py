"""The merge of an article's pages: the records parsed from page 1…n become one record. Pure.

Title, date, source, author and the canonical URL are page 1's; the editor is page 1's or else
the last page's that names one (责任编辑 often closes the last page); `sections`, `body_text`
`images` and `attachments` are the pages' in order (a page that starts without a heading continues the
previous page's last section); `pages` lists the merged pages' URLs; the content hash and the
park mentions are computed again from the merged text. A page that could not be fetched or
parsed is named in `warnings` ("page N missing: URL (reason)"), and the record keeps the rest.
"""
from __future__ import annotations

import copy

from .keys import content_hash
from .parks import with_parks
from .record import Record


def missing_warning(number: int, url: str, reason: str) -> str:
    return f"page {number} missing: {url} ({reason})"


def _add_new(into: list[dict], entries: list[dict], key: str) -> None:
    """Append copies of the `entries` whose `key` (an image's src, an attachment's url) `into` lacks."""
    seen = {e.get(key) for e in into}
    for entry in entries:
        if entry.get(key) not in seen:
            seen.add(entry.get(key))
            into.append(dict(entry))


def merge_pages(first: Record, later: list[Record], missing: list[tuple[int, str, str]] = ()) -> Record:
    """One record from page 1's (`first`) and pages 2…n's (`later`, in order); `missing`:
    (page number, URL, reason) of the pages that could not be had."""
    if not later and not missing:
        return first
    merged = copy.deepcopy(first)
    sections = merged.sections
    texts = [merged.body_text] if merged.body_text else []
    for rec in later:
        for i, section in enumerate(rec.sections):
            if i == 0 and section.get("heading") is None and sections:
                sections[-1]["paragraphs"].extend(section.get("paragraphs", []))
            else:
                sections.append(copy.deepcopy(section))
        if rec.body_text:
            texts.append(rec.body_text)
        _add_new(merged.images, rec.images, "src")
        if rec.editor and not first.editor:
            merged.editor = rec.editor
            merged.extraction["editor"] = rec.extraction.get("editor", "text")
        merged.warnings.extend(w for w in rec.warnings if w not in merged.warnings)
        _add_new(merged.attachments, rec.attachments, "url")
    merged.body_text = "\n".join(texts)
    merged.content_hash = content_hash(merged.body_text)
    merged.pages = [first.url] + [rec.url for rec in later]
    merged.extraction["pages"] = "pager"
    for number, url, reason in missing:
        merged.warnings.append(missing_warning(number, url, reason))
    return with_parks(merged)


def parse_later_pages(first: Record, later, missing=(), *, site: str | None = None,
                      rules: dict | None = None) -> Record:
    """Parse pages 2…n (`later`: (page number, url, headers, body, fetched_at datetime) each, in
    order) and merge them into page 1's record `first` (merge_pages). A page the parser cannot
    read is counted missing with its reason; `missing` adds the pages that were not fetched."""
    from .errors import NotAnArticle
    from .generic import parse_page

    records, gaps = [], list(missing)
    for number, url, headers, body, fetched_at in later:
        try:
            records.append(parse_page(url, headers, body, fetched_at, site=site, rules=rules, later_page=True))
        except NotAnArticle as exc:
            gaps.append((number, url, f"not parsed: {exc.reason}"))
        except Exception as exc:  # a parser bug on one page must not lose the article
            gaps.append((number, url, f"parse error: {type(exc).__name__}"))
    gaps.sort()
    return merge_pages(first, records, gaps)
