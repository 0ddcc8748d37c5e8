"""Images of the article body: absolute src (lazy-load attributes too) and a caption when shown."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from .dom import img_src, norm_ws, text_of

_SKIP_SRC_RE = re.compile(r"icon|logo|avatar|qrcode|erweima|loading|blank\.|spacer|pixel|1x1|emoji|share|arrow|btn", re.I)


def _small(img) -> bool:
    for a in ("width", "height"):
        v = (img.get(a) or "").strip().rstrip("px")
        if v.isdigit() and int(v) < 40:
            return True
    return False


def extract_images(container, body_lines, base_url: str, heading_flags=None) -> list[dict]:
    from .sections import _is_caption

    caption_of = {}
    for i, line in enumerate(body_lines):
        if heading_flags is not None and i < len(heading_flags) and heading_flags[i]:
            continue
        if line.imgs and line.n <= 60 and _is_caption(line):
            caption_of.setdefault(id(line.imgs[-1]), line.text)
    out, seen = [], set()
    if container is None:
        return out
    conts = container if isinstance(container, list) else [container]
    for img in (i for c in conts for i in c.iter("img")):
        src = img_src(img)
        if not src or _small(img) or _SKIP_SRC_RE.search(src):
            continue
        absu = urljoin(base_url, src) if base_url else src
        if absu.startswith("//"):
            absu = "https:" + absu
        if not absu.startswith(("http://", "https://")):
            continue
        if absu in seen:
            continue
        seen.add(absu)
        cap = None
        fig = img.getparent()
        while fig is not None and fig.tag not in ("figure", "body"):
            fig = fig.getparent() if fig.tag in ("a", "span", "p", "div") and all(fig is not c for c in conts) else None
        if fig is not None and fig.tag == "figure":
            fc = fig.find(".//figcaption")
            if fc is not None:
                cap = norm_ws(text_of(fc)) or None
        if cap is None:
            cap = caption_of.get(id(img))
        out.append({"src": absu, "caption": cap})
    return out
