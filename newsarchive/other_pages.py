"""OtherPages: what reading a story's other pages takes, shared by comment pages
(newsarchive/comment_pages.py) and the further pages of a story split over pages
(newsarchive/story_pages.py).

While a story's page is being parsed, the spider fetches another page of it through the crawl's
downloader (its politeness, robots.txt and retries), keeps it as a capture of the reader's kind,
and parses it in a worker for the fields the reader wants. At most the reader's setting's number
of pages a story.
"""

from __future__ import annotations

from newsarchive.items import Article


class OtherPages:
    LIMIT_SETTING = ""  # the setting that bounds the pages read for one story
    CAPTURE_KIND = ""  # the capture kind each page is kept as
    FIELDS: tuple[str, ...] = ()  # what each page is parsed for

    def __init__(self, crawler, limit: int):
        self.crawler = crawler
        self.limit = limit
        self.captures = None  # a CaptureWriter once the crawl has started (crawl_started)

    @classmethod
    def from_crawler(cls, crawler):
        from newsarchive import signals as newsarchive_signals

        pages = cls(crawler, crawler.settings.getint(cls.LIMIT_SETTING))
        crawler.signals.connect(pages.crawl_started, signal=newsarchive_signals.crawl_started)
        return pages

    def crawl_started(self, crawl_id: int, archive) -> None:
        from newsarchive.archive.capture_writer import CaptureWriter

        self.captures = CaptureWriter.started(self.crawler, crawl_id, archive)

    async def fetch(self, url: str, parse_page, story=None):
        """(the page parsed for FIELDS, its response); an exception saying why it could not be read.
        parse_page: an async function from a response and the fields wanted to the parsed record;
        story: the response of the story's own page, whose result keeps the capture (keep_with_page)."""
        from scrapy import Request

        from newsarchive.middlewares.pageresult import capture_of, keep_with_page

        response = await self.crawler.engine.download_async(Request(url, dont_filter=True))
        if response.status != 200:
            raise ValueError(f"HTTP {response.status}")
        if self.captures is not None and self.captures.enabled:
            capture = capture_of(response)
            if not keep_with_page(story, self.CAPTURE_KIND, capture):
                self.captures.write(capture, self.CAPTURE_KIND)
        page = await parse_page(response, self.FIELDS)
        if not isinstance(page, Article):
            raise ValueError(getattr(page, "detail", None) or type(page).__name__)
        return page, response
