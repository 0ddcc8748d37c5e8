from __future__ import annotations

import pytest

from crawler.parsing import bylines as by


@pytest.mark.parametrize("line,expected", [
    ("时间:2022-04-06来源 : 中国网园区作者 : 孟丽伟", [("source", "中国网园区"), ("author", "孟丽伟")]),
    ("(责任编辑:园区投稿01)", [("editor", "园区投稿01")]),
    ("发表于2014-08-24 21:30| 1164次阅读| 来源CSDN| 0 条评论| 作者魏星", [("source", "CSDN"), ("author", "魏星")]),
    ("2005年3月11日12:12 来源：[ 人民网 ]", [("source", "人民网")]),
    ("来源：本站原创 作者：医技药剂党支部时间：2019年10月31日 23:00 浏览： 33",
     [("source", "本站原创"), ("author", "医技药剂党支部")]),
    ("编辑|禤志杰 责编|陈梦莹 校对|黄慧敏 来源|广州参考、广州南沙发布、羊城晚报",
     [("editor", "禤志杰"), ("editor", "陈梦莹"), ("source", "广州参考、广州南沙发布、羊城晚报")]),
    ("2020年07月04日 12:10 来源：求是网参与互动", [("source", "求是网")]),
    ("编辑： 金金 来源： 21世纪经济报道 作者：宋怡 杨志华",
     [("editor", "金金"), ("source", "21世纪经济报道"), ("author", "宋怡 杨志华")]),
    ("2019-09-26 12:11来源：证券时报网作者：李在山", [("source", "证券时报网"), ("author", "李在山")]),
    ("报纸网 |发布: 2021-1-29 13:18|点击: 313|来自: 互联网", [("source", "互联网")]),
    ("信息来源于网络", [("source", "网络")]),
    ("来源 | 综合抖音黑板报、南方都市报", [("source", "综合抖音黑板报、南方都市报")]),
    ("本报讯 记者昨日从市经济技术开发区获悉", []),
    ("2019-09-21 10:05 稿源：某某日报", [("source", "某某日报")]),
])
def test_parse_labels(line, expected):
    assert [(k, v) for k, _lab, v in by.parse_labels(line)] == expected


def test_source_takes_the_outlet_not_ui_words():
    (_k, _l, v), = by.parse_labels("2024-05-22 07:16:06 来源: 鞭牛士 北京 举报")
    assert by.clean_source(v) == "鞭牛士"


@pytest.mark.parametrize("value,names", [
    ("余毅菁 向雪妮返回富达，查看更多", ["余毅菁", "向雪妮"]),
    ("方敏北京大学经济学院教授", ["方敏"]),
    ("未知", []),
    ("佚名", []),
    ("网络整理", []),
    ("王之言 高孜然", ["王之言", "高孜然"]),
    ("邹多为、唐诗凝、丁乐", ["邹多为", "唐诗凝", "丁乐"]),
    ("︱小安", ["小安"]),  # a separator after the label is not part of the name
    ("文/刘玺东 图/易赛楠", ["刘玺东"]),  # the photographer is no writer
])
def test_clean_people(value, names):
    assert by.clean_people(value) == names


@pytest.mark.parametrize("value,editor", [
    ("李曦_NN2587", "李曦"),
    ("NF042", "NF042"),
    ("biaoffeng", "biaoffeng"),
    ("汤诗瑶、丁涛", "汤诗瑶、丁涛"),
    ("Demi Xia", "Demi Xia"),
    ("园区投稿01", "园区投稿01"),
])
def test_clean_editor_drops_staff_codes_only(value, editor):
    assert by.clean_editor(value) == editor


@pytest.mark.parametrize("line,names", [
    ("新华社记者邹多为、唐诗凝、丁乐", ["邹多为", "唐诗凝", "丁乐"]),
    ("澎湃新闻记者 贺梨萍", ["贺梨萍"]),
    ("新京报记者 彭冲 山东冠县报道", ["彭冲"]),
    ("记者从市政府获悉，今年园区产值增长较快，预计全年将突破千亿元大关。", []),
])
def test_byline(line, names):
    assert by.byline_author(line) == names


@pytest.mark.parametrize("line,names", [
    ("全年将突破千亿元。（记者 胡晓蓉）", ["胡晓蓉"]),
    ("活动取得圆满成功。(文/图 刘玺东 易赛楠)", ["刘玺东", "易赛楠"]),
    ("电价面临上涨压力。（姚峰 上海报道）", ["姚峰"]),
    ("(信报记者 蔡雪婧)", ["蔡雪婧"]),
    ("这是一个普通的句子（见附件）。", []),
])
def test_trailing_credit(line, names):
    assert by.trailing_author(line) == names


def test_dateline_credit():
    assert by.dateline_author("新华社北京5月9日电（记者邹伟）国务院新闻办公室9日举行发布会") == ["邹伟"]


def test_generic_sources_and_places():
    assert by.is_generic_source("转载文章")
    assert by.is_generic_source("澎湃新闻·澎湃号·政务")
    assert not by.is_generic_source("新闻晨报")
    assert by.is_place("内蒙古自治区")
    assert by.clean_source("福建") is None


@pytest.mark.parametrize("line,names", [
    ("本报讯（记者 王芳 通讯员 李明）近日，园区召开大会。", ["王芳"]),
    ("中国网园区讯（记者 张三、李四）5月9日，经开区举行签约仪式。", ["张三", "李四"]),
    ("本站讯（职工通讯员 李琴雯 刘会）近日，我院举办比赛。", []),
])
def test_xun_dateline(line, names):
    assert by.dateline_author(line) == names


@pytest.mark.parametrize("line,expected", [
    ("文 | 张三 李四", [("author", "张三 李四")]),
    ("□记者 张三", [("author", "张三")]),
])
def test_labels_with_symbols_and_pipes(line, expected):
    assert [(k, v) for k, _lab, v in by.parse_labels(line)] == expected


def test_byline_stops_at_correspondents():
    assert by.byline_author("■本报记者 王芳 通讯员 李明") == ["王芳"]
