"""The demo site's multi-page shape: an article split over several pages with its own pager,
modelled on the templates of Chinese government and park portals (TRS/WCM content_123_2.htm
pagers, index.html -> index_1.html folders, 上一页 1 2 3 下一页 under the body).

`multipage_article(first_path, ...)` returns the pages (path -> Page) and a manifest entry:
path, pages (every page path, in order), title, published_at, source, author, editor, sections,
body_text (the pages' paragraphs in order, the editor line excluded). `demo_shape()` is the
three-page article at `DEMO_PATH` that build_demo_site links from its home page; the tests build
more of them (the two URL shapes; pagers with numbers, with rel="next" only, with 上一页/下一页 text only, a
loop pager) and crawl them (tests/crawl/test_multipage_crawl.py).
"""
from __future__ import annotations

import html
import re
from typing import Any

from .server import Page

DEMO_PATH = "/news/2024-06/28/content_40230001.html"
DEMO_TITLE = "临江经开区发布《关于支持先进制造业高质量发展的若干政策措施》全文"

_PARAGRAPHS = [
    "为深入贯彻落实制造强国战略，加快推动临江经济技术开发区先进制造业高质量发展，结合园区实际，管委会日前印发若干政策措施，现将全文发布如下。",
    "第一条 支持企业技术改造。对年度设备投资额在五百万元以上的技术改造项目，按设备投资额的百分之十给予补助，单个项目最高补助一千万元。",
    "第二条 支持企业智能化改造。对新认定的智能工厂、数字化车间，分别给予一次性奖励三百万元和一百万元，鼓励企业建设工业互联网平台。",
    "第三条 支持首台套产品推广应用。对首次投放市场的重大技术装备产品，按单台套销售价格的百分之二十给予奖励，最高不超过五百万元。",
    "第四条 支持企业做大做强。对年主营业务收入首次突破十亿元、五十亿元、一百亿元的工业企业，分别给予经营团队一次性奖励。",
    "第五条 支持专精特新企业发展。对新认定的国家级专精特新“小巨人”企业，给予一次性奖励一百万元；对省级专精特新企业给予三十万元奖励。",
    "第六条 支持创新平台建设。对新获批的国家级制造业创新中心、企业技术中心，分别给予最高一千万元和五百万元的资金支持。",
    "第七条 强化要素保障。园区每年安排不少于一千亩工业用地用于先进制造业项目，优先保障重大项目用能、用水和用电需求。",
    "第八条 优化人才服务。对先进制造业企业引进的高层次人才，在住房、子女入学、医疗保健等方面提供一站式服务保障。",
    "第九条 本政策措施自印发之日起施行，有效期三年。此前园区出台的相关政策与本措施不一致的，以本措施为准。",
]


def _e(s: str) -> str:
    return html.escape(s, quote=True)


def page_paths(first_path: str, n: int, shape: str = "suffix") -> list[str]:
    """content_1.html, content_1_2.html, … ("suffix"); index.html, index_1.html, … ("index")."""
    stem, ext = first_path.rsplit(".", 1)
    if shape == "index":
        return [first_path] + [f"{stem}_{k}.{ext}" for k in range(1, n)]
    return [first_path] + [f"{stem}_{k}.{ext}" for k in range(2, n + 1)]


