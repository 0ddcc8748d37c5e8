"""The demo site's notice shape (crawler/demo/notice.py): its PDF (hand-written, a standard CJK
font not embedded, crawler/demo/cjkpdf.py) and DOCX read back to their Chinese text with pypdf and
python-docx, the same bytes on every build, served by the demo site and linked from its home page."""
import io

import pytest

from crawler.demo import notice
from crawler.demo.cjkpdf import MAX_LINE, chinese_pdf
from crawler.demo.site import build_demo_site
from crawler.parsing.attachment_text import DOCX, PDF, extract_text


def test_the_pdf_gives_back_its_chinese_lines_with_pypdf():
    from pypdf import PdfReader

    data = notice.notice_pdf()
    reader = PdfReader(io.BytesIO(data), strict=True)  # a well-formed file: xref offsets, objects
    assert len(reader.pages) == 1
    assert reader.pages[0].extract_text().splitlines() == notice.PDF_LINES
    assert reader.metadata.title == "2024年度临江经开区高新技术企业培育入库申报指南"
    font = reader.pages[0]["/Resources"]["/Font"]["/F1"]
    assert (font["/BaseFont"], font["/Encoding"]) == ("/STSong-Light", "/UniGB-UCS2-H")
    assert "/FontFile2" not in font["/DescendantFonts"][0]["/FontDescriptor"]  # nothing embedded
    assert extract_text(data, PDF) == ("\n".join(notice.PDF_LINES), None)


def test_a_line_the_page_cannot_hold_is_refused():
    assert "附件" in extract_text(chinese_pdf(["附件", "ASCII 123"]), PDF)[0]
    with pytest.raises(ValueError, match="over 36 characters"):
        chinese_pdf(["园" * (MAX_LINE + 1)])
    with pytest.raises(ValueError, match="outside the BMP"):
        chinese_pdf(["\U00020000"])


def test_the_docx_gives_back_its_heading_promise_and_form_rows():
    text, reason = extract_text(notice.notice_docx(), DOCX)
    assert reason is None
    lines = text.splitlines()
    assert lines[:2] == [notice.DOCX_TITLE, notice.DOCX_PROMISE]
    assert lines[2:] == [row[0] for row in notice.DOCX_ROWS]


def test_same_bytes_on_every_build():
    first = build_demo_site().pages
    notice.notice_pdf.cache_clear()
    notice.notice_docx.cache_clear()
    second = build_demo_site().pages
    for path in (notice.PDF_PATH, notice.DOCX_PATH, notice.DEMO_PATH):
        assert first[path] == second[path]


def test_the_demo_site_serves_the_notice_and_each_phrase_is_in_one_file_only():
    site = build_demo_site()
    shape = site.expected["shapes"]["notice"]
    assert shape["stores"] == 1 and shape in site.stored_articles()
    assert shape["path"] in site.pages["/"].body.decode("utf-8")
    page = site.pages[shape["path"]].body.decode("utf-8")
    texts = {}
    for entry in shape["attachments"]:
        served = site.pages[entry["path"]]
        assert served.headers["Content-Type"] == entry["media_type"]
        assert f'href="{entry["path"]}"' in page and entry["name"] in page
        texts[entry["path"]] = extract_text(served.body, entry["media_type"])[0]
    for entry in shape["attachments"]:
        assert [p for p, t in texts.items() if entry["phrase"] in t] == [entry["path"]]
        assert entry["phrase"] not in page and entry["phrase"] not in shape["body_text"]
