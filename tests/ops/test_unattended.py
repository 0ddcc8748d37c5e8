"""Safe under cron: one crawl per site at a time (exit 75), a killed crawl's lock taken over and
its crawl finished with nothing lost or stored twice, and no listening socket in a crawl."""
import os
import signal
import time
from pathlib import Path

import pytest

from crawler.demo.server import Page


def slow(pages, delay):
    return {p: (Page(pg.status, pg.body, dict(pg.headers), delay) if "/content_" in p else pg)
            for p, pg in pages.items()}


@pytest.fixture
def slow_site(ops):
    pages = ops.generate_site(60, seed=11)
    with ops.SiteServer(slow(pages, 0.12)) as srv:
        srv.site_pages = pages
        yield srv


def count_articles(ops, db):
    if not Path(db).exists():
        return 0
    try:
        return ops.db_rows(db, "SELECT count(*) AS n FROM articles")[0]["n"]
    except Exception:
        return 0


def test_second_crawl_of_a_site_exits_75_while_one_runs(slow_site, tmp_path, ops):
    db = tmp_path / "l.db"
    site = ops.write_site(tmp_path, "locked", slow_site.base_url, concurrency=2)
    first = ops.start("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    try:
        lock = tmp_path / "l.db.locks" / "locked.lock"
        ops.wait_for(lambda: lock.exists() and lock.read_text().startswith(f"{first.pid} "), timeout=60)
        second = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
        assert second.code == 75, (second.stdout, second.stderr)
        line = second.stderr.strip().splitlines()[-1]
        assert f"another crawl of locked is running (pid {first.pid}, since 20" in line, line
        out, err = first.communicate(timeout=120)
        assert first.returncode == 0, err[-3000:]
    finally:
        if first.poll() is None:
            first.kill()
    # the lock is free again
    assert ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING").code == 0


def test_stale_lock_of_a_dead_pid_is_taken_over(small_site, tmp_path, ops):
    db = tmp_path / "s.db"
    site = ops.write_site(tmp_path, "stale", small_site.base_url)
    lock = tmp_path / "s.db.locks" / "stale.lock"
    lock.parent.mkdir()
    dead = 2 ** 22 + 12345  # above pid_max defaults: no such process
    lock.write_text(f"{dead} 2026-01-01T00:00:00+00:00\n")
    result = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    assert result.code == 0, result.stderr[-3000:]
    assert f"taking over the lock of stale left by pid {dead}" in result.stderr


def test_kill_9_then_rerun_finishes_without_loss_or_duplicates(slow_site, tmp_path, ops):
    db = tmp_path / "k.db"
    site = ops.write_site(tmp_path, "killed", slow_site.base_url, concurrency=2)
    proc = ops.start("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    try:
        ops.wait_for(lambda: count_articles(ops, db) >= 10, timeout=90, every=0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    partial = count_articles(ops, db)
    assert 10 <= partial < 60, partial
    runs = ops.db_rows(db, "SELECT status FROM crawl_runs")
    assert [r["status"] for r in runs] == ["running"]

    again = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING", timeout=300)
    assert again.code == 0, again.stderr[-3000:]
    assert "taking over the lock of killed" in again.stderr
    rows = ops.db_rows(db, "SELECT title FROM articles")
    assert len(rows) == 60
    assert len({r["title"] for r in rows}) == 60
    urls = ops.db_rows(db, "SELECT url FROM article_urls")
    assert sorted(u["url"].split(slow_site.base_url, 1)[1] for u in urls) == ops.article_paths(slow_site.site_pages)
    runs = ops.db_rows(db, "SELECT status, finish_reason FROM crawl_runs ORDER BY id")
    assert [r["status"] for r in runs] == ["interrupted", "ok"]
    # the articles stored before the kill were not fetched again
    fetched_twice = len([p for p in slow_site.requested_paths("GET") if "/content_" in p]) - 60
    assert fetched_twice <= 60 - partial + 5  # only the uncommitted tail of the killed run


def _listening_inodes(pid):
    inodes = set()
    for name in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = Path(f"/proc/{pid}/net/{name}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            state, inode = cols[3], cols[9]
            if name.startswith("tcp") and state != "0A":  # 0A = LISTEN
                continue
            inodes.add(inode)
    return inodes


def _socket_inodes(pid):
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def test_a_running_crawl_listens_on_nothing(slow_site, tmp_path, ops):
    db = tmp_path / "p.db"
    site = ops.write_site(tmp_path, "ports", slow_site.base_url, concurrency=2)
    proc = ops.start("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    try:
        ops.wait_for(lambda: count_articles(ops, db) >= 3, timeout=90, every=0.05)
        checked = 0
        seen = set()  # a crawl between two requests may hold no socket at one sample
        for _ in range(30):
            if proc.poll() is not None:
                break
            mine = _socket_inodes(proc.pid)
            seen |= mine
            listening = mine & _listening_inodes(proc.pid)
            assert not listening, f"crawl process has listening sockets: {listening}"
            checked += 1
            time.sleep(0.05)
        assert checked >= 3
        assert seen, "the crawl had no socket at all (not downloading?)"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
