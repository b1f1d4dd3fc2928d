"""The requests a crawl makes (spiders/base.py), on a real generic spider whose archive is a real,
empty SQLite file, in the test's process: a URL requested once per crawl whatever its spelling,
an interrupted crawl's pending requests made again and its settled ones not, the pager's limits,
fetch errors as failures (a guessed sitemap that is missing as an empty one), sitemaps and feeds."""

from __future__ import annotations

import asyncio
import logging

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure

from newsarchive.archive import open_archive
from newsarchive.archive.store import start_crawl, store_article, store_capture
from newsarchive.items import (
    Article,
    Capture,
    FrontierEntry,
    ListingLink,
    ListingPage,
    PageFailure,
    PageResult,
    StoredBody,
)
from newsarchive.middlewares.pageresult import FRONTIER_META, STORED_BODY_META, capture_of
from newsarchive.options import OptionError
from spiders.base import PRIORITIES, REVISIT_PRIORITY, ArchiveSpider, request_key
from spiders.generic import GenericSpider
from tests.conftest import LOOPBACK_SITE
from tests.conftest import spider_stat as stat

SITE = LOOPBACK_SITE


@pytest.fixture
def make_spider(make_generic_spider):
    return make_generic_spider


def start_outputs(spider) -> list:
    async def collect():
        return [output async for output in spider.start()]

    return asyncio.run(collect())



def test_a_url_is_requested_once_a_crawl_whatever_its_spelling(make_spider):
    spider = make_spider()
    first = spider.follow(f"{SITE}/news/page/2", "listing")
    assert spider.follow(f"{SITE}/news/page/2#top", "listing") is None
    assert spider.follow(f"{SITE}/news/page/2", "article") is None
    entry = first.meta[FRONTIER_META]
    assert (entry.url, entry.kind, entry.priority, first.priority) == (f"{SITE}/news/page/2", "listing", 10, 10)
    assert first.callback == spider.parse_listing and first.errback == spider.on_error
    assert PRIORITIES["sitemap"] > PRIORITIES["listing"] > PRIORITIES["page"] > PRIORITIES["article"] > REVISIT_PRIORITY


def test_a_request_key_is_16_bytes_one_for_a_urls_spellings():
    keys = {url: request_key(url) for url in (f"{SITE}/a?x=1&y=2", f"{SITE}/a?y=2&x=1#top", f"{SITE}/a?x=1",
                                               f"{SITE}/A?x=1", "http://xn--mgbh0fb.example/\udcff")}
    assert {len(key) for key in keys.values()} == {16}
    assert keys[f"{SITE}/a?x=1&y=2"] == keys[f"{SITE}/a?y=2&x=1#top"]  # the same canonical URL
    assert len(set(keys.values())) == 4  # the others differ: a parameter fewer, a path's case, a lone surrogate


def test_an_article_request_takes_a_304_to_its_callback_and_its_headers_from_its_entry(make_spider):
    spider = make_spider()
    headers = {"If-None-Match": '"v1"'}
    request = spider.follow(f"{SITE}/news/a", "article", REVISIT_PRIORITY, revisit=1, headers=headers)
    assert request.meta["handle_httpstatus_list"] == [304]
    assert request.headers.get("If-None-Match") == b'"v1"'
    assert "headers" not in request.meta and request.meta["revisit"] == 1
    assert request.priority == REVISIT_PRIORITY and request.callback == spider.parse_article
    assert spider.revisit_urls == {f"{SITE}/news/a"}
    listing = spider.follow(f"{SITE}/news/", "listing")
    assert "handle_httpstatus_list" not in listing.meta and spider.revisit_urls == {f"{SITE}/news/a"}


def test_a_resumed_crawl_requests_its_pending_urls_first_and_neither_those_nor_its_settled_ones_again(make_spider, caplog):
    caplog.set_level(logging.INFO)
    spider = make_spider()
    pending = [FrontierEntry(f"{SITE}/news/page/3", "listing", 10, {"page": 3, "stale_pages": 1}),
               FrontierEntry(f"{SITE}/news/b", "article", 0)]
    spider.crawl_started(7, pending, [f"{SITE}/news/a", f"{SITE}/news/"])
    outputs = start_outputs(spider)
    # The start URL was settled by the interrupted crawl: not requested again. The sitemap it
    # guesses was never requested: it is.
    assert [(request.url, request.meta[FRONTIER_META]) for request in outputs[:2]] == [
        (entry.url, entry) for entry in pending]
    assert [request.url for request in outputs[2:]] == [f"{SITE}/sitemap.xml"]
    assert outputs[0].meta["page"] == 3 and outputs[0].meta["stale_pages"] == 1
    for url in (f"{SITE}/news/a", f"{SITE}/news/b", f"{SITE}/news/page/3"):
        assert spider.follow(url, "article") is None
    assert spider.follow(f"{SITE}/news/c", "article") is not None
    assert "2 requests taken over from an earlier crawl go first" in caplog.text


