"""Images captured for real (local SiteServer, `parknews crawl` in a subprocess): an article with
three images (a 404, one over PARKNEWS_MAX_IMAGE_BYTES, a fine PNG on another host name, as on a
CDN). Without --images none is fetched; with --images each entry gets its capture, size and
SHA-256 or its reason, warcio accepts the files, the summary has an images line, `parknews show`
lists them; a second incremental run fetches no image."""
import hashlib
import json
import zlib

import pytest

from archive_capture._helpers import warc_files, warcio_check
from crawler.demo.server import Page, SiteServer
from crawler.demo.site import generate_site
from pn_testing import db_rows, run_cli, write_site

ARTICLE = "/news/2024-06/28/content_40239002.html"
IMAGES = ("/uploads/2024/06/gone.png", "/uploads/2024/06/huge.png", "/uploads/2024/06/good.png")
CAP = 4000


def _png(width: int, height: int, noise: bool) -> bytes:
    def chunk(kind, data):
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    rows = b"".join(b"\0" + (bytes((x * 7 + y * 13) % 256 for x in range(width * 3)) if noise else bytes(width * 3))
                    for y in range(height))
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes((8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 0)) + chunk(b"IEND", b"")


def _site(port_host):
    pages = dict(generate_site(3, seed=7))
    good, huge = _png(8, 8, False), _png(64, 64, True)
    assert len(good) < CAP < len(huge)
    srcs = [IMAGES[0], IMAGES[1], port_host + IMAGES[2]]
    figures = "".join(f'<p><img src="{src}" width="400" height="300"></p><p>图{i} 园区新貌</p>'
                      for i, src in enumerate(srcs, 1))
    paragraphs = "".join(f"<p>第{i}段 南湖高新区园区建设稳步推进，一批重点项目相继开工建设，园区面貌焕然一新，企业纷纷入驻。</p>"
                         for i in range(1, 8))
    html = (f"<html><head><title>南湖高新区园区建设见闻</title></head><body>"
            f"<div class='article'><h1>南湖高新区园区建设见闻</h1><div class='info'>2024-06-28 来源：南湖高新区管委会</div>"
            f"<div class='content'>{paragraphs}{figures}</div></div></body></html>")
    pages[ARTICLE] = Page(200, html.encode("utf-8"), {})
    pages[IMAGES[1]] = Page(200, huge, {"Content-Type": "image/png"})
    pages[IMAGES[2]] = Page(200, good, {"Content-Type": "image/png"})
    first = pages["/news/index.html"]
    text = first.body.decode("utf-8").replace(
        "<ul>", f'<ul><li><a href="{ARTICLE}">南湖高新区园区建设见闻</a><span class="date">2024-06-28</span></li>', 1)
    pages["/news/index.html"] = Page(200, text.encode("utf-8"), dict(first.headers))
    return pages, good


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("images")
    with SiteServer({}) as srv:
        other = srv.base_url.replace("127.0.0.1", "localhost")  # another host: the image's "CDN"
        pages, good = _site(other)
        srv.pages.update(pages)
        site = write_site(tmp, "img", srv.base_url)
        common = ("--delay", "0", "--log-level", "WARNING", "-s", f"PARKNEWS_MAX_IMAGE_BYTES={CAP}")
        off = run_cli("crawl", site, "--db", tmp / "off.db", *common)
        assert off.code == 0, off.stderr[-3000:]
        requests_off = srv.requested_paths("GET")
        srv.clear_requests()
        db = tmp / "on.db"
        first = run_cli("crawl", site, "--db", db, "--images", *common)
        assert first.code == 0, first.stderr[-3000:]
        requests_first = srv.requested_paths("GET")
        srv.clear_requests()
        second = run_cli("crawl", site, "--db", db, "--images", *common)
        assert second.code == 0, second.stderr[-3000:]
        yield {"db": db, "base": srv.base_url, "other": other, "good": good, "off": requests_off,
               "first": first, "requests_first": requests_first, "requests_second": srv.requested_paths("GET")}


def _entries(crawled):
    [row] = db_rows(crawled["db"], "SELECT id, images FROM articles WHERE url = ?", [crawled["base"] + ARTICLE])
    return row["id"], json.loads(row["images"])


def test_without_the_option_no_image_is_fetched(crawled):
    assert ARTICLE in crawled["off"]
    assert not set(IMAGES) & set(crawled["off"])


def test_each_image_entry_has_its_capture_or_its_reason(crawled):
    _id, (gone, huge, good) = _entries(crawled)
    assert gone["reason"] == "http 404" and gone["capture"]["warc_file"]
    assert huge["reason"] == f"too big: over {CAP} bytes" and "sha256" not in huge
    assert good["src"] == crawled["other"] + IMAGES[2] and "reason" not in good
    assert (good["media_type"], good["bytes"], good["sha256"]) == (
        "image/png", len(crawled["good"]), hashlib.sha256(crawled["good"]).hexdigest())
    assert good["capture"]["offset"] >= 0 and good["capture"]["record_id"].startswith("<urn:uuid:")
    assert "images captured:    1 fetched, 2 failed, 0 skipped" in crawled["first"].stdout


def test_images_in_warc_under_their_own_url_and_warcio_accepts_the_files(crawled):
    files = warc_files(crawled["db"].with_suffix(".warc"))
    check = warcio_check(files)
    assert check.returncode == 0, check.stdout + check.stderr
    import gzip
    raw = b"".join(gzip.open(f).read() for f in files)
    assert crawled["good"] in raw
    assert f"WARC-Target-URI: {crawled['other']}{IMAGES[2]}".encode() in raw


def test_show_lists_the_captured_images(crawled):
    article_id, _ = _entries(crawled)
    out = run_cli("show", article_id, "--db", crawled["db"])
    assert out.code == 0, out.stderr
    assert f"{crawled['other']}{IMAGES[2]}  [captured image/png, {len(crawled['good'])} bytes: " in out.stdout
    assert "[not captured: http 404]" in out.stdout


def test_a_second_incremental_run_fetches_no_image_again(crawled):
    assert set(IMAGES) <= set(crawled["requests_first"])
    assert not set(IMAGES) & set(crawled["requests_second"])
