"""The generic spider's discovery (spiders/generic.py) on a real spider with the project's settings
and a real archive, pages parsed in the test's process: what a listing leads to (its feeds, every
same-site content link within the discovery budget, ordered by URL shape, its next page), what an
article or a failed page gives, and which sitemap entries the date window keeps."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse

from newsarchive.archive import open_archive
from newsarchive.archive.store import start_crawl, store_article
from newsarchive.items import Article, ArticleNotModified, ListingLink, ListingPage, PageFailure
from newsarchive.middlewares.pageresult import FRONTIER_META
from newsarchive.options import OptionError
from spiders.generic import LIKELY_ARTICLE_PRIORITY, OTHER_PAGE_PRIORITY, GenericSpider
from tests.conftest import LOOPBACK_SITE
from tests.conftest import spider_stat as stat

SITE = LOOPBACK_SITE
LISTING = """<html><head><title>News</title>
<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head><body><h1>News</h1><ul>
<li><a href="/news/2026/01/02/a-story-about-things">A story about many things today</a></li>
<li><a href="/quem-se-ama">Quem se ama, cuida de si mesmo</a></li>
<li><a href="/article/3834/1">Another story with a numbered path</a></li>
<li><a href="http://other.example/news/2026/01/02/away">A story on another site entirely</a></li>
</ul><a rel="next" href="/news/page/2">Next</a></body></html>""".encode()
ARTICLE = (b"<html><head><title>A story</title></head><body><article><h1>A story</h1><p>"
           + b"Words of the story. " * 40 + b"</p></article></body></html>")


@pytest.fixture
def make_spider(make_generic_spider):
    return make_generic_spider


def outputs_of(callback, url: str, body: bytes, **meta) -> list:
    response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html"}, request=Request(url, meta=meta))

    async def collect():
        return [output async for output in callback(response)]

    return asyncio.run(collect())


def described(outputs) -> list[tuple]:
    """Each request as (URL, kind, priority, depth of discovery), each record as itself."""
    return [(output.url, output.meta[FRONTIER_META].kind, output.priority, output.meta.get("depth_of_discovery"))
            if isinstance(output, Request) else output for output in outputs]



def test_a_listing_leads_to_its_feed_its_content_links_and_its_next_page(make_spider):
    spider = make_spider()
    outputs = outputs_of(spider.parse_listing, f"{SITE}/news/", LISTING)
    assert described(outputs) == [
        (f"{SITE}/rss.xml", "feed", 15, None),
        (f"{SITE}/news/2026/01/02/a-story-about-things", "page", LIKELY_ARTICLE_PRIORITY, 1),
        (f"{SITE}/quem-se-ama", "page", OTHER_PAGE_PRIORITY, 1),  # no article's shape: fetched all the same
        (f"{SITE}/article/3834/1", "page", OTHER_PAGE_PRIORITY, 1),  # the id is not last: no article's shape
        (f"{SITE}/news/page/2", "listing", 10, 0),
        ListingPage(f"{SITE}/news/", "listing", 1, 4),  # three links and the next page
    ]
    next_page = outputs[4]
    assert (next_page.meta["page"], next_page.meta["stale_pages"]) == (2, 0)
    assert spider.pages_of_unknown_kind == 3
    assert LIKELY_ARTICLE_PRIORITY > OTHER_PAGE_PRIORITY


def test_a_later_listing_page_counts_on_from_its_request(make_spider):
    spider = make_spider()
    outputs_of(spider.parse_listing, f"{SITE}/news/", LISTING)
    # The same links again, on page 2 (of the listing page 1 began: its request says so) reached at
    # depth 1: nothing new, one more stale page.
    outputs = outputs_of(spider.parse_page, f"{SITE}/news/page/2", LISTING.replace(b"/news/page/2", b"/news/page/3"),
                         page=2, stale_pages=1, depth_of_discovery=1, listing_start=f"{SITE}/news/")
    assert described(outputs) == [(f"{SITE}/news/page/3", "listing", 10, 1),
                                  ListingPage(f"{SITE}/news/page/2", "listing", 2, 4)]
    assert outputs[0].meta["stale_pages"] == 2


def test_without_feeds_a_listing_leads_to_its_links_only(make_spider):
    spider = make_spider(arguments={"feeds": "0"})
    kinds = [output.meta[FRONTIER_META].kind for output in outputs_of(spider.parse_listing, f"{SITE}/news/", LISTING)
             if isinstance(output, Request)]
    assert kinds == ["page", "page", "page", "listing"]


def test_links_beyond_the_discovery_depth_are_not_fetched(make_spider):
    spider = make_spider(NEWSARCHIVE_DISCOVERY_DEPTH=2)
    outputs = outputs_of(spider.parse_listing, f"{SITE}/news/", LISTING, depth_of_discovery=2)
    assert [output.url for output in outputs if isinstance(output, Request)] == [f"{SITE}/rss.xml",
                                                                                f"{SITE}/news/page/2"]
    assert stat(spider, "newsarchive/discovery/beyond_budget_count") == 3
    assert spider.request_for_link(ListingLink(f"{SITE}/a-page", 0), 2) is not None  # at the depth: fetched


def test_pages_of_unknown_kind_stop_at_their_budget(make_spider):
    spider = make_spider(NEWSARCHIVE_DISCOVERY_MAX_PAGES=2)
    outputs = outputs_of(spider.parse_listing, f"{SITE}/news/", LISTING)
    pages = [output.url for output in outputs if isinstance(output, Request) and output.meta[FRONTIER_META].kind == "page"]
    assert pages == [f"{SITE}/news/2026/01/02/a-story-about-things", f"{SITE}/quem-se-ama"]
    assert (spider.pages_of_unknown_kind, stat(spider, "newsarchive/discovery/beyond_budget_count")) == (2, 1)
    unlimited = make_spider(NEWSARCHIVE_DISCOVERY_MAX_PAGES=0)
    unlimited.pages_of_unknown_kind = 10_000
    assert unlimited.request_for_link(ListingLink(f"{SITE}/a-page", 0), 1) is not None


def test_a_link_requested_already_does_not_count_against_the_budget(make_spider):
    spider = make_spider()
    assert spider.request_for_link(ListingLink(f"{SITE}/a-page", 0), 1) is not None
    assert spider.request_for_link(ListingLink(f"{SITE}/a-page#more", 0), 1) is None
    assert spider.pages_of_unknown_kind == 1
    assert spider.request_for_link(ListingLink("http://other.example/a-page", 0), 1) is None


def test_a_known_article_linked_from_a_listing_goes_to_the_refresh_policy(make_spider, tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, "127.0.0.1", "generic", {}, "2026-01-10T00:00:00.000000Z")
        store_article(db, Article(url=f"{SITE}/quem-se-ama", site="127.0.0.1", title="Q", body_text="Text.",
                                  published_at="2020-05-01T00:00:00Z"), crawl_id, "2026-01-10T00:00:00.000000Z")
    archive.close()
    spider = make_spider(NEWSARCHIVE_DISCOVERY_DEPTH=0)
    # Known: not a page of unknown kind, whatever the budget; old and unchanged: skipped.
    assert spider.request_for_link(ListingLink(f"{SITE}/quem-se-ama", 0), 5) is None
    assert stat(spider, "newsarchive/refresh/skipped_count") == 1
    assert stat(spider, "newsarchive/discovery/beyond_budget_count") is None


def test_an_article_page_gives_its_article_and_leads_nowhere(make_spider):
    spider = make_spider()
    outputs = outputs_of(spider.parse_page, f"{SITE}/quem-se-ama", ARTICLE)
    assert [type(output) for output in outputs] == [Article]
    assert outputs[0].title == "A story" and spider.pages_of_unknown_kind == 0


def test_a_page_that_cannot_be_parsed_gives_its_failure(make_spider):
    spider = make_spider()
    outputs = outputs_of(spider.parse_listing, f"{SITE}/news/", b"")
    assert [type(output) for output in outputs] == [PageFailure]


def test_an_article_not_modified_since_its_last_fetch_is_noted_as_such(make_spider):
    spider = make_spider()
    response = HtmlResponse(f"{SITE}/news/a", status=304, body=b"", request=Request(f"{SITE}/news/a"))

    async def collect():
        return [output async for output in spider.parse_article(response)]

    assert asyncio.run(collect()) == [ArticleNotModified(f"{SITE}/news/a")]
    assert [type(output) for output in outputs_of(spider.parse_article, f"{SITE}/news/a", ARTICLE)] == [Article]


SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://127.0.0.1:8000/news/old</loc><lastmod>2025-12-30</lastmod></url>
  <url><loc>http://127.0.0.1:8000/news/in-window</loc><lastmod>2026-01-15T10:00:00+00:00</lastmod></url>
  <url><loc>http://127.0.0.1:8000/news/last-day</loc><lastmod>2026-01-31T23:00:00+00:00</lastmod></url>
  <url><loc>http://127.0.0.1:8000/news/later</loc><lastmod>2026-02-01</lastmod></url>
  <url><loc>http://127.0.0.1:8000/news/undated</loc></url>
</urlset>"""


