"""The generic spider: any news site, no profile (`newsarchive crawl https://example.com/news/`).

Each page it fetches says what it is (newsarchive/parsers/discovery.py): an article is stored;
a listing offers its content links, its next page and the RSS/Atom feeds it announces. Every
same-site content link is fetched, within a budget, so articles are found whatever their URLs
look like; a URL with an article's shape (a date, an id, a long slug) is only fetched first.
Sitemaps come from robots.txt, read once by Scrapy's robots.txt middleware (or /sitemap.xml when
robots.txt names none, whose absence is no failure); sitemap indexes, news sitemaps and gzipped
sitemaps are followed. Articles go through the same layers, refresh policy, limits and
pipelines as on a profiled site; scope, frontier, resume and failures are ArchiveSpider's
(spiders/base.py).

Arguments: start_urls (comma-separated), sitemaps ("0" to skip them), feeds ("0" to skip them),
and ArchiveSpider's (max_pages, since, until, allow_private, full). Settings:
NEWSARCHIVE_DISCOVERY_DEPTH (listings away from a start page whose links are still followed) and
NEWSARCHIVE_DISCOVERY_MAX_PAGES (pages of unknown kind fetched in one crawl, 0: no limit).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scrapy import signals

from newsarchive import signals as newsarchive_signals
from newsarchive.failures import NO_ANSWER_REASONS, reason_of
from newsarchive.items import Article, ArticleNotModified, ListingLink, ListingPage, PageFailure
from newsarchive.middlewares.pageresult import asked_url
from newsarchive.options import OptionError, check_start_url, parse_flag
from newsarchive.parsers.dates import date_part
from newsarchive.parsers.discovery import before, looks_like_article_url
from newsarchive.parsers.sitemaps import discovery_file_kind
from newsarchive.scope import Scope, origin_of
from spiders.base import ArchiveSpider, content_type_of

# A page of unknown kind is fetched after listings, articles with an article's URL before others.
LIKELY_ARTICLE_PRIORITY, OTHER_PAGE_PRIORITY = 5, 2


class GenericSpider(ArchiveSpider):
    name = "generic"

    def __init__(self, start_urls: str = "", sitemaps: str = "1", feeds: str = "1", **kwargs):
        super().__init__(**kwargs)
        self.keep_arguments(start_urls=start_urls, sitemaps=sitemaps, feeds=feeds, **kwargs)
        self.start_urls = [check_start_url(url, "start URL") for url in start_urls.split(",") if url.strip()]
        if not self.start_urls:
            raise OptionError("the generic spider needs start_urls: one or more section URLs of the site")
        self.use_sitemaps, self.use_feeds = parse_flag(sitemaps), parse_flag(feeds)
        self.scope = Scope(self.start_urls)
        self.allowed_domains = self.scope.hosts
        # The host as requested (an internationalised name in ASCII), as articles keep it; check_start_url
        # let through only http(s) URLs with a host, which have an origin.
        self.site_name = origin_of(self.start_urls[0])[1]
        self.pages_of_unknown_kind = 0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_depth = crawler.settings.getint("NEWSARCHIVE_DISCOVERY_DEPTH")
        spider.max_unknown_pages = crawler.settings.getint("NEWSARCHIVE_DISCOVERY_MAX_PAGES")
        spider.sitemaps_from_robots = spider.use_sitemaps and crawler.settings.getbool("ROBOTSTXT_OBEY")
        if spider.sitemaps_from_robots:
            crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
            crawler.signals.connect(spider.robots_unreadable, signal=newsarchive_signals.robots_unreadable)
        return spider

    def start_requests_for(self, url: str):
        requests = super().start_requests_for(url)
        if self.use_sitemaps and not self.sitemaps_from_robots:  # no robots.txt read: guess
            requests.append(self.guessed_sitemap(url))
        return [request for request in requests if request is not None]

    # discovery files: robots.txt, sitemaps, feeds -----------------------------------------------

    def robots_parsed(self, robotparser, request):
        """Scrapy's robots.txt middleware read an origin's robots.txt: follow the sitemaps it names."""
        if not self.scope.allows(request.url):
            return
        named = [urljoin(request.url, url) for url in getattr(getattr(robotparser, "rp", None), "sitemaps", [])]
        in_scope = [url for url in named if self.scope.allows(url)]
        if len(in_scope) < len(named):
            # The site's own word, but on another origin (a CDN's host): not fetched, as any
            # page there is not; said once, since the stories it lists may be the crawl's.
            elsewhere = [url for url in named if url not in in_scope]
            self.logger.warning(f"robots.txt of {urlsplit(request.url).netloc} names sitemaps on other origins, "
                                f"not fetched: {', '.join(elsewhere[:3])}" + (" ..." if len(elsewhere) > 3 else ""))
        requests = list(self.follow_all(in_scope, "sitemap")) if in_scope else [self.guessed_sitemap(request.url)]
        for sitemap_request in requests:
            if sitemap_request is not None:
                self.crawler.engine.crawl(sitemap_request)

    def robots_unreadable(self, request, error):
        """An origin's robots.txt could not be fetched: look for its sitemap where it usually is,
        unless no server answered there (a guess would only add that failure again)."""
        if reason_of(error) not in NO_ANSWER_REASONS:
            self.robots_parsed(None, request)

    def guessed_sitemap(self, url: str):
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        return self.follow(origin + "/sitemap.xml", "sitemap", guessed=True)

    def article_requests_from(self, links):
        """Article requests for feed or sitemap entries in the date window, as the refresh policy says."""
        for position, found in enumerate(links):
            if before(found.dated, self.since):
                continue
            if self.until and found.dated and date_part(found.dated) > self.until:
                continue
            # A lastmod or an Atom <updated> is a change signal; a publication date is not.
            link = ListingLink(url=found.url, position=position, published_at_raw=found.published_at,
                               modified_at_raw=found.modified_at)
            request = self.article_request_if_due(link)
            if request is not None:
                yield request

    # pages: articles and listings, each saying which it is ----------------------------------------

    async def parse_listing(self, response):
        """A start URL or a listing's next page: read as a listing unless it has a story's prose,
        whatever article metadata the site's theme prints on it (discovery.page_kind). A feed or
        sitemap (a user may start from one) is read as what it is."""
        form = discovery_file_kind(response.body, content_type_of(response))
        if form is not None:
            for output in (self.parse_feed if form == "feed" else self.parse_sitemap)(response):
                yield output
            return
        async for output in self.parse_any_page(response, asked_as="listing"):
            yield output

    async def parse_page(self, response):
        async for output in self.parse_any_page(response):
            yield output

    async def parse_article(self, response):
        """A story a sitemap, a feed or a listing named (or a revisit): read as one unless the page is
        shaped as a listing (discovery.page_kind, asked_as "article"): a category page a sitemap
        lists was stored as an article of its teasers, and its stories were not followed."""
        if response.status == 304:
            yield ArticleNotModified(response.url)
            return
        async for output in self.parse_any_page(response, asked_as="article"):
            yield output

    async def parse_any_page(self, response, asked_as: str | None = None):
        page = await self.parse_response(response, None, asked_as=asked_as)
        if isinstance(page, Article) and asked_as == "listing":
            # A story given as the start URL, or a section with a story's run of prose: said, since
            # the crawl then ends with this one page, which is not what a section URL asks for.
            self.logger.warning(f"{response.url} was asked for as a listing but reads as an article: it is "
                                "stored as one, and its links are not followed")
        if isinstance(page, (Article, PageFailure)):
            yield page
            return
        if asked_as == "article" and asked_url(response.request) != response.url:
            # A story's URL that now redirects to a listing (a story taken down, sent to its section).
            yield PageFailure(asked_url(response.request), "not_the_story",
                              f"it now redirects to {response.url}, a listing page, not to a story", response.status)
            return
        depth = response.meta.get("depth_of_discovery", 0)
        self.offsite_origins.update(page.elsewhere)
        if self.use_feeds:
            for request in self.follow_all(page.feeds, "feed"):
                yield request
        followed = [request for request in (self.request_for_link(link, depth + 1) for link in page.links)
                    if request is not None]
        for request in followed:
            yield request
        number = response.meta.get("page", 1)
        listing = response.meta.get("listing_start", response.url)
        stale = self.stale_count(response.meta.get("stale_pages", 0),
                                 len(followed) + self.new_to_this_listing(listing, (link.url for link in page.links)))
        request = self.next_page_request(page.next_page_url, number, stale, depth_of_discovery=depth, listing_start=listing)
        if request is not None:
            yield request
        yield ListingPage(response.url, "listing", number, len(page.links) + bool(page.next_page_url))

    def request_for_link(self, link: ListingLink, depth: int):
        """A known article: as the refresh policy says. Anything else on the site: fetched, within
        the discovery budget, to let the page say what it is."""
        if not self.is_allowed(link.url):
            return None
        if self.archive_lookup.known_article(link.url) is not None:
            return self.article_request_if_due(link)
        if depth > self.max_depth or (self.max_unknown_pages and self.pages_of_unknown_kind >= self.max_unknown_pages):
            self.crawler.stats.inc_value("newsarchive/discovery/beyond_budget_count")
            return None
        priority = LIKELY_ARTICLE_PRIORITY if looks_like_article_url(link.url) else OTHER_PAGE_PRIORITY
        request = self.follow(link.url, "page", priority, depth_of_discovery=depth)
        if request is not None:
            self.pages_of_unknown_kind += 1
        return request
