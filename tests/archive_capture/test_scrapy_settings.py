"""The capture settings through `scrapy crawl -s`: operator in warcinfo, rotation at a size limit
during a real crawl (every file valid, every capture readable), and PARKNEWS_WARC=0."""
import os
import subprocess
import sys

from warcio.archiveiterator import ArchiveIterator

from archive.warc import read_record
from crawler.demo.server import SiteServer
from crawler.demo.site import build_demo_site
from pn_testing import ROOT

from archive_capture._helpers import db_of, warc_files, warcio_check


def _scrapy(base, db, *settings):
    args = [sys.executable, "-m", "scrapy", "crawl", "site", "-a", "site=demo", "-a", f"base_url={base}",
            "-s", f"PARKNEWS_DB={db}", "-s", "LOG_LEVEL=ERROR", "-s", "PARKNEWS_INCREMENTAL=0"]
    for s in settings:
        args += ["-s", s]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_operator_rotation_and_switch(tmp_path):
    site = build_demo_site()
    with SiteServer(dict(site.pages)) as srv:
        proc = _scrapy(srv.base_url, tmp_path / "a.db", "PARKNEWS_OPERATOR=Jane Doe <jane@example.org>",
                       "PARKNEWS_WARC_MAX_SIZE=60000", f"PARKNEWS_WARC_DIR={tmp_path / 'arch'}")
        assert proc.returncode == 0, proc.stderr[-3000:]
        (tmp_path / "off").mkdir()
        off = _scrapy(srv.base_url, tmp_path / "off" / "b.db", "PARKNEWS_WARC=0")
        assert off.returncode == 0, off.stderr[-3000:]
    files = warc_files(tmp_path / "arch")
    assert len(files) >= 3
    assert warcio_check(files).returncode == 0
    for f in files:
        with open(f, "rb") as fh:
            info = next(iter(ArchiveIterator(fh)))
            assert info.rec_type == "warcinfo"
            assert b"operator: Jane Doe <jane@example.org>" in info.content_stream().read()
    db = db_of(tmp_path / "a.db")
    rows = list(db.execute_returning_dicts("SELECT * FROM captures"))
    assert len({r["warc_file"] for r in rows}) >= 2
    for row in rows:
        assert read_record(tmp_path / "arch", row["warc_file"], row["offset"], row["length"]).record_id == row["record_id"]
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == site.expected["stored_count"]
    # switched off: no WARC folder, no captures, the crawl itself unchanged
    assert not (tmp_path / "off" / "b.warc").exists()
    off_db = db_of(tmp_path / "off" / "b.db")
    assert off_db["captures"].count == 0
    assert off_db.execute("SELECT count(*) FROM articles").fetchone()[0] == site.expected["stored_count"]
