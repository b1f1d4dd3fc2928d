"""scrapy-playwright's download handler, made at the first page to render
(newsarchive/download_handler.py hands it the renders), which starts its browser then.

scrapy-playwright starts Playwright (a Node.js driver process of about 120 MB) when the engine
starts. This handler is made later, at the first render, and starts its driver and browser there.
Imported only by newsarchive/download_handler.py, so crawls that render nothing, and machines
without scrapy-playwright, never import it.

It also holds the browser to the crawl: every request a page makes (scripts, XHR, iframes,
beacons) goes through `browser_request_refusal` (newsarchive/rendering.py) with the spider's
scope, and is aborted when it leaves the crawl's origins (and those NEWSARCHIVE_RENDER_ORIGINS
names) or is not a GET or HEAD; each abort is counted (`newsarchive/render/aborted/<why>_count`).
What the route never sees (a redirect's next request, WebSockets) is held to the same origins by
the browser's switches (rendering.offsite_guard_args, added at launch). The page itself is not
fetched again: the browser is given the response the crawl received (rendering.sent_page). The browser is started
through newsarchive/browser_launcher.py, and a render takes scrapy-playwright's page pool and
browser but a download path of its own (_download_request_with_retry), which does only what a
render keeps.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import shutil
import signal
import tempfile
from pathlib import Path

from playwright.async_api import Error as PlaywrightError
from scrapy_playwright.handler import DEFAULT_CONTEXT_NAME as DEFAULT_CONTEXT
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from newsarchive.browser_launcher import launcher_for
from newsarchive.rendering import (
    BROWSE_META,
    COMMENTS_INTO_VIEW_JS,
    EMPTY_STORAGE_JS,
    SENT_PAGE_META,
    TIMERS_JS,
    RenderInterrupted,
    RenderTimeout,
    browser_request_refusal,
    first_line,
    offsite_guard_args,
    rendered_html,
    rendered_response,
    with_frames,
)
from newsarchive.scope import Scope
from newsarchive.scratch import delete_stale_folders, own_folder, temporary_folder_of_children

logger = logging.getLogger(__name__)

BROWSER_SCRATCH = "newsarchive-browser-"  # TMP/newsarchive-browser-PID-XXXXXXXX: browser_scratch_folder
BROWSER_CLOSE_WAIT_S = 10.0  # the longest wait for the browser to close at the crawl's end, and again for its driver
BROWSER_ANSWER_WAIT_S = 10.0  # the longest wait for a browser to open a context, when asked whether it still answers
# Browsers started again in a crawl, at most: past that, renders fail as they come (their stories
# `unreached`, for the next crawl), rather than a browser that cannot start being started forever.
MAX_BROWSER_REPLACEMENTS = 10
# The shortest bound of a start of Playwright's driver; NEWSARCHIVE_RENDER_TIMEOUT when longer. It
# starts in 0.3 s on an idle machine, 1.4 s on two cores busy with bench/render.py's crawl.
DRIVER_START_WAIT_S = 10.0


class DeadDriverNoise(logging.Filter):
    """Drops what asyncio logs as errors, three lines or more each, when a Playwright driver ended:
    "Future exception was never retrieved" for its connection (Playwright sets the exception on a
    future nobody awaits once the driver has started), "Task was destroyed but it is pending"
    for Playwright's tasks that waited on it (a request of the browser's in its route, which no
    answer will ever end), once a replaced browser is let go, and "Task exception was never
    retrieved" for the start of a driver that did not answer in time (_launch), which fails when
    the driver is killed. The crawl says it in its own words ("the browser stopped answering",
    "Playwright's driver did not start"), where it matters."""

    MESSAGE = "Connection closed while reading from the driver"  # Playwright's (playwright/_impl/transport.py)
    TASK_COMPLAINTS = ("Task was destroyed but it is pending", "Task exception was never retrieved")

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if str(error) == self.MESSAGE:
            return False
        message = record.getMessage()
        return not (message.startswith(self.TASK_COMPLAINTS) and "/playwright/" in message)


class BrowserDidNotStart(Exception):
    """The browser's launch failed, or a remote browser's connection (PLAYWRIGHT_CDP_URL): a
    NEWSARCHIVE_CHROMIUM that is no browser, one that crashes at its start, a remote one that is
    not there. Said so, not as a browser that stopped answering."""


def browser_scratch_folder() -> Path | None:
    """The temporary folder of this crawl's Playwright drivers and browsers (their profiles, about
    200 KB each, in the system's temporary folder), made now; None where it cannot be made. The
    driver deletes its browser's profile when the browser closes, but a driver killed (with the
    crawl's process group by a service manager, or by the out-of-memory killer) left it in the
    system's folder for good. The crawl deletes this one when it ends, and the next rendering
    crawl the ones whose crawl is gone."""
    parent = Path(tempfile.gettempdir())
    stale = delete_stale_folders(parent, BROWSER_SCRATCH)
    if stale:
        logger.info("deleted the browser folders left by crawls that were killed: "
                    f"{', '.join(folder.name for folder in stale)}")
    try:
        return own_folder(parent, BROWSER_SCRATCH)
    except OSError as error:
        logger.warning(f"the browser's temporary files go to {parent}: no folder of the crawl's own there ({error})")
        return None


class LazyPlaywrightDownloadHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        asyncio_logger = logging.getLogger("asyncio")
        if not any(isinstance(each, DeadDriverNoise) for each in asyncio_logger.filters):
            asyncio_logger.addFilter(DeadDriverNoise())
        self._start_lock = asyncio.Lock()
        self._launch_lock = asyncio.Lock()
        self.crawler = crawler
        self.other_origins = Scope(crawler.settings.getlist("NEWSARCHIVE_RENDER_ORIGINS"))
        self.sent_pages: dict = {}  # URL -> the page as the crawl received it (SentPage), while it renders
        self.launcher_set = False  # _use_launcher's changes, made once for every browser of the crawl
        self.browser_processes: list[int] = []  # the current browser's, found at its launch
        self.replacements = 0
        self.scratch: Path | None = None  # the temporary folder of the driver and browser (browser_scratch_folder)
        self.driver_start_wait_s = max(DRIVER_START_WAIT_S, crawler.settings.getfloat("NEWSARCHIVE_RENDER_TIMEOUT"))

    def refuses(self, request) -> bool:
        """Whether to abort a request of the browser's, by the crawl's scope (browser_request_refusal)."""
        why = browser_request_refusal(request.method, request.url, request.resource_type,
                                      getattr(self.crawler.spider, "scope", None), self.other_origins)
        if why is None and (robots := self._robots()) is not None and robots.disallows(request.url):
            why = "robots"  # the crawl asks for nothing its site's robots.txt disallows, nor does its browser
        if why:
            self.crawler.stats.inc_value(f"newsarchive/render/aborted/{why}_count")
            logger.debug(f"the browser may not send {request.method} {request.url} ({why})")
        return why is not None

    def _robots(self):
        """The crawl's robots.txt middleware (None with ROBOTSTXT_OBEY off), found once."""
        if not hasattr(self, "_robots_middleware"):
            from newsarchive.middlewares.robots import ArchiveRobotsTxtMiddleware

            engine = getattr(self.crawler, "engine", None)
            middlewares = engine.downloader.middleware.middlewares if engine is not None else ()
            self._robots_middleware = next((one for one in middlewares if isinstance(one, ArchiveRobotsTxtMiddleware)), None)
        return self._robots_middleware

    async def _create_browser_context(self, name, context_kwargs, spider=None):
        """scrapy-playwright's context, with the crawl's User-Agent (archivists name a contact in
        it), the options PLAYWRIGHT_CONTEXTS gives its name (`default`, the renders'; made here,
        at the first render and after a replacement, not at the driver's start: _launch), and
        one route for the requests of all its tabs (_route), a tab a page's script opens
        (window.open) included: Playwright lets such a tab through Chromium's popup blocker, and
        it is closed at once (PageActivity), but its first request is sent first. Service workers
        are blocked: a tab renders page after page, and a worker one story's page registered (a
        news site's offline app) answered the later renders' loads of the site itself, past the
        route: stories were rendered from another story's page, its comments stored as theirs.
        Each tab has a context of its own (rendering.Tab): one with the `default` context's
        kwargs of PLAYWRIGHT_CONTEXTS, when a crawl gives them."""
        given = self.config.startup_context_kwargs
        context_kwargs = {"user_agent": self.crawler.settings.get("USER_AGENT"), "service_workers": "block",
                          **(given.get(name) or given.get(DEFAULT_CONTEXT) or {}), **(context_kwargs or {})}
        wrapper = await super()._create_browser_context(name, context_kwargs, spider)
        await wrapper.context.route("**", self._route)
        await wrapper.context.add_init_script(EMPTY_STORAGE_JS)  # each page a new visitor's
        await wrapper.context.add_init_script(TIMERS_JS)  # a widget started a moment after load
        await wrapper.context.add_init_script(COMMENTS_INTO_VIEW_JS)  # comments loaded when scrolled to
        return wrapper

    async def _route(self, route) -> None:
        """Every request a tab makes: aborted when the guard refuses it; the page being rendered
        answered with the response the crawl received (rendering.sent_page); any other sent as the
        browser made it."""
        request = route.request
        sent = self.sent_pages.get(request.url)
        if self.refuses(request):
            answer = route.abort()
        elif sent is not None and request.is_navigation_request() and request.frame.parent_frame is None:
            answer = route.fulfill(status=sent.status, headers=sent.headers, body=sent.body)
        else:
            answer = route.continue_()
        with contextlib.suppress(PlaywrightError):  # the tab closed, or its browser ended, meanwhile
            await answer

    async def _maybe_launch_browser(self) -> None:
        """scrapy-playwright's launch, noting the processes of the browser it launched (those of
        this crawl's launched browsers that were not there before), which _replace_browser kills."""
        # A render that began in a browser since replaced comes here with the driver still to start.
        await self._started()
        async with self._launch_lock:  # one launch at a time: another's processes are not this one's
            if hasattr(self, "browser"):
                return
            before = set(launched_browsers(os.getpid()))
            try:
                await super()._maybe_launch_browser()
            except Exception as error:  # noqa: BLE001 (Playwright's errors, and a remote browser's refusal)
                raise BrowserDidNotStart(f"the browser did not start ({type(error).__name__}: "
                                         f"{first_line(error)})") from error
            self.browser_processes = marked_processes(os.getpid(), LAUNCHED_BROWSER_MARK, besides=before)

    async def _replace_if_not_answering(self, provider, why: str = "the browser stopped answering") -> bool:
        """After a render failed as renders fail in a browser that no longer answers (its last
        bound passed, an error of Playwright's): whether the browser is a new one since the render
        began, made here when the old one does not open a context within BROWSER_ANSWER_WAIT_S.
        A killed Chromium is started again by scrapy-playwright, but a frozen one, or a dead
        Playwright driver (its browser still "connected" to Python, every call failing as if its
        page had closed), failed every later render of the crawl."""
        async with self._start_lock:
            if self.browser_provider is not provider:  # replaced already, after another render failed
                return True
            # Past the cap, no browser is asked (a frozen one would hold every failed render 10 s).
            if self.replacements >= MAX_BROWSER_REPLACEMENTS:
                self._may_replace(why)  # it may not: said once
                return False
            if await self._browser_answers():
                return False
            self._may_replace(why)  # below the cap: it may
            await self._replace_browser()
            return True

    async def _browser_answers(self) -> bool:
        """Whether the browser opens a context; with none (not launched, or ended), a render's
        error is its driver's."""
        browser = getattr(self, "browser", None)
        if browser is None:
            return False
        try:
            context = await asyncio.wait_for(browser.new_context(), BROWSER_ANSWER_WAIT_S)
        except (asyncio.TimeoutError, PlaywrightError):
            return False
        with contextlib.suppress(asyncio.TimeoutError, PlaywrightError):
            await asyncio.wait_for(context.close(), BROWSER_ANSWER_WAIT_S)
        return True

    def _may_replace(self, why: str) -> bool:
        """Whether another browser may be started (MAX_BROWSER_REPLACEMENTS), said in one warning."""
        self.replacements += 1
        if self.replacements > MAX_BROWSER_REPLACEMENTS:
            if self.replacements == MAX_BROWSER_REPLACEMENTS + 1:
                logger.warning(f"{why}; the browser was started again {MAX_BROWSER_REPLACEMENTS} times in "
                               "this crawl: its later renders fail")
            return False
        logger.warning(f"{why}: starting a new one")
        self.crawler.stats.inc_value("newsarchive/render/browser_replaced_count")
        return True

    async def _replace_browser(self) -> None:
        """Kill the browser, let go of it, its contexts and its driver: the next render starts new
        ones (_started). The tabs the renderer keeps are of the old browser (_open_page)."""
        kill_processes(self.browser_processes)
        self.browser_processes = []
        self.context_wrappers.clear()
        if hasattr(self, "context_semaphore"):  # held by the old browser's contexts, which never closed
            self.context_semaphore = asyncio.Semaphore(value=self.config.max_contexts)
        if hasattr(self, "browser"):
            del self.browser
        await self._let_go_of_provider()

    async def _close(self) -> None:
        """scrapy-playwright's close, bounded: a browser that stopped answering (frozen, or swapped
        out) held the crawl's end for good, its archive complete and its exit never coming. Past
        the bound the browsers Playwright launched are killed (a frozen one outlived its driver),
        and its driver is stopped (the provider's close, which super() did not reach)."""
        try:
            await asyncio.wait_for(super()._close(), BROWSER_CLOSE_WAIT_S)
        except asyncio.TimeoutError:
            logger.warning(f"the browser did not close within {BROWSER_CLOSE_WAIT_S:g} s: stopping it")
            kill_launched_browsers(os.getpid())  # first: once its driver ends, a browser is no longer under the crawl
            await self._let_go_of_provider()
        finally:
            if self.scratch:  # what a replaced driver, dead, could not delete
                shutil.rmtree(self.scratch, ignore_errors=True)

    # scrapy-playwright connects these to engine_started: nothing to start yet.
    async def _maybe_launch_in_thread(self) -> None:
        return None

    def _engine_started(self):
        return None

    async def _download_request(self, request, spider=None):
        """The render, in the crawl's browser, tried once (scrapy-playwright tries a page closed
        under it again within the same render, where what the first tab saw was read with the
        second's: the renderer tries again itself, rendering.Renderer._render). A render cut short
        by a browser that no longer answers, replaced (_replace_if_not_answering), raises
        RenderInterrupted."""
        provider = await self._started()
        try:
            return await self._bounded_render(request, spider)
        except BrowserDidNotStart as error:
            if await self._replace_if_not_answering(provider, str(error)):
                raise RenderInterrupted(str(error)) from error
            raise
        except (RenderTimeout, PlaywrightError) as error:
            if await self._replace_if_not_answering(provider):
                raise RenderInterrupted(f"the browser stopped answering ({type(error).__name__}: {error})") from error
            raise

    async def _started(self):
        """Playwright's driver (the provider), started at the first render and after a replacement.
        One that fails to start (it died starting) is let go of: the render that wanted it is tried
        again (RenderInterrupted), and the next start is a new one."""
        async with self._start_lock:
            if getattr(self, "browser_provider", None) is None:
                if self.replacements > MAX_BROWSER_REPLACEMENTS:  # said once, by _may_replace
                    raise RenderInterrupted(f"the browser was started again {MAX_BROWSER_REPLACEMENTS} times "
                                            "in this crawl")
                if not self.launcher_set:
                    self._use_launcher()
                    self.launcher_set = True
                try:
                    await self._launch()
                except Exception as error:  # noqa: BLE001 (Playwright's driver raises plain exceptions)
                    await self._let_go_of_provider()
                    why = f"Playwright's driver did not start ({type(error).__name__}: {error})"
                    if self._may_replace(why):
                        raise RenderInterrupted(why) from error
                    raise
            return self.browser_provider

    async def _launch(self) -> None:
        """Playwright's driver, started within driver_start_wait_s: a Node.js that hung starting
        held every render, and the crawl's end, for good; one past the bound is killed.
        scrapy-playwright's start also makes PLAYWRIGHT_CONTEXTS' contexts, which launches the
        browser from within the start, and our launch waits for the start to end
        (_maybe_launch_browser): a crawl given that setting rendered nothing and never ended, not
        even on SIGTERM. The contexts are made as renders need them (_create_browser_context)."""
        logger.info("Starting Playwright's driver")
        before = set(marked_processes(os.getpid(), DRIVER_MARK))
        self.browser_provider = self.browser_provider_cls(self.config)
        if self.scratch is None:
            self.scratch = browser_scratch_folder()
            if self.scratch:
                # Also when the close never ends: a crawl stopped (SIGTERM) while it closed its
                # browser stops its reactor with _close still waiting, and left the folder behind.
                atexit.register(shutil.rmtree, self.scratch, ignore_errors=True)
        try:
            with temporary_folder_of_children(self.scratch) if self.scratch else contextlib.nullcontext():
                await asyncio.wait_for(self.browser_provider.start(), self.driver_start_wait_s)
        except asyncio.TimeoutError:
            kill_processes(marked_processes(os.getpid(), DRIVER_MARK, besides=before), DRIVER_MARK)
            raise TimeoutError(f"no answer within {self.driver_start_wait_s:g} s") from None

    async def _let_go_of_provider(self) -> None:
        provider, self.browser_provider = getattr(self, "browser_provider", None), None
        if provider is not None:
            with contextlib.suppress(Exception):  # a dead driver's close may fail, or never end
                await asyncio.wait_for(provider.close(), BROWSER_CLOSE_WAIT_S)

    async def _bounded_render(self, request, spider):
        # The render's own bound: a browser killed (out of memory, by hand) in the middle of a render
        # may leave a call to Playwright's driver unanswered for good, and Scrapy's download timeout
        # does not reach this handler. Eight such renders held a crawl of 300 stories forever, its
        # last seven stories unstored.
        deadline = request.meta.get("download_timeout") or self.crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
        try:
            return await asyncio.wait_for(self._download_request_with_retry(request, spider), deadline)
        except asyncio.TimeoutError:
            raise RenderTimeout(f"the browser did not finish the page within {deadline:g} s") from None

    async def _download_request_with_retry(self, request, spider):
        """A render in a tab: go to the page, browse it (meta BROWSE_META), read the DOM.
        scrapy-playwright's own download replaces the tab's route for every page and awaits the
        headers of each request a page sends, the page's security details and server address,
        none of which a render keeps: about 18 ms of CPU a render, in the crawl, Playwright's
        driver and the browser (bench/render.py, 100 renders: 23.0 CPU s against 24.8). The guard
        and the page as sent are on the context's route (_route)."""
        page = await self._open_page(request, spider)
        # The cookies the tab's last page was given: each page is the one a new visitor gets (the
        # crawl's own requests keep none either). The context is this tab's alone (rendering.Tab).
        await page.context.clear_cookies()
        sent = request.meta.get(SENT_PAGE_META)
        if sent is not None:
            self.sent_pages[request.url] = sent
        try:
            shown = await page.goto(request.url, **(request.meta.get("playwright_page_goto_kwargs") or {}))
            browse = request.meta.get(BROWSE_META)
            # Not as one of scrapy-playwright's page methods, after each of which it waits for the
            # load state again: three messages to Playwright's driver a render, for a page that
            # browse has settled already. Browsing reads the page's HTML as it settles, mostly.
            html = await browse(page) if browse is not None else None
            if html is None:
                html = await rendered_html(page)
            html = await with_frames(page, html)
        finally:
            if sent is not None:
                self.sent_pages.pop(request.url, None)
        if sent is not None:
            status, headers = sent.status, sent.headers
        else:
            status, headers = (shown.status, await shown.all_headers()) if shown is not None else (200, {})
        return rendered_response(request, page.url, status, headers, html)

    async def _open_page(self, request, spider):
        """The request's tab (meta playwright_page), or a new one given the handlers of meta
        playwright_page_event_handlers when it has none or the browser closed it. The page is
        left in the request's meta, open, for the renderer to use again or close."""
        page = request.meta.get("playwright_page")
        if page is None or page.is_closed() or page.context.browser is not getattr(self, "browser", None):
            page = await self._create_page(request=request, spider=spider)
            for event, handler in (request.meta.get("playwright_page_event_handlers") or {}).items():
                page.on(event, handler)
            request.meta["playwright_page"] = page
        return page

    def _use_launcher(self) -> None:
        """Run the configured Chromium through newsarchive/browser_launcher.py, which turns off the
        features rendering does not need without undoing Playwright's own list; and with the
        offsite guard below the route (rendering.offsite_guard_args), unless the launch options
        name a proxy of their own, which it would replace."""
        options = self.config.launch_options
        if options.get("executable_path"):
            options["executable_path"] = launcher_for(options["executable_path"])
        args = list(options.get("args") or ())
        names_a_proxy = options.get("proxy") or any(arg.startswith(("--proxy-server", "--proxy-pac-url")) for arg in args)
        if not names_a_proxy:
            options["args"] = args + offsite_guard_args(getattr(self.crawler.spider, "scope", None), self.other_origins)


