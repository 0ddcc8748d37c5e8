"""`parknews search`, `show`, `stats` against a real crawl of the sample site."""
import json

import pytest

from pn_testing import jsonl, run_cli, table_dump


def _titles(expected, term):
    return {a["title"] for a in expected["articles"] if term in a["title"] or term in a["body_text"]}


def test_search_two_character_term_ranked_table_with_snippets(archive):
    result = run_cli("search", "园区", "--db", archive["db"], "--limit", "5")
    assert result.code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["#", "date", "site", "source", "title", "id"]
    assert "[园区]" in result.stdout  # highlighted snippet
    assert "(5 articles; more with --limit)" in result.stdout


def test_search_json_carries_full_records_and_finds_every_match(archive):
    expected = archive["site"].expected
    term = "招商"
    result = run_cli("search", term, "--db", archive["db"], "--site", "demo", "--format", "json", "--limit", "100")
    assert result.code == 0, result
    data = json.loads(result.stdout)
    assert data["query"] == term and data["filters"]["site"] == "demo"
    found = {r["record"]["title"] for r in data["results"]}
    assert found == _titles(expected, term)
    first = data["results"][0]
    assert first["rank"] == 1 and "[招商]" in first["snippet"]
    assert {"sections", "images", "body_text", "url", "first_seen"} <= set(first["record"])
    assert isinstance(first["record"]["sections"], list)
    # ranked: bm25 scores ascending (lower is better), a title match first
    scores = [r["score"] for r in data["results"]]
    assert scores == sorted(scores)
    assert term in data["results"][0]["record"]["title"]


def test_search_jsonl_and_long_terms(archive):
    expected = archive["site"].expected
    title = expected["articles"][0]["title"]
    result = run_cli("search", title[:6], "--db", archive["db"], "--format", "jsonl")
    assert result.code == 0, result
    rows = jsonl(result.stdout)
    assert rows and rows[0]["record"]["title"] == title


def test_search_filters_without_a_query(archive):
    expected = archive["site"].expected
    withauthor = next(a for a in expected["articles"] if a["author"])
    name = withauthor["author"].split()[0]
    result = run_cli("search", "--author", name, "--db", archive["db"], "--format", "json", "--limit", "100")
    assert result.code == 0, result
    got = {r["record"]["title"] for r in json.loads(result.stdout)["results"]}
    assert withauthor["title"] in got
    assert all(name in r["record"]["author"] for r in json.loads(result.stdout)["results"])
    src = withauthor["source"]
    res = json.loads(run_cli("search", "--source", src, "--since", "2024-01-01", "--until", "2024-12",
                             "--db", archive["db"], "--format", "json", "--limit", "100").stdout)
    assert res["count"] > 0
    for r in res["results"]:
        assert src in r["record"]["source"] and "2024-01-01" <= r["record"]["published_at"][:10] <= "2024-12-31"
    dates = [r["record"]["published_at"] for r in res["results"]]
    assert dates == sorted(dates, reverse=True)  # no query: newest first


def test_search_injection_finds_nothing_and_harms_nothing(archive):
    before = table_dump(archive["db"], "articles")
    for text in ("'; DROP TABLE articles; --", '" OR 1=1 --', "园区\" OR \"", "*", "NEAR(园区 招商)"):
        result = run_cli("search", text, "--db", archive["db"])
        assert result.code == 0, result
        if text.startswith("'"):
            assert "no articles found" in result.stdout
    assert run_cli("search", "x", "--site", "'; DROP TABLE articles; --", "--db", archive["db"]).code == 2
    assert table_dump(archive["db"], "articles") == before


def test_search_several_arguments_all_must_match(archive):
    expected = archive["site"].expected
    both = {a["title"] for a in expected["articles"]
            if all(t in a["title"] or t in a["body_text"] for t in ("招商", "园区"))}
    assert both
    for args in (["招商", "园区"], ["招商 园区"]):
        result = run_cli("search", *args, "--db", archive["db"], "--format", "json", "--limit", "100")
        assert result.code == 0, result
        data = json.loads(result.stdout)
        assert {r["record"]["title"] for r in data["results"]} & {a["title"] for a in expected["articles"]} == both
        assert data["query"] == "招商 园区"


