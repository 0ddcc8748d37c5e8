"""A crawl always honours SIGTERM and Ctrl-C: it stops within PARKNEWS_STOP_GRACE, stores what
it fetched, closes its WARC file, marks the run interrupted (exit 130) and frees the lock."""
import fcntl
import os
import signal
import time
from pathlib import Path

import pytest
import sqlite_utils

from crawler.demo.server import Page, SiteServer
from crawler.demo.site import generate_site
from pn_testing import start_cli, write_site


def slowed(pages, delay):
    return {p: (Page(pg.status, pg.body, dict(pg.headers), delay) if "/content_" in p else pg)
            for p, pg in pages.items()}


def rows(db, sql):
    d = sqlite_utils.Database(str(db))
    try:
        return list(d.execute_returning_dicts(sql))
    finally:
        d.close()


def wait_for(pred, timeout=90):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if pred():
                return
        except Exception:  # noqa: BLE001 - the database is not there yet
            pass
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def lock_is_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def finish(proc, timeout):
    start = time.monotonic()
    out, err = proc.communicate(timeout=timeout)
    return out, err, time.monotonic() - start


def test_sigterm_ends_a_crawl_stuck_on_pages_that_never_come(tmp_path):
    # article pages answer after 120 s: a graceful stop alone would wait for them
    with SiteServer(slowed(generate_site(30, seed=3), 120)) as srv:
        site = write_site(tmp_path, "stuck", srv.base_url, concurrency=2)
        db = tmp_path / "stuck.db"
        proc = start_cli("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING",
                         "-s", "PARKNEWS_STOP_GRACE=2", "-s", "DOWNLOAD_TIMEOUT=300")
        try:
            wait_for(lambda: any("/content_" in r[1] for r in srv.requests))
            proc.send_signal(signal.SIGTERM)
            out, err, took = finish(proc, 60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, err[-3000:]
    assert took < 20, took
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("parknews: error: crawl of stuck interrupted by SIGTERM"), err[-3000:]
    assert "stored 0 new" in last
    assert lock_is_free(tmp_path / "stuck.db.locks" / "stuck.lock")
    run = rows(db, "SELECT status, exit_code FROM crawl_runs")
    assert run == [{"status": "interrupted", "exit_code": 130}]


def test_ctrl_c_twice_stops_at_once_and_keeps_what_was_fetched(tmp_path):
    with SiteServer(slowed(generate_site(60, seed=11), 0.4)) as srv:
        site = write_site(tmp_path, "twice", srv.base_url, concurrency=2)
        db = tmp_path / "twice.db"
        proc = start_cli("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
        try:
            wait_for(lambda: rows(db, "SELECT count(*) AS n FROM article_urls")[0]["n"] >= 3)
            proc.send_signal(signal.SIGINT)
            time.sleep(0.3)
            proc.send_signal(signal.SIGINT)
            out, err, took = finish(proc, 60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, err[-3000:]
    assert took < 15, took
    assert "Traceback" not in err and "database is locked" not in err, err[-3000:]
    assert "interrupted by SIGINT" in err.strip().splitlines()[-1]
    new = int(out.split("articles stored:")[1].split()[0])
    stored = rows(db, "SELECT count(*) AS n FROM articles")[0]["n"]
    assert stored == new >= 3  # every record the summary counts is in the database
    run = rows(db, "SELECT status, exit_code, articles_new FROM crawl_runs")
    assert run == [{"status": "interrupted", "exit_code": 130, "articles_new": new}]
    warc = tmp_path / "twice.warc"
    assert not list(warc.glob("*.open")), "the WARC file was left open"
    for c in rows(db, "SELECT DISTINCT warc_file FROM captures"):
        assert (warc / c["warc_file"]).is_file(), c
    assert lock_is_free(tmp_path / "twice.db.locks" / "twice.lock")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_one_signal_stops_gracefully_as_interrupted(tmp_path, sig):
    with SiteServer(slowed(generate_site(60, seed=11), 0.3)) as srv:
        site = write_site(tmp_path, "once", srv.base_url, concurrency=2)
        db = tmp_path / "once.db"
        proc = start_cli("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
        try:
            wait_for(lambda: rows(db, "SELECT count(*) AS n FROM article_urls")[0]["n"] >= 3)
            proc.send_signal(sig)
            out, err, took = finish(proc, 60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 130, err[-3000:]
    assert "failed (see the log" not in err
    assert "run status:         interrupted" in out
    new = int(out.split("articles stored:")[1].split()[0])
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == new
    assert rows(db, "SELECT status FROM crawl_runs") == [{"status": "interrupted"}]
