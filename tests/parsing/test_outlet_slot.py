"""The unlabelled outlet beside the date, whatever the template: class names gone, items reordered."""
from __future__ import annotations

import pytest

from crawler.parsing import parse_page
from crawler.perturb import KINDS, perturb_page

from .conftest import fixture_cases, load_case

# a portal template: the outlet is a link to its own site after the date, marked only by a class
PORTAL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>园区招商引资再创新高_新闻中心_某某门户</title></head>
<body><div class="nav"><a href="http://www.example-portal.com.cn/">首页</a> <a href="/news/">新闻</a></div>
<h1 class="main-title">园区招商引资再创新高</h1>
<div class="date-source"><span class="date">2019年11月25日 18:57</span>
<a class="source" href="http://www.example-daily.cn/a/1.html" rel="nofollow">某市日报</a></div>
<div class="article"><p>今年以来，园区坚持项目为王，签约项目32个，总投资180亿元，涵盖新一代信息技术、生物医药等领域。</p>
<p>园区管委会有关负责人表示，下一步将实行项目专班服务机制，全力推动签约项目早落地、早开工、早投产。</p></div>
</body></html>"""
URL = "http://news.example-portal.com.cn/c/2019-11-25/doc-1.shtml"


def _source(body: bytes, url: str = URL, fetched=None):
    from datetime import datetime
    return parse_page(url, None, body, fetched or datetime.fromisoformat("2024-05-20T12:00:00+08:00")).source


@pytest.mark.parametrize("kinds", [(k,) for k in KINDS] + [KINDS], ids=list(KINDS) + ["all"])
def test_the_outlet_slot_survives_each_rewrite(kinds):
    body = PORTAL.encode("utf-8")
    assert _source(body) == "某市日报"
    new = perturb_page(body, kinds, title="园区招商引资再创新高")
    assert new.applied == kinds
    assert _source(new.body) == "某市日报"


def _with_source():
    out = []
    for case in fixture_cases():
        _r, _b, _f, expected = load_case(case)
        if "source" in expected and "title" in expected:
            out.append(pytest.param(case, id=f"{case.parent.name}/{case.name}"))
    return out


@pytest.mark.parametrize("case", _with_source())
def test_fixture_sources_hold_when_the_template_is_rewritten(case):
    resp, body, fetched, expected = load_case(case)
    new = perturb_page(body, KINDS, title=expected["title"])
    assert _source(new.body, resp["url"], fetched) == expected["source"], new.applied


def test_registered_domain():
    from crawler.parsing.outlet_slot import registered_domain

    assert registered_domain("news.sina.com.cn") == "sina.com.cn"
    assert registered_domain("finance.qq.com") == "qq.com"
    assert registered_domain("WWW.Example.CN:8080") == "example.cn"