def test_search_terms_beginning_with_a_dash(fresh_copy):
    from archive.db import open_db

    db = open_db(fresh_copy)
    with db.conn:
        db.execute("UPDATE articles SET body_text = body_text || '\n合作方式：-园区共建- 模式。' WHERE id = 1")
    db.close()
    for args in (["-园区"], ["--", "-园区"]):
        result = run_cli("search", "--db", fresh_copy, "--format", "json", *args)
        assert result.code == 0, result
        assert [r["record"]["id"] for r in json.loads(result.stdout)["results"]] == [1], args
    # an option-like word is a misspelt option unless it follows --
    bad = run_cli("search", "--sitee", "demo", "--db", fresh_copy)
    assert bad.code == 2 and "no such option: --sitee" in bad.stderr and "after --" in bad.stderr
    assert run_cli("search", "--db", str(fresh_copy), "--", "--sitee").code == 0


def test_search_oversized_query_is_one_line(archive):
    result = run_cli("search", "园" * 501, "--db", archive["db"])
    assert result.code == 2 and len(result.stderr.strip().splitlines()) == 1, result
    assert "at most 500" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--since", "2024-02-30"], "--since"),
    (["--until", "last week"], "--until"),
    (["--site", "nowhere"], "unknown site 'nowhere'"),
    (["--limit", "0"], "--limit"),
    (["--format", "xml"], "--format"),
])
def test_search_bad_input_one_line(archive, args, message):
    result = run_cli("search", "园区", "--db", archive["db"], *args)
    assert result.code == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("parknews: error:") and message in lines[0]


def test_show_by_id_and_by_url_whole_record_urls_cluster(archive):
    expected = archive["site"].expected
    base = archive["base"]
    tracked_plain, tracked = expected["tracked_urls"]
    art = next(a for a in expected["articles"] if a["path"] == tracked_plain)
    result = run_cli("show", base + tracked, "--db", archive["db"], "--format", "json")
    assert result.code == 0, result
    info = json.loads(result.stdout)
    assert info["record"]["title"] == art["title"]
    assert info["record"]["sections"] == art["sections"]
    assert {u["url"] for u in info["urls"]} == {base + tracked_plain, base + tracked}
    assert isinstance(info["captures"], list) and isinstance(info["versions"], list)
    from archive.db import has_table
    import sqlite_utils

    db = sqlite_utils.Database(str(archive["db"]))
    if has_table(db, "captures"):  # the crawl's WARC captures of this article's two URLs
        stored = db.execute("SELECT count(*) FROM captures WHERE article_id = ?", [info["record"]["id"]]).fetchone()[0]
        assert len(info["captures"]) == stored >= 2
        assert {c["url"] for c in info["captures"]} == {base + tracked_plain, base + tracked}
    db.close()
    # the same article by id, as text: headings as headings, every URL
    text = run_cli("show", str(info["record"]["id"]), "--db", archive["db"])
    assert text.code == 0, text
    for heading in art["section_headings"]:
        assert f"## {heading}" in text.stdout
    assert base + tracked in text.stdout and "seen at (2 URLs)" in text.stdout
    # a URL spelled differently (https, tracking parameters) finds it too
    alt = (base + tracked_plain).replace("http://", "https://") + "?from=timeline"
    assert json.loads(run_cli("show", alt, "--db", archive["db"], "--format", "json").stdout)["record"]["id"] == info["record"]["id"]


def test_show_cluster_of_republished_copies(archive):
    copy = archive["copy"]
    info = json.loads(run_cli("show", copy["copy_url"], "--db", archive["db"], "--format", "json").stdout)
    cluster = info["cluster"]
    assert cluster is not None
    assert {m["id"] for m in cluster["members"]} == {copy["original_id"], copy["copy_id"]}
    assert cluster["original_article_id"] in (copy["original_id"], copy["copy_id"])
    text = run_cli("show", str(copy["original_id"]), "--db", archive["db"]).stdout
    assert "republished copies (cluster" in text and f"#{copy['copy_id']}" in text


