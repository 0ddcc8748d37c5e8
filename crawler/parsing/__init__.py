"""Page parsing: (url, headers, body bytes, fetch time) -> Record. Pure: no Scrapy, no database.

    from crawler.parsing import parse_page, NotAnArticle
    record = parse_page(url, headers, body, fetched_at, site="demo", rules=None)
"""
from __future__ import annotations

from .errors import NotAnArticle
from .generic import PARSER_VERSION, parse_page

__all__ = ["NotAnArticle", "PARSER_VERSION", "parse_page"]
