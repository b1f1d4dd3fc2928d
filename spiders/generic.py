"""The generic spider: any news site, no profile (`newsarchive crawl https://example.com/news/`).

It starts from the given section URLs and also reads the site's robots.txt for sitemaps (or
tries /sitemap.xml), following sitemap indexes and news sitemaps, and the RSS/Atom feeds that
pages announce. Each page is told apart as an article or a listing (newsarchive/parsers/
discovery.py); listings give article links and their next page. Articles go through the same
layers, refresh policy, limits and pipelines as on a profiled site.

Arguments: start_urls (comma-separated), max_pages, since, until, allow_private, full,
sitemaps ("0" to skip them), feeds ("0" to skip them).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import scrapy

from newsarchive.items import ListingLink, PageFailure
from newsarchive.parsers import ParseError
from newsarchive.parsers.dates import date_part
from newsarchive.parsers.discovery import before, discover, parse_feed, parse_sitemap, sitemaps_from_robots
from newsarchive.parsers.document import parse_document
from newsarchive.safety import refuse_private_host
from spiders.profiled import ProfileSpider, _flag, _parse_day


class GenericSpider(ProfileSpider):
    name = "generic"

    def __init__(self, start_urls: str = "", max_pages: str = "0", since: str = "", until: str = "",
                 allow_private: str = "", full: str = "", sitemaps: str = "1", feeds: str = "1", **kwargs):
        scrapy.Spider.__init__(self, **kwargs)
        self.arguments = {k: v for k, v in dict(
            start_urls=start_urls, max_pages=max_pages, since=since, until=until, allow_private=allow_private,
            full=full, sitemaps=sitemaps, feeds=feeds).items() if v}
        self.start_urls = [url.strip() for url in start_urls.split(",") if url.strip()]
        if not self.start_urls:
            raise ValueError("the generic spider needs start_urls: one or more section URLs of the site")
        self.profile = self.site = None
        self.full = _flag(full)
        self.max_pages = int(max_pages or 0)
        self.since, self.until = _parse_day(since, "since"), _parse_day(until, "until")
        self.allow_private = _flag(allow_private)
        self.use_sitemaps, self.use_feeds = _flag(sitemaps), _flag(feeds)
        self.allowed_hosts = {urlsplit(url).hostname for url in self.start_urls}
        self.allowed_domains = sorted(self.allowed_hosts)
        self.site_name = sorted(self.allowed_hosts)[0]

    async def start(self):
        for url in self.start_urls:
            refusal = None if self.allow_private else refuse_private_host(url)
            if refusal:
                self.logger.error(refusal)
                yield PageFailure(url=url, reason="refused_private_host", detail=refusal)
                continue
            yield self.listing_request(url)
            if self.use_sitemaps:
                origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
                yield scrapy.Request(origin + "/robots.txt", callback=self.parse_robots, errback=self.on_error,
                                     priority=20, meta={"origin": origin})

    # discovery ----------------------------------------------------------------------------------

    def parse_robots(self, response):
        sitemaps = sitemaps_from_robots(response.body) or ["/sitemap.xml"]
        for url in (urljoin(response.url, sitemap) for sitemap in sitemaps):
            if self.is_allowed(url):
                yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error, priority=15)

    def parse_sitemap(self, response):
        children, links = parse_sitemap(response.body)
        for url in children:
            if self.is_allowed(url):
                yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error, priority=15)
        yield from self.requests_for(links, "sitemap")

    def parse_feed(self, response):
        yield from self.requests_for(parse_feed(response.body), "feed")

    def requests_for(self, links, origin: str):
        """Article requests for feed or sitemap entries in the date window, as the refresh policy says."""
        for position, found in enumerate(links):
            if not self.is_allowed(found.url) or before(found.published_at, self.since):
                continue
            if self.until and found.published_at and date_part(found.published_at) > self.until:
                continue
            link = ListingLink(url=found.url, position=position, published_at_raw=found.published_at,
                               modified_at_raw=found.published_at if origin == "sitemap" else None)
            request = self.article_request_if_due(link)
            if request is not None:
                yield request

    def parse_listing(self, response):
        try:
            doc = parse_document(response.url, response.body,
                                 response.headers.get(b"Content-Type", b"").decode("latin-1") or None)
        except ParseError as error:
            yield PageFailure(response.url, error.reason, str(error), response.status)
            return
        found = discover(doc)
        if found.kind == "article":  # a start URL that is itself an article
            yield from self.parse_article(response)
            return
        if self.use_feeds:
            for feed in found.feeds:
                if self.is_allowed(feed):
                    yield scrapy.Request(feed, callback=self.parse_feed, errback=self.on_error, priority=15)
        links = [ListingLink(url=link.url, position=n) for n, link in enumerate(found.links)]
        due = 0
        for link in links:
            request = self.article_request_if_due(link) if self.is_allowed(link.url) else None
            if request is not None:
                due += 1
                yield request
        page = response.meta.get("page", 1)
        stale = 0 if due or not links else response.meta.get("stale_pages", 0) + 1
        if self.follow_generic_next_page(found.next_page_url, page, stale):
            request = self.listing_request(found.next_page_url)
            request.meta.update(page=page + 1, stale_pages=stale)
            yield request

    def follow_generic_next_page(self, url: str | None, page: int, stale: int) -> bool:
        if not url or not self.is_allowed(url) or (self.max_pages and page >= self.max_pages):
            return False
        return not (self.stale_pages_limit and stale >= self.stale_pages_limit and not self.refresh.full)

    # limits -------------------------------------------------------------------------------------

    def is_allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        allowed = parts.scheme in ("http", "https") and parts.hostname in self.allowed_hosts
        if not allowed:
            self.crawler.stats.inc_value("newsarchive/offsite_or_locale_skipped_count")
        return allowed
