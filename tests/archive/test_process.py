"""archive.process.process_record: every outcome of one record, on a real SQLite archive file."""
import dataclasses
import json
from pathlib import Path

import pytest

from archive.process import Outcome, process_record
from archive.store import ARTICLE_COLUMNS, COMPARED_COLUMNS, JSON_COLUMNS, Archive
from crawler.parsing.record import COMPARED_FIELDS, JSON_FIELDS, PARSED_FIELDS, RECORD_FIELDS, Record

ROOT = Path(__file__).resolve().parents[2]
BODY = "临江经开区今日举行重点项目集中签约仪式，共签约项目十二个，总投资八十亿元。\n项目涵盖新能源、新材料等领域。"


def rec(n=1, body=BODY, **kw):
    kw.setdefault("title", f"临江经开区签约仪式{n}")
    return Record(url=f"http://lj.example/a/{n}.html", site="lj", body_text=body,
                  fetched_at="2024-06-18T01:00:00+00:00", **kw)


CAPTURE = {"url": "http://lj.example/a/1.html", "warc_file": "lj-1.warc.gz", "offset": 0, "length": 10,
           "record_id": "<urn:uuid:1>", "record_type": "response", "status": 200,
           "fetched_at": "2024-06-18T01:00:00+00:00"}


@pytest.fixture
def archive(tmp_path):
    arc = Archive(tmp_path / "a.db")
    yield arc
    arc.close()


def rows(arc, sql, params=()):
    arc.flush()
    return list(arc.db.query(sql, params))


def test_new_then_unchanged_then_updated_writes_a_version(archive):
    first = process_record(rec(title="  临江经开区\u3000签约仪式 "), CAPTURE, archive, run_id=None)
    assert first == Outcome("new", first.article_id)
    [row] = rows(archive, "SELECT title, content_hash FROM articles")
    assert row["title"] == "临江经开区 签约仪式" and row["content_hash"]  # normalised before storing
    again = process_record(rec(title="临江经开区 签约仪式"), dict(CAPTURE, record_id="<urn:uuid:2>"), archive)
    assert again.kind == "unchanged" and again.article_id == first.article_id
    edited = process_record(rec(title="临江经开区 签约仪式", body=BODY + "\n更正：总投资八十五亿元。"),
                            dict(CAPTURE, record_id="<urn:uuid:3>"), archive)
    assert edited.kind == "updated" and edited.article_id == first.article_id
    assert edited.changed == ("body_text",)
    [version] = rows(archive, "SELECT * FROM article_versions")
    assert version["body_text"] == BODY and json.loads(version["changed"]) == ["body_text"]
    assert len(rows(archive, "SELECT * FROM captures WHERE article_id = ?", [first.article_id])) == 3


def test_copy_at_another_url_is_a_duplicate_of_the_stored_article(archive):
    first = process_record(rec(1), None, archive)
    copy = process_record(rec(2, title="转载：签约仪式"), None, archive)
    assert (copy.kind, copy.article_id, copy.how, copy.copy) == ("duplicate", first.article_id, "content_hash", True)
    assert [r["url"] for r in rows(archive, "SELECT url FROM article_urls ORDER BY url")] == [
        "http://lj.example/a/1.html", "http://lj.example/a/2.html"]
    assert len(rows(archive, "SELECT id FROM articles")) == 1


@pytest.mark.parametrize("change,reason,detail", [
    ({"title": " "}, "no_title", ""),
    ({"body_text": ""}, "no_body", ""),
    ({"published_at": "2024年6月18日"}, "invalid_date", "2024年6月18日"),
    ({"url": "ftp://lj.example/a/1.html"}, "invalid_url", "'ftp://lj.example/a/1.html'"),
])
def test_refused_record_is_recorded_with_its_capture(archive, change, reason, detail):
    record = dataclasses.replace(rec(), **change)
    outcome = process_record(record, CAPTURE, archive, run_id=7)
    assert outcome == Outcome("refused", reason=reason, detail=detail)
    [row] = rows(archive, "SELECT * FROM refused_pages")
    assert (row["url"], row["reason"], row["detail"] or "", row["last_run_id"]) == (record.url, reason, detail, 7)
    [cap] = rows(archive, "SELECT * FROM captures WHERE id = ?", [row["capture_id"]])
    assert cap["article_id"] is None and cap["record_id"] == CAPTURE["record_id"]
    assert rows(archive, "SELECT id FROM articles") == []


def test_reparse_refusal_is_returned_not_recorded(archive):
    stored = process_record(rec(), None, archive)
    outcome = process_record(rec(title=""), None, archive, reparse_of=stored.article_id)
    assert (outcome.kind, outcome.reason) == ("refused", "no_title")
    assert rows(archive, "SELECT * FROM refused_pages") == []
    assert rows(archive, "SELECT title FROM articles WHERE id = ?", [stored.article_id])[0]["title"]


def test_reparse_compares_every_parsed_field_and_keeps_the_url_unseen(archive):
    stored = process_record(rec(), None, archive, seen_at="2024-06-18T01:00:00+00:00")
    newer = rec(parser_version="2.0")
    # a re-fetch compares the text, title, date, credits and images only
    assert process_record(rec(parser_version="2.0"), None, archive, seen_at="2024-06-19T00:00:00+00:00").kind == "unchanged"
    out = process_record(newer, None, archive, reparse_of=stored.article_id, seen_at="2024-06-20T00:00:00+00:00")
    assert (out.kind, out.changed) == ("updated", ("parser_version",))
    [url] = rows(archive, "SELECT last_seen FROM article_urls")
    assert url["last_seen"] == "2024-06-19T00:00:00+00:00"  # the re-parse is not a visit
    assert rows(archive, "SELECT parser_version FROM articles")[0]["parser_version"] == "2.0"
    assert stored.article_id == out.article_id


def test_column_lists_are_the_record_fields():
    names = [f.name for f in dataclasses.fields(Record)]
    assert list(RECORD_FIELDS) == names and ARTICLE_COLUMNS == RECORD_FIELDS
    assert COMPARED_COLUMNS == COMPARED_FIELDS and JSON_COLUMNS == JSON_FIELDS
    assert set(RECORD_FIELDS) - set(PARSED_FIELDS) == {"url", "fetched_at", "attachment_text"}  # attachment_text: filled by the crawl, kept by reparse
    assert set(COMPARED_FIELDS) < set(PARSED_FIELDS)
    assert set(JSON_FIELDS) == {n for n in names if isinstance(getattr(Record(url="u"), n), (list, dict))}


def test_record_schema_names_every_record_field():
    schema = json.loads((ROOT / "archive" / "record.schema.json").read_text(encoding="utf-8"))
    extra = ["id", "first_seen", "updated_at"]  # the archive's, not the record's
    assert set(schema["properties"]) == set(RECORD_FIELDS) | set(extra)
    assert [n for n in schema["required"] if n not in extra] == list(RECORD_FIELDS)
    for name in JSON_FIELDS:
        kind = schema["properties"][name].get("type")
        assert kind in ("array", "object") or set(kind or ()) & {"array", "object"}, name