def test_a_fresh_crawl_starts_with_its_section_and_a_guessed_sitemap(make_spider):
    outputs = start_outputs(make_spider())
    assert [(request.url, request.meta[FRONTIER_META].kind, request.meta.get("guessed")) for request in outputs] == [
        (f"{SITE}/news/", "listing", None), (f"{SITE}/sitemap.xml", "sitemap", True)]


def test_a_start_url_on_a_private_address_is_refused_as_a_failure(make_spider, caplog):
    outputs = start_outputs(make_spider(arguments={"start_urls": f"{SITE}/news/,{SITE}/world/", "allow_private": ""}))
    assert [type(output) for output in outputs] == [PageResult, PageResult]  # each refused, none requested
    for output, section in zip(outputs, ("news", "world"), strict=True):
        failure, = output.records
        assert (failure.url, failure.reason, output.discovered) == (f"{SITE}/{section}/", "refused_private_host", [])
        assert "127.0.0.1" in failure.detail
    assert caplog.text.count("refused http://127.0.0.1:8000/") == 2


def test_the_pager_stops_at_max_pages(make_spider):
    spider = make_spider()
    spider.max_pages = 3
    second = spider.next_page_request(f"{SITE}/news/page/3", 2, 0)
    assert (second.url, second.meta["page"], second.meta["stale_pages"]) == (f"{SITE}/news/page/3", 3, 0)
    assert spider.next_page_request(f"{SITE}/news/page/4", 3, 0) is None
    assert spider.next_page_request(None, 1, 0) is None
    assert spider.next_page_request("http://127.0.0.2:8000/news/page/2", 1, 0) is None  # off the site
    assert stat(spider, "newsarchive/offsite_or_locale_skipped_count") == 1
    assert ArchiveSpider.start_requests_for(spider, "http://127.0.0.2:8000/news/") == []


def test_the_pager_stops_after_the_stale_pages_limit_unless_the_crawl_is_full(make_spider):
    spider = make_spider(NEWSARCHIVE_REFRESH_STALE_PAGES=2)
    kept = spider.next_page_request(f"{SITE}/news/page/2", 1, 1, depth_of_discovery=1)
    assert (kept.meta["stale_pages"], kept.meta["depth_of_discovery"]) == (1, 1)
    assert spider.next_page_request(f"{SITE}/news/page/3", 2, 2) is None
    assert stat(spider, "newsarchive/refresh/pagination_stopped_count") == 1
    # A full crawl requests every article it is offered: pages that led to no request are the
    # pager's end (or a pager without end) there too.
    spider.refresh.full = True
    assert spider.next_page_request(f"{SITE}/news/page/3", 2, 2) is None
    assert spider.next_page_request(f"{SITE}/news/page/3", 2, 1) is not None
    unlimited = make_spider(NEWSARCHIVE_REFRESH_STALE_PAGES=0)
    assert unlimited.next_page_request(f"{SITE}/news/page/2", 1, 50) is not None


@pytest.mark.parametrize(("previous", "requested", "stale"), [
    (2, 1, 0),  # it led to a request: the count starts again
    (2, 0, 3),  # nothing new (old news, links followed already, or no link at all)
    (0, 0, 1),
])
def test_stale_pages_counted(make_spider, previous, requested, stale):
    assert make_spider().stale_count(previous, requested) == stale


def http_error(request: Request, status: int) -> Failure:
    response = HtmlResponse(request.url, status=status, body=b"", request=request)
    failure = Failure(HttpError(response, f"Ignoring non-200 response ({status})"))
    failure.request = request
    return failure


