"""The spider for a site that has no site file: given a start URL, it stays on that host,
follows list and pagination links, and decides by itself which pages are articles.

A page is an article candidate when its URL has an article shape (a date or a long numeric id
in the path, content_/article/detail segments) or its structure looks like one (a heading and
long runs of paragraph text with few links); candidates go to the generic parser, whose
success is the final word (a NotAnArticle is counted and skipped). `--article REGEX` replaces
the guess; `--follow REGEX` limits which other pages are walked.

    scrapy crawl auto -a start_url=http://www.example-zone.gov.cn/xwzx/ -a max_pages=200
"""
from __future__ import annotations

import re

import scrapy
from scrapy.http import TextResponse

from .common import count_failure, extract_links, failure_item, host_of, not_modified
from .pages import ArticlePages
from .discovery import Discovery

_DATE_PATH = re.compile(
    r"(/20\d{2}[-_/]?[01]\d[-_/]?[0-3]\d/)|(/20\d{2}[-_]?[01]\d/[0-3]\d/)|(/20\d{2}/[01]\d[0-3]\d/)|"
    r"(/20\d{2}-?[01]\d/)|([/_]t20\d{6}_)"
)
_ARTICLE_WORDS = re.compile(r"(content_|/article/|/detail|/show|/art_|/info_|/news_|/c_|/a/)\S*\d", re.I)
_LONG_ID = re.compile(r"\d{5,}\.(s?html?|php|aspx?|jsp)$", re.I)
_LIST_WORDS = re.compile(r"(index|list|node|column|channel|more|page|category)[_\-]?\d*\.(s?html?|php|aspx?|jsp)$|/$", re.I)


def url_looks_like_article(url: str) -> bool:
    path = url.split("?", 1)[0]
    if _LIST_WORDS.search(path):
        return False
    return bool(_DATE_PATH.search(path) or _ARTICLE_WORDS.search(path) or _LONG_ID.search(path))


def page_looks_like_article(response) -> bool:
    """A heading plus at least ~300 characters of paragraph text, with little of it in links."""
    if not isinstance(response, TextResponse):
        return False
    if not response.xpath("//h1|//h2|//*[contains(@class,'title')]"):
        return False
    paras = [t.strip() for t in response.xpath("//p//text()[not(ancestor::a)]").getall()]
    text_len = sum(len(t) for t in paras)
    link_len = sum(len(t.strip()) for t in response.xpath("//p//a//text()").getall())
    return text_len >= 300 and link_len < 0.3 * (text_len + link_len)


class AutoSpider(ArticlePages, scrapy.Spider):
    name = "auto"

    def __init__(self, start_url: str | None = None, follow: str | None = None,
                 article: str | None = None, site: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if not start_url:
            raise ValueError("the auto spider needs -a start_url=URL")
        self.start_url = start_url
        self.host = host_of(start_url)
        self.allowed_domains = [self.host]
        self.follow_re = re.compile(follow) if follow else None
        self.article_re = re.compile(article) if article else None
        self.site_name = site or self.host

    @property
    def discovery(self) -> Discovery:
        """The site's own sitemaps (robots.txt Sitemap: lines, else /sitemap.xml) and the feeds
        its pages announce (spiders/discovery.py). A news-sitemap or feed entry is an article
        candidate on its own; a plain sitemap entry only when its URL has an article shape (or
        matches --article); the parser has the last word either way."""
        if not hasattr(self, "_discovery"):
            self._discovery = Discovery(
                self, is_article=lambda entry: self.is_article_url(entry.url) or (
                    entry.news and self.article_re is None),
                in_site=lambda url: host_of(url) == self.host,
                article_callback=self.parse_page, errback=self.failed)
        return self._discovery

    async def start(self):
        # the sitemaps are looked for once the start page has answered (parse_page): a site that
        # cannot be reached gets one error for its start page, not three more for robots.txt and
        # a guessed /sitemap.xml
        yield scrapy.Request(self.start_url, callback=self.parse_page, errback=self.failed, dont_filter=True,
                             meta={"pn_start": True})  # pn_start: crawler/blocked.py

    def is_article_url(self, url: str) -> bool:
        if self.article_re is not None:
            return bool(self.article_re.search(url))
        return url_looks_like_article(url)

    def parse_page(self, response):
        stats = self.crawler.stats
        if not_modified(response, stats):
            return
        if self.article_re is not None:
            is_article = bool(self.article_re.search(response.url))
        else:
            is_article = url_looks_like_article(response.url) or page_looks_like_article(response)
        if is_article and response.url != self.start_url:
            stats.inc_value("parknews/pages/article")
            yield from self.article_items(response, None, None, self.parse_page)
            return
        stats.inc_value("parknews/pages/list")
        if not getattr(self, "_sitemaps_sought", False):
            self._sitemaps_sought = True
            yield self.discovery.robots_request(self.start_url)
        yield from self.discovery.announced_feeds(response)
        for url in extract_links(response):
            if host_of(url) != self.host:
                continue
            if self.is_article_url(url):
                yield scrapy.Request(url, callback=self.parse_page, errback=self.failed, priority=1,
                                     meta={"pn_kind": "article"})  # pn_kind: crawler.incremental
            elif self.follow_re is None or self.follow_re.search(url):
                yield scrapy.Request(url, callback=self.parse_page, errback=self.failed, meta={"pn_kind": "list"})

    def failed(self, failure):
        count_failure(failure, self.crawler.stats, self.crawler)
        yield failure_item(failure, self.site_name)
