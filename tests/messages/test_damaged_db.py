"""A damaged or foreign database file is one line on stderr and exit 2 for every command (the
README's promise), never a traceback; read commands never write a schema into a file."""
import shutil
import sqlite3

import pytest

from pn_testing import assert_one_line_error, run_cli

READ_COMMANDS = [["show", "1"], ["stats"], ["status"], ["runs"], ["search", "园区"], ["export"],
                 ["export", "--format", "csv"]]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("damaged")
    db = folder / "good.db"
    result = run_cli("demo", "--db", db)
    assert result.code == 0, result
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every row in the main file
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return db


def damaged(archive, tmp_path, name, damage):
    path = tmp_path / f"{name}.db"
    shutil.copy(archive, path)
    data = bytearray(path.read_bytes())
    damage(data)
    path.write_bytes(bytes(data))
    return path


def bad_json(data):  # the stored sections/images JSON of every article no longer parses
    data[:] = data.replace(b'"paragraphs"', b"{{{{{{{{{{{{")


def bad_utf8(data):  # bytes that are not UTF-8 inside stored text
    data[:] = data.replace("园区".encode(), b"\xff\xfe\xff\xfe\xff\xfe")


def bad_pages(data):  # the header of every page holding article text overwritten (page 1 kept)
    text = "园区".encode()
    for n in range(1, len(data) // 4096):
        page = data[n * 4096:(n + 1) * 4096]
        if text in page:
            data[n * 4096:n * 4096 + 8] = b"\xee" * 8


@pytest.mark.parametrize("damage", [bad_json, bad_utf8, bad_pages], ids=["json", "utf8", "pages"])
def test_every_command_on_a_damaged_database_is_one_line(archive, tmp_path, damage):
    db = damaged(archive, tmp_path, damage.__name__, damage)
    failed = 0
    for args in READ_COMMANDS + [["reparse", "--dry-run", "--warc-dir", archive.with_suffix(".warc")]]:
        result = run_cli(*args, "--db", db)
        assert "Traceback" not in result.stderr, (args, result)
        if result.code != 0:
            failed += 1
            assert_one_line_error(result, str(db), "damage")
    assert failed, "the damage reached no command: the test damages nothing"


def test_the_message_names_the_cause_not_the_bytes(archive, tmp_path):
    db = damaged(archive, tmp_path, "pages", bad_pages)
    result = run_cli("stats", "--db", db)
    assert_one_line_error(result, "database disk image is malformed", ".recover")
    result = run_cli("export", "--format", "csv", "--db", damaged(archive, tmp_path, "utf8", bad_utf8))
    assert_one_line_error(result, "Could not decode to UTF-8 column")
    assert "\ufffd" not in result.stderr and "\xff" not in result.stderr


def test_show_an_id_beyond_sqlite_integers_is_not_found(archive):
    assert_one_line_error(run_cli("show", "99999999999999999999", "--db", archive), "no such article", code=1)


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: " ".join(a))
def test_read_commands_write_no_schema_into_an_empty_file(tmp_path, args):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert_one_line_error(run_cli(*args, "--db", empty), "empty.db", "not a parknews database")
    assert empty.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


def test_read_commands_ask_for_upgrade_of_an_older_schema(tmp_path, monkeypatch):
    import archive.db as archive_db

    old = tmp_path / "old.db"
    monkeypatch.setattr(archive_db, "MIGRATIONS", archive_db.MIGRATIONS[:-1])  # the previous release
    archive_db.open_db(old).close()
    monkeypatch.undo()
    before = old.read_bytes()
    assert_one_line_error(run_cli("stats", "--db", old), "older parknews", "parknews upgrade --db")
    assert old.read_bytes() == before
    result = run_cli("upgrade", "--db", old)
    assert result.code == 0 and "upgraded from schema" in result.stdout, result
    assert run_cli("stats", "--db", old).code == 0
    assert "already at schema" in run_cli("upgrade", "--db", old).stdout
