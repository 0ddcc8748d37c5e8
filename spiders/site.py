"""The spider for configured sites: it walks list pages and hands article pages to the parser.

It only navigates: which links are articles and which are list/pagination pages comes from the
site file (spiders/sites/NAME.toml); parsing happens in crawler.pipelines.ParsePipeline.

    scrapy crawl site -a site=chinacom-yuanqu
"""
from __future__ import annotations

import scrapy

from .common import count_failure, extract_links, failure_item, in_domains, not_modified, select_links
from .pages import ArticlePages
from .discovery import Discovery
from crawler.render import apply_render_settings
from crawler.parsing.sitefile import SiteConfig, load_site


def apply_site_settings(settings, config: SiteConfig) -> None:
    settings.set("DOWNLOAD_DELAY", config.download_delay, priority="spider")
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", config.concurrency, priority="spider")
    settings.set("AUTOTHROTTLE_ENABLED", config.autothrottle, priority="spider")
    settings.set("PARKNEWS_STRIP_PARAMS", list(config.strip_params), priority="spider")
    if config.max_pages:
        settings.set("PARKNEWS_MAX_PAGES", config.max_pages, priority="spider")
    apply_render_settings(settings, config)  # render = "browser": scrapy-playwright (crawler/render.py)


class SiteSpider(ArticlePages, scrapy.Spider):
    name = "site"

    def __init__(self, site: str | SiteConfig | None = None, base_url: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if site is None:
            raise ValueError("the site spider needs -a site=NAME (see `parknews sites`)")
        config = site if isinstance(site, SiteConfig) else load_site(site)
        if base_url:
            config = config.with_base_url(base_url)
        self.config = config
        self.site_name = config.name
        self.allowed_domains = list(config.allowed_domains)
        self.allow_private = config.allow_private  # read by crawler.politeness
        self.capture_images = config.capture_images  # read by crawler.images

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # The site file's politeness, whether run by `parknews crawl` or `scrapy crawl`
        # (Scrapy applies the spider's settings after creating it; cmdline -s still wins).
        if not crawler.settings.frozen:
            apply_site_settings(crawler.settings, spider.config)
        return spider

    @property
    def discovery(self) -> Discovery:
        """The site file's sitemaps and feeds (spiders/discovery.py): their entries that match
        links.article (and not links.deny) are crawled as articles."""
        if not hasattr(self, "_discovery"):
            cfg = self.config
            self._discovery = Discovery(
                self, is_article=lambda entry: cfg.is_article(entry.url),
                in_site=lambda url: in_domains(url, cfg.allowed_domains),
                article_callback=self.parse_article, errback=self.failed)
        return self._discovery

    async def start(self):
        for url in self.config.start_urls:
            yield scrapy.Request(url, callback=self.parse_list, errback=self.failed, dont_filter=True,
                                 meta={"pn_start": True})  # pn_start: crawler/blocked.py
        for request in self.discovery.start_requests(self.config.sitemaps, self.config.feeds):
            yield request

    def parse_list(self, response):
        self.crawler.stats.inc_value("parknews/pages/list")
        cfg = self.config
        links = extract_links(response, cfg.list_area)
        if cfg.next_page:
            links += select_links(response, cfg.next_page)
        for url in links:
            if not in_domains(url, cfg.allowed_domains):
                continue
            if cfg.is_article(url):
                yield scrapy.Request(url, callback=self.parse_article, errback=self.failed,
                                     meta={"pn_kind": "article"})  # pn_kind: crawler.incremental
            elif cfg.is_list(url):
                yield scrapy.Request(url, callback=self.parse_list, errback=self.failed, meta={"pn_kind": "list"})

    def parse_article(self, response):
        if not_modified(response, self.crawler.stats):
            return
        self.crawler.stats.inc_value("parknews/pages/article")
        yield from self.article_items(response, self.config.field_rules, self.config.article_pager, self.parse_article)

    def failed(self, failure):
        count_failure(failure, self.crawler.stats, self.crawler)
        yield failure_item(failure, self.site_name)
