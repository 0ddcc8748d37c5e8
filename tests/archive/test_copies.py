"""archive.copies on a real SQLite file written by archive.store.Archive: every URL's own parse
kept, the article row its best copy's, and the upgrade of an archive made before copy_records."""
import sqlite_utils
from sqlite_utils.utils import sqlite3  # the SQLite sqlite-utils uses (FTS5 contentless_delete)

from archive.db import MIGRATIONS, open_db
from archive.store import DUPLICATE, NEW, Archive
from crawler.parsing.keys import content_hash, url_key
from crawler.parsing.record import Record

BODY = ("今年以来，临江经开区规上工业总产值同比增长25.8%，高于全市平均水平8.1个百分点。\n"
        "临江经开区将进一步发挥开放平台作用，加快构建现代化产业体系。")
TITLE = "临江经开区上半年规上工业总产值增长9.6%"
ORIGINAL_URL = "http://www.ljrb.example.cn/news/2024-06/18/content_1.html"
PARTNER_URL = "http://ljkfq.example.gov.cn/yqyw/2024/0618/12345.shtml"


def original(**kw) -> Record:
    return Record(**dict(dict(url=ORIGINAL_URL, site="ljrb", title=TITLE, body_text=BODY, content_hash=content_hash(BODY),
                              published_at="2024-06-18T08:32+08:00", source="临江市日报", author="张晓峰", editor="王晓"), **kw))


def partner(**kw) -> Record:
    # the same text with other white space: an exact copy (same content_hash)
    body = BODY.replace("\n", "\n\n")
    return Record(**dict(dict(url=PARTNER_URL, site="ljkfq", title=TITLE, body_text=body, content_hash=content_hash(body),
                              published_at="2024-06-18", source="临江经开区管委会"), **kw))


def row(db, article_id):
    return db.execute_returning_dicts(
        "SELECT url, published_at, source, author, editor, body_text FROM articles WHERE id = ?", [article_id])[0]


def copies(db):
    return db.execute("SELECT url, article_id, published_at, source, author FROM copy_records ORDER BY rowid").fetchall()


def test_partner_copy_first_then_the_original_the_row_becomes_the_originals(tmp_path):
    arc = Archive(tmp_path / "a.db")
    first = arc.save(partner(), seen_at="2024-06-18T10:00:00+00:00")
    second = arc.save(original(), seen_at="2024-06-18T11:00:00+00:00")
    arc.close()
    assert first.outcome == NEW and (second.outcome, second.article_id, second.how) == (DUPLICATE, first.article_id, "content_hash")
    db = open_db(tmp_path / "a.db")
    got = row(db, first.article_id)
    assert (got["url"], got["published_at"], got["source"], got["author"], got["editor"]) == (
        ORIGINAL_URL, "2024-06-18T08:32+08:00", "临江市日报", "张晓峰", "王晓")
    assert got["body_text"] == BODY
    assert copies(db) == [(PARTNER_URL, 1, "2024-06-18", "临江经开区管委会", None),
                          (ORIGINAL_URL, 1, "2024-06-18T08:32+08:00", "临江市日报", "张晓峰")]
    assert db.execute("SELECT count(*) FROM article_urls").fetchone()[0] == 2
    # the row changed like an updated article: the partner's values kept as a version, updated_at moved
    assert db.execute("SELECT published_at, changed FROM article_versions").fetchall() == [
        ("2024-06-18", '["published_at", "body_text"]')]
    assert db.execute("SELECT updated_at FROM articles").fetchone()[0] == "2024-06-18T11:00:00+00:00"
    # and the search index queue has it again (the body changed)
    assert db.execute("SELECT article_id FROM search_queue").fetchall() == [(1,)]


def said(db, article_id):
    """Each copy's text: its own, or the row's where it holds none (NULL: the same as the row's)."""
    return dict(db.execute(
        "SELECT c.url, coalesce(c.body_text, a.body_text) FROM copy_records c JOIN articles a ON a.id = c.article_id "
        "WHERE c.article_id = ?", [article_id]).fetchall())


