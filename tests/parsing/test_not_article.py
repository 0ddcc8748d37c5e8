from __future__ import annotations

from datetime import datetime

import pytest

from crawler.parsing import NotAnArticle, parse_page

FETCHED = datetime.fromisoformat("2024-05-20T12:00:00+08:00")


def _parse(html: str, url: str = "http://park.example.cn/news/1.html"):
    return parse_page(url, None, html.encode("utf-8"), FETCHED)


def test_binary_page():
    with pytest.raises(NotAnArticle) as e:
        parse_page("http://x.example/a.pdf", {"Content-Type": "application/pdf"}, b"%PDF-1.7 ...", FETCHED)
    assert e.value.reason == "binary"


def test_empty_page():
    with pytest.raises(NotAnArticle) as e:
        parse_page("http://x.example/", None, b"", FETCHED)
    assert e.value.reason == "empty"


def test_page_without_text():
    with pytest.raises(NotAnArticle) as e:
        _parse("<html><head><title>x</title></head><body><script>var a=1;</script></body></html>")
    assert e.value.reason in ("empty", "no_body")


def test_list_page_of_links():
    items = "".join(
        f'<li><a href="/news/{i}.html">高新区第{i}期园区动态：企业服务中心工作简报</a><span>2024-05-{i % 28 + 1:02d}</span></li>'
        for i in range(30))
    html = f"<html><head><title>园区动态_高新区</title></head><body><h1>园区动态</h1><ul class='list'>{items}</ul></body></html>"
    with pytest.raises(NotAnArticle) as e:
        _parse(html, "http://park.example.cn/news/")
    assert e.value.reason == "list_page"


def test_truncated_page_without_body_text():
    html = "<html><head><title>高新区出台新政</title></head><body><h1>高新区出台新政</h1><div class='nav'><a href='/'>首页</a>"
    with pytest.raises(NotAnArticle) as e:
        _parse(html)
    assert e.value.reason in ("no_body", "no_title", "empty")


def test_short_article_is_an_article():
    html = ("<html><head><title>园区简讯_某网</title></head><body><h1>园区简讯</h1>"
            "<div class='info'>发布时间：2024-05-20</div>"
            "<div class='content'><p>5月20日，园区召开安全生产工作会议，部署近期重点工作，要求各企业压实主体责任。</p></div>"
            "</body></html>")
    rec = _parse(html)
    assert rec.title == "园区简讯"
    assert rec.published_at == "2024-05-20"
    assert rec.body_text.startswith("5月20日")


def test_truncated_by_content_length():
    body = "<html><body><h1>园区新闻</h1><p>正文内容很长很长。</p>".encode("utf-8")
    with pytest.raises(NotAnArticle) as e:
        parse_page("http://x.example/a.html", {"Content-Length": str(len(body) + 500)}, body, FETCHED)
    assert e.value.reason == "truncated"


def test_content_length_of_compressed_body_is_ignored():
    html = ("<html><head><title>园区简讯</title></head><body><h1>园区简讯</h1><div class='c'>"
            "<p>5月20日，园区召开安全生产工作会议，部署近期重点工作，要求各企业压实主体责任。</p></div></body></html>")
    body = html.encode("utf-8")
    rec = parse_page("http://x.example/a.html", {"Content-Length": "100", "Content-Encoding": "gzip"}, body, FETCHED)
    assert rec.title == "园区简讯"


_NAV = "".join(f"<li><a href='/c{i}/'>栏目{i}</a></li>" for i in range(12))
_FOOT = ("<div class='footer'><p>主办：某高新技术产业开发区管理委员会，承办：高新区党政办公室。地址：某市高新大道1号，邮编：310000。</p>"
         "<p>网站标识码：3301000001，浙ICP备12345678号，浙公网安备33010002000001号。</p></div>")


def _list_page(inner: str) -> str:
    return (f"<html><head><meta charset='utf-8'><title>园区动态-某高新区管委会</title></head><body><div class='nav'><ul>{_NAV}</ul></div>"
            f"<div class='loc'>当前位置：首页 > 园区动态</div><div class='main'><div class='left'><h2>园区动态</h2>{inner}</div></div>"
            f"{_FOOT}</body></html>")


def test_government_list_page_with_footer_text():
    items = "".join(f"<li><a href='/news/2024/{i}.html'>高新区召开第{i}次企业服务工作推进会议部署重点任务</a>"
                    f"<span class='date'>2024-05-{i % 28 + 1:02d}</span></li>" for i in range(20))
    with pytest.raises(NotAnArticle) as e:
        _parse(_list_page(f"<ul class='list'>{items}</ul><div class='page'>共20条 <a>1</a><a>2</a><a>下一页</a></div>"),
               "http://gxq.example.gov.cn/yqdt/")
    assert e.value.reason == "list_page"


def test_list_of_teasers_with_summaries():
    items = "".join(f"<div class='item'><h3><a href='/n/{i}.html'>经开区第{i}批重点项目集中开工</a></h3>"
                    f"<p class='summary'>5月{i % 28 + 1}日，经开区举行重点项目集中开工活动，共有{i + 3}个项目开工，"
                    f"总投资{i * 10 + 50}亿元，涵盖先进制造、现代服务等领域……</p><span>2024-05-{i % 28 + 1:02d}</span></div>"
                    for i in range(12))
    with pytest.raises(NotAnArticle) as e:
        _parse(_list_page(f"<div class='newslist'>{items}</div>"), "http://gxq.example.gov.cn/yqdt/")
    assert e.value.reason == "list_page"


def test_static_site_page():
    html = ("<html><head><title>关于我们_中国网园区</title></head><body><div class='static'><h2>关于我们</h2>"
            "<p>中国网园区频道是报道全国各类园区发展动态的专业平台，关注园区招商、产业发展和营商环境建设。</p>"
            "<p>频道以园区为中心，以产业为纽带，服务园区、企业与投资者。</p></div></body></html>")
    with pytest.raises(NotAnArticle) as e:
        _parse(html, "http://yuanqu.example.cn/about.html")
    assert e.value.reason == "static_page"
