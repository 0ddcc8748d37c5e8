"""An incremental run may stop paging early only after a complete pass over the site. A run in
which list pages failed (503) leaves the site incomplete (`status` says so) and the next run
walks every list page again, so the articles behind the failed pages are fetched once the
site recovers. `--refresh DAYS` re-fetches every article of the window, not the first few."""
import json

from crawler.demo.server import Page


def _list_pages(pages):
    return sorted(p for p in pages if p.startswith("/news/index"))


def test_articles_behind_failed_list_pages_are_fetched_when_the_site_recovers(tmp_path, ops):
    pages = ops.generate_site(120, seed=31)  # 6 list pages of 20
    arts = ops.article_paths(pages)
    lists = _list_pages(pages)
    assert len(lists) == 6
    broken = {p: Page(503, b"busy", {"Retry-After": "0"}) for p in lists if p not in ("/news/index.html", "/news/index_2.html")}
    with ops.SiteServer({**pages, **broken}) as srv:
        db = tmp_path / "w.db"
        site = ops.write_site(tmp_path, "walk", srv.base_url)
        first = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "ERROR")
        stored = ops.db_rows(db, "SELECT count(*) AS n FROM articles")[0]["n"]
        assert 0 < stored < len(arts), first
        status = ops.run("status", "--db", db, "--json")
        assert status.code == 0, status
        assert json.loads(status.stdout)[0]["complete"] is False
        assert "incomplete" in ops.run("status", "--db", db).stdout

        srv.pages = dict(pages)  # the site recovers
        second = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "ERROR")
        assert second.code == 0, second
        assert ops.db_rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(arts)
        assert json.loads(ops.run("status", "--db", db, "--json").stdout)[0]["complete"] is True

        srv.clear_requests()  # after a complete pass, the next run stops early again
        third = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "ERROR")
        assert third.code == 0, third
        assert sorted(set(srv.requested_paths("GET")) - {"/robots.txt"}) == ["/news/index.html"]


def test_refresh_walks_every_article_of_the_window(tmp_path, ops):
    pages = ops.generate_site(70, seed=32)
    arts = set(ops.article_paths(pages))
    with ops.SiteServer(dict(pages)) as srv:
        db = tmp_path / "r.db"
        site = ops.write_site(tmp_path, "fresh", srv.base_url)
        assert ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "ERROR").code == 0
        srv.clear_requests()
        again = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "ERROR", "--refresh", "30")
        assert again.code == 0, again
        fetched = {p for p in srv.requested_paths("GET") if p in arts}
        assert fetched == arts  # all 70 were first seen within 30 days: all re-fetched
        assert "70 unchanged" in again.stdout


def test_articles_that_failed_are_fetched_on_the_next_run(tmp_path, ops):
    """Article pages that answered 503 (list pages fine): the run was not a complete pass, so the
    next incremental run walks the listing again and fetches them once the site recovers."""
    pages = ops.generate_site(120, seed=33)  # 6 list pages of 20, newest first
    arts = ops.article_paths(pages)
    older = set(sorted(arts)[:50])  # the oldest articles: on the last list pages
    broken = {p: Page(503, b"busy", {"Retry-After": "0"}) for p in older}
    with ops.SiteServer({**pages, **broken}) as srv:
        db = tmp_path / "a.db"
        site = ops.write_site(tmp_path, "arts", srv.base_url)
        first = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "ERROR", "-s", "RETRY_TIMES=0")
        assert ops.db_rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(arts) - len(older), first
        assert json.loads(ops.run("status", "--db", db, "--json").stdout)[0]["complete"] is False

        srv.pages = dict(pages)  # the site recovers
        second = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "ERROR")
        assert second.code == 0, second
        assert ops.db_rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(arts), second
        assert json.loads(ops.run("status", "--db", db, "--json").stdout)[0]["complete"] is True


def test_an_article_that_keeps_failing_gets_one_more_try_then_the_pass_is_complete(tmp_path, ops):
    pages = ops.generate_site(45, seed=34)
    bad = sorted(ops.article_paths(pages))[0]  # the oldest: on the last list page
    with ops.SiteServer({**pages, bad: Page(500, b"broken")}) as srv:
        db = tmp_path / "k.db"
        site = ops.write_site(tmp_path, "keeps", srv.base_url)
        for _ in range(2):  # (exit 1 or 0: one failed page of few fetched may pass the failure threshold)
            ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "ERROR", "-s", "RETRY_TIMES=0")
        assert srv.requested_paths("GET").count(bad) == 2  # the second run asked again
        assert json.loads(ops.run("status", "--db", db, "--json").stdout)[0]["complete"] is True
        srv.clear_requests()
        third = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "ERROR")
        assert third.code == 0, third
        assert bad not in srv.requested_paths("GET")  # stopped early again
