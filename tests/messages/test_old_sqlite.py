"""parknews on an SQLite older than 3.43 (Debian 12's 3.40, when pysqlite3 is missing): the search
index cannot be read or written (contentless_delete), which used to be reported as "the database
is damaged" / "could not upgrade the schema". Now: one line naming both versions and the fix, exit
2, and the commands that need no index (show, stats) keep working."""
import sqlite3

import pytest

from pn_testing import ROOT, assert_one_line_error, run_cli

pytestmark = pytest.mark.skipif(sqlite3.sqlite_version_info >= (3, 43),
                                reason="the standard library's SQLite is 3.43 or later here")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("oldsqlite") / "demo.db"
    assert run_cli("demo", "--db", db).code == 0
    return db


@pytest.fixture(scope="module")
def old_sqlite_env(tmp_path_factory):
    """PYTHONPATH with a pysqlite3 that cannot be imported: sqlite-utils falls back to the
    standard library's older SQLite, as on a machine without pysqlite3-binary."""
    block = tmp_path_factory.mktemp("block") / "pysqlite3"
    block.mkdir()
    (block / "__init__.py").write_text('raise ImportError("pysqlite3 is not installed (test)")\n')
    return {"PYTHONPATH": f"{ROOT}:{block.parent}"}


def test_search_names_the_sqlite_versions(demo_db, old_sqlite_env):
    result = run_cli("search", "园区", "--db", demo_db, env=old_sqlite_env)
    assert_one_line_error(result, f"SQLite is {sqlite3.sqlite_version}", "3.43", "pysqlite3-binary")
    assert "damaged" not in result.stderr


def test_a_crawl_refuses_before_creating_anything(tmp_path, old_sqlite_env):
    db = tmp_path / "new.db"
    assert_one_line_error(run_cli("crawl", "demo", "--db", db, env=old_sqlite_env), "3.43", "pysqlite3-binary")
    assert not db.exists()


def test_commands_without_the_index_still_work(demo_db, old_sqlite_env):
    assert run_cli("show", "1", "--db", demo_db, env=old_sqlite_env).code == 0
    assert run_cli("stats", "--db", demo_db, env=old_sqlite_env).code == 0