# The switch Playwright launches its browsers with (it drives them through a pipe): the mark of a
# browser of this crawl's among its descendants.
LAUNCHED_BROWSER_MARK = b"--remote-debugging-pipe"
# The argument Playwright's driver runs with (`node cli.js run-driver`, Playwright's _driver.py).
DRIVER_MARK = b"run-driver"


def launched_browsers(root: int) -> list[int]:
    """The browsers Playwright launched under process `root` (their first process each), read from
    Linux's /proc (elsewhere there is none: none is found)."""
    return marked_processes(root, LAUNCHED_BROWSER_MARK)


def marked_processes(root: int, mark: bytes, besides: set[int] | frozenset[int] = frozenset()) -> list[int]:
    """The processes under `root` whose command line holds `mark`, but for those under another of
    them and those of `besides` (the ones there before a launch: the rest are the launch's)."""
    found = [pid for pid in _descendants(root) if _marked(pid, mark)]
    return [pid for pid in found if _parent(pid) not in found and pid not in besides]


def _marked(pid: int, mark: bytes) -> bool:
    try:
        return mark in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def kill_launched_browsers(root: int) -> int:
    """SIGKILL the browsers Playwright launched under process `root`, and their processes; how many
    were killed."""
    return kill_processes(launched_browsers(root))


def kill_processes(roots: list[int], mark: bytes = LAUNCHED_BROWSER_MARK) -> int:
    """SIGKILL each process of `roots` whose command line still holds `mark` (a process that ended
    may have left its number to another), and the processes under it; how many were killed."""
    killed = 0
    for root in roots:
        if not _marked(root, mark):
            continue
        for process in [*_descendants(root), root]:
            with contextlib.suppress(OSError):
                os.kill(process, signal.SIGKILL)
                killed += 1
    return killed


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _descendants(root: int) -> list[int]:
    """The processes under `root`, from the kernel's lists of each thread's children."""
    found, pending = [], [root]
    while pending:
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            for children in Path(f"/proc/{pending.pop()}/task").glob("*/children"):
                with contextlib.suppress(OSError, ValueError):
                    pids = [int(child) for child in children.read_text().split()]
                    found += pids
                    pending += pids
    return found
