"""The crawl commands: `parknews demo` (the bundled sample site), `parknews crawl` (a
configured site, a start URL, or --all) and `parknews sites` (the configured sites), and what a
crawl needs to run unattended: the per-site lock, the --full/--refresh/--allow-private
settings, several sites in one process for `crawl --all` / `crawl SITE SITE…` (crawler.runner.run_crawls), the
one-line summary for cron."""
from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import click

from crawler import ops
from crawler.cli.base import DB_OPTION, WARC_DIR_OPTION, CliError, sites_dir


def _print_summary(summary) -> None:
    for line in summary.lines():
        click.echo(line)


def _crawl_exit(summary) -> None:
    code, message = site_exit(summary)
    if code and message:
        raise CliError(message, code)


def site_exit(summary) -> tuple[int, str]:
    """A crawl's exit code (crawler/ops.py: 1 too many failed pages or an archive write that
    failed, 2 nothing fetched, 3 degraded site, 4 blocked by anti-bot answers, 75 locked, 130
    interrupted) and its one-line message ("" for 0)."""
    if summary.storage_errors:
        why = summary.stats.get("parknews/errors/message")  # an archive write that failed at the end
        return 1, (f"crawl of {summary.site}: {why}" if why else
                   f"crawl of {summary.site} finished with {summary.storage_errors} errors (see the log)")
    code = int(summary.stats.get("parknews/exit_code", 0) or 0)
    if code == 2:
        first = summary.stats.get("parknews/refused/first") or "refused as a loopback/private address"
        return 2, f"crawl of {summary.site}: nothing fetched, every page was refused ({first})"
    if code == ops.EXIT_LOCKED:
        return code, str(summary.stats.get("parknews/errors/message") or f"{summary.site}: locked")
    if code == 130:
        by = summary.stats.get("parknews/interrupted_by") or "a signal"
        if summary.status == "not started":
            return 130, f"crawl of {summary.site} not started: interrupted by {by} first"
        return 130, (f"crawl of {summary.site} interrupted by {by} (run marked interrupted): stored "
                     f"{summary.articles_new} new and {summary.get('parknews/articles/updated')} updated articles "
                     f"of {summary.pages_fetched} pages fetched; run the same command again to go on")
    if code == ops.EXIT_BLOCKED:
        return code, (f"site {summary.site} is blocking the crawl (run marked blocked): "
                      f"{summary.stats.get('parknews/blocked_reason')}")
    if code == 3:
        why = "; ".join(summary.stats.get("parknews/degraded") or [])
        return 3, f"site {summary.site} looks broken (run marked degraded): {why}"
    if code == 1:
        if summary.status == "failed" and summary.stats.get("parknews/errors/message"):
            return 1, f"crawl of {summary.site}: {summary.stats['parknews/errors/message']}"
        rate = float(summary.stats.get("parknews/failure_rate", 0) or 0)
        first = summary.stats.get("parknews/pages/first_failure")
        cause = f"; the first: {first}" if first else ""
        return 1, (f"crawl of {summary.site}: {rate:.0%} of the pages failed{cause} "
                   "(see the log and fetch_failures)")
    return code, ""


@click.command()
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
    from archive.warc import warc_dir_for
    from crawler.demo.server import SiteServer
    from crawler.demo.site import build_demo_site
    from crawler.runner import build_settings, run_crawl
    from crawler.parsing.sitefile import load_site

    _check_db_writable(db_path)
    site = load_site("demo")
    # The sample site keeps the origin of its site file on every run; only the connection goes
    # to this run's port (PARKNEWS_HOST_MAP), so a second run finds everything already stored.
    origin = urlsplit(site.start_urls[0])
    with SiteServer(build_demo_site().pages) as server:
        click.echo(f"sample site {origin.scheme}://{origin.netloc}/ served from {server.base_url}")
        settings = build_settings(db_path, log_level=log_level, warc_dir=warc_dir,
                                  overrides={"PARKNEWS_HOST_MAP": {origin.hostname: server.base_url}})
        summary = run_crawl("site", settings, site.name, site=site)
    click.echo("sample site stopped")
    _print_summary(summary)
    click.echo(f"archive:            {Path(db_path).resolve()}")
    click.echo(f"WARC files:         {warc_dir_for(db_path, warc_dir).resolve()}")
    if summary.failed:
        click.echo("(the sample site answers one link with 404, one with 500 and one with a 412 script "
                   "challenge on purpose)")
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


