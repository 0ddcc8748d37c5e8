"""A real archive for the reader tests: one crawl of the bundled sample site per test module,
plus one near copy (so a republished cluster exists) and one degraded run."""
import hashlib
import shutil

import pytest

from pn_testing import run_cli


def _add_near_copy_and_degraded_run(db_path):
    """Store a near copy of the republished demo article under another site (as a second crawl
    of a partner site would) and cluster it; add a crawl run marked degraded."""
    from archive import neardup
    from archive.db import open_db, transaction
    from archive.dedup import url_key

    db = open_db(db_path)
    src = db.execute(
        "SELECT id, title, published_at, body_text, sections FROM articles "
        "WHERE length(body_text) > 300 ORDER BY id LIMIT 1"
    ).fetchone()
    body = src[3]
    lines = body.split("\n")
    copy_body = "\n".join(lines[:-1] + ["（编者按：本文转载自示例站点。）"])
    url = "http://partner.example/yuanqu/copy-1.html"
    with transaction(db):
        cur = db.execute(
            "INSERT INTO articles (url, canonical_url, site, title, published_at, source, author, editor, sections, "
            "body_text, images, fetched_at, content_hash, extraction, warnings, parser_version, first_seen, updated_at) "
            "VALUES (?, ?, 'partner', ?, ?, '示例站点', NULL, NULL, '[]', ?, '[]', '2024-06-01T00:00:00+00:00', ?, "
            "'{}', '[]', '1.0', '2024-06-01T00:00:00+00:00', '2024-06-01T00:00:00+00:00')",
            [url, url, src[1] + "（转载）", src[2], copy_body, hashlib.sha256(copy_body.encode()).hexdigest()],
        )
        copy_id = cur.lastrowid
        db.execute(
            "INSERT INTO article_urls (url, url_key, article_id, site, first_seen, last_seen) VALUES (?, ?, ?, 'partner', "
            "'2024-06-01T00:00:00+00:00', '2024-06-01T00:00:00+00:00')", [url, url_key(url), copy_id],
        )
    neardup.backfill(db)
    cols = {r[1] for r in db.execute("PRAGMA table_info(crawl_runs)")}
    with transaction(db):
        if "degraded" in cols:
            db.execute("INSERT INTO crawl_runs (site, started_at, finished_at, status, degraded) VALUES "
                       "('demo', '2024-07-01T00:00:00+00:00', '2024-07-01T00:05:00+00:00', 'degraded', "
                       "'date share fell to 0% (usual 100%)')")
        else:
            db.execute("INSERT INTO crawl_runs (site, started_at, finished_at, status) VALUES "
                       "('demo', '2024-07-01T00:00:00+00:00', '2024-07-01T00:05:00+00:00', 'degraded')")
    db.close()
    return {"original_id": src[0], "copy_id": copy_id, "copy_url": url}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """{"db", "site" (DemoSite), "base", "copy": {...}} after a real crawl of the sample site."""
    from crawler.demo.server import SiteServer
    from crawler.demo.site import build_demo_site

    site = build_demo_site()
    folder = tmp_path_factory.mktemp("readers")
    db_path = folder / "archive.db"
    with SiteServer(dict(site.pages)) as srv:
        result = run_cli("crawl", "demo", "--base-url", srv.base_url, "--db", db_path, "--log-level", "WARNING")
        assert result.code == 0, result
        base = srv.base_url
    copy = _add_near_copy_and_degraded_run(db_path)
    return {"db": db_path, "site": site, "base": base, "copy": copy, "folder": folder}


@pytest.fixture
def fresh_copy(archive, tmp_path):
    """A private copy of the module's archive, for tests that change it."""
    dst = tmp_path / "copy.db"
    from archive.db import open_db

    src = open_db(archive["db"])
    src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    src.close()
    shutil.copy(archive["db"], dst)
    return dst
