"""Log lines for dropped items and failed pages: one line naming the URL, never the item body."""
from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter


def _item_url(item) -> str:
    if isinstance(item, dict):
        return str(item.get("url", "?"))
    return str(getattr(item, "url", "?"))


class OneLineLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider):
        reason = str(exception)
        # Duplicates and unchanged pages are routine: keep them out of the INFO log.
        level = logging.DEBUG if reason.startswith(("duplicate", "unchanged")) else logging.INFO
        return {
            "level": level,
            "msg": "Skipped %(url)s: %(reason)s",
            "args": {"url": _item_url(item), "reason": reason},
        }

    def scraped(self, item, response, spider):
        return {"level": logging.DEBUG, "msg": "Stored %(url)s", "args": {"url": _item_url(item)}}

    def item_error(self, item, exception, response, spider):
        return {
            "level": logging.ERROR,
            "msg": "Error processing %(url)s: %(error)s",
            "args": {"url": _item_url(item), "error": exception},
        }
