"""Commands for archivists and downstream systems: search, show, stats, export, serve.

Registered on `crawler.cli.cli` by crawler/cli/__init__.py (register_commands). Bad input (a date
that does not parse, an unknown site, an unwritable output, a bad cursor name) is one line on
stderr and exit 2, before the database is written to.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from crawler.cli.base import DB_OPTION, WARC_DIR_OPTION, CliError, format_table, known_site, sites_dir

FORMAT_CHOICE = click.Choice(["table", "json", "jsonl"])


def _open(db_path):
    from archive.db import open_db

    return open_db(db_path, create=False, migrate_schema=False)  # a read command writes no schema


def _bounds(since, until):
    from archive.readers import ReaderError, parse_date_bound

    try:
        return (parse_date_bound(since, "--since", upper=False),
                parse_date_bound(until, "--until", upper=True))
    except ReaderError as exc:
        raise CliError(str(exc)) from None


def _park(db, park):
    """--park NAME as its canonical park (through aliases), links brought up to date first."""
    if park is None:
        return None
    from archive.parks import ParkError, resolve, try_sync

    try_sync(db)
    try:
        return resolve(db, park)
    except ParkError as exc:
        raise CliError(str(exc)) from None


PARK_OPTION = click.option("--park", metavar="NAME",
                           help="Only articles about this park (its name or any alias; see `parknews parks`).")


def _echo_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


# ---------------------------------------------------------------- search

def _after_double_dash() -> int:
    """How many of this command's arguments came after a "--" on the command line."""
    args = sys.argv[1:]
    return len(args) - args.index("--") - 1 if "--" in args else 0


_OPTION_LIKE = re.compile(r"^--?[A-Za-z][A-Za-z0-9-]*(=.*)?$")


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("terms", nargs=-1, metavar="[TERMS]...")
@DB_OPTION
@click.option("--site", help="Only this site's articles (exact name).")
@click.option("--source", help="Only articles whose 来源 contains this text.")
@click.option("--author", help="Only articles whose 作者 contains this text.")
@click.option("--since", metavar="DATE", help="Published on or after DATE (YYYY-MM-DD, YYYY-MM, YYYY).")
@click.option("--until", metavar="DATE", help="Published on or before DATE (a whole day, month or year).")
@PARK_OPTION
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="table", show_default=True,
              help="table: ranked list with snippets; json/jsonl: full records with rank, score, snippet, marked_title, attachment (the hit is only in this attachment).")
def search(terms, db_path, site, source, author, since, until, park, limit, fmt):
    """Full-text search of titles, bodies and attachments' text (Chinese terms of any length, 2-character ones
    included); the filters work with or without TERMS.

    Every term must match (several arguments, or several words in one argument); '"quoted
    words"' are one term. A term may begin with "-" (-园区 is the text "-园区", not an
    exclusion); a word that looks like an option (--sitee) is refused as a misspelt option
    unless it comes after "--". Matches in the title and the snippet are marked with [ ]; a hit
    found only in an attachment shows [附件: its name] and a snippet of its text.

    \b
    Examples:
      parknews search 园区
      parknews search 招商 园区 --site demo --since 2024-01
      parknews search '"营商环境 招商"'          # one term, with its space
      parknews search -- --flag-word             # terms after -- are never options
      parknews search --author 张三 --format json
      parknews search 招商 --park 西安经开区 --since 2023    # through the park's aliases
    """
    from archive.export import record_by_id
    from archive.search import SearchError, search as run_search

    after_dashdash = _after_double_dash()
    for i, term in enumerate(terms):
        if i < len(terms) - after_dashdash and _OPTION_LIKE.match(term):
            raise CliError(f"no such option: {term.split('=', 1)[0]} (to search for it, put it after --: "
                           f"parknews search -- {term})")
    query = " ".join(terms)
    since, until = _bounds(since, until)
    db = _open(db_path)
    site = known_site(db, site)
    park = _park(db, park)
    try:
        hits = run_search(db, query, site=site, source=source, author=author, since=since, until=until,
                          limit=limit, park=park)
    except SearchError as exc:
        raise CliError(f"search: {exc}") from None
    if fmt == "table":
        if not hits:
            click.echo("no articles found")
            return
        rows = [[i, h.published_at[:10] if h.published_at else "", h.site, h.source, h.marked_title, h.id]
                for i, h in enumerate(hits, 1)]
        table = format_table(["#", "date", "site", "source", "title", "id"], rows).split("\n")
        click.echo(table[0])
        click.echo(table[1])
        for line, h in zip(table[2:], hits):
            click.echo(line)
            click.echo("     " + (f"[附件: {h.attachment}] " if h.attachment else "") + h.snippet)
        click.echo(f"({len(hits)} articles{'; more with --limit' if len(hits) == limit else ''})")
        return
    results = []
    for i, h in enumerate(hits, 1):
        results.append({"rank": i, "score": h.score, "snippet": h.snippet, "marked_title": h.marked_title,
                        "attachment": h.attachment,
                        "record": record_by_id(db, h.id)})
    if fmt == "jsonl":
        for r in results:
            click.echo(json.dumps(r, ensure_ascii=False))
    else:
        _echo_json({"query": query, "filters": {"site": site, "source": source, "author": author,
                                                 "since": since, "until": until, "park": park},
                    "count": len(results), "results": results})


