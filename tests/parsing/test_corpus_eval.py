"""The generic parser against the shared development corpus (skipped when it is absent)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from crawler.evaluate import TARGETS, evaluate_corpus, format_misses, format_table, load_truth

REPO = Path(__file__).resolve().parents[2]
# PARKNEWS_CORPUS points a checkout that does not sit beside ../shared (a worktree) at the corpus.
CORPUS = Path(os.environ.get("PARKNEWS_CORPUS") or REPO.parent / "shared" / "corpus")


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
    assert data["pages"] == result.pages == len(load_truth(CORPUS))  # the corpus grows: count its truth
    assert set(data["scores"]) == set(TARGETS)
    assert result.failed_targets() == []
