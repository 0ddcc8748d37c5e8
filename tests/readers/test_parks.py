"""Parks in a real archive (one crawl of the bundled sample site): article_parks, `parknews parks`,
--park on search/export/stats, `parks add` and candidates, the Datasette facet and canned query,
the migration backfill and `reparse`."""
import asyncio
import json
import urllib.parse

import pytest

from pn_testing import run_cli

PARK = "临江经济技术开发区"  # the demo site's park; its site file gives the aliases 临江经开区, 临江开发区


def _names(article):
    return article["title"] + "\n" + article["body_text"]


def _expected_about(archive):
    """Demo articles about 临江: in the title, or named (short or full name) at least twice; plus the
    fixture's near copy (conftest) when the article it copies is one of them."""
    out = set()
    for a in archive["site"].stored_articles():
        n = sum(_names(a).count(s) for s in ("临江经开区", "临江经济技术开发区"))
        if "临江经开区" in a["title"] or n >= 2:
            out.add(a["title"])
    copy = _copy_title(archive)
    if copy.removesuffix("（转载）") in out:
        out.add(copy)
    return out


def _copy_title(archive):
    db = _db(archive["db"])
    title = db.execute("SELECT title FROM articles WHERE id = ?", [archive["copy"]["copy_id"]]).fetchone()[0]
    db.close()
    return title


def _expected_sites(archive):
    return ["demo", "partner"] if _copy_title(archive) in _expected_about(archive) else ["demo"]


def _db(path):
    from archive.db import open_db

    return open_db(path)


def test_crawl_links_articles_to_their_parks(archive):
    # the fixture's near copy was inserted by hand after the crawl: a read command links it
    assert run_cli("parks", "--db", archive["db"]).code == 0
    db = _db(archive["db"])
    rows = db.execute("SELECT a.title, ap.about, ap.known FROM article_parks ap JOIN articles a "
                      "ON a.id = ap.article_id WHERE ap.park = ?", [PARK]).fetchall()
    assert {t for t, about, _ in rows if about} == _expected_about(archive)
    assert all(known == 1 for _, _, known in rows)
    # the record's own field agrees with the links, offsets point into the stored text
    aid, title, body, parks = db.execute(
        "SELECT a.id, a.title, a.body_text, a.parks FROM articles a JOIN article_parks ap ON ap.article_id = a.id "
        "WHERE ap.park = ? LIMIT 1", [PARK]).fetchone()
    entry = [p for p in json.loads(parks) if p["park"] == PARK][0]
    for s in entry["spans"]:
        assert (title if s["field"] == "title" else body)[s["start"]:s["end"]] == s["text"]
    assert db.execute("SELECT mentions FROM article_parks WHERE article_id = ? AND park = ?",
                      [aid, PARK]).fetchone()[0] == entry["mentions"]
    origin = db.execute("SELECT origin FROM parks WHERE name = ?", [PARK]).fetchone()[0]
    assert origin == "site:demo"
    db.close()


def test_parks_command_lists_parks_with_counts_dates_and_sites(archive):
    result = run_cli("parks", "--db", archive["db"], "--format", "json")
    assert result.code == 0, result
    rows = {r["park"]: r for r in json.loads(result.stdout)["parks"]}
    about = _expected_about(archive)
    r = rows[PARK]
    assert r["about"] == len(about) and r["sites"] == _expected_sites(archive) and "临江开发区" in r["aliases"]
    dates = sorted(a["published_at"] for a in archive["site"].stored_articles() if a["title"] in about)
    assert (r["first_published"][:10], r["last_published"][:10]) == (dates[0][:10], dates[-1][:10])
    assert len(rows) >= 2
    table = run_cli("parks", "--db", archive["db"])
    assert table.code == 0 and PARK in table.stdout and "about" in table.stdout.splitlines()[0]