# ---------------------------------------------------------------- show

def _image_capture(image: dict) -> str:
    """What `crawl --images` (crawler/images.py) did with an image: captured, or why not."""
    if image.get("reason"):
        return f"  [not captured: {image['reason']}]"
    if image.get("capture"):
        c = image["capture"]
        return f"  [captured {image.get('media_type')}, {image.get('bytes')} bytes: {c.get('warc_file')} @{c.get('offset')}]"
    return ""


def _show_text(info) -> str:
    from crawler.replay import archived_copy_line

    rec = info["record"]
    out = [f"# {rec['title'] or '(no title)'}", ""]
    for name in ("id", "site", "published_at", "source", "author", "editor", "url", "canonical_url",
                 "fetched_at", "first_seen", "updated_at", "parser_version", "content_hash"):
        out.append(f"{name + ':':16}{'' if rec[name] is None else rec[name]}")
    if rec["warnings"]:
        out.append(f"{'warnings:':16}{'; '.join(rec['warnings'])}")
    if rec.get("parks"):
        out.append(f"{'parks:':16}" + "; ".join(
            f"{p['park']} ({'about' if p['about'] else 'named'}, {p['mentions']}x"
            + ("" if p["known"] else ", candidate") + ")" for p in rec["parks"]))
    out.append("")
    for section in rec["sections"]:
        if section.get("heading"):
            out += [f"## {section['heading']}", ""]
        for p in section.get("paragraphs") or []:
            out += [p, ""]
    if rec["images"]:
        out.append(f"images ({len(rec['images'])}):")
        out += [f"  {i['src']}" + (f"  {i['caption']}" if i.get("caption") else "") + _image_capture(i)
                for i in rec["images"]]
        out.append("")
    out.append(f"seen at ({len(info['urls'])} URLs):")
    out += [f"  {u['url']}  [{u['site']}] first {u['first_seen']}, last {u['last_seen']}" for u in info["urls"]]
    out.append("")
    out += _copies_text(info["copies"])
    out.append(f"captures ({len(info['captures'])}):")
    for c in info["captures"]:
        out.append("  " + ", ".join(f"{k}={v}" for k, v in c.items()
                                    if v is not None and k not in ("article_id", "replay_url")))
        if c.get("replay_url"):
            out.append(f"    live: {c['url']}  {archived_copy_line(c)}")
    out.append(f"versions ({len(info['versions'])}):")
    for v in info["versions"]:
        out.append("  " + ", ".join(f"{k}={v2}" for k, v2 in v.items()
                                    if v2 is not None and not isinstance(v2, (list, dict)) and k not in ("body_text",)))
    cl = info["cluster"]
    if cl:
        out.append(f"republished copies (cluster {cl['id']}, {len(cl['members'])} articles):")
        for m in cl["members"]:
            tag = "original" if m["id"] == cl["original_article_id"] else ("this" if m["id"] == rec["id"] else "copy")
            sim = f"{m['similarity']:.2f}" if m["similarity"] is not None else "-"
            out.append(f"  [{tag}] #{m['id']} {m['published_at'] or ''} {m['site']} {m['source'] or ''} "
                       f"sim {sim}  {m['title']}  {m['url']}")
    else:
        out.append("republished copies: none found")
    return "\n".join(out)


