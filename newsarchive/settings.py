"""Scrapy settings for newsarchive: every setting has its one default here.

Project settings are named NEWSARCHIVE_<COMPONENT>_<NAME>. Override any of them with
`scrapy crawl diyaruna -s NAME=VALUE`, or with the `newsarchive crawl` options.
"""

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# The archive ---------------------------------------------------------------------------------
NEWSARCHIVE_DB_PATH = "archive.db"
# Pages written to SQLite in one transaction: the pages of a batch not yet committed when a crawl
# is killed are fetched again when it resumes. Writing a batch holds the reactor (no fetching, no page handed to a
# parser worker meanwhile), so a smaller batch also keeps the crawl even, and holds fewer bodies:
# 25 against 100, on two cores, an any-site crawl of 2,000 real pages was faster in both paired
# runs (by 2 and 12%) with a peak 10 MB lower, and bench/crawl.py's ratio was 0.83 against 0.76.
NEWSARCHIVE_STORE_BATCH_SIZE = 25
# Seconds a writer waits for another process's write transaction before it retries.
NEWSARCHIVE_STORE_BUSY_TIMEOUT = 60

# The crawl's state lives in the archive (`frontier`, newsarchive/archive/frontier.py): a crawl
# killed at any instant resumes from it when run again. RESUME off starts afresh instead.
NEWSARCHIVE_FRONTIER_ENABLED = True
NEWSARCHIVE_FRONTIER_RESUME = True
# (Distributed crawls keep their state in Redis instead: the frontier is off when
# NEWSARCHIVE_REDIS_URL is set. Scrapy's duplicate filter is replaced by the DistributedCrawl
# add-on: the spiders request a URL once per crawl themselves.)

# Every response is kept in `captures` (body compressed; an unchanged body is stored as a
# revisit pointing at the earlier capture). Switch off to keep only the parsed records.
NEWSARCHIVE_CAPTURE_ENABLED = True

# Photo files: downloaded into this directory (named by content hash) when set; off when empty.
NEWSARCHIVE_PHOTOS_DIR = ""
# A photo whose URL redirects (http to https, an old path to a CDN's) is followed to its file, each
# hop kept as a capture of kind redirect: without it, Scrapy's media pipelines stop at the 301, and
# the photo was "not downloaded", its <img> replaying as a redirect to nothing.
MEDIA_ALLOW_REDIRECTS = True

# Incremental crawls (newsarchive/refresh.py): a known article is fetched again while it is
# younger than this many days, or when a listing shows it changed; --full fetches everything.
NEWSARCHIVE_REFRESH_WINDOW_DAYS = 7
NEWSARCHIVE_REFRESH_FULL = False
# Stop following a listing's next pages after this many pages in a row that had nothing to fetch
# (listings run newest first); 0 walks every page. Edits deeper down are found by --full crawls.
NEWSARCHIVE_REFRESH_STALE_PAGES = 3
# Re-fetch known articles with If-None-Match / If-Modified-Since from their last capture.
NEWSARCHIVE_CONDITIONAL_REQUESTS = True
# The revisit schedule (newsarchive/revisits.py): each article is due again 1/(its estimated change
# rate) after a visit, kept between the floor and the ceiling. A crawl fetches up to BUDGET due
# articles no listing offered, most expected missed changes first (0: off; `--revisit-budget`).
NEWSARCHIVE_REVISIT_BUDGET = 0
NEWSARCHIVE_REVISIT_FLOOR_HOURS = 6
NEWSARCHIVE_REVISIT_CEILING_DAYS = 60

# Distributed crawls (newsarchive/distributed.py): several processes share one crawl through
# Redis when this is set; each writes its own archive shard, merged with `newsarchive merge`.
NEWSARCHIVE_REDIS_URL = ""
NEWSARCHIVE_CRAWL_NAME = ""  # names the crawl's Redis keys; `crawl` gives the site's (crawling.distributed_crawl_name)
NEWSARCHIVE_REDIS_OUTAGE_SECONDS = 60
# Where the refresh policy looks up known articles (default: NEWSARCHIVE_DB_PATH); point the
# shards of a distributed crawl at the merged archive.
NEWSARCHIVE_LOOKUP_DB_PATH = ""

# Any site, no profile (spiders/generic.py): the content links of a listing are fetched to let
# each page say what it is, up to this many listings away from a start page, and at most this
# many such pages a crawl (0: no limit).
NEWSARCHIVE_DISCOVERY_DEPTH = 2
NEWSARCHIVE_DISCOVERY_MAX_PAGES = 10000

