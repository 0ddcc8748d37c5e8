"""The demo site's notice shape: a 园区 notice (通知) whose substance is in its two attachments,
附件1 a PDF (the application guide) and 附件2 a DOCX (the application form), as park and government
portals publish them (TRS-style /uploads/files/…/P0…pdf links in the body, under 附件：).

Both files are made here at run time with nothing a fresh machine lacks: the PDF by
crawler/demo/cjkpdf.py (a standard CJK font, not embedded: no font file needed), the DOCX by
python-docx (a runtime dependency); the same bytes on every build (fixed dates inside). pypdf and
python-docx read their text back (tests/demo/test_demo_notice.py).

`demo_shape()` returns (pages, manifest, home-page link); the manifest is the article's entry (path,
title, published_at, source, author, editor, body_text, "stores": 1) plus `attachments`: per file,
its path, link text, media type and a phrase found only in that file's text.
"""
from __future__ import annotations

import html
import io
import zipfile
from functools import lru_cache
from typing import Any

from .cjkpdf import chinese_pdf
from .server import Page

DEMO_PATH = "/news/2024-07/05/content_40240501.html"
DEMO_TITLE = "关于开展2024年度高新技术企业培育入库申报工作的通知"
DAY = "2024-07-05"
SOURCE = "临江经开区科技创新局"
EDITOR = "王晓"

PDF_PATH = "/uploads/files/2024/07/P020240705391823704512.pdf"
DOCX_PATH = "/uploads/files/2024/07/P020240705391823706135.docx"
PDF_NAME = "附件1：2024年度临江经开区高新技术企业培育入库申报指南.pdf"
DOCX_NAME = "附件2：临江经开区高新技术企业培育入库申报表.docx"
PDF_PHRASE = "首次入库给予一次性奖励十万元"   # only in the PDF's text
DOCX_PHRASE = "所填报内容真实准确完整"       # only in the DOCX's text

_PARAGRAPHS = [
    "各有关企业：",
    "为加快培育一批高新技术企业后备力量，推动园区科技型企业梯次发展，根据《临江经开区高新技术企业培育工作实施办法》，"
    "现就开展2024年度高新技术企业培育入库申报工作通知如下。",
    "一、申报对象。在临江经开区注册、具有独立法人资格的科技型中小企业，具体条件详见附件1。",
    "二、申报方式。申报企业请如实填写申报表（附件2），加盖公章后连同证明材料报送科技创新局。",
    "三、申报时间。2024年7月8日至8月9日，逾期不予受理。",
    "联系人：科技创新局陈工，联系电话：0000-00000000。",
]
_SIGNATURE = ["临江经开区科技创新局", "2024年7月5日"]

PDF_LINES = [
    "2024年度临江经开区高新技术企业培育入库申报指南",
    "一、申报对象",
    "在临江经开区注册一年以上、具有独立法人资格的科技型中小企业。",
    "二、申报条件",
    "1.上一年度研发费用占销售收入的比例不低于百分之三；",
    "2.拥有核心技术的自主知识产权，近三年获得授权专利两项以上；",
    "3.科技人员占企业职工总数的比例不低于百分之十。",
    "三、支持政策",
    f"入库企业享受培育奖励资金，{PDF_PHRASE}。",
    "四、申报时间",
    "2024年7月8日至2024年8月9日，逾期不予受理。",
]
DOCX_TITLE = "临江经开区高新技术企业培育入库申报表"
DOCX_ROWS = [
    ["企业名称", ""],
    ["统一社会信用代码", ""],
    ["注册时间", ""],
    ["上年度研发费用（万元）", ""],
    ["联系人及电话", ""],
]
DOCX_PROMISE = f"申报单位承诺：{DOCX_PHRASE}，如有不实，愿承担相应责任。"

_ZIP_TIME = (2024, 7, 5, 9, 0, 0)


def _e(s: str) -> str:
    return html.escape(s, quote=True)


