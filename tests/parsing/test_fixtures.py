"""One test per field per fixture page (tests/fixtures/<template>/<case>/)."""
from __future__ import annotations

import re
from functools import lru_cache

import pytest

from crawler.parsing import PARSER_VERSION, parse_page

from .conftest import fixture_cases, load_case

CASES = fixture_cases()


@lru_cache(maxsize=None)
def _parsed(case_dir: str):
    from pathlib import Path

    resp, body, fetched, expected = load_case(Path(case_dir))
    rec = parse_page(resp["url"], resp.get("headers") or None, body, fetched)
    return rec, expected


def _params():
    out = []
    for case in CASES:
        _resp, _body, _f, expected = load_case(case)
        for field in expected:
            out.append(pytest.param(str(case), field, id=f"{case.parent.name}/{case.name}:{field}"))
    return out


def _norm(s):
    return re.sub(r"\s+", "", s or "")


@pytest.mark.parametrize("case,field", _params())
def test_field(case, field):
    rec, expected = _parsed(case)
    want = expected[field]
    if field == "section_headings":
        assert [s["heading"] for s in rec.sections if s["heading"]] == want
    elif field == "body_text":
        assert [_norm(x) for x in rec.body_text.split("\n")] == [_norm(x) for x in want.split("\n")]
    elif field == "extraction":
        for k, v in want.items():
            assert rec.extraction.get(k) == v, (k, rec.extraction)
    elif field == "warnings":
        assert rec.warnings == want
    else:
        assert getattr(rec, field) == want


def test_fixtures_exist():
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", [str(c) for c in CASES], ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_record_invariants(case):
    from crawler.parsing.keys import content_hash

    rec, _expected = _parsed(case)
    assert rec.parser_version == PARSER_VERSION
    assert rec.content_hash == content_hash(rec.body_text)
    assert rec.fetched_at.endswith("+08:00")
    lines = rec.body_text.split("\n")
    flat = []
    for s in rec.sections:
        if s["heading"] is not None:
            flat.append(s["heading"])
        flat.extend(s["paragraphs"])
    assert flat == lines
    for img in rec.images:
        assert img["src"].startswith(("http://", "https://"))
    if rec.published_at:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d)?[+-]\d\d:\d\d)?", rec.published_at)
