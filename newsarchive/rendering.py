"""Rendering in a headless browser, as a layer: only the articles whose comments the HTML lacks.

A parsed article whose page says it has comments (a counter above what was read, a comment
service's script, an empty comments container) but holds none has `comments_status`
`unreached`. With `--render auto` (the default) the spider fetches exactly those pages again
through scrapy-playwright in the system's Chromium (NEWSARCHIVE_CHROMIUM; Playwright's own
browser download is never used), clicks "load more comments" up to NEWSARCHIVE_RENDER_MAX_CLICKS
times, parses the rendered DOM with the same parsers and takes the comments (and any field the
HTML lacked) from it, their `sources` marked `rendered`; the DOM is kept as a capture of kind
`rendered`. `--render always` renders every article, `--render never` none.

The browser's download handler is installed only when rendering is wanted and possible
(`BrowserRendering`, an add-on): a crawl that renders nothing fetches as fast as before. Without
Chromium or scrapy-playwright, an auto crawl goes on: it warns once and the articles stay
`unreached`.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import shutil

from newsarchive import signals as newsarchive_signals
from newsarchive.archive.capture_writer import CaptureWriter
from newsarchive.items import Article, Layer

logger = logging.getLogger(__name__)

RENDER_MODES = ("auto", "always", "never")
HANDLER = "newsarchive.render_handler.LazyPlaywrightDownloadHandler"  # starts Playwright on first need
# Quiet and offline: no first-run pages, no component or safe-browsing downloads, no sync, no QUIC.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Buttons and links that load more comments: "Load more comments", "Show comments (12)", "View more comments".
LOAD_MORE = re.compile(r"\b(?:load|show|view|see|more)\b.*\bcomments?\b", re.I)
# Article fields the rendered page may give when the HTML as sent lacked them.
FILLABLE_FIELDS = ("title", "published_at", "published_at_raw", "modified_at", "modified_at_raw", "byline_raw",
                   "authors", "body_blocks", "body_text", "comment_count", "comment_count_raw")


def render_reason(article: Article, mode: str) -> str | None:
    """Why the article's page is to be rendered in a browser (always, comments_unreached), or None.

    >>> render_reason(Article(url="https://example.com/a", comments_status="unreached"), "auto")
    'comments_unreached'
    >>> render_reason(Article(url="https://example.com/a", comments_status="none"), "auto") is None
    True
    """
    if mode == "always":
        return "always"
    if mode == "auto" and article.comments_status == "unreached":
        return "comments_unreached"
    return None


def needs_rendering(article: Article, mode: str) -> bool:
    """Whether `--render MODE` renders this article's page: auto renders exactly the articles whose
    comments were not reached, always every article, never none."""
    return render_reason(article, mode) is not None


def chromium_path(setting: str) -> str | None:
    """The Chromium binary NEWSARCHIVE_CHROMIUM names (a path, or a name looked up on PATH)."""
    found = shutil.which(setting) if setting else None
    return found if found and os.path.isfile(found) else None


def browser_missing(chromium: str) -> str | None:
    """What keeps this machine from rendering, in one line, or None when it can."""
    if importlib.util.find_spec("scrapy_playwright") is None:
        return 'scrapy-playwright is not installed (pip install "newsarchive[browser]")'
    if chromium_path(chromium) is None:
        return f"no Chromium at NEWSARCHIVE_CHROMIUM={chromium!r} (apt-get install -y chromium)"
    return None


def merge_rendered(article: Article, rendered: Article) -> list[str]:
    """Take from the rendered page what the page as sent lacked; return the fields taken. The
    comments are taken when the rendered page has more of them."""
    taken = []
    for name in FILLABLE_FIELDS:
        if getattr(article, name) in (None, "", []) and getattr(rendered, name) not in (None, "", []):
            setattr(article, name, getattr(rendered, name))
            taken.append(name)
    if len(rendered.comments) > len(article.comments):
        article.comments, article.comments_complete = rendered.comments, rendered.comments_complete
        taken.append("comments")
    for name in taken:
        if name in rendered.sources or name == "comments":
            article.sources[name] = Layer.RENDERED
    if "comments" in taken:
        article.comments_status = rendered.comments_status
    return taken


def skip_heavy_resource(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, media and fonts carry no comments; the browser skips them."""
    return request.resource_type in ("image", "media", "font")


async def load_more_comments(page, max_clicks: int, wait_ms: int) -> int:
    """Click "load more comments" buttons and links until none is left or max_clicks were made;
    after each click, wait (at most wait_ms) for the page to change. Returns the clicks made."""
    clicks = 0
    while clicks < max_clicks:
        button = page.locator("button, a, [role=button]").filter(has_text=LOAD_MORE)
        if not await button.count() or not await button.first.is_visible():
            break
        before = await page.evaluate("document.body.innerHTML.length")
        await button.first.click(timeout=wait_ms)
        clicks += 1
        try:
            await page.wait_for_function(f"document.body.innerHTML.length !== {before}", timeout=wait_ms)
            await page.wait_for_load_state("networkidle", timeout=wait_ms)
        except Exception:  # noqa: BLE001 (a click that changed nothing ends the loop below)
            pass
    return clicks