@click.command()
@click.argument("targets", nargs=-1, metavar="[SITE|URL]...")
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
@click.option("--all", "all_sites", is_flag=True,
              help="Crawl every configured site but demo, all at once in this process (as with several SITEs).")
@click.option("--max-sites-at-once", type=click.IntRange(min=1), default=None, metavar="N",
              help="With several sites: crawl at most N at a time, the next starting as one ends "
                   f"(default: {ops.SITES_PER_CORE} per CPU core, here {ops.default_sites_at_once()}).")
@click.option("--full", is_flag=True, help="Fetch everything again (default: only what is new).")
@click.option("--refresh", "refresh_days", type=click.FloatRange(min=0), default=0, metavar="DAYS",
              help="Re-fetch articles first seen in the last DAYS days with conditional requests.")
@click.option("--allow-private", is_flag=True,
              help="Allow loopback/private/link-local addresses (a local test site).")
@click.option("--images", "capture_images", is_flag=True,
              help="Fetch the articles' images and capture them in the WARC files (also: site file "
                   "[crawl] capture_images = true).")
@click.option("-s", "--set", "set_options", multiple=True, metavar="NAME=VALUE",
              help="Set a Scrapy or parknews setting, as `scrapy crawl -s` (wins over the site file; "
                   "see the README for the ones that matter).")
