"""retry_after_seconds (crawler/politeness.py): a 429/503 answer's Retry-After header as the
seconds BackoffRetryMiddleware waits before asking again."""
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from crawler.politeness import retry_after_seconds


@pytest.mark.parametrize("value, seconds", [
    (b"120", 120.0), ("0", 0.0), (" 30 ", 30.0), (b"3600", 3600.0),
])
def test_delta_seconds(value, seconds):
    assert retry_after_seconds(value) == seconds


def test_an_http_date_is_the_time_left_until_it():
    when = datetime.now(timezone.utc) + timedelta(seconds=90)
    got = retry_after_seconds(format_datetime(when, usegmt=True).encode("latin-1"))
    assert 85 <= got <= 90


def test_a_date_in_the_past_is_no_wait():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


@pytest.mark.parametrize("value", [None, b"", "", "soon", "-5", "1.5", "Wed, 99 Foo 2015"])
def test_absent_or_bad_values_are_none(value):
    assert retry_after_seconds(value) is None
