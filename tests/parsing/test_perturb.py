"""The template rewrites of `parknews eval --perturb`, one test per kind, on small pages written here."""
from __future__ import annotations

import json

import pytest
from lxml import etree

from crawler.perturb import KINDS, perturb_page, visible_text

META = "<div class=\"info\" id=\"meta\">发布时间：2021-03-14 07:25:18&nbsp;&nbsp;来源：某省日报 作者：李明华</div>"
PAGE = (
    "<!DOCTYPE html>\n<html><head><meta charset=\"{cs}\"><title>园区新闻 - 某某网</title></head><body>\n"
    "<div class=\"nav\" id=\"top\"><a href=\"/\">首页</a></div>\n"
    "<h1 class=\"title\">园区招商引资再创新高</h1>\n" + META + "\n"
    "<div class=\"content\"><p>  今年以来，园区坚持项目为王。</p>\n<p>签约项目&nbsp;32个，总投资 180 亿元。</p></div>\n"
    "<script>var a = '<b>x</b>';</script></body></html>"
)


def page(cs="utf-8") -> bytes:
    return PAGE.format(cs=cs).encode("gbk" if cs == "gbk" else "utf-8")


def tree(body: bytes, codec="utf-8"):
    return etree.fromstring(body.decode(codec), etree.HTMLParser())


def text_of(el) -> str:
    return "".join(el.itertext())


def test_attrs_removes_every_class_and_id():
    new = perturb_page(page(), ("attrs",))
    assert new.applied == ("attrs",)
    doc = tree(new.body)
    assert doc.xpath("//*[@class or @id]") == []
    assert visible_text(new.body) == visible_text(page())


def test_h1_becomes_a_styled_div():
    new = perturb_page(page(), ("h1",))
    doc = tree(new.body)
    assert doc.xpath("//h1") == []
    div = doc.xpath("//div[@class='title']")[0]
    assert text_of(div) == "园区招商引资再创新高" and "font-weight:bold" in div.get("style")
    assert visible_text(new.body) == visible_text(page())


def test_meta_line_moves_into_a_table_cell():
    new = perturb_page(page(), ("meta_table",))
    assert new.applied == ("meta_table",)
    doc = tree(new.body)
    td = doc.xpath("//table/tr/td")[0]
    assert "来源：某省日报" in text_of(td) and "2021-03-14" in text_of(td)
    assert doc.xpath("//div[@id='meta']") == []   # the div is gone, its text is in the cell
    assert td.getparent().getparent().getprevious().tag == "h1"
    assert visible_text(new.body) == visible_text(page())


def test_whitespace_and_nbsp_change_but_not_the_text():
    new = perturb_page(page(), ("whitespace",))
    text = new.body.decode("utf-8")
    assert "签约项目 32个" in text                       # &nbsp; became a space
    assert "总投资\xa0180\xa0亿元" in text                # spaces became &nbsp;
    assert "var a = '<b>x</b>';" in text                 # scripts untouched
    assert visible_text(new.body) == visible_text(page())
    assert new.body != page()


def test_meta_items_are_reordered():
    new = perturb_page(page(), ("meta_order",))
    assert new.applied == ("meta_order",)
    meta = text_of(tree(new.body).xpath("//div[@id='meta']")[0])
    assert meta.index("作者：李明华") < meta.index("来源：某省日报") < meta.index("发布时间：2021-03-14 07:25:18")
    assert sorted(visible_text(new.body)) == sorted(visible_text(page()))


def test_meta_items_in_elements_are_reordered_and_labels_keep_their_values():
    body = ("<html><body><h1>标题一二三</h1><div class=\"m\"><span>2019-09-26 10:56</span> "
            "<span>来源：</span><a href=\"/s\">证券时报网</a> <span>浏览：1644</span></div>"
            "<p>正文内容很长很长很长。</p></body></html>").encode()
    meta = text_of(tree(perturb_page(body, ("meta_order",)).body).xpath("//div[@class='m']")[0])
    assert meta.index("浏览：1644") < meta.index("来源：证券时报网") < meta.index("2019-09-26 10:56")


def test_a_page_without_h1_finds_its_headline_by_the_title():
    body = ("<html><body><div style=\"font-size:24px\">园区招商引资再创新高</div>"
            "<div>2006年09月21日 来源：某某网</div><p>正文。</p></body></html>").encode()
    assert "meta_table" not in perturb_page(body, ("meta_table",)).applied
    new = perturb_page(body, ("meta_table",), title="园区招商引资再创新高")
    assert new.applied == ("meta_table",)
    assert "来源：某某网" in text_of(tree(new.body).xpath("//td")[0])


def test_a_line_only_containing_a_label_word_is_not_the_meta_line():
    body = ("<html><body><h1>标题一二三</h1><div>推荐阅读：另一篇文章的标题很长</div>"
            "<div>2021-03-14 来源：某省日报</div><p>正文。</p></body></html>").encode()
    new = perturb_page(body, ("meta_table",))
    assert "来源：某省日报" in text_of(tree(new.body).xpath("//td")[0])
    assert "推荐阅读" not in text_of(tree(new.body).xpath("//td")[0])