@pytest.mark.parametrize("name", ["临江开发区", "临江经开区", PARK])
def test_search_and_export_by_park_through_any_alias(archive, tmp_path, name):
    about = _expected_about(archive)
    result = run_cli("search", "--park", name, "--db", archive["db"], "--format", "json", "--limit", "100")
    assert result.code == 0, result
    data = json.loads(result.stdout)
    assert {r["record"]["title"] for r in data["results"]} == about
    assert data["filters"]["park"] == PARK
    out = tmp_path / "park.jsonl"
    result = run_cli("export", "--park", name, "--db", archive["db"], "-o", out)
    assert result.code == 0, result
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["title"] for r in records} == about
    assert all(any(p["park"] == PARK and p["about"] for p in r["parks"]) for r in records)
    manifest = json.loads((tmp_path / "park.jsonl.manifest.json").read_text(encoding="utf-8"))
    assert manifest["query"]["park"] == PARK


def test_search_by_park_with_a_term(archive):
    about = _expected_about(archive)
    result = run_cli("search", "招商", "--park", "临江开发区", "--db", archive["db"], "--format", "json")
    assert result.code == 0, result
    titles = {r["record"]["title"] for r in json.loads(result.stdout)["results"]}
    assert titles <= about
    want = {a["title"] for a in archive["site"].stored_articles() if a["title"] in about and "招商" in _names(a)}
    assert titles == want


def test_unknown_park_is_one_line_exit_2(archive):
    for args in (("search", "--park", "火星经开区"), ("export", "--park", "火星经开区"),
                 ("stats", "--chart", "x.png", "--park", "火星经开区")):
        result = run_cli(*args, "--db", archive["db"])
        assert result.code == 2, result
        assert result.stderr.strip().count("\n") == 0 and "火星经开区" in result.stderr
        assert "Traceback" not in result.stderr


def test_stats_by_park_and_chart_of_one_park(archive, tmp_path):
    result = run_cli("stats", "--by", "park", "--db", archive["db"], "--format", "json")
    assert result.code == 0, result
    groups = {g["group"]: g["articles"] for g in json.loads(result.stdout)["groups"]}
    assert groups[PARK] == len(_expected_about(archive))
    chart = tmp_path / "linjiang.png"
    result = run_cli("stats", "--chart", chart, "--park", "临江经开区", "--db", archive["db"])
    assert result.code == 0, result
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    about = _expected_about(archive)
    months = sorted({a["published_at"][:7] for a in archive["site"].stored_articles() if a["title"] in about})
    from archive.chart import _month_range

    assert f"({len(_month_range(months))} months)" in result.stderr
    result = run_cli("stats", "--park", "临江经开区", "--db", archive["db"])
    assert result.code == 2 and "--chart" in result.stderr


def test_parks_add_turns_a_candidate_into_a_known_park(fresh_copy):
    from archive import parks
    from archive.db import transaction

    db = _db(fresh_copy)
    with transaction(db):
        db.execute("UPDATE articles SET body_text = body_text || ? WHERE id = (SELECT min(id) FROM articles)",
                   ["\n浙江武义经济开发区与本区签约。开发区将派员学习。"])
    db.close()
    result = run_cli("parks", "--candidates", "--db", fresh_copy, "--format", "json")
    assert result.code == 0, result
    cands = {r["park"]: r for r in json.loads(result.stdout)["parks"]}
    assert cands["武义经济开发区"]["about"] == 1
    result = run_cli("parks", "add", "武义经济开发区", "--alias", "武义经开区", "--alias", "浙江武义开发区",
                     "--type", "经济开发区", "--place", "武义", "--level", "省级", "--db", fresh_copy)
    assert result.code == 0, result
    assert "1 about it" in result.stdout
    assert "武义经济开发区" not in run_cli("parks", "--candidates", "--db", fresh_copy).stdout
    result = run_cli("search", "--park", "浙江武义开发区", "--db", fresh_copy, "--format", "json")
    assert json.loads(result.stdout)["count"] == 1
    db = _db(fresh_copy)
    assert db.execute("SELECT level, origin FROM parks WHERE name = '武义经济开发区'").fetchone() == ("省级", "user")
    assert parks.resolve(db, "武义经开区") == "武义经济开发区"
    db.close()
    again = run_cli("parks", "add", "武义经济开发区", "--alias", "武义经开区", "--db", fresh_copy)
    assert again.code == 0 and "nothing changed" in again.stdout
    clash = run_cli("parks", "add", "某园", "--alias", "苏州工业园区", "--db", fresh_copy)
    assert clash.code == 2 and "another park" in clash.stderr
    bad = run_cli("parks", "add", "某园", "--type", "开发园", "--db", fresh_copy)
    assert bad.code == 2 and "unknown type" in bad.stderr and "Traceback" not in bad.stderr


