"""Issue 9 credit classes: trailing credits, bylines, datelines, editor forms, names after titles."""
from __future__ import annotations

import pytest

from crawler.parsing import bylines as by


@pytest.mark.parametrize("line,expected", [
    ("……为全年经济稳增长提供有力支撑。（记者 李明华）", ["李明华"]),
    ("……有关负责人说。（评论员 王强 赵一帆）", ["王强", "赵一帆"]),
    ("……这是外媒的最新报道。（编译/周子健）", ["周子健"]),
    ("……这样的说法没有道理。”（姚峰 上海报道）", ["姚峰"]),
    ("……定期获得信息交流。(信报记者 蔡雪婧)", ["蔡雪婧"]),
])
def test_trailing_credit(line, expected):
    assert by.trailing_author(line) == expected


def test_trailing_bare_name_only_when_standalone():
    assert by.trailing_author("（张伟）", standalone_ok=True) == ["张伟"]
    # a bare name after the last sentence of the text, only when asked for (the last paragraph)
    assert by.trailing_author("……记者从会上获悉。（张伟）", last=True) == ["张伟"]
    assert by.trailing_author("……记者从会上获悉。（张伟）") == []
    assert by.trailing_author("……会议就此结束。（待续）", last=True) == []
    assert by.trailing_author("……活动在此举行。（北京）", last=True) == []
    assert by.trailing_author("……从国务院新闻办获悉（发布会）", last=True) == []


@pytest.mark.parametrize("line,expected", [
    ("本报记者 刘洋 陈 静", ["刘洋", "陈静"]),
    ("某报·某网记者 孙晓东", ["孙晓东"]),
    ("某某新闻·某某商报记者黄建国/文", ["黄建国"]),
    ("新华社记者邹多为、唐诗凝、丁乐", ["邹多为", "唐诗凝", "丁乐"]),
    ("澎湃新闻记者 贺梨萍", ["贺梨萍"]),
    ("文︱小安", ["小安"]),
    ("作者：某研究部部长 研究员钱立", ["钱立"]),
])
def test_byline(line, expected):
    got = by.byline_author(line) or [n for k, _l, v in by.parse_labels(line) if k == "author" for n in by.clean_people(v)]
    assert got == expected


@pytest.mark.parametrize("line,expected", [
    ("新华社上海6月3日电（吴迪、郑凯）记者从上海市经信委获悉，园区新增企业两万家。", ["吴迪", "郑凯"]),
    ("某某网9月8日讯（记者林涛 整合）9月7日，开发区召开招商推介会。", ["林涛"]),
    ("新京报快讯（记者 裴剑飞）今日有网友爆料。", ["裴剑飞"]),
    ("本报讯（记者 王芳 通讯员 李明）日前，高新区举行签约仪式。", ["王芳"]),
    ("新华社北京6月3日电（国务院新闻办公室）记者获悉。", []),
])
def test_dateline(line, expected):
    assert by.dateline_author(line) == expected


@pytest.mark.parametrize("line,expected", [
    ("[ 责编：何佳 ]", "何佳"),
    ("（某某网编辑 方红）", "方红"),
    ("【编辑：许可】", "许可"),
    ("(责任编辑:园区投稿01)", "园区投稿01"),
])
def test_editor_forms(line, expected):
    assert by.editor_credit(line) == expected


@pytest.mark.parametrize("value", ["查看旧版(2019年以前)", "手机版", "分享到", "English", "打印本页"])
def test_chrome_is_not_a_source(value):
    assert by.clean_source(value) is None