# Parsing runs in worker processes (newsarchive/workers.py): -1 one per CPU core, 0 in the crawl's
# own process (for debugging); at most NEWSARCHIVE_PARSER_QUEUE pages wait for a worker (0: eight
# per worker). NEWSARCHIVE_PARSER is the function the workers call, (url, body, profile, site,
# content_type, kind=..., fields=...) -> Article | Listing (fields, the article fields wanted, may be
# left out of its parameters: see newsarchive/workers.py). A page's parse in a worker is stopped after
# NEWSARCHIVE_PARSE_TIME_LIMIT seconds (0: no limit) and recorded as a parse_time_limit failure.
NEWSARCHIVE_PARSER_WORKERS = -1
NEWSARCHIVE_PARSER_QUEUE = 0
# Pending requests kept in memory; past them, the crawl's requests wait on disk beside the archive
# (newsarchive/request_queue.py): a big site's backlog held about 2 KB of memory a request.
# -1: all in memory (Scrapy's own scheduler).
NEWSARCHIVE_QUEUE_IN_MEMORY = 10000
NEWSARCHIVE_PARSER = "newsarchive.parsers.parse_page"
NEWSARCHIVE_PARSE_TIME_LIMIT = 60.0

# Comments split over pages (newsarchive/comment_pages.py): the other pages of a story's comments
# are read, at most this many a story (0: none; its comments are then `unreached`).
NEWSARCHIVE_COMMENT_PAGES = 50
# A story split over pages, each naming the next with <link rel="next"> (newsarchive/story_pages.py):
# its further pages are read, at most this many a story (0: none; the story is its first page).
NEWSARCHIVE_STORY_PAGES = 20
# A story whose visit could not read a page of its comments is fetched again by the next crawls,
# until its pages are read or it has been fetched this many times in all: a page that answers an
# error on every visit (a pager whose links never worked) would otherwise have every crawl ask for
# the story, and its pages, for ever.
NEWSARCHIVE_COMMENT_PAGE_ATTEMPTS = 3

# Rendering in a headless browser (newsarchive/rendering.py, `--render`): auto renders only the
# articles whose page says it has comments the HTML lacks (loaded by script), always every
# article, never none. Chromium is the system's (a path, or a name looked up on PATH; empty: the
# first of chromium-headless-shell and chromium found on PATH), driven by
# scrapy-playwright (the `browser` extra) at its own small concurrency; each page gets TIMEOUT
# seconds to load and at most MAX_CLICKS clicks on "load more comments".
NEWSARCHIVE_RENDER = "auto"
NEWSARCHIVE_CHROMIUM = ""
# Pages rendered at once (browser tabs). A render waits more than it works: a page settles after
# 50 ms without requests and an idle main thread, and on bench/render.py's pages about a third of
# a render's time is CPU. With 4 tabs two cores were 1.4 to 1.7 busy once only renders were left;
# 8 were faster on bench/render.py's pages and on real ones, for about 115 MB more of the browser's
# memory on real pages (the figures: docs/archival.md, "Stop 37"). A machine short of memory sets fewer.
NEWSARCHIVE_RENDER_CONCURRENCY = 8
NEWSARCHIVE_RENDER_TIMEOUT = 20.0
NEWSARCHIVE_RENDER_MAX_CLICKS = 5
# Origins besides the crawl's that a rendered page may read from (GET and HEAD only): the comment
# services its sites embed, e.g. ["https://disqus.com", "https://c.disquscdn.com"]. Every other
# origin's request is aborted.
NEWSARCHIVE_RENDER_ORIGINS: list[str] = []
# An article whose comments stayed unreached is fetched and rendered again by later crawls, until
# this many renders of it have read no comments (a render that failed does not count: it may work
# next time; one that read nothing will again, e.g. a comment service out of RENDER_ORIGINS).
NEWSARCHIVE_RENDER_ATTEMPTS = 3

# Politeness and identity ------------------------------------------------------------------------
NEWSARCHIVE_CONTACT_URL = "https://github.com/newsarchive/newsarchive"
# The user agent names the crawler and how to reach its operator; {contact} is filled in.
NEWSARCHIVE_USER_AGENT = "newsarchive/0.1 (archival crawler; +{contact})"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
COOKIES_ENABLED = False
# Scrapy starts this many item workers for every callback's output; a page yields a handful of
# items and the pipelines write to one SQLite file in turn, so the default 100 only costs tasks.
CONCURRENT_ITEMS = 4

