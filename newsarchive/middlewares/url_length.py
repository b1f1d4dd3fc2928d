"""LongUrlMiddleware: a URL longer than URLLENGTH_LIMIT is refused where it would be fetched, as a
`url_too_long` failure of its own.

Scrapy's UrlLengthMiddleware drops such a request from the spider's output with an INFO line.
The page that linked it has already noted it in the crawl's frontier (middlewares/pageresult.py),
so the story ended as a `not_fetched` failure, "no response or error ever reached the spider",
on every crawl, and the reason was nowhere in the archive. Raised here, in a downloader
middleware, the refusal reaches the request's errback like any fetch error (robots.txt's, a
redirect's), and is recorded under that URL once: listing links, sitemap and feed entries,
redirect targets and photos alike.

Scrapy's limit, 2,083 characters, is an old browser's. A story slug in Arabic, Persian or Russian
is percent-encoded six characters a letter: a headline of sixty words passes it. Servers take
request lines of 8 KB (nginx's and Apache's defaults) and answer a longer one 414, itself
recorded; URLLENGTH_LIMIT (settings.py) is set to that, and bounds what a URL trap can grow to.
"""

from __future__ import annotations

from newsarchive.failures import UrlTooLong


class LongUrlMiddleware:
    def __init__(self, limit: int):
        self.limit = limit

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("URLLENGTH_LIMIT"))

    def process_request(self, request, spider=None):
        if self.limit and len(request.url) > self.limit:
            raise UrlTooLong(f"the URL is {len(request.url):,} characters long, over URLLENGTH_LIMIT ({self.limit:,})")
        return None
