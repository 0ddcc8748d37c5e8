"""Incremental scheduled crawls against a real local site: a second run on an unchanged site
fetches only the first list page; new articles are found; --full fetches everything again;
--refresh re-fetches with conditional requests answered 304 (counted as unchanged)."""
import json

import pytest

from crawler.demo.server import Page

LIST_HEAD = '<div class="list"><h2>园区动态</h2><ul>'


def with_new_articles(pages, ops, n=3):
    """The site plus `n` newer articles at the top of the first list page."""
    extra = ops.generate_site(n, seed=77)
    new_pages = dict(pages)
    items = []
    for k, path in enumerate(ops.article_paths(extra)):
        new_path = f"/news/2025-06/{k + 1:02d}/content_9000000{k}.html"
        new_pages[new_path] = extra[path]
        items.append(f'<li><a href="{new_path}">新文章{k}</a><span class="date">2025-06-0{k + 1}</span></li>')
    first = pages["/news/index.html"]
    body = first.body.decode("utf-8")
    assert LIST_HEAD in body
    new_pages["/news/index.html"] = Page(200, body.replace(LIST_HEAD, LIST_HEAD + "".join(items)).encode("utf-8"),
                                         dict(first.headers))
    return new_pages


def test_second_run_fetches_only_the_first_list_page(small_site, tmp_path, ops):
    db = tmp_path / "a.db"
    site = ops.write_site(tmp_path, "inc", small_site.base_url)
    first = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    assert first.code == 0, first.stderr[-3000:]
    assert "45 new" in first.stdout
    n_first = len(small_site.requests)
    assert n_first >= 45 + 3

    small_site.clear_requests()
    second = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    assert second.code == 0, second.stderr[-3000:]
    paths = small_site.requested_paths("GET")
    # robots.txt and the first list page; no article, no older list page
    assert sorted(set(paths) - {"/robots.txt"}) == ["/news/index.html"], paths
    assert "0 new" in second.stdout
    assert second.stdout.strip().splitlines()[-1].startswith("parknews crawl inc: ok, exit 0; requests 2, new 0,")
    runs = ops.db_rows(db, "SELECT * FROM crawl_runs ORDER BY id")
    assert [r["status"] for r in runs] == ["ok", "ok"]
    assert runs[1]["mode"] == "incremental" and runs[1]["exit_code"] == 0
    assert runs[1]["requests"] <= 2 and runs[0]["requests"] >= 48

    # three new articles on top of the first list page: exactly those are fetched
    small_site.pages = with_new_articles(small_site.site_pages, ops)
    small_site.clear_requests()
    third = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    assert third.code == 0, third.stderr[-3000:]
    fetched = [p for p in small_site.requested_paths("GET") if "/content_" in p]
    assert sorted(fetched) == sorted(p for p in small_site.pages if p.startswith("/news/2025-06/"))
    assert "3 new" in third.stdout
    assert ops.db_rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 48

    # --full fetches every article again and stores nothing twice
    small_site.clear_requests()
    full = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING", "--full")
    assert full.code == 0, full.stderr[-3000:]
    fetched = {p for p in small_site.requested_paths("GET") if "/content_" in p}
    assert len(fetched) == 48
    assert "0 new" in full.stdout
    assert ops.db_rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 48


