"""The distributed crawl's scheduler: scrapy-redis's Scheduler with the frontier, seen-set and
in-flight hash of this package (SCHEDULER = "crawler.distributed.scheduler.InflightScheduler",
set by the distributed commands, never by a local crawl).

- enqueue: a shareable request (crawler/distributed/requests.py) is checked against the shared
  seen-set and pushed as JSON; one that cannot be shared (a multi-page article's chain) stays in
  this worker's own queue (`parknews/distributed/local`), which is served first.
- next_request: the worker's own queue, else a pop from the frontier that moves the request
  into this worker's in-flight hash.
- ack: when the engine is done with a request (its output handled, or a redirect/retry
  scheduled in its place), its in-flight entry is removed. The hook is the engine slot's
  remove_request, which Scrapy calls at exactly that point for every scheduled request.
- heartbeat: keys.heartbeat(worker) SET EX PARKNEWS_WORKER_HEARTBEAT, renewed every third of
  it; at open the in-flight entries of dead workers are re-queued, and on every beat those
  older than PARKNEWS_INFLIGHT_TIMEOUT.
- close keeps the frontier and the seen-set (other workers use them): scrapy-redis's
  SCHEDULER_PERSIST, always on. What this worker still holds in flight goes back to the frontier.
"""
from __future__ import annotations

import json
import logging
import os
import socket
from collections import deque

from scrapy_redis.scheduler import Scheduler

from . import keys
from .dupefilter import SeenFilter
from .queue import FrontierQueue
from .requests import to_json

logger = logging.getLogger(__name__)


def default_worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class InflightScheduler(Scheduler):
    def __init__(self, server, crawler, *, worker: str, heartbeat: float, inflight_timeout: float):
        super().__init__(server, persist=True, queue_key=keys.FRONTIER,
                         queue_cls="crawler.distributed.queue.FrontierQueue",
                         dupefilter=SeenFilter.from_crawler(crawler, server), serializer=json)
        self.crawler = crawler
        self.stats = crawler.stats
        self.worker = worker
        self.heartbeat = heartbeat
        self.inflight_timeout = inflight_timeout
        self.local: deque = deque()
        self.taken: dict[str, object] = {}  # fingerprint -> the Request popped (ack by identity)
        self._beat_loop = None

    @classmethod
    def from_crawler(cls, crawler):
        from .connection import redis_of

        s = crawler.settings
        return cls(redis_of(s), crawler, worker=s.get("PARKNEWS_WORKER_NAME") or default_worker_name(),
                   heartbeat=s.getfloat("PARKNEWS_WORKER_HEARTBEAT"),
                   inflight_timeout=s.getfloat("PARKNEWS_INFLIGHT_TIMEOUT"))

    def open(self, spider):
        self.spider = spider
        self.queue = FrontierQueue(self.server, spider, worker=self.worker)
        self.beat()
        moved = self.queue.requeue_dead()
        if moved:
            logger.warning("re-queued %d in-flight requests of dead workers", moved)
            self.stats.inc_value("parknews/distributed/requeued_dead", moved)
        self._hook_ack()
        from twisted.internet import task

        self._beat_loop = task.LoopingCall(self._on_beat)
        self._beat_loop.start(max(self.heartbeat / 3, 0.1), now=False)

    def _hook_ack(self) -> None:
        try:
            engine = self.crawler.engine
        except RuntimeError:  # "not set yet": a scheduler used outside a crawl (the unit tests)
            engine = None
        slot = getattr(engine, "_slot", None)
        if slot is None:  # a scheduler used outside a running engine (the unit tests): ack() by hand
            return
        remove = slot.remove_request

        def remove_request(request):
            try:
                self.ack(request)
            finally:
                remove(request)

        slot.remove_request = remove_request

    def beat(self) -> None:
        self.server.set(keys.heartbeat(self.worker), json.dumps({"pid": os.getpid()}),
                        ex=max(int(round(self.heartbeat)), 1))

    def _on_beat(self) -> None:
        try:
            self.beat()
            moved = self.queue.requeue_stale(self.inflight_timeout)
        except Exception as exc:  # noqa: BLE001 - Redis away for a moment: the next beat tries again
            logger.error("worker heartbeat failed: %s", exc)
            self.stats.inc_value("parknews/distributed/heartbeat_errors")
            return
        if moved:
            logger.warning("re-queued %d in-flight requests older than %g s", moved, self.inflight_timeout)
            self.stats.inc_value("parknews/distributed/requeued_stale", moved)

    def close(self, reason):
        if self._beat_loop is not None and self._beat_loop.running:
            self._beat_loop.stop()
        held = self.server.hvals(self.queue.inflight_key)
        for entry in held:  # handled by nobody: another worker takes them
            self.server.rpush(self.queue.key, json.loads(entry)["request"])
        self.server.delete(self.queue.inflight_key, keys.heartbeat(self.worker))
        self.taken.clear()

    def __len__(self):
        return len(self.local) + len(self.queue)

    def enqueue_request(self, request) -> bool:
        fingerprint = self.df.request_fingerprint(request)
        data = to_json(request, self.spider, fingerprint)
        if data is None:
            self.local.append(request)
            self.stats.inc_value("parknews/distributed/local")
            return True
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push_json(data)
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        if self.local:
            return self.local.popleft()
        request = self.queue.pop()
        if request is None:
            return None
        self.taken[self.df.request_fingerprint(request)] = request
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def ack(self, request) -> None:
        """The engine is done with `request`: its in-flight entry goes (a retry of the same
        fingerprint popped since is another Request object, and keeps its own entry)."""
        fingerprint = self.df.request_fingerprint(request)
        if self.taken.get(fingerprint) is request:
            del self.taken[fingerprint]
            self.queue.ack(fingerprint)
            self.stats.inc_value("parknews/distributed/acked")

    def has_pending_requests(self) -> bool:
        return bool(self.local) or len(self.queue) > 0
