"""Helpers for the scheduled-crawl tests: a local site (crawler.demo.site.generate_site) behind a
SiteServer, a site file pointing at it, and `parknews` run in real subprocesses."""
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlite_utils

from crawler.demo.server import Page, SiteServer
from crawler.demo.site import generate_site

ROOT = Path(__file__).resolve().parents[2]


def cli_env(extra=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    for key in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"):
        env.pop(key, None)
    env.update(extra or {})
    return env


def run(*args, timeout=180, env=None):
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=cli_env(env))
    proc.code = proc.returncode
    return proc


def start(*args, env=None):
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(env))


def write_site(tmp_path, name, base_url, *, start="/news/index.html", allow_private=True, concurrency=4,
               extra_domains=(), follow=(r"/news/index(_\d+)?\.html$",)):
    host = base_url.split("://", 1)[1].split("/")[0].split(":")[0]
    domains = [host, *extra_domains]
    path = Path(tmp_path) / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\n'
        f'start_urls = ["{base_url}{start}"]\n'
        f'allowed_domains = {domains!r}\n'.replace("'", '"')
        + "[links]\n"
        "article = ['/\\d{4}-\\d{2}/\\d{2}/content_\\d+\\.html']\n"
        "follow = [" + ", ".join(f"'{f}'" for f in follow) + "]\n"
        "[crawl]\n"
        f"download_delay = 0\nconcurrency = {concurrency}\nautothrottle = false\n"
        f"allow_private = {'true' if allow_private else 'false'}\n",
        encoding="utf-8",
    )
    return path


def article_paths(pages):
    return sorted(p for p in pages if "/content_" in p)


def db_rows(db, sql, args=()):
    d = sqlite_utils.Database(str(db))
    try:
        return list(d.execute_returning_dicts(sql, list(args)))
    finally:
        d.close()


def wait_for(pred, timeout=60, every=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out waiting")


@pytest.fixture
def ops():
    return SimpleNamespace(run=run, start=start, write_site=write_site, article_paths=article_paths,
                           db_rows=db_rows, wait_for=wait_for, generate_site=generate_site, Page=Page,
                           SiteServer=SiteServer, env=cli_env)


@pytest.fixture
def small_site():
    """A 45-article site (3 list pages of 20 newest first), served on 127.0.0.1."""
    pages = generate_site(45, seed=5)
    with SiteServer(dict(pages)) as srv:
        srv.site_pages = pages
        yield srv
