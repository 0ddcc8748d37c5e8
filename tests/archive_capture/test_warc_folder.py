"""The WARC folder of a database: named after it (one default, made in one place), and one
option name for it on every command."""
import sqlite3
from pathlib import Path

import pytest

from archive.warc import warc_dir_for

from pn_testing import run_cli


def test_default_folder_is_named_after_the_database(tmp_path):
    assert warc_dir_for(tmp_path / "news.db") == tmp_path / "news.warc"
    assert warc_dir_for(tmp_path / "archive.sqlite3") == tmp_path / "archive.warc"
    assert warc_dir_for(tmp_path / "plain") == tmp_path / "plain.warc"
    assert warc_dir_for(tmp_path / "odd.warc") == tmp_path / "odd.warc.warc"  # never the file itself
    # two databases in one folder never share a WARC folder
    assert warc_dir_for(tmp_path / "a.db") != warc_dir_for(tmp_path / "b.db")
    # a folder given (--warc-dir, PARKNEWS_WARC_DIR) is the folder, as given
    assert warc_dir_for(tmp_path / "news.db", "elsewhere") == Path("elsewhere")
    assert warc_dir_for(tmp_path / "news.db", None) == warc_dir_for(tmp_path / "news.db", "")


def test_the_crawl_reads_the_folder_setting_and_its_old_name(tmp_path):
    from scrapy.settings import Settings

    from crawler.capture import warc_dir

    def folder(**values):
        settings = Settings()
        settings.setmodule("crawler.settings", priority="project")
        settings.setdict({"PARKNEWS_DB": str(tmp_path / "news.db"), **values}, priority="cmdline")
        return warc_dir(settings)

    assert folder() == tmp_path / "news.warc"
    assert folder(PARKNEWS_WARC_DIR=str(tmp_path / "w")) == tmp_path / "w"
    assert folder(PARKNEWS_ARCHIVE_DIR=str(tmp_path / "old")) == tmp_path / "old"
    assert folder(PARKNEWS_WARC_DIR=str(tmp_path / "w"), PARKNEWS_ARCHIVE_DIR=str(tmp_path / "old")) == tmp_path / "w"


def _db_with_capture(path, warc_file):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE captures (id INTEGER PRIMARY KEY, warc_file TEXT)")
    conn.execute("INSERT INTO captures (warc_file) VALUES (?)", [warc_file])
    conn.commit()
    conn.close()


def test_a_database_whose_files_are_in_the_old_shared_folder_keeps_it(tmp_path):
    (tmp_path / "warc").mkdir()
    (tmp_path / "warc" / "demo-20240101T000000Z-1.warc.gz").write_bytes(b"x")
    _db_with_capture(tmp_path / "old.db", "demo-20240101T000000Z-1.warc.gz")
    assert warc_dir_for(tmp_path / "old.db") == tmp_path / "warc"
    # another database in the same folder (new, or with its files elsewhere) gets its own
    assert warc_dir_for(tmp_path / "new.db") == tmp_path / "new.warc"
    _db_with_capture(tmp_path / "other.db", "demo-20990101T000000Z-1.warc.gz")
    assert warc_dir_for(tmp_path / "other.db") == tmp_path / "other.warc"
    # once NAME.warc/ exists (the files were moved), that is the folder
    (tmp_path / "old.warc").mkdir()
    assert warc_dir_for(tmp_path / "old.db") == tmp_path / "old.warc"


@pytest.mark.parametrize("command", ["crawl", "demo", "reparse", "export"])
def test_one_option_name_for_the_warc_folder(command):
    result = run_cli(command, "--help")
    assert result.code == 0, result
    assert "--warc-dir DIR" in result.stdout and "NAME.warc/" in result.stdout, result.stdout
    assert "--archive" not in result.stdout  # the old name still works, unlisted


def test_the_old_option_name_still_works(tmp_path):
    db = tmp_path / "x.db"
    for option in ("--archive", "--warc-dir"):
        result = run_cli("reparse", "--db", db, option, tmp_path / "w")
        # no such database: the option itself was accepted
        assert "no such option" not in result.stderr.lower(), result