def test_gbk_pages_stay_gbk_bytes():
    body = page("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    new = perturb_page(body, KINDS)
    assert set(new.applied) == set(KINDS)
    with pytest.raises(UnicodeDecodeError):
        new.body.decode("utf-8")
    text = new.body.decode("gbk")
    assert "园区招商引资再创新高" in text and "charset=\"gbk\"" in text
    assert "\xa0" not in text and "&#160;" in text            # nbsp as a reference: GBK has no such byte
    assert sorted(visible_text(new.body)) == sorted(visible_text(body))


def test_a_fragment_page_gets_no_html_wrapper():
    body = "<text title=\"标题\"><table><tr><td>正文 内容</td></tr></table></text>".encode("gbk")
    new = perturb_page(body, ("whitespace",))
    assert new.body.startswith(b"<text") and new.applied == ("whitespace",)


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown perturbation frobnicate"):
        perturb_page(page(), ("frobnicate",))


def test_eval_perturb_reports_every_kind_and_the_difference(tmp_path):
    from crawler.evaluate import evaluate_perturbed, format_perturbed

    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "dev-001-a.com.html").write_bytes(page())
    (tmp_path / "truth.jsonl").write_text(json.dumps({
        "id": "dev-001-a.com", "url": "http://a.com/1.html", "title": "园区招商引资再创新高",
        "published": "2021-03-14 07:25", "source": "某省日报", "author": "李明华", "editor": "",
        "body_text": "今年以来，园区坚持项目为王。\n签约项目 32个，总投资 180 亿元。"}, ensure_ascii=False) + "\n",
        encoding="utf-8")

    def keyed_on_h1(url, headers, body, fetched_at, **kw):
        from crawler.items import Record
        doc = etree.fromstring(body.decode("utf-8"), etree.HTMLParser())
        h1 = doc.xpath("//h1")
        return Record(url=url, title=text_of(h1[0]) if h1 else None, body_text="")

    res = evaluate_perturbed(tmp_path, parse=keyed_on_h1)
    assert set(res.perturbed) == set(KINDS) | {"all"}
    assert res.plain.scores["title"] == 1.0
    assert res.perturbed["h1"].scores["title"] == 0.0 and res.diff("h1")["title"] == -1.0
    assert res.perturbed["attrs"].scores["title"] == 1.0
    assert ("h1", "title", -1.0) in res.drifted() and ("all", "title", -1.0) in res.drifted()
    assert not [d for d in res.drifted() if d[0] == "attrs"]
    from crawler.evaluate import format_perturb_losses
    losses = format_perturb_losses(res, "title")
    assert "dev-001-a.com [h1: 1.000 -> 0.000]" in losses and "[attrs:" not in losses
    assert "expected: 园区招商引资再创新高" in losses
    assert format_perturb_losses(res, "editor") == "(no page lost editor under a perturbation)"
    table = format_perturbed(res)
    assert "meta_order" in table and "(-1.000)!" in table
    assert res.to_json()["perturbed"]["h1"]["diff"]["title"] == -1.0


def test_eval_command_perturb(tmp_path):
    from pn_testing import run_cli

    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "dev-001-a.com.html").write_bytes(page("gbk"))
    (tmp_path / "truth.jsonl").write_text(json.dumps({
        "id": "dev-001-a.com", "url": "http://a.com/2021-03/14/1.html", "title": "园区招商引资再创新高",
        "published": "2021-03-14 07:25", "source": "某省日报", "author": "李明华", "editor": "",
        "body_text": "今年以来，园区坚持项目为王。\n签约项目 32个，总投资 180 亿元。"}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    run = run_cli("eval", tmp_path, "--perturb")
    assert run.code == 0, run
    for kind in KINDS + ("all", "plain", "rewritten"):
        assert kind in run.stdout
    run = run_cli("eval", tmp_path, "--perturb", "--json")
    data = json.loads(run.stdout)["perturb"]
    assert set(data["perturbed"]) == set(KINDS) | {"all"} and data["tolerance"] == 0.03
    assert all(v["pages_rewritten"] == 1 for v in data["perturbed"].values())


def test_on_the_real_corpus_text_and_encoding_survive_every_rewrite():
    """Every corpus page rewritten by all kinds keeps its visible text (as a multiset: the meta
    items move) and its encoding; skipped without ../shared/corpus."""
    import os
    from pathlib import Path

    from crawler.evaluate import load_truth
    from crawler.parsing.encoding import decode_body

    repo = Path(__file__).resolve().parents[2]
    corpus = Path(os.environ.get("PARKNEWS_CORPUS") or repo.parent / "shared" / "corpus")
    if not (corpus / "truth.jsonl").exists():
        pytest.skip(f"development corpus not found at {corpus}")
    rewritten = {k: 0 for k in KINDS}
    for t in load_truth(corpus):
        body = (corpus / "pages" / f"{t['id']}.html").read_bytes()
        new = perturb_page(body, KINDS, title=t["title"])
        for k in new.applied:
            rewritten[k] += 1
        assert sorted(visible_text(new.body)) == sorted(visible_text(body)), t["id"]
        assert decode_body(new.body)[1] == decode_body(body)[1], t["id"]
    pages = len(load_truth(corpus))
    assert rewritten["attrs"] == rewritten["whitespace"] == pages
    assert rewritten["meta_table"] >= pages * 0.7 and rewritten["meta_order"] >= pages * 0.4, rewritten


def test_a_stray_end_of_page_before_the_article_keeps_the_article():
    # a header include's own </body></html> mid-page: the rewrite keeps what follows it
    body = ("<html><head><meta charset='utf-8'><title>t</title></head><body><div class='nav'>首页</div></body></html>\n"
            "<div class='content'><h1 class='t'>园区招商引资再创新高</h1><div class='text'>"
            + "<p>今年以来，园区坚持项目为王，签约项目32个，总投资180亿元，涵盖新一代信息技术等领域。</p>" * 8
            + "</div></div></body></html>").encode("utf-8")
    new = perturb_page(body, KINDS, title="园区招商引资再创新高")
    assert "签约项目32个" in new.body.decode("utf-8")
    assert "签约项目32个" in visible_text(body)
