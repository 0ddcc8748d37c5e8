"""`parknews serve`: Datasette's test client against a real crawl, and once end to end in headless
Chromium (skipped, with the reason, where Chromium cannot run)."""
import asyncio
import contextlib
import html
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.error
import urllib.request

import pytest
import sqlite_utils

from pn_browser import chromium_path
from pn_testing import ROOT, run_cli, table_dump


@pytest.fixture(scope="module")
def ds(archive):
    from crawler.serve import make_datasette

    return make_datasette(archive["db"])


def get(ds, path):
    async def go():
        await ds.invoke_startup()
        return await ds.client.get(path)

    return asyncio.run(go())


def rows(ds, path):
    r = get(ds, path + ("&" if "?" in path else "?") + "_shape=array")
    assert r.status_code == 200, r.text[:500]
    return r.json()


def test_search_query_finds_two_character_terms_ranked_with_snippets(ds, archive):
    expected = archive["site"].expected
    hits = rows(ds, "/parknews/search.json?q=" + urllib.parse.quote("招商") + "&site=")
    titles = {h["title"] for h in hits}
    want = {a["title"] for a in expected["articles"] if "招商" in a["title"] or "招商" in a["body_text"]}
    assert want <= titles
    assert all("[招商]" in h["snippet"] for h in hits if "招商" in (h["snippet"] or ""))
    assert "招商" in hits[0]["title"]
    demo_only = rows(ds, "/parknews/search.json?q=" + urllib.parse.quote("招商") + "&site=partner")
    assert all(h["site"] == "partner" for h in demo_only)
    page = get(ds, "/parknews/search?q=" + urllib.parse.quote("园区"))
    assert page.status_code == 200 and "<mark>园区</mark>" in page.text


def test_search_page_links_hits_to_their_records_and_filters_by_date_and_source(ds, archive):
    expected = archive["site"].expected
    q = urllib.parse.quote("园区")
    hits = rows(ds, f"/parknews/search.json?q={q}&site=&source=&since=2024-07&until=2024-08")
    assert hits and all("2024-07-01" <= h["date"] <= "2024-08-31" for h in hits), hits
    want = {a["title"] for a in archive["site"].stored_articles() if "2024-07" <= a["published_at"][:7] <= "2024-08"
            and ("园区" in a["title"] or "园区" in a["body_text"])}
    assert want == {h["title"] for h in hits if h["site"] == "demo"}
    source = "管委会"
    by_source = rows(ds, f"/parknews/search.json?q={q}&site=&source={urllib.parse.quote(source)}&since=&until=")
    assert by_source and all(source in h["source"] for h in by_source)
    # the HTML page: each hit's title links to its record page, the live URL stays beside it
    page = get(ds, f"/parknews/search?q={q}&site=&source=&since=&until=")
    assert page.status_code == 200
    for name in ("q", "site", "source", "since", "until"):
        assert f'name="{name}"' in page.text
    first = rows(ds, f"/parknews/search.json?q={q}&site=&source=&since=&until=")[0]
    link = f'<a class="pn-record" href="/parknews/articles/{first["record"]}">{first["title"]}</a>'
    assert link in page.text, page.text[:2000]
    record = get(ds, f"/parknews/articles/{first['record']}")
    assert record.status_code == 200 and first["title"] in record.text
    assert first["live_url"].startswith("http://") and first["live_url"] in page.text
    # a bad date is refused, not ignored
    assert get(ds, f"/parknews/search.json?q={q}&site=&source=&since=2024-13&until=").status_code == 400


def test_articles_table_search_uses_the_chinese_index(ds, archive):
    expected = archive["site"].expected
    found = rows(ds, "/parknews/articles.json?_search=" + urllib.parse.quote("招商") + "&_col=title")
    want = {a["title"] for a in expected["articles"] if "招商" in a["title"] or "招商" in a["body_text"]}
    assert want <= {r["title"] for r in found}
    html = get(ds, "/parknews/articles?_search=" + urllib.parse.quote("招商")).text
    assert 'name="_search"' in html and "Chinese full-text search matches" in html