def crawl(targets, db_path, warc_dir, follow, article, max_pages, base_url, delay, log_level, log_file, stats_file,
          all_sites, max_sites_at_once, full, refresh_days, allow_private, capture_images, set_options):
    """Crawl a configured SITE (see `parknews sites`) or any site from a start URL.

    With a URL, the crawl stays on that host, follows list and pagination links and decides
    by itself which pages are articles; --follow and --article narrow that.

    Several SITEs (or --all) are crawled at the same time in this one process, each with its
    own delay and concurrency, lock, run and exit code; the command prints each site's summary
    as it ends and exits with the worst code.

    \b
    Examples:
      parknews crawl chinacom-yuanqu --db archive.db
      parknews crawl http://www.example-zone.gov.cn/xwzx/ --max-pages 300
      parknews crawl http://www.example-zone.gov.cn/ --article '/art_\\d+\\.html' --follow '/xwzx/'
      parknews crawl --all --max-sites-at-once 20
    """
    from crawler.runner import build_settings, parse_set_options, run_crawl
    from crawler.parsing.sitefile import SITES_DIR, load_site

    from crawler.middlewares import check_host_map

    try:
        user_settings = parse_set_options(set_options)
        check_host_map(user_settings.get("PARKNEWS_HOST_MAP"))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if all_sites or len(targets) != 1:
        if all_sites == bool(targets):
            raise CliError("give a SITE or URL to crawl, several SITEs, or --all (and not both)")
        if follow or article or base_url:
            raise CliError("--follow/--article/--base-url apply to the crawl of one site")
        configs = _selected_sites(targets)
        settings = build_settings(db_path, max_pages=max_pages, log_level=log_level, log_file=log_file,
                                  delay=delay, warc_dir=warc_dir)
        ops_settings = crawl_overrides(full=full, refresh_days=refresh_days, allow_private=allow_private,
                                       capture_images=capture_images)
        ops_settings["PARKNEWS_PROGRESS"] = False  # one line per crawler would overwrite each other
        # one parse pool per crawler would start cores-1 processes per site (memory grows with
        # the sites); parsing inline until the crawlers share one pool (-s still wins)
        ops_settings["PARKNEWS_PARSE_WORKERS"] = 0
        apply_overrides(settings, {**ops_settings, **user_settings})
        _check_db_writable(db_path)
        code = crawl_sites(db_path, configs, settings, max_sites_at_once or ops.default_sites_at_once(),
                           label="crawl --all" if all_sites else "crawl", stats_file=stats_file)
        if code:
            raise CliError(f"{'crawl --all' if all_sites else 'crawl'}: {len(configs)} sites, the worst exit code "
                           f"was {code} (see above)", code)
        return
    target = targets[0]
    _compile("--follow", follow)
    _compile("--article", article)
    _check_db_writable(db_path)
    ops_settings = crawl_overrides(full=full, refresh_days=refresh_days, allow_private=allow_private,
                                   capture_images=capture_images)
    if target.startswith(("http://", "https://")):
        if base_url:
            raise CliError("--base-url applies to configured sites, not to a start URL")
        from spiders.common import host_of

        if not host_of(target):
            raise CliError(f"{target}: not a valid URL")
        settings = build_settings(db_path, max_pages=max_pages, log_level=log_level, log_file=log_file,
                                  delay=delay, warc_dir=warc_dir)
        apply_overrides(settings, {**ops_settings, **user_settings})
        with locked(db_path, host_of(target)):
            summary = run_crawl("auto", settings, host_of(target), start_url=target, follow=follow, article=article)
    else:
        if "://" in target:
            raise CliError(f"{target}: only http and https URLs can be crawled")
        if follow or article:
            raise CliError("--follow/--article apply to URL crawls; a site file sets its own links")
        site = load_site(target, sites_dir() or SITES_DIR)
        if base_url:
            site = site.with_base_url(base_url)
        settings = build_settings(db_path, max_pages=max_pages, log_level=log_level,
                                  log_file=log_file, delay=delay, warc_dir=warc_dir)
        apply_overrides(settings, {**ops_settings, **user_settings})
        with locked(db_path, site.name):
            summary = run_crawl("site", settings, site.name, site=site)
    if stats_file:
        summary.write_stats(stats_file)
    _print_summary(summary)
    click.echo(one_line(summary))
    _crawl_exit(summary)


@click.command()
def sites():
    """List the configured sites (spiders/sites/*.toml).

    \b
    Example:
      parknews sites
    """
    from crawler.parsing.sitefile import load_all_sites

    for site in load_all_sites():
        click.echo(f"{site.name}\t{site.title}\t{', '.join(site.start_urls)}")


def crawl_overrides(*, full: bool, refresh_days: float, allow_private: bool, capture_images: bool = False) -> dict:
    out = {"PARKNEWS_LOCK_HELD": True}
    if full:
        out["PARKNEWS_INCREMENTAL"] = False
    if refresh_days:
        out["PARKNEWS_REFRESH_DAYS"] = refresh_days
    if allow_private:
        out["PARKNEWS_ALLOW_PRIVATE"] = True
    if capture_images:
        out["PARKNEWS_CAPTURE_IMAGES"] = True
    # a progress line only on an interactive terminal; cron gets the log and the summary
    out["PARKNEWS_PROGRESS"] = sys.stderr.isatty()
    return out


@contextmanager
def locked(db_path, site: str):
    lock = ops.site_lock(db_path, site)
    try:
        lock.acquire()
    except ops.LockBusy as exc:
        raise CliError(str(exc), ops.EXIT_LOCKED) from None
    except OSError as exc:
        raise CliError(f"{lock.path}: cannot take the crawl lock ({exc.strerror or exc})") from None
    if lock.stale_pid is not None:
        click.echo(f"parknews: taking over the lock of {site} left by pid {lock.stale_pid} (no longer running)",
                   err=True)
    try:
        yield lock
    finally:
        lock.release()


