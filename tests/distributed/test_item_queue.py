"""The item queue between workers and the writer (crawler/distributed/itemqueue.py) against a
real redis-server: JSON messages, a batch moved into the writer's taken list, kept there until
the writer acknowledges (after its commit), found again by a restarted writer."""
import json

import pytest

from pn_redis import redis_server  # noqa: F401 (the fixture)

from crawler.distributed import keys
from crawler.distributed.itemqueue import BadMessage, ItemQueue, message, read


def _parsed(n):
    return message("parsed", worker="w1", site="demo", run="r1", url=f"http://x/{n}.html",
                   record={"title": f"标题 {n}"}, capture={"warc_file": "w1.warc.gz", "offset": n})


def test_a_message_is_json_with_every_field():
    data = json.loads(_parsed(3))
    assert data["v"] == 1 and data["kind"] == "parsed" and data["record"] == {"title": "标题 3"}
    assert data["reason"] is None and data["stats"] is None and data["seen_at"] > 0
    assert read(_parsed(3))["url"] == "http://x/3.html"
    with pytest.raises(BadMessage, match="kind 'stored'"):
        message("stored", worker="w1", site="demo", run="r1")
    with pytest.raises(BadMessage, match=r"unknown fields \['body'\]"):
        message("parsed", worker="w1", site="demo", run="r1", body="x")
    with pytest.raises(BadMessage, match="this writer reads v1"):
        read(json.dumps({"v": 2, "kind": "parsed"}))
    with pytest.raises(BadMessage, match="'list'"):
        read("[1]")
    with pytest.raises(BadMessage, match="not JSON"):
        read(b"\x80\x04pickle")


def test_a_batch_stays_taken_until_acknowledged_and_a_restart_finds_it(redis_server):
    client = redis_server.client
    queue = ItemQueue(client)
    for n in range(5):
        queue.push(_parsed(n))
    batch = queue.take("writer-1", 3)
    assert [read(m)["url"] for m in batch] == [f"http://x/{n}.html" for n in range(3)]  # oldest first
    assert len(queue) == 2 and client.llen(keys.taken("writer-1")) == 3
    # the writer is killed before its commit: restarted, it finds the same batch, in order
    again = ItemQueue(redis_server.client)
    assert again.taken("writer-1") == batch
    assert again.taken("writer-2") == []
    again.ack("writer-1")
    assert again.taken("writer-1") == [] and client.exists(keys.taken("writer-1")) == 0
    rest = again.take("writer-1", 10)
    assert [read(m)["url"] for m in rest] == ["http://x/3.html", "http://x/4.html"]
    assert again.take("writer-1", 10) == [] and len(again) == 0
