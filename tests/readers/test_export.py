"""`parknews export`: formats, schema, filters, manifest, cursors (at least once, with a real
kill), bad input; against a real crawl of the sample site."""
import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time

import jsonschema
import pytest
import sqlite_utils

from pn_testing import ROOT, jsonl, run_cli, table_dump

SCHEMA = json.loads((ROOT / "archive" / "record.schema.json").read_text(encoding="utf-8"))


def _validator():
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    return cls(SCHEMA)


def _count(db_path, sql="SELECT count(*) FROM articles", params=()):
    db = sqlite_utils.Database(str(db_path))
    try:
        return db.execute(sql, list(params)).fetchone()[0]
    finally:
        db.close()


def _validate_all(records):
    validator = _validator()
    for rec in records:
        errors = sorted(validator.iter_errors(rec), key=str)
        assert not errors, (rec.get("id"), [e.message for e in errors[:3]])


def test_jsonl_every_record_valid_against_the_schema_with_manifest(archive, tmp_path):
    out = tmp_path / "all.jsonl"
    result = run_cli("export", "--format", "jsonl", "--db", archive["db"], "--output", out)
    assert result.code == 0, result
    records = jsonl(out.read_text(encoding="utf-8"))
    assert len(records) == _count(archive["db"])
    _validate_all(records)
    # structure kept: sections with headings, images as objects
    with_heading = [r for r in records if any(s["heading"] for s in r["sections"])]
    assert with_heading and all(isinstance(s["paragraphs"], list) for r in records for s in r["sections"])
    assert any(r["images"] and r["images"][0]["src"].startswith("http") for r in records)
    manifest = json.loads((tmp_path / "all.jsonl.manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == SCHEMA["version"] and manifest["schema"] == SCHEMA["$id"]
    assert manifest["records"] == len(records)
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["query"] == {"site": None, "since": None, "until": None}
    assert "exported %d records" % len(records) in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_jsonl_to_stdout_equals_file_and_site_date_filters(archive, tmp_path):
    result = run_cli("export", "--db", archive["db"])
    assert result.code == 0, result
    all_records = jsonl(result.stdout)
    demo = jsonl(run_cli("export", "--db", archive["db"], "--site", "demo").stdout)
    assert demo and all(r["site"] == "demo" for r in demo)
    assert len(demo) == len([r for r in all_records if r["site"] == "demo"]) < len(all_records)
    may = jsonl(run_cli("export", "--db", archive["db"], "--since", "2024-05", "--until", "2024-05").stdout)
    expected = [r for r in all_records if (r["published_at"] or "").startswith("2024-05")]
    assert may and sorted(r["id"] for r in may) == sorted(r["id"] for r in expected)
    day = expected[0]["published_at"][:10]
    one_day = jsonl(run_cli("export", "--db", archive["db"], "--since", day, "--until", day).stdout)
    assert sorted(r["id"] for r in one_day) == sorted(r["id"] for r in all_records if (r["published_at"] or "")[:10] == day)


def test_parquet_structured_streamed_in_row_groups_and_valid(archive, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "all.parquet"
    result = run_cli("export", "--format", "parquet", "--db", archive["db"], "-o", out)
    assert result.code == 0, result
    pf = pq.ParquetFile(out)
    meta = pf.schema_arrow.metadata
    assert meta[b"parknews.schema_version"].decode() == SCHEMA["version"]
    assert str(pf.schema_arrow.field("sections").type).startswith("list<element: struct<heading")
    rows = pf.read().to_pylist()
    for r in rows:  # Arrow maps come back as key/value pairs; a struct has every key (null when absent)
        r["extraction"] = dict(r["extraction"])
        r["images"] = [{k: v for k, v in im.items() if v is not None or k == "caption"} for im in r["images"]]
        r["attachments"] = [{k: v for k, v in a.items() if v is not None or k == "text"} for a in r["attachments"]]
    assert len(rows) == _count(archive["db"])
    _validate_all(rows)
    by_id = {r["id"]: r for r in jsonl(run_cli("export", "--db", archive["db"]).stdout)}
    for r in rows:
        assert r == by_id[r["id"]]
    manifest = json.loads((tmp_path / "all.parquet.manifest.json").read_text())
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["format"] == "parquet" and manifest["records"] == len(rows)


def test_csv_flattens_structure_as_json_text(archive, tmp_path):
    out = tmp_path / "all.csv"
    result = run_cli("export", "--format", "csv", "--db", archive["db"], "-o", out)
    assert result.code == 0, result
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    by_id = {r["id"]: r for r in jsonl(run_cli("export", "--db", archive["db"]).stdout)}
    assert len(rows) == len(by_id)
    for row in rows:
        rec = by_id[int(row["id"])]
        assert json.loads(row["sections"]) == rec["sections"]
        assert json.loads(row["images"]) == rec["images"]
        assert row["body_text"] == rec["body_text"]  # newlines kept inside the quoted cell
        assert row["author"] == (rec["author"] or "")


def test_cursor_exports_only_changes_and_moves_after_completion(fresh_copy, tmp_path):
    db = fresh_copy
    first = tmp_path / "c1.jsonl"
    r1 = run_cli("export", "--db", db, "--cursor", "nightly", "-o", first)
    assert r1.code == 0, r1
    n = len(jsonl(first.read_text()))
    assert n == _count(db)
    m1 = json.loads((tmp_path / "c1.jsonl.manifest.json").read_text())
    assert m1["cursor"]["name"] == "nightly" and m1["cursor"]["after_seq"] == 0
    r2 = run_cli("export", "--db", db, "--cursor", "nightly")
    assert r2.code == 0 and r2.stdout == "", r2
    # a changed article (the lowest id, updated_at in the past) and a new one come next time
    conn = sqlite_utils.Database(str(db))
    conn.execute("UPDATE articles SET title = title || '（更新）', updated_at = '2000-01-01T00:00:00+00:00' WHERE id = 1")
    conn.conn.commit()
    conn.close()
    r3 = run_cli("export", "--db", db, "--cursor", "nightly")
    assert [r["id"] for r in jsonl(r3.stdout)] == [1]
    assert jsonl(r3.stdout)[0]["title"].endswith("（更新）")
    assert run_cli("export", "--db", db, "--cursor", "nightly").stdout == ""
    # another cursor name starts from the beginning
    assert len(jsonl(run_cli("export", "--db", db, "--cursor", "other").stdout)) == n
    rows = {r["name"]: r for r in table_dump(db, "export_cursors")}
    assert rows["nightly"]["moved_at"] and rows["nightly"]["last_id"] == 1


def test_cursor_sees_rows_committed_late_with_an_older_updated_at(fresh_copy):
    """A writer's open transaction (a crawl batches its commits) holds a row whose updated_at is
    older than rows already exported: the cursor must still deliver it."""
    db = fresh_copy
    assert run_cli("export", "--db", db, "--cursor", "late").code == 0
    from sqlite_utils.utils import sqlite3

    writer = sqlite3.connect(str(db), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO articles (url, site, title, body_text, content_hash, first_seen, updated_at) VALUES "
        "('http://late.example/1', 'demo', '迟到的文章', '正文', 'late-hash', '2001-01-01T00:00:00+00:00', "
        "'2001-01-01T00:00:00+00:00')")
    # the export runs while the write is open: it reads its snapshot, writes its file, and then
    # waits for the write lock to move the cursor; the writer commits only then
    out = db.parent / "during.jsonl"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "export", "--db", str(db), "--cursor", "late", "-o", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    manifest = db.parent / "during.jsonl.manifest.json"
    deadline = time.monotonic() + 60
    while not manifest.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert manifest.exists(), proc.communicate()
    assert out.read_text() == ""  # the open write is not in the export's snapshot
    writer.execute("COMMIT")
    writer.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    after = jsonl(run_cli("export", "--db", db, "--cursor", "late").stdout)
    assert [r["title"] for r in after] == ["迟到的文章"]


def test_killed_stdout_export_does_not_move_the_cursor(fresh_copy, tmp_path):
    """A real kill while the export is blocked writing to a slow pipe: the next export with the
    same cursor delivers everything again (at least once)."""
    db = fresh_copy
    total = _count(db)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "export", "--db", str(db), "--cursor", "killed"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    first_line = proc.stdout.readline()  # the export is writing (and blocks: nobody reads on)
    assert first_line.startswith(b"{")
    time.sleep(0.5)
    assert proc.poll() is None, "the export finished before it could be killed: output too small"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert [r for r in table_dump(db, "export_cursors") if r["name"] == "killed"] == []
    again = tmp_path / "again.jsonl"
    result = run_cli("export", "--db", db, "--cursor", "killed", "-o", again)
    assert result.code == 0, result
    assert len(jsonl(again.read_text())) == total
    assert run_cli("export", "--db", db, "--cursor", "killed").stdout == ""


def test_killed_file_export_leaves_no_output_and_does_not_move_the_cursor(fresh_copy, tmp_path):
    """A real kill of a file export mid-way: an archive large enough to take a while, killed
    once the temporary file has grown past 1 MB."""
    from archive.db import open_db, transaction

    db = open_db(fresh_copy)
    body = "园区新闻正文。" * 1500
    with transaction(db):
        for i in range(3000):
            db.execute(
                "INSERT INTO articles (url, site, title, body_text, sections, content_hash, first_seen, updated_at) "
                "VALUES (?, 'demo', ?, ?, ?, ?, '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00+00:00')",
                [f"http://bulk.example/{i}", f"批量文章{i}", body,
                 json.dumps([{"heading": None, "paragraphs": [body]}], ensure_ascii=False), f"bulk-{i}"],
            )
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.close()
    out = tmp_path / "big.jsonl"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "export", "--db", str(fresh_copy), "--cursor", "bigkill", "-o", str(out)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    deadline = time.monotonic() + 60
    part = None
    while time.monotonic() < deadline and proc.poll() is None:
        parts = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
        if parts and parts[0].stat().st_size > 1_000_000:
            part = parts[0]
            break
        time.sleep(0.01)
    if part is None:
        proc.kill()
        proc.wait()
        pytest.fail("the export finished before it could be killed mid-way")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert not out.exists()  # the target only ever appears complete
    assert [r for r in table_dump(fresh_copy, "export_cursors") if r["name"] == "bigkill"] == []
    result = run_cli("export", "--db", fresh_copy, "--cursor", "bigkill", "-o", out)
    assert result.code == 0, result
    assert sum(1 for _ in out.open(encoding="utf-8")) == total


def test_cursor_refuses_other_filters(fresh_copy):
    assert run_cli("export", "--db", fresh_copy, "--cursor", "demo-only", "--site", "demo").code == 0
    result = run_cli("export", "--db", fresh_copy, "--cursor", "demo-only")
    assert result.code == 2 and "use another cursor name" in result.stderr


def _one_line_error(result, *parts):
    assert result.code == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("parknews: error: "), result
    for p in parts:
        assert p in lines[0], result


def test_bad_input_is_one_line_and_leaves_the_database_untouched(fresh_copy, tmp_path):
    db = fresh_copy
    before = {t: table_dump(db, t) for t in ("articles", "article_urls", "export_cursors")}
    _one_line_error(run_cli("export", "--db", db, "--since", "2024-13-01"), "--since", "not a date")
    _one_line_error(run_cli("export", "--db", db, "--until", "yesterday"), "--until", "not a date")
    _one_line_error(run_cli("export", "--db", db, "--site", "no-such-site"), "unknown site 'no-such-site'")
    _one_line_error(run_cli("export", "--db", db, "-o", tmp_path / "missing" / "x.jsonl"), "x.jsonl", "cannot write")
    _one_line_error(run_cli("export", "--db", db, "-o", tmp_path), "is a directory")
    for bad in ("../evil", "a/b", "..", "x" * 65, "", "名字"):
        _one_line_error(run_cli("export", "--db", db, "--cursor", bad), "--cursor")
    _one_line_error(run_cli("export", "--db", db, "--format", "parquet"), "Parquet", "--output")
    _one_line_error(run_cli("export", "--db", db, "--format", "xml"), "--format")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if not os.access(ro, os.W_OK):  # root can write anywhere
            _one_line_error(run_cli("export", "--db", db, "-o", ro / "x.jsonl"), "cannot write")
    finally:
        ro.chmod(0o700)
    after = {t: table_dump(db, t) for t in ("articles", "article_urls", "export_cursors")}
    assert after == before


def test_search_injection_text_is_harmless_in_export_filters(fresh_copy):
    text = "'; DROP TABLE articles; --"
    result = run_cli("export", "--db", fresh_copy, "--site", text)
    assert result.code == 2 and "unknown site" in result.stderr
    assert _count(fresh_copy) > 0


def test_warc_export_copies_the_archived_records_of_the_selected_articles(archive, tmp_path):
    from archive.db import columns

    db = sqlite_utils.Database(str(archive["db"]))
    has = "warc_file" in columns(db, "captures")
    caps = db.execute(
        "SELECT c.url, c.record_id, c.record_type, c.payload_digest FROM captures c "
        "JOIN articles a ON a.id = c.article_id WHERE a.site = 'demo'").fetchall() if has else []
    db.close()
    if not caps:
        pytest.skip("this archive has no WARC captures (the crawl's WARC capture is not in this tree)")
    from warcio.archiveiterator import ArchiveIterator

    out = tmp_path / "demo.warc.gz"
    result = run_cli("export", "--format", "warc", "--site", "demo", "--db", archive["db"], "-o", out)
    assert result.code == 0, result
    kinds, responses = {}, {}
    with open(out, "rb") as fh:
        for rec in ArchiveIterator(fh):
            kinds[rec.rec_type] = kinds.get(rec.rec_type, 0) + 1
            if rec.rec_type in ("response", "revisit"):
                rid = rec.rec_headers.get_header("WARC-Record-ID")
                responses[rid] = (rec.rec_headers.get_header("WARC-Target-URI"),
                                  rec.rec_headers.get_header("WARC-Payload-Digest"))
                rec.content_stream().read()
    assert kinds.get("warcinfo") == 1
    assert {rid: (u, d) for u, rid, _, d in caps} == responses
    assert kinds.get("request") == len(caps)
    assert all("partner.example" not in u for u, _ in responses.values())
    manifest = json.loads((tmp_path / "demo.warc.gz.manifest.json").read_text())
    assert manifest["format"] == "warc" and manifest["captures"] == len(caps)
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    missing = run_cli("export", "--format", "warc", "--db", archive["db"], "-o", tmp_path / "x.warc.gz",
                      "--warc-dir", tmp_path / "nowhere")
    assert missing.code == 2 and "cannot read a WARC file" in missing.stderr
    assert not (tmp_path / "x.warc.gz").exists()


def test_progress_on_stderr_when_asked_and_not_by_default(archive):
    total = _count(archive["db"])
    shown = run_cli("export", "--db", archive["db"], "--progress", "-o", "-")
    assert shown.code == 0 and f"exporting: {total}/{total} records, done" in shown.stderr
    quiet = run_cli("export", "--db", archive["db"])  # stderr is not a terminal here
    assert "exporting:" not in quiet.stderr
