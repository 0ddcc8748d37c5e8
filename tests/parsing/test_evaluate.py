from __future__ import annotations

import json

from crawler.evaluate import bigram_f1, evaluate_corpus, format_misses, format_table, score_date
from crawler.items import Record


def test_bigram_f1():
    assert bigram_f1("园区新闻", "园区新闻") == 1.0
    assert bigram_f1("", "") == 1.0
    assert bigram_f1("abc", "") == 0.0
    assert 0 < bigram_f1("园区新闻发布", "园区新闻") < 1


def test_score_date_rules():
    assert score_date("2024-05-09T22:30+08:00", {"published": "2024-05-09 22:30"}) == (1.0, 1.0)
    assert score_date("2024-05-09", {"published": "2024-05-09 22:30"}) == (1.0, 0.0)
    assert score_date(None, {"published": "", "published_raw": ""}) == (1.0, None)
    assert score_date("2024-05-09", {"published": "", "published_raw": ""}) == (0.0, None)
    assert score_date("2025-01-14T17:58+08:00", {"published": "", "published_raw": "01-14 17:58"}) == (1.0, None)


def test_a_page_that_raises_misses_every_field(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "p1.html").write_bytes(b"<html></html>")
    truth = {"id": "p1", "url": "http://x/", "title": "T", "published": "2024-01-01 10:00", "author": "",
             "editor": "", "source": "", "body_text": "正文", "section_headings": ["一"]}
    (tmp_path / "truth.jsonl").write_text(json.dumps(truth, ensure_ascii=False) + "\n", encoding="utf-8")

    def boom(*a, **k):
        raise RuntimeError("bad page")

    r = evaluate_corpus(tmp_path, parse=boom)
    assert r.pages == 1 and "p1" in r.errors
    assert all(v == 0.0 for v in r.scores.values())
    assert "bad page" in format_misses(r, "title")
    assert "BELOW" in format_table(r)


def test_perfect_parse(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "p1.html").write_bytes(b"<html></html>")
    truth = {"id": "p1", "url": "http://x/", "title": "标题", "published": "2024-01-01 10:00", "author": "张三 李四",
             "editor": "王五", "source": "某报", "body_text": "一\n正文内容", "section_headings": ["一"]}
    (tmp_path / "truth.jsonl").write_text(json.dumps(truth, ensure_ascii=False) + "\n", encoding="utf-8")

    def perfect(url, headers, body, fetched_at, **kw):
        return Record(url=url, title="标 题", published_at="2024-01-01T10:00+08:00", author="李四、张三",
                      editor="王五", source="某报", body_text="一\n正文内容",
                      sections=[{"heading": "一", "paragraphs": ["正文内容"]}])

    r = evaluate_corpus(tmp_path, parse=perfect)
    assert r.failed_targets() == []
    assert r.to_json()["scores"]["title"] == 1.0
