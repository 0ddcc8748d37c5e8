"""The `reparse` command: re-extract stored articles from their WARC captures (archive/reparse.py)."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

import click

from crawler.cli.base import DB_OPTION, WARC_DIR_OPTION, CliError, sites_dir


def _since(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise CliError(f"--since {value!r}: not a date (YYYY-MM-DD or ISO 8601)") from None


@click.command()
@DB_OPTION
@WARC_DIR_OPTION
@click.option("--site", help="Only this site's articles.")
@click.option("--since", metavar="DATE", help="Only articles whose latest capture was fetched on or after DATE.")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
def reparse(db_path, warc_dir, site, since, dry_run):
    """Re-extract stored articles from their latest captured responses with the current parser,
    and retry the pages the parser refused (kept in refused_pages with their capture): those it
    now accepts are stored as articles, through the crawl's validation and storage.

    Offline: reads the WARC files written by the crawls, never the network. Prints how many
    records changed, field by field; a re-parse with unchanged parsers changes nothing. A
    missing or damaged WARC file is reported by URL (one line each), the other articles are
    re-parsed anyway, and the exit code is 1. Site rules: spiders/sites/NAME.toml, or
    $PARKNEWS_SITES_DIR/NAME.toml when that is set.

    \b
    Examples:
      parknews reparse --db archive.db
      parknews reparse --site chinacom-yuanqu --since 2024-05-01 --dry-run
    """
    from archive.db import open_db
    from archive.reparse import reparse as run_reparse, tty_progress
    from archive.warc import warc_dir_for
    from crawler.parsing import PARSER_VERSION

    from archive.retry import retry_refused
    from archive.store import Archive

    sites = sites_dir()  # PARKNEWS_SITES_DIR, as for crawl --all

    db = open_db(db_path, create=False)
    folder = warc_dir_for(db_path, warc_dir)
    if not Path(folder).is_dir():
        captured = db.execute("SELECT count(DISTINCT article_id) FROM captures").fetchone()[0]
        if captured:
            db.close()
            raise CliError(f"{folder}: no such WARC folder, so none of the {captured} captured articles can be "
                           f"re-parsed (give the folder with --warc-dir)")
    db.close()
    archive = Archive(db_path)
    try:
        result = run_reparse(archive, folder, site=site, since=_since(since), dry_run=dry_run,
                             progress=tty_progress(), sites_dir=sites)
        retried = retry_refused(archive, folder, site=site, dry_run=dry_run, sites_dir=sites)
    finally:
        archive.close()
    verb = "would change" if dry_run else "changed"
    done = result.checked - len(result.unreadable)
    of = f" of {result.checked}" if result.unreadable else ""
    click.echo(f"re-parsed {done}{of} articles with parser {PARSER_VERSION}: {result.changed} {verb}")
    if result.fields:
        click.echo("fields changed: " + ", ".join(f"{name} {n}" for name, n in sorted(result.fields.items())))
    else:
        click.echo("fields changed: none")
    if result.no_capture:
        click.echo(f"without a capture (stored before WARC capture): {result.no_capture}")
    for url, why in result.rejected:
        click.echo(f"skipped {url}: {why}")
    for url, why in result.conflicts:
        click.echo(f"skipped {url}: {why}")
    if retried.checked or retried.no_capture:
        stored = Counter(outcome for _u, _i, outcome in retried.recovered)
        how = ", ".join(f"{k} {v}" for k, v in sorted(stored.items()))
        still = ", ".join(f"{k} {v}" for k, v in sorted(retried.still_refused.items()))
        click.echo(f"refused pages retried: {retried.checked}: {len(retried.recovered)} "
                   f"{'would be stored' if dry_run else 'stored as articles'}{f' ({how})' if how and not dry_run else ''}, "
                   f"{sum(retried.still_refused.values())} still refused{f' ({still})' if still else ''}")
        if retried.no_capture:
            click.echo(f"refused pages without a capture (crawled with WARC capture off): {retried.no_capture}")
        for url, article_id, outcome in retried.recovered:
            click.echo(f"recovered {url}" + (f": article {article_id} ({outcome})" if article_id else ""))
    for url, why in result.unreadable + retried.unreadable:
        click.echo(f"unreadable {url}: {why}", err=True)
    if result.unreadable or retried.unreadable:
        what = f"{len(result.unreadable)} of {result.checked} articles" + (
            f" and {len(retried.unreadable)} refused pages" if retried.unreadable else "")
        others = f"the other {done} were re-parsed" if done else "nothing was re-parsed"
        raise CliError(f"{what} could not be read from their WARC files in "
                       f"{folder} (listed above; is --warc-dir right?); {others}", 1)


@click.command()
@DB_OPTION
def upgrade(db_path):
    """Upgrade an archive made by an older parknews to this version's schema (every row kept).

    Crawls upgrade the database they write to; the read commands (search, show, stats, status,
    runs, export) never write a schema and ask for this instead.

    \b
    Example:
      parknews upgrade --db archive.db
    """
    from archive.db import SCHEMA_VERSION, OlderSchemaError, applied_versions, open_db

    try:
        open_db(db_path, create=False, migrate_schema=False).close()
        click.echo(f"{db_path}: already at schema {SCHEMA_VERSION}")
        return
    except OlderSchemaError as exc:
        before = exc.version
    db = open_db(db_path, create=False)
    try:
        now = max(applied_versions(db))
    finally:
        db.close()
    click.echo(f"{db_path}: upgraded from schema {before} to {now}")


def register_commands(cli) -> None:
    cli.add_command(reparse)
    cli.add_command(upgrade)
