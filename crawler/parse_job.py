"""One fetched article's parse, as a value: what the parse stage sends to a worker process
(crawler/parse_pool.py) or runs inline, and what comes back. No Scrapy, no database.

`job_of(page)` keeps only what the parser reads (url, headers, body bytes, fetch time, site and
its parsing rules; pages 2…n of a multi-page article and the missing ones): small and picklable.
`run_job(job)` never raises: a page that is not an article or makes the parser fail comes back
as a refusal (`kind` "not_article" or "parse_error", with its reason and detail), the same
outcome whether it ran in a worker or inline. `seconds` is the time the parse took (CPU-bound:
where it ran), summed by the parse stage into `parknews/time/parse`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .parsing import NotAnArticle, parse_page
from .parsing.pager import page_number
from .parsing.pages import parse_later_pages
from .parsing.record import Record

PARSED, NOT_ARTICLE, PARSE_ERROR = "parsed", "not_article", "parse_error"


@dataclass(frozen=True)
class ParseJob:
    url: str
    headers: dict[str, str]
    body: bytes
    fetched_at: str  # ISO 8601 with offset
    site: str | None = None
    rules: dict[str, Any] | None = None
    # pages 2…n: (url, headers, body, fetched_at); the missing ones: (number, url, reason)
    parts: tuple[tuple[str, dict[str, str], bytes, str], ...] = ()
    missing: tuple[tuple[int, str, str], ...] = ()


@dataclass
class ParseResult:
    kind: str                      # PARSED, NOT_ARTICLE or PARSE_ERROR
    record: Record | None = None   # for PARSED
    reason: str = ""               # for a refusal: the not_article reason, or "parse_error"
    detail: str = ""
    merged_pages: int = 0          # later pages whose text the record holds
    incomplete: bool = False       # a multi-page article with a page missing
    seconds: float = 0.0


def job_of(page) -> ParseJob:
    """The parse job of a crawler.items.FetchedPage."""
    return ParseJob(page.url, dict(page.headers), page.body, page.fetched_at, page.site, page.rules,
                    tuple((p.url, dict(p.headers), p.body, p.fetched_at) for p in page.parts),
                    tuple(tuple(m) for m in page.missing))


def run_job(job: ParseJob) -> ParseResult:
    """Parse one job (see the module doc); never raises."""
    start = time.perf_counter()
    result = _parse(job)
    result.seconds = time.perf_counter() - start
    return result


def _parse(job: ParseJob) -> ParseResult:
    try:
        record = parse_page(job.url, job.headers, job.body, datetime.fromisoformat(job.fetched_at),
                            site=job.site, rules=job.rules)
        record.site = record.site or job.site
        if not (job.parts or job.missing):
            return ParseResult(PARSED, record)
        later = [(page_number(job.url, url) or i + 2, url, headers, body, datetime.fromisoformat(at))
                 for i, (url, headers, body, at) in enumerate(job.parts)]
        merged = parse_later_pages(record, later, list(job.missing), site=job.site, rules=job.rules)
        pages = len(merged.pages) - 1 if merged.pages else 0
        incomplete = bool(job.missing) or len(merged.pages) < len(job.parts) + 1
        return ParseResult(PARSED, merged, merged_pages=pages, incomplete=incomplete)
    except NotAnArticle as exc:
        return ParseResult(NOT_ARTICLE, reason=exc.reason, detail=exc.detail)
    except Exception as exc:  # a parser bug on one page must not stop the crawl
        return ParseResult(PARSE_ERROR, reason=PARSE_ERROR, detail=f"{type(exc).__name__}: {exc}")
