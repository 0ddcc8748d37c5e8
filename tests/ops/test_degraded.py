"""Noticing a broken site: the local site's templates change between runs; the run is marked
degraded, the fallen field is named, the exit code is 3, and status/runs show it."""
import json

from crawler.demo.server import Page

LIST_HEAD = '<div class="list"><h2>园区动态</h2><ul>'
JS_TEMPLATE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>{t}</title></head><body>'
               '<div id="app"></div><script src="/static/app.js"></script></body></html>')


def add_articles(pages, bodies):
    new_pages = dict(pages)
    items = []
    for k, body in enumerate(bodies):
        path = f"/news/2025-07/{k + 1:02d}/content_9100000{k}.html"
        new_pages[path] = Page.html(body)
        items.append(f'<li><a href="{path}">新版文章{k}</a><span class="date">2025-07-0{k + 1}</span></li>')
    first = pages["/news/index.html"].body.decode("utf-8")
    new_pages["/news/index.html"] = Page.html(first.replace(LIST_HEAD, LIST_HEAD + "".join(items)))
    return new_pages


def test_template_change_marks_the_run_degraded(small_site, tmp_path, ops):
    db = tmp_path / "d.db"
    site = ops.write_site(tmp_path, "drift", small_site.base_url)
    first = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    assert first.code == 0, first.stderr[-3000:]
    cover = json.loads(ops.db_rows(db, "SELECT coverage FROM crawl_runs")[0]["coverage"])
    assert cover["body"] == 1.0 and cover["date"] == 1.0

    # the article template turns into a JavaScript shell: new pages give no body
    small_site.pages = add_articles(small_site.site_pages, [JS_TEMPLATE.format(t=f"新版{k}") for k in range(5)])
    second = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    assert second.code == 3, (second.stdout, second.stderr[-3000:])
    assert "looks broken" in second.stderr and "body share fell to 0%" in second.stderr
    run = ops.db_rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["status"] == "degraded" and run["exit_code"] == 3
    assert "body" in run["degraded"]

    status = ops.run("status", "--db", db)
    assert status.code == 0, status.stderr
    assert "status degraded, exit 3" in status.stdout
    assert "body 0% (usual 100%)" in status.stdout
    runs = ops.run("runs", "--db", db, "--site", "drift", "--limit", "5")
    assert runs.code == 0, runs.stderr
    lines = runs.stdout.strip().splitlines()
    assert len(lines) == 3 and "\tdegraded\t3\t" in lines[1] and "\tok\t0\t" in lines[2]

    # the list template changes: no article link is found any more
    broken_list = dict(small_site.site_pages)
    for path in [p for p in broken_list if p.startswith("/news/index")]:
        html = broken_list[path].body.decode("utf-8")
        broken_list[path] = Page.html(html.replace("/content_", "/show.php?id="))
    small_site.pages = broken_list
    third = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
    assert third.code == 3, (third.stdout, third.stderr[-3000:])
    assert "no article links found" in third.stderr


def test_unchanged_site_is_not_degraded(small_site, tmp_path, ops):
    db = tmp_path / "u.db"
    site = ops.write_site(tmp_path, "steady", small_site.base_url)
    for _ in range(2):
        result = ops.run("crawl", site, "--db", db, "--delay", "0", "--log-level", "WARNING")
        assert result.code == 0, result.stderr[-3000:]
    assert [r["status"] for r in ops.db_rows(db, "SELECT status FROM crawl_runs ORDER BY id")] == ["ok", "ok"]