def test_a_fetch_error_is_the_page_failure_keyed_by_its_entry(make_spider):
    spider = make_spider()
    request = spider.follow(f"{SITE}/news/a", "article")
    result, = spider.on_error(http_error(request, 404))
    failure, = result.records
    assert (result.url, failure.url, failure.reason, failure.status) == (
        f"{SITE}/news/a", f"{SITE}/news/a", "http_404", 404)
    assert failure.detail == "HttpError: Ignoring non-200 response (404)" and result.discovered == []
    assert stat(spider, "newsarchive/fetch_error/http_404") == 1
    refused = Failure(ConnectionRefusedError("refused"))
    refused.request = spider.follow(f"{SITE}/news/b", "article")
    result, = spider.on_error(refused)
    assert (result.records[0].reason, result.records[0].status) == ("connection_refused", None)


def test_a_guessed_sitemap_the_site_lacks_is_an_empty_one_not_a_failure(make_spider):
    spider = make_spider()
    guessed = spider.guessed_sitemap(f"{SITE}/news/")
    result, = spider.on_error(http_error(guessed, 404))
    assert result.records == [ListingPage(f"{SITE}/sitemap.xml", "sitemap", links=0)]
    assert result.url == f"{SITE}/sitemap.xml"  # its frontier entry is settled
    assert stat(spider, "newsarchive/fetch_error/http_404") is None
    # A sitemap the site named (robots.txt) is no guess: its absence is a failure.
    named = spider.follow(f"{SITE}/named-sitemap.xml", "sitemap")
    result, = spider.on_error(http_error(named, 404))
    assert isinstance(result.records[0], PageFailure) and result.records[0].reason == "http_404"


SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>/sitemaps/news.xml</loc></sitemap>
  <sitemap><loc>http://other.example/sitemap.xml</loc></sitemap>
