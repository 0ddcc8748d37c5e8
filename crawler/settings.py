"""Scrapy settings for parknews: polite defaults for the open web, tuned for throughput.

Per-site politeness (delay, concurrency, autothrottle) comes from the site file and is applied
by crawler.runner on top of these.
"""

import os as _os  # lower case: not a setting

BOT_NAME = "parknews"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Where the archive lives; the CLI's --db sets it.
PARKNEWS_DB = "parknews.db"
# With a contact URL; an operator names their own with -s USER_AGENT=... (a separate contact
# setting would be read only here, before any -s: it could not change the header).
_contact = "https://github.com/parknews/parknews"  # lower case: not a setting
USER_AGENT = f"parknews/0.1 (+{_contact}; archiving crawler for park news)"

ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False

# No listening ports from a crawl.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Throughput: the stock CONCURRENT_ITEMS=100 costs ~40% of throughput with the asyncio reactor.
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# Failed pages (404, 500 after retries) reach the spider's errback and are recorded.
HTTPERROR_ALLOW_ALL = False

ITEM_PIPELINES = {
    "crawler.pipelines.ParsePipeline": 100,
    "crawler.attachments.AttachmentsPipeline": 300,
    "crawler.images.ImagesPipeline": 310,
    "crawler.pipelines.StorePipeline": 500,
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.PageBudgetMiddleware": 50,
    "crawler.middlewares.HostMapMiddleware": 60,  # before Scrapy's HttpProxyMiddleware (750)
    # crawler/politeness.py, crawler/incremental.py (scheduled crawls, issue 5)
    "crawler.incremental.ValidatorRecorder": 40,
    "crawler.politeness.SafeTargetMiddleware": 45,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.politeness.BackoffRetryMiddleware": 550,
    # anti-bot answers (crawler/blocked.py): after the WARC capture (950), before the retry (550)
    "crawler.blocked.BlockedAnswerMiddleware": 560,
}
SPIDER_MIDDLEWARES = {
    "crawler.incremental.IncrementalMiddleware": 950,
}
EXTENSIONS = {
    "crawler.extensions.CrawlRunRecorder": 500,
}
# WARC capture of every response (crawler/capture.py, archive/warc.py).
from archive import warc as _warc  # lower-case: not a setting
DOWNLOADER_MIDDLEWARES["crawler.capture.WarcCaptureMiddleware"] = 950  # next to the downloader
SPIDER_MIDDLEWARES = {**globals().get("SPIDER_MIDDLEWARES", {}), "crawler.capture.CaptureSpiderMiddleware": 900}
PARKNEWS_WARC = True                         # False: no WARC files written (crawler/capture.py off)
PARKNEWS_WARC_DIR = None                     # the WARC folder; default NAME.warc/ beside NAME.db; CLI --warc-dir
PARKNEWS_ARCHIVE_DIR = None                  # the old name of PARKNEWS_WARC_DIR, still read
PARKNEWS_WARC_MAX_SIZE = _warc.DEFAULT_MAX_SIZE  # rotate WARC files at this many bytes (1 GB)
PARKNEWS_OPERATOR = ""                       # warcinfo operator (who runs the crawl, a contact)
EXTENSIONS["crawler.progress.ProgressExtension"] = 600

