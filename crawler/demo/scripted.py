"""A script-rendered article (issue 12): the page the server sends is an empty shell; an inline
script fetches the article as JSON from the same site (XHR) and writes its title, date line and
body into the DOM. Only a browser sees the text (site file `render = "browser"`, crawler/render.py)."""
from __future__ import annotations

import json
from html import escape as _e
from typing import Any

from .server import Page

DEMO_PATH = "/news/2024-06/30/content_40239001.html"
DEMO_TITLE = "南湖高新区“智慧园区”平台上线 企业办事全程网上办"
_PARAGRAPHS = [
    "6月30日，南湖高新区“智慧园区”综合服务平台正式上线运行，区内企业的入驻登记、项目申报、"
    "政策兑现等四十余项事务实现全程网上办理。",
    "平台整合了园区管委会各部门的业务系统，企业只需一次登录即可查询办理进度，平均办理时间由"
    "原来的五个工作日缩短至两个工作日以内。",
    "南湖高新区管委会有关负责人表示，下一步将继续完善平台功能，推动更多涉企服务事项接入，"
    "打造审批事项少、办事效率高、服务质量优的营商环境。",
]


def scripted_article(path: str = DEMO_PATH, *, title: str = DEMO_TITLE, day: str = "2024-06-30 09:30",
                     source: str = "南湖高新区管委会", author: str = "刘洋", editor: str = "陈静",
                     paragraphs: list[str] | None = None) -> tuple[dict[str, Page], dict[str, Any]]:
    """The shell at `path` and its JSON at `path` with .json for .html; the manifest names what
    the rendered page holds."""
    paras = list(paragraphs or _PARAGRAPHS)
    data_path = path.rsplit(".", 1)[0] + ".json"
    data = {"title": title, "date": day, "source": source, "author": author, "editor": editor, "paragraphs": paras}
    script = (
        "fetch(" + json.dumps(data_path) + ").then(r => r.json()).then(a => {"
        " const esc = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');"
        " document.getElementById('app').innerHTML ="
        " '<h1 class=\"articleTitle\">' + esc(a.title) + '</h1>'"
        " + '<div class=\"info\">发布时间：' + a.date + '  来源：' + esc(a.source) + '  作者：' + esc(a.author) + '</div>'"
        " + '<div id=\"articleBody\" class=\"articleBody\">' + a.paragraphs.map(p => '<p>' + esc(p) + '</p>').join('')"
        " + '<p class=\"editor\">（责任编辑：' + esc(a.editor) + '）</p></div>'; });"
    )
    shell = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_e(title)}_中国网园区</title></head><body>"
        '<div class="nav"><a href="/">首页</a> <a href="/news/index.html">园区动态</a></div>'
        '<div class="article" id="app"><p class="loading">正在加载……</p></div>'
        '<div class="footer"><p>Copyright &copy; 2024 中国网园区 版权所有</p></div>'
        f"<script>{script}</script></body></html>\n"
    )
    pages = {
        path: Page.html(shell),
        data_path: Page(200, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                        {"Content-Type": "application/json; charset=utf-8"}),
    }
    manifest = {"path": path, "data_path": data_path, "title": title, "published_at": day, "source": source,
                "author": author, "editor": editor, "body_text": "\n".join(paras), "kind": "scripted"}
    return pages, manifest
