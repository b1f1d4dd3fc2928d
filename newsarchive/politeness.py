"""The pace a site's robots.txt asks for: `Crawl-delay` and `Request-rate`, which Scrapy ignores.

    User-agent: *
    Crawl-delay: 10        # at most one request every 10 seconds
    Request-rate: 1/5s     # at most 1 request every 5 seconds

RobotsCrawlDelay (an extension) reads them from each robots.txt the crawl obeys, for the crawl's
user agent (else `*`), as soon as it is parsed, before any page of that site is fetched: the
site's downloader slot then waits that long between requests (the longer of the two; no random
jitter, which would make half the waits shorter), at most NEWSARCHIVE_CRAWL_DELAY_MAX seconds (a
site asking for more is crawled at that pace, with a warning; 0 ignores both lines). The wait is
the slot's configured delay (DOWNLOAD_SLOTS), which outlives the slot when Scrapy drops it while
idle, and a floor under AutoThrottle (FlooredAutoThrottle), which would otherwise shorten it to
the server's latency. A crawl shared by several workers (--redis) keeps the pace in each worker.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.throttle import AutoThrottle

logger = logging.getLogger(__name__)

DELAY_STAT = "newsarchive/robots/crawl_delay"  # the longest pace asked for, in seconds, as obeyed


def robots_delay(parser, user_agent: str) -> float | None:
    """The seconds between requests a parsed robots.txt asks of user_agent (Crawl-delay, or the
    period of Request-rate over its requests, whichever is longer), or None. parser: Scrapy's
    robots.txt parser; its Protego (or Python's RobotFileParser) reads both lines."""
    rules = getattr(parser, "rp", None)
    if rules is None:
        return None
    asked = []
    try:
        delay = rules.crawl_delay(user_agent)
        rate = rules.request_rate(user_agent)
    except Exception:  # noqa: BLE001 (a parser that cannot say: no pace asked)
        return None
    if delay is not None:
        asked.append(float(delay))
    if rate is not None and rate.requests:
        asked.append(float(rate.seconds) / float(rate.requests))
    positive = [seconds for seconds in asked if seconds > 0]
    return max(positive) if positive else None


class RobotsCrawlDelay:
    def __init__(self, crawler, longest: float):
        self.crawler = crawler
        self.longest = longest

    @classmethod
    def from_crawler(cls, crawler):
        longest = crawler.settings.getfloat("NEWSARCHIVE_CRAWL_DELAY_MAX")
        if longest <= 0 or not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        extension = cls(crawler, longest)
        crawler.signals.connect(extension.robots_parsed, signal=signals.robots_parsed)
        return extension

    def robots_parsed(self, robotparser, request) -> None:
        settings = self.crawler.settings
        user_agent = settings.get("ROBOTSTXT_USER_AGENT") or request.headers.get(b"User-Agent") or settings.get("USER_AGENT")
        asked = robots_delay(robotparser, user_agent.decode("latin-1") if isinstance(user_agent, bytes) else user_agent)
        if asked is None:
            return
        delay = min(asked, self.longest)
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        configured = downloader.per_slot_settings.setdefault(key, {})
        configured.update(delay=max(delay, configured.get("delay", 0.0)), jitter=0.0)
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay, slot.jitter = max(slot.delay, configured["delay"]), 0.0
        stats = self.crawler.stats
        stats.set_value(DELAY_STAT, max(delay, stats.get_value(DELAY_STAT, 0.0)))
        if asked > self.longest:
            logger.warning(f"robots.txt of {key} asks for {asked:g} s between requests; waiting {delay:g} s, "
                           f"at most NEWSARCHIVE_CRAWL_DELAY_MAX")
        else:
            logger.info(f"robots.txt of {key} asks for {asked:g} s between requests: waiting that long")


class FlooredAutoThrottle(AutoThrottle):
    """Scrapy's AutoThrottle, which sets each slot's delay from the server's latency, never below
    the slot's configured delay (DOWNLOAD_SLOTS, and the pace robots.txt asked for): AutoThrottle
    bounds it by DOWNLOAD_DELAY alone."""

    def _response_downloaded(self, response, request, spider=None) -> None:
        super()._response_downloaded(response, request, spider)
        key, slot = self._get_slot(request, spider)
        if slot is not None:
            floor = self.crawler.engine.downloader.per_slot_settings.get(key, {}).get("delay", 0.0)
            slot.delay = max(slot.delay, float(floor))
