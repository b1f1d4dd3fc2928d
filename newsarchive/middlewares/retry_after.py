"""RetryAfterMiddleware: Scrapy's retries, waiting as long as a site's answer asks before one.

A 429 (too many requests) or a 503 (unavailable) may say when to ask again: `Retry-After`, in
seconds or as an HTTP date. Scrapy's RetryMiddleware ignores it and retries within a second, which
is the very load the site asked to be spared, and likely the same answer again. This one waits
that long first (the request keeps its place among the crawl's concurrent requests meanwhile, so
the crawl slows too), at most NEWSARCHIVE_RETRY_AFTER_MAX seconds: a site that asks for longer is
not retried in this crawl, and the page is its `http_429` (or `http_503`) failure, as a page whose
retries ran out.

A request's last attempt also keeps a page the connection cut short (a body shorter than its
Content-Length: a server that closed the connection early, or one that announces a wrong length):
Scrapy fails such a download (`data_loss`) and drops what arrived, which was often the whole page.
The earlier attempts still fail, so a passing cut is retried; what the last one received is the
page, with a warning and its frontier row kept for the next crawl to ask again
(newsarchive/middlewares/pageresult.py, CUT_SHORT_FLAG).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """The wait a Retry-After header asks for, in seconds (0 for a date past); None when it says
    nothing readable.

    >>> retry_after_seconds(b"120"), retry_after_seconds("soon")
    (120.0, None)
    >>> retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=datetime(2015, 10, 21, 7, 28, tzinfo=timezone.utc))
    30.0
    """
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is in GMT
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.longest_wait = settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX")

    def process_request(self, request, spider=None):
        """The last attempt a request has (retries spent, or none allowed) keeps a page cut short."""
        last = request.meta.get("dont_retry", False) or (
            request.meta.get("retry_times", 0) >= request.meta.get("max_retry_times", self.max_retry_times))
        if last:
            request.meta.setdefault("download_fail_on_dataloss", False)
        return None

    async def process_response(self, request, response, spider=None):
        if response.status in self.retry_http_codes and not request.meta.get("dont_retry", False):
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None and wait > self.longest_wait:
                self.crawler.stats.inc_value("newsarchive/retry_after/too_long_count")
                return response  # not retried: the page's failure, with its status
            if wait:
                self.crawler.stats.inc_value("newsarchive/retry_after/waited_count")
                await asyncio.sleep(wait)
        return super().process_response(request, response)
