"""The Redis client of a distributed crawl (PARKNEWS_REDIS_URL) and the one-line error when it
cannot be reached."""
from __future__ import annotations


class RedisUnavailable(Exception):
    """Redis at the URL does not answer (a one-line message naming the URL)."""


def connect(url: str):
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
        client.ping()
    except ValueError as exc:  # not a redis:// URL
        raise RedisUnavailable(f"--redis {url}: {exc}") from None
    except redis.RedisError as exc:
        raise RedisUnavailable(f"--redis {url}: Redis does not answer ({exc})") from None
    return client


def redis_of(settings):
    url = settings.get("PARKNEWS_REDIS_URL")
    if not url:
        raise RedisUnavailable("PARKNEWS_REDIS_URL is not set (parknews worker --redis URL)")
    return connect(url)
