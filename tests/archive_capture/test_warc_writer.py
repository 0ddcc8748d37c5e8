"""archive.warc on its own: rotation, temporary names, records read back, recovery."""
import os
import zlib

from warcio.archiveiterator import ArchiveIterator

from archive.warc import (OPEN_SUFFIX, WarcWriter, read_record, recover_file, recover_open_files,
                          WarcReadError)
from archive_capture._helpers import warcio_check

import pytest


def _write(writer, i, body=None):
    return writer.write_exchange(
        f"http://x.cn/a/{i}.html", method="GET", request_headers=[("Host", "x.cn")], status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        body=body if body is not None else ("<p>第%d篇</p>" % i).encode() * 200, ip_address="10.0.0.1",
    )


def test_rotation_names_and_open_suffix(tmp_path):
    w = WarcWriter(tmp_path, site="园区/demo site", info={"operator": "test"}, max_size=2500)
    refs = [_write(w, i) for i in range(6)]
    while w.current_file is None or len(w.files) < 3:  # until a third file is being written
        refs.append(_write(w, len(refs)))
    current = w.current_file
    assert (tmp_path / (current + OPEN_SUFFIX)).exists() and not (tmp_path / current).exists()
    w.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) >= 3 and not any(f.endswith(OPEN_SUFFIX) for f in files)
    assert all(f.startswith("demo_site-") and f.endswith(".warc.gz") for f in files)
    assert warcio_check([tmp_path / f for f in files]).returncode == 0
    for i, ref in enumerate(refs):
        rec = read_record(tmp_path, ref.warc_file, ref.offset, ref.length)
        assert rec.record_id == ref.record_id and rec.url == f"http://x.cn/a/{i}.html"
        assert rec.body == ("<p>第%d篇</p>" % i).encode() * 200
    # every file starts with its own warcinfo naming it
    for f in files:
        with open(tmp_path / f, "rb") as fh:
            first = next(iter(ArchiveIterator(fh)))
        assert first.rec_type == "warcinfo" and first.rec_headers.get_header("WARC-Filename") == f
        assert b"operator: test" in first.content_stream().read()


def test_revisit_record(tmp_path):
    w = WarcWriter(tmp_path, site="s")
    first = _write(w, 1)
    again = w.write_exchange("http://x.cn/a/1.html", method="GET", request_headers=[], status=200,
                             response_headers=[], body=("<p>第%d篇</p>" % 1).encode() * 200,
                             revisit_of={"record_id": first.record_id, "warc_date": first.warc_date,
                                         "url": "http://x.cn/a/1.html"})
    w.close()
    assert again.record_type == "revisit" and again.refers_to == first.record_id
    assert again.payload_digest == first.payload_digest
    rec = read_record(tmp_path, again.warc_file, again.offset, again.length)
    assert rec.record_type == "revisit" and rec.body == b""


def test_missing_and_damaged_files_raise_warc_read_error(tmp_path):
    w = WarcWriter(tmp_path, site="s")
    ref = _write(w, 1)
    w.close()
    with pytest.raises(WarcReadError):
        read_record(tmp_path, "nope.warc.gz", 0)
    with open(tmp_path / ref.warc_file, "r+b") as fh:
        fh.seek(ref.offset + 5)
        fh.write(b"\xff" * 30)
    with pytest.raises(WarcReadError):
        read_record(tmp_path, ref.warc_file, ref.offset, ref.length, record_id=ref.record_id)


def test_recovery_cuts_the_unfinished_tail(tmp_path):
    w = WarcWriter(tmp_path, site="s")
    refs = [_write(w, i) for i in range(3)]
    name = w.current_file
    path = tmp_path / (name + OPEN_SUFFIX)
    assert recover_file(path) is None  # a live writer's file (its lock is held) is left alone
    complete = path.stat().st_size
    # a record torn by a kill: half a gzip member at the end
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    member = comp.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + os.urandom(5000)) + comp.flush()
    w._fh.write(member[: len(member) // 2])
    w._fh.close()  # the process "dies": lock released, no rename
    assert recover_open_files(tmp_path) == [(name + OPEN_SUFFIX, name)]
    assert (tmp_path / name).stat().st_size == complete
    assert warcio_check([tmp_path / name]).returncode == 0
    for ref in refs:
        assert read_record(tmp_path, ref.warc_file, ref.offset, ref.length).record_id == ref.record_id


def test_recovery_discards_a_file_without_a_complete_record(tmp_path):
    path = tmp_path / ("s-20240101T000000000000Z-00001.warc.gz" + OPEN_SUFFIX)
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    member = comp.compress(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n" + os.urandom(2000)) + comp.flush()
    path.write_bytes(member[:100])
    assert recover_open_files(tmp_path) == [(path.name, None)]
    assert not list(tmp_path.iterdir())
