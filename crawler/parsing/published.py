"""extract_published_at: the publication date, chosen from candidates found all over the page.

Candidates, in the order they are preferred: a labelled date (发布时间：…) in the header lines
between the headline and the text, an unlabelled date there, a labelled date in the lines under
the text, a labelled date anywhere outside the text (nearest to the text's start; above the text
counts half the distance of below it), the hidden metadata (<meta>, JSON-LD, CMS comments, a script's page data), an
unlabelled date right under the text, the URL. The first one wins; with a `Trace` every
candidate is recorded with its rank so that `parknews parse --explain` can show the choice.
"""
from __future__ import annotations

from . import dates as dt
from .body import near_junk

META_DATE_NAMES = ("article:published_time", "pubdate", "publishdate", "publish_date", "ptime", "og:release_date",
                   "datepublished", "release_date", "publishtime", "date", "dc.date", "dc.date.issued",
                   "weibo:article:create_at", "sailthru.date", "created")
MAX_META_LINE = 120   # a line longer than this is prose, not a meta line
FOOTER_LINES = 15     # lines under the text searched for a labelled date
FOOTER_PLAIN_LINES = 5
HEADLINE_NEAR = 3       # lines either side of the headline searched for a labelled date


def _pick_labelled(text, fetched_at, uy):
    labelled = dt.labelled_dates(text, fetched_at, uy)
    pub = [f for lab, f in labelled if not dt.is_update_label(lab)]
    if pub:
        return pub[0]
    if labelled:
        upd = labelled[0][1]
        # "2019-09-07 15:10:53 来源：EETOP 最后更新: 2019-09-07 15:14:21": the unlabelled
        # time before the update time is the publication time
        upd_starts = {f.start for _lab, f in labelled}
        for f in dt.find_dates(text, fetched_at, uy, allow_relative=False):
            if f.start < upd.start and f.start not in upd_starts and f.kind == "abs":
                return f
        return upd
    return None


def date_candidates(lines, header, footer, c_first, c_last, in_c, meta, url, fetched_at, uy, title_idx=None):
    """Yield (iso, method, where) in order of preference (lazily: the caller stops at the first)."""
    htext = " ".join(lines[i].text for i in header)
    if htext:
        f = _pick_labelled(htext, fetched_at, uy)
        if f:
            yield f.iso, "text", "labelled, header: " + htext[max(0, f.start - 8):f.end]
        for x in dt.find_dates(htext, fetched_at, uy):
            yield x.iso, "text", "header: " + htext[max(0, x.start - 8):x.end]
    if title_idx is not None:
        # a labelled meta line next to the headline, wherever the text block was drawn (a headline
        # repeated inside the text leaves the meta line between the two, inside the block)
        for j in sorted(range(max(0, title_idx - HEADLINE_NEAR), min(len(lines), title_idx + HEADLINE_NEAR + 1)),
                        key=lambda j: abs(j - title_idx)):
            if j != title_idx and lines[j].n <= MAX_META_LINE:
                f = _pick_labelled(lines[j].text, fetched_at, uy)
                if f:
                    yield f.iso, "text", f"labelled, {j - title_idx:+d} lines from the headline: {lines[j].text[:40]}"
    ftext = " ".join(lines[i].text for i in footer[:FOOTER_LINES])
    if ftext:
        f = _pick_labelled(ftext, fetched_at, uy)
        if f:
            yield f.iso, "text", "labelled, under the text: " + ftext[max(0, f.start - 8):f.end]
    near = []
    for l in lines:
        if c_first <= l.idx <= c_last and in_c[l.idx]:
            continue
        if l.n > MAX_META_LINE:
            continue
        f = _pick_labelled(l.text, fetched_at, uy)
        if f and not near_junk(l.el, 6):
            # above the text is likelier than below it (comment boxes, related lists)
            dist = (c_first - l.idx) if l.idx < c_first else 2 * (l.idx - c_last)
            near.append((dist, f, l.text))
    for dist, f, text in sorted(near, key=lambda x: x[0]):
        yield f.iso, "text", f"labelled, {dist} lines from the text: {text[:40]}"
    for name in META_DATE_NAMES:
        v = meta.get(name)
        if v:
            d = dt.parse_meta_date(v, fetched_at)
            if d:
                yield d, "meta", f"<meta {name}>"
    v = meta.jsonld.get("datePublished")
    if isinstance(v, str):
        d = dt.parse_meta_date(v, fetched_at)
        if d:
            yield d, "jsonld", "datePublished"
    v = meta.enp.get("date")
    if v:
        d = dt.parse_meta_date(v, fetched_at)
        if d:
            yield d, "comment", "enpproperty date"
    d = script_date(meta, fetched_at)
    if d:
        yield d, "script", "page data in a <script>"
    if ftext:
        plain = " ".join(lines[i].text for i in footer[:FOOTER_PLAIN_LINES])
        for x in dt.find_dates(plain, fetched_at, uy, allow_relative=False)[:1]:
            yield x.iso, "text", "under the text: " + plain[max(0, x.start - 8):x.end]
    d = dt.url_date(url)
    if d:
        yield d, "url", url[-60:]


def script_date(meta, fetched_at):
    """The publication time in a script's page data, when every such value on the page agrees
    (a page whose scripts list related articles with their own times gives none)."""
    found = {dt.parse_meta_date(v, fetched_at) for _key, v in meta.script_dates()}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def extract_published_at(lines, header, footer, c_first, c_last, in_c, meta, url, fetched_at, uy, trace=None,
                         title_idx=None):
    """(ISO date, method) of the best candidate, or (None, None)."""
    gen = date_candidates(lines, header, footer, c_first, c_last, in_c, meta, url, fetched_at, uy, title_idx)
    if trace is None:
        for iso, method, _where in gen:
            return iso, method
        return None, None
    best = (None, None)
    for rank, (iso, method, where) in enumerate(gen):
        trace.add("published_at", iso, method, -rank, where)
        if best[0] is None:
            best = (iso, method)
    return best
