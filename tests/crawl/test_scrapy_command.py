"""`scrapy crawl` from the project root runs the same spiders and pipelines as the CLI."""
import shutil
import subprocess
import sys

import pytest
import sqlite_utils

from pn_testing import ROOT


@pytest.mark.skipif(shutil.which("scrapy") is None and sys.executable is None, reason="scrapy not on PATH")
def test_scrapy_crawl_site_from_project_root(local_server, tmp_path):
    db = tmp_path / "scrapy.db"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "site", "-a", "site=demo", "-a", f"base_url={local_server.base_url}",
         "-s", f"PARKNEWS_DB={db}", "-s", "LOG_LEVEL=WARNING"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sqlite_utils.Database(str(db))["articles"].count == local_server.site.expected["stored_count"]
