"""archive.merge: which copy of an article its row shows."""
import pytest

from archive.merge import choose, completeness, date_precision, originals

ORIGINAL = {"url": "http://www.ljrb.example.cn/news/1.html", "canonical_url": None, "site": "ljrb",
            "title": "临江经开区上半年规上工业总产值增长9.6%", "published_at": "2024-06-18T08:32+08:00",
            "source": "临江市日报", "author": "张晓峰", "editor": "王晓", "images": "[]"}
PARTNER = {"url": "http://ljkfq.example.gov.cn/yqyw/12345.shtml", "canonical_url": None, "site": "ljkfq",
           "title": ORIGINAL["title"], "published_at": "2024-06-18", "source": "临江经开区管委会",
           "author": None, "editor": None, "images": "[]"}


def test_most_complete_copy_wins_whichever_came_first():
    assert choose([PARTNER, ORIGINAL]) == 1
    assert choose([ORIGINAL, PARTNER]) == 0


def test_copy_named_by_another_copys_canonical_url_is_the_original():
    # the partner page names the original as canonical: the original wins although it is poorer
    poor = dict(ORIGINAL, author=None, editor=None, published_at="2024-06-18")
    rich = dict(PARTNER, author="李明", editor="周红", canonical_url="https://www.ljrb.example.cn/news/1.html?utm_source=x")
    assert originals([rich, poor]) == {1}
    assert choose([rich, poor]) == 1


def test_a_page_naming_itself_canonical_is_not_thereby_the_original():
    self_named = dict(PARTNER, canonical_url=PARTNER["url"])
    assert originals([self_named, ORIGINAL]) == set()
    assert choose([self_named, ORIGINAL]) == 1


def test_copy_whose_site_another_copys_source_names_is_the_original():
    # the reprint credits 临江市日报 (the original's host is named in its source line)
    reprint = dict(PARTNER, source="来源：www.ljrb.example.cn", author="李明", editor="周红",
                   published_at="2024-06-18T09:00+08:00", images='[{"src": "a.jpg"}]')
    poor = dict(ORIGINAL, author=None)
    assert originals([reprint, poor]) == {1}
    assert choose([reprint, poor]) == 1


def test_two_copies_crediting_each_other_are_neither_original():
    a = dict(ORIGINAL, source="ljkfq.example.gov.cn")
    b = dict(PARTNER, source="www.ljrb.example.cn")
    assert originals([a, b]) == set()


def test_equally_complete_copies_most_precise_date_then_first_seen():
    bare = dict(ORIGINAL, published_at="2024-06-18")
    timed = dict(ORIGINAL, url="http://b.example/1", published_at="2024-06-18T08:32")
    zoned = dict(ORIGINAL, url="http://c.example/1", published_at="2024-06-18T08:32+08:00")
    assert choose([bare, timed, zoned]) == 2
    assert choose([bare, timed]) == 1
    assert choose([bare, dict(bare, url="http://d.example/1")]) == 0


def test_completeness_counts_fields_present():
    assert completeness(ORIGINAL) == 5  # no images
    assert completeness(PARTNER) == 3
    assert completeness(dict(PARTNER, images='[{"src": "a.jpg"}]')) == 4
    assert completeness(dict(PARTNER, images=[{"src": "a.jpg"}], title="")) == 3


@pytest.mark.parametrize("value, expected", [
    (None, 0), ("", 0), ("2024-06-18", 1), ("2024-06-18T08:32", 2), ("2024-06-18T08:32:05", 2),
    ("2024-06-18T08:32+08:00", 3), ("2024-06-18T00:32:00Z", 3),
])
def test_date_precision(value, expected):
    assert date_precision(value) == expected


def test_no_copies_is_an_error():
    with pytest.raises(ValueError):
        choose([])