</sitemapindex>"""
URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>/news/a</loc><lastmod>2026-01-02</lastmod></url>
  <url><loc>http://127.0.0.1:8000/news/b</loc></url>
  <url><loc>http://other.example/news/c</loc></url>
</urlset>"""
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>A</title><link>http://127.0.0.1:8000/news/a</link></item>
<item><title>D</title><link>/news/d</link></item>
</channel></rss>"""


def xml_response(url: str, body: bytes) -> TextResponse:
    return TextResponse(url, body=body, headers={"Content-Type": "application/xml"})


def test_a_sitemap_index_leads_to_its_sitemaps_on_the_site(make_spider):
    spider = make_spider()
    outputs = list(spider.parse_sitemap(xml_response(f"{SITE}/sitemap.xml", SITEMAP_INDEX)))
    requests = [output for output in outputs if isinstance(output, Request)]
    assert [(request.url, request.meta[FRONTIER_META].kind) for request in requests] == [
        (f"{SITE}/sitemaps/news.xml", "sitemap")]
    assert outputs[-1] == ListingPage(f"{SITE}/sitemap.xml", "sitemap", links=2)


def test_a_sitemap_and_a_feed_lead_to_their_articles_on_the_site_once(make_spider):
    spider = make_spider()
    outputs = list(spider.parse_sitemap(xml_response(f"{SITE}/sitemaps/news.xml", URLSET)))
    assert [(output.url, output.meta[FRONTIER_META].kind) for output in outputs[:-1]] == [
        (f"{SITE}/news/a", "article"), (f"{SITE}/news/b", "article")]
    assert outputs[-1] == ListingPage(f"{SITE}/sitemaps/news.xml", "sitemap", links=3)
    outputs = list(spider.parse_feed(xml_response(f"{SITE}/rss.xml", FEED)))
    assert [output.url for output in outputs[:-1]] == [f"{SITE}/news/d"]  # /news/a: requested already
    assert outputs[-1] == ListingPage(f"{SITE}/rss.xml", "feed", links=2)
    assert stat(spider, "newsarchive/refresh/new_count") == 3


def test_the_spider_takes_its_arguments_and_settings(make_spider, tmp_path):
    spider = make_spider(NEWSARCHIVE_ALLOW_PRIVATE_HOSTS=True, NEWSARCHIVE_REFRESH_FULL=True,
                         NEWSARCHIVE_REFRESH_WINDOW_DAYS=3, NEWSARCHIVE_RENDER_ATTEMPTS=5,
                         NEWSARCHIVE_CONDITIONAL_REQUESTS=False, NEWSARCHIVE_REFRESH_STALE_PAGES=7,
                         NEWSARCHIVE_REVISIT_BUDGET=4, arguments={"allow_private": ""})
    assert (spider.allow_private, spider.refresh.full, spider.refresh.window_days, spider.refresh.render_attempts,
            spider.conditional_requests, spider.stale_pages_limit, spider.revisit_budget) == (
        True, True, 3.0, 5, False, 7, 4)
    assert spider.refresh.can_render is False  # NEWSARCHIVE_RENDER never
    defaults = make_spider()
    assert (defaults.refresh.full, defaults.refresh.window_days, defaults.conditional_requests,
            defaults.max_pages, defaults.since, defaults.until, defaults.full) == (False, 7.0, True, 0, None, None, False)
    given = make_spider(arguments={"max_pages": "5", "since": "2026-01-01", "until": "2026-01-31", "full": "1"})
    assert (given.max_pages, given.since, given.until, given.full, given.refresh.full) == (
        5, "2026-01-01", "2026-01-31", True, True)
    assert given.arguments == {"start_urls": f"{SITE}/news/", "max_pages": "5", "since": "2026-01-01",
                               "until": "2026-01-31", "full": "1", "allow_private": "1", "sitemaps": "1", "feeds": "1"}


@pytest.mark.parametrize(("arguments", "message"), [
    ({"max_pages": "-1"}, "max_pages"),
    ({"since": "2026-13-01"}, "since"),
    ({"until": "soon"}, "until"),
    ({"since": "2026-02-01", "until": "2026-01-01"}, "since"),
])
def test_bad_arguments_are_refused_naming_the_argument(arguments, message):
    with pytest.raises(OptionError, match=rf"\b{message}\b"):
        GenericSpider(start_urls=f"{SITE}/news/", **arguments)


# Known articles: stored by an earlier crawl on 2026-01-10, published in 2020 (outside any refresh
# window), each with the ETag its page was served with.
SEEN = "2026-01-10T00:00:00.000000Z"
KNOWN = {f"{SITE}/news/quiet": 0, f"{SITE}/news/busy": 15, f"{SITE}/news/some": 5}  # URL -> comments


@pytest.fixture
def known_articles(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, "127.0.0.1", "generic", {}, SEEN)
        for url, comments in KNOWN.items():
            store_article(db, Article(url=url, site="127.0.0.1", title=url, body_text="Text.",
                                      published_at="2020-05-01T00:00:00Z", comment_count=comments), crawl_id, SEEN)
            store_capture(db, Capture(url, SEEN, 200, {}, {"ETag": [f'"{url[-4:]}"'],
                                                           "Last-Modified": ["Fri, 10 Jan 2026 00:00:00 GMT"]},
                                      b"<html></html>"), crawl_id)
    archive.close()


def refresh_counts(spider) -> dict:
    return {name.rsplit("/", 1)[1]: count for name, count in spider.crawler.stats.get_stats().items()
            if name.startswith("newsarchive/refresh/")}


def test_a_known_article_listed_without_a_sign_of_change_is_skipped(make_spider, known_articles):
    spider = make_spider()
    assert spider.article_request_if_due(ListingLink(f"{SITE}/news/quiet", 0)) is None
    assert refresh_counts(spider) == {"skipped_count": 1}
    assert spider.follow(f"{SITE}/news/quiet", "article") is not None  # skipped, not taken as requested


def test_a_known_article_two_listings_show_is_skipped_once_and_not_at_all_once_fetched(make_spider, known_articles):
    # Counted per link, the crawl said "154 known articles not fetched again" of an archive of 150.
    spider = make_spider()
    quiet = ListingLink(f"{SITE}/news/quiet", 0)
    assert spider.article_request_if_due(quiet) is None and spider.article_request_if_due(quiet) is None
    assert refresh_counts(spider) == {"skipped_count": 1}
    # A third listing shows it changed: fetched after all, so not skipped.
    changed = ListingLink(f"{SITE}/news/quiet", 0, modified_at_raw="2026-02-01T00:00:00Z")
    assert spider.article_request_if_due(changed) is not None
    assert refresh_counts(spider) == {"skipped_count": 0, "listing_modified_count": 1}


def test_a_known_article_listed_as_changed_is_asked_for_conditionally(make_spider, known_articles):
    spider = make_spider()
    link = ListingLink(f"{SITE}/news/quiet", 0, modified_at_raw="2026-02-01T00:00:00Z")
    request = spider.article_request_if_due(link)
    assert request.headers.get("If-None-Match") == b'"uiet"'
    assert request.headers.get("If-Modified-Since") == b"Fri, 10 Jan 2026 00:00:00 GMT"
    assert refresh_counts(spider) == {"listing_modified_count": 1}
    plain = make_spider(NEWSARCHIVE_CONDITIONAL_REQUESTS=False).article_request_if_due(link)
    assert plain.url == link.url and plain.headers.get("If-None-Match") is None


def test_a_full_crawl_fetches_a_known_article_whole(make_spider, known_articles):
    spider = make_spider(NEWSARCHIVE_REFRESH_FULL=True, NEWSARCHIVE_REVISIT_BUDGET=2)
    request = spider.article_request_if_due(ListingLink(f"{SITE}/news/quiet", 0))
    assert request.headers.get("If-None-Match") is None and "handle_httpstatus_list" in request.meta
    assert refresh_counts(spider) == {"full_count": 1}
    assert spider.revisit_requests() == []  # it fetches everything anyway


def test_the_revisit_budget_goes_to_the_articles_most_likely_changed(make_spider, known_articles):
    spider = make_spider(NEWSARCHIVE_REVISIT_BUDGET=2)
    spider.follow(f"{SITE}/news/some", "article")  # a listing of this crawl requested it already
    requests = spider.revisit_requests()
    # Most comments first (the prior: more comments, more changes); `some` is this crawl's already.
    assert [request.url for request in requests] == [f"{SITE}/news/busy", f"{SITE}/news/quiet"]
    for request in requests:
        assert (request.priority, request.meta["revisit"], request.meta[FRONTIER_META].kind) == (
            REVISIT_PRIORITY, 1, "article")
        assert request.headers.get("If-None-Match") == f'"{request.url[-4:]}"'.encode()
    assert spider.revisit_urls == {f"{SITE}/news/busy", f"{SITE}/news/quiet"}
    assert stat(spider, "newsarchive/revisit/requested_count") == 2
    one = make_spider(NEWSARCHIVE_REVISIT_BUDGET=1).revisit_requests()
    assert [request.url for request in one] == [f"{SITE}/news/busy"]
    none = make_spider(NEWSARCHIVE_REVISIT_BUDGET=0)
    assert none.revisit_requests() == [] and stat(none, "newsarchive/revisit/requested_count") is None
    unconditional = make_spider(NEWSARCHIVE_REVISIT_BUDGET=1, NEWSARCHIVE_CONDITIONAL_REQUESTS=False)
    assert unconditional.revisit_requests()[0].headers.get("If-None-Match") is None


def test_revisits_come_after_the_start_requests(make_spider, known_articles):
    outputs = start_outputs(make_spider(NEWSARCHIVE_REVISIT_BUDGET=3))
    assert [request.url for request in outputs] == [
        f"{SITE}/news/", f"{SITE}/sitemap.xml", f"{SITE}/news/busy", f"{SITE}/news/some", f"{SITE}/news/quiet"]


def test_a_page_is_parsed_into_its_record_and_a_parser_failure_is_counted(make_spider):
    spider = make_spider()
    page = (b"<html><head><title>A story</title></head><body><article><h1>A story</h1>"
            + b"<p>" + b"Words of the story. " * 40 + b"</p></article></body></html>")
    response = HtmlResponse(f"{SITE}/news/a", body=page, headers={"Content-Type": "text/html"})
    record = asyncio.run(spider.parse_response(response, "article"))
    assert isinstance(record, Article) and record.title == "A story" and "Words of the story." in record.body_text
    empty = HtmlResponse(f"{SITE}/news/b", body=b"", headers={"Content-Type": "text/html"}, status=203)
    failure = asyncio.run(spider.parse_response(empty, "article"))
    assert isinstance(failure, PageFailure) and (failure.url, failure.status) == (f"{SITE}/news/b", 203)
    assert stat(spider, f"newsarchive/parse_error/{failure.reason}") == 1



def test_the_worker_that_parses_a_page_also_makes_its_stored_body_for_its_capture(make_spider):
    page = (b"<html><head><title>A story</title></head><body><article><h1>A story</h1>"
            + b"<p>" + b"Words of the story. " * 40 + b"</p></article></body></html>")

    def parsed_response(spider):
        response = HtmlResponse(f"{SITE}/news/a", body=page, headers={"Content-Type": "text/html"},
                                request=Request(f"{SITE}/news/a"))
        asyncio.run(spider.parse_response(response, "article"))
        return response
    assert capture_of(parsed_response(make_spider())).stored == StoredBody.of(page)
    # Captures off: nothing is stored, so the worker makes nothing.
    assert STORED_BODY_META not in parsed_response(make_spider(NEWSARCHIVE_CAPTURE_ENABLED=False)).meta


def test_a_page_is_decoded_by_the_charset_its_content_type_header_names(make_spider):
    # The page says UTF-8 but was sent in Windows-1252, as its header says: the header wins.
    title = "Café déjà vu à Genève"
    page = (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><article><h1>{title}</h1><p>'
            + "Un café très noir. " * 40 + "</p></article></body></html>").encode("cp1252")
    response = HtmlResponse(f"{SITE}/news/c", body=page, headers={"Content-Type": "text/html; charset=windows-1252"})
    assert asyncio.run(make_spider().parse_response(response, "article")).title == title


def test_a_page_is_parsed_as_the_kind_its_request_was_made_for(make_spider):
    links = "".join(f'<li><a href="/news/story-{n}-about-things">Story number {n} about things</a></li>'
                    for n in range(30))
    page = f"<html><head><title>News</title></head><body><h1>News</h1><ul>{links}</ul></body></html>".encode()
    response = HtmlResponse(f"{SITE}/news/", body=page, headers={"Content-Type": "text/html"})
    spider = make_spider()
    # A link listed as an article is read as one; a page of unknown kind says what it is.
    assert type(asyncio.run(spider.parse_response(response, "article"))) is Article
    assert type(asyncio.run(spider.parse_response(response, None))).__name__ == "Listing"


def test_defaults_of_the_spider_arguments():
    spider = GenericSpider(start_urls=f"{SITE}/news/")
    assert (spider.allow_private, spider.full, spider.max_pages, spider.since, spider.until) == (False, False, 0, None, None)


def test_revisits_keep_to_the_floor_the_date_window_and_the_site(make_spider, known_articles, tmp_path):
    # Seen within the floor (a year here): not revisited yet.
    assert make_spider(NEWSARCHIVE_REVISIT_BUDGET=3, NEWSARCHIVE_REVISIT_FLOOR_HOURS=24 * 365).revisit_requests() == []
    assert make_spider(NEWSARCHIVE_REVISIT_BUDGET=3, arguments={"since": "2021-01-01"}).revisit_requests() == []
    assert make_spider(NEWSARCHIVE_REVISIT_BUDGET=3, arguments={"until": "2019-12-31"}).revisit_requests() == []
    window = make_spider(NEWSARCHIVE_REVISIT_BUDGET=3, arguments={"since": "2020-05-01", "until": "2020-05-01"})
    assert len(window.revisit_requests()) == 3  # published that day: inside the window, both ends
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:  # the site's article at another origin, most commented: out of scope
        store_article(db, Article(url="http://127.0.0.1:9000/news/elsewhere", site="127.0.0.1", title="E",
                                  body_text="Text.", published_at="2020-05-01T00:00:00Z", comment_count=20), 1, SEEN)
    archive.close()
    spider = make_spider(NEWSARCHIVE_REVISIT_BUDGET=3)
    assert [request.url for request in spider.revisit_requests()] == [
        f"{SITE}/news/busy", f"{SITE}/news/some", f"{SITE}/news/quiet"]
    assert stat(spider, "newsarchive/offsite_or_locale_skipped_count") == 1


def test_an_article_whose_comments_were_never_read_is_fetched_whole_to_render_them(make_spider, known_articles,
                                                                                     tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        db.execute("UPDATE articles SET comments_status = 'unreached' WHERE url = ?", [f"{SITE}/news/quiet"])
    archive.close()
    listed = make_spider()
    listed.refresh.can_render = True  # as with a browser
    request = listed.article_request_if_due(ListingLink(f"{SITE}/news/quiet", 0))
    assert request.headers.get("If-None-Match") is None  # a 304 would leave its comments unread
    assert refresh_counts(listed) == {"comments_unreached_count": 1}
    assert stat(listed, "newsarchive/render/retried_count") == 1
    revisiting = make_spider(NEWSARCHIVE_REVISIT_BUDGET=3)
    revisiting.refresh.can_render = True
    requests = {request.url: request for request in revisiting.revisit_requests()}
    assert requests[f"{SITE}/news/quiet"].headers.get("If-None-Match") is None
    assert requests[f"{SITE}/news/busy"].headers.get("If-None-Match") == b'"busy"'
    assert stat(revisiting, "newsarchive/render/retried_count") == 1


def test_known_articles_are_looked_up_in_the_lookup_archive_when_one_is_named(make_spider, known_articles, tmp_path):
    spider = make_spider(NEWSARCHIVE_DB_PATH=str(tmp_path / "shard.db"),
                         NEWSARCHIVE_LOOKUP_DB_PATH=str(tmp_path / "archive.db"))
    assert spider.article_request_if_due(ListingLink(f"{SITE}/news/quiet", 0)) is None
    assert refresh_counts(spider) == {"skipped_count": 1}


DIYARUNA = "https://diyaruna.com"


def archive_index(sections: list[str], next_page: str) -> bytes:
    """A page of the Diyaruna archive index (the demo's markup): section links only, and a pager."""
    entries = "".join(f"<div class='article--listing'><div class='article--listing__text'><a href='{path}'>{path}</a>"
                      "</div></div>" for path in sections)
    return (f"<html lang='en'><body><h1>Archives</h1>{entries}<div class='pagination'>"
            f"<a class='pagination__next' href='{next_page}'>Next</a></div></body></html>").encode()


def test_a_profiled_listing_page_that_led_to_sections_is_not_stale(tmp_path):
    """An archive index page holds no article, only sections: the sections it led to are something
    new, and the pager goes on; a page whose sections were all requested already is a stale page."""
    from scrapy.utils.test import get_crawler

    from newsarchive import settings as project_module
    from spiders.profiled import DiyarunaSpider

    crawler = get_crawler(DiyarunaSpider, {
        **{name: value for name, value in vars(project_module).items() if name.isupper()},
        "NEWSARCHIVE_DB_PATH": str(tmp_path / "archive.db"), "NEWSARCHIVE_PARSER_WORKERS": 0,
        "NEWSARCHIVE_RENDER": "never", "NEWSARCHIVE_REFRESH_STALE_PAGES": 3})
    spider = DiyarunaSpider.from_crawler(crawler)
    crawler.spider = spider
    try:
        def listing_outputs(url: str, body: bytes, stale_pages: int) -> list:
            response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html"},
                                    request=Request(url, meta={"page": 1, "stale_pages": stale_pages}))

            async def collect():
                return [output async for output in spider.parse_listing(response)]
            return asyncio.run(collect())

        sections = ["/en_GB/news/iraq", "/en_GB/news/world"]
        first = listing_outputs(f"{DIYARUNA}/en_GB/archives", archive_index(sections, "/en_GB/archives?page=2"), 2)
        requests = [output for output in first if isinstance(output, Request)]
        assert [(request.url, request.meta.get("stale_pages")) for request in requests] == [
            (f"{DIYARUNA}/en_GB/news/iraq", None), (f"{DIYARUNA}/en_GB/news/world", None),
            (f"{DIYARUNA}/en_GB/archives?page=2", 0)]
        # The same sections again: nothing new, and the third such page in a row ends the walk.
        again = listing_outputs(f"{DIYARUNA}/en_GB/archives?page=2", archive_index(sections, "/en_GB/archives?page=3"), 2)
        assert [output for output in again if isinstance(output, Request)] == []
        assert stat(spider, "newsarchive/refresh/pagination_stopped_count") == 1
    finally:
        spider.closed("finished")