class BrowserRendering:
    """Add-on: install scrapy-playwright's download handler, with the system Chromium and the
    rendering settings, when NEWSARCHIVE_RENDER is not `never` and the machine can render."""

    def update_settings(self, settings) -> None:
        chromium = settings.get("NEWSARCHIVE_CHROMIUM")
        if settings.get("NEWSARCHIVE_RENDER") == "never" or browser_missing(chromium):
            return
        for scheme in ("http", "https"):
            settings["DOWNLOAD_HANDLERS"][scheme] = HANDLER
        timeout_ms = int(settings.getfloat("NEWSARCHIVE_RENDER_TIMEOUT") * 1000)
        for name, value in {
            "PLAYWRIGHT_BROWSER_TYPE": "chromium",
            "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": chromium_path(chromium), "headless": True,
                                          "args": CHROMIUM_ARGS},
            "PLAYWRIGHT_MAX_CONTEXTS": 1,
            "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": settings.getint("NEWSARCHIVE_RENDER_CONCURRENCY"),
            "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout_ms,
            "PLAYWRIGHT_ABORT_REQUEST": "newsarchive.rendering.skip_heavy_resource",
        }.items():
            settings.set(name, value, priority="addon")


class Renderer:
    """The spider's side: render the articles the mode asks for, and merge what the browser saw."""

    def __init__(self, crawler, mode: str, missing: str | None, max_clicks: int, timeout: float):
        self.crawler = crawler
        self.mode, self.missing = mode, missing
        self.max_clicks, self.timeout = max_clicks, timeout
        self.warned = False
        self.captures: CaptureWriter | None = None

    @classmethod
    def from_crawler(cls, crawler) -> Renderer:
        settings = crawler.settings
        mode = settings.get("NEWSARCHIVE_RENDER")
        renderer = cls(crawler, mode, browser_missing(settings.get("NEWSARCHIVE_CHROMIUM")) if mode != "never" else None,
                       settings.getint("NEWSARCHIVE_RENDER_MAX_CLICKS"), settings.getfloat("NEWSARCHIVE_RENDER_TIMEOUT"))
        crawler.signals.connect(renderer.crawl_started, signal=newsarchive_signals.crawl_started)
        return renderer

    @property
    def stats(self):
        return self.crawler.stats  # set when the crawl starts, after the spider is made

    def crawl_started(self, crawl_id: int, archive) -> None:
        """The store pipeline opened the crawl: rendered DOMs are written as captures of it."""
        self.captures = CaptureWriter(self.stats, self.crawler.settings.getbool("NEWSARCHIVE_CAPTURE_ENABLED"))
        self.captures.crawl_started(crawl_id, archive)

    async def complete(self, article: Article, parse_rendered) -> Article:
        """The article, completed from its rendered page when the mode asks for it. parse_rendered:
        an async function from a response to the parsed record."""
        reason = render_reason(article, self.mode)
        if reason is None:
            return article
        self.stats.inc_value(f"newsarchive/render/{reason}_count")
        if self.missing:
            self._warn_once(f"--render {self.mode}: cannot render {article.url} and the like: {self.missing}; "
                            f"their comments are recorded as unreached")
            self.stats.inc_value("newsarchive/render/unavailable_count")
            return article
        try:
            response = await self.crawler.engine.download_async(self.request_for(article.url))
            rendered = await parse_rendered(response)
        except Exception as error:  # noqa: BLE001 (a page the browser cannot render keeps what the HTML gave)
            logger.warning(f"cannot render {article.url}: {type(error).__name__}: {error}")
            self.stats.inc_value("newsarchive/render/failed_count")
            return article
        self.stats.inc_value("newsarchive/render/rendered_count")
        self._keep_capture(response)
        if isinstance(rendered, Article):
            taken = merge_rendered(article, rendered)
            self.stats.inc_value("newsarchive/render/comments_found_count", int("comments" in taken))
        return article

    def request_for(self, url: str):
        from scrapy import Request
        from scrapy_playwright.page import PageMethod

        wait_ms = int(self.timeout * 1000)
        return Request(url, dont_filter=True, meta={
            "playwright": True,
            "download_timeout": self.timeout * 2,
            "playwright_page_goto_kwargs": {"wait_until": "load"},
            "playwright_page_methods": [
                PageMethod("wait_for_load_state", "networkidle", timeout=wait_ms),
                PageMethod(load_more_comments, self.max_clicks, min(wait_ms, 5000)),
            ],
        })

    def _keep_capture(self, response) -> None:
        from newsarchive.middlewares.pageresult import capture_of

        if self.captures is not None:
            self.captures.write(capture_of(response), "rendered")

    def _warn_once(self, message: str) -> None:
        if not self.warned:
            logger.warning(message)
            self.warned = True
