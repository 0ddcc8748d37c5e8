"""The item pipelines as Scrapy builds them (scrapy.utils.test.get_crawler, no subprocess): a fetched
page goes ParsePipeline -> ParsedPage -> StorePipeline -> archive.process, on a real archive file
that the run recorder extension (crawler.extensions.CrawlRunRecorder) opened and hands them."""
import pytest
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.items import FetchedPage, FetchFailure, ParsedPage, Record
from crawler.extensions import CrawlRunRecorder
from crawler.pipelines import ParsePipeline, StorePipeline

BODY = "".join(f"<p>临江经开区重点项目集中签约仪式第{i}段，项目涵盖新能源、新材料等领域，总投资八十亿元。</p>"
               for i in range(6))
ARTICLE = f"""<html><head><meta charset="utf-8"><title>临江经开区重点项目集中签约</title></head><body>
<h1>临江经开区重点项目集中签约</h1><div class="info">发布时间：2024-06-18 08:32 来源：临江市日报</div>
<div class="content">{BODY}</div></body></html>"""
LIST = "<html><head><meta charset='utf-8'><title>新闻</title></head><body>" + "".join(
    f"<li><a href='/a/{i}.html'>园区新闻标题第{i}条</a> 2024-06-{i:02d}</li>" for i in range(1, 40)) + "</body></html>"
CAPTURE = {"url": "http://lj.example/a/1.html", "warc_file": "lj-1.warc.gz", "offset": 0, "length": 10,
           "record_id": "<urn:uuid:1>", "record_type": "response", "status": 200,
           "fetched_at": "2024-06-18T01:00:00+00:00"}


def page(url="http://lj.example/a/1.html", html=ARTICLE, capture=CAPTURE):
    return FetchedPage(url=url, status=200, headers={"content-type": "text/html; charset=utf-8"},
                       body=html.encode("utf-8"), fetched_at="2024-06-18T01:00:00+00:00", site="lj",
                       capture=dict(capture, url=url) if capture else None)


def project_settings(**overrides):
    """The project's PARKNEWS_* settings (crawler/settings.py), with `overrides`."""
    settings = Settings()
    settings.setmodule("crawler.settings")
    return {**{k: v for k, v in settings.items() if k.startswith("PARKNEWS_")}, **overrides}


@pytest.fixture
def crawler(tmp_path):
    crawler = get_crawler(settings_dict=project_settings(
        PARKNEWS_DB=str(tmp_path / "a.db"), EXTENSIONS={"crawler.extensions.CrawlRunRecorder": 500}))
    yield crawler
    archive_of(crawler).close()


def archive_of(crawler):
    return CrawlRunRecorder.of(crawler).archive


def run(crawler, item):
    parse, store = ParsePipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)
    return store.process_item(parse.process_item(item))


def stat(crawler, key):
    return crawler.stats.get_value(key)


def test_article_is_parsed_carried_with_its_capture_and_stored(crawler):
    parsed = ParsePipeline.from_crawler(crawler).process_item(page())
    assert isinstance(parsed, ParsedPage) and parsed.capture["record_id"] == "<urn:uuid:1>"
    assert not hasattr(parsed.record, "_capture")
    stored = StorePipeline.from_crawler(crawler).process_item(parsed)
    assert isinstance(stored, Record) and stored.title == "临江经开区重点项目集中签约"
    assert stat(crawler, "parknews/parsed") == 1 and stat(crawler, "parknews/articles/new") == 1
    db = archive_of(crawler).db
    archive_of(crawler).flush()
    [cap] = list(db.query("SELECT article_id, record_id FROM captures"))
    assert cap["record_id"] == "<urn:uuid:1>" and cap["article_id"] == 1
    # fetched again unchanged, then from a copy's URL: unchanged, then a counted duplicate drop
    assert run(crawler, page()).url == "http://lj.example/a/1.html"
    assert stat(crawler, "parknews/articles/unchanged") == 1
    with pytest.raises(DropItem, match=r"^duplicate: copy of article 1 \(same content_hash\)$"):
        run(crawler, page("http://partner.example/b/9.html"))
    assert stat(crawler, "parknews/articles/duplicate") == 1 and stat(crawler, "parknews/dropped/duplicate") == 1


def test_list_page_is_refused_recorded_and_dropped(crawler):
    with pytest.raises(DropItem, match=r"^not_article: "):
        run(crawler, page("http://lj.example/list.html", LIST))
    assert stat(crawler, "parknews/dropped/not_article") == 1 and stat(crawler, "parknews/refused/recorded") == 1
    archive_of(crawler).flush()
    [row] = list(archive_of(crawler).db.query("SELECT url, capture_id FROM refused_pages"))
    assert row["url"] == "http://lj.example/list.html" and row["capture_id"] is not None


def test_record_failing_validation_is_refused_with_its_reason(crawler):
    record = Record(url="http://lj.example/a/2.html", site="lj", title="标题", body_text="正文",
                    published_at="2024年6月18日")
    with pytest.raises(DropItem, match=r"^invalid_date: 2024年6月18日$"):
        StorePipeline.from_crawler(crawler).process_item(ParsedPage(record, dict(CAPTURE, url=record.url)))
    assert stat(crawler, "parknews/dropped/invalid_date") == 1 and stat(crawler, "parknews/refused/recorded") == 1
    archive_of(crawler).flush()
    assert [r["reason"] for r in archive_of(crawler).db.query("SELECT reason FROM refused_pages")] == ["invalid_date"]


def test_fetch_failure_is_recorded(crawler):
    failure = FetchFailure(url="http://lj.example/a/404.html", reason="HTTP 404", status=404, site="lj")
    assert StorePipeline.from_crawler(crawler).process_item(failure) is failure
    assert stat(crawler, "parknews/failures/recorded") == 1 and stat(crawler, "parknews/failed/404") == 1
    archive_of(crawler).flush()
    assert [r["status"] for r in archive_of(crawler).db.query("SELECT status FROM fetch_failures")] == [404]


def test_pipelines_share_the_recorders_archive_and_need_it(crawler, tmp_path):
    recorder = CrawlRunRecorder.of(crawler)
    assert ParsePipeline.from_crawler(crawler).archive is recorder.archive
    assert StorePipeline.from_crawler(crawler).archive is recorder.archive
    assert recorder.archive.path == tmp_path / "a.db" and recorder.run_id is None
    bare = get_crawler(settings_dict=project_settings(PARKNEWS_DB=str(tmp_path / "b.db"), EXTENSIONS={}))
    with pytest.raises(RuntimeError, match="CrawlRunRecorder is not enabled"):
        StorePipeline.from_crawler(bare)
    assert not (tmp_path / "b.db").exists()