def test_each_copy_keeps_its_own_text_and_one_url_articles_store_it_once(tmp_path):
    arc = Archive(tmp_path / "a.db")
    lone = arc.save(Record(url="http://b.example.cn/2.html", site="b", title="另一篇", body_text="园区新增授权专利12项。",
                           content_hash=content_hash("园区新增授权专利12项。")))
    first = arc.save(partner())
    arc.save(original())  # becomes the row
    # a third copy with the row's very text, then the original page's text is edited
    arc.save(original(url="http://www.ljrb.example.cn/m/1.html"))
    edited = BODY + "\n园区新增就业岗位一千余个。"
    updated = arc.save(original(body_text=edited, content_hash=content_hash(edited)))
    arc.close()
    assert updated.outcome == "updated"
    db = open_db(tmp_path / "a.db")
    assert db.execute("SELECT body_text, sections FROM copy_records WHERE article_id = ?", [lone.article_id]
                      ).fetchall() == [(None, None)]
    assert said(db, first.article_id) == {PARTNER_URL: partner().body_text, ORIGINAL_URL: edited,
                                          "http://www.ljrb.example.cn/m/1.html": BODY}


def test_original_first_then_a_copy_the_row_is_unchanged(tmp_path):
    arc = Archive(tmp_path / "a.db")
    first = arc.save(original(), seen_at="2024-06-18T10:00:00+00:00")
    arc.flush()
    before = arc.db.execute("SELECT * FROM articles").fetchall()
    second = arc.save(partner(), seen_at="2024-06-18T11:00:00+00:00")
    arc.close()
    assert second.outcome == DUPLICATE and second.article_id == first.article_id
    db = open_db(tmp_path / "a.db")
    assert db.execute("SELECT * FROM articles").fetchall() == before
    assert [c[0] for c in copies(db)] == [ORIGINAL_URL, PARTNER_URL]
    assert db.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 0


def test_both_copies_fetched_again_unchanged_change_no_stored_field(tmp_path):
    arc = Archive(tmp_path / "a.db")
    arc.save(partner(fetched_at="2024-06-18T10:00:00+00:00"), seen_at="2024-06-18T10:00:00+00:00")
    arc.save(original(fetched_at="2024-06-18T11:00:00+00:00"), seen_at="2024-06-18T11:00:00+00:00")
    arc.flush()
    before = arc.db.execute("SELECT * FROM articles").fetchall()
    again = [arc.save(original(fetched_at="2024-07-01T00:00:00+00:00"), seen_at="2024-07-01T00:00:00+00:00"),
             arc.save(partner(fetched_at="2024-07-01T00:00:01+00:00"), seen_at="2024-07-01T00:00:01+00:00")]
    arc.close()
    assert [r.outcome for r in again] == ["unchanged", DUPLICATE]
    db = open_db(tmp_path / "a.db")
    assert db.execute("SELECT * FROM articles").fetchall() == before
    assert db.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 1  # the first merge's
    # each copy's own parse is its last fetch's
    assert db.execute("SELECT fetched_at FROM copy_records ORDER BY rowid").fetchall() == [
        ("2024-07-01T00:00:01+00:00",), ("2024-07-01T00:00:00+00:00",)]


def test_a_copys_url_fetched_again_updates_its_own_parse_and_the_choice(tmp_path):
    arc = Archive(tmp_path / "a.db")
    first = arc.save(original(author=None, editor=None, published_at="2024-06-18"))
    arc.save(partner())
    assert row(arc.db, first.article_id)["url"] == ORIGINAL_URL  # equal copies: the first stays
    again = arc.save(partner(author="李明", editor="周红"))  # the partner page now credits its staff
    arc.close()
    db = open_db(tmp_path / "a.db")
    assert again.outcome == DUPLICATE and again.how == "url"
    got = row(db, first.article_id)
    assert (got["url"], got["author"], got["editor"]) == (PARTNER_URL, "李明", "周红")
    assert db.execute("SELECT count(*) FROM copy_records").fetchone()[0] == 2


def test_a_copy_named_canonical_by_the_other_wins_though_poorer(tmp_path):
    arc = Archive(tmp_path / "a.db")
    first = arc.save(partner(author="李明", editor="周红", canonical_url=ORIGINAL_URL))
    arc.save(original(author=None, editor=None))
    arc.close()
    db = open_db(tmp_path / "a.db")
    assert row(db, first.article_id)["url"] == ORIGINAL_URL


def test_a_canonical_copy_whose_text_is_another_article_never_becomes_the_row(tmp_path):
    # the page names a stored article as canonical but carries text stored as another article
    arc = Archive(tmp_path / "a.db")
    first = arc.save(partner(author=None))
    other_body = "临江经开区另一篇报道：园区新增授权专利12项，预计全年产值可增长25.6%。"
    other = arc.save(Record(url="http://b.example.cn/2.html", site="b", title="另一篇", body_text=other_body,
                            content_hash=content_hash(other_body)))
    copy = arc.save(original(url="http://c.example.cn/3.html", body_text=other_body, content_hash=content_hash(other_body),
                             canonical_url=PARTNER_URL))
    arc.close()
    assert copy.article_id == first.article_id and other.article_id != first.article_id
    db = open_db(tmp_path / "a.db")
    assert row(db, first.article_id)["url"] == PARTNER_URL
    assert db.execute("SELECT count(*) FROM copy_records WHERE article_id = ?", [first.article_id]).fetchone()[0] == 2