def test_a_teaser_linking_to_a_section_page_leads_to_that_listing_not_to_an_article(tmp_path):
    """A listing item whose link the profile's own URL patterns call a section was fetched as an
    article: stored as one ("Sport", its teasers for a body), the stories it lists never fetched."""
    from scrapy.utils.test import get_crawler

    from newsarchive import settings as project_module
    from spiders.profiled import DiyarunaSpider

    crawler = get_crawler(DiyarunaSpider, {
        **{name: value for name, value in vars(project_module).items() if name.isupper()},
        "NEWSARCHIVE_DB_PATH": str(tmp_path / "archive.db"), "NEWSARCHIVE_PARSER_WORKERS": 0,
        "NEWSARCHIVE_RENDER": "never"})
    spider = DiyarunaSpider.from_crawler(crawler)
    crawler.spider = spider
    story = "/en_GB/articles/cnmi_di/features/2026/01/02/harbour"
    teasers = "".join(f"<div class='article--block'><h5 class='article__title'><a href='{path}'>{path}</a></h5></div>"
                      for path in (story, "/en_GB/news/sport"))
    url = f"{DIYARUNA}/en_GB/news/iraq"
    response = HtmlResponse(url, body=f"<html lang='en'><body><h1>Iraq</h1>{teasers}</body></html>".encode(),
                            headers={"Content-Type": "text/html"}, request=Request(url, meta={"page": 1}))

    async def collect():
        return [output async for output in spider.parse_listing(response)]

    try:
        requests = [output for output in asyncio.run(collect()) if isinstance(output, Request)]
        assert [(request.url, request.meta[FRONTIER_META].kind) for request in requests] == [
            (f"{DIYARUNA}/en_GB/news/sport", "listing"), (f"{DIYARUNA}{story}", "article")]
    finally:
        spider.closed("finished")


