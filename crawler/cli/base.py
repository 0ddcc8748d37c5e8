"""What every command module shares: `CliError`, the --db and --warc-dir options, and the
helpers more than one command uses (an unknown --site, PARKNEWS_SITES_DIR, plain text tables).

Imports no command module and not the package (crawler/cli/__init__.py), so every command
module can import it without a cycle."""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import click


def _remember_db(ctx, param, value):
    # the database the command works on, named by main() when SQLite fails (database_error)
    global current_db
    current_db = value
    return value


current_db: str | None = None

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
# export); `--archive` is its old name on crawl, demo and reparse. The folder is decided by
# archive.warc.warc_dir_for.
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


def known_site(db, site):
    """--site NAME checked against the archive: an unknown name is a CliError (search, stats,
    export, status, runs)."""
    from archive.readers import ReaderError, check_site

    try:
        return check_site(db, site)
    except ReaderError as exc:
        raise CliError(str(exc)) from None


def sites_dir() -> Path | None:
    """$PARKNEWS_SITES_DIR (crawl --all, reparse), or None for spiders/sites/."""
    value = os.environ.get("PARKNEWS_SITES_DIR")
    return Path(value) if value else None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cut(text: str, width: int) -> str:
    out, w = [], 0
    for c in text:
        cw = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if w + cw > width - 1 and _width(text) > width:
            out.append("…")
            break
        out.append(c)
        w += cw
    return "".join(out)


def format_table(headers: list[str], rows: list[list], max_width: int = 40) -> str:
    """A plain text table; East Asian wide characters count two columns."""
    cells = [[_cut("" if v is None else str(v), max_width) for v in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values):
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])
