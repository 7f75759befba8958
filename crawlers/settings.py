"""Scrapy settings for regwatch: polite production defaults.

The MOFCOM sites are government servers that block aggressive clients (SITE_NOTES §1.7): one
request at a time per host, about a second apart, an honest User-Agent, robots.txt obeyed.
``crawlers.runner`` overrides a few of these against the local mirror (no delay, concurrency 8,
no AutoThrottle); nothing else should change them.
"""

from __future__ import annotations

BOT_NAME = "regwatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = "regwatch/0.1 (+https://github.com/regwatch/regwatch; export-control monitor)"
ROBOTSTXT_OBEY = True
ROBOTSTXT_CACHE_HOURS = 24.0  # crawlers/robots.py

CONCURRENT_REQUESTS = 8  # across hosts; each host still gets one at a time
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# Outputs of one callback handled side by side. StorePipeline.process_item is synchronous, so
# running it 100 at a time buys nothing, yet Scrapy starts CONCURRENT_ITEMS asyncio tasks for
# every response it hands to a callback, however few objects the callback yields: at the
# default of 100 that was a third of the engine's own work per page (py-spy, 2,000 pages).
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 % (RANDOMIZE_DOWNLOAD_DELAY is deprecated in 2.19)
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Retries. "MOFCOM resets the first connection and serves the next" (SITE_NOTES §1.7): network
# errors are retried by Scrapy's RetryMiddleware (RETRY_EXCEPTIONS default list). Scrapy retries
# immediately, so crawlers.middlewares.BackoffMiddleware slows the host down before the retry
# is sent: it honours Retry-After on 429/503 (capped at BACKOFF_MAX_SECONDS) and otherwise backs
# off exponentially, by raising the download slot's delay; AutoThrottle decays it afterwards.
# 412/403 are WAF answers and final: retrying them only digs the hole deeper.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REGWATCH_BACKOFF_BASE_SECONDS = 2.0
REGWATCH_BACKOFF_MAX_SECONDS = 120.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024
DOWNLOAD_WARNSIZE = 10 * 1024 * 1024

COOKIES_ENABLED = True  # crawlers "warm up" on the column page; keep what the site sets
TELNETCONSOLE_ENABLED = False
# Scrapy >= 2.19 starts an HTTP server that executes code for its MCP tooling; a cron job
# watching government sites has no use for it.
REMOTE_CONTROL_ENABLED = False
# REQUEST_FINGERPRINTER_IMPLEMENTATION is gone in Scrapy 2.19: the current fingerprinter
# (scrapy.utils.request.RequestFingerprinter) is the only one, so it is not set here.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawlers.logformat.ShortItemLogFormatter"
FEEDS: dict[str, dict] = {}

DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}

DOWNLOADER_MIDDLEWARES = {
    # obeys robots.txt like Scrapy's, but asks each host once a day (crawlers/robots.py)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.robots.CachedRobotsTxtMiddleware": 100,
    # runs after RetryMiddleware on the way in and before it on the way out
    "crawlers.middlewares.BackoffMiddleware": 560,
    "crawlers.middlewares.WafDetectMiddleware": 570,
    # before DownloaderStats (850) so a rewritten request is counted once; see its docstring
    "crawlers.middlewares.MirrorMiddleware": 840,
}
ITEM_PIPELINES = {"crawlers.pipelines.StorePipeline": 300}
# The crawl's storage process (crawlers/storage.py, db/writer.py) writes items in batches: this
# many items, or this many seconds after the first of them arrived, whichever comes first, and
# when a spider closes. Against the real sites (a page a second) that is a commit per page or
# two; against the mirror a commit every 200 items.
REGWATCH_STORE_BATCH_SIZE = 200
REGWATCH_STORE_BATCH_SECONDS = 1.0

# Set by crawlers.runner (from regwatch Settings); empty means "not configured".
REGWATCH_DB_URL = ""
REGWATCH_RUN_ID = 0
REGWATCH_MIRROR_URL = ""
