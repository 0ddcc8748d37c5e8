"""The CLI: the README's main command, URL crawls, and one-line errors for bad input."""
import json
import shutil
import subprocess

import sqlite_utils

from crawler.demo.site import build_demo_site

from pn_testing import ROOT, assert_one_line_error, cli, jsonl, run_cli  # noqa: F401 (cli is a fixture)


def test_demo_fills_parknews_db_in_the_current_folder(tmp_path):
    result = run_cli("demo", cwd=tmp_path)
    assert result.code == 0, result
    n = build_demo_site().expected["stored_count"]
    assert f"articles stored:    {n} new" in result.stdout
    assert "duplicates found:   1" in result.stdout
    assert "fields missing:" in result.stdout
    db = sqlite_utils.Database(str(tmp_path / "parknews.db"))
    assert db["articles"].count == build_demo_site().expected["stored_count"]
    assert db["crawl_runs"].count == 1
    db.close()
    # the WARC files go to parknews.warc/ beside the database, and everything the demo wrote
    # in the folder is ignored by the checkout's .gitignore
    assert f"WARC files:         {tmp_path / 'parknews.warc'}" in result.stdout, result
    assert list((tmp_path / "parknews.warc").glob("demo-*.warc.gz"))
    assert not (tmp_path / "warc").exists()
    written = sorted(p.name + ("/" if p.is_dir() else "") for p in tmp_path.iterdir())
    if shutil.which("git") and (ROOT / ".git").exists():
        check = subprocess.run(["git", "check-ignore", "--no-index", "-v", *written], cwd=ROOT,
                               capture_output=True, text=True)
        ignored = {line.rsplit("\t", 1)[1] for line in check.stdout.splitlines()}
        assert ignored == set(written), (written, check.stdout)


def test_second_demo_run_is_incremental_on_stable_urls(tmp_path):
    """The sample site has one origin whatever port serves it: a second demo into the same
    database stores nothing and adds no URL rows (none pointing at a dead port)."""
    first = run_cli("demo", cwd=tmp_path)
    assert first.code == 0, first
    db_path = tmp_path / "parknews.db"
    urls = sorted(r["url"] for r in sqlite_utils.Database(str(db_path))["article_urls"].rows)
    assert urls and all(u.startswith("http://demo.parknews.invalid/") for u in urls), urls[:3]
    second = run_cli("demo", cwd=tmp_path)
    assert second.code == 0, second
    assert "articles stored:    0 new, 0 updated, 0 unchanged" in second.stdout, second
    assert "duplicates found:   0" in second.stdout, second
    db = sqlite_utils.Database(str(db_path))
    assert sorted(r["url"] for r in db["article_urls"].rows) == urls
    assert db["articles"].count == build_demo_site().expected["stored_count"]
    runs = list(db.query("SELECT articles_new, pages_fetched FROM crawl_runs ORDER BY id"))
    assert runs[1]["articles_new"] == 0 and runs[1]["pages_fetched"] < runs[0]["pages_fetched"], runs
    assert "127.0.0.1" not in json.dumps(list(db["articles"].rows), ensure_ascii=False)


def test_host_map_setting_on_crawl(tmp_path, local_server):
    """The demo's stable origin is a setting anyone can use: `-s PARKNEWS_HOST_MAP=...` sends a
    host's requests to another server and keeps the host in every URL; a bad value is one line."""
    host_map = json.dumps({"demo.parknews.invalid": local_server.base_url})
    result = run_cli("crawl", "demo", "--db", tmp_path / "m.db", "-s", f"PARKNEWS_HOST_MAP={host_map}",
                     "--log-level", "ERROR")
    assert result.code == 0, result
    urls = [r["url"] for r in sqlite_utils.Database(str(tmp_path / "m.db"))["article_urls"].rows]
    # every stored article's URL, plus the tracked-parameter copy's and the partner copy's
    assert len(urls) == local_server.site.expected["stored_count"] + 2 and all(u.startswith("http://demo.parknews.invalid/") for u in urls), urls[:3]
    for bad in ('{"demo.parknews.invalid": "ftp://x"}', "not json"):
        assert_one_line_error(run_cli("crawl", "demo", "--db", tmp_path / "m.db", "-s", f"PARKNEWS_HOST_MAP={bad}"),
                              "PARKNEWS_HOST_MAP")


def test_sites_lists_configured_sites(cli):
    result = cli("sites")
    assert result.code == 0, result
    names = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert "chinacom-yuanqu" in names and "demo" in names


def test_every_command_module_is_registered():
    """Each module of crawler/cli/ but the package's own (__init__, __main__, base) has
    register_commands and is listed in COMMAND_MODULES, so none of its commands goes missing."""
    import importlib

    from crawler.cli import COMMAND_MODULES

    names = sorted(f"crawler.cli.{p.stem}" for p in (ROOT / "crawler" / "cli").glob("*.py")
                   if p.stem not in ("__init__", "__main__", "base"))
    assert sorted(COMMAND_MODULES) == names
    assert all(callable(importlib.import_module(n).register_commands) for n in names)


