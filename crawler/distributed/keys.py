"""The Redis keys of a distributed crawl: what workers and the writer share (README "Across
machines"). Every value is JSON (crawler/distributed/requests.py), never a pickle."""
from __future__ import annotations

FRONTIER = "parknews:frontier"         # list of JSON requests: LPUSH, popped from the right (FIFO)
SEEN = "parknews:seen"                 # set of Scrapy request fingerprints (hex): the dupefilter
INFLIGHT_PREFIX = "parknews:inflight:"  # + worker: hash fingerprint -> {"request", "taken_at"}
WORKER_PREFIX = "parknews:worker:"     # + worker: its heartbeat (SET EX); gone = the worker is dead
LOCK_PREFIX = "parknews:lock:"         # + site: the site's run lock (SET NX EX, renewed)
ITEMS = "parknews:items"               # list of JSON messages for the writer (crawler/distributed/itemqueue.py)
TAKEN_PREFIX = "parknews:items:taken:"  # + writer: the batch it took and has not committed yet


def inflight(worker: str) -> str:
    return INFLIGHT_PREFIX + worker


def heartbeat(worker: str) -> str:
    return WORKER_PREFIX + worker


def taken(writer: str) -> str:
    return TAKEN_PREFIX + writer


def lock(site: str) -> str:
    return LOCK_PREFIX + site