def test_a_pager_by_path_is_numbered_by_the_pages_walked_and_max_pages_stops_it(tmp_path):
    """A listing paginated by path (/page/2/) names no page parameter: every page was page 1, and
    --max-pages never stopped the walk."""
    from scrapy.utils.test import get_crawler

    from newsarchive import settings as project_module
    from spiders.profiled import DiyarunaSpider

    crawler = get_crawler(DiyarunaSpider, {
        **{name: value for name, value in vars(project_module).items() if name.isupper()},
        "NEWSARCHIVE_DB_PATH": str(tmp_path / "archive.db"), "NEWSARCHIVE_PARSER_WORKERS": 0,
        "NEWSARCHIVE_RENDER": "never"})
    spider = DiyarunaSpider.from_crawler(crawler, max_pages="2")
    crawler.spider = spider

    def outputs(path: str, next_path: str, **meta) -> list:
        teaser = (f"<div class='article--block'><h5 class='article__title'><a href='/en_GB/articles/cnmi_di/features/"
                  f"2026/01/02/{path.strip('/').replace('/', '-')}'>A story</a></h5></div>")
        body = (f"<html lang='en'><body><h1>Iraq</h1>{teaser}<div class='pagination'><a class='pagination__next' "
                f"href='{next_path}'>Next</a></div></body></html>").encode()
        response = HtmlResponse(f"{DIYARUNA}{path}", body=body, headers={"Content-Type": "text/html"},
                                request=Request(f"{DIYARUNA}{path}", meta=meta))

        async def collect():
            return [output async for output in spider.parse_listing(response)]
        return asyncio.run(collect())

    try:
        first = outputs("/en_GB/news/iraq", "/en_GB/news/iraq/page/2/")
        next_pages = [output for output in first if isinstance(output, Request) and "/page/" in output.url]
        assert [(request.url, request.meta["page"]) for request in next_pages] == [(f"{DIYARUNA}/en_GB/news/iraq/page/2/", 2)]
        second = outputs("/en_GB/news/iraq/page/2/", "/en_GB/news/iraq/page/3/", **next_pages[0].meta)
        assert not [output for output in second if isinstance(output, Request) and "/page/" in output.url]
        assert [(page.url, page.page) for page in first + second if isinstance(page, ListingPage)] == [
            (f"{DIYARUNA}/en_GB/news/iraq", 1), (f"{DIYARUNA}/en_GB/news/iraq/page/2/", 2)]
    finally:
        spider.closed("finished")