def _copies_text(copies) -> list[str]:
    """What each URL said; [row] marks the copy the article row shows (archive.merge)."""
    out = [f"copies ({len(copies)}; [row]: the copy the record above shows):"]
    for c in copies:
        if not c["kept"]:
            out.append(f"  [not kept] {c['url']}  (stored before each URL's parse was kept)")
            continue
        out.append(f"  [{'row' if c['row'] else 'copy'}] {c['url']}  date {c['published_at'] or '-'}  "
                   f"source {c['source'] or '-'}  author {c['author'] or '-'}  editor {c['editor'] or '-'}")
    out.append("")
    return out


def _show_provenance(db, db_path, article_id, warc_dir, fmt):
    from archive.provenance import provenance
    from archive.warc import warc_dir_for
    from crawler.replay import archived_copy_line, capture_replay_url

    caps = provenance(db, article_id, warc_dir_for(db_path, warc_dir), sites_dir=sites_dir())
    for c in caps:
        c["replay_url"] = capture_replay_url(c)
    if not caps:
        if fmt == "json":
            _echo_json(caps)
        raise CliError(f"article {article_id} has no captures in {db_path} (stored before WARC capture, "
                       "or crawled with PARKNEWS_WARC off): nothing to check", 1)
    if fmt == "json":
        _echo_json(caps)
    else:
        click.echo(f"captures of article {article_id} ({len(caps)}):")
        for c in caps:
            click.echo(f"  capture {c['id']}: {c['record_type']} of {c['url']}\n"
                       f"    WARC file {c['warc_file']}, offset {c['offset']}, length {c['length']}, "
                       f"record {c['record_id']}" + (f" (refers to {c['refers_to']})" if c["refers_to"] else "") +
                       f"\n    payload digest {c['payload_digest'] or '-'}, fetched {c['fetched_at']}, "
                       f"status {c['status'] if c['status'] is not None else '-'}, IP {c['ip'] or 'not recorded'}"
                       + (f", run {c['run_id']}" if c.get("run_id") else ""))
            verdict = {"ok": "digest ok", "mismatch": "digest MISMATCH", "missing": "missing"}[c["check"]]
            click.echo(f"    {verdict}" + (f" ({c['problem']})" if c["problem"] else ""))
            detail = c["parse_detail"]
            click.echo("    fresh parse: " + {
                "equal": "the stored fields equal it",
                "differs": f"DIFFERS from the stored fields in {', '.join(detail or [])}",
                "refused": f"the parser now refuses the page ({detail})",
                "unreadable": f"cannot read the page ({detail})",
            }.get(c["parse"], f"not compared ({detail})"))
            line = archived_copy_line(c)
            if line:
                click.echo(f"    {line}")
    if any(c["check"] != "ok" for c in caps):
        sys.exit(1)


@click.command()
@click.argument("ref", metavar="ID|URL")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--provenance", is_flag=True,
              help="List every capture and check its WARC record on disk (exit 1 when any fails).")
@WARC_DIR_OPTION
def show(ref, db_path, fmt, provenance, warc_dir):
    """Show one article: the whole record (sections with their headings), every URL it was seen
    at, what each URL's page said (date, source, author, editor; [row]: the copy the record
    shows), its captures, its versions and its cluster of republished copies.

    \b
    Examples:
      parknews show 12
      parknews show http://yuanqu.china.com.cn/news/2024-05/13/content_1.html --format json
      parknews show 12 --provenance
    """
    from archive.readers import resolve_article, show as show_info

    db = _open(db_path)
    article_id = resolve_article(db, ref)
    if article_id is None:
        raise CliError(f"{ref}: no such article in {db_path} (give an article id or a URL it was seen at)", 1)
    if provenance:
        _show_provenance(db, db_path, article_id, warc_dir, fmt)
        return
    info = show_info(db, article_id)
    from crawler.replay import capture_replay_url

    for c in info["captures"]:
        c["replay_url"] = capture_replay_url(c)
    if fmt == "json":
        _echo_json(info)
    else:
        click.echo(_show_text(info))


