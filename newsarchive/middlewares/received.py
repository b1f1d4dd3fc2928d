"""ReceivedAtMiddleware: when each response arrived, for its capture's `fetched_at`.

A capture is written once the page's callback has given its records: after the parser workers'
queue and parse, and for a page rendered for its comments, after its turn for the browser and
the render, seconds or minutes later on a busy crawl. The instant the server's answer came is
what a capture's time means (the WARC export's WARC-Date, `crawls.finished_at`), so it is noted
here, nearest the downloader, in the request's meta (RECEIVED_AT_META), which a redirect's or a
retry's next request copies and its own response overwrites.
"""

from __future__ import annotations

from newsarchive.archive import utc_now

RECEIVED_AT_META = "newsarchive_received_at"


class ReceivedAtMiddleware:
    def process_response(self, request, response, spider=None):
        request.meta[RECEIVED_AT_META] = utc_now()
        return response
