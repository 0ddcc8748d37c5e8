"""`parknews reparse` stores through the crawl's record path (archive.process): a record whose text
the re-parse changes gets an article_versions row and is re-indexed and re-clustered as a
near-duplicate, as a re-fetch would be (reparse once wrote its own UPDATE and did neither)."""
import json

import sqlite_utils

from archive.db import open_db
from archive import neardup
from crawler.parsing.keys import content_hash
from pn_testing import run_cli

from crawl.test_republished_cluster import COPY_PAGES, crawl_pages

# What an older parser took for copy 2's text (the page's sidebar, say): unrelated to its original.
WRONG = "白沙高新区今年新认定高新技术企业五十六家，研发投入强度达到百分之四点二，孵化器在孵企业突破三百家。" * 3


def test_reparse_writes_a_version_and_reclusters_the_near_copy(tmp_path):
    db, ids = crawl_pages(tmp_path, COPY_PAGES)
    d = sqlite_utils.Database(str(db))
    one, two = ids["1.html"], ids["2.html"]
    good_body = d.execute("select body_text from articles where id = ?", [two]).fetchone()[0]
    assert d.execute("select count(*) from cluster_members where article_id in (?, ?)", [one, two]).fetchone()[0] == 2
    d.close()
    # the archive as an older parser left it: copy 2 stored (and fingerprinted) with the wrong text
    old = open_db(db)
    with old.conn:
        old.execute("update articles set body_text = ?, content_hash = ?, parser_version = '0.9' where id = ?",
                    [WRONG, content_hash(WRONG), two])
        neardup.remove_article(old, two)
        neardup.index_article(old, two, WRONG)
    assert old.execute("select count(*) from cluster_members where article_id = ?", [two]).fetchone()[0] == 0
    old.close()

    result = run_cli("reparse", "--db", db, "--warc-dir", db.with_suffix(".warc"))
    assert result.code == 0, result
    assert ": 1 changed" in result.stdout and "body_text 1" in result.stdout, result.stdout
    d = sqlite_utils.Database(str(db))
    assert d.execute("select body_text from articles where id = ?", [two]).fetchone()[0] == good_body
    [version] = list(d.query("select * from article_versions where article_id = ?", [two]))
    assert version["body_text"] == WRONG and json.loads(version["changed"]) == ["body_text"]
    assert version["old_capture_id"] is not None and version["new_capture_id"] is None  # no new fetch
    members = {r["article_id"]: r["cluster_id"] for r in d.query("select * from cluster_members")}
    assert members.get(two) is not None and members[two] == members.get(one)
    # a re-parse is not a visit: the URL's last_seen is the crawl's
    [seen] = [r["last_seen"] for r in d.query("select last_seen from article_urls where article_id = ?", [two])]
    assert seen < version["seen_at"]
    # and a second re-parse changes nothing
    again = run_cli("reparse", "--db", db, "--warc-dir", db.with_suffix(".warc"))
    assert again.code == 0 and ": 0 changed" in again.stdout, again
    assert d.execute("select count(*) from article_versions").fetchone()[0] == 1
