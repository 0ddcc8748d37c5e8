"""The generic parser against the shared development corpus (skipped when it is absent)."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.evaluate import TARGETS, evaluate_corpus, format_misses, format_table

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="module")
def result():
    if not (CORPUS / "truth.jsonl").exists():
        pytest.skip(f"development corpus not found at {CORPUS}")
    return evaluate_corpus(CORPUS)


@pytest.mark.parametrize("field", list(TARGETS))
def test_target(result, field):
    assert result.scores[field] >= TARGETS[field], format_table(result) + "\n" + format_misses(result, field)


def test_no_page_raises(result):
    assert result.errors == {}


def test_result_shapes(result):
    data = result.to_json()
    assert data["pages"] == result.pages == 55
    assert set(data["scores"]) == set(TARGETS)
    assert result.failed_targets() == []
