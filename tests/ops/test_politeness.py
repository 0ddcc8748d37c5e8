"""Polite and safe on the open web, against real local servers: robots.txt, Retry-After,
private addresses (also behind a redirect), oversized responses."""
import json
import time

from crawler.demo.server import Page


def test_robots_txt_disallow_is_honoured(small_site, tmp_path, ops):
    pages = dict(small_site.site_pages)
    arts = ops.article_paths(pages)
    banned = arts[:12]  # more than 20% of the pages: robots.txt refusals are not failures
    pages["/robots.txt"] = Page.text("User-agent: *\n" + "".join(f"Disallow: {p}\n" for p in banned))
    small_site.pages = pages
    db = tmp_path / "robots.db"
    site = ops.write_site(tmp_path, "robots", small_site.base_url)
    result = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    assert result.code == 0, result.stderr[-3000:]
    fetched = set(small_site.requested_paths("GET"))
    assert "/robots.txt" in fetched
    assert not fetched & set(banned)
    assert len(fetched & set(arts)) == len(arts) - 12
    assert "33 new" in result.stdout


def test_429_with_retry_after_is_waited_for(tmp_path, ops):
    pages = ops.generate_site(4, seed=2)
    seen = []

    def site(path_with_query):
        path = path_with_query.split("?", 1)[0]
        if path == "/news/index.html":
            seen.append(time.monotonic())
            if len(seen) == 1:
                return Page(429, b"slow down", {"Retry-After": "2", "Content-Type": "text/plain"})
        return pages.get(path)

    with ops.SiteServer(site) as srv:
        db = tmp_path / "429.db"
        sitefile = ops.write_site(tmp_path, "throttled", srv.base_url)
        result = ops.run("crawl", sitefile, "--db", db, "--delay", "0", "--log-level", "WARNING")
    assert result.code == 0, result.stderr[-3000:]
    assert len(seen) >= 2  # the 429, then the retry (later: the page's own 首页 self-link)
    assert seen[1] - seen[0] >= 1.9, seen
    assert "4 new" in result.stdout
    run = ops.db_rows(db, "SELECT * FROM crawl_runs")[0]
    assert json.loads(run["responses"]).get("429") == 1


def test_private_addresses_refused_unless_allowed_also_after_a_redirect(tmp_path, ops):
    """The site is reached at a public address through an HTTP proxy (the local server), so no
    packet leaves the machine; its article redirects to 127.0.0.1, which must not be fetched."""
    pages = ops.generate_site(3, seed=4)
    arts = ops.article_paths(pages)
    with ops.SiteServer({}) as srv:
        target = f"{srv.base_url}/secret/metadata.html"

        def site(path_with_query):
            path = path_with_query.split("?", 1)[0]
            if path == arts[0]:
                return Page.redirect(target, 302)
            if path == arts[1]:
                return Page.redirect("http://8.8.8.8/elsewhere/page.html", 301)  # off the allowed domains
            if path == "/secret/metadata.html":
                return Page.html("<html><body><h1>secret</h1></body></html>")
            return pages.get(path)

        srv.pages = site
        public = "http://93.184.216.34"
        sitefile = ops.write_site(tmp_path, "public", public, allow_private=False, extra_domains=["127.0.0.1"])
        db = tmp_path / "p.db"
        result = ops.run("crawl", sitefile, "--db", db, "--delay", "0", "--log-level", "WARNING",
                         env={"http_proxy": srv.base_url})
        paths = srv.requested_paths("GET")
        assert "/news/index.html" in paths, (paths, result.stderr[-2000:])
        assert arts[0] in paths
        assert "/secret/metadata.html" not in paths
        assert "/elsewhere/page.html" not in paths
        failures = ops.db_rows(db, "SELECT url, reason FROM fetch_failures")
        assert any(f["url"] == target and "private" in f["reason"] for f in failures), failures
        assert "1 new" in result.stdout

        # a start URL on a private address: refused without --allow-private, fetched with it
        srv.clear_requests()
        refused = ops.run("crawl", srv.base_url + "/news/index.html", "--db", tmp_path / "u.db", "--delay", "0",
                          "--log-level", "WARNING")
        assert refused.code == 2, refused  # a configuration problem, named on the last line
        assert "--allow-private" in refused.stderr.strip().splitlines()[-1]
        assert srv.requested_paths() == []
        allowed = ops.run("crawl", srv.base_url + "/news/index.html", "--db", tmp_path / "u.db", "--delay", "0",
                          "--log-level", "WARNING", "--allow-private")
        assert allowed.code == 0, allowed.stderr[-2000:]
        assert "/secret/metadata.html" in srv.requested_paths()  # allowed: the redirect is followed


def test_oversized_response_is_dropped_and_counted(small_site, tmp_path, ops):
    pages = dict(small_site.site_pages)
    big = ops.article_paths(pages)[0]
    pages[big] = Page(200, b"<html><body>" + b"x" * (11 * 1024 * 1024) + b"</body></html>",
                      {"Content-Type": "text/html; charset=utf-8"})
    small_site.pages = pages
    db = tmp_path / "big.db"
    site = ops.write_site(tmp_path, "big", small_site.base_url)
    result = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    assert result.code == 0, result.stderr[-3000:]
    assert "44 new" in result.stdout
    run = ops.db_rows(db, "SELECT * FROM crawl_runs")[0]
    assert json.loads(run["dropped"]).get("oversize") == 1
    failures = ops.db_rows(db, "SELECT url, reason FROM fetch_failures")
    assert [f["url"] for f in failures] == [small_site.base_url + big]
