"""The distributed crawl's frontier, seen-set and in-flight hash (crawler/distributed/) against a
real redis-server (tests/pn_redis.py): JSON requests with Scrapy's own fingerprints, a pop that
moves the request into the worker's in-flight hash, the ack that removes it, and the re-queue
of what a dead worker, or a stuck request, held."""
import json
import time

import pytest
import scrapy
from scrapy.utils.test import get_crawler

from pn_redis import redis_server  # noqa: F401 (the fixture)

from crawler.distributed import keys
from crawler.distributed.requests import from_json, to_json
from crawler.distributed.scheduler import InflightScheduler


class ZoneSpider(scrapy.Spider):
    name = "zone"
    site_name = "zone-site"

    def parse_list(self, response):
        pass

    def failed(self, failure):
        pass


SPIDER = ZoneSpider()


def _scheduler(redis_url, worker, **settings):
    from crawler import settings as project

    base = {k: getattr(project, k) for k in dir(project) if k.startswith("PARKNEWS_")}
    crawler = get_crawler(ZoneSpider, {**base, "PARKNEWS_REDIS_URL": redis_url, "PARKNEWS_WORKER_NAME": worker,
                                       **settings})
    crawler.spider = spider = SPIDER  # the callbacks' spider: requests name its methods
    scheduler = InflightScheduler.from_crawler(crawler)
    scheduler.open(spider)
    return scheduler


def _request(url, **kw):
    return scrapy.Request(url, callback=SPIDER.parse_list, errback=SPIDER.failed, **kw)


def test_a_request_travels_as_json_with_scrapys_fingerprint(redis_server):
    worker = _scheduler(redis_server.url, "w1")
    request = scrapy.Request("http://zone.example/news/a.html?b=2&a=1", callback=worker.spider.parse_list,
                             errback=worker.spider.failed, priority=3,
                             headers={"Referer": "http://zone.example/"},
                             meta={"pn_kind": "article", "pn_lastmod": "2026-01-02", "download_slot": "x"})
    assert worker.enqueue_request(request)
    raw = redis_server.client.lindex(keys.FRONTIER, 0)
    data = json.loads(raw)  # JSON, not a pickle
    expected_fp = worker.crawler.request_fingerprinter.fingerprint(request).hex()
    assert data["fingerprint"] == expected_fp
    assert data["site"] == "zone-site" and data["priority"] == 3 and data["callback"] == "parse_list"
    assert data["meta"] == {"pn_kind": "article", "pn_lastmod": "2026-01-02"}  # download_slot is per download
    assert data["headers"]["Referer"] == ["http://zone.example/"]
    assert redis_server.client.sismember(keys.SEEN, expected_fp)
    back = worker.next_request()
    assert back.url == request.url and back.priority == 3 and back.meta == data["meta"]
    assert back.callback == worker.spider.parse_list and back.errback == worker.spider.failed
    assert back.headers.get("Referer") == b"http://zone.example/"
    worker.close("finished")


def test_the_seen_set_is_shared_and_outlives_a_worker(redis_server):
    one = _scheduler(redis_server.url, "w1")
    two = _scheduler(redis_server.url, "w2")
    assert one.enqueue_request(_request("http://zone.example/a.html"))
    assert not two.enqueue_request(_request("http://zone.example/a.html"))  # another worker's duplicate
    assert two.enqueue_request(_request("http://zone.example/a.html", dont_filter=True))
    assert redis_server.client.llen(keys.FRONTIER) == 2
    one.close("finished")
    assert redis_server.client.scard(keys.SEEN) == 1  # scrapy-redis would have deleted it here
    assert not two.enqueue_request(_request("http://zone.example/a.html"))
    two.close("finished")


def test_a_pop_moves_the_request_in_flight_and_the_ack_removes_it(redis_server):
    worker = _scheduler(redis_server.url, "w1")
    client = redis_server.client
    worker.enqueue_request(_request("http://zone.example/a.html"))
    worker.enqueue_request(_request("http://zone.example/b.html"))
    first = worker.next_request()
    assert first.url == "http://zone.example/a.html"  # FIFO
    held = client.hgetall(keys.inflight("w1"))
    fp = worker.df.request_fingerprint(first)
    assert list(held) == [fp.encode()]
    entry = json.loads(held[fp.encode()])
    assert json.loads(entry["request"])["url"] == first.url and abs(entry["taken_at"] - time.time()) < 5
    assert client.llen(keys.FRONTIER) == 1
    worker.ack(first.replace())  # a retry's copy is not the request taken: nothing removed
    assert client.hlen(keys.inflight("w1")) == 1
    worker.ack(first)
    assert client.hlen(keys.inflight("w1")) == 0
    worker.close("finished")