def test_canned_queries(ds, archive):
    expected = archive["site"].expected
    latest = rows(ds, "/parknews/latest_per_site.json")
    demo = [r for r in latest if r["site"] == "demo"]
    newest = sorted(expected["articles"], key=lambda a: a["published_at"], reverse=True)[:10]
    assert [r["title"] for r in demo] == [a["title"] for a in newest]
    assert [r["site"] for r in latest].count("partner") == 1
    park = "临江经开区"
    mentions = rows(ds, "/parknews/park_mentions.json?park=" + urllib.parse.quote(park))
    want = {a["title"] for a in expected["articles"] if park in a["title"] or park in a["body_text"]}
    assert want and want <= {r["title"] for r in mentions}
    assert all(park in r["title"] or park in r["snippet"] for r in mentions)
    clusters = rows(ds, "/parknews/republished_clusters.json")
    copy = archive["copy"]
    assert len(clusters) == 1 and clusters[0]["articles"] == 2
    assert clusters[0]["original_id"] in (copy["original_id"], copy["copy_id"])
    degraded = rows(ds, "/parknews/degraded_runs.json")
    assert [r["status"] for r in degraded] == ["degraded"]


def test_metadata_json_rendering_and_hidden_index_tables(ds):
    meta = get(ds, "/-/metadata.json").json()
    assert "licence" in json.dumps(meta).lower() or meta.get("license")
    assert meta["source"]
    assert "来源" in meta["databases"]["parknews"]["tables"]["articles"]["columns"]["source"]
    home = get(ds, "/parknews").text
    assert "search_tri_data" not in home and "articles" in home
    row = get(ds, "/parknews/articles/1").text
    assert "<details><summary>" in row  # sections rendered, not raw JSON
    assert "&#34;paragraphs&#34;" not in row


