"""The item queue (keys.ITEMS): what workers hand the one writer, as JSON messages
{v: 1, kind, run, worker, site, url, seen_at, record, capture, reason, detail, status, stats}.

The writer takes a batch by moving messages (LMOVE, one by one, each atomic) into its own
taken list (keys.taken(writer)); it stores them, commits, and only then `ack`s, which deletes
the taken list. A writer killed in between finds the batch still there when it restarts
(`taken`), and stores it again: the store is idempotent (the same URL and text is unchanged).
"""
from __future__ import annotations

import json
import time

from . import keys

VERSION = 1
KINDS = ("parsed", "refused", "failure", "run_open", "run_close")
FIELDS = ("run", "worker", "site", "url", "seen_at", "record", "capture", "reason", "detail", "status", "stats")


class BadMessage(ValueError):
    """A message the writer cannot take (one line: which message, what is wrong)."""


def message(kind: str, *, worker: str, site: str, run: str, **fields) -> str:
    """One message as JSON; every field of FIELDS is present (null when not given)."""
    unknown = set(fields) - set(FIELDS)
    if kind not in KINDS or unknown:
        raise BadMessage(f"item message: kind {kind!r}" + (f", unknown fields {sorted(unknown)}" if unknown else ""))
    body = {k: None for k in FIELDS}
    body.update(fields, run=run, worker=worker, site=site)
    if body["seen_at"] is None:
        body["seen_at"] = round(time.time(), 3)
    return json.dumps({"v": VERSION, "kind": kind, **body}, ensure_ascii=False, sort_keys=True)


def read(raw: bytes | str) -> dict:
    """A message taken from the queue, checked: version and kind known, JSON object."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise BadMessage(f"item message is not JSON ({exc}): {str(raw)[:80]!r}") from None
    if not isinstance(data, dict) or data.get("v") != VERSION or data.get("kind") not in KINDS:
        what = (data.get("v"), data.get("kind")) if isinstance(data, dict) else type(data).__name__
        raise BadMessage(f"item message {what!r}: this writer reads v{VERSION} {'/'.join(KINDS)}")
    return data


class ItemQueue:
    def __init__(self, client):
        self.client = client

    def push(self, text: str) -> None:
        self.client.lpush(keys.ITEMS, text)

    def __len__(self) -> int:
        return self.client.llen(keys.ITEMS)

    def take(self, writer: str, size: int) -> list[bytes]:
        """Up to `size` messages, oldest first, moved into the writer's taken list (its batch; the
        writer acknowledges one batch before it takes the next)."""
        out = []
        for _ in range(size):
            raw = self.client.lmove(keys.ITEMS, keys.taken(writer), "RIGHT", "LEFT")
            if raw is None:
                break
            out.append(raw)
        return out

    def taken(self, writer: str) -> list[bytes]:
        """What the writer took and did not acknowledge (a restart stores it again), oldest first."""
        return list(reversed(self.client.lrange(keys.taken(writer), 0, -1)))

    def ack(self, writer: str) -> None:
        """The batch is committed: forget it."""
        self.client.delete(keys.taken(writer))
