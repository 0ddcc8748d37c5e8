"""The parknews command line: a thin layer over the library. Errors become one line and a
non-zero exit (2 for usage and configuration errors, 1 for a crawl that ran but failed).

Each command lives in a module of this package with a `register_commands(cli)` function that
adds its commands to the group below; COMMAND_MODULES lists them, and importing this package
registers them all (as Datasette registers its default plugins). `CliError`, the --db and
--warc-dir options and the helpers several commands share are in crawler/cli/base.py, which
imports no command module, so nothing here imports itself."""
from __future__ import annotations

import importlib
import json
import re
import sys

import click

from archive.errors import ArchiveError, DamagedData
from crawler.cli import base
from crawler.cli.base import CliError
from crawler.parsing.sitefile import SiteFileError

# One line per module; a module's register_commands(cli) adds its commands.
COMMAND_MODULES: tuple[str, ...] = (
    "crawler.cli.crawl",    # demo, crawl, sites
    "crawler.cli.parse",    # parse
    "crawler.cli.eval",     # eval
    "crawler.cli.status",   # status, runs
    "crawler.cli.readers",  # search, show, stats, export, serve
    "crawler.cli.archive",  # reparse, upgrade
    "crawler.cli.parks",    # parks, parks add
    "crawler.cli.replay",   # index, replay
)


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


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register_commands(cli)


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
        from archive.db import old_sqlite_message

        if old_sqlite_message(text):  # the search index on an SQLite older than 3.43: not damage
            return f"{where}{old_sqlite_message(text)}"
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
        click.echo(f"parknews: error: {base.current_db or 'database'}: {exc}", err=True)
        sys.exit(2)
    except (ArchiveError, SiteFileError) as exc:
        click.echo(f"parknews: error: {exc}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - only database errors become one line; others re-raise
        message = database_error(exc, base.current_db)
        if message is None:
            raise
        click.echo(f"parknews: error: {message}", err=True)
        sys.exit(2)
    sys.exit(0)
