"""archive.runs.usual_coverage (what a run's field coverage is compared with) and the archive's
one timestamp format (archive.clock.now_iso)."""
from datetime import datetime, timezone

from archive import runs
from archive.clock import now_iso


def _run(new, **cover):
    return {"articles_new": new, "coverage": cover}


def test_usual_coverage_is_the_median_of_runs_that_stored_enough():
    recent = [_run(10, date=0.9, body=1.0), _run(5, date=0.7, body=None), _run(2, date=0.0, body=0.0),
              _run(8, date=0.8, body=0.5)]
    usual = runs.usual_coverage(recent, 3)
    assert usual["date"] == 0.8  # the run with 2 new records is left out
    assert usual["body"] == 0.75  # None (not measured) is left out too
    assert usual["author"] is None and usual["source"] is None
    assert set(usual) == set(runs.COVERAGE_FIELDS)
    assert runs.usual_coverage(recent, 20) == dict.fromkeys(runs.COVERAGE_FIELDS)
    assert runs.usual_coverage([], 0) == dict.fromkeys(runs.COVERAGE_FIELDS)


def test_now_iso_is_utc_to_the_second():
    text = now_iso()
    when = datetime.fromisoformat(text)
    assert when.tzinfo is not None and when.utcoffset().total_seconds() == 0 and when.microsecond == 0
    assert abs((datetime.now(timezone.utc) - when).total_seconds()) < 5
    assert text.endswith("+00:00")
