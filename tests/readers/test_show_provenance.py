"""show --provenance against a real crawl: every capture's WARC record checked on disk, and a
copy whose record payload was altered (same length, recompressed) named as a digest mismatch."""
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
