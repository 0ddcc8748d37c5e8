"""Several sites in one crawl (`crawl A B C`, `crawl --all`): one process, the sites at the same
time on distinct loopback addresses, into one database (one shared connection: crawlers on one
reactor thread with a connection each deadlock on the write lock), each site with its own run,
lock and exit code; the command's code is the worst."""
import json
import signal
from pathlib import Path

from crawler import ops as crawl_ops
from crawler.demo.server import Page

HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")


def broken(pages):
    """Every page answers 500 (robots.txt aside)."""
    return {"/robots.txt": Page.text("User-agent: *\nAllow: /\n"),
            **{p: Page.text("oops", status=500) for p in pages if p != "/robots.txt"}}


def serve_three(ops, tmp_path, *, bad=False, articles=(6, 7, 8), slow=0.0):
    """Three sites (a, b, c) on HOSTS; `bad`: c answers 500 everywhere; `slow`: seconds each
    article takes to answer. Returns (servers, site files dir, pages by site)."""
    pages = {name: ops.generate_site(n, seed=20 + i) for i, (name, n) in enumerate(zip("abc", articles))}
    if slow:
        pages = {k: {p: (Page(pg.status, pg.body, dict(pg.headers), slow) if "/content_" in p else pg)
                     for p, pg in v.items()} for k, v in pages.items()}
    served = dict(pages, c=broken(pages["c"])) if bad else pages
    servers = [ops.SiteServer(dict(served[name]), host=host).start() for name, host in zip("abc", HOSTS)]
    sites = tmp_path / "sites"
    sites.mkdir()
    for name, srv in zip("abc", servers):
        ops.write_site(sites, name, srv.base_url, concurrency=2)
    return servers, sites, pages


def stop(servers):
    for srv in servers:
        srv.stop()


def crawl(ops, db, sites, *args):
    return ops.run("crawl", *args, "--db", db, "--log-level", "WARNING", "--delay", "0",
                   env={"PARKNEWS_SITES_DIR": str(sites)}, timeout=120)


def stored_by_site(ops, db):
    rows = ops.db_rows(db, "SELECT site, count(*) AS n FROM article_urls GROUP BY site ORDER BY site")
    return {r["site"]: r["n"] for r in rows}


def test_three_sites_at_once_one_broken(tmp_path, ops):
    servers, sites, pages = serve_three(ops, tmp_path, bad=True)
    db = tmp_path / "three.db"
    try:
        result = crawl(ops, db, sites, "a", "b", "c", "--stats-file", tmp_path / "stats.json")
    finally:
        stop(servers)
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert sorted(stats) == ["a", "b", "c"]
    # no parse pool per crawler (cores-1 processes per site): parsed inline for now
    assert all("parknews/parse_pool/workers" not in s for s in stats.values())
    assert stats["a"]["parknews/articles/new"] == 6
    runs = {r["site"]: r for r in ops.db_rows(db, "SELECT site, status, exit_code, pid FROM crawl_runs")}
    assert set(runs) == {"a", "b", "c"}, result
    assert (runs["a"]["status"], runs["b"]["status"]) == ("ok", "ok"), result
    bad = runs["c"]["exit_code"]
    assert bad in (1, 3) and runs["c"]["status"] in ("failed", "degraded"), result
    assert result.code == bad, result  # the broken site's code is the command's
    assert len({r["pid"] for r in runs.values()}) == 1  # one process
    assert f"crawl: c: exit {bad}" in result.stdout and "crawl: a: exit 0" in result.stdout
    assert result.stdout.count("run status:") == 3
    assert "Traceback" not in result.stderr and "locked" not in result.stderr, result
    assert stored_by_site(ops, db) == {"a": 6, "b": 7}
    # each crawl wrote its own WARC files, and every capture names a file that is there
    warcs = sorted(p.name for p in (tmp_path / "three.warc").glob("*.warc.gz"))
    assert {name.split("-", 1)[0] for name in warcs} == {"a", "b", "c"}, warcs
    files = {r["warc_file"] for r in ops.db_rows(db, "SELECT DISTINCT warc_file FROM captures")}
    assert files and files <= set(warcs)


def test_a_site_whose_lock_is_held_exits_75_and_the_others_are_crawled(tmp_path, ops):
    servers, sites, pages = serve_three(ops, tmp_path)
    db = tmp_path / "locked.db"
    held = crawl_ops.site_lock(db, "b").acquire()
    try:
        result = crawl(ops, db, sites, "--all")
    finally:
        held.release()
        stop(servers)
    assert result.code == 75, result
    assert "crawl --all: b: exit 75" in result.stdout
    assert "another crawl of b is running" in result.stderr, result
    runs = ops.db_rows(db, "SELECT site, status FROM crawl_runs ORDER BY site")
    assert [(r["site"], r["status"]) for r in runs] == [("a", "ok"), ("c", "ok")]
    assert stored_by_site(ops, db) == {"a": 6, "c": 8}
    # the locks of the crawled sites are free again
    for name in "ac":
        crawl_ops.site_lock(db, name).acquire().release()


def test_one_site_at_a_time_still_crawls_them_all(tmp_path, ops):
    servers, sites, pages = serve_three(ops, tmp_path, articles=(3, 3, 3))
    db = tmp_path / "one.db"
    try:
        result = crawl(ops, db, sites, "--all", "--max-sites-at-once", "1")
    finally:
        stop(servers)
    assert result.code == 0, result
    runs = ops.db_rows(db, "SELECT site, status, started_at, finished_at FROM crawl_runs ORDER BY id")
    assert [(r["site"], r["status"]) for r in runs] == [("a", "ok"), ("b", "ok"), ("c", "ok")]
    for before, after in zip(runs, runs[1:]):  # one after the other
        assert after["started_at"] >= before["finished_at"]
    assert stored_by_site(ops, db) == {"a": 3, "b": 3, "c": 3}


def test_a_signal_stops_every_site_and_closes_each_run_interrupted(tmp_path, ops):
    servers, sites, pages = serve_three(ops, tmp_path, articles=(30, 30, 30), slow=0.3)
    db = tmp_path / "sig.db"
    proc = ops.start("crawl", "--all", "--db", db, "--log-level", "WARNING", "--delay", "0",
                     env={"PARKNEWS_SITES_DIR": str(sites)})
    try:
        def all_started():
            if not Path(db).exists():
                return False
            try:
                rows = ops.db_rows(db, "SELECT site FROM article_urls GROUP BY site")
            except Exception:
                return False
            return len(rows) == 3
        ops.wait_for(all_started, timeout=60, every=0.1)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        stop(servers)
    assert proc.returncode == 130, (out, err[-3000:])
    runs = ops.db_rows(db, "SELECT site, status FROM crawl_runs ORDER BY site")
    assert [(r["site"], r["status"]) for r in runs] == [("a", "interrupted"), ("b", "interrupted"),
                                                         ("c", "interrupted")], (out, err[-3000:])
    assert out.count("exit 130") >= 3
    assert "Traceback" not in err
