"""`parknews parse`: the record of a saved page, a folder of them, stdin or a URL, as JSON
(or each field's ranked candidates with --explain)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import click

from crawler.cli.base import CliError


@click.command()
@click.argument("inputs", nargs=-1, metavar="FILE|DIR|-|URL...")
@click.option("--url", help="The page's URL (for relative links, the site and URL dates); one saved page or stdin.")
@click.option("--site", "site_name", help="Apply this configured site's field rules.")
@click.option("--charset", help="Treat the bytes as served with this charset (as an HTTP header would).")
@click.option("--fetched-at", help="Fetch time for relative dates (ISO 8601; default now, or when a URL was fetched).")
@click.option("--jsonl", is_flag=True, help="One compact JSON line per record (the default for several pages or a folder).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="URL: give up after this long (default: the crawl's DOWNLOAD_TIMEOUT, 30 s).")
@click.option("--allow-private", is_flag=True, help="URL: allow loopback/private addresses (a local test site).")
@click.option("--explain", is_flag=True, help="Print each field's ranked candidates and how the value was chosen.")
def parse(inputs, url, site_name, charset, fetched_at, jsonl, timeout, allow_private, explain):
    """Print the record of a page as JSON: a saved FILE, every saved page in a folder DIR,
    stdin (-), or a URL fetched once (politely: the crawl's User-Agent, robots.txt obeyed, a
    timeout and a size cap).

    One page prints one indented JSON record; several pages or a folder print JSON Lines, one
    record per page. A page that cannot be read or is not an article is a one-line error naming
    it; the other pages are still parsed, and the exit code is non-zero.

    \b
    Examples:
      parknews parse saved/page.html --url http://yuanqu.china.com.cn/2022-04/06/content_1.html
      parknews parse - --url http://yuanqu.china.com.cn/2022-04/06/content_1.html < saved/page.html
      parknews parse http://yuanqu.china.com.cn/2022-04/06/content_1.html
      parknews parse saved/ > records.jsonl
      parknews parse saved/page.html --explain
    """
    from crawler import page_inputs, settings as crawl_settings
    from crawler.parsing import NotAnArticle, parse_page
    from crawler.parsing.sitefile import load_site

    if not inputs:
        raise CliError("give a saved page FILE, a folder, - (stdin) or a URL to parse")
    if charset is not None:
        import codecs

        try:
            codecs.lookup(charset)
        except LookupError:
            raise CliError(f"--charset {charset!r}: not a known character set (e.g. utf-8, gbk, gb18030, big5)") from None
    if list(inputs).count("-") > 1:
        raise CliError("- (stdin) can be given once")
    sources = page_inputs.sources(list(inputs))
    many = jsonl or len(sources) != 1 or any(Path(i).is_dir() for i in inputs if i != "-")
    if url and (len(sources) != 1 or sources[0].kind == "url"):
        raise CliError("--url names the URL of one saved page or of stdin, not of several pages or of a URL")
    when = None
    if fetched_at:
        try:
            when = datetime.fromisoformat(fetched_at)
        except ValueError:
            raise CliError(f"--fetched-at {fetched_at!r}: not an ISO 8601 time") from None
        if when.tzinfo is None:
            raise CliError(f"--fetched-at {fetched_at!r}: give a time zone offset, e.g. +08:00")
    rules = load_site(site_name).field_rules if site_name else None
    fetch_options = {
        "user_agent": crawl_settings.USER_AGENT, "allow_private": allow_private,
        "timeout": timeout or crawl_settings.DOWNLOAD_TIMEOUT, "max_size": crawl_settings.DOWNLOAD_MAXSIZE,
    }
    failed, code = 0, 0
    for source in sources:
        trace = None
        try:
            page = page_inputs.load(source, **fetch_options)
            headers = dict(page.headers)
            if charset:
                headers["content-type"] = f"text/html; charset={charset}"
            trace = _explain_trace() if explain else None
            record = parse_page(url or page.url, headers, page.body,
                                when or page.fetched_at or datetime.now(timezone.utc), site=site_name, rules=rules,
                                trace=trace)
        except (page_inputs.PageInputError, NotAnArticle) as exc:
            if isinstance(exc, NotAnArticle) and trace is not None:
                _print_explain(source.name, trace, None)
            if isinstance(exc, NotAnArticle):
                exc = CliError(f"{source.name}: not an article ({exc})", 1)
            if len(sources) == 1:
                raise CliError(str(exc), exc.code) from None
            click.echo(f"parknews: error: {exc}", err=True)
            failed, code = failed + 1, max(code, exc.code)
            continue
        if trace is not None:
            _print_explain(source.name, trace, record)
            continue
        _print_record(record, many)
    if failed == len(sources):
        raise CliError(f"none of the {failed} pages could be parsed (listed above)", code)
    if failed:
        raise CliError(f"{failed} of {len(sources)} pages could not be parsed (listed above); "
                       f"the others were printed", code)


def _print_record(record, one_line: bool) -> None:
    data = record.to_dict()
    click.echo(json.dumps(data, ensure_ascii=False) if one_line else json.dumps(data, ensure_ascii=False, indent=2))


def _explain_trace():
    from crawler.parsing.explain import Trace

    return Trace()


def _print_explain(name: str, trace, record) -> None:
    """--explain: each field's ranked candidates (crawler/parsing/explain.py)."""
    from crawler.parsing.explain import format_trace

    click.echo(f"== {name}")
    click.echo(format_trace(trace, record))


def register_commands(cli) -> None:
    cli.add_command(parse)
