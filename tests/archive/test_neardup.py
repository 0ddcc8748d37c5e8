"""archive.neardup: MinHash fingerprints, the LSH band index in SQLite, and copy clusters."""
from __future__ import annotations

import time

import pytest

from archive import neardup as N
from archive.db import transaction
from crawler.parsing.keys import content_hash
from archive.store import DUPLICATE, NEW, Archive
from crawler.items import Record

PARAS = [
    "4月25日，苏州工业园区举行2024年重大项目集中签约仪式，共有36个项目集中签约，总投资超过280亿元，"
    "涵盖生物医药、纳米技术应用、人工智能等主导产业。",
    "据介绍，此次签约的信达生物创新药生产基地项目总投资45亿元，主要建设抗体药物原液和制剂生产线，"
    "达产后预计年产值超过60亿元，将进一步提升园区生物医药产业的集聚度。",
    "园区相关负责人表示，将持续优化营商环境，为企业提供全生命周期服务，推动项目早签约、早开工、早投产。"
    "今年一季度，园区实现规上工业总产值1250亿元，同比增长8.6%。",
    "目前，园区已集聚生物医药企业2300余家，其中高新技术企业860家，专精特新小巨人企业42家，"
    "形成了从研发、临床到生产的完整产业链条。",
    "在人才引育方面，园区出台人才新政十条，全年引进高层次人才1200名，新建人才公寓3000套，"
    "为企业发展提供了坚实的人才支撑。",
    "下一步，苏州工业园区将继续坚持项目为王、环境为本，全力以赴稳增长、调结构、促转型，"
    "为苏州经济社会高质量发展作出更大贡献。",
]
ORIGINAL = "\n".join(PARAS)

# Same park, same topic, the same officials' phrases, different news.
SAME_TOPIC = "\n".join([
    "5月10日，苏州工业园区召开生物医药产业推进大会，发布支持生物医药产业高质量发展的若干措施，"
    "明确对创新药研发给予最高3000万元资助。",
    "园区相关负责人表示，将持续优化营商环境，为企业提供全生命周期服务，推动项目早签约、早开工、早投产。",
    "会上，园区与恒瑞医药、药明康德等12家企业签订合作协议，涵盖细胞治疗、基因检测、高端医疗器械等方向，"
    "并为首批生物医药公共技术服务平台授牌。",
    "数据显示，园区生物医药产业近三年产值年均增长20%以上，已获批上市一类新药15个，占全国的比重持续提升。",
    "下一步，苏州工业园区将继续坚持项目为王、环境为本，全力以赴稳增长、调结构、促转型，"
    "为苏州经济社会高质量发展作出更大贡献。",
])


def rec(n: int, body: str, *, site: str, title: str = "苏州工业园区重大项目集中签约", source: str | None = None,
        published_at: str | None = "2024-04-25T10:00:00+08:00", url: str | None = None) -> Record:
    return Record(url=url or f"http://www.{site}.example.cn/a/{n}.html", site=site, title=title,
                  body_text=body, source=source, published_at=published_at, content_hash=content_hash(body))


def republished(paras=PARAS) -> str:
    """A repost: a new title line on top, paragraph 3 dropped, punctuation changed, a note added."""
    kept = [p for i, p in enumerate(paras) if i != 3]
    kept = [p.replace("，", ",").replace("。", ". ") for p in kept]
    return "\n".join(["【园区动态】苏州工业园区36个重大项目集中签约"] + kept
                     + ["（本文来源：苏州工业园区管委会，转载请注明出处。责任编辑：李娜）"])


def save_new(arc: Archive, record: Record):
    """What the store does for a NEW article, with the near-duplicate hook the store will call."""
    result = arc.save(record)
    if result.outcome == NEW:
        N.on_new_article(arc.db, result.article_id, record.body_text)
    return result


@pytest.fixture
def arc(tmp_path):
    a = Archive(tmp_path / "archive.db")
    yield a
    a.close()


def test_fingerprint_and_similarity():
    a, b = N.fingerprint(ORIGINAL), N.fingerprint(republished())
    assert isinstance(a, bytes) and len(a) == N.K * 4
    assert N.fingerprint(ORIGINAL) == a  # deterministic (no per-process hash seed)
    assert N.similarity(a, a) == 1.0
    exact = N.jaccard(N.shingle_set(ORIGINAL), N.shingle_set(republished()))
    assert exact > 0.7
    assert abs(N.similarity(a, b) - exact) < 0.15
    assert N.similarity(a, N.fingerprint(SAME_TOPIC)) < 0.3
    assert N.fingerprint("") is None and N.fingerprint("，。！ ") is None
    # punctuation, white space, full-width letters and digits do not count
    assert N.fingerprint(ORIGINAL.replace("，", ",").replace("\n", " ")) == a
    assert N.fingerprint(ORIGINAL.replace("2024", "２０２４")) == a


