"""Spiders driven by a site profile: one per site of every bundled profile (`scrapy list`).

They only route: listing pages go to the listing parser and yield requests for the articles,
sections and next pages it found; article pages go to the article parser and yield its record.
Anything that goes wrong with a page becomes a `PageFailure` item, stored in the archive.

Arguments (`scrapy crawl diyaruna -a name=value`, or `newsarchive crawl` options):
    sections       comma-separated paths or URLs to start from (default: the site's archive index)
    base_url       serve the site from another origin, e.g. a mirror or the offline demo
    max_pages      listing pages to follow per section (0: all)
    since, until   YYYY-MM-DD: only articles published in this window
    locales        comma-separated locales to keep (default: all the profile's)
    allow_private  "1" to allow start URLs on loopback or private addresses
    full           "1" to fetch every article again, not only what the refresh policy picks

Which known articles a crawl fetches again is the refresh policy's choice (newsarchive/refresh.py):
listings always, articles that are new, young, or shown changed by the listing; the rest is
skipped. A listing's pagination stops after NEWSARCHIVE_REFRESH_STALE_PAGES pages in a row that
had nothing to fetch. Known articles are fetched with conditional requests; a 304 answer becomes an
ArticleNotModified record.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urljoin, urlsplit

import scrapy

from newsarchive import signals as newsarchive_signals
from newsarchive.archive.queries import ArchiveLookup
from newsarchive.items import ArticleNotModified, PageFailure
from newsarchive.parsers import ParseError, parse_page
from newsarchive.parsers.dates import date_part, normalise_date
from newsarchive.profiles import bundled_profiles, load_profile
from newsarchive.failures import describe_failure
from newsarchive.refresh import RefreshPolicy
from newsarchive.safety import refuse_private_host


class ProfileSpider(scrapy.Spider):
    """Crawl one site of a profile from its section pages to its articles."""

    profile_name: str = ""
    site_name: str = ""

    def __init__(self, sections: str = "", base_url: str = "", max_pages: str = "0", since: str = "",
                 until: str = "", locales: str = "", allow_private: str = "", full: str = "", **kwargs):
        super().__init__(**kwargs)
        self.arguments = {k: v for k, v in dict(
            sections=sections, base_url=base_url, max_pages=max_pages, since=since, until=until,
            locales=locales, allow_private=allow_private, full=full).items() if v}
        self.full = _flag(full)
        self.profile = load_profile(self.profile_name)
        self.site = self.profile.site_by_name(self.site_name)
        self.base_url = (base_url or self.site.base_url).rstrip("/")
        self.max_pages = int(max_pages or 0)
        self.since = _parse_day(since, "since")
        self.until = _parse_day(until, "until")
        self.locales = [loc for loc in locales.split(",") if loc] or list(self.profile.locales)
        self.allow_private = _flag(allow_private)
        self.allowed_hosts = {urlsplit(self.base_url).hostname} | set(self.site.hosts if not base_url else ())
        self.allowed_domains = sorted(self.allowed_hosts)
        paths = [p for p in sections.split(",") if p] or list(self.site.start_paths)
        self.start_urls = [urljoin(self.base_url + "/", path) for path in paths]

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.allow_private = spider.allow_private or settings.getbool("NEWSARCHIVE_ALLOW_PRIVATE_HOSTS")
        spider.refresh = RefreshPolicy(window_days=settings.getfloat("NEWSARCHIVE_REFRESH_WINDOW_DAYS"),
                                       full=spider.full or settings.getbool("NEWSARCHIVE_REFRESH_FULL"))
        spider.conditional_requests = settings.getbool("NEWSARCHIVE_CONDITIONAL_REQUESTS")
        spider.stale_pages_limit = settings.getint("NEWSARCHIVE_REFRESH_STALE_PAGES")
        # What the archive already has; a shard of a distributed crawl can look in the merged archive.
        spider.archive_lookup = ArchiveLookup(settings.get("NEWSARCHIVE_LOOKUP_DB_PATH")
                                              or settings.get("NEWSARCHIVE_DB_PATH"))
        return spider

    def closed(self, reason):
        self.archive_lookup.close()

    async def start(self):
        for url in self.start_urls:
            refusal = None if self.allow_private else refuse_private_host(url)
            if refusal:
                self.logger.error(refusal)
                yield PageFailure(url=url, reason="refused_private_host", detail=refusal)
                continue
            if self.is_allowed(url):
                yield self.listing_request(url)

    # routing ------------------------------------------------------------------------------------

    def listing_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error, priority=10)

    def article_request(self, url: str, headers: dict | None = None) -> scrapy.Request:
        # A 304 comes to parse_article too: it answers a conditional request for a known article.
        return scrapy.Request(url, callback=self.parse_article, errback=self.on_error, headers=headers,
                              meta={"handle_httpstatus_list": [304]})

    def article_request_if_due(self, link) -> scrapy.Request | None:
        """The request for a listed article, if the refresh policy wants it fetched on this run."""
        known = self.archive_lookup.known_article(link.url)
        reason = self.refresh.reason_to_fetch(link, known)
        self.crawler.stats.inc_value(f"newsarchive/refresh/{reason or 'skipped'}_count")
        if reason is None:
            return None
        conditional = known is not None and reason != "full" and self.conditional_requests
        return self.article_request(link.url, self.archive_lookup.conditional_headers(link.url) if conditional else None)

    def parse_listing(self, response):
        listing = self.parse_response(response, "listing")
        if isinstance(listing, PageFailure):
            yield listing
            return
        if not listing.links and not listing.section_links:
            yield PageFailure(response.url, "empty_listing", "no article or section links found", response.status)
        for link in listing.section_links:
            if self.is_allowed(link.url):
                yield self.listing_request(link.url)
        in_window = [link for link in listing.links if self.in_date_window(link)]
        due = 0
        for link in in_window:
            request = self.article_request_if_due(link) if self.is_allowed(link.url) else None
            if request is not None:
                due += 1
                yield request
        stale_pages = 0 if due or not listing.links else response.meta.get("stale_pages", 0) + 1
        if self.follow_next_page(listing, in_window, stale_pages):
            request = self.listing_request(listing.next_page_url)
            request.meta["stale_pages"] = stale_pages
            yield request

    def parse_article(self, response):
        if response.status == 304:
            yield ArticleNotModified(response.url)
            return
        yield self.parse_response(response, "article")

    def parse_response(self, response, kind: str):
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        try:
            return parse_page(response.url, response.body, self.profile, self.site, content_type, kind=kind)
        except ParseError as error:
            self.crawler.stats.inc_value(f"newsarchive/parse_error/{error.reason}")
            return PageFailure(response.url, error.reason, str(error), response.status)

    def on_error(self, failure):
        reason, detail, status = describe_failure(failure)
        self.crawler.stats.inc_value(f"newsarchive/fetch_error/{reason}")
        self.crawler.signals.send_catch_log(newsarchive_signals.request_failed, request=failure.request)
        yield PageFailure(url=failure.request.url, reason=reason, detail=detail, status=status)

    # limits -------------------------------------------------------------------------------------

    def is_allowed(self, url: str) -> bool:
        """Only http(s) URLs on the site's hosts and in the chosen locales are fetched."""
        parts = urlsplit(url)
        locale = self.profile.locale_for_url(url)
        allowed = (
            parts.scheme in ("http", "https")
            and parts.hostname in self.allowed_hosts
            and (locale is None or locale in self.locales)
        )
        if not allowed:
            self.crawler.stats.inc_value("newsarchive/offsite_or_locale_skipped_count")
        return allowed

    def link_date(self, link) -> str | None:
        match = self.profile.match_url("article", link.url)
        if match and match.groupdict().get("year"):
            return f"{match['year']}-{match['month']}-{match['day']}"
        return date_part(normalise_date(link.published_at_raw))

    def in_date_window(self, link) -> bool:
        day = self.link_date(link)
        if day is None:
            return True  # unknown date: fetch, the article page will tell
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def follow_next_page(self, listing, in_window: list, stale_pages: int = 0) -> bool:
        if not listing.next_page_url or not self.is_allowed(listing.next_page_url):
            return False
        if self.max_pages and listing.page >= self.max_pages:
            return False
        # Incremental crawls: listings run newest first, so after this many pages in a row with
        # nothing new or changing on them, the rest of the listing is what the archive has.
        if self.stale_pages_limit and stale_pages >= self.stale_pages_limit and not self.refresh.full:
            self.crawler.stats.inc_value("newsarchive/refresh/pagination_stopped_count")
            return False
        # Listings run newest first: once a whole page is older than --since, stop paginating.
        dates = [self.link_date(link) for link in listing.links]
        if self.since and listing.links and not in_window and all(d and d < self.since for d in dates):
            return False
        return True


def _flag(value: str) -> bool:
    return str(value).lower() in ("1", "true", "yes")


def _parse_day(value: str, name: str) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as error:
        raise ValueError(f"{name} must be a date as YYYY-MM-DD, not {value!r}") from error


def _spider_classes():
    """One ProfileSpider subclass per site of each bundled profile, named after the site."""
    for profile in bundled_profiles():
        for site in profile.sites:
            class_name = "".join(part.title() for part in site.name.split("_")) + "Spider"
            yield type(class_name, (ProfileSpider,), {
                "name": site.name, "site_name": site.name, "profile_name": profile.key,
                "__module__": __name__, "__doc__": f"Crawl {site.name} ({', '.join(site.hosts)}).",
            })


globals().update({spider_class.__name__: spider_class for spider_class in _spider_classes()})