def test_sitemap_entries_outside_the_date_window_are_not_requested(make_spider):
    spider = make_spider(arguments={"since": "2026-01-01", "until": "2026-01-31"})
    response = TextResponse(f"{SITE}/sitemap.xml", body=SITEMAP, headers={"Content-Type": "application/xml"})
    outputs = list(spider.parse_sitemap(response))
    assert [output.url for output in outputs if isinstance(output, Request)] == [
        f"{SITE}/news/in-window", f"{SITE}/news/last-day", f"{SITE}/news/undated"]
    assert outputs[-1] == ListingPage(f"{SITE}/sitemap.xml", "sitemap", links=5)
    everything = make_spider()
    assert len([output for output in everything.parse_sitemap(response) if isinstance(output, Request)]) == 5


def test_start_requests_follow_the_sitemap_setting_and_robots(make_spider):
    def start_urls(spider):
        return [request.url for request in spider.start_requests_for(f"{SITE}/news/")]

    assert start_urls(make_spider()) == [f"{SITE}/news/", f"{SITE}/sitemap.xml"]
    assert start_urls(make_spider(arguments={"sitemaps": "0"})) == [f"{SITE}/news/"]
    # With robots.txt read, its Sitemap lines (or the guess) come when Scrapy has read it.
    robots = make_spider(ROBOTSTXT_OBEY=True)
    assert robots.sitemaps_from_robots and start_urls(robots) == [f"{SITE}/news/"]


