"""WARC writing under real write faults, and recovery of a file with a torn record inside.

The fault is a real one: the writer runs in a child process whose file size limit
(RLIMIT_FSIZE) is reached mid-record, so the kernel makes a short write and then refuses with
EFBIG, as a full disk does with ENOSPC."""
import gzip
import json
import subprocess
import sys

from warcio.archiveiterator import ArchiveIterator

from archive.warc import OPEN_SUFFIX, WarcWriter, read_record, recover_file
from archive_capture._helpers import warcio_check
from pn_testing import cli_env

CHILD = r"""
import json, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
from archive.warc import WarcWriter
folder, limit = sys.argv[1], int(sys.argv[2])
w = WarcWriter(folder, site="full")
refs, error = [], None
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
for i in range(1000):
    body = ("<p>第%d篇 园区新闻</p>" % i).encode() * (30 + i % 50)
    try:
        ref = w.write_exchange(f"http://x.cn/a/{i}.html", method="GET", request_headers=[("Host", "x.cn")],
                               status=200, response_headers=[("Content-Type", "text/html")], body=body)
    except OSError as exc:
        error = exc.strerror
        break
    refs.append({"file": ref.warc_file, "offset": ref.offset, "length": ref.length, "id": ref.record_id, "i": i})
print(json.dumps({"refs": refs, "error": error, "file": w.current_file}))
"""


def test_a_short_write_raises_and_leaves_only_whole_records(tmp_path):
    proc = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), "40000"], capture_output=True, text=True,
                          env=cli_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["error"] and out["refs"], out  # the limit was reached, after some records
    for ref in out["refs"]:  # every capture the writer handed out reads back whole
        rec = read_record(tmp_path, ref["file"], ref["offset"], ref["length"], record_id=ref["id"])
        assert rec.url == f"http://x.cn/a/{ref['i']}.html"
    path = tmp_path / (out["file"] + OPEN_SUFFIX)
    data = path.read_bytes()
    assert len(gzip.decompress(data)) > 0  # the file ends on a whole record: nothing torn
    with open(path, "rb") as fh:
        kinds = [r.rec_type for r in ArchiveIterator(fh)]
    assert kinds == ["warcinfo"] + ["response", "request"] * len(out["refs"])


def _member_spans(data):
    import zlib

    spans, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(zlib.MAX_WBITS + 16)
        d.decompress(data[pos:])
        n = len(data) - pos - len(d.unused_data)
        spans.append((pos, n))
        pos += n
    return spans


def test_recovery_skips_a_torn_record_and_keeps_the_whole_ones_after_it(tmp_path):
    import random

    rng = random.Random(7)
    w = WarcWriter(tmp_path, site="torn")
    refs = [w.write_exchange(f"http://x.cn/a/{i}.html", method="GET", request_headers=[], status=200,
                             response_headers=[], body="".join(chr(0x4e00 + rng.randrange(3000))
                                                                for _ in range(2000)).encode())
            for i in range(8)]
    name = w.current_file
    w._fh.close()  # the writer dies (its lock goes with it), leaving NAME.warc.gz.open
    path = tmp_path / (name + OPEN_SUFFIX)
    data = path.read_bytes()
    # exchange 3 (its response and request, one write) lost its last 700 bytes in a short
    # write, and the writer went on after it (what an unchecked write did on a full disk): the
    # later records follow the torn bytes, and their captures name those offsets
    spans = dict(_member_spans(data))
    end3 = refs[3].offset + refs[3].length + spans[refs[3].offset + refs[3].length]
    lost = 700
    path.write_bytes(data[:end3 - lost] + data[end3:])
    shifted = [(r.offset - lost if i > 3 else r.offset, r) for i, r in enumerate(refs)]
    # plus a torn record at the very end (the kill)
    with open(path, "ab") as fh:
        fh.write(data[refs[1].offset: refs[1].offset + refs[1].length // 2])
    final = recover_file(path)
    assert final == name
    out = tmp_path / final
    for i, (offset, ref) in enumerate(shifted):
        if i == 3:
            continue
        rec = read_record(tmp_path, ref.warc_file, offset, ref.length, record_id=ref.record_id)
        assert rec.url == f"http://x.cn/a/{i}.html"
    assert out.stat().st_size == len(data) - lost
    with open(out, "rb") as fh:
        urls = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                if r.rec_type == "response"]
    assert urls == [f"http://x.cn/a/{i}.html" for i in range(8) if i != 3]
    assert warcio_check([out]).returncode == 0


def test_captures_are_committed_only_after_their_records_are_synced(tmp_path):
    """The store runs the WARC writer's fsync before each commit (as the crawl wires it); when
    the fsync fails (a real EBADF here), the batch naming those records is not committed."""
    import os

    import pytest

    from archive.store import Archive
    from crawler.items import Record

    archive = Archive(tmp_path / "a.db")
    w = WarcWriter(tmp_path / "warc", site="s")
    archive.before_commit.append(w.sync)

    def save(i):
        ref = w.write_exchange(f"http://x.cn/a/{i}.html", method="GET", request_headers=[], status=200,
                               response_headers=[], body=f"<p>第{i}篇</p>".encode())
        cap = {"url": ref_url(i), "warc_file": ref.warc_file, "offset": ref.offset, "length": ref.length,
               "record_id": ref.record_id, "record_type": ref.record_type, "payload_digest": ref.payload_digest,
               "status": 200, "fetched_at": ref.warc_date}
        archive.save(Record(url=ref_url(i), site="s", title=f"标题{i}", body_text=f"正文{i}"), capture=cap)

    save(1)
    assert w._unsynced > 0
    archive.flush()
    assert w._unsynced == 0  # synced by the commit
    save(2)
    os.close(w._fh.fileno())  # the file can no longer be synced
    with pytest.raises(OSError):
        archive.flush()
    rows = archive.db.execute("SELECT url FROM captures ORDER BY id").fetchall()
    assert rows == [(ref_url(1),)]
    assert archive.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1


def ref_url(i):
    return f"http://x.cn/a/{i}.html"
