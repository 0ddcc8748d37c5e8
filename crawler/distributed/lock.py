"""A site's run lock across machines (keys.lock(site)): `SET NX EX`, so two workers never open
the same site's run; renewed while the run is open (`renew`, only by its holder), released by
its holder only (a lock that expired and was taken by another is not theirs to delete). The
compare-and-renew and compare-and-delete are one Lua script each, so a check and its write
cannot interleave with another worker's."""
from __future__ import annotations

import json
import time

from . import keys

# KEYS: lock; ARGV: token, ttl seconds. 1 when the lock is ours and was renewed.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# KEYS: lock; ARGV: token. 1 when the lock was ours and is gone.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class SiteLockBusy(Exception):
    """Another worker holds the site's lock (a one-line message naming the site and holder)."""


class RedisSiteLock:
    def __init__(self, client, site: str, holder: str, ttl: float):
        self.client = client
        self.site = site
        self.key = keys.lock(site)
        self.ttl = max(int(round(ttl)), 1)
        self.token = json.dumps({"holder": holder, "since": round(time.time(), 3)}, sort_keys=True)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def acquire(self) -> None:
        if self.client.set(self.key, self.token, nx=True, ex=self.ttl):
            return
        held = self.client.get(self.key)
        try:
            holder = json.loads(held)["holder"] if held else "?"
        except (ValueError, KeyError, TypeError):
            holder = "?"
        raise SiteLockBusy(f"site {self.site} is being crawled by worker {holder} ({self.key} in Redis; "
                           f"it expires {self.ttl} s after that worker stops renewing it)")

    def renew(self) -> bool:
        """Extend the lock by its ttl; False when it is no longer ours (expired, taken)."""
        return bool(self._renew(keys=[self.key], args=[self.token, self.ttl]))

    def release(self) -> bool:
        return bool(self._release(keys=[self.key], args=[self.token]))
