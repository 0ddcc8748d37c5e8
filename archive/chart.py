"""`parknews stats --chart`: a PNG bar chart of articles per month, one stacked colour per site,
labelled in Chinese (the sites' titles) with a CJK font.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs: every Chinese character would be
drawn as an empty box. The font is therefore found by file path (`cjk_font()`): the
`PARKNEWS_CJK_FONT` environment variable, then the Debian packages' files (`fonts-noto-cjk`,
`fonts-wqy-zenhei`, `fonts-wqy-microhei`; `.ci/run` and the README's setup install
fonts-noto-cjk), then any font matplotlib already knows whose name is a CJK family. Without
one the chart is drawn with the sites' names and English labels only, and says so (`PARKNEWS_CJK_FONT=none`
asks for that).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .readers import per_month_per_site

__all__ = ["CJK_FONT_FILES", "ChartError", "ChartResult", "cjk_font", "write_chart"]

# Debian's CJK font files, best first (the Simplified Chinese face is picked inside a collection).
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",   # fonts-noto-cjk
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",             # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",           # fonts-wqy-microhei
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",  # fonts-noto-cjk (serif)
)
_CJK_FAMILY_WORDS = ("CJK SC", "CJK", "WenQuanYi", "Source Han Sans", "PingFang", "Heiti", "YaHei",
                     "SimHei", "Hiragino Sans GB")
_MAX_TICK_LABELS = 36


class ChartError(ValueError):
    """A chart that cannot be drawn as asked (a one-line message)."""


@dataclass(frozen=True)
class CjkFont:
    path: str
    family: str  # the family name matplotlib knows the face by (e.g. "Noto Sans CJK SC")


@dataclass(frozen=True)
class ChartResult:
    months: int
    font: CjkFont | None  # None: no CJK font found, the chart has no Chinese


def _family_in(path: str) -> str | None:
    """Register a font file with matplotlib and return the family to ask for: the Simplified
    Chinese face of a collection when it has one."""
    from matplotlib import font_manager

    known = [f for f in font_manager.fontManager.ttflist if f.fname == path]
    if not known:
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            return None
        known = [f for f in font_manager.fontManager.ttflist if f.fname == path]
    names = [f.name for f in known]
    for name in names:
        if name.endswith(" SC") and "Mono" not in name:
            return name
    return names[0] if names else None


def cjk_font() -> CjkFont | None:
    """The CJK font the chart uses (see the module doc), or None."""
    from matplotlib import font_manager

    wanted = os.environ.get("PARKNEWS_CJK_FONT", "").strip()
    if wanted.lower() == "none":
        return None
    if wanted:
        family = _family_in(wanted) if os.path.isfile(wanted) else None
        if not family:
            raise ChartError(f"PARKNEWS_CJK_FONT={wanted}: not a font file (a .ttf, .otf or .ttc)")
        return CjkFont(wanted, family)
    for path in CJK_FONT_FILES:
        if os.path.isfile(path):
            family = _family_in(path)
            if family:
                return CjkFont(path, family)
    for word in _CJK_FAMILY_WORDS:
        for entry in font_manager.fontManager.ttflist:
            if word in entry.name and os.path.isfile(entry.fname):
                return CjkFont(entry.fname, entry.name)
    return None


def _month_range(months: list[str]) -> list[str]:
    """Every month from the first to the last (empty months drawn as gaps), when they parse."""
    try:
        (y0, m0), (y1, m1) = (map(int, months[0].split("-")), map(int, months[-1].split("-")))
    except (IndexError, ValueError):
        return months
    out = []
    y, m = y0, m0
    while (y, m) <= (y1, m1) and len(out) < 1200:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _label(site: str, titles: dict[str, str], chinese: bool) -> str:
    title = (titles.get(site) or "").strip()
    if chinese and title and title != site:
        return f"{site}: {title}"
    return site


def write_chart(db, path: str, site: str | None = None, *, titles: dict[str, str] | None = None,
                park: str | None = None) -> ChartResult:
    """Draw articles per month (stacked by site) into a PNG at `path`. `titles` maps site names
    to their Chinese titles (the site files' `title`) for the legend and the heading; `park` (a
    canonical park name): only the articles about that park."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    titles = titles or {}
    font = cjk_font()
    chinese = font is not None
    data = per_month_per_site(db, site, park)
    months = _month_range(sorted({m for m, _, _ in data}))
    sites = sorted({s for _, s, _ in data}, key=lambda s: -sum(n for _, t, n in data if t == s))
    counts = {(m, s): n for m, s, n in data}

    rc = {"font.size": 10}
    if font:
        rc["font.family"] = [font.family, "DejaVu Sans"]  # Latin falls back to DejaVu if missing
    with plt.rc_context(rc):
        width = min(max(7.0, 0.32 * len(months) + 3.5), 16.0)
        fig, ax = plt.subplots(figsize=(width, 5.0), dpi=110)
        try:
            bottom = [0] * len(months)
            for s in sites:
                heights = [counts.get((m, s), 0) for m in months]
                ax.bar(range(len(months)), heights, bottom=bottom, label=_label(s, titles, chinese), width=0.8)
                bottom = [b + h for b, h in zip(bottom, heights)]
            ax.set_ylim(0, max(bottom, default=0) * 1.1 + 1)  # room for the totals above the bars
            if len(months) <= 40:
                for x, total in enumerate(bottom):
                    if total:
                        ax.annotate(str(total), (x, total), ha="center", va="bottom", fontsize=8,
                                    xytext=(0, 2), textcoords="offset points")
            step = max(1, -(-len(months) // _MAX_TICK_LABELS))
            ticks = list(range(0, len(months), step))
            ax.set_xticks(ticks)
            ax.set_xticklabels([months[k] for k in ticks], rotation=45, ha="right", fontsize=8)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.margins(x=0.01)
            ax.spines[["top", "right"]].set_visible(False)
            ax.grid(axis="y", alpha=0.3)
            ax.set_axisbelow(True)
            if chinese:
                ax.set_ylabel("文章数 (articles)")
                ax.set_xlabel("发布月份 (month published)")
                heading = ("每月文章数" + (f" · {park}" if park else "")
                           + (f" · {_label(site, titles, True)}" if site else "（按站点）"))
            else:
                ax.set_ylabel("articles")
                ax.set_xlabel("month published")
                heading = "Articles per month" + (f" ({site})" if site else " per site") + (" about one park" if park else "")
            ax.set_title(heading, fontsize=13, pad=10)
            if sites:
                ax.legend(fontsize=9, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22),
                          ncol=min(3, len(sites)))
            fig.tight_layout()
            fig.savefig(path, format="png", bbox_inches="tight", pad_inches=0.2)
        finally:
            plt.close(fig)
    return ChartResult(months=len(months), font=font)
