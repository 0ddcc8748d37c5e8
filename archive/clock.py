"""The archive's timestamps: UTC, ISO 8601 to the second (`2026-01-02T03:04:05+00:00`), as every
first_seen / last_seen / started_at / applied_at column holds them. No archive imports, so
every module may use it."""
from __future__ import annotations

from datetime import datetime, timezone


def now_iso() -> str:
    """Now, as the archive writes it."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