def test_fingerprint_cost():
    text = ORIGINAL * 4  # ~5 KB
    N.fingerprint(text)
    t = time.perf_counter()
    for i in range(20):
        N.fingerprint(text + str(i))
    per_doc = (time.perf_counter() - t) / 20
    assert per_doc < 0.02  # ~1 ms with numpy; generous bound for a loaded machine


@pytest.mark.skipif(N.np is None, reason="numpy not installed")
def test_pure_python_fallback_gives_the_same_signature():
    s = N.shingle_text(ORIGINAL)
    assert N._fingerprint_py(s) == N._fingerprint_np(s)


def test_republished_copy_joins_cluster_with_right_original(arc):
    first = save_new(arc, rec(1, ORIGINAL, site="sipac", published_at="2024-04-25T10:00:00+08:00"))
    copy = rec(2, republished(), site="repost", title="【园区动态】苏州工业园区36个重大项目集中签约",
               published_at="2024-04-26")
    second = save_new(arc, copy)
    arc.flush()
    assert first.outcome == second.outcome == NEW  # both keep their own record
    db = arc.db
    cluster = N.cluster_of(db, second.article_id)
    assert cluster is not None and cluster == N.cluster_of(db, first.article_id)
    assert N.cluster_members(db, cluster) == [1, 2]
    original = db.execute("SELECT original_article_id FROM clusters WHERE id = ?", [cluster]).fetchone()[0]
    assert original == first.article_id
    found = N.find_near_duplicates(db, copy.body_text, exclude=second.article_id)
    assert [i for i, _ in found] == [1] and found[0][1] > 0.7


def test_original_is_the_site_a_copy_credits(arc):
    # the copy is dated earlier (a wrong date on the repost) but credits the original's site
    a = save_new(arc, rec(1, ORIGINAL, site="chinacom-yuanqu", published_at="2024-04-26T08:00:00+08:00"))
    b = save_new(arc, rec(2, republished(), site="repost", source="中国网园区", published_at="2024-04-25"))
    arc.flush()
    cluster = N.cluster_of(arc.db, b.article_id)
    original = arc.db.execute("SELECT original_article_id FROM clusters WHERE id = ?", [cluster]).fetchone()[0]
    assert original == a.article_id
    # and by URL host when no site title is known
    members = [
        {"id": 7, "site": "x", "url": "http://news.foo.cn/1", "source": "bar.cn", "published_at": "2024-01-01"},
        {"id": 8, "site": "y", "url": "http://www.bar.cn/2", "source": None, "published_at": "2024-02-01"},
    ]
    assert N.choose_original(members) == 8
    # no credit: earliest date, ties to the lowest id; unknown dates last
    members[0]["source"] = None
    assert N.choose_original(members) == 7
    members[1]["published_at"] = "2024-01-01"
    assert N.choose_original(members) == 7
    members[0]["published_at"] = None
    assert N.choose_original(members) == 8


def test_unrelated_same_topic_article_is_not_clustered(arc):
    save_new(arc, rec(1, ORIGINAL, site="sipac"))
    other = save_new(arc, rec(2, SAME_TOPIC, site="sipac", title="苏州工业园区召开生物医药产业推进大会"))
    arc.flush()
    assert N.cluster_of(arc.db, other.article_id) is None
    assert N.find_near_duplicates(arc.db, SAME_TOPIC, exclude=other.article_id) == []
    assert arc.db.execute("SELECT count(*) FROM clusters").fetchone()[0] == 0


def test_exact_copy_still_a_content_hash_duplicate(arc):
    save_new(arc, rec(1, ORIGINAL, site="sipac"))
    dup = save_new(arc, rec(2, ORIGINAL.replace("\n", "\n\n"), site="other"))
    arc.flush()
    assert dup.outcome == DUPLICATE and dup.how == "content_hash" and dup.article_id == 1
    assert arc.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert arc.db.execute("SELECT count(*) FROM clusters").fetchone()[0] == 0


