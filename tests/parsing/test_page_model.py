"""The page model holds on pathological trees; is_article keeps articles that carry list-like blocks."""
from __future__ import annotations

from datetime import datetime

import pytest

from crawler.parsing import NotAnArticle, parse_page

FETCHED = datetime.fromisoformat("2024-05-20T12:00:00+08:00")
P = ["5月20日，园区召开安全生产工作会议，部署近期重点工作，要求各企业压实主体责任，确保园区安全形势持续稳定向好。",
     "会议指出，今年以来园区安全生产形势总体平稳，但部分企业仍存在隐患排查不到位、应急预案不完善等问题。",
     "会议要求，各企业要立即开展安全隐患大排查，建立问题清单，限期整改到位，坚决遏制各类事故发生。"]


def _page(inner: str) -> bytes:
    return ("<html><head><meta charset='utf-8'><title>园区召开安全生产工作会议_某网</title></head><body>"
            f"<h1>园区召开安全生产工作会议</h1><div class='info'>2024-05-20 10:00 来源：某日报</div>{inner}</body></html>").encode()


@pytest.mark.parametrize("depth,tag", [(300, "div"), (300, "font"), (3000, "div"), (3000, "font")])
def test_body_nested_deeper_than_255_elements(depth, tag):
    # libxml2 stops at 255 levels unless told otherwise (the body was lost as `no_body`), and a
    # recursive walk stops near 1000: both must keep the text
    inner = f"<{tag}>" * depth + "".join(f"<p>{p}</p>" for p in P) + f"</{tag}>" * depth
    rec = parse_page("http://park.example.cn/a/2024/05/20/1.html", None, _page(inner), FETCHED)
    assert rec.title == "园区召开安全生产工作会议"
    assert rec.body_text.split("\n") == P


def test_portal_article_with_ad_link_tables_between_paragraphs_is_kept():
    # an old portal layout: tables of headline links sit inside the article's cell, between its paragraphs
    ads = "<table>" + "".join(f"<tr><td><a href='/ad/{i}.html'>第{i}号热点推荐新闻标题</a></td></tr>" for i in range(8)) + "</table>"
    long = [p * 3 for p in P]
    inner = f"<table><tr><td><p>{long[0]}</p>{ads}<p>{long[1]}</p>{ads}<p>{long[2]}</p></td></tr></table>"
    rec = parse_page("http://park.example.cn/a/2024/05/20/2.html", None, _page(inner), FETCHED)
    assert rec.body_text.split("\n") == long


def test_page_of_links_with_one_intro_paragraph_is_still_a_list():
    items = "".join(f"<li><a href='/news/{i}.html'>高新区召开第{i}次企业服务工作推进会议</a></li>" for i in range(25))
    html = (f"<html><head><title>园区动态</title></head><body><h2>园区动态</h2><div class='list'><p>{P[0]}</p>"
            f"<ul>{items}</ul></div></body></html>")
    with pytest.raises(NotAnArticle) as e:
        parse_page("http://park.example.cn/news/", None, html.encode(), FETCHED)
    assert e.value.reason == "list_page"


def test_vertical_label_is_neither_text_nor_headings():
    # "今日推荐" set one character per table row beside the text, inside the text's cell
    label = "<table>" + "".join(f"<tr><td><b>{c}</b></td></tr>" for c in "今日推荐") + "</table>"
    inner = f"<div>{label}" + "".join(f"<p>{p}</p>" for p in P) + "</div>"
    rec = parse_page("http://park.example.cn/a/2024/05/20/4.html", None, _page(inner), FETCHED)
    assert rec.body_text.split("\n") == P
    assert [s["heading"] for s in rec.sections if s["heading"]] == []


def test_editor_credit_closes_the_text_in_a_block_without_class_names():
    # no class or id to tell the comments from the text: the editor's credit ends the article
    long = [p * 2 for p in P]
    comments = "".join(f"<div><div>网友{i}</div><div>这篇报道写得很好，园区的安全生产确实需要常抓不懈，希望各企业都能落实到位，第{i}楼。</div>"
                       f"<div>3小时前 回复 举报</div></div>" for i in range(6))
    inner = ("<div>" + "".join(f"<p>{p}</p>" for p in long) + "<p>责任编辑：于文凯</p>"
             f"<div>热门评论</div>{comments}</div>")
    rec = parse_page("http://park.example.cn/a/2024/05/20/5.html", None, _page(inner), FETCHED)
    assert rec.body_text.split("\n") == long
    assert rec.editor == "于文凯"
