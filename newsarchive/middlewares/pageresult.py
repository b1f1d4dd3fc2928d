"""PageResultSpiderMiddleware: every response a spider receives ends as one PageResult item.

A spider middleware, so spiders stay routing-only. Around each callback it

- passes requests on to the scheduler and notes each as a frontier entry of the page;
- gathers the records the callback yielded (article, listing, revisit, failure);
- turns any exception the callback or a parser layer raised into a `parse_error` failure naming
  the exception and where it was raised (Scrapy hands it to process_spider_exception), and keeps
  the requests the page gave before it;
- adds the response as a Capture (unless NEWSARCHIVE_CAPTURE_ENABLED is off), and those of the
  redirects followed to it (middlewares/redirect.py);
- marks a page whose body arrived cut short (kept by a request's last attempt:
  middlewares/retry_after.py) on its PageResult, which keeps its frontier row for the next crawl,
  and on its article's warnings;

and yields one PageResult last, which the store pipeline writes in one transaction with the
settling of the page's own frontier entry. Fetch errors reach the spider's errback, which builds
its PageResult with `page_result()` too.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response

from newsarchive.archive import utc_now
from newsarchive.items import CUT_SHORT_WARNING, Capture, FrontierEntry, PageFailure, PageResult
from newsarchive.middlewares.compression import ENCODING_CUT_FLAG
from newsarchive.middlewares.received import RECEIVED_AT_META
from newsarchive.tracebacks import describe_exception

FRONTIER_META = "newsarchive_frontier"  # request.meta key: the FrontierEntry a request was made for
# response.meta key: (the response's body, that body as the archive stores it), the second made by
# the parser worker (StoredBody)
STORED_BODY_META = "newsarchive_stored_body"
# request.meta key: the Captures of the redirects followed to this request (middlewares/redirect.py)
REDIRECTS_META = "newsarchive_redirects"
# request.meta key: (kind, Capture) of each response the page's record was read from besides the
# page itself (keep_with_page)
READ_WITH_META = "newsarchive_read_with"
CUT_SHORT_FLAG = "dataloss"  # Scrapy's flag on a response whose body is short of its Content-Length


class PageResultSpiderMiddleware:
    def __init__(self, stats, capture: bool):
        self.stats = stats
        self.capture = capture
        # Responses whose callback output this middleware is reading, and the failure of those
        # whose callback raised meanwhile (Scrapy hands that to process_spider_exception).
        self.reading: dict[int, list] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, crawler.settings.getbool("NEWSARCHIVE_CAPTURE_ENABLED"))

    async def process_spider_output(self, response, result):
        records, discovered = self.reading.setdefault(id(response), []), []
        try:
            async for output in result:
                if isinstance(output, Request):
                    discovered += [entry for entry in [output.meta.get(FRONTIER_META)] if entry]
                    yield output
                elif isinstance(output, PageResult):
                    # The errback's result for a response the spider refused (an HTTP error):
                    # the response is still what the site sent, and is captured.
                    if output.capture is None and self.capture:
                        output.capture = capture_of(response)
                    yield output
                    return
                else:
                    records.append(output)
        finally:
            self.reading.pop(id(response), None)
        yield self.result_of(response, records, discovered)

    def process_spider_exception(self, response, exception):
        """A callback (or a parser it called) raised: the page's failure, with what it gave before."""
        self.stats.inc_value(f"newsarchive/parse_error/{type(exception).__name__}")
        failure = PageFailure(response.url, "parse_error", describe_exception(exception), response.status)
        records = self.reading.get(id(response))
        if records is not None:  # raised while its output was being read: it ends there
            records.append(failure)
            return []
        return [self.result_of(response, [failure], [])]  # raised before giving any output

    def result_of(self, response, records: list, discovered: list) -> PageResult:
        result = page_result(response.request, records, discovered,
                             capture_of(response) if self.capture else None, self.stats)
        cut = cut_short(response)
        if cut is not None:
            result.cut_short = True
            if result.capture is not None:
                result.capture.truncated = cut[0]
            self.stats.inc_value("newsarchive/pages/cut_short_count")
            for article in result.articles():
                article.warnings.append(f"{CUT_SHORT_WARNING} the page arrived cut short, {cut[1]}; its text may be "
                                        "incomplete")
        return result


