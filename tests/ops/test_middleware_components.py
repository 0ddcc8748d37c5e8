"""The downloader middlewares as Scrapy builds them (scrapy.utils.test.get_crawler, no crawl, no
subprocess): HostMapMiddleware, SafeTargetMiddleware and BackoffRetryMiddleware with the
project's settings, given real Requests and Responses."""
import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.middlewares import HostMapMiddleware
from crawler.politeness import BackoffRetryMiddleware, SafeTargetMiddleware


class ZoneSpider(Spider):
    name = "zone"
    allowed_domains = ["example-zone.gov.cn"]


def crawler_with(**overrides):
    settings = Settings()
    settings.setmodule("crawler.settings")
    project = {k: v for k, v in settings.items() if k.startswith("PARKNEWS_") or k.startswith("RETRY_")}
    crawler = get_crawler(ZoneSpider, settings_dict={**project, **overrides})
    crawler.spider = ZoneSpider.from_crawler(crawler)  # what Crawler.crawl does before the engine starts
    return crawler


def done(coroutine):
    """The result of a middleware coroutine that must not wait for anything (no DNS, no sleep)."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    coroutine.close()
    raise AssertionError("the middleware waited on the reactor")


# ---------------------------------------------------------------- HostMapMiddleware

def test_host_map_sends_the_connection_elsewhere_and_keeps_the_url():
    crawler = crawler_with(PARKNEWS_HOST_MAP={"Demo.ParkNews.invalid": "http://127.0.0.1:8123/"})
    mw = HostMapMiddleware.from_crawler(crawler)
    request = Request("http://demo.parknews.invalid/xwzx/index.html")
    assert mw.process_request(request) is None
    assert request.meta["proxy"] == "http://127.0.0.1:8123" and request.url.startswith("http://demo.parknews.invalid/")
    for url, meta in [("https://demo.parknews.invalid/a.html", {}),               # only plain http
                      ("http://other.example/a.html", {}),                        # another host
                      ("http://demo.parknews.invalid/a.html", {"proxy": "http://p:3128"})]:  # its own proxy
        other = Request(url, meta=dict(meta))
        mw.process_request(other)
        assert other.meta.get("proxy") == meta.get("proxy"), url


def test_host_map_is_off_without_a_map_and_a_bad_map_names_the_setting():
    with pytest.raises(NotConfigured):
        HostMapMiddleware.from_crawler(crawler_with())
    with pytest.raises(ValueError, match=r"PARKNEWS_HOST_MAP\['demo'\] = 'ftp://x': give http://HOST:PORT"):
        HostMapMiddleware.from_crawler(crawler_with(PARKNEWS_HOST_MAP={"demo": "ftp://x"}))


# ---------------------------------------------------------------- SafeTargetMiddleware

@pytest.mark.parametrize("url, why", [
    ("http://127.0.0.1:8000/a.html", "private"),
    ("http://10.1.2.3/a.html", "private"),
    ("http://[::1]/a.html", "private"),
    ("http://169.254.169.254/latest/meta-data/", "private"),
    ("ftp://93.184.216.34/a.html", "scheme"),
])
def test_safe_target_refuses_non_public_addresses_and_other_schemes(url, why):
    crawler = crawler_with()
    mw = SafeTargetMiddleware.from_crawler(crawler)
    with pytest.raises(IgnoreRequest, match=rf"refused \({why}\)"):
        done(mw.process_request(Request(url)))
    assert crawler.stats.get_value(f"parknews/refused/{why}") == 1
    assert crawler.stats.get_value("parknews/refused/first").startswith(url)


def test_safe_target_lets_public_addresses_and_allowed_private_ones_through():
    assert done(SafeTargetMiddleware.from_crawler(crawler_with()).process_request(
        Request("http://93.184.216.34/a.html"))) is None
    allowed = SafeTargetMiddleware.from_crawler(crawler_with(PARKNEWS_ALLOW_PRIVATE=True))
    assert done(allowed.process_request(Request("http://127.0.0.1:8000/a.html"))) is None


def test_safe_target_refuses_a_redirect_off_the_allowed_domains_even_when_private_is_allowed():
    crawler = crawler_with(PARKNEWS_ALLOW_PRIVATE=True)
    mw = SafeTargetMiddleware.from_crawler(crawler)
    inside = Request("http://www.example-zone.gov.cn/b.html",
                     meta={"redirect_urls": ["http://www.example-zone.gov.cn/a.html"]})
    assert done(mw.process_request(inside)) is None
    away = Request("http://127.0.0.1/elsewhere.html", meta={"redirect_urls": ["http://www.example-zone.gov.cn/a.html"]})
    with pytest.raises(IgnoreRequest, match=r"refused \(offsite\).*not in the site's allowed_domains"):
        done(mw.process_request(away))
    assert crawler.stats.get_value("parknews/refused/offsite") == 1


# ---------------------------------------------------------------- BackoffRetryMiddleware

def answer(request, status, **headers):
    return HtmlResponse(request.url, status=status, headers=headers, body=b"<html></html>", request=request)


def test_a_503_with_retry_after_is_retried_after_that_wait():
    crawler = crawler_with(PARKNEWS_RETRY_AFTER_MAX=60)
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request("http://www.example-zone.gov.cn/a.html")
    retry = done(mw.process_response(request, answer(request, 503, **{"Retry-After": "0"})))
    assert isinstance(retry, Request) and retry.url == request.url and retry.meta["retry_times"] == 1
    assert crawler.stats.get_value("parknews/retry_after/honoured") == 1


def test_a_retry_after_over_the_limit_gives_up_on_the_page():
    crawler = crawler_with(PARKNEWS_RETRY_AFTER_MAX=60)
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request("http://www.example-zone.gov.cn/a.html")
    response = answer(request, 429, **{"Retry-After": "3600"})
    assert done(mw.process_response(request, response)) is response
    assert crawler.stats.get_value("parknews/retry_after/too_long") == 1


def test_retries_stop_after_retry_times_and_other_statuses_pass():
    crawler = crawler_with(PARKNEWS_RETRY_BACKOFF=0, RETRY_TIMES=2)
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request("http://www.example-zone.gov.cn/a.html")
    ok = answer(request, 200)
    assert done(mw.process_response(request, ok)) is ok
    for expected in (1, 2):
        request = done(mw.process_response(request, answer(request, 500)))
        assert request.meta["retry_times"] == expected
    last = answer(request, 500)
    assert done(mw.process_response(request, last)) is last  # the third 500 is the page's answer
    assert crawler.stats.get_value("retry/max_reached") == 1


def test_a_timeout_is_retried_until_retry_times_and_other_errors_are_not():
    from twisted.internet.error import TimeoutError as ConnectionTimeout

    crawler = crawler_with(PARKNEWS_RETRY_BACKOFF=0, RETRY_TIMES=1)
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request("http://www.example-zone.gov.cn/a.html")
    retry = done(mw.process_exception(request, ConnectionTimeout()))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    assert done(mw.process_exception(retry, ConnectionTimeout())) is None  # had its one retry
    assert done(mw.process_exception(request, ValueError("not a network error"))) is None