@pytest.mark.parametrize("warc", [True, False], ids=["warc", "no-warc"])
def test_refresh_uses_conditional_requests_and_304_is_unchanged(tmp_path, ops, warc):
    pages = ops.generate_site(8, seed=3)
    arts = set(ops.article_paths(pages))

    with ops.SiteServer({}) as srv:
        def etagged(path_with_query):
            path = path_with_query.split("?", 1)[0]
            page = pages.get(path)
            if page is None:
                return None
            if path not in arts:
                return page
            etag = f'"v1-{abs(hash(path)) % 10**8}"'
            sent = [h for m, p, h in srv.requests if p == path_with_query]
            if sent and {k.lower(): v for k, v in sent[-1].items()}.get("if-none-match") == etag:
                return Page(304, b"", {"ETag": etag})
            return Page(200, page.body, {**page.headers, "ETag": etag,
                                         "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})

        srv.pages = etagged
        db = tmp_path / "r.db"
        site = ops.write_site(tmp_path, "refresh", srv.base_url, concurrency=1)
        switch = [] if warc else ["-s", "PARKNEWS_WARC=0"]
        first = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING", *switch)
        assert first.code == 0, first.stderr[-3000:]
        assert "8 new" in first.stdout
        # the validators are written once: in the captures rows, or (no WARC capture) page_validators
        in_captures = ops.db_rows(db, "SELECT count(DISTINCT url) AS n FROM captures WHERE etag IS NOT NULL "
                                      "AND last_modified IS NOT NULL")[0]["n"]
        kept = ops.db_rows(db, "SELECT count(*) AS n FROM page_validators WHERE etag IS NOT NULL")[0]["n"]
        assert (in_captures, kept) == ((8, 0) if warc else (0, 8))

        srv.clear_requests()
        again = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING", "--refresh", "7",
                        *switch)
        assert again.code == 0, again.stderr[-3000:]
        conditional = [(p, h) for m, p, h in srv.requests if p in arts]
        assert len(conditional) == 8
        for _, headers in conditional:
            low = {k.lower(): v for k, v in headers.items()}
            assert low.get("if-none-match", "").startswith('"v1-')
            assert low.get("if-modified-since") == "Mon, 01 Jan 2024 00:00:00 GMT"
        assert "0 new, 0 updated, 8 unchanged" in again.stdout
        run = ops.db_rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
        assert json.loads(run["responses"]).get("304") == 8
        assert run["status"] == "ok" and run["exit_code"] == 0 and run["pages_failed"] == 0
        assert ops.db_rows(db, "SELECT count(*) AS n FROM fetch_failures")[0]["n"] == 0


def test_a_home_page_full_of_known_articles_still_leads_to_each_section(tmp_path, ops):
    """The start page lists 12 recent articles and links to two sections: a second run stops
    paging, but still reads the first page of each section, and finds what is new there."""
    pages = ops.generate_site(45, seed=21)
    arts = ops.article_paths(pages)
    items = "".join(f'<li><a href="{p}">文章{k}</a></li>' for k, p in enumerate(arts[:12]))
    pages["/"] = Page.html(f'<html><body><ul>{items}</ul><a href="/news/index.html">园区动态</a>'
                           f'<a href="/more/index.html">更多</a></body></html>')
    more = pages["/news/index_3.html"].body.decode("utf-8")
    pages["/more/index.html"] = Page.html(more)
    with ops.SiteServer(dict(pages)) as srv:
        site = ops.write_site(tmp_path, "home", srv.base_url, start="/",
                              follow=[r"/$", r"/news/index(_\d+)?\.html$", r"/more/index(_\d+)?\.html$"])
        db = tmp_path / "h.db"
        first = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
        assert first.code == 0, first.stderr[-3000:]
        assert "45 new" in first.stdout

        srv.clear_requests()
        second = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
        assert second.code == 0, second.stderr[-3000:]
        assert sorted(set(srv.requested_paths("GET")) - {"/robots.txt"}) == ["/", "/more/index.html", "/news/index.html"]

        srv.pages = with_new_articles(pages, ops, n=2)  # new only in the section, not on the home page
        third = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
        assert third.code == 0, third.stderr[-3000:]
        assert "2 new" in third.stdout


def test_demo_site_second_run_reads_only_the_start_pages_and_first_list_page(local_server, tmp_path, ops):
    """The demo's article that answers 500 is asked once more by the second run (a failure that may
    pass leaves the pass incomplete); from the third run on, only the start pages and first list
    page are read, and of the sitemaps and feed only the sitemap index and the feed (the sitemaps the
    index names are older than the previous run: not fetched again)."""
    from crawler.demo.challenge import DEMO_PATH as CHALLENGE_PATH
    from crawler.demo.site import SERVER_ERROR_PATH

    db = tmp_path / "demo.db"
    first = ops.run("crawl", "demo", "--base-url", local_server.base_url, "--db", db, "--log-level", "ERROR")
    assert first.code == 0, first.stderr[-3000:]
    local_server.clear_requests()
    second = ops.run("crawl", "demo", "--base-url", local_server.base_url, "--db", db, "--log-level", "ERROR")
    assert second.code == 0, second.stderr[-3000:]
    assert SERVER_ERROR_PATH in local_server.requested_paths("GET")
    local_server.clear_requests()
    third = ops.run("crawl", "demo", "--base-url", local_server.base_url, "--db", db, "--log-level", "ERROR")
    assert third.code == 0, third.stderr[-3000:]
    # and the home page's link that answers a 412 challenge: not stored, so asked again (once)
    assert sorted(local_server.requested_paths("GET")) == sorted([
        "/", "/news/index.html", "/partner/list.html", "/robots.txt", "/rss.xml", "/sitemap.xml", CHALLENGE_PATH])
    assert ", new 0," in third.stdout.strip().splitlines()[-1]
