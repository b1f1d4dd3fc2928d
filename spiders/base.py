"""ArchiveSpider: what the profiled and the generic spider share.

- Scope: only URLs on the origins of the start URLs (newsarchive/scope.py) are followed; start
  URLs on loopback or private addresses are refused unless allowed.
- Requests are made in one place, `follow()`, which knows what this crawl has requested already
  (a URL is requested once per crawl) and tags each request with its frontier entry, so the
  page-result middleware can record where the crawl is going.
- Resuming: when the store pipeline finds an interrupted crawl of the same site, it hands over
  that crawl's frontier (`crawl_started` signal); the pending entries are requested again and
  the settled ones are not.
- Incremental crawls: the refresh policy decides which known articles are fetched again, and a
  listing's pagination stops after NEWSARCHIVE_REFRESH_STALE_PAGES pages in a row that offered
  no article this crawl had not requested yet (so a pager that never ends is stopped too).
- Revisits: with NEWSARCHIVE_REVISIT_BUDGET (`--revisit-budget N`) above 0, an incremental crawl
  also requests up to N known articles older than the refresh window whose revisit is due
  (newsarchive/revisits.py), most expected missed changes first, whether or not a listing shows
  them: conditional requests, at a priority below every listed article, so new articles come
  first. The store pipeline counts those that found a change.
- Failures: a fetch error becomes a PageResult with a PageFailure, like any other page.
- Parsing: `parse_response()` sends the page to the parser pool (newsarchive/workers.py), so
  the CPU work runs in worker processes while the reactor goes on fetching and storing.

Arguments shared by both spiders (`-a name=value`): max_pages, since, until (YYYY-MM-DD),
allow_private ("1"), full ("1").
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import timedelta
from urllib.parse import urljoin

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from newsarchive import signals as newsarchive_signals
from newsarchive.archive import utc_now
from newsarchive.archive.queries import ArchiveLookup
from newsarchive.comment_pages import CommentPages
from newsarchive.crawling import ARTICLES_SOUGHT_STAT, OFFSITE_STAT
from newsarchive.failures import RefusedResponse, describe_failure
from newsarchive.items import Article, FrontierEntry, Listing, ListingPage, PageFailure
from newsarchive.middlewares.pageresult import FRONTIER_META, STORED_BODY_META, asked_url, capture_of, page_result
from newsarchive.options import check_date_order, parse_count, parse_day, parse_flag
from newsarchive.parsers.discovery import parse_feed
from newsarchive.parsers.sitemaps import NotASitemap, discovery_file_kind, drop_lastmod_stamp, parse_sitemap
from newsarchive.parsers.urls import canonicalise_url
from newsarchive.refresh import RefreshPolicy
from newsarchive.rendering import Renderer
from newsarchive.revisits import TIME_FORMAT, parse_time
from newsarchive.safety import refuse_private_host
from newsarchive.scope import origin_of, origin_text
from newsarchive.story_pages import StoryPages
from newsarchive.workers import ParseJob, ParserPool

# Listings are read before the articles they list; discovery files before listings.
# A sitemap index may list sitemap indexes (sitemaps.org says it may not, but big sites nest two
# or three): the sitemaps this many indexes below the first one read are not followed further.
SITEMAP_INDEX_DEPTH = 4
SITEMAP_DEPTH_META = "sitemap_depth"  # how many indexes above this sitemap (0: one the crawl found itself)
PRIORITIES = {"sitemap": 15, "feed": 15, "listing": 10, "page": 2, "article": 0}
REVISIT_PRIORITY = -1  # due known articles after every article a listing offered


class ArchiveSpider(scrapy.Spider):
    site_name: str | None = None
    sections_given = False  # a crawl limited to some of the site's sections (a profiled spider's --sections)
    capture_enabled = False  # NEWSARCHIVE_CAPTURE_ENABLED (from_crawler)

    def __init__(self, max_pages: str = "0", since: str = "", until: str = "", allow_private: str = "",
                 full: str = "", **kwargs):
        super().__init__(**kwargs)
        self.max_pages = parse_count(max_pages, "max_pages")
        self.since, self.until = parse_day(since, "since"), parse_day(until, "until")
        check_date_order(self.since, self.until)
        self.allow_private = parse_flag(allow_private)
        self.full = parse_flag(full)
        self.requested: set[bytes] = set()  # the request_key of each URL requested in this crawl
        self.skipped: set[bytes] = set()  # ... and of each known article the refresh policy did not fetch
        # The request keys of the links each listing (its first page's URL) showed that this crawl
        # requested (new_to_this_listing): the stale-pages rule counts them new on its page that shows
        # them first.
        self.shown_by_listing: dict[str, set[bytes]] = {}
        self.resumed_entries: list[FrontierEntry] = []
        self.read_before: set[bytes] = set()  # request keys of the pages a resumed crawl reads again (crawl_started)
        self.revisit_urls: set[str] = set()  # frontier keys of the revisits this crawl requested
        self.arguments: dict[str, str] = {}
        self.offsite_origins: Counter = Counter()  # the other origins the site's links led to (origin_text), and how often

    def keep_arguments(self, **arguments) -> None:
        """The arguments the crawl was started with, kept in its crawls row."""
        self.arguments = {name: value for name, value in arguments.items() if value}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.allow_private = spider.allow_private or settings.getbool("NEWSARCHIVE_ALLOW_PRIVATE_HOSTS")
        spider.renderer = Renderer.from_crawler(crawler)
        spider.comment_pages = CommentPages.from_crawler(crawler)
        spider.story_pages = StoryPages.from_crawler(crawler)
        spider.refresh = RefreshPolicy(window_days=settings.getfloat("NEWSARCHIVE_REFRESH_WINDOW_DAYS"),
                                       full=spider.full or settings.getbool("NEWSARCHIVE_REFRESH_FULL"),
                                       can_render=spider.renderer.can_render,
                                       render_attempts=settings.getint("NEWSARCHIVE_RENDER_ATTEMPTS"),
                                       comment_page_attempts=settings.getint("NEWSARCHIVE_COMMENT_PAGE_ATTEMPTS"))
        spider.conditional_requests = settings.getbool("NEWSARCHIVE_CONDITIONAL_REQUESTS")
        spider.stale_pages_limit = settings.getint("NEWSARCHIVE_REFRESH_STALE_PAGES")
        spider.revisit_budget = settings.getint("NEWSARCHIVE_REVISIT_BUDGET")
        # What the archive already has; a shard of a distributed crawl can look in the merged archive.
        spider.archive_lookup = ArchiveLookup(settings.get("NEWSARCHIVE_LOOKUP_DB_PATH")
                                              or settings.get("NEWSARCHIVE_DB_PATH"))
        spider.parser_pool = ParserPool.from_crawler(crawler)
        spider.capture_enabled = settings.getbool("NEWSARCHIVE_CAPTURE_ENABLED")
        crawler.signals.connect(spider.crawl_started, signal=newsarchive_signals.crawl_started)
        return spider

    def crawl_started(self, crawl_id: int, resumed: list[FrontierEntry], settled: list[str],
                      read_again: list[str] = ()) -> None:
        """The store pipeline opened the crawl; `resumed` are the pending entries of the interrupted
        crawl it took over, `settled` the URLs that crawl already finished with, `read_again` those
        of them this crawl reads again (its listings: frontier.settled_to_read_again), whose
        pagination goes on over the pages that crawl read, stale or not (next_page_request)."""
        self.resumed_entries = resumed
        self.read_before = {request_key(url) for url in read_again}
        for url in [*settled, *(entry.url for entry in resumed)]:
            if request_key(url) not in self.read_before:
                self.requested.add(request_key(url))
        # A crawl that meets no article, new or known, archived nothing (newsarchive/crawling.py,
        # CrawlSummary.found_no_article); not said of a distributed worker, whose share may hold
        # none, nor of a resumed crawl, whose articles the interrupted one may have taken.
        if not (self.crawler.settings.get("NEWSARCHIVE_REDIS_URL") or resumed or settled):
            self.crawler.stats.set_value(ARTICLES_SOUGHT_STAT, True)

    def closed(self, reason):
        self.archive_lookup.close()
        self.parser_pool.close()
        if self.offsite_origins:
            origin, links = self.offsite_origins.most_common(1)[0]
            self.crawler.stats.set_value(OFFSITE_STAT, f"{origin} {links}")

    # parsing ------------------------------------------------------------------------------------

    profile_key: str | None = None  # the profile the parsers use (None: found by URL, or none)

    async def parse_response(self, response, kind: str | None, render: bool = True,
                             fields: tuple[str, ...] | None = None, asked_as: str | None = None):
        """The page's record (Article, Listing) or PageFailure, parsed in a worker process; an
        article is completed from its rendered page when --render asks for it (newsarchive/rendering.py).
        fields: the article fields wanted, None for all; asked_as: what the crawl hoped a page of
        unknown kind (kind None) was (parsers.parse_page)."""
        job = ParseJob(response.url, response.body, content_type_of(response), kind, self.profile_key,
                       self.site_name if self.profile_key else None, response.status, fields, asked_as)
        if self.capture_enabled and response.request is not None:  # the worker stores the body too (StoredBody)
            record, stored = await self.parser_pool.parse_storing_body(job)
            response.meta[STORED_BODY_META] = (response.body, stored)  # for this very body only (capture_of)
        else:
            record = await self.parser_pool.parse(job)
        if isinstance(record, PageFailure):
            self.crawler.stats.inc_value(f"newsarchive/parse_error/{record.reason}")
        if render and isinstance(record, Article):
            # The rest of a story split over pages (newsarchive/story_pages.py), its comments on
            # other pages (newsarchive/comment_pages.py), then those loaded by script: from the
            # page a browser rendered.
            record = await self.story_pages.complete(record, response, self.parse_for_fields)
            record = await self.comment_pages.complete(record, self.parse_for_fields, response)
            record = await self.renderer.complete(record, self.parse_for_fields, response)
        elif render and isinstance(record, Listing) and "listing" in (kind, asked_as):  # an app's shell, say
            record = await self.renderer.complete_listing(record, self.parse_rendered_listing, response)
        return record

    async def parse_rendered_listing(self, response):
        """The listing a browser's rendering of a listing page gives."""
        return await self.parse_response(response, "listing", render=False)

    async def parse_for_fields(self, response, fields: tuple[str, ...] | None = None):
        """The article a page gives for the fields wanted (None: all), parsed like any page but never
        completed further: a browser's rendering of a story's page, a page of its comments."""
        return await self.parse_response(response, "article", render=False, fields=fields)

    # starting -----------------------------------------------------------------------------------

    async def start(self):
        for entry in self.resumed_entries:
            yield self.request_for(entry)
        if self.resumed_entries:
            self.logger.info(f"{len(self.resumed_entries)} requests taken over from an earlier crawl go first")
        for url in self.start_urls:
            refusal = None if self.allow_private else refuse_private_host(url)
            if refusal:
                self.logger.error(refusal)
                yield page_result(None, [PageFailure(url=url, reason="refused_private_host", detail=refusal)], [],
                                  None, self.crawler.stats)
                continue
            for request in self.start_requests_for(url):
                yield request
        for request in self.revisit_requests():
            yield request
        for request in self.window_requests():
            yield request

    def start_requests_for(self, url: str):
        """The requests a start URL begins with (a listing; the generic spider may add a sitemap)."""
        request = self.follow(url, "listing") if self.is_allowed(url) else None
        return [request] if request is not None else []

    # requests -----------------------------------------------------------------------------------

    def follow(self, url: str, kind: str, priority: int | None = None, **meta) -> scrapy.Request | None:
        """The request for a URL this crawl has not requested yet, else None."""
        key = request_key(url)
        if key in self.requested:
            return None
        self.requested.add(key)
        return self.request_for(FrontierEntry(url, kind, PRIORITIES[kind] if priority is None else priority, meta))

    def request_for(self, entry: FrontierEntry) -> scrapy.Request:
        if entry.meta.get("revisit"):
            self.revisit_urls.add(entry.url)
        meta = {FRONTIER_META: entry, **{k: v for k, v in entry.meta.items() if k != "headers"}}
        if entry.kind == "article":
            meta["handle_httpstatus_list"] = [304]  # a conditional request's answer comes to parse_article
        return scrapy.Request(entry.url, callback=getattr(self, f"parse_{entry.kind}"), errback=self.on_error,
                              priority=entry.priority, headers=entry.meta.get("headers"), meta=meta)

    def new_to_this_listing(self, listing: str, urls) -> int:
        """How many of a listing page's links this crawl has requested (from this page, another
        listing, a sitemap or a feed) that no earlier page of the same listing (`listing`: the URL
        of its first page) showed: to the stale-pages rule they are new. Requested from elsewhere
        first (a front page that lists the latest fifteen, a news sitemap read first), a section's
        first pages led to nothing new, and its pagination stopped after three of them, every
        older story unrequested, crawl after crawl, --full too. Counted once a listing: a pager
        that repeats them forever is stale after three pages still."""
        shown = self.shown_by_listing.setdefault(listing, set())
        keys = ({request_key(url) for url in urls} & self.requested) - shown
        shown |= keys
        return len(keys)

    def article_request_if_due(self, link) -> scrapy.Request | None:
        """The request for a listed article, if the refresh policy wants it fetched on this run.
        One this crawl has requested already is neither fetched again nor counted: once stored, it
        would be known to the policy, and counted as skipped although this crawl fetched it."""
        if request_key(link.url) in self.requested or not self.is_allowed(link.url):
            return None
        key = request_key(link.url)
        known = self.archive_lookup.known_article(link.url)
        reason = self.refresh.reason_to_fetch(link, known)
        # A known article not fetched is counted once, however many listings show it; and not at
        # all once another listing's signs (a new comment count) have it fetched after all.
        if reason is None:
            if key not in self.skipped:
                self.skipped.add(key)
                self.crawler.stats.inc_value("newsarchive/refresh/skipped_count")
            return None
        if key in self.skipped:
            self.skipped.discard(key)
            self.crawler.stats.inc_value("newsarchive/refresh/skipped_count", -1)
        self.crawler.stats.inc_value(f"newsarchive/refresh/{reason}_count")
        conditional = (known is not None and self.refresh.wants_conditional(reason) and self.conditional_requests
                       and not self.refresh.renders_again(known))
        headers = self.archive_lookup.conditional_headers(link.url) if conditional else {}
        request = self.follow(link.url, "article", **({"headers": headers} if headers else {}))
        if request is not None and reason == "comments_unreached":
            self.crawler.stats.inc_value("newsarchive/render/retried_count")
        return request

    def known_article_request(self, url: str, may_be_conditional: bool, **meta) -> tuple[scrapy.Request | None, bool]:
        """The request for a known article the crawl fetches again of its own accord (the refresh
        window, a revisit), at the revisits' priority: conditional where it may be, unless its
        comments are fetched again in full (a 304 would leave them unread: never read, or loaded
        by its scripts); and whether they are fetched for comments never read."""
        known = self.archive_lookup.known_article(url)
        retried = bool(known and self.refresh.retries_comments(known))
        rendered_before = bool(known and self.refresh.renders_again(known))
        conditional = self.conditional_requests and may_be_conditional and not retried and not rendered_before
        headers = self.archive_lookup.conditional_headers(url) if conditional else {}
        return self.follow(url, "article", REVISIT_PRIORITY, **meta, **({"headers": headers} if headers else {})), retried

    def window_requests(self) -> list[scrapy.Request]:
        """Requests for the site's young known articles (the refresh window's), at the revisits'
        priority: the window fetches a young article again whether or not a listing still shows
        it. A story deleted or retracted and taken off the listings the day after it came out was
        never fetched again, and stayed in the archive as live. One a listing shows is requested
        once all the same (article_request_if_due). None on a crawl limited to some sections: the
        site's other stories are not its to fetch."""
        if self.sections_given:
            return []
        requests: list[scrapy.Request] = []
        reason = "full" if self.refresh.full else "in_window"
        for url in self.archive_lookup.young_articles(self.site_name, self.refresh.window_start, self.since, self.until):
            if request_key(url) in self.requested or not self.is_allowed(url):
                continue
            request, retried = self.known_article_request(url, self.refresh.wants_conditional(reason))
            if request is not None:
                requests.append(request)
                self.crawler.stats.inc_value(f"newsarchive/refresh/{'comments_unreached' if retried else reason}_count")
        return requests

    def revisit_requests(self) -> list[scrapy.Request]:
        """Conditional requests for up to the budget's number of known articles, due ones first
        (none on a --full crawl, which fetches everything anyway)."""
        if self.revisit_budget <= 0 or self.refresh.full:
            return []
        requests: list[scrapy.Request] = []
        now = utc_now()
        floor = timedelta(hours=self.crawler.settings.getfloat("NEWSARCHIVE_REVISIT_FLOOR_HOURS"))
        seen_before = (parse_time(now) - floor).strftime(TIME_FORMAT)
        due = self.archive_lookup.revisit_candidates(self.site_name, now, self.refresh.window_start, seen_before,
                                                     self.since, self.until)
        for url in due:
            if len(requests) >= self.revisit_budget:
                break
            if not self.is_allowed(url):
                continue
            request, retried = self.known_article_request(url, True, revisit=1)
            if request is not None:
                requests.append(request)
                if retried:
                    self.crawler.stats.inc_value("newsarchive/render/retried_count")
        due.close()
        self.crawler.stats.set_value("newsarchive/revisit/requested_count", len(requests))
        if requests:
            self.logger.info(f"revisiting {len(requests)} known articles, due ones first")
        return requests

    def next_page_request(self, url: str | None, page: int, stale_pages: int, **meta) -> scrapy.Request | None:
        """The listing's next page, unless --max-pages or the stale-pages rule stops here."""
        if not url or not self.is_allowed(url) or (self.max_pages and page >= self.max_pages):
            return None
        # Listings run newest first: after this many pages in a row that led the crawl to nothing it
        # had not requested (old news an incremental crawl skips, links it followed already, no link
        # at all), the rest is what the archive has, or the listing's end, or a pager that never ends:
        # one that shows its last articles, or an empty page, for any page number. A --full crawl
        # requests every article it is offered, so there only such pages count, and the rule holds
        # too: without it, a --full crawl walked an endless pager for good (3,000 pages a minute).
        # A resumed crawl walks again the pages the interrupted one read (crawl_started), however
        # stale: a story that moved onto one of them since was seen by neither crawl.
        if self.stale_pages_limit and stale_pages >= self.stale_pages_limit and request_key(url) not in self.read_before:
            self.crawler.stats.inc_value("newsarchive/refresh/pagination_stopped_count")
            return None
        return self.follow(url, "listing", page=page + 1, stale_pages=stale_pages, **meta)

    @staticmethod
    def stale_count(previous: int, requested: int) -> int:
        """Pages in a row that led to nothing new: reset by a page that led to a request (an article,
        a page of unknown kind, a section); grown by one that led to none, an empty page included."""
        return 0 if requested else previous + 1

    # discovery files: sitemaps and feeds ----------------------------------------------------------

    def parse_sitemap(self, response):
        """A sitemap (or sitemap index): its child sitemaps followed, its entries handed to
        article_requests_from with absolute URLs (some sitemaps give paths). A body that is no
        sitemap is a `not_a_sitemap` failure, unless the crawl only guessed the sitemap's address
        (a site answering /sitemap.xml with a page of its own has no sitemap there)."""
        try:
            children, links = parse_sitemap(response.body)
        except NotASitemap as error:
            if response.meta.get("guessed"):
                yield ListingPage(response.url, "sitemap", links=0)
            else:
                yield PageFailure(response.url, "not_a_sitemap", str(error), response.status)
            return
        yield from self.follow_child_sitemaps(response, children)
        stamp = drop_lastmod_stamp(links)
        if stamp is not None:
            self.crawler.stats.inc_value("newsarchive/sitemap/lastmod_stamp_count")
            self.logger.info(f"the sitemap {response.url} gives nearly all its {len(links)} entries one last-modified "
                             f"time, {stamp}: the sitemap's own date, not theirs; not taken as a change")
        yield from self.article_requests_from(_absolute(links, response.url))
        yield ListingPage(response.url, "sitemap", links=len(children) + len(links))

    def follow_child_sitemaps(self, response, children: list[str]):
        """The sitemaps a sitemap index lists, down to SITEMAP_INDEX_DEPTH indexes below the first:
        an index that lists an index that lists another, for ever (a site's generator gone wrong,
        or a trap), held the crawl for good, reading sitemaps that offered no article."""
        depth = response.request.meta.get(SITEMAP_DEPTH_META, 0) if response.request is not None else 0
        if not children:
            return
        if depth >= SITEMAP_INDEX_DEPTH:
            self.crawler.stats.inc_value("newsarchive/sitemap/too_deep_count")
            self.logger.warning(f"the sitemap index {response.url} is {depth} indexes below the first: its "
                                f"{len(children)} sitemaps are not followed (at most {SITEMAP_INDEX_DEPTH} levels)")
            return
        yield from self.follow_all([urljoin(response.url, child) for child in children], "sitemap",
                                   **{SITEMAP_DEPTH_META: depth + 1})

    def parse_feed(self, response):
        """A feed's entries handed to article_requests_from. A body that is no feed (a page, a
        feed that cannot be read) is a `not_a_feed` failure, unless the crawl only guessed the
        feed's address: stored as an empty feed, its stories were lost and nothing said so."""
        if discovery_file_kind(response.body, content_type_of(response)) is None:
            if response.meta.get("guessed"):
                yield ListingPage(response.url, "feed", links=0)
            else:
                yield PageFailure(response.url, "not_a_feed", "the body is no RSS, Atom or JSON Feed",
                                  response.status)
            return
        links = parse_feed(response.body)
        yield from self.article_requests_from(_absolute(links, response.url))
        yield ListingPage(response.url, "feed", links=len(links))

    def article_requests_from(self, links):
        """The article requests a spider makes of sitemap or feed entries (DiscoveredLinks)."""
        raise NotImplementedError

    def follow_all(self, urls, kind: str, **meta):
        for url in urls:
            request = self.follow(url, kind, **meta) if self.is_allowed(url) else None
            if request is not None:
                yield request

    # failures -----------------------------------------------------------------------------------

    def on_error(self, failure):
        # A sitemap or feed we only guessed at (or a profile names, unconfirmed) that the site does
        # not have: nothing is missing, the crawl records an empty one.
        if failure.check(HttpError) and failure.request.meta.get("guessed"):
            kind = failure.request.meta[FRONTIER_META].kind
            return [page_result(failure.request, [ListingPage(failure.request.url, kind, links=0)], [], None,
                                self.crawler.stats)]
        reason, detail, status = describe_failure(failure)
        self.crawler.stats.inc_value(f"newsarchive/fetch_error/{reason}")
        # Under the URL the crawl asked for (the one its listing gave), where it failed after redirects said.
        asked = asked_url(failure.request)
        if asked != failure.request.url:
            detail = f"{detail} (at {failure.request.url}, redirected from {asked})"
        record = PageFailure(url=asked, reason=reason, detail=detail, status=status)
        # A response the downloader refused (RefusedResponse: a body that would not decompress) is
        # still what the site sent: it is captured, as the page's error responses are.
        refused = failure.value.response if isinstance(failure.value, RefusedResponse) else None
        capture = capture_of(refused) if refused is not None and self.capture_enabled else None
        return [page_result(failure.request, [record], [], capture, self.crawler.stats)]

    # scope --------------------------------------------------------------------------------------

    def is_allowed(self, url: str) -> bool:
        """Only URLs on the crawl's origins are fetched."""
        allowed = self.scope.allows(url)
        if not allowed:
            self.crawler.stats.inc_value("newsarchive/offsite_or_locale_skipped_count")
            origin = origin_of(url)
            if origin is not None:
                self.offsite_origins[origin_text(origin)] += 1
        return allowed


def content_type_of(response) -> str | None:
    """The response's Content-Type header as text, None without one."""
    return response.headers.get(b"Content-Type", b"").decode("latin-1") or None


def request_key(url: str) -> bytes:
    """What `requested` holds of a URL: a digest of its canonical form (one key for its spellings).
    A crawl keeps one for every URL it requested, for its whole length: 16 bytes rather than the
    URL (often over 100 characters) cut the memory a million requests hold by about 80 MB; two
    URLs have the same key by chance once in about 10^38 pairs."""
    canonical = canonicalise_url(url) or url
    return hashlib.blake2b(canonical.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _absolute(links, page_url: str):
    """Sitemap and feed entries with absolute, canonical URLs, as a listing page's links are: the
    archive knows its stories by their canonical URLs, and a feed whose links carry tracking
    parameters (`?utm_source=rss`) or a sitemap that spells its escapes in lower case (`%d9%82`)
    had every story it lists fetched again on every crawl."""
    for link in links:
        absolute = urljoin(page_url, link.url)
        link.url = canonicalise_url(absolute) or absolute
    return links
