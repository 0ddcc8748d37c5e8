from __future__ import annotations

from datetime import datetime

from crawler.parsing import parse_page

FETCHED = datetime.fromisoformat("2024-05-20T12:00:00+08:00")
HTML = """<html><head><title>园区新闻_示范区</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/n/">新闻</a></div>
<div class="art"><h1>示范区举办创新创业大赛</h1>
<p class="m">发布日期：2024-05-18 来源：示范区管委会</p>
<div class="writer">撰稿人 周小明</div>
<div class="ad">广告：园区厂房出租，联系电话 12345678</div>
<div class="txt"><p>5月18日，示范区第五届创新创业大赛决赛在科技园举行，来自全国的30个项目同台竞技。</p>
<p>经过激烈角逐，智能制造、生物医药等领域的8个项目获奖，将获得最高100万元的落地扶持资金。</p></div>
<p class="ed">审核：王刚</p></div></body></html>"""


def _parse(rules):
    return parse_page("http://park.example.cn/n/1.html", None, HTML.encode("utf-8"), FETCHED, site="demo", rules=rules)


def test_rule_overrides_and_marks_extraction():
    rec = _parse({"author": ".writer", "editor": "//p[@class='ed']", "drop": [".ad"], "body": "div.txt"})
    assert rec.author == "周小明"
    assert rec.editor == "王刚"
    assert rec.extraction["author"] == "rule"
    assert rec.extraction["editor"] == "rule"
    assert rec.extraction["body"] == "rule"
    assert "广告" not in rec.body_text
    assert rec.site == "demo"


def test_rule_matching_nothing_falls_back():
    rec = _parse({"title": "h2.nope", "published_at": "(//time)[1]", "source": ".nothing"})
    assert rec.title == "示范区举办创新创业大赛"
    assert rec.extraction["title"] != "rule"
    assert rec.published_at == "2024-05-18"
    assert rec.source == "示范区管委会"


def test_rule_date_and_title():
    rec = _parse({"title": "div.art > h1", "published_at": "p.m"})
    assert rec.extraction["title"] == "rule"
    assert rec.published_at == "2024-05-18"
    assert rec.extraction["published_at"] == "rule"


def test_bad_selector_does_not_crash():
    rec = _parse({"title": "[[[", "drop": ["!!"]})
    assert rec.title == "示范区举办创新创业大赛"