def page_result(request: Request | None, records: list, discovered: list[FrontierEntry],
                capture: Capture | None, stats) -> PageResult:
    """The PageResult of a request: its frontier key, records, capture and the URLs it led to."""
    entry = request.meta.get(FRONTIER_META) if request is not None else None
    url = entry.url if entry else (asked_url(request) if request else "")
    if not records:  # a callback that gave nothing: say so rather than lose the page
        records = [PageFailure(url, "no_record", "the spider gave no record for this page")]
    for record in records:
        if hasattr(record, "requested"):
            record.requested = len(discovered)
    stats.inc_value("newsarchive/pages/received_count")
    return PageResult(url=url, records=records, capture=capture, discovered=discovered,
                      request_fingerprint=request.meta.get("newsarchive_fingerprint") if request else None,
                      kind=entry.kind if entry else None,
                      redirects=list(request.meta.get(REDIRECTS_META, ())) if request is not None else [],
                      read_with=list(request.meta.get(READ_WITH_META, ())) if request is not None else [])


def keep_with_page(page: Response | None, kind: str, capture: Capture) -> bool:
    """Keep a capture the page's record was read from (its further pages and comment pages, its
    rendering and what the rendered page's scripts loaded) to be stored with the page's result, in
    its transaction: written as they came, a crawl killed before it stored the page left them
    behind, and its resumption, which reads the page again, stored them twice (and counted the
    story's render twice, against NEWSARCHIVE_RENDER_ATTEMPTS). False when there is no page's
    result to keep it with (no page response): the caller writes it itself."""
    request = getattr(page, "request", None) if page is not None else None
    if request is None:
        return False
    request.meta.setdefault(READ_WITH_META, []).append((kind, capture))
    return True


def cut_short(response: Response) -> tuple[str, str] | None:
    """How a page's body is short of the page, when it is: (the WARC-Truncated reason of its
    capture, what the article's warning says), else None."""
    if ENCODING_CUT_FLAG in response.flags:
        return "disconnect", "its compressed stream stops before its end"
    if CUT_SHORT_FLAG in response.flags:
        announced = (response.headers.get(b"Content-Length") or b"?").decode("latin-1")
        return "disconnect", f"the connection closed before the {announced} bytes its Content-Length announced"
    if response.status == 206:
        return "unspecified", (f"the server sent part of it (206 Partial Content, "
                               f"{(response.headers.get(b'Content-Range') or b'no range').decode('latin-1')})")
    if _stops_mid_document(response):
        return "unspecified", (f"its HTML stops in the middle of a text or a tag, at the {len(response.body)} bytes its "
                               "Content-Length announced (a server that counts the characters of a page, not its "
                               "bytes, announces too few)")
    return None


def _stops_mid_document(response: Response) -> bool:
    """Whether an HTML body sent whole by its Content-Length (not compressed: the two lengths
    agree) stops where no page ends: without its </html>, inside a text or a tag (its last
    character not a tag's >). An HTTP client reads what the Content-Length says and drops the
    rest: an Arabic story of 4,781 bytes announced as 2,762 was stored cut mid-word without a
    word. Of the 272 pages of a real news dev set, 3 have no </html>, and all three end with a tag."""
    length = response.headers.get(b"Content-Length")
    body = response.body
    if not body or length is None or not length.strip().isdigit() or int(length) != len(body):
        return False
    if b"html" not in (response.headers.get(b"Content-Type") or b"text/html").lower():
        return False
    return b"</html" not in body[-8192:].lower() and not body.rstrip().endswith(b">")


def asked_url(request: Request) -> str:
    """The URL the crawl asked for: the first of a redirected request's chain."""
    return request.meta.get("redirect_urls", [request.url])[0]


def capture_of(response: Response, request: Request | None = None) -> Capture:
    """The response as the archive keeps it, fetched when it arrived (middlewares/received.py; now
    for a response no downloader gave), with the body the parser worker stored when it was made
    from this response's very body (not a copy's of another response's meta). request: the
    response's own, where it is not set on the response yet (a downloader middleware's)."""
    request = request or response.request
    made_from, stored = request.meta.get(STORED_BODY_META, (None, None)) if request is not None else (None, None)
    return Capture(
        url=response.url,
        fetched_at=(request.meta.get(RECEIVED_AT_META) if request is not None else None) or utc_now(),
        status=response.status,
        request_headers=header_lists(request.headers) if request is not None else {},
        response_headers=header_lists(response.headers),
        body=response.body,
        stored=stored if made_from is response.body else None,
    )


def header_lists(headers) -> dict[str, list[str]]:
    """Scrapy's headers as text: each name and its list of values."""
    return {
        key.decode("latin-1"): [value.decode("latin-1") for value in values]
        for key, values in headers.items()
    }
