"""Spiders driven by a site profile: one per site of every bundled profile (`scrapy list`).

They only route: listing pages go to the listing parser and yield requests for the articles,
sections and next pages it found, and a ListingPage record; article pages go to the article
parser and yield its record. What they share with the generic spider (scope, frontier, resume,
stale pages, failures) is in spiders/base.py.

Arguments (`scrapy crawl diyaruna -a name=value`, or `newsarchive crawl` options), besides
those of ArchiveSpider (max_pages, since, until, allow_private, full):
    sections       comma-separated paths or URLs to start from (default: the site's archive index)
    base_url       serve the site from another origin, e.g. a mirror or the offline demo
    locales        comma-separated locales to keep (default: all the profile's)

Which known articles a crawl fetches again is the refresh policy's choice (newsarchive/refresh.py):
listings always, articles that are new, young, or shown changed by the listing; the rest is
skipped. Known articles are fetched with conditional requests; a 304 answer becomes an
ArticleNotModified record.

Sitemaps and feeds the profile names (`[discovery]`: `sitemaps` and `feeds`, paths on the site)
are read first, for their change signals only, on a whole-site crawl (no --sections) of a site
the archive already holds: a known article whose <lastmod> (or Atom <updated>, JSON Feed
date_modified) is later than our last visit is fetched again, however old it is and whatever
the listings show. New articles are left to the listings, which say where
each is listed and whose pagination stops once its pages offer nothing new. A named file the
site does not have (404) is recorded as an empty one, not as a failure.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from newsarchive.items import ArticleNotModified, ListingLink, ListingPage, PageFailure
from newsarchive.options import check_start_url
from newsarchive.parsers.dates import date_part, normalise_date
from newsarchive.profiles import bundled_profiles, load_profile
from newsarchive.scope import Scope
from spiders.base import ArchiveSpider


class ProfileSpider(ArchiveSpider):
    """Crawl one site of a profile from its section pages to its articles."""

    profile_name: str = ""

    def __init__(self, sections: str = "", base_url: str = "", locales: str = "", **kwargs):
        super().__init__(**kwargs)
        self.keep_arguments(sections=sections, base_url=base_url, locales=locales, **kwargs)
        self.profile = load_profile(self.profile_name)
        self.profile_key = self.profile.key
        self.site = self.profile.site_by_name(self.site_name)
        self.base_url = check_start_url(base_url, "base_url").rstrip("/") if base_url else self.site.base_url
        # None: every locale the site serves, those the profile does not list too.
        self.locales = self.profile.check_locales([loc for loc in locales.split(",") if loc], "locales") or None
        self.sections_given = any(p.strip() for p in sections.split(","))
        paths = [p.strip() for p in sections.split(",") if p.strip()] or list(self.site.start_paths)
        self.start_urls = [check_start_url(urljoin(self.base_url + "/", path), "section") for path in paths]
        # A mirror (base_url) is the whole scope; otherwise the site's own hosts.
        origins = [self.base_url] if base_url else [f"https://{host}" for host in self.site.hosts]
        self.scope = Scope(origins + self.start_urls)
        self.allowed_domains = self.scope.hosts
        self.discovery_urls = [(urljoin(self.base_url + "/", path), kind)
                               for kind, paths in (("sitemap", self.profile.sitemaps), ("feed", self.profile.feeds))
                               for path in paths]

    def start_requests_for(self, url: str):
        requests = super().start_requests_for(url)
        if url == self.start_urls[0] and self.reads_discovery_files():  # once, with the first start URL
            requests += [request for url, kind in self.discovery_urls if self.scope.allows(url)
                         and (request := self.follow(url, kind, guessed=True)) is not None]
        return requests

    def reads_discovery_files(self) -> bool:
        """Sitemaps and feeds give change signals of known articles only (new ones are the
        listings'): read on a whole-site crawl of a site the archive already holds, not on a
        first crawl (nothing is known) nor on one limited to --sections (the files span the site)."""
        return not self.sections_given and self.archive_lookup.knows_site(self.site_name)

    # routing ------------------------------------------------------------------------------------

    async def parse_listing(self, response):
        listing = await self.parse_response(response, "listing")
        if isinstance(listing, PageFailure):
            yield listing
            return
        if not listing.links and not listing.section_links:
            yield PageFailure(response.url, "empty_listing", "no article or section links found", response.status)
            return
        # A teaser's link to a page the profile calls a listing (a section's) is a section link:
        # fetched as an article, it was stored as one, and the stories it lists never fetched.
        listed = [link for link in listing.links if self.profile.page_kind(link.url) != "listing"]
        section_urls = [link.url for link in listing.section_links] + [
            link.url for link in listing.links if self.profile.page_kind(link.url) == "listing"]
        sections = list(self.follow_all(section_urls, "listing"))
        for request in sections:
            yield request
        in_window = [link for link in listed if self.in_date_window(link)]
        articles = [request for request in map(self.article_request_if_due, in_window) if request is not None]
        for request in articles:
            yield request
        chain = response.meta.get("listing_start", response.url)
        stale = self.stale_count(response.meta.get("stale_pages", 0), len(articles) + len(sections)
                                 + self.new_to_this_listing(chain, (link.url for link in in_window)))
        # The page's number: the profile's page parameter says it, else the pages walked to it (a
        # pager by path, /news/page/2/, names none, and --max-pages never stopped it).
        page = max(listing.page, response.meta.get("page", 1))
        if self.more_pages_in_window(listing, in_window):
            request = self.next_page_request(listing.next_page_url, page, stale, listing_start=chain)
            if request is not None:
                yield request
        yield ListingPage(response.url, "listing", page,
                          len(listing.links) + len(listing.section_links) + bool(listing.next_page_url))

    def article_requests_from(self, links):
        """Requests for the known articles whose sitemap or feed entry shows a change since we
        last fetched them (as the refresh policy judges it); nothing for new articles."""
        for position, found in enumerate(links):
            url = found.url
            link = ListingLink(url=url, position=position, published_at_raw=found.published_at,
                               modified_at_raw=found.modified_at)
            if not self.profile.match_url("article", url) or not self.in_date_window(link):
                continue
            known = self.archive_lookup.known_article(url)
            if known is None or self.refresh.reason_to_fetch(link, known) is None:
                continue
            request = self.article_request_if_due(link)
            if request is not None:
                yield request

    async def parse_article(self, response):
        if response.status == 304:
            yield ArticleNotModified(response.url)
            return
        yield await self.parse_response(response, "article")

    # limits -------------------------------------------------------------------------------------

    def is_allowed(self, url: str) -> bool:
        """Only URLs on the crawl's origins and in the chosen locales are fetched."""
        locale = self.profile.locale_for_url(url)
        if locale is not None and self.locales is not None and locale not in self.locales:
            self.crawler.stats.inc_value("newsarchive/offsite_or_locale_skipped_count")
            return False
        return super().is_allowed(url)

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

    def more_pages_in_window(self, listing, in_window: list) -> bool:
        """Listings run newest first: once a whole page is older than --since, stop paginating."""
        if not (self.since and listing.links) or in_window:
            return True
        return not all((day := self.link_date(link)) and day < self.since for link in listing.links)


def spider_class(profile, site) -> type[ProfileSpider]:
    """The ProfileSpider subclass of one site of a profile (bundled, or a file: its key is its
    path), named after the site."""
    class_name = "".join(part.title() for part in re.split(r"[^0-9A-Za-z]+", site.name)) + "Spider"
    return type(class_name, (ProfileSpider,), {
        "name": site.name, "site_name": site.name, "profile_name": profile.key,
        "__module__": __name__, "__doc__": f"Crawl {site.name} ({', '.join(site.hosts)}).",
    })


def _spider_classes():
    """One ProfileSpider subclass per site of each bundled profile."""
    for profile in bundled_profiles():
        for site in profile.sites:
            yield spider_class(profile, site)


globals().update({spider_class.__name__: spider_class for spider_class in _spider_classes()})
