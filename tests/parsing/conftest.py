from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_cases() -> list[Path]:
    return sorted(p.parent for p in FIXTURES.glob("*/*/body.html"))


def load_case(case: Path):
    resp = json.loads((case / "response.json").read_text(encoding="utf-8"))
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    body = (case / "body.html").read_bytes()
    fetched = datetime.fromisoformat(resp.get("fetched_at", "2024-05-20T12:00:00+08:00"))
    return resp, body, fetched, expected


@pytest.fixture
def fetched_at():
    return datetime.fromisoformat("2024-05-20T12:00:00+08:00")
