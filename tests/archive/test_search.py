"""archive.search on a real SQLite file written by archive.store.Archive."""
from __future__ import annotations

import pytest

from archive import search as S
from crawler.parsing.keys import content_hash
from archive.store import Archive
from crawler.items import Record


def rec(n: int, title: str, body: str, *, site: str = "sipac", source: str = "苏州工业园区管委会",
        author: str = "王伟", published_at: str = "2024-05-01T09:00:00+08:00") -> Record:
    return Record(
        url=f"http://www.{site}.example.cn/news/{n}.html", site=site, title=title, body_text=body,
        source=source, author=author, published_at=published_at, content_hash=content_hash(body),
    )


ARTICLES = [
    rec(1, "苏州工业园区招商引资再创新高",
        "今年以来，苏州工业园区坚持把招商引资作为一号工程，新签约项目120个。\n"
        "园区管委会表示，将持续优化营商环境，推动生物医药产业集群发展。",
        published_at="2024-05-01T09:00:00+08:00"),
    rec(2, "无锡高新区集成电路产业加快成势",
        "无锡高新区集聚集成电路企业300余家，2023年产值突破千亿元。\n下一步将围绕产业链精准招商。",
        site="wnd", source="新华网", author="李娜", published_at="2024-03-10"),
    rec(3, "合肥经开区新能源汽车项目开工",
        "4月8日，合肥经开区新能源汽车零部件项目开工建设，总投资50亿元，达产后年产值超过百亿元。",
        site="hfjk", source="合肥日报", author="张强 刘洋", published_at="2024-04-08T10:30:00+08:00"),
    rec(4, "生物医药企业扎堆落户",
        "生物医药产业是园区的主导产业之一。生物医药企业数量增长明显，生物医药产值同比增长20%。"
        "生物医药人才加速集聚，生物医药创新平台不断完善。",
        site="sipac", source="中国网园区", author="陈静", published_at="2023-12-20T08:00:00+08:00"),
    rec(5, "关于做好防汛工作的通知",
        "各单位要高度重视汛期安全，落实值班制度。",
        site="wnd", source="无锡高新区管委会", author="赵敏", published_at="2022-07-01"),
]


@pytest.fixture
def archive(tmp_path):
    arc = Archive(tmp_path / "archive.db")
    for r in ARTICLES:
        arc.save(r)
    arc.flush()
    yield arc
    arc.close()


def ids(hits):
    return [h.id for h in hits]


def test_two_char_term_inside_sentences(archive):
    hits = S.search(archive.db, "园区")
    assert set(ids(hits)) == {1, 4}  # "苏州工业园区坚持", "是园区的主导产业"
    hits = S.search(archive.db, "招商")
    assert set(ids(hits)) == {1, 2}  # in "招商引资" and in "精准招商。"


def test_one_char_term(archive):
    assert set(ids(S.search(archive.db, "汛"))) == {5}
    assert set(ids(S.search(archive.db, "区"))) == {1, 2, 3, 4}


def test_three_and_four_char_terms(archive):
    assert set(ids(S.search(archive.db, "高新区"))) == {2}  # not 5: only its source says 高新区
    assert set(ids(S.search(archive.db, "集成电路"))) == {2}
    assert set(ids(S.search(archive.db, "零部件项目"))) == {3}


def test_multi_term_and(archive):
    assert set(ids(S.search(archive.db, "生物医药 营商环境"))) == {1}
    assert set(ids(S.search(archive.db, "园区 生物医药"))) == {1, 4}  # 2-char + 4-char
    assert set(ids(S.search(archive.db, "园区 集成电路"))) == set()


def test_phrase(archive):
    assert set(ids(S.search(archive.db, '"总投资50亿元"'))) == {3}
    # a phrase is matched as a whole, not as separate terms
    assert ids(S.search(archive.db, '"招商园区"')) == []
    assert set(ids(S.search(archive.db, "招商 园区"))) == {1}
    assert S.parse_query('"a b" c') == ["a b", "c"]


