"""Helpers for the scheduled-crawl tests: a local site (crawler.demo.site.generate_site) behind a
SiteServer, a site file pointing at it, and `parknews` run in real subprocesses."""
import time
from types import SimpleNamespace

import pytest

from crawler.demo.server import Page, SiteServer
from crawler.demo.site import generate_site
from pn_testing import cli_env, db_rows, run_cli, start_cli, write_site

run = run_cli
start = start_cli


def article_paths(pages):
    return sorted(p for p in pages if "/content_" in p)


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
