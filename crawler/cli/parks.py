"""The `parks` command: the development zones the archive's articles are about (archive/parks.py).

Registered on `crawler.cli.cli` by crawler/cli/__init__.py (register_commands).
"""
from __future__ import annotations

import json

import click

from crawler.cli.base import DB_OPTION, CliError, format_table


def _open(db_path):
    from archive.db import open_db
    from archive.parks import try_sync

    db = open_db(db_path, create=False, migrate_schema=False)  # a read command writes no schema
    try_sync(db)  # but brings the links up to date, as search does its index
    return db


def _dates(r) -> tuple[str, str]:
    return (r["first_published"] or "")[:10], (r["last_published"] or "")[:10]


@click.group(invoke_without_command=True)
@DB_OPTION
@click.option("--candidates", is_flag=True,
              help="List the parks found in articles that no gazetteer knows, for a person to confirm "
                   "with `parknews parks add`.")
@click.option("--all", "include_empty", is_flag=True, help="Also list known parks no article names yet.")
@click.option("--site", help="Count only this site's articles.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def parks(ctx, db_path, candidates, include_empty, site, fmt):
    """The parks the archive's articles are about: articles about each park (in the title or
    named at least twice), articles naming it, first and last article, sites.

    A park is found by its name or any alias (西安经开区, 西安经发区 -> 西安经济技术开发区);
    `search --park`, `export --park` and `stats --chart --park` take any of them.

    \b
    Examples:
      parknews parks
      parknews parks --candidates
      parknews parks add 武义经济开发区 --alias 武义经开区 --type 经济开发区 --place 武义 --level 省级
    """
    if ctx.invoked_subcommand is not None:
        return
    from archive.parks import list_parks
    from archive.readers import ReaderError, check_site

    db = _open(db_path)
    try:
        site = check_site(db, site)
    except ReaderError as exc:
        raise CliError(str(exc)) from None
    rows = list_parks(db, candidates=candidates, site=site, include_empty=include_empty)
    if fmt == "json":
        click.echo(json.dumps({"candidates": candidates, "site": site, "parks": rows}, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no candidate parks found" if candidates else
                   "no park is named in this archive's articles yet (parknews parks --all lists the known ones)")
        return
    if candidates:
        table = [[r["park"], r["about"], r["named"], *_dates(r), ",".join(r["sites"]), r["first_article_id"]]
                 for r in rows]
        click.echo(format_table(["candidate", "about", "named", "first", "last", "sites", "e.g. article"], table))
        click.echo(f"({len(rows)} candidates; confirm one with: parknews parks add NAME --alias OTHER-NAME)")
        return
    table = [[r["park"], r["level"] or "", r["about"], r["named"], *_dates(r), ",".join(r["sites"]),
              "、".join(r["aliases"][:4]) + ("…" if len(r["aliases"]) > 4 else "")] for r in rows]
    click.echo(format_table(["park", "level", "about", "named", "first", "last", "sites", "aliases"], table))
    click.echo(f"({len(rows)} parks; about = in the title or named at least twice)")


@parks.command(name="add")
@click.argument("name")
@DB_OPTION
@click.option("--alias", "aliases", multiple=True, metavar="NAME", help="Another name of the park (repeatable).")
@click.option("--type", "type_", metavar="TYPE",
              help="Zone type (default: the known park's, else 其他): 经济技术开发区, 高新技术产业开发区, 新区, 自由贸易试验区, 综合保税区, 工业园区, "
                   "保税港区, 保税区, 经济开发区, 产业园, 临港经济区 or 其他.")
@click.option("--place", metavar="PLACE", help="The place in the park's name (武义 for 武义经济开发区).")
@click.option("--level", type=click.Choice(["国家级", "省级", "市级"]), help="The park's level, when known.")
def add(name, db_path, aliases, type_, place, level):
    """Add a park (or more names for one) to this archive's gazetteer, and link every article
    to it again. A candidate from `parknews parks --candidates` becomes a known park.

    \b
    Examples:
      parknews parks add 武义经济开发区 --alias 武义经开区 --type 经济开发区 --place 武义
      parknews parks add 西安经济技术开发区 --alias 西安经济开发区     # one more alias
    """
    from archive.db import open_db
    from archive.parks import ParkError, add_park, sync_links

    db = open_db(db_path, create=False)
    try:
        park, moved, changed = add_park(db, name, aliases=aliases, type_=type_, place=place, level=level)
    except ParkError as exc:
        raise CliError(str(exc)) from None
    for alias, other in moved:
        click.echo(f"note: {alias} named {other} before; it names {park.name} now", err=True)
    if not changed:
        click.echo(f"{park.name}: already known with these names; nothing changed")
        return
    n = sync_links(db)
    about = db.execute("SELECT count(*) FROM article_parks WHERE park = ? AND about = 1", [park.name]).fetchone()[0]
    named = db.execute("SELECT count(*) FROM article_parks WHERE park = ?", [park.name]).fetchone()[0]
    names = "、".join(park.aliases) or "no aliases"
    click.echo(f"added {park.name} ({names}); {n} articles linked again: {about} about it, {named} naming it")


def register_commands(cli) -> None:
    cli.add_command(parks)