def test_show_republished_identical_copy_lists_both_urls(archive):
    expected = archive["site"].expected
    main, partner = expected["republished_paths"]
    info = json.loads(run_cli("show", archive["base"] + partner, "--db", archive["db"], "--format", "json").stdout)
    assert {u["url"] for u in info["urls"]} >= {archive["base"] + main, archive["base"] + partner}


def test_show_lists_what_each_copy_said(archive):
    expected = archive["site"].expected
    main, partner = expected["republished_paths"]
    base = archive["base"]
    info = json.loads(run_cli("show", base + partner, "--db", archive["db"], "--format", "json").stdout)
    said = {c["url"]: c for c in info["copies"]}
    assert set(said) == {base + main, base + partner}
    assert [c["url"] for c in info["copies"] if c["row"]] == [base + main] == [info["record"]["url"]]
    assert (said[base + partner]["published_at"], said[base + partner]["source"], said[base + partner]["author"]) == (
        "2024-06-18", "临江经开区管委会", None)
    text = run_cli("show", base + partner, "--db", archive["db"]).stdout
    assert (f"[row] {base + main}  date 2024-06-18T08:32+08:00  source 临江市日报  author 张晓峰  editor 王晓"
            in text)
    assert f"[copy] {base + partner}  date 2024-06-18  source 临江经开区管委会  author -  editor -" in text
    # an article stored before each URL's parse was kept (conftest writes it by SQL): listed, not kept
    text = run_cli("show", archive["copy"]["copy_url"], "--db", archive["db"]).stdout
    assert f"[not kept] {archive['copy']['copy_url']}" in text


def test_show_unknown_article(archive):
    result = run_cli("show", "999999", "--db", archive["db"])
    assert result.code == 1 and "no such article" in result.stderr
    result = run_cli("show", "'; DROP TABLE articles; --", "--db", archive["db"])
    assert result.code == 1 and "no such article" in result.stderr


def test_stats_counts_and_coverage(archive):
    expected = archive["site"].expected
    result = run_cli("stats", "--db", archive["db"], "--site", "demo", "--format", "json")
    assert result.code == 0, result
    data = json.loads(result.stdout)
    assert data["articles"] == expected["stored_count"]
    cov = data["groups"][0]["coverage"]
    rows = [r for r in table_dump(archive["db"], "articles") if r["site"] == "demo"]
    assert cov["author"] == pytest.approx(sum(1 for r in rows if r["author"]) / len(rows))
    assert cov["images"] == pytest.approx(sum(1 for r in rows if r["images"] != "[]") / len(rows))
    assert cov["title"] == 1.0
    by_month = json.loads(run_cli("stats", "--db", archive["db"], "--site", "demo", "--by", "month", "--format", "json").stdout)
    months = {}
    for a in archive["site"].stored_articles():
        months[a["published_at"][:7]] = months.get(a["published_at"][:7], 0) + 1
    assert {g["group"]: g["articles"] for g in by_month["groups"]} == months
    table = run_cli("stats", "--db", archive["db"], "--by", "site")
    assert table.code == 0, table
    assert "demo" in table.stdout and "partner" in table.stdout and "author" in table.stdout
    by_source = run_cli("stats", "--db", archive["db"], "--by", "source")
    assert by_source.code == 0 and expected["articles"][0]["source"] in by_source.stdout


def test_stats_chart_png(archive, tmp_path):
    out = tmp_path / "chart.png"
    result = run_cli("stats", "--db", archive["db"], "--chart", out)
    assert result.code == 0, result
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5000
    bad = run_cli("stats", "--db", archive["db"], "--chart", tmp_path / "nope" / "c.png")
    assert bad.code == 2 and "cannot write" in bad.stderr
    assert run_cli("stats", "--db", archive["db"], "--site", "nowhere").code == 2
