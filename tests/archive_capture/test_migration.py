"""A database made before WARC capture (schema version 1 only) is upgraded in place on open."""
import sqlite3

import sqlite_utils

from archive.db import MIGRATIONS, open_db
from archive.store import Archive
from crawler.items import Record


def make_v1_database(path):
    """A file with only the version-1 schema, as an old parknews made it, with some rows."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    db = sqlite_utils.Database(conn)
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
               "applied_at TEXT NOT NULL)")
    for version, description, step in MIGRATIONS[:1]:
        step(db)
        db.execute("INSERT INTO schema_migrations VALUES (?, ?, '2024-01-01T00:00:00+00:00')", [version, description])
    for i in range(1, 4):
        db.execute(
            "INSERT INTO articles (id, url, site, title, body_text, content_hash, first_seen, updated_at) "
            "VALUES (?, ?, 'demo', ?, ?, ?, '2024-01-01', '2024-01-01')",
            [i, f"http://x.cn/a/{i}.html", f"标题{i}", f"正文{i}", f"hash{i}"],
        )
        db.execute("INSERT INTO article_urls VALUES (?, ?, ?, 'demo', '2024-01-01', '2024-01-01')",
                   [f"http://x.cn/a/{i}.html", f"x.cn/a/{i}.html", i])
    db.execute("INSERT INTO crawl_runs (site, started_at, status) VALUES ('demo', '2024-01-01', 'ok')")
    db.execute("INSERT INTO fetch_failures VALUES ('http://x.cn/b.html', 'demo', 404, 'http 404', 'a', 'b', 1)")
    conn.close()


def test_version_1_file_upgraded_in_place_without_losing_a_row(tmp_path):
    path = tmp_path / "old.db"
    make_v1_database(path)
    db = open_db(path)
    versions = [r[0] for r in db.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]
    assert versions == [v for v, _, _ in MIGRATIONS]
    assert 2 in versions
    assert {"captures", "article_versions"} <= set(db.table_names())
    assert "gone_at" in db["articles"].columns_dict and "gone_at" in db["article_urls"].columns_dict
    assert db["articles"].count == 3 and db["article_urls"].count == 3
    assert db["crawl_runs"].count == 1 and db["fetch_failures"].count == 1
    assert [r["title"] for r in db.execute_returning_dicts("SELECT title FROM articles ORDER BY id")] == ["标题1", "标题2", "标题3"]
    db.close()
    # and the upgraded file works: a capture row and a gone mark on an old article
    archive = Archive(path)
    archive.record_failure("http://x.cn/a/2.html", site="demo", status=410, reason="http 410", run_id=None,
                           capture={"url": "http://x.cn/a/2.html", "warc_file": "f.warc.gz", "offset": 0,
                                    "length": 10, "record_id": "<urn:uuid:1>", "record_type": "response",
                                    "payload_digest": "sha1:X", "status": 410, "fetched_at": "2024-02-01T00:00:00Z"})
    saved = archive.save(Record(url="http://x.cn/a/3.html", site="demo", title="标题3", body_text="正文3b"))
    archive.close()
    db = open_db(path)
    assert db.execute("SELECT gone_at IS NOT NULL FROM articles WHERE id = 2").fetchone()[0] == 1
    assert db.execute("SELECT article_id, status FROM captures").fetchall() == [(2, 410)]
    assert saved.outcome == "updated"
    assert db.execute("SELECT article_id, title, body_text FROM article_versions").fetchall() == [(3, "标题3", "正文3")]
    # opening again applies nothing
    assert db.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)
