"""A Scrapy request as the JSON the frontier holds, and back (scrapy-redis pickles requests;
a pickle from another machine runs code, and cannot be read by anything but Python).

{"url", "method", "headers": {name: [values]}, "meta": {...}, "priority", "site",
 "fingerprint", "callback", "errback", "dont_filter", "cb_kwargs", "body_b64"?}

Only requests whose meta (less the keys Scrapy or the capture sets for one download) and
cb_kwargs are plain JSON, and whose callbacks are methods of the spider, can be shared:
`to_json` returns None for the others (a multi-page article's chain carries page 1's fetched
page in its meta, spiders/pages.py), which the scheduler keeps in the worker's own queue.
"""
from __future__ import annotations

import base64
import json
from typing import Any

from scrapy import Request
from scrapy.utils.request import request_from_dict

# meta keys that describe one download, not the request: recomputed by the worker that takes it
TRANSIENT_META = frozenset({"download_slot", "download_latency", "parknews_capture"})


def _plain(value: Any) -> bool:
    try:
        return json.loads(json.dumps(value, ensure_ascii=False)) == value
    except (TypeError, ValueError):
        return False


def to_json(request: Request, spider, fingerprint: str) -> str | None:
    """The request as one JSON text, or None when it cannot be shared (see the module)."""
    try:
        data = request.to_dict(spider=spider)
    except ValueError:  # a callback that is not a method of the spider
        return None
    meta = {k: v for k, v in data["meta"].items() if k not in TRANSIENT_META and not k.startswith("_")}
    if not _plain(meta) or not _plain(data["cb_kwargs"]):
        return None
    out = {
        "url": data["url"],
        "method": data["method"],
        "headers": {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in data["headers"].items()},
        "meta": meta,
        "priority": data["priority"],
        "site": getattr(spider, "site_name", None) or spider.name,
        "fingerprint": fingerprint,
        "callback": data["callback"],
        "errback": data["errback"],
        "dont_filter": data["dont_filter"],
        "cb_kwargs": data["cb_kwargs"],
    }
    if data["body"]:
        out["body_b64"] = base64.b64encode(data["body"]).decode("ascii")
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def from_json(text: str | bytes, spider) -> Request:
    data = json.loads(text)
    return request_from_dict({
        "url": data["url"],
        "method": data.get("method", "GET"),
        "headers": {k: v for k, v in (data.get("headers") or {}).items()},
        "body": base64.b64decode(data["body_b64"]) if data.get("body_b64") else b"",
        "meta": data.get("meta") or {},
        "priority": data.get("priority", 0),
        "callback": data.get("callback"),
        "errback": data.get("errback"),
        "dont_filter": data.get("dont_filter", False),
        "cb_kwargs": data.get("cb_kwargs") or {},
    }, spider=spider)


def fingerprint_of(text: str | bytes) -> str:
    return json.loads(text)["fingerprint"]