def _selected_sites(names) -> list:
    """The site files of `crawl SITE SITE…` (names or paths), or of every configured site but
    demo (`--all`, $PARKNEWS_SITES_DIR or spiders/sites/)."""
    from crawler.parsing.sitefile import SITES_DIR, load_all_sites, load_site

    folder = sites_dir() or SITES_DIR
    for name in names:
        if "://" in name:
            raise CliError(f"{name}: crawl one start URL at a time (several targets must be configured sites)")
    configs = ([load_site(n, folder) for n in names] if names
               else [s for s in load_all_sites(folder) if s.name != "demo"])
    if not configs:
        raise CliError("no configured sites to crawl (besides demo)")
    seen: set[str] = set()
    for config in configs:
        if config.name in seen:
            raise CliError(f"site {config.name} named twice")
        seen.add(config.name)
    return configs


def crawl_sites(db_path, configs, settings, max_at_once: int, *, label: str, stats_file=None) -> int:
    """Crawl several sites in this one process (crawler.runner.run_crawls), at most
    `max_at_once` at a time; each takes its lock just before it starts (a busy lock: exit 75
    for that site, the others go on). Each site's summary, one-line and error, if any, are
    printed as it ends; returns the worst exit code."""
    import json

    from crawler.runner import CrawlJob, CrawlSummary, run_crawls

    def job(config) -> CrawlJob:
        lock = ops.site_lock(db_path, config.name)

        def start():
            try:
                lock.acquire()
            except ops.LockBusy as exc:
                message = str(exc)
            except OSError as exc:
                message = f"{lock.path}: cannot take the crawl lock ({exc.strerror or exc})"
            else:
                if lock.stale_pid is not None:
                    click.echo(f"parknews: taking over the lock of {config.name} left by pid {lock.stale_pid} "
                               "(no longer running)", err=True)
                return None
            return CrawlSummary(site=config.name, stats={"parknews/exit_code": ops.EXIT_LOCKED,
                                                         "parknews/run_status": "locked",
                                                         "parknews/errors/message": message})

        return CrawlJob(config.name, "site", {"site": config}, start=start, finish=lock.release)

    codes = []

    def ended(summary) -> None:
        code, message = site_exit(summary)
        if summary.status not in ("locked", "not started"):
            _print_summary(summary)
            click.echo(one_line(summary))
        if message:
            click.echo(f"parknews: {message}", err=True)
        click.echo(f"{label}: {summary.site}: exit {code}")
        codes.append(code)
        sys.stdout.flush()

    summaries = run_crawls([job(c) for c in configs], settings, max_at_once, on_end=ended)
    if stats_file:
        Path(stats_file).write_text(json.dumps({s.site: s.stats for s in summaries}, default=str, indent=1,
                                               sort_keys=True), encoding="utf-8")
    return ops.worst_exit(codes)


def apply_overrides(settings, overrides: dict) -> None:
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")


def one_line(summary) -> str:
    """The whole run on one line (for cron mail and log files)."""
    s = summary.stats
    get = summary.get
    elapsed = s.get("elapsed_time_seconds") or 0
    return (f"parknews crawl {summary.site}: {summary.status}, exit {int(s.get('parknews/exit_code', 0) or 0)}; "
            f"requests {get('downloader/request_count')}, new {summary.articles_new}, "
            f"updated {get('parknews/articles/updated')}, unchanged {get('parknews/articles/unchanged')}, "
            f"known skipped {summary.skipped().get('known', 0)}, failed {summary.failed}, "
            f"{get('downloader/response_bytes') // 1024} KiB, {float(elapsed):.1f} s"
            + (f"; blocked answers {summary.blocked_line()}" if summary.blocked() else ""))


def register_commands(cli) -> None:
    for command in (demo, crawl, sites):
        cli.add_command(command)
