"""Distributed crawls on scrapy-redis (issue 11): many workers share one frontier in Redis, one
writer stores what they parse.

keys.py       the Redis keys (the contract every worker and the writer share)
requests.py   a Scrapy request <-> the JSON the frontier holds (never pickle)
dupefilter.py the shared seen-set, keyed by Scrapy's own REQUEST_FINGERPRINTER
queue.py      the frontier and each worker's in-flight hash (pop moves, ack removes, re-queue)
scheduler.py  scrapy-redis's Scheduler with the above, the worker heartbeat and the ack hook
"""
