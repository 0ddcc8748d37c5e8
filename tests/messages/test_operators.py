"""What an operator (cron) sees: one line per connection error and no traceback, a private
address refused as a configuration error (exit 2, the flag named), a truthful reparse summary,
one behaviour for unknown site names, -s NAME=VALUE, and one count of skipped articles."""
import socket

import pytest

from crawler.demo.server import SiteServer
from crawler.demo.site import generate_site
from pn_testing import assert_one_line_error, run_cli, write_site


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("ops") / "demo.db"
    result = run_cli("demo", "--db", db)
    assert result.code == 0, result
    return db


def test_an_unreachable_site_is_one_line_per_error(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/"
    result = run_cli("crawl", url, "--allow-private", "--log-level", "ERROR", "--db", tmp_path / "u.db",
                     "-s", "RETRY_TIMES=0")
    assert result.code == 1, result
    assert "Traceback" not in result.stderr, result
    lines = result.stderr.strip().splitlines()
    # robots.txt, the page, the last line: the robots.txt middleware's second line about the
    # same robots.txt failure is dropped
    assert len(lines) == 3, result
    assert "/robots.txt" in lines[0], result
    for line in lines[:-1]:
        assert " ERROR: " in line and url.rstrip("/") in line and "refused" in line.lower(), line
    # the cause on the last line: the failed URL and why
    assert lines[-1].startswith("parknews: error: crawl of 127.0.0.1"), result
    assert f"the first: {url}: " in lines[-1] and "refused" in lines[-1].lower(), result


def test_an_unresolvable_host_is_one_line_per_error(tmp_path):
    url = "http://no-such-host.invalid/"
    result = run_cli("crawl", url, "--log-level", "ERROR", "--db", tmp_path / "d.db", "-s", "RETRY_TIMES=0")
    assert result.code == 1, result
    assert "Traceback" not in result.stderr, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, result
    assert "DNS lookup failed" in lines[1] and url in lines[1], result
    assert f"the first: {url}: " in lines[-1] and "DNS lookup failed" in lines[-1], result


def test_a_private_address_without_the_flag_is_a_configuration_error(tmp_path):
    with SiteServer(generate_site(5, seed=1)) as srv:
        site = write_site(tmp_path, "private", srv.base_url, allow_private=False)
        for target in (site, srv.base_url + "/news/index.html"):
            result = run_cli("crawl", target, "--log-level", "INFO", "--db", tmp_path / "p.db")
            assert result.code == 2, result
            last = result.stderr.strip().splitlines()[-1]
            assert last.startswith("parknews: error: crawl of "), result
            assert "every page was refused" in last and "loopback" in last and "--allow-private" in last, last
        assert srv.requests == []  # refused before any request reached it


def test_reparse_without_its_warc_folder_says_so(demo_db, tmp_path):
    from crawler.demo.site import build_demo_site

    n = build_demo_site().expected["stored_count"]
    assert_one_line_error(run_cli("reparse", "--db", demo_db, "--warc-dir", tmp_path / "nowhere"),
                          "no such WARC folder", f"none of the {n} captured articles", "--warc-dir")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("reparse", "--db", demo_db, "--warc-dir", empty)
    assert result.code == 1, result
    assert f"re-parsed 0 of {n} articles" in result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert f"{n} of {n} articles could not be read" in last and "nothing was re-parsed" in last, last


@pytest.mark.parametrize("args", [["runs"], ["status"], ["stats"], ["search", "园区"], ["export"]],
                         ids=lambda a: a[0])
def test_an_unknown_site_is_the_same_error_everywhere(demo_db, args):
    assert_one_line_error(run_cli(*args, "--site", "nosuch", "--db", demo_db), "unknown site 'nosuch'")


def test_a_known_site_still_lists(demo_db):
    result = run_cli("runs", "--site", "demo", "--db", demo_db)
    assert result.code == 0 and "\tdemo\t" in result.stdout, result
    assert run_cli("status", "--site", "demo", "--db", demo_db).stdout.startswith("demo")


def test_an_unknown_charset_is_refused(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><body><h1>标题</h1><p>正文</p></body></html>", encoding="utf-8")
    assert_one_line_error(run_cli("parse", page, "--charset", "nosuch-charset"), "--charset", "nosuch-charset")


def test_set_option_reaches_scrapy_and_skipped_is_one_count(tmp_path):
    with SiteServer(generate_site(45, seed=5)) as srv:
        site = write_site(tmp_path, "sets", srv.base_url)
        db = tmp_path / "s.db"
        first = run_cli("crawl", site, "--db", db, "--log-level", "WARNING", "-s", "USER_AGENT=pn-set-test/1")
        assert first.code == 0, first
        agents = {h.get("User-Agent") or h.get("user-agent") for _, _, h in srv.requests}
        assert agents == {"pn-set-test/1"}, agents
        again = run_cli("crawl", site, "--db", db, "--log-level", "WARNING")
        assert again.code == 0, again
    known = int(again.stdout.split("known skipped ")[1].split(",")[0])
    assert known > 0
    skipped_line = next(line for line in again.stdout.splitlines() if line.startswith("skipped:"))
    assert f"known {known}" in skipped_line, again.stdout
    assert_one_line_error(run_cli("crawl", site, "--db", db, "-s", "DOWNLOAD_DELEY=1"), "DOWNLOAD_DELEY",
                          "DOWNLOAD_DELAY")
    assert_one_line_error(run_cli("crawl", site, "--db", db, "-s", "novalue"), "NAME=VALUE")
