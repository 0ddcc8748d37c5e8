"""A republished copy with a changed title and a dropped paragraph: its own record, one cluster."""
import sqlite_utils

from crawler.demo.server import Page, SiteServer
from pn_testing import run_cli, write_site

PARAS = [
    "5月13日，临江经开区与十二家企业集中签约，总投资达186亿元，涵盖新能源汽车零部件、储能材料和智能装备三大方向。",
    "签约项目中，投资超过十亿元的项目有五个。园区管委会表示，将组建专班跟踪服务，确保项目当年签约、当年开工、次年投产。",
    "近年来，临江经开区坚持“链长制”推动产业集聚，新能源汽车产业链已集聚上下游企业一百四十余家，年产值突破六百亿元。",
    "在营商环境方面，园区推行“拿地即开工”审批模式，项目从签约到开工的平均时间压缩至四十五天，企业办事全程网上可办。",
    "下一步，临江经开区将围绕主导产业开展精准招商，力争全年新签约亿元以上项目八十个，为高质量发展注入强劲动能。",
]


def article(title, meta, paras):
    body = "".join(f"<p>{p}</p>" for p in paras)
    return Page.html(f"<html><head><title>{title}</title></head><body><div class='nav'><a href='/'>首页</a></div>"
                     f"<h1>{title}</h1><div class='info'>{meta}</div><div id='articleBody'>{body}</div>"
                     f"<div class='footer'>版权所有</div></body></html>")

# An original and its republished copy (a changed title, paragraph 3 dropped, a note added).
COPY_PAGES = {
    "/a/1.html": article("临江经开区集中签约12个项目 总投资186亿元", "时间:2024-05-13来源:临江日报", PARAS),
    "/a/2.html": article("【园区动态】临江经开区签约12个重点项目", "时间:2024-05-15来源:中国网园区",
                         PARAS[:2] + PARAS[3:] + ["（责任编辑：园区投稿01）编者按：本文转载自临江日报。"]),
}


def crawl_pages(tmp_path, pages):
    """Crawl `pages` and a list page linking them from a local server: (db, {file name: article id})."""
    links = "".join(f"<a href='{path}'>{n}</a>" for n, path in enumerate(pages, 1))
    pages = {"/list.html": Page.html(f"<html><body>{links}</body></html>"), **pages}
    db = tmp_path / "c.db"
    with SiteServer(pages) as srv:
        site_file = write_site(tmp_path, "local", srv.base_url, start="/list.html", follow=(),
                               article=(r"/a/\d+\.html$",))
        result = run_cli("crawl", site_file, "--db", db, "--log-level", "WARNING")
    assert result.code == 0, result
    d = sqlite_utils.Database(str(db))
    ids = {r["url"].rsplit("/", 1)[1]: r["id"] for r in d.query("select id, url from articles")}
    d.close()
    return db, ids


def test_republished_copy_clusters_with_its_original(tmp_path):
    unrelated = ["白沙高新区今年新认定高新技术企业五十六家，研发投入强度达到百分之四点二。" * 3,
                 "园区孵化器在孵企业突破三百家，累计培育上市企业四家，科技成果转化成效明显。" * 3]
    db, ids = crawl_pages(tmp_path, {
        **COPY_PAGES, "/a/3.html": article("白沙高新区高新技术企业数量创新高", "时间:2024-05-14来源:白沙日报", unrelated)})
    d = sqlite_utils.Database(str(db))
    assert set(ids) == {"1.html", "2.html", "3.html"}  # every copy keeps its own record
    members = {r["article_id"]: r["cluster_id"] for r in d.query("select * from cluster_members")}
    assert members.get(ids["1.html"]) is not None
    assert members[ids["1.html"]] == members[ids["2.html"]]
    assert ids["3.html"] not in members
    original = d.execute("select original_article_id from clusters where id = ?", [members[ids["1.html"]]]).fetchone()[0]
    assert original == ids["1.html"]  # the earliest published copy
    # the crawl left the full-text index up to date: nothing queued, short terms found
    assert d.execute("select count(*) from search_queue").fetchone()[0] == 0
    from archive.db import open_db
    from archive.search import search

    hits = search(open_db(db), "签约", sync=False)
    assert {h.id for h in hits} == {ids["1.html"], ids["2.html"]}
