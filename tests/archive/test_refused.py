"""refused_pages rows: recorded again on a later refusal, marked recovered when the URL is stored."""
from archive import refused
from archive.store import Archive
from crawler.items import Record


def test_refused_again_keeps_first_seen_and_counts(tmp_path):
    archive = Archive(tmp_path / "a.db")
    url = "http://x.example/a/1.html"
    archive.record_refused(url, site="x", reason="list_page", detail="24 of 46 lines", parser_version="1.0",
                           capture=None, seen_at="2026-01-01T00:00:00+00:00")
    archive.record_refused(url, site="x", reason="no_title", parser_version="1.1", capture=None,
                           seen_at="2026-01-02T00:00:00+00:00")
    archive.flush()
    row = next(archive.db.query("SELECT * FROM refused_pages"))
    assert row["first_seen"].startswith("2026-01-01") and row["last_seen"].startswith("2026-01-02")
    assert row["times_refused"] == 2 and row["reason"] == "no_title" and row["parser_version"] == "1.1"
    assert refused.counts(archive.db) == {"refused": 1, "recovered": 0, "reasons": {"no_title": 1}}
    assert refused.counts(archive.db, "other") == {"refused": 0, "recovered": 0, "reasons": {}}
    # a later crawl stores the URL as an article: the refusal is recovered
    rec = Record(url=url, title="标题", body_text="园区新闻正文。", site="x")
    saved = archive.save(rec)
    archive.flush()
    row = next(archive.db.query("SELECT * FROM refused_pages"))
    assert row["recovered_article_id"] == saved.article_id and row["recovered_at"]
    assert refused.counts(archive.db) == {"refused": 0, "recovered": 1, "reasons": {}}
    assert refused.format_counts(refused.counts(archive.db)) == "0, 1 recovered"
    assert refused.pending(archive.db) == []
    archive.close()
