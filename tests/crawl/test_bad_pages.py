"""Pages that are not articles are counted and skipped with one log line naming the URL;
the crawl goes on and nothing stored is lost."""
import json

import sqlite_utils

from crawler.demo.server import Page, SiteServer
from pn_testing import run_cli, write_site

GOOD = ("<html><head><title>{t}</title></head><body><h1>{t}</h1><div class='info'>时间:2024-05-13来源:中国网园区</div>"
        "<div id='articleBody'><p>{t}。</p>" + "<p>园区今年以来新签约项目四十二个，总投资三百六十亿元，重点围绕新能源、新材料和高端装备产业。</p>" * 4
        + "{extra}</div></body></html>")

def test_bad_pages_are_counted_and_skipped(tmp_path):
    links = "".join(f"<a href='/a/{i}.html'>{i}</a>" for i in range(1, 7))
    bad_bytes = GOOD.format(t="园区企业服务中心启用", extra="<p>乱码").encode("utf-8") + b"\xff\xfe\xfa\x80\x81" + "</p>".encode()
    pages = {
        "/list.html": Page.html(f"<html><body>{links}</body></html>"),
        "/a/1.html": Page.html(GOOD.format(t="经开区签约四十二个项目", extra="")),
        "/a/2.html": Page(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, {"Content-Type": "text/html"}),
        "/a/3.html": Page(200, b"", {"Content-Type": "text/html; charset=utf-8"}),
        "/a/4.html": Page.html("<html><body><ul>" + "".join(f"<li><a href='/x/{i}.html'>园区新闻标题第{i}条</a></li>" for i in range(40)) + "</ul></body></html>"),
        "/a/5.html": Page(200, bad_bytes, {"Content-Type": "text/html; charset=utf-8"}),
        "/a/6.html": Page.html(GOOD.format(t="高新区人才公寓交付", extra="")),
    }
    db = tmp_path / "bad.db"
    with SiteServer(pages) as srv:
        site_file = write_site(tmp_path, "local", srv.base_url, start="/list.html", follow=(),
                               article=(r"/a/\d+\.html$",))
        result = run_cli("crawl", site_file, "--db", db, "--log-level", "INFO")
        base = srv.base_url
    assert result.code == 0, result
    d = sqlite_utils.Database(str(db))
    titles = {r["title"]: r for r in d.query("select title, warnings from articles")}
    assert {"经开区签约四十二个项目", "高新区人才公寓交付"} <= set(titles)
    # undecodable bytes: kept, but never silently: the record says so
    if "园区企业服务中心启用" in titles:
        assert json.loads(titles["园区企业服务中心启用"]["warnings"])
    run = d.execute("select counts from crawl_runs").fetchone()[0]
    not_article = json.loads(run)["not_article"]
    assert not_article.get("binary") == 1
    assert not_article.get("empty") == 1
    assert sum(not_article.values()) >= 3
    for i in (2, 3, 4):
        lines = [line for line in result.stderr.splitlines() if f"{base}/a/{i}.html" in line and "Skipped" in line]
        assert len(lines) == 1, (i, result.stderr[-3000:])
        assert "not_article" in lines[0]
