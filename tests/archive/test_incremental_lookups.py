"""The archive's public answers to an incremental crawl (archive.runs.known_url,
earlier_run_exists, validators; Archive.save_validators), on a real SQLite file."""
import sqlite3

from archive import runs
from crawler.parsing.keys import url_key
from archive.store import Archive
from crawler.items import Record

URL = "http://x.example/a/1.html"


def test_known_url_is_the_exact_url_or_a_dead_link(tmp_path):
    archive = Archive(tmp_path / "a.db")
    assert runs.known_url(archive.db, URL) == (False, None)
    archive.save(Record(url=URL, title="标题", body_text="园区新闻正文。", site="x"))
    archive.record_failure("http://x.example/a/2.html", site="x", status=404, reason="404", run_id=None)
    archive.record_failure("http://x.example/a/3.html", site="x", status=503, reason="503", run_id=None)
    archive.flush()
    known, first_seen = runs.known_url(archive.db, URL)
    assert known and first_seen
    assert runs.known_url(archive.db, URL + "?utm_source=x") == (False, None)  # another URL form
    assert runs.known_url(archive.db, "http://x.example/a/2.html") == (True, None)  # gone
    assert runs.known_url(archive.db, "http://x.example/a/3.html") == (False, None)  # may pass
    archive.close()


def test_earlier_run_exists(tmp_path):
    archive = Archive(tmp_path / "a.db")
    assert not runs.earlier_run_exists(archive.db, "x")
    first = archive.start_run("x")
    assert runs.earlier_run_exists(archive.db, "x")
    assert not runs.earlier_run_exists(archive.db, "x", before_id=first)
    second = archive.start_run("x")
    assert runs.earlier_run_exists(archive.db, "x", before_id=second)
    assert not runs.earlier_run_exists(archive.db, "y", before_id=second)
    archive.close()


def test_save_validators_is_batched_and_read_by_url_key(tmp_path):
    archive = Archive(tmp_path / "a.db", batch_size=1000, batch_seconds=1000)
    archive.save_validators(URL, '"v1"', None)
    archive.save_validators(URL, '"v2"', "Mon, 01 Jan 2024 00:00:00 GMT")  # the later response wins
    other = sqlite3.connect(tmp_path / "a.db")
    # in the open write batch, not committed one by one
    assert other.execute("SELECT count(*) FROM page_validators").fetchone()[0] == 0
    archive.flush()
    assert other.execute("SELECT count(*) FROM page_validators").fetchone()[0] == 1
    other.close()
    assert runs.validators(archive.db, url_key(URL)) == ('"v2"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert runs.validators(archive.db, url_key(URL + "?utm_source=x")) == ('"v2"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert runs.validators(archive.db, url_key("http://x.example/other.html")) == (None, None)
    archive.close()
