from __future__ import annotations

import pytest

from crawler.parsing import NotAnArticle
from crawler.parsing.encoding import decode_body, normalize_charset

TEXT = "<html><head><title>经开区新闻</title></head><body><p>园区企业产值增长百分之十二。</p></body></html>"


def test_utf8_bytes_under_gb2312_meta():
    html = TEXT.replace("<head>", '<head><meta charset="gb2312">')
    text, codec, warnings = decode_body(html.encode("utf-8"), None)
    assert codec == "utf-8"
    assert "园区企业" in text
    assert warnings == ["encoding: declared gb18030 but bytes are utf-8"]


def test_gbk_without_declaration():
    text, codec, warnings = decode_body(TEXT.encode("gbk"), None)
    assert codec == "gb18030"
    assert "园区企业" in text
    assert warnings == []


def test_gb2312_header_decodes_as_gb18030():
    # 镕 is outside GB2312 but in GBK/GB18030: a strict gb2312 decoder would fail on it
    html = TEXT.replace("经开区", "朱镕基")
    text, codec, _w = decode_body(html.encode("gb18030"), {"Content-Type": "text/html; charset=gb2312"})
    assert codec == "gb18030"
    assert "朱镕基" in text


def test_header_charset_wins_over_meta_when_clean():
    html = TEXT.replace("<head>", '<head><meta charset="utf-8">').encode("big5", "replace")
    text, codec, _w = decode_body(html, {"content-type": "text/html; charset=big5"})
    assert codec == "big5hkscs"


def test_bom():
    text, codec, _w = decode_body(b"\xef\xbb\xbf" + TEXT.encode("utf-8"), {"Content-Type": "text/html; charset=gbk"})
    assert codec == "utf-8" and text.startswith("<html>")


def test_undecodable_bytes_warn():
    body = TEXT.encode("utf-8") + b"\xff\xfe\xfa\x80\x81 broken"
    text, codec, warnings = decode_body(body, None)
    assert "园区企业" in text or "\ufffd" in text
    assert any("no clean decoding" in w for w in warnings)


@pytest.mark.parametrize("body", [b"%PDF-1.4\n...", b"\x89PNG\r\n\x1a\n....", b"GIF89a....", b"\x00" * 300 + b"<html>"])
def test_binary(body):
    with pytest.raises(NotAnArticle) as e:
        decode_body(body, None)
    assert e.value.reason == "binary"


def test_binary_content_type():
    with pytest.raises(NotAnArticle) as e:
        decode_body(b"<html></html>", {"Content-Type": "image/jpeg"})
    assert e.value.reason == "binary"


@pytest.mark.parametrize("body", [b"", b"   \n\t "])
def test_empty(body):
    with pytest.raises(NotAnArticle) as e:
        decode_body(body, None)
    assert e.value.reason == "empty"


@pytest.mark.parametrize("name,codec", [("GB2312", "gb18030"), ("gbk", "gb18030"), ("x-gbk", "gb18030"),
                                        ("UTF8", "utf-8"), ("nonsense-charset", None)])
def test_normalize_charset(name, codec):
    assert normalize_charset(name) == codec