# ---------------------------------------------------------------- stats

@click.command()
@DB_OPTION
@click.option("--site", help="Only this site's articles.")
@click.option("--by", type=click.Choice(["month", "site", "source", "park"]),
              help="One row per month, site, source or park (the articles about it).")
@click.option("--chart", type=click.Path(dir_okay=False), metavar="FILE.png",
              help="Also draw a bar chart of articles per month per site (PNG).")
@click.option("--park", metavar="NAME", help="--chart: only the articles about this park (name or alias).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(db_path, site, by, chart, park, fmt):
    """Article counts and field coverage (share of articles that have each field).

    \b
    Examples:
      parknews stats
      parknews stats --by month --site demo
      parknews stats --chart per-month.png
      parknews stats --by park
      parknews stats --chart xian.png --park 西安经开区
    """
    from archive.chart import ChartError, write_chart
    from archive.readers import STATS_FIELDS, stats as run_stats

    if chart:
        out = Path(chart)
        if out.is_dir() or not out.parent.is_dir():
            raise CliError(f"{out}: cannot write (no such folder, or a folder)")
    if park and not chart:
        raise CliError("--park draws the --chart of one park: give --chart FILE.png too")
    db = _open(db_path)
    site = known_site(db, site)
    park = _park(db, park)
    if by == "park":
        from archive.parks import try_sync

        try_sync(db)
    result = run_stats(db, site=site, by=by)
    from archive import refused

    result["refused_pages"] = refused.counts(db, site)
    if chart:
        try:
            drawn = write_chart(db, chart, site, titles=_site_titles(), park=park)
        except OSError as exc:
            raise CliError(f"{chart}: cannot write ({exc.strerror or exc})") from None
        except ChartError as exc:
            raise CliError(str(exc)) from None
    if fmt == "json":
        _echo_json(result)
    else:
        short = {"published_at": "date", "body_text": "body"}
        headers = [by or "", "articles"] + [short.get(f, f) for f in STATS_FIELDS]
        rows = [[g["group"], g["articles"]] + [f"{100 * g['coverage'][f]:.0f}%" for f in STATS_FIELDS]
                for g in result["groups"]]
        click.echo(f"articles: {result['articles']}   URLs: {result['urls']}"
                   + (f"   in republished clusters: {result['clustered_articles']}" if "clustered_articles" in result else "")
                   + (f"   site: {site}" if site else ""))
        if result["refused_pages"]["refused"] or result["refused_pages"]["recovered"]:
            click.echo(f"refused pages (not stored as articles; `parknews reparse` retries them): "
                       f"{refused.format_counts(result['refused_pages'])}")
        if rows:
            click.echo("field coverage (share of articles that have the field):")
            click.echo(format_table(headers, rows))
    if chart:
        click.echo(f"chart: {chart} ({drawn.months} months)", err=True)
        if drawn.font is None:
            click.echo("chart: no CJK font found, drawn without Chinese labels "
                       "(apt-get install fonts-noto-cjk, or set PARKNEWS_CJK_FONT to a font file)", err=True)


def _site_titles() -> dict[str, str]:
    """Site name -> its Chinese title, from the site files (the chart's labels)."""
    from crawler.parsing.sitefile import SiteFileError, load_all_sites

    try:
        return {s.name: s.title for s in load_all_sites() if s.title}
    except SiteFileError:
        return {}  # a broken site file must not stop a chart; its sites are labelled by name


# ---------------------------------------------------------------- export

@click.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet", "warc", "wacz"]), default="jsonl",
              show_default=True)
