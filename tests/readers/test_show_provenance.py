"""show --provenance against a real crawl: every capture's WARC record checked on disk, and a
copy whose record payload was altered (same length, recompressed) named as a digest mismatch."""
import json
import shutil
import zlib

import sqlite_utils

from pn_testing import run_cli


def _demo_article(db_path):
    db = sqlite_utils.Database(str(db_path))
    row = db.execute("SELECT c.article_id, c.warc_file, c.\"offset\", c.length FROM captures c "
                     "JOIN articles a ON a.id = c.article_id WHERE a.site = 'demo' "
                     "AND c.record_type = 'response' ORDER BY c.id LIMIT 1").fetchone()
    db.close()
    return row


def test_show_provenance_ok_then_mismatch_names_the_warc_file(archive, fresh_copy, tmp_path):
    from archive.warc import warc_dir_for

    article_id, warc_file, offset, length = _demo_article(archive["db"])
    ok = run_cli("show", str(article_id), "--provenance", "--db", archive["db"])
    assert ok.code == 0, ok
    assert "digest ok" in ok.stdout and warc_file in ok.stdout and "MISMATCH" not in ok.stdout

    warc_dir = tmp_path / "copy.warc"
    shutil.copytree(warc_dir_for(archive["db"]), warc_dir)
    path = warc_dir / warc_file
    data = path.read_bytes()
    raw = zlib.decompress(data[offset:offset + length], zlib.MAX_WBITS + 16)
    body_at = raw.index(b"\r\n\r\n", raw.index(b"\r\n\r\n") + 4) + 4  # after WARC and HTTP headers
    pos = body_at + 10
    raw = raw[:pos] + bytes([raw[pos] ^ 0x01]) + raw[pos + 1:]
    comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    member = comp.compress(raw) + comp.flush()
    path.write_bytes(data[:offset] + member + data[offset + length:])
    db = sqlite_utils.Database(str(fresh_copy))
    delta = len(member) - length
    db.execute('UPDATE captures SET "offset" = "offset" + ? WHERE warc_file = ? AND "offset" > ?',
               [delta, warc_file, offset])
    db.execute('UPDATE captures SET length = ? WHERE warc_file = ? AND "offset" = ?', [len(member), warc_file, offset])
    db.conn.commit()
    db.close()

    bad = run_cli("show", str(article_id), "--provenance", "--db", fresh_copy, "--warc-dir", warc_dir)
    assert bad.code == 1, bad
    line = [l for l in bad.stdout.splitlines() if "MISMATCH" in l]
    assert line and warc_file in line[0] and "Traceback" not in bad.stderr

    shutil.rmtree(warc_dir)
    gone = run_cli("show", str(article_id), "--provenance", "--db", fresh_copy, "--warc-dir", warc_dir)
    assert gone.code == 1 and "missing" in gone.stdout


def test_provenance_shows_ip_status_replay_link_and_compares_a_fresh_parse(archive, fresh_copy):
    article_id = _demo_article(archive["db"])[0]
    ok = run_cli("show", str(article_id), "--provenance", "--db", archive["db"])
    assert ok.code == 0, ok
    assert "IP 127.0.0.1" in ok.stdout and "status 200" in ok.stdout
    assert "fresh parse: the stored fields equal it" in ok.stdout and "DIFFERS" not in ok.stdout
    assert "archived copy, captured " in ok.stdout and "/parknews/" in ok.stdout

    shown = run_cli("show", str(article_id), "--db", archive["db"])
    live = [l for l in shown.stdout.splitlines() if l.strip().startswith("live: ")]
    assert shown.code == 0 and live and "archived copy, captured " in live[0], shown
    as_json = run_cli("show", str(article_id), "--db", archive["db"], "--format", "json")
    urls = [c["replay_url"] for c in json.loads(as_json.stdout)["captures"] if c["record_type"] == "response"]
    assert urls and all(u.startswith("http://127.0.0.1:8002/parknews/") and u.endswith(c) for u, c in
                        zip(urls, [c["url"] for c in json.loads(as_json.stdout)["captures"]
                                   if c["record_type"] == "response"]))

    db = sqlite_utils.Database(str(fresh_copy))  # the stored record no longer what its page says
    db.execute("UPDATE articles SET title = title || '（改）', editor = 'X' WHERE id = ?", [article_id])
    db.conn.commit()
    db.close()
    changed = run_cli("show", str(article_id), "--provenance", "--db", fresh_copy,
                      "--warc-dir", _warc_dir(archive["db"]))
    assert changed.code == 0, changed
    line = [l for l in changed.stdout.splitlines() if "fresh parse" in l and "DIFFERS" in l]
    assert line and "title" in line[0] and "editor" in line[0] and "body_text" not in line[0], changed.stdout


def test_provenance_of_an_article_without_captures_says_so(archive):
    copy_id = archive["copy"]["copy_id"]  # stored by the fixture without a crawl, so no capture
    result = run_cli("show", str(copy_id), "--provenance", "--db", archive["db"])
    assert result.code == 1 and "has no captures" in result.stderr and "Traceback" not in result.stderr, result


def _warc_dir(db_path):
    from archive.warc import warc_dir_for

    return warc_dir_for(db_path)
