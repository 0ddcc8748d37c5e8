"""No silent drops: a page the parser refuses is still captured and recorded with its reason
(refused_pages), counted in the stats, shown by status/stats, and recovered by `parknews reparse`
from its WARC capture once the parser takes it (here: a site-file rule added after the crawl)."""
import json

import pytest
import sqlite_utils

from crawler.demo.server import Page, SiteServer
from crawler.parsing import PARSER_VERSION
from pn_testing import run_cli, table_dump, write_site

PARA = "<p>高新区智能制造产业园二期项目今日正式开工建设，项目总投资约{n}亿元，主要建设标准厂房、研发楼及配套设施，预计可容纳企业六十余家。</p>"
GOOD = ("<html><head><meta charset='utf-8'><title>{t}_园区网</title></head><body><h1>{t}</h1>"
        "<div class='info'>发布时间：2024-05-{d} 来源：园区管委会</div><div id='content'><p>{t}。</p>"
        + "".join(PARA.format(n=n) for n in range(10, 14)) + "</div></body></html>")
# The headline is only in an attribute (a page some script renders): no parser finds it in the
# visible text, a site rule can name it.
HIDDEN_HEADLINE = ("<html><head><meta charset='utf-8'></head><body><div class='nav'><a href='/'>首页</a></div>"
                   "<div id='art' data-headline='经开区人才公寓首批交付使用'><p>2024年5月20日 来源：园区管委会</p>"
                   + "".join(PARA.format(n=n) for n in range(20, 25)) + "</div></body></html>")
RULE = "\n[fields]\ntitle = \"//div[@id='art']/@data-headline\"\n"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("refused")
    sites = tmp / "sites"
    sites.mkdir()
    links = "".join(f"<a href='/a/{i}.html'>第{i}篇</a> " for i in range(1, 5))
    pages = {
        "/list.html": Page.html(f"<html><body>{links}</body></html>"),
        "/a/1.html": Page.html(GOOD.format(t="高新区智能制造产业园二期开工", d="18")),
        "/a/2.html": Page.html(HIDDEN_HEADLINE),
        "/a/3.html": Page.html(GOOD.format(t="园区企业服务中心正式启用", d="19")),
        "/a/4.html": Page(200, b"%PDF-1.4\n" + bytes(range(256)) * 20, {"Content-Type": "text/html"}),
    }
    db = tmp / "refused.db"
    with SiteServer(pages) as srv:
        site_file = write_site(sites, "refusetest", srv.base_url, start="/list.html", follow=(),
                               article=(r"/a/\d+\.html$",))
        stats_file = tmp / "stats.json"
        result = run_cli("crawl", site_file, "--db", db, "--stats-file", stats_file, "--log-level", "INFO")
        base = srv.base_url
    assert result.code == 0, result
    return {"db": db, "base": base, "sites": sites, "site_file": site_file, "crawl": result,
            "stats": json.loads(stats_file.read_text())}


def refused_rows(db):
    return {r["url"]: r for r in table_dump(db, "refused_pages")}


def test_refused_pages_are_recorded_with_reason_and_capture(crawled):
    from archive.warc import read_record

    base = crawled["base"]
    rows = refused_rows(crawled["db"])
    assert set(rows) == {base + "/a/2.html", base + "/a/4.html"}
    hidden, pdf = rows[base + "/a/2.html"], rows[base + "/a/4.html"]
    assert hidden["reason"] == "no_title" and pdf["reason"] == "binary"
    assert hidden["site"] == "refusetest" and hidden["parser_version"] == PARSER_VERSION
    assert hidden["first_seen"] == hidden["last_seen"] and hidden["recovered_at"] is None
    d = sqlite_utils.Database(str(crawled["db"]))
    cap = next(d.query("SELECT * FROM captures WHERE id = ?", [hidden["capture_id"]]))
    assert cap["url"] == hidden["url"] and cap["article_id"] is None and cap["status"] == 200
    rec = read_record(crawled["db"].with_suffix(".warc"), cap["warc_file"], cap["offset"], cap["length"])
    assert b"data-headline" in rec.body  # the refused page's bytes are in the WARC file
    assert d["articles"].count == 2


def test_refusals_are_counted_in_stats_and_shown(crawled):
    assert crawled["stats"]["parknews/refused/recorded"] == 2
    assert "refused, kept:      2 pages with their capture" in crawled["crawl"].stdout
    assert crawled["stats"]["parknews/dropped/not_article"] == 2  # still not stored as articles
    status = run_cli("status", "--db", crawled["db"])
    assert status.code == 0, status
    assert "refused pages:   2 (binary 1, no_title 1)" in status.stdout
    data = json.loads(run_cli("status", "--db", crawled["db"], "--json").stdout)
    assert data[0]["refused_pages"] == {"refused": 2, "recovered": 0, "reasons": {"binary": 1, "no_title": 1}}
    stats = run_cli("stats", "--db", crawled["db"])
    assert "refused pages" in stats.stdout and "2 (binary 1, no_title 1)" in stats.stdout


