"""Anti-bot answers: is a response a script challenge or a captcha page rather than the page?

Pure: (HTTP status, headers, body bytes) -> a reason string or None. Recognised:
  - "http 412 script challenge" / "http 521 script challenge": a 412 (Ruishu/瑞数 style) or a
    521 (Jiasule/加速乐, Cloudflare) whose body is a small page that is mostly script, setting a
    cookie (`document.cookie=`) or reloading (`location.reload`, `location.href=`, `eval(`);
  - "captcha page": a 200/403/412/429/521 page that asks for a captcha or says the visitor is
    too frequent (验证码 prompts, 滑块验证, 安全验证, 访问过于频繁, geetest/captcha widgets)
    and has little text besides; an article that merely mentions 验证码 in its text is not one.
"""
from __future__ import annotations

import re

# A challenge or captcha page is small; a real article page with the same words is not.
_MAX_CHALLENGE_BYTES = 64 * 1024
_MAX_CAPTCHA_TEXT = 400  # visible characters of a captcha page (its prompt, a button, a footer)

_SCRIPT = re.compile(rb"<script\b[^>]*>(.*?)</script\s*>", re.I | re.S)
_TAGS = re.compile(rb"<[^>]+>")
_CHALLENGE_JS = re.compile(rb"document\.cookie\s*=|location\.reload|location\.href\s*=|"
                           rb"location\.replace|window\.location\s*=|\beval\s*\(", re.I)
# widgets and prompts, not the bare word 验证码 in a sentence
_CAPTCHA_MARKERS = re.compile(
    "请输入验证码|输入验证码|滑块验证|拖动滑块|向右滑动|安全验证|人机验证|访问过于频繁|请求过于频繁|"
    "访问频率过高|geetest|gt_captcha|class=[\"'][^\"']*captcha|id=[\"'][^\"']*captcha|"
    "captcha\\.js|recaptcha|hcaptcha|cf-challenge|challenge-platform", re.I)


def _text(body: bytes) -> str:
    """The page's visible text (scripts, styles and tags removed), as UTF-8 or GB18030."""
    stripped = re.sub(rb"<(script|style)\b.*?</\1\s*>", b" ", body, flags=re.I | re.S)
    stripped = _TAGS.sub(b" ", stripped)
    for encoding in ("utf-8", "gb18030"):
        try:
            text = stripped.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = stripped.decode("utf-8", "replace")
    return re.sub(r"\s+|&nbsp;", "", text)


def _decode(body: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("utf-8", "replace")


def script_challenge(body: bytes) -> bool:
    """A small page that is mostly script setting a cookie or reloading itself."""
    if not body or len(body) > _MAX_CHALLENGE_BYTES:
        return False
    scripts = b"".join(m.group(1) for m in _SCRIPT.finditer(body))
    # an external script (Ruishu loads its code from a .js URL) counts as script too
    external = re.search(rb"<script\b[^>]*\bsrc=", body, re.I) is not None
    if not (_CHALLENGE_JS.search(scripts) or (external and len(_text(body)) < 40)):
        return False
    return len(_text(body)) < 200


def captcha_page(body: bytes) -> bool:
    """A page asking for a captcha (or saying the visitor is too frequent) with little else."""
    if not body or len(body) > _MAX_CHALLENGE_BYTES * 4:
        return False
    if not _CAPTCHA_MARKERS.search(_decode(body)):
        return False
    return len(_text(body)) <= _MAX_CAPTCHA_TEXT


def blocked_reason(status: int, headers: dict | None, body: bytes) -> str | None:
    """Why a response is an anti-bot answer rather than the page, or None. `headers` is unused
    today (kept in the signature so a header rule, e.g. a WAF's Server name, needs no change
    of callers)."""
    if status in (412, 521) and script_challenge(body):
        return f"http {status} script challenge"
    if status in (200, 403, 412, 429, 521) and captcha_page(body):
        return "captcha page"
    return None
