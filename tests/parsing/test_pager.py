"""An article's own pager (crawler/parsing/pager.py) and the merge of its pages
(crawler/parsing/pages.py), on pages of our own modelled on real templates
(crawler/demo/multipage.py): both URL shapes, a numbered pager, rel="next" only, 上一页/下一页
text only, a loop pager; and what is not an article's pager."""
from datetime import datetime, timezone

import pytest

from crawler.demo.multipage import multipage_article
from crawler.parsing import parse_page
from crawler.parsing.pager import is_next_page, own_pages, page_number
from crawler.parsing.pages import merge_pages, parse_later_pages

BASE = "http://www.example-zone.gov.cn"
NOW = datetime(2024, 7, 1, tzinfo=timezone.utc)
SHAPES = [("suffix", "numbers", "/xwzx/2024-06/28/content_123.htm"),
          ("index", "numbers", "/zcwj/202406/t20240628_88/index.html"),
          ("suffix", "rel", "/xwzx/2024-06/28/content_124.htm"),
          ("index", "text", "/zcwj/202406/t20240628_89/index.html"),
          ("suffix", "loop", "/xwzx/2024-06/28/content_125.htm")]


def _merged(pages, manifest):
    first, *later = manifest["pages"]
    record = parse_page(BASE + first, {}, pages[first].body, NOW)
    return parse_later_pages(record, [(i + 2, BASE + p, {}, pages[p].body, NOW) for i, p in enumerate(later)])


@pytest.mark.parametrize("shape,pager,first", SHAPES)
def test_every_page_names_its_article_and_the_merge_holds_all_text(shape, pager, first):
    pages, manifest = multipage_article(first, shape=shape, pager=pager)
    urls = [BASE + p for p in manifest["pages"]]
    assert len(urls) == 3
    for k, url in enumerate(urls):
        found = own_pages(url, pages[manifest["pages"][k]].body.decode())
        assert found.first == urls[0], (url, found)
        assert url in found.pages and found.pages[0] == urls[0]
        assert len(found.pages) >= 2  # each page names at least one other page
    record = _merged(pages, manifest)
    assert record.body_text == manifest["body_text"]
    assert record.title == manifest["title"] and record.published_at == manifest["published_at"]
    assert record.editor == manifest["editor"]  # named on the last page only
    assert record.pages == urls and not record.warnings
    assert [p for s in record.sections for p in s["paragraphs"]] == manifest["body_text"].split("\n")
    assert "下一页" not in record.body_text and "上一篇" not in record.body_text


def test_url_shapes():
    a = f"{BASE}/x/content_123.htm"
    assert page_number(a, f"{BASE}/x/content_123_2.htm") == 2
    assert page_number(a, a) == 1
    assert page_number(a, f"{BASE}/x/content_124.htm") is None  # the next article, not a page
    assert page_number(a, f"{BASE}/y/content_123_2.htm") is None
    assert page_number(a, f"{BASE}/x/content_123_2.html") is None
    i = f"{BASE}/t1/index.html"
    assert [page_number(i, f"{BASE}/t1/index_{k}.html") for k in (1, 2)] == [2, 3]
    # list pagination accepts what an article's pager does not
    assert is_next_page(a, f"{BASE}/x/content_124.htm") and page_number(a, f"{BASE}/x/content_124.htm") is None


def test_not_a_pager():
    url = f"{BASE}/x/content_5.htm"
    # 下一篇 (the next article), a same-shape link without pager text, a list-like number link elsewhere
    html = ('<p>正文</p><a href="content_6.htm">下一篇：另一篇文章</a><a href="content_5_2.htm">相关阅读</a>'
            '<a href="/news/index_2.html">2</a>')
    assert own_pages(url, html).pages == (url,)
    assert own_pages(url, "").pages == (url,)
    # page N of another URL only when its pager links back there
    assert own_pages(f"{BASE}/x/content_5_2.htm", "<p>正文</p>").first == f"{BASE}/x/content_5_2.htm"


def test_site_file_selector_overrides_detection():
    url = f"{BASE}/x/content_7.htm"
    html = ('<div class="body"><p>正文</p></div><div id="fy"><a href="content_7_2.htm">继续阅读</a></div>'
            '<div class="other"><a href="content_7_3.htm">3</a></div>')
    assert own_pages(url, html).pages == (url, f"{BASE}/x/content_7_3.htm")
    assert own_pages(url, html, selector="#fy").pages == (url, f"{BASE}/x/content_7_2.htm")
    assert own_pages(url, html, selector="//div[@id='fy']").pages == (url, f"{BASE}/x/content_7_2.htm")


def test_missing_page_is_named_and_the_rest_kept():
    pages, manifest = multipage_article("/x/content_9.html")
    first, second, third = manifest["pages"]
    record = parse_page(BASE + first, {}, pages[first].body, NOW)
    merged = parse_later_pages(record, [(3, BASE + third, {}, pages[third].body, NOW)],
                               [(2, BASE + second, "http 500")])
    assert merged.pages == [BASE + first, BASE + third]
    assert merged.warnings == [f"page 2 missing: {BASE + second} (http 500)"]
    assert merged.body_text.startswith(record.body_text) and merged.editor == manifest["editor"]
    assert merge_pages(record, []) is record  # one page: the record as it is, pages empty
    assert record.pages == []
