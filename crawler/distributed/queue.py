"""The frontier (keys.FRONTIER) and one worker's in-flight hash (keys.inflight(worker)).

scrapy-redis pops destructively: a worker killed between the pop and the end of the page loses
the request. Here a pop moves the request, atomically (one Lua script), into the worker's
in-flight hash (fingerprint -> {"request": JSON, "taken_at": epoch seconds}); `ack` removes it
once the response (or the final failure) has been handled. What a dead worker held goes back
to the frontier (`requeue_dead`, at a worker's start: dead = its heartbeat key expired), and so
does an entry older than the in-flight timeout (`requeue_stale`). Re-queued requests go to the
popping end: they are taken next.
"""
from __future__ import annotations

import json
import time

from scrapy_redis.queue import Base

from . import keys
from .requests import from_json

# KEYS: frontier, inflight; ARGV: now. The popped request, moved into the in-flight hash.
_POP = """
local data = redis.call('RPOP', KEYS[1])
if not data then return false end
local fp = cjson.decode(data)['fingerprint']
redis.call('HSET', KEYS[2], fp, cjson.encode({request = data, taken_at = tonumber(ARGV[1])}))
return data
"""
# KEYS: inflight, frontier, heartbeat; the dead worker's entries back to the frontier (none
# while its heartbeat lives: the check and the move are one step, two starting workers race safely)
_REQUEUE_DEAD = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local entries = redis.call('HVALS', KEYS[1])
for _, entry in ipairs(entries) do
  redis.call('RPUSH', KEYS[2], cjson.decode(entry)['request'])
end
redis.call('DEL', KEYS[1])
return #entries
"""
# KEYS: inflight, frontier; ARGV: cutoff (epoch seconds). Entries taken before it, back.
_REQUEUE_STALE = """
local moved = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local entry = cjson.decode(all[i + 1])
  if entry['taken_at'] < tonumber(ARGV[1]) then
    redis.call('RPUSH', KEYS[2], entry['request'])
    redis.call('HDEL', KEYS[1], all[i])
    moved = moved + 1
  end
end
return moved
"""


class FrontierQueue(Base):
    """A FIFO list of JSON requests shared by every worker, with `worker`'s in-flight hash."""

    def __init__(self, server, spider, key: str = keys.FRONTIER, serializer=json, *, worker: str):
        super().__init__(server, spider, key, serializer=serializer)
        self.worker = worker
        self.inflight_key = keys.inflight(worker)
        self._pop = server.register_script(_POP)
        self._requeue_dead = server.register_script(_REQUEUE_DEAD)
        self._requeue_stale = server.register_script(_REQUEUE_STALE)

    def __len__(self) -> int:
        return self.server.llen(self.key)

    def push(self, request):  # scrapy-redis's interface; the scheduler pushes JSON it made
        raise TypeError("FrontierQueue.push_json takes the request's JSON (crawler/distributed/requests.py)")

    def push_json(self, data: str) -> None:
        self.server.lpush(self.key, data)

    def pop(self, timeout=0):
        """The next request (now in this worker's in-flight hash), or None."""
        data = self._pop(keys=[self.key, self.inflight_key], args=[time.time()])
        return from_json(data, self.spider) if data else None

    def ack(self, fingerprint: str) -> None:
        self.server.hdel(self.inflight_key, fingerprint)

    def inflight_count(self) -> int:
        return self.server.hlen(self.inflight_key)

    def requeue_dead(self) -> int:
        """Re-queue the in-flight requests of every worker whose heartbeat has expired."""
        moved = 0
        for key in self.server.scan_iter(match=keys.INFLIGHT_PREFIX + "*", count=100):
            worker = key.decode()[len(keys.INFLIGHT_PREFIX):]
            if worker == self.worker:
                continue
            moved += int(self._requeue_dead(keys=[key, self.key, keys.heartbeat(worker)]))
        return moved

    def requeue_stale(self, timeout: float) -> int:
        """Re-queue every worker's in-flight requests taken more than `timeout` seconds ago."""
        cutoff = time.time() - timeout
        moved = 0
        for key in self.server.scan_iter(match=keys.INFLIGHT_PREFIX + "*", count=100):
            moved += int(self._requeue_stale(keys=[key, self.key], args=[cutoff]))
        return moved

    def inflight_anywhere(self) -> int:
        """In-flight requests of every worker (a live one may still add links)."""
        return sum(self.server.hlen(k) for k in self.server.scan_iter(match=keys.INFLIGHT_PREFIX + "*", count=100))
