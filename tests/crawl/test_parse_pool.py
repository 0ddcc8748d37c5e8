"""The parse stage's worker processes (crawler/parse_pool.py, PARKNEWS_PARSE_WORKERS) in real
crawls: the archive they fill is the one an inline parse fills, a parser exception in a worker is
the same refusal as inline, with its reason. InOrder's ordering is checked on its own Deferreds."""
import json
import os
from pathlib import Path

import sqlite_utils
from twisted.internet.defer import Deferred

from crawler.demo.server import Page, SiteServer
from crawler.parse_pool import InOrder
from crawler.parsing.keys import url_key
from pn_testing import ROOT, run_cli, write_site

HOOKS = Path(__file__).parent  # pool_hooks.py: a parser with a planted bug

TIMES = {"fetched_at", "first_seen", "last_seen", "updated_at", "seen_at", "created_at"}


def archive_dump(path) -> dict:
    """The archive's contents with ids as URLs and times left out: what two crawls of one site
    must agree on."""
    db = sqlite_utils.Database(str(path))
    # an article is named by its URL key: which of one page's URLs (the demo links one with tracking
    # parameters too) is fetched first, and so becomes articles.url, is download order, not the parse
    url_of = {r["id"]: url_key(r["url"]) for r in db.query("SELECT id, url FROM articles")}

    def value(table, key, v):
        if key == "url" and table in ("articles", "copy_records"):
            return url_key(v)
        if key in ("attachments", "images") and v:  # a capture names its crawl's WARC file and offset
            return [{k: x for k, x in entry.items() if k != "capture"} for entry in json.loads(v)]
        return v

    def rows(table, drop=(), ids=()):
        out = []
        for row in db.query(f"SELECT * FROM {table}"):
            row = {k: (url_of.get(v) if k in ids else value(table, k, v)) for k, v in row.items()
                   if k not in TIMES | set(drop)}
            out.append(row)
        return sorted(out, key=lambda r: json.dumps(r, sort_keys=True, default=str))

    dump = {
        "articles": rows("articles", drop=("id",)),
        "article_urls": rows("article_urls", ids=("article_id",)),
        "copy_records": rows("copy_records", ids=("article_id",)),
        "refused_pages": rows("refused_pages", drop=("capture_id", "last_run_id")),
        "fetch_failures": rows("fetch_failures", drop=("last_run_id",)),
        "clusters": sorted(
            (url_of[m], url_of[c]) for m, c in db.execute(
                "SELECT m.article_id, c.original_article_id FROM cluster_members m "
                "JOIN clusters c ON c.id = m.cluster_id")),
        "captured": sorted(r[0] for r in db.execute("SELECT url FROM captures")),
    }
    db.close()
    return dump


def test_two_workers_store_what_an_inline_parse_stores(tmp_path):
    from crawler.demo.site import build_demo_site

    site = build_demo_site()
    dumps, stats = {}, {}
    with SiteServer(dict(site.pages)) as srv:
        for workers in (0, 2):
            db, stats_file = tmp_path / f"w{workers}.db", tmp_path / f"w{workers}.json"
            result = run_cli("crawl", "demo", "--base-url", srv.base_url, "--db", db, "--log-level", "WARNING",
                             "-s", f"PARKNEWS_PARSE_WORKERS={workers}", "--stats-file", stats_file)
            assert result.code == 0, result
            dumps[workers], stats[workers] = archive_dump(db), json.loads(stats_file.read_text())
    assert len(dumps[0]["articles"]) == site.expected["stored_count"]
    assert dumps[2] == dumps[0]
    assert stats[2]["parknews/parse_pool/workers"] == 2 and "parknews/parse_pool/workers" not in stats[0]
    assert "parknews/parse_pool/inline" not in stats[2] and "parknews/parse_pool/restarted" not in stats[2]
    assert stats[2]["parknews/parsed"] == stats[0]["parknews/parsed"] > 30
    assert stats[2]["parknews/time/parse"] > 0 and stats[0]["parknews/time/parse"] > 0


GOOD = ("<html><head><meta charset='utf-8'><title>{t}</title></head><body><h1>{t}</h1>"
        "<div class='info'>发布时间：2024-05-13 来源：中国网园区</div><div id='articleBody'><p>{t}。</p>"
        + "<p>园区今年以来新签约项目四十二个，总投资三百六十亿元，重点围绕新能源、新材料和高端装备产业。</p>" * 4
        + "{extra}</div></body></html>")


def test_a_parser_exception_in_a_worker_is_refused_with_its_reason(tmp_path):
    pages = {"/list.html": Page.html("<html><body>" + "".join(
        f"<a href='/a/{i}.html'>{i}</a>" for i in range(1, 5)) + "</body></html>")}
    titles = ["经开区签约四十二个项目", "高新区人才公寓交付", "园区企业服务中心启用", "综保区进出口额增长"]
    for i, title in enumerate(titles, 1):
        pages[f"/a/{i}.html"] = Page.html(GOOD.format(t=title, extra="<!-- PARSER-BUG -->" if i == 3 else ""))
    pipelines = {"pool_hooks.BuggyParsePipeline": 100, "crawler.attachments.AttachmentsPipeline": 300,
                 "crawler.images.ImagesPipeline": 310, "crawler.pipelines.StorePipeline": 500}
    db, stats_file = tmp_path / "bug.db", tmp_path / "stats.json"
    with SiteServer(pages) as srv:
        site_file = write_site(tmp_path, "local", srv.base_url, start="/list.html", follow=(),
                               article=(r"/a/\d+\.html$",))
        result = run_cli("crawl", site_file, "--db", db, "--log-level", "INFO", "--stats-file", stats_file,
                         "-s", "PARKNEWS_PARSE_WORKERS=1", "-s", "ITEM_PIPELINES=" + json.dumps(pipelines),
                         env={"PYTHONPATH": os.pathsep.join([str(ROOT), str(HOOKS)])})
        base = srv.base_url
    assert result.code == 0, result
    stats = json.loads(stats_file.read_text())
    assert stats["parknews/parse_pool/workers"] == 1 and "parknews/parse_pool/inline" not in stats
    assert stats["parknews/parse_error"] == 1 and stats["parknews/dropped/parse_error"] == 1
    d = sqlite_utils.Database(str(db))
    assert sorted(r["title"] for r in d.query("SELECT title FROM articles")) == sorted(titles[:2] + titles[3:])
    [refused] = list(d.query("SELECT url, reason, detail, capture_id FROM refused_pages"))
    assert refused["url"] == f"{base}/a/3.html" and refused["reason"] == "parse_error"
    assert refused["detail"].startswith("ValueError: planted parser bug (process ")
    assert refused["capture_id"] is not None
    worker_pid = int(refused["detail"].rsplit(" ", 1)[1].rstrip(")"))
    assert worker_pid != d.execute("SELECT pid FROM crawl_runs").fetchone()[0]  # raised in a worker
    [line] = [line for line in result.stderr.splitlines() if f"{base}/a/3.html" in line and "Skipped" in line]
    assert "parse_error" in line


def test_in_order_releases_results_in_submission_order_per_key():
    order = InOrder()
    a1, a2, a3, b1 = Deferred(), Deferred(), Deferred(), Deferred()
    out = []
    for key, d in (("a", a1), ("a", a2), ("b", b1), ("a", a3)):
        order.wrap(key, d).addCallback(out.append)
    a3.callback("a3")
    b1.callback("b1")  # another site does not wait for site a
    a2.callback("a2")
    assert out == ["b1"] and len(order) == 1
    a1.callback("a1")
    assert out == ["b1", "a1", "a2", "a3"] and len(order) == 0