def test_the_spider_needs_a_start_url_and_keeps_its_site(make_spider):
    with pytest.raises(OptionError, match="needs start_urls"):
        GenericSpider(start_urls=" , ")
    spider = make_spider(arguments={"start_urls": f"{SITE}/news/,{SITE}/world/"},
                         NEWSARCHIVE_DISCOVERY_DEPTH=4, NEWSARCHIVE_DISCOVERY_MAX_PAGES=9)
    assert spider.start_urls == [f"{SITE}/news/", f"{SITE}/world/"]
    assert (spider.site_name, spider.allowed_domains, spider.max_depth, spider.max_unknown_pages) == (
        "127.0.0.1", ["127.0.0.1"], 4, 9)
    assert (spider.use_sitemaps, spider.use_feeds, spider.pages_of_unknown_kind) == (True, True, 0)


def test_a_bad_start_url_is_refused_by_name():
    with pytest.raises(OptionError, match=r"^start URL "):
        GenericSpider(start_urls="ftp://127.0.0.1/news/")


def test_a_listing_page_that_shows_what_its_earlier_pages_showed_is_a_stale_page(make_spider):
    # The stories were requested from another page (a front page listing the latest): new to this
    # listing, its first page is no stale page. (It was, and with two more such pages the
    # pagination stopped before the older stories, crawl after crawl: changed with that decision.)
    spider = make_spider()
    for url in ("/news/2026/01/02/a-story-about-things", "/quem-se-ama", "/article/3834/1"):
        spider.follow(SITE + url, "page")
    first = outputs_of(spider.parse_listing, f"{SITE}/news/", LISTING)[-2]
    assert (first.url, first.meta["stale_pages"], first.meta["listing_start"]) == (
        f"{SITE}/news/page/2", 0, f"{SITE}/news/")
    # Its second page shows them again (a pager that repeats its page): one stale page, then two.
    second = outputs_of(spider.parse_listing, first.url, LISTING.replace(b"/news/page/2", b"/news/page/3"), **first.meta)[-2]
    assert (second.url, second.meta["stale_pages"]) == (f"{SITE}/news/page/3", 1)
    third = outputs_of(spider.parse_listing, second.url, LISTING.replace(b"/news/page/2", b"/news/page/4"), **second.meta)[-2]
    assert (third.url, third.meta["stale_pages"]) == (f"{SITE}/news/page/4", 2)
    # Another listing (its own first page) showing them: new to it.
    other = outputs_of(spider.parse_listing, f"{SITE}/world/", LISTING.replace(b"/news/page/2", b"/world/page/2"))[-2]
    assert (other.url, other.meta["stale_pages"]) == (f"{SITE}/world/page/2", 0)


