"""The `index` and `replay` commands: the CDXJ index of the WARC folder (archive/cdxj_index.py)
and replay of the archive in pywb (crawler/replay.py)."""
from __future__ import annotations

from pathlib import Path

import click

from crawler.cli.base import DB_OPTION, WARC_DIR_OPTION, CliError


def _folder(db_path, warc_dir) -> Path:
    from archive.warc import warc_dir_for

    folder = warc_dir_for(db_path, warc_dir)
    if not folder.is_dir():
        raise CliError(f"{folder}: no such WARC folder (crawl first, or give the folder with --warc-dir)")
    return folder


def _update(folder: Path):
    from archive.cdxj_index import CdxjIndexError, update_index

    try:
        return update_index(folder)
    except CdxjIndexError as exc:
        raise CliError(str(exc)) from None


@click.command()
@DB_OPTION
@WARC_DIR_OPTION
@click.option("--lookup", metavar="URL", help="Print the indexed captures of URL (a binary search, no scan).")
@click.option("--at", "at", metavar="TIME", help="With --lookup: only the capture closest to TIME (ISO 8601, "
                                                "YYYY-MM-DD, YYYY-MM or 14 digits).")
def index(db_path, warc_dir, lookup, at):
    """Bring the CDXJ index of the WARC files (WARC-FOLDER/index.cdxj) up to date: only WARC
    files not indexed yet are read. Crawls do this as they finish; pywb (`parknews replay`)
    and other web-archive tools read the index. With --lookup, also print one URL's captures
    (time, status, type, WARC file and offset, replay URL).

    \b
    Examples:
      parknews index
      parknews index --lookup http://yuanqu.china.com.cn/2024-05/13/content_1.html
      parknews index --lookup http://yuanqu.china.com.cn/2024-05/13/content_1.html --at 2024-06
    """
    from archive.cdxj_index import CdxjIndexError, closest, lookup as find
    from crawler.replay import replay_url

    if at and not lookup:
        raise CliError("--at picks one of the captures --lookup URL finds: give --lookup URL too")
    folder = _folder(db_path, warc_dir)
    result = _update(folder)
    click.echo(f"{result.path}: {result.records_added} records from {result.files_added} new WARC files"
               + (f", {result.files_dropped} gone or changed files dropped" if result.files_dropped else "")
               + f"; {result.records} records in all")
    if lookup:
        try:
            hits = find(folder, lookup)
        except CdxjIndexError as exc:
            raise CliError(str(exc)) from None
        if not hits:
            raise CliError(f"{lookup}: not in the index", 1)
        if at:
            try:
                hits = [closest(hits, at)]
            except ValueError:
                raise CliError(f"--at {at!r}: not a time (ISO 8601, YYYY-MM-DD, YYYY-MM or 14 digits)") from None
        for hit in hits:
            click.echo(f"{hit['timestamp']}  {hit.get('status', '-')}  {hit.get('mime', '-')}  "
                       f"{hit['filename']}@{hit['offset']}  {replay_url(hit['url'], hit['timestamp'])}")


@click.command()
@DB_OPTION
@WARC_DIR_OPTION
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port on 127.0.0.1 (default 8002, or PARKNEWS_REPLAY_URL's; 0: a free one).")
@click.option("--setup", is_flag=True,
              help="Make pywb's own environment (once; needs the package index) and exit.")
def replay(db_path, warc_dir, port, setup):
    """Serve the archive in pywb on 127.0.0.1: every capture at /parknews/TIMESTAMP/URL (as the
    page was, links rewritten into the archive), /parknews/TIMESTAMPid_/URL (the bytes as
    captured), /parknews/*/URL (all captures of URL). Read-only: the WARC files and the CDXJ
    index (brought up to date first) are all pywb sees. Stop with Ctrl-C.

    pywb pins old redis/fakeredis releases, so it runs from its own environment, made once by
    `parknews replay --setup` (~100 MB, under ~/.local/share/parknews/, or $PARKNEWS_PYWB_ENV).

    \b
    Examples:
      parknews replay --setup
      parknews replay --port 8002     # then open http://127.0.0.1:8002/parknews/*/URL
    """
    from urllib.parse import urlsplit

    from crawler.replay import ReplayError, free_port, replay_base, setup_pywb, start_pywb, wait_ready

    if setup:
        try:
            env = setup_pywb(quiet=False)
        except ReplayError as exc:
            raise CliError(str(exc)) from None
        click.echo(f"pywb is set up in {env}")
        return
    folder = _folder(db_path, warc_dir)
    result = _update(folder)
    if port is None:
        port = urlsplit(replay_base()).port or 80
    port = port or free_port()
    try:
        server = start_pywb(folder, result.path, port=port)
    except ReplayError as exc:
        raise CliError(str(exc)) from None
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a kill stops pywb too (finally below)
    try:
        wait_ready(server)
        click.echo(f"pywb serves {result.records} captures of {folder} at {server.base}parknews/ "
                   f"(e.g. {server.base}parknews/*/URL); Ctrl-C stops it", err=True)
        server.process.wait()
    except ReplayError as exc:
        raise CliError(str(exc)) from None
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def register_commands(cli) -> None:
    cli.add_command(index)
    cli.add_command(replay)
