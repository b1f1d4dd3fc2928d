"""The generic spider: any news site, no profile (`newsarchive crawl https://example.com/news/`).

It starts from the given section URLs and also reads the site's robots.txt for sitemaps (or
tries /sitemap.xml), following sitemap indexes and news sitemaps, and the RSS/Atom feeds that
pages announce. Each page is told apart as an article or a listing (newsarchive/parsers/
discovery.py); listings give article links and their next page. Articles go through the same
layers, refresh policy, limits and pipelines as on a profiled site; scope, frontier, resume and
failures are ArchiveSpider's (spiders/base.py).

Arguments: start_urls (comma-separated), sitemaps ("0" to skip them), feeds ("0" to skip them),
and ArchiveSpider's (max_pages, since, until, allow_private, full).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from newsarchive.items import ArticleNotModified, ListingLink, ListingPage, PageFailure
from newsarchive.options import OptionError, check_start_url, parse_flag
from newsarchive.parsers import ParseError, parse_page
from newsarchive.parsers.article import extract_article
from newsarchive.parsers.dates import date_part
from newsarchive.parsers.discovery import before, discover, parse_feed, parse_sitemap, sitemaps_from_robots
from newsarchive.parsers.document import parse_document
from newsarchive.profiles import find_site
from newsarchive.scope import Scope
from spiders.base import ArchiveSpider


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
        self.site_name = urlsplit(self.start_urls[0]).hostname

    def start_requests_for(self, url: str):
        requests = super().start_requests_for(url)
        if self.use_sitemaps:
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
            requests.append(self.follow(origin + "/robots.txt", "robots"))
        return [request for request in requests if request is not None]

    # discovery ----------------------------------------------------------------------------------

    def parse_robots(self, response):
        sitemaps = sitemaps_from_robots(response.body) or ["/sitemap.xml"]
        urls = [urljoin(response.url, sitemap) for sitemap in sitemaps]
        yield from self.follow_all(urls, "sitemap")
        yield ListingPage(response.url, "robots", links=len(urls))

    def parse_sitemap(self, response):
        children, links = parse_sitemap(response.body)
        yield from self.follow_all(children, "sitemap")
        yield from self.requests_for(links, "sitemap")
        yield ListingPage(response.url, "sitemap", links=len(children) + len(links))

    def parse_feed(self, response):
        links = parse_feed(response.body)
        yield from self.requests_for(links, "feed")
        yield ListingPage(response.url, "feed", links=len(links))

    def follow_all(self, urls, kind: str):
        for url in urls:
            request = self.follow(url, kind) if self.is_allowed(url) else None
            if request is not None:
                yield request

    def requests_for(self, links, origin: str):
        """Article requests for feed or sitemap entries in the date window, as the refresh policy says."""
        for position, found in enumerate(links):
            if before(found.published_at, self.since):
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
        if found.kind == "article":  # a start URL or a listing link that is itself an article
            yield extract_article(doc, *(find_site(doc.url) or (None, None)))
            return
        if self.use_feeds:
            yield from self.follow_all(found.feeds, "feed")
        links = [ListingLink(url=link.url, position=n) for n, link in enumerate(found.links)]
        articles = [request for request in map(self.article_request_if_due, links) if request is not None]
        yield from articles
        page = response.meta.get("page", 1)
        stale = self.stale_count(response.meta.get("stale_pages", 0), len(articles), len(links))
        request = self.next_page_request(found.next_page_url, page, stale)
        if request is not None:
            yield request
        yield ListingPage(response.url, "listing", page, len(links) + bool(found.next_page_url))

    def parse_article(self, response):
        if response.status == 304:
            yield ArticleNotModified(response.url)
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        try:
            yield parse_page(response.url, response.body, content_type=content_type, kind="article")
        except ParseError as error:
            yield PageFailure(response.url, error.reason, str(error), response.status)