def test_every_command_has_help_with_an_example():
    """Every command the package registers (crawler/cli/__init__.py, COMMAND_MODULES), and every
    subcommand, prints --help with an example."""
    import click
    from click.testing import CliRunner

    from crawler.cli import cli as group

    def walk(command, path):
        yield path
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, path + [name])

    paths = list(walk(group, []))
    assert {"demo", "crawl", "parse", "eval", "status", "search", "export", "reparse", "parks"} <= {p[0] for p in paths if p}
    for path in paths:
        result = CliRunner().invoke(group, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example" in result.output, path


def test_url_crawl_finds_articles_by_itself(local_server, tmp_path, cli):
    db = tmp_path / "auto.db"
    result = cli("crawl", local_server.base_url + "/", "--db", db, "--delay", "0", "--log-level", "WARNING",
                 "--allow-private")
    assert result.code == 0, result
    expected = local_server.site.expected
    titles = {r["title"] for r in sqlite_utils.Database(str(db)).query("select title from articles")}
    assert titles == {a["title"] for a in local_server.site.stored_articles()}
    # list pages, about/contact pages were not stored as articles
    assert "not_article" in result.stdout or "skipped" in result.stdout


def test_url_crawl_article_regex_and_max_pages(local_server, tmp_path, cli):
    db = tmp_path / "narrow.db"
    result = cli("crawl", local_server.base_url + "/news/index.html", "--db", db,
                 "--article", r"/2024-0[1-3]/", "--follow", r"/news/index", "--delay", "0", "--log-level", "WARNING",
                 "--allow-private")
    assert result.code == 0, result
    stored = [r["published_at"] for r in sqlite_utils.Database(str(db)).query("select published_at from articles")]
    expected = [a for a in local_server.site.expected["articles"] if a["path"].startswith(("/news/2024-01", "/news/2024-02", "/news/2024-03"))]
    assert len(stored) == len(expected) > 0
    assert all(p.startswith(("2024-01", "2024-02", "2024-03")) for p in stored)
    bounded = tmp_path / "bounded.db"
    result = cli("crawl", local_server.base_url + "/", "--db", bounded, "--max-pages", "5", "--delay", "0", "--log-level", "WARNING",
                 "--allow-private")
    assert result.code == 0, result
    fetched = int(result.stdout.split("pages fetched:")[1].split()[0])
    assert fetched == 5


def test_corrupt_database_is_one_line_and_untouched(tmp_path, cli):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    before = bad.read_bytes()
    assert_one_line_error(cli("export", "--db", bad), "bad.db", "not a readable SQLite database")
    assert_one_line_error(cli("crawl", "demo", "--db", bad), "bad.db")
    assert bad.read_bytes() == before


def test_missing_database_for_export(tmp_path, cli):
    assert_one_line_error(cli("export", "--db", tmp_path / "nope.db"), "nope.db", "no such database")
    assert not (tmp_path / "nope.db").exists()


def test_unknown_site_bad_site_file_bad_regex(tmp_path, cli):
    assert_one_line_error(cli("crawl", "no-such-site", "--db", tmp_path / "a.db"), "unknown site 'no-such-site'")
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x"\nstart_urls = ["http://a.example/"]\nallowed_domains=["a.example"]\n[links]\narticle = ["(unclosed"]\n')
    assert_one_line_error(cli("crawl", broken, "--db", tmp_path / "a.db"), "broken.toml", "links.article", "bad regex")
    typo = tmp_path / "typo.toml"
    typo.write_text('name = "x"\nstart_urls = ["http://a.example/"]\nallowed_domains=["a.example"]\nstart_url = 1\n[links]\narticle = ["x"]\n')
    assert_one_line_error(cli("crawl", typo, "--db", tmp_path / "a.db"), "typo.toml", "unknown key 'start_url'")
    notoml = tmp_path / "bad.toml"
    notoml.write_text("name = \n")
    assert_one_line_error(cli("crawl", notoml, "--db", tmp_path / "a.db"), "bad.toml", "not valid TOML")
    assert_one_line_error(cli("crawl", tmp_path / "missing.toml", "--db", tmp_path / "a.db"), "missing.toml", "cannot read")
    assert_one_line_error(cli("crawl", "http://127.0.0.1:9/", "--article", "(", "--db", tmp_path / "a.db"), "--article", "bad regex")
    assert_one_line_error(cli("crawl", "ftp://example.com/", "--db", tmp_path / "a.db"), "only http and https")


def test_parse_prints_record_and_rejects_bad_files(tmp_path, cli, local_server):
    import urllib.request

    gbk_path = local_server.site.expected["gbk_path"]
    page = tmp_path / "gbk.html"
    page.write_bytes(urllib.request.urlopen(local_server.base_url + gbk_path).read())
    result = cli("parse", page, "--url", "http://demo.example" + gbk_path, "--charset", "gb2312")
    assert result.code == 0, result
    record = jsonl(result.stdout.replace("\n", " ").replace("} {", "}\n{"))[0]
    gbk = next(a for a in local_server.site.expected["articles"] if a["path"] == gbk_path)
    assert record["title"] == gbk["title"]
    assert record["url"] == "http://demo.example" + gbk_path
    # no header: the parser detects GBK bytes by itself
    assert jsonl(cli("parse", page).stdout.replace("\n", " "))[0]["title"] == gbk["title"]
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    assert_one_line_error(cli("parse", binary), "image.png", "not an article", code=1)
    assert_one_line_error(cli("parse", tmp_path / "absent.html"), "absent.html", "cannot read")
    assert_one_line_error(cli("parse", page, "--fetched-at", "yesterday"), "--fetched-at")


def test_unwritable_export_output(tmp_path, local_server, cli):
    db = tmp_path / "x.db"
    run = cli("crawl", "demo", "--base-url", local_server.base_url, "--db", db, "--log-level", "ERROR")
    assert run.code == 0, run
    assert_one_line_error(cli("export", "--db", db, "--output", tmp_path / "no" / "dir" / "out.jsonl"), "out.jsonl", "cannot write")