def test_third_copy_and_cluster_merge(arc):
    save_new(arc, rec(1, ORIGINAL, site="s1", published_at="2024-04-25"))
    save_new(arc, rec(2, republished(), site="s2", published_at="2024-04-26"))
    c = save_new(arc, rec(3, ORIGINAL + "\n（编者按：本文有删改）", site="s3", published_at="2024-04-27"))
    arc.flush()
    db = arc.db
    assert N.cluster_of(db, c.article_id) == N.cluster_of(db, 1)
    assert N.cluster_members(db, N.cluster_of(db, 1)) == [1, 2, 3]
    # two clusters that a later article bridges are merged into the older one
    save_new(arc, rec(4, SAME_TOPIC, site="s1", published_at="2024-05-10"))
    save_new(arc, rec(5, SAME_TOPIC + "\n（责任编辑：王伟）", site="s4", published_at="2024-05-11"))
    arc.flush()
    c2 = N.cluster_of(db, 4)
    assert c2 is not None and c2 != N.cluster_of(db, 1)
    db.execute("BEGIN")
    bridge = db.execute(
        "INSERT INTO articles (url, site, body_text, first_seen, updated_at, published_at) "
        "VALUES ('http://b/1', 's5', ?, 'x', 'x', '2024-06-01')", [ORIGINAL + "\n" + SAME_TOPIC]
    ).lastrowid
    N.index_article(db, bridge, ORIGINAL + "\n" + SAME_TOPIC)
    merged = N.link_cluster(db, bridge, threshold=0.35)
    db.execute("COMMIT")
    assert merged == N.cluster_of(db, 1) == N.cluster_of(db, 4)
    assert N.cluster_members(db, merged) == [1, 2, 3, 4, 5, bridge]
    assert db.execute("SELECT count(*) FROM clusters").fetchone()[0] == 1
    assert db.execute("SELECT original_article_id FROM clusters").fetchone()[0] == 1


def test_on_new_article_runs_in_callers_transaction(arc):
    save_new(arc, rec(1, ORIGINAL, site="sipac"))
    r = arc.save(rec(2, republished(), site="repost"))
    assert arc.db.conn.in_transaction
    cluster = N.on_new_article(arc.db, r.article_id, republished())
    assert cluster is not None and arc.db.conn.in_transaction  # nothing committed
    arc.rollback()
    assert arc.db.execute("SELECT count(*) FROM article_signatures").fetchone()[0] == 0
    assert arc.db.execute("SELECT count(*) FROM clusters").fetchone()[0] == 0


def test_short_bodies_are_not_clustered(arc):
    a = save_new(arc, rec(1, "详见附件。", site="a"))
    arc.flush()
    assert arc.db.execute("SELECT count(*) FROM article_signatures").fetchone()[0] == 0
    assert N.on_new_article(arc.db, a.article_id, "详见附件。") is None


def test_lookup_uses_the_band_index(arc):
    plan = " ".join(N.explain_lookup(arc.db))
    assert "SEARCH lsh_bands USING PRIMARY KEY (band=? AND bucket=?)" in plan
    assert "SCAN lsh_bands" not in plan


def test_reindex_and_delete(arc):
    save_new(arc, rec(1, ORIGINAL, site="sipac"))
    save_new(arc, rec(2, republished(), site="repost"))
    arc.flush()
    db = arc.db
    bands = db.execute("SELECT count(*) FROM lsh_bands").fetchone()[0]
    assert bands <= 2 * N.BANDS
    db.execute("BEGIN")
    N.index_article(db, 2, republished())  # re-indexing replaces, never duplicates
    db.execute("COMMIT")
    assert db.execute("SELECT count(*) FROM lsh_bands").fetchone()[0] == bands
    db.execute("BEGIN")
    N.remove_article(db, 2)
    db.execute("COMMIT")
    assert db.execute("SELECT count(*) FROM lsh_bands WHERE article_id = 2").fetchone()[0] == 0
    exact = N.jaccard(N.shingle_set(ORIGINAL), N.shingle_set(republished()))
    assert N.find_near_duplicates(db, republished()) == [(1, pytest.approx(exact, abs=0.12))]
    # close to the threshold the exact Jaccard decides and is reported
    assert N.find_near_duplicates(db, republished(), threshold=exact - 0.05) == [(1, pytest.approx(exact))]
    assert N.find_near_duplicates(db, republished(), threshold=exact + 0.01) == []


def test_backfill_existing_articles(arc):
    arc.save(rec(1, ORIGINAL, site="s1"))
    arc.save(rec(2, republished(), site="s2"))
    arc.save(rec(3, SAME_TOPIC, site="s3"))
    arc.flush()
    # the store fingerprints new articles itself: forget that, as for articles saved before v4
    with transaction(arc.db):
        for article_id in (1, 2, 3):
            N.remove_article(arc.db, article_id)
    assert N.cluster_of(arc.db, 1) is None
    assert N.backfill(arc.db, batch=2) == 3
    assert N.cluster_of(arc.db, 1) == N.cluster_of(arc.db, 2) is not None
    assert N.cluster_of(arc.db, 3) is None
    assert N.backfill(arc.db) == 0
