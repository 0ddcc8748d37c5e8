"""`parknews export -o PATH` where PATH is not a plain file: a device, a FIFO, a symlink.
Only a regular file is ever replaced by the rename into place; a device or FIFO is written to
directly (no manifest), a symlink's target is written, and a failed write is one line, a
non-zero exit and an unmoved cursor. The devices are real ones (mknod in the test folder, the
same character devices as /dev/full and /dev/null), so the system's own are never at risk."""
import os
import stat
import threading

import pytest

from pn_testing import jsonl, run_cli, table_dump


def _device(tmp_path, name, minor):
    path = tmp_path / name
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except OSError as exc:
        pytest.skip(f"cannot make a device node here ({exc.strerror}): needs root and a dev mount")
    return path


def _cursor(db, name):
    return [r for r in table_dump(db, "export_cursors") if r["name"] == name]


def test_export_to_a_full_device_fails_in_one_line_and_keeps_the_device(fresh_copy, tmp_path):
    full = _device(tmp_path, "full", 7)  # as /dev/full: every write fails with ENOSPC
    result = run_cli("export", "--db", fresh_copy, "--cursor", "nightly", "-o", full)
    assert result.code != 0, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0] and str(full) in lines[0], result
    assert "cursor was not moved" in lines[0]
    assert stat.S_ISCHR(full.lstat().st_mode)
    assert not list(tmp_path.glob("*manifest*")) and not list(tmp_path.glob(".*part"))
    assert _cursor(fresh_copy, "nightly") == []


def test_export_to_a_null_device_writes_no_manifest_and_keeps_the_device(fresh_copy, tmp_path):
    null = _device(tmp_path, "null", 3)
    result = run_cli("export", "--db", fresh_copy, "--cursor", "sink", "-o", null)
    assert result.code == 0, result
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert not list(tmp_path.glob("*manifest*")) and not list(tmp_path.glob(".*part"))
    assert len(_cursor(fresh_copy, "sink")) == 1  # complete: the cursor moved


def test_export_to_a_fifo_feeds_its_reader(fresh_copy, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    result = run_cli("export", "--db", fresh_copy, "-o", fifo, timeout=120)
    reader.join(30)
    assert result.code == 0, result
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    expected = run_cli("export", "--db", fresh_copy).stdout
    assert got and got[0].decode("utf-8") == expected and len(jsonl(expected)) > 0
    assert not list(tmp_path.glob("*manifest*"))


def test_export_to_a_symlink_writes_its_target(fresh_copy, tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "records.jsonl"
    target.write_text("old\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    result = run_cli("export", "--db", fresh_copy, "-o", link)
    assert result.code == 0, result
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == run_cli("export", "--db", fresh_copy).stdout
    assert (tmp_path / "real" / "records.jsonl.manifest.json").is_file()
    # a link to a file not there yet: the file is made where the link points
    dangling = tmp_path / "next.jsonl"
    dangling.symlink_to(tmp_path / "real" / "next.jsonl")
    assert run_cli("export", "--db", fresh_copy, "-o", dangling).code == 0
    assert dangling.is_symlink() and (tmp_path / "real" / "next.jsonl").read_text()


def test_warc_export_refuses_a_damaged_record(archive, tmp_path):
    """A stored record whose bytes are damaged in place (its gzip member keeps its length) is
    not copied into a WARC export: one line names the file and offset, exit 2, no output."""
    import shutil

    import sqlite_utils

    from archive.warc import warc_dir_for

    folder = tmp_path / "warc"
    shutil.copytree(warc_dir_for(archive["db"]), folder)
    db = sqlite_utils.Database(str(archive["db"]))
    name, offset, length = db.execute(
        "SELECT warc_file, \"offset\", length FROM captures c JOIN articles a ON a.id = c.article_id "
        "WHERE a.site = 'demo' AND c.record_type = 'response' ORDER BY c.id LIMIT 1").fetchone()
    db.close()
    path = folder / name
    with open(path, "r+b") as fh:  # the member's last 300 bytes overwritten, as a torn write leaves them
        fh.seek(offset + length - 300)
        fh.write(b"\0" * 300)
    out = tmp_path / "x.warc.gz"
    result = run_cli("export", "--format", "warc", "--site", "demo", "--db", archive["db"], "-o", out,
                     "--warc-dir", folder)
    assert result.code == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{name}@{offset}" in lines[0] and "damaged WARC record" in lines[0], result
    assert not out.exists()