def test_reparse_recovers_a_refused_page_once_the_parser_takes_it(crawled, tmp_path):
    import shutil

    db = tmp_path / "copy.db"
    src = sqlite_utils.Database(str(crawled["db"]))
    src.execute("PRAGMA wal_checkpoint(FULL)")
    src.close()
    shutil.copy(crawled["db"], db)
    warc = crawled["db"].with_suffix(".warc")
    env = {"PARKNEWS_SITES_DIR": str(crawled["sites"])}
    # the parser still refuses it: nothing stored, the row stays
    same = run_cli("reparse", "--db", db, "--warc-dir", warc, env=env)
    assert same.code == 0, same
    assert "refused pages retried: 2: 0 stored as articles, 2 still refused (binary 1, no_title 1)" in same.stdout
    assert sqlite_utils.Database(str(db))["articles"].count == 2
    # a site rule names the headline: the page is now an article, taken from the WARC capture (offline)
    crawled["site_file"].write_text(crawled["site_file"].read_text(encoding="utf-8") + RULE, encoding="utf-8")
    try:
        dry = run_cli("reparse", "--db", db, "--warc-dir", warc, "--dry-run", env=env)
        assert "1 would be stored" in dry.stdout and sqlite_utils.Database(str(db))["articles"].count == 2
        fixed = run_cli("reparse", "--db", db, "--warc-dir", warc, env=env)
    finally:
        crawled["site_file"].write_text(crawled["site_file"].read_text(encoding="utf-8").replace(RULE, ""),
                                        encoding="utf-8")
    assert fixed.code == 0, fixed
    url = crawled["base"] + "/a/2.html"
    assert "1 stored as articles (new 1), 1 still refused (binary 1)" in fixed.stdout
    assert f"recovered {url}: article" in fixed.stdout
    d = sqlite_utils.Database(str(db))
    art = next(d.query("SELECT * FROM articles WHERE url = ?", [url]))
    assert art["title"] == "经开区人才公寓首批交付使用" and art["published_at"] == "2024-05-20"
    assert art["source"] == "园区管委会" and "六十余家" in art["body_text"]
    assert json.loads(art["extraction"])["title"] == "rule"
    row = refused_rows(db)[url]
    assert row["recovered_article_id"] == art["id"] and row["recovered_at"]
    # the capture is now the article's: the ordinary reparse of articles reads it
    cap = next(d.query("SELECT article_id FROM captures WHERE id = ?", [row["capture_id"]]))
    assert cap["article_id"] == art["id"]
    assert next(d.query("SELECT count(*) AS n FROM article_urls WHERE url = ?", [url]))["n"] == 1
    # through the storage path: searchable like any crawled article
    found = run_cli("search", "人才公寓", "--db", db)
    assert found.code == 0 and "经开区[人才公寓]首批交付使用" in found.stdout, found  # the term marked
    status = run_cli("status", "--db", db)
    assert "refused pages:   1 (binary 1), 1 recovered" in status.stdout
    # a second reparse finds nothing left to recover and changes nothing
    again = run_cli("reparse", "--db", db, "--warc-dir", warc, env=env)
    assert "0 stored as articles, 1 still refused" in again.stdout and ": 0 changed" in again.stdout


def test_reparse_brings_a_newer_parser_to_old_records(crawled, tmp_path):
    """An archive crawled with an older parser: its stored fields are what that parser said
    (no author/source, a date without its time, a longer title) and its parser_version older.
    reparse updates them to what the current parser reads from the same WARC capture."""
    import shutil

    db = tmp_path / "old.db"
    src = sqlite_utils.Database(str(crawled["db"]))
    src.execute("PRAGMA wal_checkpoint(FULL)")
    src.close()
    shutil.copy(crawled["db"], db)
    fresh = {r["id"]: r for r in table_dump(db, "articles")}
    d = sqlite_utils.Database(str(db))
    d.execute("UPDATE articles SET source = NULL, published_at = substr(published_at, 1, 7), "
              "title = title || '_园区网', parser_version = '0.9'")
    d.conn.commit()
    d.close()
    result = run_cli("reparse", "--db", db, "--warc-dir", crawled["db"].with_suffix(".warc"))
    assert result.code == 0, result
    assert "re-parsed 2 articles" in result.stdout and ": 2 changed" in result.stdout
    for name in ("parser_version 2", "published_at 2", "source 2", "title 2"):
        assert name in result.stdout
    after = {r["id"]: r for r in table_dump(db, "articles")}
    for aid, row in fresh.items():
        assert {k: v for k, v in after[aid].items() if k != "updated_at"} == \
               {k: v for k, v in row.items() if k != "updated_at"}
        assert after[aid]["parser_version"] == PARSER_VERSION


def test_reparse_refuses_what_the_crawl_validation_refuses(crawled, tmp_path):
    """A fresh parse that fails one of the crawl's validation rules other than no title / no body
    (here: a URL that is not http(s), from an archive written before that rule) is skipped with
    the crawl's reason, not written back."""
    import shutil

    db = tmp_path / "badurl.db"
    src = sqlite_utils.Database(str(crawled["db"]))
    src.execute("PRAGMA wal_checkpoint(FULL)")
    src.close()
    shutil.copy(crawled["db"], db)
    d = sqlite_utils.Database(str(db))
    aid, url = d.execute("SELECT id, url FROM articles ORDER BY id LIMIT 1").fetchone()
    bad = "ftp" + url[url.index(":"):]
    d.execute("UPDATE captures SET url = ? WHERE url = ?", [bad, url])
    d.execute("UPDATE articles SET url = ?, title = 'old title', parser_version = '0.9' WHERE id = ?", [bad, aid])
    d.conn.commit()
    d.close()
    result = run_cli("reparse", "--db", db, "--warc-dir", crawled["db"].with_suffix(".warc"))
    assert result.code == 0, result
    assert f"skipped {bad}: fails validation (invalid_url: {bad!r})" in result.stdout, result.stdout
    row = next(r for r in table_dump(db, "articles") if r["id"] == aid)
    assert row["title"] == "old title" and row["parser_version"] == "0.9"
