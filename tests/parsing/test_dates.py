from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawler.parsing import dates as dt

CST = timezone(timedelta(hours=8))
FETCHED = datetime(2024, 5, 20, 12, 0, tzinfo=CST)


@pytest.mark.parametrize("text,iso", [
    ("2022年4月6日 10:30", "2022-04-06T10:30+08:00"),
    ("2022-04-06 09:12:33", "2022-04-06T09:12:33+08:00"),
    ("2022.01.20 16:31", "2022-01-20T16:31+08:00"),
    ("2024/5/13", "2024-05-13"),
    ("2022-04-06", "2022-04-06"),
    ("二〇二二年四月六日", "2022-04-06"),
    ("二〇二一年十二月三十一日", "2021-12-31"),
    ("2005年3月11日12:12", "2005-03-11T12:12+08:00"),
    ("2005.08.2605:39", "2005-08-26T05:39+08:00"),
    ("2021-1-29 13:18", "2021-01-29T13:18+08:00"),
    ("06/02/2022 - 13:48", "2022-02-06T13:48+08:00"),
    ("2023 | 11/ 17 | 20:52:15", "2023-11-17T20:52:15+08:00"),
    ("2019-09-21T10:05:00", "2019-09-21T10:05:00+08:00"),  # ISO 8601 shown as text
    ("2019-09-21 Tom 10:05", "2019-09-21"),  # a word between: the time is not the date's
    ("2012年12月10日, 格林尼治标准时间10:41", "2012-12-10T10:41+00:00"),
])
def test_absolute_shapes(text, iso):
    assert dt.parse_date(text, FETCHED) == iso


@pytest.mark.parametrize("text,iso", [
    ("5月20日", "2024-05-20"),
    ("01-14 17:58", "2024-01-14T17:58+08:00"),
    ("12月30日", "2023-12-30"),  # later than the fetch date: last year
    ("3小时前", "2024-05-20T09:00+08:00"),
    ("30分钟前", "2024-05-20T11:30+08:00"),
    ("2天前", "2024-05-18"),
    ("昨天 14:20", "2024-05-19T14:20+08:00"),
    ("昨天", "2024-05-19"),
    ("前天 08:05", "2024-05-18T08:05+08:00"),
    ("刚刚", "2024-05-20T12:00+08:00"),
])
def test_relative_and_yearless(text, iso):
    assert dt.parse_date(text, FETCHED) == iso


def test_yearless_uses_url_year():
    assert dt.parse_date("5月20日", FETCHED, url_year=2019) == "2019-05-20"


def test_relative_uses_fetch_time_not_wall_clock():
    other = datetime(2020, 1, 1, 8, 0, tzinfo=CST)
    assert dt.parse_date("昨天 10:00", other) == "2019-12-31T10:00+08:00"


def test_time_behind_a_label_is_not_the_dates_time():
    assert dt.parse_date("日期：2022-04-06 来源：某报 13:00", FETCHED) == "2022-04-06"


def test_labelled_dates_and_update_labels():
    text = "2019-09-07 15:10:53 来源：EETOP 最后更新: 2019-09-07 15:14:21"
    labelled = dt.labelled_dates(text, FETCHED)
    assert [(lab, f.iso) for lab, f in labelled] == [("最后更新", "2019-09-07T15:14:21+08:00")]
    assert dt.is_update_label("最后更新")
    assert not dt.is_update_label("发布时间")


def test_labelled_run_together():
    labelled = dt.labelled_dates("时间:2022-04-06来源 : 中国网园区作者 : 孟丽伟", FETCHED)
    assert [(lab, f.iso) for lab, f in labelled] == [("时间", "2022-04-06")]


def test_comment_times_are_not_publication_labels():
    assert dt.labelled_dates("评论时间：2024-05-01 10:00", FETCHED) == []


@pytest.mark.parametrize("value,iso", [
    ("2022-04-06 10:12:33.0", "2022-04-06T10:12:33+08:00"),
    ("2022-02-06T12:48:06+00:00", "2022-02-06T20:48:06+08:00"),
    ("2024-05-13T10:20:00Z", "2024-05-13T18:20:00+08:00"),
    ("2024-05-13", "2024-05-13"),
    ("1659274471", "2022-07-31T21:34:31+08:00"),
])
def test_meta_dates(value, iso):
    assert dt.parse_meta_date(value, FETCHED) == iso


@pytest.mark.parametrize("url,iso", [
    ("http://www.china.com.cn/2024-05/13/content_1.htm", "2024-05-13"),
    ("http://gov.example.cn/art/t20240513_123.html", "2024-05-13"),
    ("http://x.example.com/news/20240513/1.shtml", "2024-05-13"),
    ("https://news.39.net/shx/240423/e7opdxr.html", "2024-04-23"),
    ("http://biz.163.com/41210/1/17867KR700020QBK.html", None),
])
def test_url_dates(url, iso):
    assert dt.url_date(url) == iso


def test_invalid_dates_are_rejected():
    assert dt.parse_date("2022-02-30", FETCHED) is None
    assert dt.parse_date("电话 2022-13-01", FETCHED) is None


def test_dateparser_fallback_is_only_a_fallback():
    assert dt.dateparser_fallback("no digits here") is None


def test_ambiguous_six_digit_url_part_is_not_a_date():
    assert dt.url_date("http://bynews.example.edu.cn/200502/article/2005-07/4651.htm") is None


def test_dateparser_fallback_for_meta_values():
    assert dt.parse_meta_date("Tue, 14 May 2024 10:20:00 GMT", FETCHED) == "2024-05-14T18:20+08:00"


def _page(script: str, meta_line: str = "") -> bytes:
    paras = "".join(f"<p>经开区第{k}批重点项目集中开工，涉及新能源、生物医药和先进制造等领域，总投资超过百亿元。</p>"
                    for k in range(1, 7))
    return (f"<html><head><title>经开区重点项目集中开工</title><script>{script}</script></head><body>"
            f"<div class='nav'><a href='/'>首页</a></div><h1>经开区重点项目集中开工</h1>{meta_line}"
            f"<div class='content'>{paras}</div></body></html>").encode("utf-8")


def _published(body: bytes):
    from crawler.parsing.generic import parse_page

    rec = parse_page("https://news.example.cn/a/20190907A081B0", {}, body,
                     datetime(2024, 1, 1, tzinfo=timezone.utc))
    return rec.published_at


def test_script_page_data_gives_the_time_when_the_page_shows_none():
    """A template filled by script (window.DATA = {..."pubtime": ...}): its one publication time
    is a candidate after the visible dates and the <meta> tags."""
    assert _published(_page('window.DATA = {"article_id": "x", "pubtime": "2019-09-07 19:02:26"};')) \
        == "2019-09-07T19:02:26+08:00"
    assert _published(_page("var publish_time = '2019-09-07 19:02';")) == "2019-09-07T19:02+08:00"
    # the visible labelled date wins over the script's
    assert _published(_page('var DATA = {"pubtime": "2019-09-07 19:02:26"};',
                            "<div class='info'>发布时间：2019-09-08 08:00 来源：某某网</div>")) == "2019-09-08T08:00+08:00"


def test_script_times_that_disagree_give_no_date():
    """Scripts that list related articles with their own times name no one publication time."""
    related = ('var related = [{"title": "甲", "pubtime": "2019-09-01 10:00"}, '
               '{"title": "乙", "pubtime": "2019-09-05 11:00"}];')
    assert _published(_page(related)) == "2019-09-07"  # from the URL, not a related article's