def make_v9_database(path):
    """An archive as parknews made it before migration 10: two articles, one of them seen at a
    second URL whose parse was not kept (only its article_urls row)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    db = sqlite_utils.Database(conn)
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
               "applied_at TEXT NOT NULL)")
    for version, description, step in [m for m in MIGRATIONS if m[0] <= 9]:
        step(db)
        db.execute("INSERT INTO schema_migrations VALUES (?, ?, '2024-01-01T00:00:00+00:00')", [version, description])
    for i, (url, rec) in enumerate([(PARTNER_URL, partner()), ("http://x.cn/a/2.html", None)], start=1):
        body = rec.body_text if rec else "另一篇正文。"
        db.execute(
            "INSERT INTO articles (id, url, site, title, published_at, source, body_text, content_hash, first_seen, updated_at) "
            "VALUES (?, ?, 'demo', ?, ?, ?, ?, ?, '2024-01-01', '2024-01-02')",
            [i, url, TITLE if rec else "标题2", rec.published_at if rec else None, rec.source if rec else None,
             body, content_hash(body)])
        db.execute("INSERT INTO article_urls (url, url_key, article_id, site, first_seen, last_seen) "
                   "VALUES (?, ?, ?, 'demo', '2024-01-01', '2024-01-01')", [url, url_key(url), i])
    db.execute("INSERT INTO article_urls (url, url_key, article_id, site, first_seen, last_seen) "
               "VALUES (?, ?, 1, 'demo', '2024-01-01', '2024-01-01')", [ORIGINAL_URL, url_key(ORIGINAL_URL)])
    # an article without its URL row (not written so by parknews; the step copes)
    db.execute("INSERT INTO articles (id, url, site, title, body_text, content_hash, first_seen, updated_at) "
               "VALUES (3, 'HTTP://Y.cn/c.html?utm_source=a', 'demo', '标题3', '正文3', 'h3', '2024-01-01', '2024-01-03')")
    conn.close()


def test_archive_made_before_copy_records_upgraded_without_losing_a_row(tmp_path):
    path = tmp_path / "old.db"
    make_v9_database(path)
    old = sqlite3.connect(path)
    # each table's v9 columns (later migrations add columns with their defaults)
    before = {t: (cols, old.execute(f"SELECT {cols} FROM {t} ORDER BY 1").fetchall())
              for t in ("articles", "article_urls")
              for cols in [", ".join(r[1] for r in old.execute(f"PRAGMA table_info({t})"))]}
    old.close()
    db = open_db(path)
    assert 10 in {r[0] for r in db.execute("SELECT version FROM schema_migrations")}
    for table, (cols, rows) in before.items():
        assert db.execute(f"SELECT {cols} FROM {table} ORDER BY 1").fetchall() == rows
    # every article row became the copy of its own URL, with its own values
    assert db.execute("SELECT url_key, url, article_id, seen_at, published_at, source, title FROM copy_records "
                      "ORDER BY article_id").fetchall() == [
        (url_key(PARTNER_URL), PARTNER_URL, 1, "2024-01-02", "2024-06-18", "临江经开区管委会", TITLE),
        ("x.cn/a/2.html", "http://x.cn/a/2.html", 2, "2024-01-02", None, None, "标题2"),
        ("y.cn/c.html", "HTTP://Y.cn/c.html?utm_source=a", 3, "2024-01-03", None, None, "标题3")]
    # their text is the row's (stored once)
    assert db.execute("SELECT count(*) FROM copy_records WHERE body_text IS NOT NULL OR sections IS NOT NULL"
                      ).fetchone()[0] == 0
    db.close()
    # the original's URL fetched again: its parse is kept now and the row becomes the original's
    arc = Archive(path)
    saved = arc.save(original())
    arc.close()
    assert (saved.outcome, saved.article_id, saved.how) == (DUPLICATE, 1, "url")
    db = open_db(path)
    assert row(db, 1)["source"] == "临江市日报"
    assert db.execute("SELECT count(*) FROM copy_records").fetchone()[0] == 4
