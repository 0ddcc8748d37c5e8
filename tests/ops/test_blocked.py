"""Anti-bot answers in real crawls (crawler/blocked.py, crawler/ops.py blocked_verdict): a local
site whose every page answers a 412 script challenge makes the run `blocked` (exit 4, the reason
in crawl_runs, `status` and `runs`), not retried; a site with one 412 and one captcha page among
45 good articles is counted and shown, the run stays ok."""
from collections import Counter

from crawler.demo.server import Page

# a Ruishu-style answer: a tiny page of obfuscated script and an external script, status 412
CHALLENGE = Page(412, b'<!DOCTYPE html><html><head><meta charset="utf-8"><meta id="kW3xq" content="a8.Xp2">'
                 b'<script type="text/javascript" r="m">$_ts=window[\'$_ts\'];if(!$_ts)$_ts={};$_ts.nsd=51234;'
                 b'$_ts.cd="qAlcrGWmsAEqGqWr1AEcqkWDGLt";</script><script type="text/javascript" '
                 b'src="/Ab9cD3/e.Kq2x.js" r="m"></script></head><body></body></html>',
                 {"Content-Type": "text/html; charset=utf-8"})
CAPTCHA = Page.html("<html><head><title>安全验证</title></head><body><div class='captcha-box'>"
                    "<p>访问过于频繁，请输入验证码后继续访问</p><img src='/captcha.jpg'><input name='code'>"
                    "<button>提交</button></div></body></html>")


def test_a_site_answering_every_page_with_a_challenge_is_blocked(tmp_path, ops):
    with ops.SiteServer(lambda path: CHALLENGE) as srv:
        db = tmp_path / "b.db"
        site = ops.write_site(tmp_path, "walled", srv.base_url)
        result = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
        paths = [p for p in srv.requested_paths() if not p.endswith("robots.txt")]
    assert result.code == 4, result
    err = [line for line in result.stderr.splitlines() if line.startswith("parknews: error:")]
    assert err == [f"parknews: error: site walled is blocking the crawl (run marked blocked): the start page is "
                   f"an anti-bot answer ({srv.base_url}/news/index.html: http 412 script challenge); 1 of 1 "
                   "pages blocked (http 412 script challenge 1)"], result
    assert "Traceback" not in result.stderr
    assert Counter(paths) == {"/news/index.html": 1}  # asked once: a challenge is not retried
    assert "blocked answers:    1 (http 412 script challenge)" in result.stdout
    assert "parknews crawl walled: blocked, exit 4;" in result.stdout
    assert result.stdout.rstrip().endswith("; blocked answers 1 (http 412 script challenge)")
    assert result.stderr.count("anti-bot page (http 412 script challenge)") == 1  # logged once, with the URL
    run = ops.db_rows(db, "SELECT status, exit_code, degraded FROM crawl_runs")[0]
    assert (run["status"], run["exit_code"]) == ("blocked", 4)
    assert run["degraded"].startswith("the start page is an anti-bot answer")
    failure = ops.db_rows(db, "SELECT status, reason FROM fetch_failures")
    assert failure == [{"status": 412, "reason": "blocked: http 412 script challenge"}]

    status = ops.run("status", "--db", db)
    assert status.code == 0, status
    assert "status blocked, exit 4" in status.stdout
    assert "  blocked:         the start page is an anti-bot answer" in status.stdout
    runs = ops.run("runs", "--db", db)
    assert "\tblocked\t4\t" in runs.stdout.splitlines()[1], runs


def test_one_challenge_and_one_captcha_among_good_pages_are_counted_not_blocking(small_site, tmp_path, ops):
    articles = ops.article_paths(small_site.site_pages)
    small_site.pages = {**small_site.site_pages, articles[3]: CHALLENGE, articles[7]: CAPTCHA}
    db = tmp_path / "s.db"
    site = ops.write_site(tmp_path, "mostly", small_site.base_url)
    result = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    assert result.code == 0, result
    assert "blocked answers:    2 (captcha page 1, http 412 script challenge 1)" in result.stdout
    assert "pages failed:       2 (blocked: 2)" in result.stdout
    assert "run status:         ok" in result.stdout
    assert result.stdout.rstrip().endswith("; blocked answers 2 (captcha page 1, http 412 script challenge 1)")
    assert Counter(small_site.requested_paths())[articles[3]] == 1
    run = ops.db_rows(db, "SELECT status, exit_code, degraded, articles_new FROM crawl_runs")[0]
    assert (run["status"], run["exit_code"], run["degraded"], run["articles_new"]) == ("ok", 0, None, 43)
    reasons = sorted(r["reason"] for r in ops.db_rows(db, "SELECT reason FROM fetch_failures"))
    assert reasons == ["blocked: captcha page", "blocked: http 412 script challenge"]