def test_a_page_requested_as_an_article_is_read_as_one(make_spider):
    spider = make_spider()
    outputs = outputs_of(spider.parse_article, f"{SITE}/news/", LISTING)
    assert [type(output) for output in outputs] == [Article]  # not the listing it looks like


def test_a_known_article_whose_sitemap_entry_shows_a_later_change_is_fetched_again(make_spider, tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, "127.0.0.1", "generic", {}, "2026-01-10T00:00:00.000000Z")
        for name in ("old", "in-window"):
            store_article(db, Article(url=f"{SITE}/news/{name}", site="127.0.0.1", title=name, body_text="Text.",
                                      published_at="2020-05-01T00:00:00Z"), crawl_id, "2026-01-10T00:00:00.000000Z")
    archive.close()
    spider = make_spider()
    response = TextResponse(f"{SITE}/sitemap.xml", body=SITEMAP, headers={"Content-Type": "application/xml"})
    requested = [output.url for output in spider.parse_sitemap(response) if isinstance(output, Request)]
    # `old` changed (lastmod) before our visit: skipped; `in-window` after it: fetched again.
    assert requested == [f"{SITE}/news/in-window", f"{SITE}/news/last-day", f"{SITE}/news/later",
                         f"{SITE}/news/undated"]
    assert stat(spider, "newsarchive/refresh/listing_modified_count") == 1
    assert stat(spider, "newsarchive/refresh/skipped_count") == 1


@pytest.mark.parametrize("guessed", [False, True])
def test_a_sitemap_that_is_none_is_a_failure_unless_its_address_was_guessed(make_spider, guessed):
    spider = make_spider()
    request = Request(f"{SITE}/sitemap.xml", meta={"guessed": True} if guessed else {})
    response = TextResponse(request.url, body=b"<html><body>Page not found</body></html>", status=200,
                            headers={"Content-Type": "text/html"}, request=request)
    outputs = list(spider.parse_sitemap(response))
    if guessed:  # a site answering /sitemap.xml with a page of its own has no sitemap there
        assert outputs == [ListingPage(f"{SITE}/sitemap.xml", "sitemap", links=0)]
    else:  # robots.txt or the profile named it: the site's sitemap is broken, and the archive says so
        assert outputs == [PageFailure(f"{SITE}/sitemap.xml", "not_a_sitemap",
                                       "XML whose root is <html>, not <urlset>, <sitemapindex> or a feed", 200)]
