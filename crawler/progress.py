"""Progress of a crawl on an interactive terminal: pages, articles, errors and rate on one
refreshing line (tqdm, on stderr). Enabled by PARKNEWS_PROGRESS, which the CLI sets only when
stderr is a TTY; under cron there is no progress line, only the log and the summary."""
from __future__ import annotations

import time

from scrapy import signals
from scrapy.exceptions import NotConfigured

from .ops import pages_fetched


class ProgressExtension:
    INTERVAL = 0.5

    def __init__(self, crawler):
        self.crawler = crawler
        self.bar = None
        self.started = time.monotonic()
        self.last = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("PARKNEWS_PROGRESS"):
            raise NotConfigured
        try:
            import tqdm  # noqa: F401
        except ImportError:
            raise NotConfigured from None
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.update, signal=signals.response_received)
        crawler.signals.connect(ext.update, signal=signals.item_scraped)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider):
        from tqdm import tqdm

        self.started = time.monotonic()
        import shutil

        # a terminal that reports no size (0 x 0) would get an empty, hidden line
        size = shutil.get_terminal_size((100, 20))
        # our own counts, the rate first (tqdm's own rate and unit would repeat it and push the line
        # past 80 columns, where the terminal cuts off the end): "site: 48 pages, 18.4 pages/s, new 45 · …"
        self.bar = tqdm(total=None, desc=getattr(spider, "site_name", spider.name),
                        bar_format="{desc}: {n_fmt} pages{postfix}",
                        ncols=max(size.columns, 60), nrows=max(size.lines, 5), leave=True)

    def _text(self) -> str:
        stats = self.crawler.stats

        def get(key):
            return int(stats.get_value(key, 0) or 0)

        pages = pages_fetched(stats.get_stats())
        rate = pages / max(time.monotonic() - self.started, 1e-6)
        return (f"{rate:.1f} pages/s, new {get('parknews/articles/new')} · "
                f"unchanged {get('parknews/articles/unchanged')} · skipped {get('parknews/incremental/skipped_known')} · "
                f"errors {get('parknews/pages/failed')}"), pages

    def update(self, *args, **kwargs):
        if self.bar is None:
            return
        now = time.monotonic()
        if now - self.last < self.INTERVAL:
            return
        self.last = now
        text, pages = self._text()
        self.bar.n = pages
        self.bar.set_postfix_str(text, refresh=False)
        self.bar.refresh()

    def closed(self, spider, reason):
        if self.bar is None:
            return
        self.last = 0.0
        self.update()
        self.bar.close()
        self.bar = None