def test_filters_combinable(archive):
    db = archive.db
    assert set(ids(S.search(db, "园区", site="sipac"))) == {1, 4}
    assert set(ids(S.search(db, "园区", source="中国网"))) == {4}
    assert set(ids(S.search(db, "", author="刘洋"))) == {3}
    assert set(ids(S.search(db, "", since="2024-01-01"))) == {1, 2, 3}
    assert set(ids(S.search(db, "", until="2024-04-08"))) == {2, 3, 4, 5}  # date-only: whole day
    assert set(ids(S.search(db, "高新区", site="wnd", since="2023-01-01"))) == {2}


def test_empty_query_lists_newest_first(archive):
    assert ids(S.search(archive.db, "")) == [1, 3, 2, 4, 5]
    assert ids(S.search(archive.db, None, limit=2)) == [1, 3]


def test_ranking(archive):
    # article 4 says 生物医药 five times and in its title; article 1 once in the body
    assert ids(S.search(archive.db, "生物医药")) == [4, 1]
    # a title match outranks a body match
    hits = S.search(archive.db, "集成电路 产业")
    assert ids(hits)[0] == 2


def test_snippet_has_markers(archive):
    hit = S.search(archive.db, "营商环境")[0]
    assert "[营商环境]" in hit.snippet
    hit = S.search(archive.db, "园区 生物医药")[0]
    assert "[园区]" in hit.snippet or "[生物医药]" in hit.snippet
    assert hit.url and hit.title and hit.published_at and hit.site and hit.source


def test_absent_term(archive):
    assert S.search(archive.db, "量子计算") == []
    assert S.search(archive.db, "鲸") == []


def test_injection_and_syntax_harmless(archive):
    db = archive.db
    for q in ["'; DROP TABLE articles; --", '"', '""', "AND", "OR NOT", "NEAR(园区 招商)", "园区*",
              "title:园区", "(", ")", "^园", "-", "+", "%", "_", "\\", "园区\" OR \"招商",
              '"unterminated', "a' OR '1'='1"]:
        S.search(db, q)  # must not raise
        S.search(db, q, site=q, source=q, author=q, since=q, until=q)
    assert S.search(db, "'; DROP TABLE articles; --") == []
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    # '园区" OR "招商' is one literal term inside quotes handling, never an OR
    assert S.search(db, 'x" OR "y') == []


def test_sync_after_insert_update_delete(archive):
    db = archive.db
    S.sync_index(db)
    assert S.pending(db) == 0
    archive.save(rec(6, "张江科学城人工智能大会召开", "人工智能大会在张江科学城召开，聚焦大模型产业。"))
    archive.flush()
    assert S.pending(db) == 1
    assert ids(S.search(db, "大模型")) == [6]  # search syncs first
    assert S.pending(db) == 0
    # update: the store rewrites the row when the page changed
    changed = rec(6, "张江科学城机器人大会召开", "机器人大会在张江科学城召开，聚焦具身智能。")
    archive.save(changed)
    archive.flush()
    assert S.sync_index(db) == 1
    assert ids(S.search(db, "大模型", sync=False)) == []
    assert ids(S.search(db, "具身智能", sync=False)) == [6]
    assert ids(S.search(db, "机器", sync=False)) == [6]
    # delete (with the rows that refer to the article: versions, captures, URLs, fingerprint)
    from archive import neardup

    neardup.remove_article(db, 6)
    db.execute("DELETE FROM article_versions WHERE article_id = 6")
    db.execute("DELETE FROM captures WHERE article_id = 6")
    db.execute("DELETE FROM article_urls WHERE article_id = 6")
    db.execute("DELETE FROM articles WHERE id = 6")
    assert S.sync_index(db) == 1
    assert S.search(db, "具身智能") == []
    assert S.search(db, "机器") == []


def test_sync_inside_open_transaction_and_batches(archive):
    db = archive.db
    S.sync_index(db)
    for n in range(10, 40):
        archive.save(rec(n, f"测试标题{n}", f"第{n}篇测试正文，关于孵化器建设。"))
    assert db.conn.in_transaction  # the archive's batch is still open
    assert S.sync_index(db, batch=7) == 30
    assert db.conn.in_transaction  # nothing committed by sync_index
    archive.flush()
    assert len(S.search(db, "孵化器", limit=100)) == 30


def test_index_on_existing_archive(tmp_path):
    """Articles written before the search tables existed are queued by the migration."""
    arc = Archive(tmp_path / "a.db")
    arc.save(ARTICLES[0])
    arc.flush()
    arc.db.execute("DELETE FROM search_queue")
    assert S.search(arc.db, "招商引资", sync=False) == []
    assert S.rebuild_index(arc.db) == 1
    assert ids(S.search(arc.db, "招商引资")) == [1]
    arc.close()


