"""A listed article and the refresh policy (spiders/base.py, `article_request_if_due`), on a real
generic spider whose archive is a real, empty SQLite file: the policy's counts in the crawls row
(new, skipped, ...) count each article once a crawl."""

from __future__ import annotations

from newsarchive.items import ListingLink
from tests.conftest import LOOPBACK_SITE as SITE


def test_an_article_listed_twice_is_requested_and_counted_once(make_generic_spider):
    spider = make_generic_spider()
    first = spider.article_request_if_due(ListingLink(f"{SITE}/news/a-story", 0))
    # Listed again, here under another spelling of its URL: once this crawl had stored it, the
    # policy would know it, and would have counted it as skipped.
    again = spider.article_request_if_due(ListingLink(f"{SITE}/news/a-story#comments", 3))
    assert (first.url, again) == (f"{SITE}/news/a-story", None)
    stats = spider.crawler.stats.get_stats()
    assert {name: count for name, count in stats.items() if name.startswith("newsarchive/refresh/")} == {
        "newsarchive/refresh/new_count": 1}
