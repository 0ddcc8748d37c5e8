"""Crawl throughput: a bare link-following Scrapy spider against the full parknews pipeline.

Generates a local park-news site of N articles (default 2,000), serves it on 127.0.0.1, crawls it
once with a bare spider that only follows links and once with `parknews crawl` (parse, dedup,
store into SQLite), each in its own process, in the same run, and prints pages/s of both, their
ratio and the peak memory of each crawl process. Target: full / bare >= 0.6.

    python tests/bench/crawl.py [--n 2000]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from crawler.demo.server import SiteServer  # noqa: E402
from crawler.demo.site import generate_site  # noqa: E402

SITE_FILE = r"""
name = "bench"
start_urls = ["{base}/news/index.html"]
allowed_domains = ["127.0.0.1"]
[links]
article = ['/\d{{4}}-\d{{2}}/\d{{2}}/content_\d+\.html']
follow = ['/news/index(_\d+)?\.html$']
[crawl]
download_delay = 0
concurrency = 16
autothrottle = false
allow_private = true
"""

BARE = textwrap.dedent(
    """
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    class Bare(scrapy.Spider):
        name = "bare"
        start_urls = [sys.argv[1] + "/news/index.html"]
        def parse(self, response):
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href)
                if url.startswith(sys.argv[1] + "/news/"):
                    yield scrapy.Request(url, callback=self.parse)

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ITEM_PIPELINES", {})
    settings.set("EXTENSIONS", {})
    settings.set("DOWNLOADER_MIDDLEWARES", {})
    settings.set("DOWNLOAD_DELAY", 0)
    settings.set("AUTOTHROTTLE_ENABLED", False)
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16)
    settings.set("LOG_LEVEL", "ERROR")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    print(json.dumps({k: str(v) for k, v in crawler.stats.get_stats().items()}))
    """
)


def elapsed(stats: dict) -> float:
    from datetime import datetime

    start = datetime.fromisoformat(stats["start_time"])
    finish = datetime.fromisoformat(stats["finish_time"])
    return (finish - start).total_seconds()


def run(cmd: list[str], env: dict) -> tuple[subprocess.CompletedProcess, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        sys.exit(f"crawl failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc, max(after, before)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="articles in the generated site")
    args = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    pages = generate_site(args.n)
    with SiteServer(pages) as srv, tempfile.TemporaryDirectory() as tmp:
        site_file = Path(tmp) / "bench.toml"
        site_file.write_text(SITE_FILE.format(base=srv.base_url), encoding="utf-8")
        bare_file = Path(tmp) / "bare_spider.py"  # Scrapy inspects callbacks' source: not `-c`
        bare_file.write_text(BARE, encoding="utf-8")
        bare, bare_rss = run([sys.executable, str(bare_file), srv.base_url], env)
        bare_stats = json.loads(bare.stdout.strip().splitlines()[-1])
        bare_pages = int(bare_stats["downloader/response_count"])
        bare_time = elapsed(bare_stats)

        db = Path(tmp) / "bench.db"
        stats_file = Path(tmp) / "stats.json"
        full, full_rss = run(
            [sys.executable, "-m", "crawler.cli", "crawl", str(site_file), "--db", str(db),
             "--log-level", "ERROR", "--stats-file", str(stats_file)],
            env,
        )
        full_stats = json.loads(stats_file.read_text())
        full_pages = int(full.stdout.split("pages fetched:")[1].split()[0])
        stored = int(full.stdout.split("articles stored:")[1].split()[0])
        full_time = elapsed(full_stats)
    bare_rate = bare_pages / bare_time
    full_rate = full_pages / full_time
    print(f"site: {args.n} articles; bare spider fetched {bare_pages} pages, parknews {full_pages} "
          f"({stored} articles stored)")
    print(f"bare spider:     {bare_rate:8.1f} pages/s  ({bare_time:.1f} s)")
    print(f"full pipeline:   {full_rate:8.1f} pages/s  ({full_time:.1f} s)")
    print(f"ratio full/bare: {full_rate / bare_rate:8.2f}   (target >= 0.60)")
    print(f"peak RSS of the crawl processes: {bare_rss / 1024:.0f} MB (bare run), {full_rss / 1024:.0f} MB (max of both)")


if __name__ == "__main__":
    main()
