"""`parknews parse` reads stdin, a URL (fetched once, politely, from a real local server), and
several files or a folder at once (JSON Lines)."""
import gzip
import json
import subprocess
import sys

import pytest

from crawler.demo.server import Page, SiteServer
from crawler.demo.site import build_demo_site
from crawler.settings import USER_AGENT
from pn_testing import ROOT, cli_env, run_cli

SITE = build_demo_site()
ARTICLES = [a for a in SITE.expected["articles"] if a["kind"] == "regular"][:3]


def one_line_error(result, *needles, code):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.code == code and len(lines) == 1 and "Traceback" not in result.stderr, result
    for needle in needles:
        assert needle in lines[0], result


def body(article):
    return SITE.pages[article["path"]].body


def test_stdin(tmp_path):
    a = ARTICLES[0]
    url = "http://yuanqu.china.com.cn" + a["path"]
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "parse", "-", "--url", url], input=body(a),
                          cwd=ROOT, capture_output=True, env=cli_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    record = json.loads(proc.stdout)
    assert record["title"] == a["title"] and record["url"] == url and record["published_at"] == a["published_at"]
    empty = subprocess.run([sys.executable, "-m", "crawler.cli", "parse", "-"], input="", cwd=ROOT,
                           capture_output=True, env=cli_env(), timeout=120, text=True)
    assert empty.returncode == 1 and empty.stderr.count("\n") == 1 and "-: not an article" in empty.stderr, empty


def test_several_files_and_a_folder_give_json_lines_and_bad_files_are_named(tmp_path):
    folder = tmp_path / "saved"
    (folder / "sub").mkdir(parents=True)
    for k, a in enumerate(ARTICLES):
        (folder / ("sub" if k == 2 else "") / f"page{k}.html").write_bytes(body(a))
    (folder / "notes.txt").write_text("not a page")  # not a saved page: left out of a folder
    (folder / "broken.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    result = run_cli("parse", folder)
    assert result.code == 1, result
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["title"] for r in records) == sorted(a["title"] for a in ARTICLES)
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2 and "broken.html: not an article" in errors[0], result
    assert "1 of 4 pages could not be parsed" in errors[1] and "notes.txt" not in result.stderr, result
    # files and folders mixed; a missing file is named, the others still parse
    mixed = run_cli("parse", folder / "page0.html", tmp_path / "absent.html", folder / "sub")
    assert mixed.code == 2, mixed
    assert [json.loads(line)["title"] for line in mixed.stdout.splitlines()] == [ARTICLES[0]["title"], ARTICLES[2]["title"]]
    assert "absent.html: cannot read" in mixed.stderr and "Traceback" not in mixed.stderr, mixed
    # one page is one indented record, --jsonl makes it a line
    single = run_cli("parse", folder / "page1.html")
    assert single.code == 0 and single.stdout.startswith("{\n"), single
    assert len(run_cli("parse", folder / "page1.html", "--jsonl").stdout.splitlines()) == 1
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("no pages here")
    one_line_error(run_cli("parse", tmp_path / "empty"), "empty: no saved pages", code=2)
    one_line_error(run_cli("parse", folder, "--url", "http://x.example/a.html"), "--url", code=2)
    one_line_error(run_cli("parse"), "give a saved page", code=2)


@pytest.fixture
def server():
    a, b = ARTICLES[0], ARTICLES[1]
    pages = {
        "/robots.txt": Page.text("User-agent: *\nDisallow: /private/\n"),
        a["path"]: SITE.pages[a["path"]],
        "/private/secret.html": SITE.pages[b["path"]],
        "/moved.html": Page.redirect(a["path"]),
        "/slow.html": Page(200, body(b), {"Content-Type": "text/html; charset=utf-8"}, delay=3.0),
        "/gone.html": Page.html("<html><body>gone</body></html>", status=404),
        "/gzipped.html": Page(200, gzip.compress(body(b)), {"Content-Type": "text/html; charset=utf-8",
                                                             "Content-Encoding": "gzip"}),
    }
    with SiteServer(pages) as srv:
        yield srv


def test_url_fetched_once_politely(server):
    a = ARTICLES[0]
    url = server.url(a["path"])
    result = run_cli("parse", url, "--allow-private")
    assert result.code == 0, result
    record = json.loads(result.stdout)
    assert record["title"] == a["title"] and record["url"] == url
    assert server.requested_paths() == ["/robots.txt", a["path"]]  # robots.txt first, the page once
    assert all(h.get("User-Agent") == USER_AGENT for _, _, h in server.requests)
    # a redirect is followed (and checked): the record has the final URL
    server.clear_requests()
    moved = run_cli("parse", server.url("/moved.html"), "--allow-private")
    assert moved.code == 0 and json.loads(moved.stdout)["url"] == url, moved
    assert server.requested_paths() == ["/robots.txt", "/moved.html", a["path"]]
    gzipped = run_cli("parse", server.url("/gzipped.html"), "--allow-private")
    assert gzipped.code == 0 and json.loads(gzipped.stdout)["title"] == ARTICLES[1]["title"], gzipped


def test_url_refusals_are_one_line(server):
    one_line_error(run_cli("parse", server.url("/private/secret.html"), "--allow-private"),
                   "/private/secret.html", "robots.txt", code=1)
    assert "/private/secret.html" not in server.requested_paths()
    one_line_error(run_cli("parse", server.url("/slow.html"), "--allow-private", "--timeout", "1"),
                   "slow.html", "timed out after 1 s", code=1)
    one_line_error(run_cli("parse", server.url("/gone.html"), "--allow-private"), "gone.html", "HTTP 404", code=1)
    # a loopback address without --allow-private is refused before any request
    server.clear_requests()
    one_line_error(run_cli("parse", server.url(ARTICLES[0]["path"])), "loopback", "--allow-private", code=2)
    assert server.requests == []


def test_url_whose_robots_txt_fails_is_not_fetched():
    a = ARTICLES[0]
    with SiteServer({"/robots.txt": Page.text("busy", status=503), a["path"]: SITE.pages[a["path"]]}) as srv:
        one_line_error(run_cli("parse", srv.url(a["path"]), "--allow-private"), "robots.txt", "HTTP 503", code=1)
        assert srv.requested_paths() == ["/robots.txt"]


def test_readme_parse_example_is_the_help_example():
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `parknews parse"))
    example = re.findall(r"`(parknews parse [^`]+)`", row)[-1]
    assert example in run_cli("parse", "--help").stdout, example
