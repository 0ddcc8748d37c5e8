"""The `reparse` command: re-extract stored articles from their WARC captures (archive/reparse.py)."""
from __future__ import annotations

from datetime import date, datetime

import click

from crawler.cli import DB_OPTION, WARC_DIR_OPTION, CliError, cli


def _since(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise CliError(f"--since {value!r}: not a date (YYYY-MM-DD or ISO 8601)") from None


@cli.command()
@DB_OPTION
@WARC_DIR_OPTION
@click.option("--site", help="Only this site's articles.")
@click.option("--since", metavar="DATE", help="Only articles whose latest capture was fetched on or after DATE.")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
def reparse(db_path, warc_dir, site, since, dry_run):
    """Re-extract stored articles from their latest captured responses with the current parser.

    Offline: reads the WARC files written by the crawls, never the network. Prints how many
    records changed, field by field; a re-parse with unchanged parsers changes nothing. A
    missing or damaged WARC file is reported by URL (one line each), the other articles are
    re-parsed anyway, and the exit code is 1.

    \b
    Examples:
      parknews reparse --db archive.db
      parknews reparse --site chinacom-yuanqu --since 2024-05-01 --dry-run
    """
    from archive.db import open_db
    from archive.reparse import reparse as run_reparse, tty_progress
    from archive.warc import default_archive_dir
    from crawler.parsing import PARSER_VERSION

    db = open_db(db_path, create=False)
    folder = warc_dir or default_archive_dir(db_path)
    try:
        result = run_reparse(db, folder, site=site, since=_since(since), dry_run=dry_run,
                             progress=tty_progress())
    finally:
        db.close()
    verb = "would change" if dry_run else "changed"
    click.echo(f"re-parsed {result.checked} articles with parser {PARSER_VERSION}: {result.changed} {verb}")
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
    for url, why in result.unreadable:
        click.echo(f"unreadable {url}: {why}", err=True)
    if result.unreadable:
        raise CliError(f"{len(result.unreadable)} articles could not be read from their WARC files in "
                       f"{folder} (listed above; is --warc-dir right?); the others were re-parsed", 1)


@cli.command()
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