@click.option("--output", "-o", default="-", show_default=True, help="Output file, or - for stdout.")
@click.option("--site", help="Only this site's records.")
@click.option("--since", metavar="DATE", help="Published on or after DATE.")
@click.option("--until", metavar="DATE", help="Published on or before DATE (the whole day/month/year).")
@PARK_OPTION
@click.option("--cursor", metavar="NAME",
              help="Incremental: only records added or changed since the last complete export with this "
                   "cursor name; the cursor moves only when this export completes.")
@WARC_DIR_OPTION
@click.option("--progress/--no-progress", default=None, help="Progress on stderr (default: when it is a terminal).")
def export(db_path, fmt, output, site, since, until, park, cursor, warc_dir, progress):
    """Export records for downstream systems: JSON Lines, CSV, Parquet, or the WARC records
    of the selected articles (as .warc.gz, or as a WACZ package with a CDXJ index and page list).

    JSONL and Parquet keep sections and images structured; CSV has them as JSON text. A file
    export writes FILE.manifest.json beside it (schema version, record count, SHA-256, filters).

    \b
    Examples:
      parknews export --format jsonl --output records.jsonl
      parknews export --format parquet --site demo --since 2024-01 -o demo.parquet
      parknews export --cursor nightly -o changes.jsonl      # only what changed since last time
      parknews export --format warc --site demo -o demo.warc.gz
      parknews export --format wacz --site demo -o demo.wacz   # WARC + CDXJ + pages, for ReplayWeb.page
      parknews export --park 苏州园区 -o sip.jsonl              # articles about 苏州工业园区
    """
    from archive.cursors import CursorError, check_name
    from archive.export import ExportError, export as run_export
    from archive.warc import warc_dir_for

    since, until = _bounds(since, until)
    if cursor is not None:
        try:
            check_name(cursor)
        except CursorError as exc:
            raise CliError(str(exc)) from None
    db = _open(db_path)
    site = known_site(db, site)
    park = _park(db, park)
    if fmt in ("warc", "wacz"):
        warc_dir = warc_dir_for(db_path, warc_dir)
    if fmt == "wacz":
        from archive.wacz_export import export_wacz

        if cursor is not None:
            raise CliError("--cursor is not supported with --format wacz (a package is always complete)")
        try:
            result = export_wacz(db, output=output, warc_dir=warc_dir, site=site, since=since, until=until,
                                 park=park)
        except ExportError as exc:
            raise CliError(str(exc)) from None
        click.echo(f"exported {result.records} records ({result.manifest['pages']} pages) to {result.path}",
                   err=True)
        return
    try:
        result = run_export(db, fmt=fmt, output=output, site=site, since=since, until=until, park=park,
                            cursor=cursor, progress=progress, warc_dir=warc_dir)
    except ExportError as exc:
        raise CliError(str(exc)) from None
    where = f" to {result.path}" if result.path else ""
    extra = f" (manifest {result.manifest_path.name})" if result.manifest_path else ""
    cur = f"; cursor {cursor!r} moved" if cursor else ""
    click.echo(f"exported {result.records} records{where}{extra}{cur}", err=True)


# ---------------------------------------------------------------- serve

@click.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="Port (0: a free one).")
def serve(db_path, host, port):
    """Browse and search the archive in Datasette, read-only.

    Opens the database read-only (?mode=ro) with table and column descriptions, Chinese
    full-text search (the `search` query: 2-character terms too), JSON columns rendered and
    canned queries: latest articles per site, articles mentioning a park, republished clusters,
    degraded crawl runs. Write SQL is refused.

    \b
    Example:
      parknews serve --port 8001        # then open http://127.0.0.1:8001/
    """
    from crawler.serve import run_server

    db = _open(db_path)  # checks the file and migrates it; brings the search index up to date
    from archive.search import try_sync as sync_search

    sync_search(db)
    from archive.parks import try_sync as sync_parks

    sync_parks(db)  # article_parks current for the park facet and the "articles about a park" query
    db.close()
    run_server(db_path, host=host, port=port)


def register_commands(cli) -> None:
    for command in (search, show, stats, export, serve):
        cli.add_command(command)