def _pager(paths: list[str], k: int, style: str) -> str:
    """The pager under the body of page k (0-based) in one of the styles."""
    name = lambda j: paths[j].rsplit("/", 1)[1]  # noqa: E731 (relative links, as the templates write them)
    n = len(paths)
    # "rel": only rel=prev/next arrows; "text": 上一页/下一页 text only
    arrows = {"rel": ('<a rel="prev" href="{}">&lt;&lt;</a>', '<a rel="next" href="{}">&gt;&gt;</a>',
                      '<div class="pagination">{}</div>', " "),
              "text": ('<a href="{}">上一页</a>', '<a href="{}">下一页</a>',
                       '<p class="fenye" align="center">{}</p>', "&nbsp;&nbsp;")}
    if style in arrows:
        prev, nxt, box, sep = arrows[style]
        parts = ([prev.format(name(k - 1))] if k > 0 else []) + ([nxt.format(name(k + 1))] if k < n - 1 else [])
        return box.format(sep.join(parts))
    if style == "loop":  # the last page's 下一页 leads back to page 1
        nxt = name(k + 1) if k < n - 1 else name(0)
        return f'<div class="page"><a href="{nxt}">下一页</a></div>'
    parts = []  # "numbers": 上一页 1 2 3 下一页 (TRS createPageHTML)
    if k > 0:
        parts.append(f'<a href="{name(k - 1)}">上一页</a>')
    for j in range(n):
        parts.append(f'<span class="current">{j + 1}</span>' if j == k else f'<a href="{name(j)}">{j + 1}</a>')
    if k < n - 1:
        parts.append(f'<a href="{name(k + 1)}">下一页</a>')
    return '<div class="page" id="pageNav">' + " ".join(parts) + "</div>"


def multipage_article(first_path: str = DEMO_PATH, *, n: int = 3, shape: str = "suffix", pager: str = "numbers",
                      title: str = DEMO_TITLE, day: str = "2024-06-28", source: str = "临江经开区管委会",
                      author: str = "周明", editor: str = "李娜",
                      paragraphs: list[str] | None = None) -> tuple[dict[str, Page], dict[str, Any]]:
    """The pages of one n-page article and its manifest entry (see the module doc)."""
    paras = list(paragraphs or _PARAGRAPHS)
    paths = page_paths(first_path, n, shape)
    per = -(-len(paras) // n)
    chunks = [paras[k * per:(k + 1) * per] for k in range(n)]
    pages: dict[str, Page] = {}
    for k, path in enumerate(paths):
        body = "".join(f"<p>{_e(p)}</p>" for p in chunks[k])
        if k == n - 1:
            body += f'<p class="editor">（责任编辑：{_e(editor)}）</p>'
        text = (
            '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{_e(title)}_中国网园区</title></head><body>"
            '<div class="nav"><a href="/">首页</a> <a href="/news/index.html">园区动态</a></div>'
            '<div class="article">'
            f'<h1 class="articleTitle">{_e(title)}</h1>'
            f'<div class="info">发布时间：{day}  来源：{_e(source)}  作者：{_e(author)}</div>'
            f'<div id="articleBody" class="articleBody">{body}</div>'
            f"{_pager(paths, k, pager)}"
            '<div class="related"><h3>上一篇/下一篇</h3>'
            '<p><a href="content_40229999.html">上一篇：临江经开区召开一季度经济运行分析会</a></p></div>'
            "</div>"
            '<div class="footer"><p>Copyright &copy; 2024 中国网园区 版权所有</p></div>'
            "</body></html>\n"
        )
        pages[path] = Page.html(text)
    manifest = {
        "path": first_path,
        "pages": paths,
        "title": title,
        "published_at": day,
        "source": source,
        "author": author,
        "editor": editor,
        "body_text": "\n".join(paras),
        "kind": "multipage",
    }
    return pages, manifest


def demo_shape() -> tuple[dict[str, Page], dict[str, Any], str]:
    """What build_demo_site adds: the pages, the manifest entry (expected["multipage"]) and the
    home-page link to page 1."""
    pages, manifest = multipage_article()
    manifest["stores"] = 1
    link = (f'<li><a href="{_e(DEMO_PATH)}" target="_blank">{_e(DEMO_TITLE)}</a>'
            '<span class="date">2024-06-28</span></li>')
    return pages, manifest, link


def add_link(page: Page, link: str) -> Page:
    """`page` (an HTML list or home page) with `link` added at the top of its first <ul>."""
    text = page.body.decode("utf-8")
    text = re.sub(r"<ul>", "<ul>" + link, text, count=1)
    return Page(page.status, text.encode("utf-8"), dict(page.headers), page.delay)
