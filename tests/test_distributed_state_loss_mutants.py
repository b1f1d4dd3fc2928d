"""What the mutation run found untested of a distributed crawl's state loss (distributed.py): a
worker that joined the crawl under way knows it began from its "started" key (seen at a heartbeat)
or from a request it took from the queue, and each alone must make it stop as lost when Redis
forgets the crawl; and an idle worker that meets the loss before its heartbeat does says so there,
not "finished". On a real Redis, as tests/test_distributed.py's opened_scheduler opens workers."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import DontCloseSpider

from tests.test_distributed import RedisServer, opened_scheduler


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def joined_worker(redis_url: str):
    """A worker opened before the crawl began (started with no start requests of its own), and the
    worker that then sent the start request."""
    joined = opened_scheduler(redis_url)
    first = opened_scheduler(redis_url)
    assert first.enqueue_request(Request("http://127.0.0.1/news/"))
    assert not joined.started and not joined.crawl_began
    joined.crawler.engine = joined.crawler._create_engine()  # close_spider_async is called on it
    return first, joined


def forget_the_crawl(redis_url: str) -> None:
    import redis

    keys = redis.Redis.from_url(redis_url)
    keys.delete(*keys.keys("newsarchive:unit:*"))  # Redis restarted without its data


def test_a_worker_that_saw_the_started_key_stops_as_lost(redis_server):
    first, joined = joined_worker(redis_server.url)
    joined.check_crawl_state()  # a heartbeat: the crawl has begun
    assert (joined.crawl_began, joined.state_lost) == (True, False)
    forget_the_crawl(redis_server.url)
    joined.check_crawl_state()
    assert joined.state_lost


def test_a_worker_that_took_a_request_stops_as_lost(redis_server):
    first, joined = joined_worker(redis_server.url)
    assert joined.next_request().url == "http://127.0.0.1/news/"
    forget_the_crawl(redis_server.url)
    joined.check_crawl_state()
    assert joined.state_lost


def test_an_idle_worker_that_meets_the_loss_first_says_so(redis_server):
    first, joined = joined_worker(redis_server.url)
    joined.check_crawl_state()
    forget_the_crawl(redis_server.url)
    with pytest.raises(DontCloseSpider):
        joined.spider_idle(joined.crawler.spider)
    assert joined.state_lost


@pytest.mark.parametrize("setting, value, crawls", [("ROBOTSTXT_OBEY", True, False),  # Scrapy's default: False
                                                     ("NEWSARCHIVE_REFRESH_FULL", True, False)])
def test_a_worker_that_obeys_robots_or_refreshes_otherwise_is_refused(redis_server, setting, value, crawls):
    # Each of SCOPE_SETTINGS shapes what a crawl fetches: the workers of one crawl must agree on it.
    from newsarchive.distributed import OptionsDiffer

    first = opened_scheduler(redis_server.url)
    with pytest.raises(OptionsDiffer, match=rf"\({setting}: {value} here, {crawls} in the crawl\)"):
        opened_scheduler(redis_server.url, **{setting: value})
    first.close("finished")


@pytest.mark.parametrize("setting, value, text", [("NEWSARCHIVE_REFRESH_WINDOW_DAYS", 7, "7"),
                                                  ("ROBOTSTXT_OBEY", False, "False"), ("NEWSARCHIVE_REFRESH_FULL", False, "0")])
def test_a_worker_given_the_crawls_own_value_as_text_joins_it(redis_server, setting, value, text):
    # `-s NEWSARCHIVE_REFRESH_WINDOW_DAYS=7` reaches the settings as the text "7": the worker was
    # refused as "7 here, 7 in the crawl".
    first = opened_scheduler(redis_server.url, **{setting: value})
    joined = opened_scheduler(redis_server.url, **{setting: text})
    joined.close("finished")
    first.close("finished")


def test_an_option_only_the_crawl_was_started_with_is_named_too():
    # The crawl's first worker had --since, this one has not: the message names what differs either way.
    from newsarchive.distributed import _differences

    mine = {"arguments": {}, "ROBOTSTXT_OBEY": True}
    crawls = {"arguments": {"since": "2024-01-10"}, "ROBOTSTXT_OBEY": True}
    assert _differences(mine, crawls) == "since: none here, 2024-01-10 in the crawl"
    assert _differences(crawls, mine) == "since: 2024-01-10 here, none in the crawl"