def test_serve_refuses_write_sql(ds, archive):
    before = table_dump(archive["db"], "articles")
    for sql in ("DELETE FROM articles", "DROP TABLE articles", "UPDATE articles SET title = 'x'",
                "INSERT INTO export_cursors (name) VALUES ('x')", "PRAGMA journal_mode=DELETE",
                "SELECT 1; DELETE FROM articles"):
        r = get(ds, "/parknews.json?sql=" + urllib.parse.quote(sql))
        assert r.status_code in (400, 403) or not r.json().get("ok", True), (sql, r.status_code, r.text[:200])
    # the search text is data, never SQL
    inj = rows(ds, "/parknews/search.json?q=" + urllib.parse.quote("'; DROP TABLE articles; --") + "&site=")
    assert inj == []
    db = ds.get_database("parknews")
    with pytest.raises(Exception):
        asyncio.run(db.execute_write("DELETE FROM articles"))
    assert table_dump(archive["db"], "articles") == before


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(db_path, env=None):
    """A real `parknews serve` subprocess on a free port: yields (base URL, Popen); stopped after."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), **(env or {}))
    # stderr to a file: a pipe nobody reads fills up with Datasette's error logs and blocks the server
    log = tempfile.TemporaryFile(mode="w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "serve", "--db", str(db_path), "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=log, env=env, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"parknews serve did not start: {log.read()[-1000:]}")
                time.sleep(0.2)
        yield base, server
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()


def _dump_dom(chromium, url, profile):
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
           f"--user-data-dir={profile}", "--dump-dom", url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


def test_browser_search_page_finds_a_two_character_term(archive, tmp_path):
    chromium = chromium_path()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium): browser check skipped")
    profile = tempfile.mkdtemp(prefix="pn-chromium-")
    try:
        probe = _dump_dom(chromium, "data:text/html,<p id=probe>ok</p>", profile)
        if probe.returncode != 0 or "probe" not in probe.stdout:
            pytest.skip(f"chromium cannot run here (exit {probe.returncode}): {probe.stderr.strip()[-200:]}")
        with serving(archive["db"]) as (base, server):
            # the search page: its form
            form = _dump_dom(chromium, base + "/parknews/search", profile)
            assert form.returncode == 0, form.stderr[-500:]
            assert 'name="q"' in form.stdout
            # a 2-character Chinese term, as the form submits it
            term = "招商"
            expected = archive["site"].expected
            want = next(a["title"] for a in expected["articles"] if term in a["title"])
            page = _dump_dom(chromium, base + "/parknews/search?" + urllib.parse.urlencode({"q": term, "site": ""}), profile)
            assert page.returncode == 0, page.stderr[-500:]
            assert want in page.stdout
            assert f"<mark>{term}</mark>" in page.stdout
            assert server.poll() is None
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_browser_clicks_from_a_search_hit_to_its_record(archive):
    """A user's path in a real browser: the search form, a 2-character term and a date filter
    typed in and submitted, then a click on the first hit's title opens its record page."""
    from pn_browser import Browser

    chromium = chromium_path()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium): browser check skipped")
    browser = Browser.start(chromium)
    if browser is None:
        pytest.skip("chromium cannot run here (no DevTools answer on --remote-debugging-pipe)")
    try:
        with serving(archive["db"]) as (base, server):
            browser.goto(base + "/parknews/search")
            browser.evaluate("document.querySelector('input[name=q]').value = '招商';"
                             "document.querySelector('input[name=since]').value = '2024';")
            browser.click("form [type=submit]")
            assert "q=%E6%8B%9B%E5%95%86" in browser.evaluate("location.search")
            hits = browser.evaluate("[...document.querySelectorAll('td a.pn-record')].map(a => a.textContent)")
            titles = {a["title"] for a in archive["site"].expected["articles"]
                      if a["published_at"] >= "2024" and ("招商" in a["title"] or "招商" in a["body_text"])}
            assert titles and titles & set(hits), hits
            first = browser.evaluate("document.querySelector('td.col-title a.pn-record').textContent")
            browser.click("td.col-title a.pn-record")
            path = browser.evaluate("location.pathname")
            assert path.startswith("/parknews/articles/"), path
            assert first in browser.evaluate("document.body.innerText")
            assert server.poll() is None
    finally:
        browser.close()


def test_browser_clicks_from_a_record_to_its_archived_copy_in_pywb(archive):
    """On from the record page: a click on "archived copy, captured …" opens the page as it was
    captured, replayed by pywb (`parknews replay`'s server) on its own port."""
    import sqlite_utils

    from archive.cdxj_index import update_index
    from archive.warc import warc_dir_for
    from crawler.replay import PYWB_REQUIREMENT, pywb_env, pywb_python, start_pywb, wait_ready
    from pn_browser import Browser

    chromium = chromium_path()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium): browser check skipped")
    if pywb_python() is None:
        pytest.skip(f"pywb is not set up in {pywb_env()} (`parknews replay --setup` installs {PYWB_REQUIREMENT})")
    db = sqlite_utils.Database(str(archive["db"]))
    article_id, title = db.execute("SELECT a.id, a.title FROM articles a WHERE a.site = 'demo' AND EXISTS "
                                   "(SELECT 1 FROM captures c WHERE c.article_id = a.id) ORDER BY a.id").fetchone()
    db.close()
    folder = warc_dir_for(archive["db"])
    pywb = start_pywb(folder, update_index(folder).path, port=_free_port())
    browser = Browser.start(chromium)
    if browser is None:
        pywb.stop()
        pytest.skip("chromium cannot run here (no DevTools answer on --remote-debugging-pipe)")
    try:
        wait_ready(pywb)
        with serving(archive["db"], env={"PARKNEWS_REPLAY_URL": pywb.base}) as (base, server):
            browser.goto(f"{base}/parknews/articles/{article_id}")
            assert "archived copy, captured" in browser.evaluate("document.querySelector('a.pn-archived').textContent")
            browser.click("a.pn-archived")
            here = browser.evaluate("location.href")
            assert here.startswith(pywb.base + "parknews/"), here
            assert title in browser.evaluate("document.body.innerText")
    finally:
        browser.close()
        pywb.stop()


