"""CaptureSpiderMiddleware: every response a spider receives becomes a Capture item.

A spider middleware, so spiders stay routing-only. The capture enters the item pipelines after
whatever the callback made of the page, so that once the capture is committed, the records made
from it are too (distributed crawls acknowledge a request when its capture is committed).
"""

from __future__ import annotations

from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newsarchive.archive import utc_now
from newsarchive.items import Capture


class CaptureSpiderMiddleware:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NEWSARCHIVE_CAPTURE_ENABLED"):
            raise NotConfigured("captures are off (NEWSARCHIVE_CAPTURE_ENABLED)")
        return cls(crawler.stats)

    def process_spider_output(self, response, result):
        yield from result
        if isinstance(response, Response):
            self.stats.inc_value("newsarchive/capture/response_count")
            yield capture_of(response)

    async def process_spider_output_async(self, response, result):
        async for item in result:
            yield item
        if isinstance(response, Response):
            self.stats.inc_value("newsarchive/capture/response_count")
            yield capture_of(response)


def capture_of(response: Response) -> Capture:
    return Capture(
        url=response.url,
        fetched_at=utc_now(),
        status=response.status,
        request_headers=_headers(response.request.headers) if response.request is not None else {},
        response_headers=_headers(response.headers),
        body=response.body,
        request_fingerprint=response.request.meta.get("newsarchive_fingerprint") if response.request else None,
    )


def _headers(headers) -> dict[str, list[str]]:
    return {
        key.decode("latin-1"): [value.decode("latin-1") for value in values]
        for key, values in headers.items()
    }