def test_a_dead_workers_requests_go_back_to_the_frontier_when_a_worker_starts(redis_server):
    client = redis_server.client
    dead = _scheduler(redis_server.url, "dead", PARKNEWS_WORKER_HEARTBEAT=1)
    for name in "abc":
        dead.enqueue_request(_request(f"http://zone.example/{name}.html"))
    taken = [dead.next_request().url for _ in range(2)]
    dead._beat_loop.stop()  # killed: no close, no more heartbeats
    alive = _scheduler(redis_server.url, "alive")  # while the dead one's heartbeat lives: nothing moves
    assert client.hlen(keys.inflight("dead")) == 2 and client.llen(keys.FRONTIER) == 1
    alive.close("finished")
    client.delete(keys.heartbeat("dead"))  # its key expired
    late = _scheduler(redis_server.url, "late")
    assert client.exists(keys.inflight("dead")) == 0
    urls = [late.next_request().url for _ in range(3)]
    assert sorted(urls) == sorted(taken + ["http://zone.example/c.html"])
    assert set(urls[:2]) == set(taken)  # re-queued at the popping end: taken first
    assert late.crawler.stats.get_value("parknews/distributed/requeued_dead") == 2
    assert late.next_request() is None
    late.close("finished")


def test_a_request_in_flight_too_long_is_requeued(redis_server):
    worker = _scheduler(redis_server.url, "w1", PARKNEWS_INFLIGHT_TIMEOUT=0.2)
    worker.enqueue_request(_request("http://zone.example/a.html"))
    worker.next_request()
    worker._on_beat()
    assert redis_server.client.hlen(keys.inflight("w1")) == 1  # not yet
    time.sleep(0.3)
    worker._on_beat()
    assert redis_server.client.hlen(keys.inflight("w1")) == 0
    assert worker.next_request().url == "http://zone.example/a.html"
    worker.close("finished")


def test_what_cannot_be_shared_stays_with_the_worker_and_goes_first(redis_server):
    worker = _scheduler(redis_server.url, "w1")
    worker.enqueue_request(_request("http://zone.example/list.html"))
    chain = _request("http://zone.example/a_2.html", dont_filter=True, meta={"pn_article_pages": {"item": object()}})
    assert to_json(chain, worker.spider, "x") is None
    assert worker.enqueue_request(chain)
    assert redis_server.client.llen(keys.FRONTIER) == 1
    assert worker.has_pending_requests() and len(worker) == 2
    assert worker.next_request() is chain
    assert worker.crawler.stats.get_value("parknews/distributed/local") == 1
    worker.close("finished")


def test_closing_hands_back_what_the_worker_held(redis_server):
    worker = _scheduler(redis_server.url, "w1")
    worker.enqueue_request(_request("http://zone.example/a.html"))
    worker.next_request()
    worker.close("shutdown")
    client = redis_server.client
    assert client.exists(keys.inflight("w1"), keys.heartbeat("w1")) == 0
    assert json.loads(client.lindex(keys.FRONTIER, 0))["url"] == "http://zone.example/a.html"


def test_a_post_body_round_trips(redis_server):
    spider = ZoneSpider()
    request = scrapy.Request("http://zone.example/search", method="POST", body=b"q=\xe5\x9b\xad",
                             callback=spider.parse_list)
    back = from_json(to_json(request, spider, "fp"), spider)
    assert back.method == "POST" and back.body == b"q=\xe5\x9b\xad"


def test_the_fixture_runs_a_real_server_without_persistence(redis_server):
    client = redis_server.client
    assert client.info("server")["tcp_port"] == redis_server.port
    assert client.config_get("save") == {"save": ""} and client.config_get("appendonly") == {"appendonly": "no"}


def test_an_unreachable_redis_is_one_line_naming_the_url():
    from crawler.distributed.connection import RedisUnavailable, connect
    with pytest.raises(RedisUnavailable, match=r"^--redis redis://127\.0\.0\.1:1/0: Redis does not answer"):
        connect("redis://127.0.0.1:1/0")
