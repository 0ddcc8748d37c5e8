"""Hooks for tests/crawl/test_parse_pool.py, loaded by the crawl process (-s ITEM_PIPELINES) and,
through the forkserver's preload of the parse function's module, by every parse worker: a parser
that raises on pages holding PARSER-BUG, as a parser bug would."""
import os

from crawler import parse_job
from crawler.pipelines import ParsePipeline

_parse_page = parse_job.parse_page


def _buggy_parse_page(url, headers, body, *args, **kwargs):
    if b"PARSER-BUG" in body:
        raise ValueError(f"planted parser bug (process {os.getpid()})")
    return _parse_page(url, headers, body, *args, **kwargs)


parse_job.parse_page = _buggy_parse_page


def parse(job):
    return parse_job.run_job(job)


class BuggyParsePipeline(ParsePipeline):
    parse = staticmethod(parse)
