"""`parknews parse --explain`: the ranked candidates of each field and how the value was chosen."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from crawler.cli import cli
from crawler.parsing import parse_page
from crawler.parsing.explain import Trace

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "issue9"
FETCHED = datetime.fromisoformat("2024-05-20T12:00:00+08:00")


def test_trace_ranks_the_chosen_value_first():
    body = (FIX / "byline-editor-paren" / "body.html").read_bytes()
    trace = Trace()
    rec = parse_page("http://www.example-prov.cn/news/20210314/8899.html", None, body, FETCHED, trace=trace)
    for field in ("title", "published_at", "source", "author", "editor"):
        assert trace.ranked(field), field
        assert trace.ranked(field)[0].value == getattr(rec, field), field
    # the URL date is a candidate too, ranked below the header's date with its time
    dates = [(c.value, c.method) for c in trace.ranked("published_at")]
    assert dates[0] == ("2021-03-14T08:30+08:00", "text") and ("2021-03-14", "url") in dates
    assert trace.ranked("body")[0].value.startswith("<div")
    assert trace.ranked("is_article")[0].value == "keep"


def test_parse_without_trace_is_unchanged():
    body = (FIX / "byline-editor-paren" / "body.html").read_bytes()
    a = parse_page("http://www.example-prov.cn/news/20210314/8899.html", None, body, FETCHED)
    b = parse_page("http://www.example-prov.cn/news/20210314/8899.html", None, body, FETCHED, trace=Trace())
    assert a.to_dict() == b.to_dict()


def test_cli_explain_prints_every_field():
    res = CliRunner().invoke(cli, ["parse", str(FIX / "dateline-names-editor-lenticular" / "body.html"), "--explain",
                                   "--url", "http://www.example-xinhua.cn/local/2019-06/03/c_1124578.htm",
                                   "--fetched-at", "2024-05-20T12:00:00+08:00"])
    assert res.exit_code == 0, res.output
    out = res.output
    for head in ("title:", "published_at:", "source:", "author:", "editor:", "body:", "sections:", "is_article:"):
        assert head in out
    assert "author: '吴迪 郑凯' (found by text)" in out
    assert " 1. " in out


def test_cli_explain_on_a_refused_page_says_why(tmp_path):
    items = "".join(f"<li><a href='/news/{i}.html'>高新区召开第{i}次企业服务工作推进会议</a></li>" for i in range(30))
    page = tmp_path / "list.html"
    page.write_text(f"<html><head><title>园区动态</title></head><body><h2>园区动态</h2><ul>{items}</ul></body></html>",
                    encoding="utf-8")
    res = CliRunner().invoke(cli, ["parse", str(page), "--explain", "--url", "http://park.example.cn/news/"])
    assert res.exit_code == 1
    assert "refuse (list_page)" in res.output
