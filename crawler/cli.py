"""The parknews command line: a thin layer over the library. Errors become one line and a
non-zero exit (2 for usage and configuration errors, 1 for a crawl that ran but failed)."""
from __future__ import annotations

import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import click

from archive.errors import ArchiveError, DamagedData
from spiders.sitefile import SiteFileError

def _remember_db(ctx, param, value):
    # the database the command works on, named by main() when SQLite fails (database_error)
    global _current_db
    _current_db = value
    return value


_current_db: str | None = None

DB_OPTION = click.option(
    "--db", "db_path", default="parknews.db", show_default=True, type=click.Path(dir_okay=False),
    help="The archive database (SQLite).", callback=_remember_db,
)


class _OldNamesHidden(click.Option):
    """An option whose first name is the one shown in --help; later names (old spellings kept
    working) are accepted but not shown."""

    def get_help_record(self, ctx):
        opts, self.opts = self.opts, self.opts[:1]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = opts


# The same option on every command that reads or writes WARC files (crawl, demo, reparse,
# export); `--archive` is its old name on crawl, demo and reparse. The default is made by
# archive.warc.default_archive_dir.
WARC_DIR_OPTION = click.option(
    "--warc-dir", "--archive", "warc_dir", cls=_OldNamesHidden, default=None, metavar="DIR",
    type=click.Path(file_okay=False),
    help="Folder of the WARC files (default: NAME.warc/ beside the database NAME.db).",
)