# Safety: what the crawler will fetch ------------------------------------------------------------
# Start URLs on loopback, private or link-local addresses are refused unless this is set (the
# demo and the tests set it), so a crawl service cannot be pointed at internal hosts.
NEWSARCHIVE_ALLOW_PRIVATE_HOSTS = False
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # a bigger page is cancelled and recorded as a failure
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# The longest URL asked for: a server's request line (8 KB in nginx and Apache). Longer ones are
# `url_too_long` failures (newsarchive/middlewares/url_length.py); Scrapy's 2,083 refused story
# slugs in Arabic, percent-encoded six characters a letter.
URLLENGTH_LIMIT = 8192
DOWNLOAD_TIMEOUT = 30
# Scrapy's default resolver asks for IPv4 addresses only: a site on an IPv6 address (http://[::1]:8000/)
# or a host with only AAAA records was a dns_error on every page, though its server answered.
TWISTED_DNS_RESOLVER = "scrapy.resolver.CachingHostnameResolver"  # Scrapy 2.16 on (DNS_RESOLVER before)
RETRY_ENABLED = True
RETRY_TIMES = 2
# The longest wait a 429 or 503 answer's Retry-After is granted before its retry (seconds); a site
# asking for longer is not retried in this crawl (newsarchive/middlewares/retry_after.py).
NEWSARCHIVE_RETRY_AFTER_MAX = 120
# The pace a site's robots.txt asks for (Crawl-delay, Request-rate: newsarchive/politeness.py) is
# kept, up to this many seconds between requests (0: ignored).
NEWSARCHIVE_CRAWL_DELAY_MAX = 60.0
REDIRECT_MAX_TIMES = 10

# A one-line progress display on terminals: auto (when stderr is one), always, never.
NEWSARCHIVE_PROGRESS = "auto"
NEWSARCHIVE_PROGRESS_INTERVAL = 0.5

# Components ----------------------------------------------------------------------------------
ADDONS = {"newsarchive.addons.ContactUserAgent": 0, "newsarchive.addons.SwitchedOffExtensions": 0,
          "newsarchive.addons.PhotoDownloads": 0,
          "newsarchive.addons.TerminalProgress": 0, "newsarchive.addons.DistributedCrawl": 0,
          "newsarchive.rendering.BrowserRendering": 0}
EXTENSIONS = {"scrapy.extensions.corestats.CoreStats": None, "newsarchive.extensions.CoreStatsOfOpenedSpider": 0,
              "scrapy.extensions.throttle.AutoThrottle": None, "newsarchive.politeness.FlooredAutoThrottle": 0,
              "newsarchive.politeness.RobotsCrawlDelay": 0}
DOWNLOADER_MIDDLEWARES = {
    # Before robots.txt is asked: a URL too long is refused as a failure of its own (url_too_long).
    "newsarchive.middlewares.url_length.LongUrlMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsarchive.middlewares.robots.ArchiveRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newsarchive.middlewares.redirect.LoopAwareRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newsarchive.middlewares.redirect.LoopAwareMetaRefreshMiddleware": 580,
    # Where Scrapy's CookiesMiddleware sits (off: COOKIES_ENABLED): the cookies of a site's redirects.
    "newsarchive.middlewares.site_cookies.EntryCookiesMiddleware": 700,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsarchive.middlewares.retry_after.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newsarchive.middlewares.compression.SizeCheckedCompressionMiddleware": 590,
    # Nearest the downloader: it sees each response first, as it arrives.
    "newsarchive.middlewares.received.ReceivedAtMiddleware": 990,
}
# Closest to the spider: it sees each callback's own output, exceptions included.
SPIDER_MIDDLEWARES = {"newsarchive.middlewares.pageresult.PageResultSpiderMiddleware": 990,
                      # It dropped a long URL's request unrecorded: LongUrlMiddleware refuses it instead.
                      "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None}
ITEM_PIPELINES = {
    "newsarchive.pipelines.normalise.NormalisePipeline": 100,
    "newsarchive.pipelines.validate.ValidatePipeline": 200,
    "newsarchive.pipelines.dedupe.DedupePipeline": 300,
    "newsarchive.pipelines.store.StorePipeline": 400,
}

# Scrapy defaults we pin so behaviour does not change under us --------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control: an HTTP server in every crawl that runs the Python code it is sent,
# its port and token written to a job file under ~/.local/state/scrapy that a killed crawl leaves
# behind. A scheduled archival crawl needs neither (the telnet console above is off for the same
# reason); a developer who wants it sets REMOTE_CONTROL_ENABLED=True for that crawl.
REMOTE_CONTROL_ENABLED = False
