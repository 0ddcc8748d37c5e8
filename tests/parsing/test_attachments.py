"""Attachments of an article: link detection in and right under the body, and text extraction
from PDF, DOCX and XLSX files made here with fpdf2, python-docx and openpyxl."""
from __future__ import annotations

import io
from pathlib import Path

import lxml.html
import pytest

from crawler.parsing.attachment_text import DOCX, PDF, XLSX, extract_text
from crawler.parsing.attachments import MEDIA_TYPES, find_attachments, media_type_of

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
PDF_WORD = "园区绿化招标公告"


def make_pdf(lines: list[str]) -> bytes:
    """A PDF with the lines as text: Chinese with Noto Sans CJK (fonts-noto-cjk), else the test skips."""
    from fpdf import FPDF

    if not CJK_FONT.exists():
        pytest.skip(f"no CJK font at {CJK_FONT} (Debian fonts-noto-cjk) for a Chinese PDF")
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("noto", fname=str(CJK_FONT), collection_font_number=2)
    pdf.set_font("noto", size=14)
    for line in lines:
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx(rows: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PAGE = """<html><body><div id="nav"><a href="/guide.pdf">指南</a></div>
<div id="body"><p>关于园区绿化工程招标的通知。</p>
<p>附件：<a href="files/plan.pdf">1. 招标文件</a></p>
<p><a href="/files/form.docx#top" title="报名表"></a> <a href="http://other.example/x.XLSX">名单</a></p>
<p><a href="files/plan.pdf">招标文件（重复）</a> <a href="/news/2.html">下一篇</a> <a href="javascript:void(0)">打印</a></p>
</div>
<div class="att"><a href="/down.jsp?id=7&amp;filename=%E9%99%84%E4%BB%B6.wps">附件二</a></div>
<div class="x"></div><div class="y"></div><div class="z"><a href="/far.zip">太远</a></div>
</body></html>"""


def test_finds_attachments_in_and_right_under_the_body_in_page_order():
    root = lxml.html.fromstring(PAGE)
    body = root.get_element_by_id("body")
    found = find_attachments(body, "http://park.example/notice/1.html")
    assert found == [
        {"url": "http://park.example/notice/files/plan.pdf", "text": "1. 招标文件", "media_type": PDF},
        {"url": "http://park.example/files/form.docx", "text": "报名表", "media_type": DOCX},
        {"url": "http://other.example/x.XLSX", "text": "名单", "media_type": XLSX},
        {"url": "http://park.example/down.jsp?id=7&filename=%E9%99%84%E4%BB%B6.wps", "text": "附件二",
         "media_type": MEDIA_TYPES[".wps"]},
    ]
    # the navigation's PDF (before the body) and a zip four elements after it are not the article's
    assert find_attachments(None, "http://park.example/") == []


def test_media_type_of_names_only_documents():
    assert media_type_of("http://a.example/x/%E9%80%9A%E7%9F%A5.OFD") == "application/ofd"
    assert media_type_of("http://a.example/p.doc?v=2") == "application/msword"
    assert media_type_of("http://a.example/index.html") is None
    assert media_type_of("http://a.example/pdf/") is None


def test_pdf_text_with_chinese():
    text, reason = extract_text(make_pdf([PDF_WORD, "2026年12月3日"]), PDF)
    assert reason is None
    assert PDF_WORD in text and "2026年12月3日" in text


def test_docx_paragraphs_and_table_rows():
    data = make_docx(["报名须知", "请于周五前提交。"], [["单位", "联系人"], ["园林局", "王工"]])
    text, reason = extract_text(data, DOCX + "; charset=binary")
    assert reason is None
    assert text.splitlines() == ["报名须知", "请于周五前提交。", "单位\t联系人", "园林局\t王工"]


def test_xlsx_rows():
    text, reason = extract_text(make_xlsx([["序号", "公园", "面积"], [1, "人民公园", 12.5], [None, None, None],
                                           [2, "滨江公园"]]), XLSX)
    assert reason is None
    assert text.splitlines() == ["序号\t公园\t面积", "1\t人民公园\t12.5", "2\t滨江公园"]


@pytest.mark.parametrize("data, media_type, expected", [
    (b"%PDF-1.4\n garbage, no objects, no xref", PDF, "unreadable pdf: "),
    (b"PK\x03\x04 not really a zip", DOCX, "unreadable vnd.openxmlformats-officedocument.wordprocessingml.document: "),
    (b"", PDF, "empty file"),
    (b"anything", MEDIA_TYPES[".ofd"], "no text extraction for application/ofd"),
    (b"anything", None, "no text extraction for unknown media type"),
])
def test_a_bad_file_gives_a_one_line_reason(data, media_type, expected):
    text, reason = extract_text(data, media_type)
    assert text is None
    assert reason.startswith(expected) and "\n" not in reason


def test_a_pdf_without_a_text_layer():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)
    assert extract_text(bytes(pdf.output()), PDF) == (None, "no text in the file (a scan without a text layer?)")


def test_the_parsed_record_lists_its_attachments():
    from datetime import datetime, timezone

    from crawler.parsing.generic import parse_page

    paragraphs = "".join(f"<p>第{i}段：园区绿化工程招标的有关事项通知如下，请各单位按时报名参加，逾期不予受理。</p>" for i in range(8))
    html = (f"<html><head><title>关于园区绿化工程招标的通知</title></head><body><div class='nav'><a href='/a.pdf'>导航</a></div>"
            f"<div class='article'><h1>关于园区绿化工程招标的通知</h1><div class='content'>{paragraphs}"
            f"<p>附件：<a href='files/plan.pdf'>招标文件</a></p></div></div></body></html>")
    record = parse_page("http://park.example/notice/1.html", {"Content-Type": "text/html; charset=utf-8"},
                        html.encode(), datetime(2026, 12, 3, tzinfo=timezone.utc))
    assert record.attachments == [{"url": "http://park.example/notice/files/plan.pdf", "text": "招标文件",
                                   "media_type": PDF}]