def test_links_to_other_origins_are_counted_by_origin_and_the_commonest_is_told_at_the_close(make_spider):
    spider = make_spider()
    for url in ("https://www.news.example/a", "https://www.news.example/b", "http://127.0.0.1:9000/x",
                "https://www.news.example:443/c", "mailto:desk@news.example"):
        assert not spider.is_allowed(url)
    assert spider.is_allowed(f"{SITE}/news/d")
    assert spider.offsite_origins == {"https://www.news.example": 3, "http://127.0.0.1:9000": 1}
    assert stat(spider, "newsarchive/offsite_or_locale_skipped_count") == 5
    spider.closed("finished")
    assert stat(spider, "newsarchive/offsite/commonest") == "https://www.news.example 3"


def test_a_crawl_of_its_own_says_if_it_met_no_article_a_resumed_or_distributed_one_does_not(make_spider):
    spider = make_spider()
    spider.crawl_started(1, [], [])
    assert stat(spider, "newsarchive/articles_sought") is True
    resumed = make_spider()
    resumed.crawl_started(2, [FrontierEntry(f"{SITE}/news/page/3", "listing")], [f"{SITE}/news/a"])
    assert stat(resumed, "newsarchive/articles_sought") is None  # the interrupted crawl may have taken them
    distributed = make_spider(NEWSARCHIVE_REDIS_URL="redis://127.0.0.1:1/0")
    distributed.crawl_started(3, [], [])
    assert stat(distributed, "newsarchive/articles_sought") is None  # a worker's share may hold no article