class CliError(Exception):
    """A one-line error for the user; exit code 2 unless given."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="parknews")
def cli():
    """parknews: an archiving crawler for Chinese park news.

    \b
    Example:
      parknews demo                      # crawl the bundled sample site into ./parknews.db
      parknews crawl chinacom-yuanqu     # crawl a configured site
      parknews export --format jsonl -o records.jsonl
    """


def _print_summary(summary) -> None:
    for line in summary.lines():
        click.echo(line)


def _crawl_exit(summary) -> None:
    if summary.storage_errors:
        why = summary.stats.get("parknews/errors/message")  # an archive write that failed at the end
        raise CliError(f"crawl of {summary.site}: {why}" if why else
                       f"crawl of {summary.site} finished with {summary.storage_errors} errors (see the log)", 1)
    # exit codes of scheduled crawls (crawler/ops.py): 1 too many failed pages, 3 degraded site,
    # 130 interrupted
    code = int(summary.stats.get("parknews/exit_code", 0) or 0)
    if code == 2:
        first = summary.stats.get("parknews/refused/first") or "refused as a loopback/private address"
        raise CliError(f"crawl of {summary.site}: nothing fetched, every page was refused ({first})", 2)
    if code == 130:
        by = summary.stats.get("parknews/interrupted_by") or "a signal"
        raise CliError(f"crawl of {summary.site} interrupted by {by} (run marked interrupted): stored "
                       f"{summary.articles_new} new and {summary.get('parknews/articles/updated')} updated articles "
                       f"of {summary.pages_fetched} pages fetched; run the same command again to go on", 130)
    if code == 3:
        why = "; ".join(summary.stats.get("parknews/degraded") or [])
        raise CliError(f"site {summary.site} looks broken (run marked degraded): {why}", 3)
    if code == 1:
        rate = float(summary.stats.get("parknews/failure_rate", 0) or 0)
        raise CliError(f"crawl of {summary.site}: {rate:.0%} of the pages failed (see the log and fetch_failures)", 1)


@cli.command()
@DB_OPTION
@WARC_DIR_OPTION
@click.option("--log-level", default="CRITICAL", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
              help="Crawl log level on stderr (the summary reports failures either way).")
def demo(db_path, warc_dir, log_level):
    """Crawl the bundled sample park-news site (offline) into the archive.

    Starts the sample site on 127.0.0.1 (a free port), crawls it, stops it and prints a
    summary: pages fetched, articles stored, duplicates found, fields missing. The site's URLs
    are always http://demo.parknews.invalid/... (mapped to the local port for this run), so
    running the demo again is an incremental crawl that finds nothing new.

    \b
    Example:
      parknews demo --db /tmp/demo.db
    """
    from archive.warc import default_archive_dir
    from crawler.demo.server import SiteServer
    from crawler.demo.site import build_demo_site
    from crawler.runner import build_settings, run_crawl
    from spiders.sitefile import load_site

    _check_db_writable(db_path)
    site = load_site("demo")
    # The sample site keeps the origin of its site file on every run; only the connection goes
    # to this run's port (PARKNEWS_HOST_MAP), so a second run finds everything already stored.
    origin = urlsplit(site.start_urls[0])
    with SiteServer(build_demo_site().pages) as server:
        click.echo(f"sample site {origin.scheme}://{origin.netloc}/ served from {server.base_url}")
        settings = build_settings(db_path, log_level=log_level, archive_dir=warc_dir,
                                  overrides={"PARKNEWS_HOST_MAP": {origin.hostname: server.base_url}})
        summary = run_crawl("site", settings, site.name, site=site)
    click.echo("sample site stopped")
    _print_summary(summary)
    click.echo(f"archive:            {Path(db_path).resolve()}")
    click.echo(f"WARC files:         {Path(warc_dir).resolve() if warc_dir else default_archive_dir(db_path)}")
    if summary.failed:
        click.echo("(the sample site answers one link with 404 and one with 500 on purpose)")
    _crawl_exit(summary)


def _check_db_writable(db_path: str) -> None:
    from archive.db import open_db

    open_db(db_path).close()  # creates/migrates, or raises ArchiveError naming the file


def _finite(ctx, param, value):
    # click's FloatRange lets nan through (nan compares false with both bounds)
    if value is not None and value != value:
        raise click.BadParameter("not a number", ctx=ctx, param=param)
    return value


def _compile(option: str, pattern: str | None):
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise CliError(f"{option} {pattern!r}: bad regex ({exc})") from None


@cli.command()
@click.argument("target", required=False)
@DB_OPTION
@WARC_DIR_OPTION
@click.option("--follow", "follow", metavar="REGEX", help="Only walk list pages whose URL matches (URL mode).")
@click.option("--article", "article", metavar="REGEX", help="Pages whose URL matches are the articles (URL mode).")
@click.option("--max-pages", type=click.IntRange(min=0), default=0, help="Stop after fetching N pages (0: no limit).")
@click.option("--base-url", metavar="URL", help="Crawl a configured site at another host (a mirror or a local copy).")
@click.option("--delay", type=click.FloatRange(min=0, max=3600), default=None, callback=_finite,
              help="Seconds between requests to the host (default: the site file's, or 0.5 with AutoThrottle).")
@click.option("--log-level", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]))
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write the crawl log to this file.")
@click.option("--stats-file", type=click.Path(dir_okay=False), help="Write the crawl's stats (JSON) to this file.")
@click.option("--all", "all_sites", is_flag=True, help="Crawl every configured site but demo, one subprocess each.")
@click.option("--full", is_flag=True, help="Fetch everything again (default: only what is new).")
@click.option("--refresh", "refresh_days", type=click.FloatRange(min=0), default=0, metavar="DAYS",
              help="Re-fetch articles first seen in the last DAYS days with conditional requests.")
@click.option("--allow-private", is_flag=True,
              help="Allow loopback/private/link-local addresses (a local test site).")
@click.option("-s", "--set", "set_options", multiple=True, metavar="NAME=VALUE",
              help="Set a Scrapy or parknews setting, as `scrapy crawl -s` (wins over the site file; "
                   "see the README for the ones that matter).")
def crawl(target, db_path, warc_dir, follow, article, max_pages, base_url, delay, log_level, log_file, stats_file,
          all_sites, full, refresh_days, allow_private, set_options):
    """Crawl a configured SITE (see `parknews sites`) or any site from a start URL.

    With a URL, the crawl stays on that host, follows list and pagination links and decides
    by itself which pages are articles; --follow and --article narrow that.

    \b
    Examples:
      parknews crawl chinacom-yuanqu --db archive.db
      parknews crawl http://www.example-zone.gov.cn/xwzx/ --max-pages 300
      parknews crawl http://www.example-zone.gov.cn/ --article '/art_\\d+\\.html' --follow '/xwzx/'
    """
    from crawler import cli_ops
    from crawler.runner import build_settings, parse_set_options, run_crawl
    from spiders.sitefile import load_site

    from crawler.middlewares import check_host_map

    try:
        user_settings = parse_set_options(set_options)
        check_host_map(user_settings.get("PARKNEWS_HOST_MAP"))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if all_sites or target is None:
        if target is not None or not all_sites:
            raise CliError("give a SITE or URL to crawl, or --all (and not both)")
        code = cli_ops.crawl_all(db_path, max_pages=max_pages, delay=delay, log_level=log_level,
                                 log_file=log_file, full=full, refresh_days=refresh_days,
                                 set_options=set_options)
        if code:
            raise CliError(f"crawl --all: the worst exit code was {code} (see above)", code)
        return
    _compile("--follow", follow)
    _compile("--article", article)
    _check_db_writable(db_path)
    ops_settings = cli_ops.crawl_overrides(full=full, refresh_days=refresh_days, allow_private=allow_private)
    if target.startswith(("http://", "https://")):
        if base_url:
            raise CliError("--base-url applies to configured sites, not to a start URL")
        from spiders.common import host_of

        if not host_of(target):
            raise CliError(f"{target}: not a valid URL")
        settings = build_settings(db_path, max_pages=max_pages, log_level=log_level, log_file=log_file,
                                  delay=delay, archive_dir=warc_dir)
        cli_ops.apply_overrides(settings, {**ops_settings, **user_settings})
        with cli_ops.locked(db_path, host_of(target)):
            summary = run_crawl("auto", settings, host_of(target), start_url=target, follow=follow, article=article)
    else:
        if "://" in target:
            raise CliError(f"{target}: only http and https URLs can be crawled")
        if follow or article:
            raise CliError("--follow/--article apply to URL crawls; a site file sets its own links")
        site = load_site(target)
        if base_url:
            site = site.with_base_url(base_url)
        settings = build_settings(db_path, max_pages=max_pages, log_level=log_level,
                                  log_file=log_file, delay=delay, archive_dir=warc_dir)
        cli_ops.apply_overrides(settings, {**ops_settings, **user_settings})
        with cli_ops.locked(db_path, site.name):
            summary = run_crawl("site", settings, site.name, site=site)
    if stats_file:
        summary.write_stats(stats_file)
    _print_summary(summary)
    click.echo(cli_ops.one_line(summary))
    _crawl_exit(summary)


@cli.command()
def sites():
    """List the configured sites (spiders/sites/*.toml).

    \b
    Example:
      parknews sites
    """
    from spiders.sitefile import load_all_sites

    for site in load_all_sites():
        click.echo(f"{site.name}\t{site.title}\t{', '.join(site.start_urls)}")


@cli.command()
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
    from spiders.sitefile import load_site

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


@cli.command(name="eval")
@click.argument("corpus", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--show", "show_field", metavar="FIELD",
              help="List the pages that miss FIELD, expected and got (with --perturb: also those a rewrite made miss it).")
@click.option("--check", is_flag=True, help="Exit 1 when a score is below its target.")
@click.option("--split", "split", metavar="K/N",
              help="Score only fold K of N (pages grouped by host: all pages of a host share a fold).")
@click.option("--invert", is_flag=True, help="With --split: score every fold but K (the pages to tune on).")
@click.option("--sites", metavar="HOST,...", help="Score only pages of these hosts (and their subdomains).")
@click.option("--exclude-sites", metavar="HOST,...", help="Leave out pages of these hosts.")
@click.option("--perturb", is_flag=True,
              help="Also score each page with its template rewritten (class/id removed, <h1> as <div>, meta "
                   "line in a <table>, white space, meta items reordered): per kind, all together, and the "
                   "difference to the plain scores.")
def eval_cmd(corpus, as_json, show_field, check, split, invert, sites, exclude_sites, perturb):
    """Score the parser field by field on a corpus (DIR/pages/*, DIR/truth.jsonl).

    A page's host is its id after dev-NNN- (dev-016-163.com: 163.com). Tune on
    `--split K/N --invert`, check on `--split K/N`: the table says which pages it scored.

    \b
    Examples:
      parknews eval ../shared/corpus --show author
      parknews eval ../shared/corpus --split 1/4 --invert   # the 3/4 to tune on
      parknews eval ../shared/corpus --split 1/4            # the 1/4 held out
      parknews eval ../shared/corpus --sites 163.com,qq.com
      parknews eval ../shared/corpus --perturb --check   # also exit 1 when a score falls > 0.03
    """
    from crawler import evaluate

    folder = Path(corpus)
    if not (folder / "truth.jsonl").is_file() or not (folder / "pages").is_dir():
        raise CliError(f"{folder}: not a corpus (needs pages/ and truth.jsonl)")
    if show_field and show_field not in evaluate.FIELDS:
        raise CliError(f"--show {show_field!r}: not a field (one of {', '.join(evaluate.FIELDS)})")
    try:
        subset = evaluate.Subset.parse(split=split, invert=invert, sites=sites, exclude_sites=exclude_sites)
        if perturb:
            presult = evaluate.evaluate_perturbed(folder, subset=subset)
            result = presult.plain
        else:
            presult, result = None, evaluate.evaluate_corpus(folder, subset=subset)
    except evaluate.SubsetError as exc:
        raise CliError(str(exc)) from None
    except (ValueError, KeyError) as exc:
        raise CliError(f"{folder / 'truth.jsonl'}: bad truth record ({exc})") from None
    if as_json:
        data = result.to_json()
        if presult is not None:
            data["perturb"] = presult.to_json()
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(evaluate.format_table(result))
        if presult is not None:
            click.echo("")
            click.echo(evaluate.format_perturbed(presult))
    if show_field:
        click.echo(evaluate.format_misses(result, show_field))
        if presult is not None:
            click.echo(f"\n== {show_field} lost under perturbation")
            click.echo(evaluate.format_perturb_losses(presult, show_field))
    failed = result.failed_targets()
    if check and failed:
        raise CliError(f"below target: {', '.join(failed)}", 1)
    if check and presult is not None and presult.drifted():
        worst = ", ".join(f"{f} under {k} ({d:+.3f})" for k, f, d in presult.drifted())
        raise CliError(f"perturbed scores fell more than {evaluate.PERTURB_TOLERANCE}: {worst}", 1)


# Command groups that live in their own modules register themselves on `cli` when imported
# (each module: `from crawler.cli import cli, CliError, DB_OPTION` and `@cli.command()`).
# Add one import line per module here.
def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name)


COMMAND_MODULES: list[str] = ["crawler.cli_ops", "crawler.cli_archive", "crawler.cli_readers", "crawler.cli_parks"]


def database_error(exc: BaseException, db_path: str | None) -> str | None:
    """The one line for an error SQLite (or a damaged stored value) raised while a command
    worked on `db_path`, or None when `exc` is not such an error. The one place where the CLI
    turns sqlite3.DatabaseError & co. into a message (main() prints it, exit 2)."""
    import sqlite3 as std_sqlite3

    from sqlite_utils.utils import sqlite3

    where = f"{db_path}: " if db_path else ""
    if isinstance(exc, (sqlite3.DatabaseError, std_sqlite3.DatabaseError)):
        text = "".join(c if c.isprintable() else "?" for c in (str(exc) or type(exc).__name__))
        text = re.sub(r"( column '[^']*') with text .*", r"\1", text)  # not the damaged bytes
        text = text if len(text) <= 160 else text[:160] + "…"
        low = text.lower()
        if "locked" in low or "busy" in low:
            return f"{where}database is locked by another process ({text}); try again when it is done"
        if "disk is full" in low or "disk i/o" in low:
            return f"{where}cannot write the database ({text}); free space and try again"
        if "readonly" in low or "read-only" in low:
            return f"{where}database is read-only ({text})"
        if "malformed json" in low or "decode" in low:
            return (f"{where}the database holds a damaged value ({text}); back it up, then "
                    f"`sqlite3 {db_path or 'FILE'} .recover` can salvage its rows")
        return (f"{where}the database is damaged ({text}); back it up, then "
                f"`sqlite3 {db_path or 'FILE'} .recover` can salvage its rows")
    if db_path and isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
        return f"{where}the database holds a damaged value ({type(exc).__name__}: {exc})"
    return None


def main(argv: list[str] | None = None) -> None:
    _register_commands()
    try:
        cli.main(args=argv, prog_name="parknews", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("parknews: aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"parknews: error: {exc.format_message()}", err=True)
        sys.exit(2)
    except CliError as exc:
        click.echo(f"parknews: error: {exc}", err=True)
        sys.exit(exc.code)
    except DamagedData as exc:
        click.echo(f"parknews: error: {_current_db or 'database'}: {exc}", err=True)
        sys.exit(2)
    except (ArchiveError, SiteFileError) as exc:
        click.echo(f"parknews: error: {exc}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - only database errors become one line; others re-raise
        message = database_error(exc, _current_db)
        if message is None:
            raise
        click.echo(f"parknews: error: {message}", err=True)
        sys.exit(2)
    sys.exit(0)


if __name__ == "__main__":
    # `python -m crawler.cli`: run the imported module's main, so command modules registering
    # on `crawler.cli.cli` (COMMAND_MODULES) and this entry point share one group.
    import crawler.cli

    crawler.cli.main()
