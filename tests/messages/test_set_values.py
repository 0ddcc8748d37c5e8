"""`crawl -s NAME=VALUE` with a value the component reading NAME cannot use (a word for an int
setting read in a from_crawler, 0 for a concurrency): one line naming the setting, exit 2, before
any crawl starts (it used to be a ValueError traceback from Scrapy's getint with exit 0)."""
import pytest

from crawler.runner import parse_set_options
from pn_testing import assert_one_line_error, run_cli


@pytest.mark.parametrize("setting", [
    "CONCURRENT_REQUESTS_PER_DOMAIN=abc", "CONCURRENT_REQUESTS=0", "DOWNLOAD_MAXSIZE=10MB",
    "RETRY_TIMES=x", "DOWNLOAD_TIMEOUT=soon", "DOWNLOAD_DELAY=inf", "PARKNEWS_FAIL_THRESHOLD=x",
    "PARKNEWS_STOP_AFTER_KNOWN=1.5", "AUTOTHROTTLE_ENABLED=maybe",
])
def test_a_bad_value_is_one_line_naming_the_setting(tmp_path, setting):
    name = setting.split("=")[0]
    result = run_cli("crawl", "demo", "--db", tmp_path / "s.db", "-s", setting)
    assert_one_line_error(result, f"-s {setting}", f"{name} must be")
    assert not (tmp_path / "s.db").exists()


def test_good_values_pass_as_given():
    given = ["DOWNLOAD_TIMEOUT=2.5", "DOWNLOAD_DELAY=0", "RETRY_TIMES=0", "AUTOTHROTTLE_ENABLED=False",
             "CONCURRENT_REQUESTS_PER_DOMAIN=4", "USER_AGENT=x/1", "PARKNEWS_FAIL_THRESHOLD=0.5",
             'PARKNEWS_HOST_MAP={"a.invalid": "http://127.0.0.1:9"}', "LOG_FILE=x.log"]
    assert parse_set_options(given) == dict(item.split("=", 1) for item in given)
