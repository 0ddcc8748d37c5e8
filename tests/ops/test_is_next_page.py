"""is_next_page (crawler/incremental.py): which links of a list page are more pages of the same
list, the links an incremental crawl still follows once it meets known articles."""
import pytest

from crawler.incremental import is_next_page

BASE = "http://www.example-zone.gov.cn"


@pytest.mark.parametrize("src, dst", [
    (f"{BASE}/xwzx/index.html", f"{BASE}/xwzx/index_2.html"),      # TRS: index -> index_N
    (f"{BASE}/xwzx/", f"{BASE}/xwzx/index_1.html"),                 # a folder's own index pages
    (f"{BASE}/xwzx/node_12.html", f"{BASE}/xwzx/node_12_3.html"),   # node_12 -> node_12_N
    (f"{BASE}/xwzx/index_2.html", f"{BASE}/xwzx/index_3.html"),     # page N -> page N+1
    (f"{BASE}/xwzx/index_3.html", f"{BASE}/xwzx/index.html"),       # back to the first page
    (f"{BASE}/list.php?cat=5&page=1", f"{BASE}/list.php?cat=5&page=2"),  # a page parameter
    (f"{BASE}/list.php?cat=5", f"{BASE}/list.php?page=2&cat=5"),    # parameter order does not matter
    ("http://WWW.example-zone.gov.cn/xwzx/index.html", f"{BASE}/xwzx/index_2.html"),  # host case
])
def test_pages_of_the_same_list(src, dst):
    assert is_next_page(src, dst)


@pytest.mark.parametrize("src, dst", [
    (f"{BASE}/xwzx/index.html", f"{BASE}/xwzx/index.html"),          # itself
    (f"{BASE}/xwzx/index.html", f"{BASE}/tzgg/index_2.html"),        # another section
    (f"{BASE}/xwzx/index.html", "http://other.gov.cn/xwzx/index_2.html"),  # another host
    (f"{BASE}/list.php?cat=5&page=1", f"{BASE}/list.php?cat=6&page=2"),  # another list (cat)
    (f"{BASE}/xwzx/index.html", f"{BASE}/xwzx/art_2024_1.html"),     # an article beside the list
])
def test_other_pages_are_not(src, dst):
    assert not is_next_page(src, dst)


def test_strict_counts_only_page_one_to_page_n():
    # from a start page only its own pages count; between two numbered pages only without strict
    assert is_next_page(f"{BASE}/xwzx/index.html", f"{BASE}/xwzx/index_5.html", strict=True)
    assert is_next_page(f"{BASE}/xwzx/index_2.html", f"{BASE}/xwzx/index_3.html")
    assert not is_next_page(f"{BASE}/xwzx/index_2.html", f"{BASE}/xwzx/index_3.html", strict=True)
    assert not is_next_page(f"{BASE}/xwzx/index_3.html", f"{BASE}/xwzx/index.html", strict=True)
    # node_12 -> node_13 has the shape of page 12 -> page 13: a page without strict, a sibling
    # list (another section) from a start page
    assert is_next_page(f"{BASE}/xwzx/node_12.html", f"{BASE}/xwzx/node_13.html")
    assert not is_next_page(f"{BASE}/xwzx/node_12.html", f"{BASE}/xwzx/node_13.html", strict=True)