def test_serve_bad_database_is_one_line(tmp_path):
    result = run_cli("serve", "--db", tmp_path / "missing.db", "--port", "0")
    assert result.code == 2 and "no such database" in result.stderr


def _get_status(url, timeout=30):
    """(HTTP status, body text) of a GET; the request fails the test if it runs past `timeout`."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def test_pn_search_is_bounded_and_serve_stops_on_sigterm(archive):
    """A hostile pn_search() call is refused at once, pn_search cannot outrun the SQL time limit,
    and SIGTERM stops the server while a query is running."""
    with serving(archive["db"]) as (base, server):
        def sql(q):
            return base + "/parknews.json?sql=" + urllib.parse.quote(q)

        for hostile in ("select length(pn_search(zeroblob(100000000)))",
                        "select pn_search(printf('%.100000c', '园'))",
                        "select pn_search(x'e59bade58cba')"):
            t = time.monotonic()
            status, body = _get_status(sql(hostile))
            assert status == 400 and '"ok": false' in body, (hostile, status, body[:300])
            assert time.monotonic() - t < 10, hostile
        assert _rss_mb(server.pid) < 1024
        # many calls, each within bounds: stopped by the 3 s limit like any other query
        t = time.monotonic()
        status, body = _get_status(sql(
            "with recursive c(i) as (select 1 union all select i + 1 from c) "
            "select count(*) from c where pn_search('区' || i) != ''"))
        assert status == 400 and "took too long" in body, body[:300]
        assert time.monotonic() - t < 15
        # the server still answers, and pn_search still works
        status, body = _get_status(sql("select pn_search('园区') as hits"))
        assert status == 200 and '\\"id\\"' in body
        # SIGTERM while a slow query runs: the server exits promptly
        import threading

        threading.Thread(target=_get_status, args=(sql(
            "with recursive c(i) as (select 1 union all select i + 1 from c) "
            "select count(*) from c where pn_search('区' || i) != ''"), 60), daemon=True).start()
        time.sleep(0.5)
        t = time.monotonic()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("parknews serve ignored SIGTERM for 10 s")
        assert time.monotonic() - t < 10


def test_search_json_honours_its_time_limit(archive):
    from crawler.serve import SearchTimeout, search_json

    assert json.loads(search_json(str(archive["db"]), "园区"))
    with pytest.raises(SearchTimeout):
        search_json(str(archive["db"]), "区", time_limit_ms=1e-9)


def test_record_page_and_captures_link_the_archived_copy_next_to_the_live_url(ds, archive):
    from crawler.replay import replay_url

    db = sqlite_utils.Database(str(archive["db"]))
    article_id, url, fetched_at = db.execute(
        "SELECT a.id, a.url, a.fetched_at FROM articles a JOIN captures c ON c.article_id = a.id "
        "WHERE a.site = 'demo' ORDER BY a.id LIMIT 1").fetchone()
    cap_url, cap_fetched = db.execute(
        "SELECT url, fetched_at FROM captures WHERE article_id = ? AND record_type = 'response' "
        "ORDER BY id LIMIT 1", [article_id]).fetchone()
    db.close()
    page = get(ds, f"/parknews/articles/{article_id}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert f'href="{url}"' in text
    assert f'href="{replay_url(url, fetched_at)}">archived copy, captured {fetched_at}</a>' in text

    caps = get(ds, f"/parknews/captures?article_id={article_id}")
    assert caps.status_code == 200
    assert f'href="{replay_url(cap_url, cap_fetched)}">archived copy, captured {cap_fetched}</a>' \
        in html.unescape(caps.text)
