"""Site-file values that used to be accepted (and hung the crawl holding its lock, or failed in
the middle of it) are one line naming the file and the key, exit 2, before anything runs."""
import pytest

from pn_testing import assert_one_line_error, run_cli

BASE = '''name = "bad"
start_urls = ["http://a.example/news/"]
allowed_domains = ["a.example"]
[links]
article = ['/content_\\d+\\.html']
'''

CASES = {
    "concurrency 0": ("[crawl]\nconcurrency = 0\n", "crawl.concurrency"),
    "concurrency -3": ("[crawl]\nconcurrency = -3\n", "crawl.concurrency"),
    "concurrency 1e9": ("[crawl]\nconcurrency = 1000000000\n", "crawl.concurrency"),
    "delay inf": ("[crawl]\ndownload_delay = inf\n", "crawl.download_delay"),
    "delay nan": ("[crawl]\ndownload_delay = nan\n", "crawl.download_delay"),
    "delay -5": ("[crawl]\ndownload_delay = -5\n", "crawl.download_delay"),
    "delay a day": ("[crawl]\ndownload_delay = 86400\n", "crawl.download_delay"),
    "max_pages -1": ("[crawl]\nmax_pages = -1\n", "crawl.max_pages"),
    "list_area": ("list_area = 'div[[class=x'\n", "links.list_area"),
    "next_page xpath": ("next_page = '//a[contains(., \"下一页\")'\n", "links.next_page"),
    "next_page css": ("next_page = 'a.next::attr('\n", "links.next_page"),
    "field selector": ("[fields]\nbody = '#main >> p'\n", "fields.body"),
    "drop selector": ("[fields]\ndrop = ['.ok', '//div[']\n", "fields.drop"),
}


def site_file(tmp_path, extra, replace=None):
    text = BASE
    for old, new in (replace or {}).items():
        text = text.replace(old, new)
    if extra.startswith("[") or not extra:
        text += extra
    else:  # a [links] key
        text = text.replace("[links]\n", "[links]\n" + extra)
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_politeness_and_selectors_are_refused(tmp_path, case):
    extra, key = CASES[case]
    path = site_file(tmp_path, extra)
    result = run_cli("crawl", path, "--db", tmp_path / "a.db")
    assert_one_line_error(result, "bad.toml", key)
    assert not (tmp_path / "a.db.locks").exists()  # refused before the lock is taken


@pytest.mark.parametrize("old,new,key", [
    ('allowed_domains = ["a.example"]', "allowed_domains = [1, 2]", "allowed_domains"),
    ('allowed_domains = ["a.example"]', 'allowed_domains = ["a.example", ""]', "allowed_domains"),
    ('start_urls = ["http://a.example/news/"]', "start_urls = []", "start_urls"),
], ids=["numbers", "empty name", "no start urls"])
def test_bad_domains_and_start_urls_are_refused(tmp_path, old, new, key):
    path = site_file(tmp_path, "", {old: new})
    assert_one_line_error(run_cli("crawl", path, "--db", tmp_path / "a.db"), "bad.toml", key)


@pytest.mark.parametrize("top,key", [
    ('render = "chrome"\n', "render"),
    ('render_urls = ["/content_"]\n', "render_urls"),
], ids=["render mode", "render_urls without render"])
def test_bad_render_keys_are_refused(tmp_path, top, key):
    path = site_file(tmp_path, "", {"[links]\n": top + "[links]\n"})
    assert_one_line_error(run_cli("crawl", path, "--db", tmp_path / "a.db"), "bad.toml", key)


def test_good_selectors_and_bounds_still_load(tmp_path):
    from crawler.parsing.sitefile import load_all_sites, load_site_file

    assert load_all_sites()  # the bundled site files pass
    path = site_file(tmp_path, "list_area = '.list'\nnext_page = 'a.next::attr(href)'\n")
    path.write_text(path.read_text() + "[fields]\nbody = '//div[@id=\"c\"]'\ndrop = ['.share']\n"
                    "[crawl]\nconcurrency = 1\ndownload_delay = 0\nmax_pages = 0\n")
    cfg = load_site_file(path)
    assert (cfg.concurrency, cfg.download_delay, cfg.next_page) == (1, 0.0, "a.next::attr(href)")


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "7200"])
def test_delay_option_is_bounded(tmp_path, value):
    result = run_cli("crawl", "demo", "--delay", value, "--db", tmp_path / "a.db")
    assert_one_line_error(result, "--delay")
