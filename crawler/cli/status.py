"""Operator commands: `parknews status` (per site: the last run against the usual) and
`parknews runs` (the crawl runs, newest first)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import click

from crawler.cli.base import DB_OPTION, known_site


def _ago(iso: str | None) -> str:
    if not iso:
        return "never"
    try:
        then = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if then.tzinfo is None:
        then = then.replace(tzinfo=timezone.utc)
    secs = (datetime.now(timezone.utc) - then).total_seconds()
    if secs < 120:
        return f"{secs:.0f} s ago"
    if secs < 7200:
        return f"{secs / 60:.0f} min ago"
    if secs < 172800:
        return f"{secs / 3600:.0f} h ago"
    return f"{secs / 86400:.0f} days ago"


def _pct(value) -> str:
    return "-" if value is None else f"{value:.0%}"


@click.command()
@DB_OPTION
@click.option("--site", help="Only this site.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(db_path, site, as_json):
    """Per site: the last run, its status, new articles, field coverage against the usual, and
    the time since the last new article.

    \b
    Example:
      parknews status --db archive.db
    """
    from archive import refused, runs
    from archive.db import open_db
    from crawler import settings as project

    db = open_db(db_path, create=False, migrate_schema=False)
    site = known_site(db, site)  # an unknown name is an error, as in search, stats and export
    out = []
    for name in ([site] if site else runs.sites_with_runs(db)):
        last = runs.list_runs(db, site=name, limit=1)
        if not last:
            continue
        last = last[0]
        cover = json.loads(last.get("coverage") or "{}")
        # compared as a crawl compares its run (crawler.ops.assess_run), with the project's settings
        recent = runs.recent_runs(db, name, before_id=last["id"], limit=project.PARKNEWS_DEGRADED_WINDOW)
        usual = {f: (round(v, 3) if v is not None else None)
                 for f, v in runs.usual_coverage(recent, project.PARKNEWS_DEGRADED_MIN_NEW).items()}
        out.append({
            "site": name, "run_id": last["id"], "started_at": last["started_at"],
            "finished_at": last["finished_at"], "status": last["status"], "exit_code": last.get("exit_code"),
            "articles_new": last["articles_new"], "coverage": cover, "usual_coverage": usual,
            "degraded": last.get("degraded"), "last_new_article": runs.last_new_article(db, name),
            "refused_pages": refused.counts(db, name),
            # whether the last run walked the whole site (else the next one pages through again)
            "complete": runs.last_pass_complete(db, name),
        })
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not out:
        click.echo("no crawl runs yet")
        return
    for item in out:
        click.echo(f"{item['site']}")
        click.echo(f"  last run:        #{item['run_id']} {item['started_at']} ({_ago(item['started_at'])}), "
                   f"status {item['status']}, exit {item['exit_code'] if item['exit_code'] is not None else '-'}")
        click.echo(f"  new articles:    {item['articles_new']}")
        cov = ", ".join(f"{f} {_pct(item['coverage'].get(f))} (usual {_pct(item['usual_coverage'].get(f))})"
                        for f in runs.COVERAGE_FIELDS)
        click.echo(f"  coverage:        {cov}")
        if item["degraded"]:  # the reasons of the run's status (blocked's, degraded's)
            label = "blocked:" if item["status"] == "blocked" else "degraded:"
            click.echo(f"  {label:<16} {item['degraded']}")
        if not item["complete"] and item["status"] != "running":
            click.echo("  incomplete:      the last run did not walk the whole site (pages failed, or it was "
                       "cut short); the next crawl walks every list page again")
        click.echo(f"  last new article: {_ago(item['last_new_article'])}")
        if item["refused_pages"]["refused"] or item["refused_pages"]["recovered"]:
            click.echo(f"  refused pages:   {refused.format_counts(item['refused_pages'])} "
                       "(kept with their capture; `parknews reparse` retries them)")


@click.command(name="runs")
@DB_OPTION
@click.option("--site", help="Only this site's runs.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per run, newest first).")
def runs_cmd(db_path, site, limit, as_json):
    """List crawl runs, newest first: status, exit code, requests, new/updated/unchanged articles.

    \b
    Example:
      parknews runs --site chinacom-yuanqu --limit 10
    """
    from archive import runs
    from archive.db import open_db

    db = open_db(db_path, create=False, migrate_schema=False)
    site = known_site(db, site)  # an unknown name is an error, as in search, stats and export
    rows = runs.list_runs(db, site=site, limit=limit)
    if as_json:
        for row in rows:
            for key in ("counts", "responses", "dropped", "coverage"):
                if isinstance(row.get(key), str):
                    row[key] = json.loads(row[key] or "{}")
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo("id\tsite\tstarted_at\tfinished_at\tstatus\texit\trequests\tnew\tupdated\tunchanged\tfailed\tmode")
    for r in rows:
        click.echo("\t".join(str(x if x is not None else "-") for x in (
            r["id"], r["site"], r["started_at"], r["finished_at"], r["status"], r.get("exit_code"),
            r.get("requests"), r["articles_new"], r["articles_updated"], r["articles_unchanged"],
            r["pages_failed"], r.get("mode"),
        )))


def register_commands(cli) -> None:
    cli.add_command(status)
    cli.add_command(runs_cmd)