# Scheduled crawls (crawler/incremental.py, crawler/ops.py, crawler/politeness.py).
PARKNEWS_INCREMENTAL = True          # --full sets False
PARKNEWS_STOP_AFTER_KNOWN = 10       # stop paging after N known articles in a row
PARKNEWS_REFRESH_DAYS = 0            # --refresh DAYS: conditional re-fetch of recent articles
PARKNEWS_FAIL_THRESHOLD = 0.2        # exit 1 when more than this share of pages failed
PARKNEWS_DEGRADED_DROP = 0.5         # a field share falling by more than this (relative) is degraded
PARKNEWS_DEGRADED_MIN_NEW = 3        # runs with fewer new records are not compared
PARKNEWS_DEGRADED_WINDOW = 5         # recent runs the comparison uses
PARKNEWS_BLOCKED_SHARE = 0.5         # the run is `blocked` (exit 4) when at least this share of its pages were anti-bot answers (or its start page was one)
PARKNEWS_ALLOW_PRIVATE = False       # site files: [crawl] allow_private; CLI: --allow-private
PARKNEWS_HOST_MAP = {}               # {host: "http://127.0.0.1:PORT"}: connect there for that host (demo)
PARKNEWS_RETRY_BACKOFF = 0.5         # seconds before the first retry, doubled per retry
PARKNEWS_RETRY_BACKOFF_MAX = 60.0    # ... never more than this many seconds
PARKNEWS_RETRY_AFTER_MAX = 300.0     # a longer Retry-After gives up on the page
PARKNEWS_PROGRESS = False            # the CLI turns it on for an interactive terminal
PARKNEWS_STOP_GRACE = 10.0           # seconds a SIGINT/SIGTERM waits for pages in flight (crawler/runner.py)
from archive import store as _store  # lower-case: not a setting
PARKNEWS_BATCH_SIZE = _store.BATCH_SIZE        # records per write transaction (the archive crawler/extensions.py opens)
PARKNEWS_BATCH_SECONDS = _store.BATCH_SECONDS  # ... or seconds, whichever comes first
PARKNEWS_MAX_PAGES = 0               # --max-pages (crawler/middlewares.py); 0: no limit
PARKNEWS_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024  # an attachment larger is not fetched (crawler/attachments.py; Scrapy's download_maxsize per request): scanned plans run to tens of MB
PARKNEWS_CAPTURE_IMAGES = False      # fetch and capture the articles' images (crawler/images.py); CLI --images, site file [crawl] capture_images
PARKNEWS_MAX_IMAGE_BYTES = 10 * 1024 * 1024  # an image larger is not fetched (its entry says "too big"): a photo is a few MB
PARKNEWS_MAX_IMAGES_PER_ARTICLE = 30  # images fetched of one article; the rest are recorded as skipped (a page of icons)
PARKNEWS_MAX_ATTACHMENT_TEXT = 200_000  # characters of an attachment's text kept (record attachment_text; the rest dropped, marked "truncated"): a whole plan is searchable, a 500-page scan dump does not bloat the row
PARKNEWS_MAX_ARTICLE_PAGES = 50      # pages fetched of one multi-page article (spiders/pages.py); 0: no limit
# Worker processes the parse stage runs the parser in (crawler/parse_pool.py): this machine's cores
# less one (the reactor's), at least 1; 0 parses inline on the reactor thread (for debugging).
PARKNEWS_PARSE_WORKERS = max(1, len(_os.sched_getaffinity(0)) - 1)
PARKNEWS_STRIP_PARAMS = []           # query parameters dropped from article URLs; set from the site file's strip_params
PARKNEWS_LOCK_HELD = False           # the CLI holds the site's lock (crawler/cli/crawl.py): 'running' rows of it are dead
# Distributed crawls (crawler/distributed/; `parknews worker`, `crawl --distributed`): the commands set
# SCHEDULER to crawler.distributed.scheduler.InflightScheduler; a local crawl never reads these.
PARKNEWS_REDIS_URL = None            # redis://HOST:PORT/N holding the frontier, seen-set, locks, item queue; CLI --redis
PARKNEWS_WORKER_NAME = ""            # the worker's name in Redis keys and WARC file names; "" = HOSTNAME-PID
PARKNEWS_WORKER_HEARTBEAT = 30.0     # seconds a worker's heartbeat key lives (renewed every third): then it is dead
PARKNEWS_INFLIGHT_TIMEOUT = 600.0    # seconds a taken request may stay in flight before any worker re-queues it
# Script-rendered pages, site file render = "browser" (crawler/render.py, scrapy-playwright).
# 585: just below HttpCompressionMiddleware (590), so it sees the shell decoded, and above the retries (550)
DOWNLOADER_MIDDLEWARES["crawler.render.RenderMiddleware"] = 585
PARKNEWS_CHROMIUM = ""               # the Chromium to drive; "": /usr/bin/chromium, else chromium on PATH
PARKNEWS_RENDER_TIMEOUT = 30.0       # seconds a rendered page may take to load and fall network-idle
LOG_FORMATTER = "crawler.logformatter.OneLineLogFormatter"
LOG_LEVEL = "INFO"

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
