"""The demo site's anti-bot shape: one article link that answers HTTP 412 with a script challenge
in the Ruishu/瑞数 style (a tiny page of obfuscated script setting `$_ts` and loading a .js file,
nothing else), as some government portals answer a crawler.

`demo_shape()` is what build_demo_site adds: the page, the manifest entry (path, title,
blocked_reason, stores 0: a crawl records it in fetch_failures, stores no article) and the
home-page link. The crawl counts it (`blocked answers: 1 (http 412 script challenge)`), does not
retry it, and the run stays ok: one blocked page among many good ones (crawler/blocked.py).
"""
from __future__ import annotations

import html
from typing import Any

from .server import Page

DEMO_PATH = "/news/2024-06/27/content_40230412.html"
DEMO_TITLE = "临江经开区召开重点项目建设推进会"
REASON = "http 412 script challenge"

CHALLENGE_BODY = (
    b'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    b'<meta id="dR7kWq2ZtLpA" content="p3VxQ9.mK0eYw1">'
    b'<script type="text/javascript" r="m">$_ts=window[\'$_ts\'];if(!$_ts)$_ts={};$_ts.nsd=40412;'
    b'$_ts.cd="rqAlcrGWmsAEqGqWr1AEcqkWDGLtqGVEEqAlDa";</script>'
    b'<script type="text/javascript" charset="utf-8" src="/Zk7pQw3Tn/c.Hd82Ls.js" r="m"></script>'
    b'</head><body></body></html>'
)


def challenge_page() -> Page:
    return Page(412, CHALLENGE_BODY, {"Content-Type": "text/html; charset=utf-8"})


def demo_shape() -> tuple[dict[str, Page], dict[str, Any], str]:
    manifest = {"path": DEMO_PATH, "title": DEMO_TITLE, "blocked_reason": REASON, "stores": 0}
    link = (f'<li><a href="{html.escape(DEMO_PATH)}" target="_blank">{html.escape(DEMO_TITLE)}</a>'
            '<span class="date">2024-06-27</span></li>')
    return {DEMO_PATH: challenge_page()}, manifest, link
