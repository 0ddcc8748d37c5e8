"""The per-site run lock across machines (crawler/distributed/lock.py) against a real
redis-server: one holder at a time, renewed and released only by its holder, taken over once
it expired."""
import time

import pytest

from pn_redis import redis_server  # noqa: F401 (the fixture)

from crawler.distributed import keys
from crawler.distributed.lock import RedisSiteLock, SiteLockBusy


def test_one_holder_at_a_time_and_the_busy_message_names_site_and_holder(redis_server):
    client = redis_server.client
    first = RedisSiteLock(client, "demo", "host-a-1", ttl=30)
    first.acquire()
    assert 0 < client.ttl(keys.lock("demo")) <= 30
    with pytest.raises(SiteLockBusy, match=r"^site demo is being crawled by worker host-a-1 \(parknews:lock:demo"):
        RedisSiteLock(client, "demo", "host-b-2", ttl=30).acquire()
    RedisSiteLock(client, "other", "host-b-2", ttl=30).acquire()  # another site: free
    assert first.release()
    RedisSiteLock(client, "demo", "host-b-2", ttl=30).acquire()


def test_only_the_holder_renews_or_releases_and_an_expired_lock_is_taken_over(redis_server):
    client = redis_server.client
    old = RedisSiteLock(client, "demo", "host-a-1", ttl=1)
    old.acquire()
    client.expire(keys.lock("demo"), 1)
    assert old.renew()
    assert client.ttl(keys.lock("demo")) == 1
    client.delete(keys.lock("demo"))  # it expired: the holder stopped renewing
    new = RedisSiteLock(client, "demo", "host-b-2", ttl=30)
    new.acquire()
    assert not old.renew() and not old.release()  # no longer theirs: the new holder keeps it
    assert client.ttl(keys.lock("demo")) > 1
    assert new.renew() and new.release()
    assert client.exists(keys.lock("demo")) == 0


def test_a_lock_not_renewed_expires_by_itself(redis_server):
    lock = RedisSiteLock(redis_server.client, "demo", "host-a-1", ttl=1)
    lock.acquire()
    time.sleep(1.2)
    RedisSiteLock(redis_server.client, "demo", "host-b-2", ttl=30).acquire()
