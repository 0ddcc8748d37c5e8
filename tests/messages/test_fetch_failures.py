"""Pages a crawl gives up on are recorded in fetch_failures with their reason: an off-site
redirect (also with allow_private on, which Scrapy's offsite filter dropped without a trace) and
a streamed response over DOWNLOAD_MAXSIZE (recorded as a bare DownloadCancelledError before)."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import sqlite_utils

from crawler.demo.server import Page, SiteServer
from crawler.demo.site import generate_site
from pn_testing import run_cli, write_site


def failures(db):
    d = sqlite_utils.Database(str(db))
    try:
        return {r["url"]: r["reason"] for r in d.query("SELECT url, reason FROM fetch_failures")}
    finally:
        d.close()


def test_offsite_redirects_are_recorded_with_allow_private_on(tmp_path):
    pages = dict(generate_site(5, seed=2))
    arts = sorted(p for p in pages if "/content_" in p)
    pages[arts[0]] = Page.redirect("http://169.254.169.254/latest/meta-data/", 302)
    pages[arts[1]] = Page.redirect("http://other.example/x.html", 301)
    with SiteServer(pages) as srv:
        site = write_site(tmp_path, "redir", srv.base_url, allow_private=True)
        db = tmp_path / "r.db"
        result = run_cli("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    assert result.code == 0, result  # an off-site redirect is not a failure of the site
    got = failures(db)
    assert set(got) == {"http://169.254.169.254/latest/meta-data/", "http://other.example/x.html"}, got
    for reason in got.values():
        assert "offsite" in reason and "allowed_domains" in reason and srv.base_url in reason, reason
    assert "pages failed:       2" in result.stdout


class _Streaming(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # no Content-Length: the body ends when the connection closes

    def do_GET(self):
        if self.path == "/robots.txt":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        try:
            self.wfile.write(b"<html><body><h1>big</h1>")
            for _ in range(64):
                self.wfile.write(b"<p>" + b"x" * 32768 + b"</p>")
        except OSError:
            pass

    def log_message(self, *args):
        pass


def test_a_streamed_response_over_the_size_cap_is_counted_as_oversize(tmp_path):
    stream = ThreadingHTTPServer(("127.0.0.2", 0), _Streaming)
    stream.daemon_threads = True
    threading.Thread(target=stream.serve_forever, daemon=True).start()
    big = f"http://127.0.0.2:{stream.server_address[1]}/news/2024-01/01/content_1.html"
    try:
        pages = dict(generate_site(3, seed=4))
        index = pages["/news/index.html"]
        pages["/news/index.html"] = Page(index.status, index.body.replace(b"</body>", f'<a href="{big}">big</a></body>'.encode()),
                                         dict(index.headers))
        with SiteServer(pages) as srv:
            site = write_site(tmp_path, "stream", srv.base_url, extra_domains=["127.0.0.2"])
            db = tmp_path / "s.db"
            result = run_cli("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING",
                             "-s", "DOWNLOAD_MAXSIZE=1000000", "-s", "DOWNLOAD_WARNSIZE=0")
    finally:
        stream.shutdown()
        stream.server_close()
    got = failures(db)
    assert got.get(big) == "oversize: larger than DOWNLOAD_MAXSIZE (1000000 bytes)", (got, result)
    run = sqlite_utils.Database(str(db)).execute("SELECT dropped FROM crawl_runs").fetchone()
    assert json.loads(run[0]).get("oversize") == 1, run
