"""Snippets show the stored text with the query's terms marked, and a hit only in the title is
marked in the title (issue 15: 3+ character terms were cut from the NFKC form, `，` shown as `,`,
and title-only hits had no marks anywhere)."""
from __future__ import annotations

import pytest

from archive import search as S
from archive.store import Archive
from crawler.items import Record
from crawler.parsing.keys import content_hash


def rec(n: int, title: str, body: str) -> Record:
    return Record(url=f"http://www.sipac.example.cn/news/{n}.html", site="sipac", title=title,
                  body_text=body, source="管委会", published_at=f"2024-05-0{n}", content_hash=content_hash(body))


@pytest.fixture
def archive(tmp_path):
    arc = Archive(tmp_path / "archive.db")
    arc.save(rec(1, "２０２４年园区经济运行平稳",
                 "上半年，园区实现地区生产总值１２００亿元，同比增长５．２％。２０２４年，园区将继续推进改革。"))
    arc.save(rec(2, "集成电路产业集群加快成势", "今年以来，新签约项目１２０个，总投资超过百亿元。"))
    arc.flush()
    yield arc
    arc.close()


def test_a_term_found_in_the_normalised_form_is_marked_in_the_stored_text(archive):
    hit, = S.search(archive.db, "2024年")
    assert "[２０２４年]" in hit.snippet, hit.snippet
    assert "，" in hit.snippet and "," not in hit.snippet, hit.snippet  # stored punctuation kept
    assert "．" in hit.snippet  # the stored full-width digits, not 5.2%
    assert hit.marked_title == "[２０２４年]园区经济运行平稳"


def test_a_hit_only_in_the_title_is_marked_there(archive):
    hit, = S.search(archive.db, "集成电路")
    assert hit.marked_title == "[集成电路]产业集群加快成势"
    assert hit.title == "集成电路产业集群加快成势"  # the plain title stays as stored
    assert hit.snippet.startswith("今年以来，新签约"), hit.snippet


def test_highlight_marks_compatibility_forms_and_case():
    assert S.highlight("ＡＢＣ园区 abc", ["abc"]) == "[ＡＢＣ]园区 [abc]"
    assert S.highlight("无锡高新区", ["高新", "新区"]) == "无锡[高新区]"
    assert S.highlight("", ["园区"]) == ""


def test_the_cli_table_marks_the_title(archive, tmp_path):
    from pn_testing import run_cli

    result = run_cli("search", "集成电路", "--db", tmp_path / "archive.db")
    assert result.code == 0, result
    assert "[集成电路]产业集群" in result.stdout, result.stdout