@lru_cache(maxsize=1)
def notice_pdf() -> bytes:
    return chinese_pdf(PDF_LINES, title="2024年度临江经开区高新技术企业培育入库申报指南")


@lru_cache(maxsize=1)
def notice_docx() -> bytes:
    """The application form: a heading, the form table, the promise (same bytes every build)."""
    from datetime import datetime

    import docx

    document = docx.Document()
    document.core_properties.title = DOCX_TITLE
    document.core_properties.author = SOURCE
    document.core_properties.created = document.core_properties.modified = datetime(*_ZIP_TIME)
    document.add_heading(DOCX_TITLE, level=1)
    table = document.add_table(rows=len(DOCX_ROWS), cols=2)
    for row, cells in zip(table.rows, DOCX_ROWS):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.add_paragraph(DOCX_PROMISE)
    raw = io.BytesIO()
    document.save(raw)
    # python-docx stamps each zip entry with the time of saving: rewrite them with a fixed one
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, _ZIP_TIME), src.read(info), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _page() -> str:
    body = "".join(f"<p>{_e(p)}</p>" for p in _PARAGRAPHS)
    body += "<p>附件：</p>"
    body += "".join(f'<p><a href="{_e(path)}" target="_blank">{_e(name)}</a></p>'
                    for path, name in ((PDF_PATH, PDF_NAME), (DOCX_PATH, DOCX_NAME)))
    body += "".join(f'<p style="text-align: right;">{_e(s)}</p>' for s in _SIGNATURE)
    body += f"<p>（责任编辑：{_e(EDITOR)}）</p>"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_e(DEMO_TITLE)}_中国网园区</title></head><body>"
        '<div class="nav"><a href="/">首页</a> <a href="/news/index.html">园区动态</a> <a href="/">通知公告</a></div>'
        '<div class="article">'
        f'<h1 class="articleTitle">{_e(DEMO_TITLE)}</h1>'
        f'<div class="info">发布时间：{DAY}  来源：{_e(SOURCE)}</div>'
        f'<div id="articleBody" class="articleBody">{body}</div>'
        '<div class="jiucuo">【<a href="javascript:window.print()">打印</a>】 【<a href="javascript:window.close()">关闭</a>】</div>'
        "</div>"
        '<div class="footer"><p>Copyright &copy; 2024 中国网园区 版权所有</p></div>'
        "</body></html>\n"
    )


def demo_shape() -> tuple[dict[str, Page], dict[str, Any], str]:
    """What build_demo_site adds: the notice page and its two files, the manifest entry
    (expected["shapes"]["notice"]) and the home-page link to the notice."""
    from crawler.parsing.attachment_text import DOCX, PDF

    pages = {
        DEMO_PATH: Page.html(_page()),
        PDF_PATH: Page(200, notice_pdf(), {"Content-Type": PDF}),
        DOCX_PATH: Page(200, notice_docx(), {"Content-Type": DOCX}),
    }
    manifest = {
        "path": DEMO_PATH,
        "title": DEMO_TITLE,
        "published_at": DAY,
        "source": SOURCE,
        "author": None,
        "editor": EDITOR,
        # the links' own lines are no body text (a line that is only a link), 附件： is
        "body_text": "\n".join(_PARAGRAPHS + ["附件："] + _SIGNATURE),
        "attachments": [
            {"path": PDF_PATH, "name": PDF_NAME, "media_type": PDF, "phrase": PDF_PHRASE},
            {"path": DOCX_PATH, "name": DOCX_NAME, "media_type": DOCX, "phrase": DOCX_PHRASE},
        ],
        "kind": "notice",
        "stores": 1,
    }
    link = (f'<li><a href="{_e(DEMO_PATH)}" target="_blank">{_e(DEMO_TITLE)}</a>'
            f'<span class="date">{DAY}</span></li>')
    return pages, manifest, link