def test_datasette_facet_and_articles_about_a_park_by_alias(archive):
    from crawler.serve import make_datasette

    ds = make_datasette(archive["db"])

    async def get(path):
        await ds.invoke_startup()
        return await ds.client.get(path)

    r = asyncio.run(get("/parknews/articles_about_park.json?_shape=array&park=" + urllib.parse.quote("临江开发区")))
    assert r.status_code == 200, r.text[:500]
    assert {row["title"] for row in r.json()} == _expected_about(archive)
    assert {row["park"] for row in r.json()} == {PARK}
    r = asyncio.run(get("/parknews/article_parks.json?_facet=park&about=1"))
    assert r.status_code == 200, r.text[:500]
    facets = {f["value"]: f["count"] for f in r.json()["facet_results"]["park"]["results"]}
    assert facets[PARK] == len(_expected_about(archive))


def test_migration_backfills_an_older_archive(tmp_path):
    """A v6 archive with articles: opening it adds the parks tables; the first sync links every
    article and fills its record field."""
    import sqlite_utils

    from archive import db as dbmod
    from archive.parks import sync_links

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(str(path))
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
               "applied_at TEXT NOT NULL)")
    for version, description, step in dbmod.MIGRATIONS:
        if version <= 6:
            step(db)
            db.execute("INSERT INTO schema_migrations VALUES (?, ?, 'x')", [version, description])
    db.execute("INSERT INTO articles (url, title, body_text, first_seen, updated_at) VALUES "
               "('http://x.example/1', '苏州工业园区发布人才新政', '园区将在住房方面给予支持。', 'x', 'x')")
    db.conn.commit()
    db.close()
    db = dbmod.open_db(path)
    assert db.execute("SELECT parks FROM articles").fetchone()[0] is None
    assert sync_links(db) == 1
    parks = json.loads(db.execute("SELECT parks FROM articles").fetchone()[0])
    assert [(p["park"], p["mentions"], p["about"]) for p in parks] == [("苏州工业园区", 2, True)]
    assert db.execute("SELECT park, about FROM article_parks").fetchall() == [("苏州工业园区", 1)]
    assert sync_links(db) == 0
    db.close()


def test_reparse_recomputes_parks_of_old_records(archive, fresh_copy):
    db = _db(fresh_copy)
    from archive.db import transaction

    with transaction(db):
        db.execute("UPDATE articles SET parks = '[]' WHERE site = 'demo'")
        db.execute("DELETE FROM article_parks")
    db.close()
    from archive.warc import warc_dir_for

    result = run_cli("reparse", "--db", fresh_copy, "--warc-dir", warc_dir_for(archive["db"]))
    assert result.code == 0, result
    assert "parks" in result.stdout
    db = _db(fresh_copy)
    n = db.execute("SELECT count(*) FROM article_parks WHERE park = ? AND about = 1", [PARK]).fetchone()[0]
    assert n > 0
    assert db.execute("SELECT count(*) FROM articles WHERE site = 'demo' AND parks = '[]'").fetchone()[0] < \
        db.execute("SELECT count(*) FROM articles WHERE site = 'demo'").fetchone()[0]
    db.close()


def test_show_names_the_parks_of_an_article(archive):
    db = _db(archive["db"])
    aid = db.execute("SELECT article_id FROM article_parks WHERE park = ? AND in_title = 1 LIMIT 1", [PARK]).fetchone()[0]
    db.close()
    result = run_cli("show", aid, "--db", archive["db"])
    assert result.code == 0, result
    line = [l for l in result.stdout.splitlines() if l.startswith("parks:")]
    assert line and f"{PARK} (about, " in line[0]