def test_bigram_text():
    assert S.bigram_text("苏州工业园区") == "苏州 州工 工业 业园 园区 区"
    assert S.bigram_text("5G基站，AI") == "5g g基 基站 站 ai i"


def test_broad_query_path(archive, monkeypatch):
    """A term in more than BROAD articles: title hits newest first, then the other matches newest
    first; filters applied."""
    db = archive.db
    monkeypatch.setattr(S, "BROAD", 2)
    archive.save(rec(8, "园区举办创业大赛", "创业大赛在园区举行。", site="x8"))
    archive.save(rec(9, "创业沙龙", "创业沙龙在园区举行。", site="x9"))
    archive.flush()
    hits = S.search(db, "园区")  # matches 1, 4, 6, 7: broad
    assert [h.score for h in hits] == [None] * 4
    assert ids(hits) == [6, 1, 7, 4]  # 园区 in the titles of 6 and 1
    assert "[园区]" in hits[0].snippet
    assert ids(S.search(db, "园区", site="sipac")) == [1, 4]  # 1: 苏州工业园区 in its title
    assert ids(S.search(db, "园区", site="sipac", author="陈")) == [4]
    # 2 matches: not broad, bm25-ranked (园区 is in 4 of 7 articles, so its idf is ~0 and the
    # shorter title "创业沙龙" of 7 ranks it above 6)
    assert ids(S.search(db, "园区 创业")) == [7, 6]
    assert ids(S.search(db, "园区", limit=1)) == [6]


@pytest.mark.parametrize("many_first", [True, False])
def test_two_char_term_ranked_by_bm25(tmp_path, many_first):
    # issue 15: bm25(search_bi) was -0.0 for every 2-character hit (contentless + detail=column:
    # FTS5 saw no instances), so hits came back in id order whatever they said.
    once = rec(1, "一则通知", "今天园区召开会议，其他事项另行通知，请各单位做好准备工作。")
    many = rec(2, "园区动态", "园区企业增多，园区服务升级，园区环境优化，园区发展加快。")
    fillers = [rec(10 + i, f"防汛通知{i}", f"各单位落实值班制度第{i}条。") for i in range(4)]
    arc = Archive(tmp_path / "archive.db")
    try:
        for r in ([many, once] if many_first else [once, many]) + fillers:
            arc.save(r)
        arc.flush()
        hits = S.search(arc.db, "园区")
        by_url = {h.url: h for h in hits}
        assert [h.url for h in hits] == [many.url, once.url]
        assert by_url[many.url].score < by_url[once.url].score < 0
    finally:
        arc.close()


def test_upgrade_from_v8_reindexes_bigrams_with_positions(tmp_path):
    # An archive made before migration 9 (search_bi detail=column) is ranked once upgraded.
    path = tmp_path / "archive.db"
    arc = Archive(path)
    once = rec(1, "一则通知", "今天园区召开会议，其他事项另行通知。")
    many = rec(2, "园区动态", "园区企业增多，园区服务升级，园区发展加快。")
    for r in [once, many] + [rec(10 + i, f"通知{i}", f"落实值班制度第{i}条。") for i in range(4)]:
        arc.save(r)
    arc.flush()
    db = arc.db
    db.execute(f"DROP TABLE {S.BI_TABLE}")
    db.execute(f"CREATE VIRTUAL TABLE {S.BI_TABLE} USING fts5(title, body, attach, content='', "
               "contentless_delete=1, detail=column, tokenize='unicode61')")
    db.execute(f"INSERT OR IGNORE INTO {S.QUEUE_TABLE}(article_id) SELECT id FROM articles")
    db.execute("DELETE FROM schema_migrations WHERE version = 9")
    db.conn.commit()
    S.sync_index(db)
    assert {h.score for h in S.search(db, "园区")} == {0.0}  # the v8 behaviour
    arc.close()
    arc = Archive(path)  # applies migration 9
    try:
        hits = S.search(arc.db, "园区")
        assert [h.url for h in hits] == [many.url, once.url]
        assert hits[0].score < hits[1].score < 0
    finally:
        arc.close()
