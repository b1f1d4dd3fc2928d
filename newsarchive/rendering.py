"""Rendering in a headless browser, as a layer: only the articles whose comments the HTML lacks.

A parsed article whose page says it has comments (a counter above what was read, a comment
service's script, an empty comments container) but holds none has `comments_status`
`unreached`. With `--render auto` (the default) the spider fetches exactly those pages again
through scrapy-playwright in the system's Chromium (NEWSARCHIVE_CHROMIUM; Playwright's own
browser download is never used), clicks "load more comments" up to NEWSARCHIVE_RENDER_MAX_CLICKS
times, parses the rendered DOM with the same parsers and takes the comments (and any field the
HTML lacked) from it, their `sources` marked `rendered`; the DOM is kept as a capture of kind
`rendered`. `--render always` renders every article and listing page, `--render never` none. A
page asked for as a listing that links nowhere and has scripts (an app's shell) is rendered under
auto too (`listing_render_reason`), its links read from the rendered DOM, and those only the page as
sent listed kept after them. A profile that lists
a field in `rendered_fields` (e.g. `rendered_fields = ["comments"]`) has its articles rendered
when the page as sent lacks that field. Each rendered page is counted under why
(`rendering_figures`): always, profile_field, comment_counter (a counter, printed or JSON-LD's, above the comments read),
comment_embed (a comment service, the site's own comments script, a `data-` attribute naming a
comment API or a noscript note) or empty_comment_container, read in the page as sent; the counts go
to the crawl summary, crawls.coverage and `report`.

The browser's own requests stay in the crawl's scope (newsarchive/scope.py): a script, XHR,
iframe or beacon to any other origin is aborted, unless NEWSARCHIVE_RENDER_ORIGINS names that
origin (a comment service the site embeds), and so is every request that is not a GET or
HEAD (an archival crawl submits no form and fires no analytics). Images, media and fonts are
skipped. What the page's scripts loaded that carried content (xhr and fetch answered 200 with any
type but media and binary files, iframe documents with JSON or HTML) is kept as captures of kind `script`, so a WARC replays the
comments; their request headers carry the Referer, the page they were loaded for.

The browser's download handler is installed only when rendering is wanted and possible
(`BrowserRendering`, an add-on): a crawl that renders nothing fetches as fast as before. Without
Chromium or scrapy-playwright, an auto crawl goes on: it warns once and the articles stay
`unreached`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import importlib.util
import logging
import math
import os
import re
import shutil
import time
from html import escape as html_escape
from urllib.parse import urldefrag

from lxml import html as lxml_html
from scrapy import signals
from scrapy.settings import SETTINGS_PRIORITIES

from newsarchive import settings as default_settings
from newsarchive import signals as newsarchive_signals
from newsarchive.archive import utc_now
from newsarchive.archive.capture_writer import CaptureWriter
from newsarchive.archive.queries import COMMENT_PAGE_UNREAD
from newsarchive.comment_pages import SHOWS_NONE, with_comment_pages
from newsarchive.items import FILLABLE_FIELDS, WIRE_HEADERS, Article, Capture, Layer, Listing, ListingLink
from newsarchive.parsers.comments import LOAD_MORE, script_comments_sign
from newsarchive.parsers.encoding import header_charset
from newsarchive.parsers.metadata import STORY_TYPES
from newsarchive.parsers.text import without_lone_surrogates

logger = logging.getLogger(__name__)

RENDER_MODES = ("auto", "always", "never")
HANDLER = "newsarchive.download_handler.RenderingDownloadHandler"  # imports and starts Playwright on first need
# Quiet and offline: no first-run pages, no component or safe-browsing downloads, no sync, no QUIC.
# No images and no web fonts: a page's scripts and comments need none, and each one the browser asked
# for cost a round trip through the route (Playwright's driver and the crawl's thread) only to be
# refused as heavy. Chromium's own settings keep the page from asking (img elements, CSS
# backgrounds, `new Image()`, @font-face). A news_site.py site of the 272 dev-set pages, 36 to
# render, `--render auto`: with images off, three runs each in turn, 29.1 s median against 32.4, all
# processes' CPU 45.9 s against 49.8, 29 requests refused as heavy against 195; with fonts off too,
# 7 refused (media); the same comments and captures each time.
# WebRTC only through a proxy: its STUN and peer traffic goes over UDP to any host a page names,
# below the route and the offsite guard's proxy (offsite_guard_args); a page's
# RTCPeerConnection sent STUN requests to another host's port until this switch.
# The compositor in the browser process (--in-process-gpu): with the GPU off it composites in
# software all the same, and a process of its own only added a hop for every frame a tab showed.
# bench/render.py's 100 renders, five rounds in turn: all processes' CPU 11.44 s against 11.97
# (median), the crawl 7.13 s against 7.26; one process fewer.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--in-process-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--blink-settings=imagesEnabled=false", "--disable-remote-fonts",
                 "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"]
# The browsers looked for on PATH when NEWSARCHIVE_CHROMIUM names none, the first found taken.
# Debian's headless shell (the old headless mode, no browser UI behind it) renders a page for about
# two thirds of the CPU of the full browser's --headless (bench/render.py's 100 renders: 8.9 s of
# browser CPU against 13.2 s; its browser process 3.0 s against 8.9 s).
CHROMIUM_NAMES = ("chromium-headless-shell", "chromium")
# Article fields always taken from the rendered page when it has more comments.
COMMENT_FIELDS = ("comments", "comments_complete", "comments_status")


# Why a page is rendered, in the order they are looked for (the first that holds is counted).
RENDER_REASONS = ("always", "comment_counter", "comment_embed", "empty_comment_container", "profile_field",
                  "script_body", "script_listing")
# Before rendering, a page whose comments come by script has this reason; the page as sent tells
# which sign it was (comment_embed or empty_comment_container: see script_sign).
BY_SCRIPT = "comments_by_script"
# What a browser may send: reading only. A POST from a page script submits a form or a beacon.
READ_METHODS = ("GET", "HEAD")
# They carry no comments: refused when asked for (images and fonts are not even asked for: CHROMIUM_ARGS).
HEAVY_RESOURCES = ("image", "media", "font")
# Responses loaded by the page's scripts that may hold content (carries_content): what they fetched,
# and a frame's page.
FETCHED_RESOURCES = ("xhr", "fetch")
ERROR_PAGE = "chrome-error:"  # the scheme of the page Chromium shows for a navigation that failed
BROWSER_SLOT = "newsarchive-browser"  # the downloader slot of the pages rendered
SENT_PAGE_META = "newsarchive_sent_page"  # request meta: the page as sent (SentPage), for the browser
BROWSE_META = "newsarchive_browse"  # request meta: what the browser does on the loaded page (Renderer.browse)
PLAYWRIGHT_LOGGER = "scrapy-playwright"  # the logger scrapy-playwright's download handler writes to
# The rendered page's HTML, read in the page's own world: Playwright's page.content() reads it with
# its injected script in a world of its own, which the browser builds again for each page a tab
# shows: about 25 ms of the browser's CPU a render, a third of all it spends (100 renders of
# bench/render.py's pages, 4 tabs: 4.9 s against 7.7 s). The page's scripts could replace what
# this calls; rendered_html falls back on page.content() when they broke it.
# Run in every page a tab loads (an init script of its context, render_handler.py): the page's short
# timers (LEAST_TIMER_MS to SHORT_TIMER_MS, set within WATCHED_MS of its start) are counted, and
# window.__newsarchiveTimers(bound) waits until none is pending (at most bound ms), then tells how
# many fired meanwhile (SETTLED_PAGE_JS). A widget started a moment after load
# (setTimeout(loadComments, 500), to paint the page first) was read before it ran, `unreached` on
# every crawl: a page settled once no request was in flight and its main thread idle. Timers set
# later (a carousel's, a poll's) are not waited for, so a page of endless short timers costs
# WATCHED_MS at most. Only the top page's; the page's own calls are kept as they were.
SHORT_TIMER_MS, WATCHED_MS, TIMERS_WAIT_MS = 2000, 3000, 2500
# Shorter timers (a framework's setTimeout(fn, 0), dozens a page) run before the page goes idle: not
# counted, or each would have made the page settle once more.
LEAST_TIMER_MS = 50
TIMERS_NAME = "__newsarchiveTimers"
NATIVE_TIMEOUT_NAME = "__newsarchiveSetTimeout"  # the browser's own setTimeout, which TIMERS_JS wraps
TIMERS_JS = f"""window.top === window && (() => {{
  const started = performance.now(), native = window.setTimeout, nativeClear = window.clearTimeout;
  const pending = new Set(), waiting = [];
  let fired = 0;
  const settle = () => {{ if (!pending.size) waiting.splice(0).forEach(done => done()); }};
  window.setTimeout = function (callback, delay, ...rest) {{
    const wait = Number(delay);
    if (typeof callback !== 'function' || !(wait >= {LEAST_TIMER_MS} && wait <= {SHORT_TIMER_MS})
        || performance.now() - started > {WATCHED_MS}) return native.call(window, callback, delay, ...rest);
    const id = native.call(window, function () {{
      pending.delete(id); fired += 1;
      try {{ return callback.apply(this, arguments); }} finally {{ settle(); }}
    }}, delay, ...rest);
    pending.add(id);
    return id;
  }};
  window.clearTimeout = function (id) {{ if (pending.delete(id)) settle(); return nativeClear.call(window, id); }};
  Object.defineProperty(window, '{NATIVE_TIMEOUT_NAME}', {{value: native}});
  Object.defineProperty(window, '{TIMERS_NAME}', {{value: bound => new Promise(done => {{
    const before = fired, finish = () => done(fired - before);
    if (!pending.size) return finish();
    waiting.push(finish);
    native.call(window, finish, bound);
  }})}});
}})();"""
# Run first in every page a tab loads (an init script of its context, render_handler.py): the page's
# storage is emptied, as its cookies are before each render, so that each page is the one a new
# visitor gets; a site that meters its stories, or serves its comments, by what the crawl's earlier
# renders left saw one reader read them all (its comment API answered "subscribe" from the fourth).
EMPTY_STORAGE_JS = """if (window.top === window) {
  try { localStorage.clear(); } catch (error) {}
  try { sessionStorage.clear(); } catch (error) {}
}"""
# Run in every page a tab loads (the context's init script, render_handler.py): once the page has
# loaded, the comments are scrolled into the middle of the view. Comment services and WordPress
# load them only when the reader scrolls to them (an IntersectionObserver on the comments' element,
# an <iframe loading="lazy">): a story longer than a screen was rendered with its comments never
# asked for, `unreached` on every crawl. The element is the last of those a comments section is
# marked by, outside the page's header, navigation, footer and sidebars (a counter linked under the
# headline comes before it; a sidebar's "Recent comments" widget, after it in a two-column page's
# markup, sits at the top); the top page only, not its frames. Nothing else is scrolled to: the
# foot of a page with endless scroll would load story after story.
COMMENTS_INTO_VIEW_JS = """window.top === window && addEventListener('load', () => { try {
  let chosen = null;
  for (const element of document.querySelectorAll(
      '#disqus_thread, [data-comments-url], [id*="comment" i], [class*="comment" i], iframe[title*="comment" i]'))
    if (!element.closest('header, nav, footer, aside, [role=complementary], .widget, [id*=sidebar i], [class*=sidebar i]'))
      chosen = element;
  if (chosen) chosen.scrollIntoView({block: 'center'});
} catch (error) {} }, {once: true});"""
# What an open shadow root shows (a web component's comments: Coral's embed can draw them there)
# is left out of an element's outerHTML: it is set into its host, in a `<section
# data-newsarchive-shadow>` of a copy, where the parsers read it as the page's (nested roots too).
# A page with no shadow root is serialised as it is; the walk that looks for one is one query.
DOCUMENT_HTML_JS = """() => {
  const doctype = document.doctype ? new XMLSerializer().serializeToString(document.doctype) : '';
  const root = document.documentElement;
  if (!root) return doctype;
  if (![...document.querySelectorAll('*')].some(element => element.shadowRoot)) return doctype + root.outerHTML;
  const withShadows = original => {
    const copy = original.cloneNode(true), pairs = [];
    const from = document.createTreeWalker(original, NodeFilter.SHOW_ELEMENT);
    const to = document.createTreeWalker(copy, NodeFilter.SHOW_ELEMENT);
    for (let a = from.currentNode, b = to.currentNode; a && b; a = from.nextNode(), b = to.nextNode())
      if (a.shadowRoot) pairs.push([a.shadowRoot, b]);
    for (const [shadow, host] of pairs) {
      const section = document.createElement('section');
      section.setAttribute('data-newsarchive-shadow', '');
      for (const node of shadow.childNodes)
        section.appendChild(node.nodeType === Node.ELEMENT_NODE ? withShadows(node) : node.cloneNode(true));
      host.appendChild(section);
    }
    return copy;
  };
  return doctype + withShadows(root).outerHTML;
}"""
# A page has settled when none of its requests has been in flight for this long (Playwright's
# networkidle: 500 ms) and its main thread is idle (PageActivity.settle): scripts that load
# comments on load or on a click send their requests at once. On bench/render.py's site, on 2
# busy cores, a load handler's request was reported within 22 ms of the page's load; the quiet
# was most of a render (it was 200 ms), and waiting for the idle main thread, not a longer quiet,
# is what lets a starved page's scripts put their comments in.
QUIET_MS = 50
IN_FLIGHT_POLL_S = 0.02  # how often a settling page's requests in flight are looked at again
# A request of a rendered page still open after this long is a stream (a live page's long poll):
# the page is not waiting for it to end, and neither is the render. At least this, and a quarter of
# the render timeout (stream_ms_for: 5 s by default): a busy comment service answers in 3 s, and
# a 2 s bound read every such page without its comments, `unreached` on every crawl, however long
# the timeout an archivist gave. Server-sent events (an EventSource) are a stream from the start.
STREAM_MS = 2000
STREAM_SHARE_OF_TIMEOUT = 0.25
STREAM_TYPES = ("eventsource",)
# The longest wait for a page's main thread to go idle; after it the page is read as it is. With
# the render timeout as the only bound, one page of bench/render.py in the headless shell held its
# render slot for the whole 20 s (the cause was not found; a busy page still idles within a
# quarter second), and a page that replaced requestIdleCallback by a function that never calls
# back held it for good (PageActivity._when_idle).
IDLE_WAIT_MS = 1000
JAVASCRIPT_TYPES = re.compile(r"^\s*(?:text|application)/(?:x-)?(?:javascript|ecmascript)\b", re.I)
# What a page's script may fetch that holds no text: a picture, a clip, a font, a file to download.
BINARY_TYPES = re.compile(r"^\s*(?:image|audio|video|font)/|^\s*application/(?:octet-stream|pdf|zip|gzip|wasm)\b", re.I)
CONTENT_TYPES = re.compile(r"^\s*(?:application/(?:[\w.+-]+\+)?json|text/json|text/html|application/xhtml\+xml)\b",
                           re.I)


RENDER_DEADLINE_TIMEOUTS = 4  # a render's last bound, in render timeouts (Renderer.request_for)
# The browser contexts the renders' tabs take, one each (Tab): `render-0`, `render-1` ... Given the
# kwargs of PLAYWRIGHT_CONTEXTS' `default` context, when a crawl sets one (render_handler.py).
RENDER_CONTEXT = "render"
CLOSE_WAIT_S = 5.0  # the longest wait for a failed render's tab to close
IDLE_TAB_S = 0.25  # how long a rendered tab waits in the pool, its page as it was, before it is emptied


class RenderTimeout(Exception):
    """A rendered page's scripts kept the browser waiting longer than the render allows."""


class RenderInterrupted(Exception):
    """A render cut short by its browser ending (killed, or frozen and replaced, its driver dead or
    not started; newsarchive/render_handler.py): it may be tried again, in a new browser."""


class RenderLeftPage(Exception):
    """A rendered page's scripts sent the browser to another page: nothing is taken from it."""


def render_reason(article: Article, mode: str, rendered_fields: tuple[str, ...] = (),
                  scripts: bool = False) -> str | None:
    """Why the article's page is to be rendered in a browser, or None. rendered_fields: the fields
    the site's profile marks as loaded by script; scripts: whether the page as sent has any
    (sends_scripts): a story whose text the HTML lacks and whose scripts may write it
    (`script_body`: an app's shell, a story fetched as JSON) is rendered, where it was a
    `missing_body_text` failure.

    >>> render_reason(Article(url="https://example.com/a", comments_status="unreached", comment_count=4), "auto")
    'comment_counter'
    >>> render_reason(Article(url="https://example.com/a", comments_status="none"), "auto") is None
    True
    >>> render_reason(Article(url="https://example.com/a", comments_status="none"), "auto", ("comments",))
    'profile_field'
    """
    if mode == "always":
        return "always"
    if mode != "auto":
        return None
    if article.comments_status == "unreached" and (not article.comment_pages or comment_pages_by_script(article)):
        counted = article.comment_count is not None and article.comment_count > len(article.comments)
        return "comment_counter" if counted else BY_SCRIPT
    if any(lacks_field(article, name) for name in rendered_fields):
        return "profile_field"
    if scripts and lacks_field(article, "body_text"):
        return "script_body"
    return None


def comment_pages_by_script(article: Article) -> bool:
    """Whether a page of the story's comments was read and showed none of those it says it has
    (comment_pages.SHOWS_NONE): its script loads them, and a rendering of the story's page reads
    them (a frame of the site's own is rendered with it). Comments on other pages come by link,
    not by script: a story whose comment pages were all read, or could not be fetched, is not
    rendered for them. The story whose comment frame its script fills was never rendered, its
    comments `unreached` for good."""
    return any(warning.startswith(COMMENT_PAGE_UNREAD) and SHOWS_NONE in warning for warning in article.warnings)


_SCRIPT_TAG = re.compile(rb"<script\b", re.IGNORECASE)


def listing_render_reason(listing: Listing, mode: str, scripts: bool = False) -> str | None:
    """Why a page the crawl asked for as a listing (a start URL, a listing's next page) is rendered
    in a browser, or None: every one under `--render always`; under auto a page that links to no
    story or section of the site and sends scripts (scripts: sends_scripts), `script_listing`, as
    an app's shell does before its scripts write the section's stories into it (its next page may
    be known already: a URL in its state's JSON). Such a section was one listing with no link:
    nothing of the site was archived, whatever the mode.

    >>> shell = Listing(url="https://example.com/news/", next_page_url="https://example.com/news/?page=2")
    >>> listing_render_reason(shell, "auto", scripts=True), listing_render_reason(shell, "auto", scripts=False)
    ('script_listing', None)
    >>> from newsarchive.items import ListingLink
    >>> listing_render_reason(Listing(url="https://example.com/news/", links=[ListingLink("https://example.com/a", 0)]),
    ...                       "auto", scripts=True) is None
    True
    """
    if mode == "always":
        return "always"
    if mode == "auto" and scripts and not (listing.links or listing.section_links):
        return "script_listing"
    return None


def sends_scripts(response) -> bool:
    """Whether a page as sent has a script (no parse: a search of its bytes).

    >>> from scrapy.http import HtmlResponse
    >>> sends_scripts(HtmlResponse("https://example.com/", body=b"<div id=app></div><SCRIPT src=/app.js></SCRIPT>"))
    True
    >>> sends_scripts(HtmlResponse("https://example.com/", body=b"<p>A page.</p>")), sends_scripts(None)
    (False, False)
    """
    return response is not None and _SCRIPT_TAG.search(getattr(response, "body", b"") or b"") is not None


def lacks_field(article: Article, name: str) -> bool:
    """Whether the page as sent lacks a field; comments are lacking unless all were read."""
    if name == "comments":
        return article.comments_status != "complete"
    return getattr(article, name, None) in (None, "", [])


def needs_rendering(article: Article, mode: str, rendered_fields: tuple[str, ...] = ()) -> bool:
    """Whether `--render MODE` renders this article's page: auto renders exactly the articles whose
    comments were not reached (or whose profile-marked field is missing), always every article,
    never none."""
    return render_reason(article, mode, rendered_fields) is not None


def script_sign(sent_html: str) -> str:
    """Which sign said the comments come by script, read in the page as sent (the parser's
    reading, newsarchive/parsers/comments.py): comment_embed (a comment service, the site's
    comments script, a `data-` attribute naming a comment API, a noscript note) or
    empty_comment_container (nothing else but an empty comments container).

    >>> script_sign("<div><div id='disqus_thread'></div></div>"), script_sign("<div><div id='comments'></div></div>")
    ('comment_embed', 'empty_comment_container')
    """
    root = lxml_html.fromstring(sent_html or "<html></html>")
    return script_comments_sign(root) or "empty_comment_container"


def browser_request_refusal(method: str, url: str, resource_type: str, scope, also=None) -> str | None:
    """Why the browser must not send a request (method, offsite, heavy), or None to let it go.
    scope: the crawl's Scope (newsarchive/scope.py); None allows any origin. also: a Scope of the
    other origins a rendered page may read from (NEWSARCHIVE_RENDER_ORIGINS: comment services).

    >>> from newsarchive.scope import Scope
    >>> scope = Scope(["http://127.0.0.1:8000/news/"])
    >>> [browser_request_refusal(m, u, "fetch", scope) for m, u in [("GET", "http://127.0.0.1:8000/api"),
    ...  ("POST", "http://127.0.0.1:8000/api"), ("GET", "http://127.0.0.1:9000/api")]]
    [None, 'method', 'offsite']
    >>> browser_request_refusal("GET", "http://127.0.0.1:9000/api", "fetch", scope, Scope(["http://127.0.0.1:9000"]))
    """
    if method.upper() not in READ_METHODS:
        return "method"
    if scope is not None and not scope.allows(url) and not (also is not None and also.allows(url)):
        return "offsite"
    if resource_type in HEAVY_RESOURCES:
        return "heavy"
    return None


# The proxy every request outside the crawl's origins is sent to (offsite_guard_args): a host under
# .invalid, which no resolver answers (RFC 2606), so the request fails and no server ever sees it;
# and what the browser then says of it (for http, and for https through a tunnel).
NOWHERE_PROXY = "http://offsite.invalid:9"
KEPT_OFF_ERRORS = ("net::ERR_PROXY_CONNECTION_FAILED", "net::ERR_TUNNEL_CONNECTION_FAILED")
WEBSOCKET_SCHEMES = {"http": "ws", "https": "wss"}  # the bypass list's rules name their scheme


def offsite_guard_args(scope, also=None) -> list[str]:
    """Chromium switches that keep the browser's network off every origin but the crawl's (and
    those of `also`, NEWSARCHIVE_RENDER_ORIGINS), below the route (render_handler.py), for what
    the route never sees: Playwright hands it a redirect's first request only, so a page's fetch
    of its own origin that redirects elsewhere went out with no guard, and WebSockets do not pass
    through it either (both checked: tests/browser/test_rendering.py). Every request goes to a proxy that does not exist
    (NOWHERE_PROXY) except those to the origins on the bypass list, each with its scheme and port,
    and with the WebSocket scheme of the same server (ws for http, wss for https: a site's own live
    comments stay reachable);
    `<-loopback>` takes away Chromium's own bypass of loopback hosts, so another port of the
    crawl's host is offsite too (the page itself is handed to the browser, not fetched). No
    switches for a crawl without a scope (any origin allowed).

    >>> from newsarchive.scope import Scope
    >>> offsite_guard_args(Scope(["http://127.0.0.1:8000/news/"]), Scope(["https://comments.example"]))[1].split(";")
    ['--proxy-bypass-list=<-loopback>', 'http://127.0.0.1:8000', 'ws://127.0.0.1:8000', 'http://comments.example:80', 'ws://comments.example:80', 'http://www.comments.example:80', 'ws://www.comments.example:80', 'https://comments.example:443', 'wss://comments.example:443', 'https://www.comments.example:443', 'wss://www.comments.example:443']
    """
    if scope is None:
        return []
    origins = sorted(scope.origins | (also.origins if also is not None else set()))
    bypass = [f"{named}://{_host_in_url(host)}:{port}" for scheme, host, port in origins
              for named in (scheme, WEBSOCKET_SCHEMES[scheme])]
    # The last rule that matches decides: <-loopback> first, or it takes the crawl's loopback origins too.
    return [f"--proxy-server={NOWHERE_PROXY}", f"--proxy-bypass-list={';'.join(['<-loopback>', *bypass])}"]


def _host_in_url(host: str) -> str:
    """A host as it stands in a URL Chromium has parsed: IPv6 in brackets, a name in ASCII (IDNA).

    >>> [_host_in_url(host) for host in ("::1", "bücher.example", "127.0.0.1")]
    ['[::1]', 'xn--bcher-kva.example', '127.0.0.1']
    """
    if ":" in host:
        return f"[{host}]"
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def carries_content(resource_type: str, status: int, method: str, content_type: str, main_frame: bool) -> bool:
    """Whether a response the rendered page loaded is kept as a capture: an xhr or fetch of any
    type but media and binary files, an iframe document (not the page itself) with a JSON or HTML
    body, or a script with a JavaScript one, read with GET and answered 200. What a script asked
    for is what it reads, whatever the server called it: a comment API answering JSON as
    text/plain or text/javascript, or XML, was not kept, and a replay showed no comments. The page's
    own scripts are what a replay tool runs to show what they load: without its comments script, a
    page replayed without its comments."""
    if status != 200 or method.upper() != "GET":
        return False
    if resource_type == "script":
        return bool(JAVASCRIPT_TYPES.match(content_type or ""))
    if resource_type in FETCHED_RESOURCES:
        return not BINARY_TYPES.match(content_type or "")
    return resource_type == "document" and not main_frame and bool(CONTENT_TYPES.match(content_type or ""))


@dataclasses.dataclass(frozen=True)
class SentPage:
    """A page as the crawl received it, handed to the browser in place of a second fetch."""

    status: int
    headers: dict[str, str]  # a repeated header's values joined by newlines, as Playwright takes them
    body: bytes


def sent_page(response, url: str) -> SentPage | None:
    """The page as sent, for the browser to render instead of fetching it again: so the rendered DOM
    is the archived response's, not another version the site served a moment later, and the site
    is asked for the page once. Only a 200 answered at the very URL rendered (not a redirect's
    target, which the browser must reach by the redirect); None otherwise."""
    from newsarchive.middlewares.pageresult import header_lists

    if getattr(response, "status", None) != 200 or urldefrag(response.url)[0] != urldefrag(url)[0]:
        return None
    headers = {name: "\n".join(values) for name, values in header_lists(response.headers).items()
               if name.lower() not in WIRE_HEADERS}
    return SentPage(200, headers, response.body)


async def rendered_html(page) -> str:
    """The rendered page's HTML, doctype and root element, read in the page's own world
    (DOCUMENT_HTML_JS); by Playwright's page.content() when the page's scripts broke what that
    calls."""
    try:
        html = await page.evaluate(DOCUMENT_HTML_JS)
    except Exception:  # noqa: BLE001 (a page that replaced XMLSerializer or the like; a closed page fails below too)
        html = None
    return html if isinstance(html, str) else await page.content()


# A frame's body as the frame shows it (in the frame's own world: Playwright reaches frames of any
# origin); null for a frame showing a story (og:type article, article:published_time, a story type
# of JSON-LD: `types`, lower-case), whose comments are another story's.
FRAME_BODY_JS = """types => {
  const says = document.querySelector("meta[property='og:type'][content='article' i], meta[property='article:published_time']");
  const typed = [...document.querySelectorAll("script[type='application/ld+json']")].some(script =>
    [...script.textContent.matchAll(/"@type"\\s*:\\s*\\[?\\s*"(?:[^"]*[\\/:])?([^"\\/:]+)"/g)]
      .some(found => types.includes(found[1].toLowerCase())));
  return says || typed ? null : (document.body ? document.body.innerHTML : '');
}"""
FRAME_READ_S = 2.0  # the longest wait for one frame's body: a frame that never answers is left out
_FRAME_STORY_TYPES = sorted(name.casefold() for name in STORY_TYPES)
FRAME_DEPTH = 2  # frames within frames read, this deep


async def with_frames(page, html: str) -> str:
    """The rendered HTML with what the page's frames show set in at the end of its body, each in a
    `<section data-newsarchive-frame="URL">`. A comment service that shows its comments in a frame
    (Disqus's way, Facebook's) keeps them in a document of its own, which the page's HTML leaves
    out: they were never read. Set in, they are parsed with the page's, and the rendered capture
    keeps what the browser showed. Frames of no web address (about:blank, data:), those that do
    not answer within FRAME_READ_S, those showing an address already set in or the page itself
    (`<iframe src="#">` loads the page again: its comments were read once more for each such frame),
    and those showing a story (a related story in a frame: its comments were stored as this
    story's) are left out."""
    shown = {urldefrag(page.main_frame.url)[0]}
    sections = [section async for section in _frame_sections(page.main_frame, FRAME_DEPTH, shown)]
    if not sections:
        return html
    at = html.lower().rfind("</body>")
    at = at if at >= 0 else len(html)
    return html[:at] + "".join(sections) + html[at:]


async def _frame_sections(frame, depth: int, shown: set[str]):
    """The sections of the frames in `frame`, `depth` deep, each address once (shown: those set in
    already, and the page's own)."""
    for child in frame.child_frames:
        address = urldefrag(child.url)[0]
        if not child.url.startswith(("http://", "https://")) or child.is_detached() or address in shown:
            continue
        shown.add(address)
        try:
            body = await asyncio.wait_for(child.evaluate(FRAME_BODY_JS, _FRAME_STORY_TYPES), FRAME_READ_S)
        except Exception:  # noqa: BLE001 (a frame gone, or whose scripts broke what this calls, is left out)
            continue
        if body is None:  # a story: nor its frames
            continue
        if isinstance(body, str) and body.strip():
            yield f'<section data-newsarchive-frame="{html_escape(child.url)}">{body}</section>'
        if depth > 1:
            async for section in _frame_sections(child, depth - 1, shown):
                yield section


def rendered_response(request, url: str, status: int, headers: dict[str, str], html: str):
    """The rendered DOM as a response to the crawl's request for it: the status and headers of the
    page as the browser got it, less the wire headers (the body is not what was sent); the body in
    the charset of the Content-Type (encoded_for_header)."""
    from scrapy.http import Headers, HtmlResponse

    kept = Headers({name: value for name, value in headers.items() if name.lower() not in WIRE_HEADERS})
    body, restated = encoded_for_header(html, (kept.get("Content-Type") or b"").decode("latin-1"))
    if restated:
        kept["Content-Type"] = restated  # Scrapy's Headers ignore the case of a name: replaced, not doubled
    return HtmlResponse(url, status=status, headers=kept, body=body, request=request, flags=["playwright"])


async def with_replaced_comments(rendered: Article, response, replaced: list[str], parse_rendered) -> Article:
    """The rendered article with the comments its page showed before clicks that took them away
    (`replaced`: its HTML before each such click, PageActivity.replaced), each parsed as the
    rendered page is: those shown first come first, each comment once (a batch a click did not take
    away is in the next HTML too), and the article's comments complete or not by the same rule as
    comments spread over a story's comment pages (with_comment_pages)."""
    shown = []
    for html in replaced:
        earlier = await parse_rendered(rendered_response(response.request, response.url, response.status,
                                                         response.headers.to_unicode_dict(), html))
        if isinstance(earlier, Article) and earlier.comments:  # a page before its first batch came adds nothing
            shown.append(earlier)
    if not shown:
        return rendered
    first, *later = shown
    return with_comment_pages(dataclasses.replace(rendered, comments=first.comments), [*later, rendered], [])


def encoded_for_header(html: str, content_type: str) -> tuple[bytes, str | None]:
    r"""The rendered HTML in the charset its Content-Type declares, when that charset holds it, and
    None; else in UTF-8, and the Content-Type to state instead (the page was sent without a
    charset, or its scripts added text the charset cannot hold): so a capture's bytes read right
    by its own headers, whatever its <meta> says.

    >>> encoded_for_header("<p>Ж</p>", "text/html; charset=windows-1251")
    (b'<p>\xc6</p>', None)
    >>> encoded_for_header("<p>€ Ж</p>", "text/html; charset=iso-8859-1")
    (b'<p>\xe2\x82\xac \xd0\x96</p>', 'text/html; charset=utf-8')
    >>> encoded_for_header("<p>a</p>", "")
    (b'<p>a</p>', 'text/html; charset=utf-8')
    >>> encoded_for_header("<p>a</p>", "text/html; charset=x-user-defined")  # no codec in Python
    (b'<p>a</p>', 'text/html; charset=utf-8')

    Half an emoji a page's script left alone (a lone surrogate, which no charset encodes) is U+FFFD:
    it made the render fail, and the comments it rendered unreached.

    >>> encoded_for_header("<p>\ud83d</p>", "text/html; charset=utf-8")
    (b'<p>\xef\xbf\xbd</p>', None)
    """
    html = without_lone_surrogates(html)
    declared = header_charset(content_type)
    if declared:
        with contextlib.suppress(UnicodeEncodeError):  # header_charset names only codecs Python has
            return html.encode(declared), None
    kind = content_type.split(";")[0].strip() or "text/html"
    return html.encode("utf-8"), f"{kind}; charset=utf-8"


def chromium_path(setting: str) -> str | None:
    """The Chromium binary NEWSARCHIVE_CHROMIUM names (a path, or a name looked up on PATH); when
    it names none, the first of CHROMIUM_NAMES on PATH."""
    for name in (setting,) if setting else CHROMIUM_NAMES:
        found = shutil.which(name)
        if found and os.path.isfile(found):
            return found
    return None


def browser_missing(chromium: str) -> str | None:
    """What keeps this machine from rendering, in one line, or None when it can."""
    if importlib.util.find_spec("scrapy_playwright") is None:
        return 'scrapy-playwright is not installed (pip install "newsarchive[browser]")'
    return chromium_missing(chromium)


def chromium_missing(chromium: str) -> str | None:
    """Where no Chromium was found, in one line, or None when NEWSARCHIVE_CHROMIUM's is there."""
    if chromium_path(chromium) is not None:
        return None
    where = f"at NEWSARCHIVE_CHROMIUM={chromium!r}" if chromium else f"on PATH ({' or '.join(CHROMIUM_NAMES)})"
    return f"no Chromium {where} (apt-get install -y {CHROMIUM_NAMES[0]})"


def wanted_from_rendering(article: Article) -> tuple[str, ...]:
    """The fields merge_rendered may take from the article's rendered page: its comments (their
    count, status and completeness with them), and the FILLABLE_FIELDS the page as sent lacked. The
    rendered page is parsed for these alone (newsarchive/parsers/article.py, SKIPPABLE_STEPS): the
    story's body, most of a parse, only when the page as sent had none.

    >>> wanted_from_rendering(Article(url="https://example.com/a", title="Flood", body_text="Rain."))[:3]
    ('comments', 'comments_complete', 'comments_status')
    >>> "body_text" in wanted_from_rendering(Article(url="https://example.com/a", title="Flood"))
    True
    """
    return (*COMMENT_FIELDS, *(name for name in FILLABLE_FIELDS if lacks_field(article, name)))


def links_of_both(rendered: list[ListingLink], sent: list[ListingLink]) -> list[ListingLink]:
    """A rendered listing's links, then those only the page as sent showed, numbered on: a section
    whose script, failing to refresh its list, put an error note in its place lost every story the
    page as sent listed (`--render always`).

    >>> rendered = [ListingLink("https://example.com/b", 0), ListingLink("https://example.com/c", 1)]
    >>> sent = [ListingLink("https://example.com/a", 0), ListingLink("https://example.com/b", 1)]
    >>> [(link.url[-1], link.position) for link in links_of_both(rendered, sent)]
    [('b', 0), ('c', 1), ('a', 2)]
    >>> links_of_both([], sent) == sent
    True
    """
    shown = {link.url for link in rendered}
    only_sent = [link for link in sent if link.url not in shown]
    return rendered + [dataclasses.replace(link, position=len(rendered) + number) for number, link in enumerate(only_sent)]


def merge_rendered(article: Article, rendered: Article) -> list[str]:
    """Take from the rendered page what the page as sent lacked; return the fields taken. The
    comments are taken when the rendered page has more of them."""
    taken = []
    for name in FILLABLE_FIELDS:
        if lacks_field(article, name) and not lacks_field(rendered, name):
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


# The first visible "load more comments" button or link of the page, or null (a function of the
# pattern LOAD_MORE, given to CLICK_LOAD_MORE_JS and SETTLED_PAGE_JS).
FIND_LOAD_MORE_JS = """pattern => {
  const wanted = new RegExp(pattern, 'i');
  for (const element of document.querySelectorAll('button, a, [role=button]')) {
    const style = getComputedStyle(element);
    if (wanted.test(element.textContent) && element.getClientRects().length && style.visibility !== 'hidden') {
      return element;
    }
  }
  return null;
}"""
# What a "load more comments" click took away, kept in the page from the click to the settle after
# it (the page's HTML before the click, and whether the click removed any text but its button's):
# a pager that replaces its list with the next batch ("Show more comments" showing 3 to 4 in place
# of 1 to 2) left only its last batch in the DOM read at the end, and the comments shown before it
# were lost, the story `complete`. The HTML before such a click is read too (PageActivity.replaced,
# with_replaced_comments). Its serialisation stays in the page unless the click took
# something away; the button itself, or a spinner, taken away costs one more parse, no more.
CLICK_STATE = "__newsarchiveClick"
NOTE_REMOVED_JS = """(state, records) => {
  for (const record of records) for (const node of record.removedNodes) {
    let text = node.textContent || '';
    if (node.contains && node.contains(state.button)) text = text.replace(state.button.textContent, '');
    if (text.trim()) state.removed = true;
  }
}"""
# The HTML before the last click when that click took away some of what the page showed, else null;
# the click's watch ends.
TAKE_REPLACED_JS = f"""() => {{
  const state = window.{CLICK_STATE};
  if (!state) return null;
  delete window.{CLICK_STATE};
  ({NOTE_REMOVED_JS})(state, state.observer.takeRecords());
  state.observer.disconnect();
  return state.removed ? state.before : null;
}}"""
# Click the first visible "load more comments" button or link and wait (at most timeout ms) for the
# page to change: [outcome, replaced], outcome "changed", "unchanged" or "none" (no such button),
# replaced what TAKE_REPLACED_JS gives of the click before (its settle may have run out of time).
# One round trip to the page a click, and no polling: a MutationObserver sees the change (Playwright's wait_for_function, used
# before, is a second round trip and polls on each animation frame; bench/render.py measured no
# difference in time between the two, within its noise). The click is the element's own click(), as
# a script would make it: Playwright's click first waits for the button to stand still over two
# animation frames and to be the topmost element, and waits out its whole timeout, then fails the
# render, when a cookie banner covers the button.
CLICK_LOAD_MORE_JS = f"""([pattern, timeout]) => {{
  const replaced = ({TAKE_REPLACED_JS})();
  const element = ({FIND_LOAD_MORE_JS})(pattern);
  if (!element) return ['none', replaced];
  let before = null;
  try {{ before = ({DOCUMENT_HTML_JS})(); }} catch (error) {{}}
  const state = {{before, button: element, removed: false}};
  state.observer = new MutationObserver(records => ({NOTE_REMOVED_JS})(state, records));
  state.observer.observe(document.documentElement, {{childList: true, subtree: true}});
  window.{CLICK_STATE} = state;
  return new Promise(done => {{
    const finish = outcome => {{ observer.disconnect(); clearTimeout(timer); done([outcome, replaced]); }};
    const observer = new MutationObserver(() => finish('changed'));
    const timer = setTimeout(() => finish('unchanged'), timeout);
    observer.observe(document.body, {{childList: true, subtree: true, characterData: true, attributes: true}});
    // Last to hear the click: unless the page's own script took it (its "load more" handler), the
    // click goes nowhere. A link to another page ("View more comments"), or a submit button, took
    // the tab away: the render failed, and the comments the page showed were lost.
    const stay = event => event.preventDefault();
    window.addEventListener('click', stay);
    try {{ element.click(); }} finally {{ window.removeEventListener('click', stay); }}
  }});
}}"""
# Once the page's main thread is idle (at most timeout ms): {button: true} when a "load more
# comments" button is showing, else {html}, the page's HTML as DOCUMENT_HTML_JS reads it (null when
# the page's scripts broke what that calls); and `replaced`, what TAKE_REPLACED_JS gives of the
# click the page settles after. PageActivity.settle ends with this one round trip: a page without
# a button is read in it, where a wait for the idle thread, a look for a button and
# the read of the HTML took three (bench/render.py, 100 renders: 875 messages sent to Playwright's
# driver against 1,076, and 3,053 received against 3,262).
SETTLED_PAGE_JS = f"""([pattern, timeout, timersWait]) => new Promise(done => (window.{TIMERS_NAME}
    ? window.{TIMERS_NAME}(timersWait) : Promise.resolve(0)).then(timers => {{
  // Given up after `timeout` (null: not read), by the page's own clock: a page may have replaced
  // requestIdleCallback by a function that never calls back.
  (window.{NATIVE_TIMEOUT_NAME} || setTimeout).call(window, () => done(null), timeout + 100);
  requestIdleCallback(() => {{
  const replaced = ({TAKE_REPLACED_JS})();
  if (({FIND_LOAD_MORE_JS})(pattern)) return done({{button: true, replaced, timers}});
  let html = null;
  try {{ html = ({DOCUMENT_HTML_JS})(); }} catch (error) {{}}
  done({{html, replaced, timers}});
}}, {{timeout}}); }}))"""


@dataclasses.dataclass(frozen=True)
class SettledPage:
    """What a page showed once it had settled (SETTLED_PAGE_JS): a "load more comments" button, or
    its HTML (None when the page's scripts broke what reads it); and its HTML before the click it
    settled after, when that click took away some of what it showed (TAKE_REPLACED_JS)."""

    button: bool = False
    html: str | None = None
    replaced: str | None = None
    timers_fired: bool = False  # short timers of the page ran while it was waited for: it may change


async def load_more_comments(page, max_clicks: int, wait_ms: int, activity: PageActivity | None = None,
                             settled: SettledPage | None = None) -> SettledPage | None:
    """Click "load more comments" buttons and links until none is left, a click changed nothing or
    max_clicks were made; after each click, wait (at most wait_ms) for the page to change and its
    requests to settle. settled: what the page showed when it last settled, if known (a page that
    showed no button is not asked again). Returns what the page showed when it settled after the
    last click (or `settled`, when there was nothing to click); None when that is not known."""
    clicks = 0
    while clicks < max_clicks and (settled is None or settled.button):
        outcome, replaced = await page.evaluate(CLICK_LOAD_MORE_JS, [LOAD_MORE.pattern, wait_ms])
        settled = None  # the page may have changed since
        if activity is not None:
            activity.note_replaced(replaced)
        if outcome == "none":
            break
        clicks += 1
        if outcome == "unchanged":  # a button that changes nothing, e.g. one asking to log in, is not clicked again
            break
        if activity is not None:
            settled = await activity.settle(page, wait_ms)
    if clicks and settled is None and activity is not None:  # the last click's settle did not take it
        activity.note_replaced(await page.evaluate(TAKE_REPLACED_JS))
    return settled


def launch_options(chromium: str | None, given: dict) -> dict:
    """The browser's launch options: the crawl's (the Chromium found, headless, CHROMIUM_ARGS), each
    replaced by the one scrapy-playwright's PLAYWRIGHT_LAUNCH_OPTIONS gives (`given`) but `args`,
    added after the crawl's switches. A dict given whole replaced the crawl's: one naming a proxy
    lost the Chromium's path, and every render failed.

    >>> options = launch_options("/usr/bin/chromium", {"proxy": {"server": "http://proxy:3128"}, "args": ["--lang=de"]})
    >>> options["executable_path"], options["proxy"], options["args"][-1], "--disable-gpu" in options["args"]
    ('/usr/bin/chromium', {'server': 'http://proxy:3128'}, '--lang=de', True)
    """
    return {"executable_path": chromium, "headless": True, **given, "args": [*CHROMIUM_ARGS, *(given.get("args") or ())]}


def render_concurrency(settings) -> int:
    """Pages rendered at once: NEWSARCHIVE_RENDER_CONCURRENCY, or scrapy-playwright's
    PLAYWRIGHT_MAX_PAGES_PER_CONTEXT when a crawl sets it lower (the tabs of the renders are
    open for the whole crawl: with more renders than tabs the others waited out their bound
    and failed)."""
    concurrency = settings.getint("NEWSARCHIVE_RENDER_CONCURRENCY")
    tabs = settings.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT")
    return min(concurrency, tabs) if tabs > 0 else concurrency


class BrowserRendering:
    """Add-on: install scrapy-playwright's download handler, with the system Chromium and the
    rendering settings, when NEWSARCHIVE_RENDER is not `never` and the machine can render."""

    def update_settings(self, settings) -> None:
        chromium = settings.get("NEWSARCHIVE_CHROMIUM")
        if settings.get("NEWSARCHIVE_RENDER") == "never" or browser_missing(chromium):
            return
        for scheme in ("http", "https"):
            settings["DOWNLOAD_HANDLERS"][scheme] = HANDLER
        # scrapy-playwright attaches a debug logger to every tab, which reads a header of each
        # request and response the browser sees, whenever its logger lets DEBUG through; Scrapy's
        # logging set-up leaves that so at any LOG_LEVEL. Its logger takes the crawl's level.
        level = settings.get("LOG_LEVEL") or logging.DEBUG
        with contextlib.suppress(ValueError, TypeError):  # a level Scrapy's own logging set-up refuses too
            logging.getLogger(PLAYWRIGHT_LOGGER).setLevel(level.upper() if isinstance(level, str) else level)
        timeout_ms = int(settings.getfloat("NEWSARCHIVE_RENDER_TIMEOUT") * 1000)
        for name, value in {
            "PLAYWRIGHT_BROWSER_TYPE": "chromium",
            "PLAYWRIGHT_MAX_CONTEXTS": render_concurrency(settings),  # a context a tab (Tab)
            "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": settings.getint("NEWSARCHIVE_RENDER_CONCURRENCY"),
            "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout_ms,
        }.items():
            settings.set(name, value, priority="addon")
        given = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(chromium_path(chromium), given),
                     priority=max(settings.getpriority("PLAYWRIGHT_LAUNCH_OPTIONS") or 0, SETTINGS_PRIORITIES["addon"]))
        self._browser_slot(settings)

    @staticmethod
    def _browser_slot(settings) -> None:
        """The downloader slot of the renders (BROWSER_SLOT), unless DOWNLOAD_SLOTS names it: as
        many at once as the browser renders, DOWNLOAD_DELAY between them, and no AutoThrottle
        (the render requests say so). AutoThrottle spaces a slot's requests by the server's
        latency; a render's is the browser's work on a page the site has sent already. Left to
        AutoThrottle, the slot kept its start delay (about a second between renders): a crawl of
        a site of 275 real pages, 34 rendered, took 51 s instead of 30 to 35."""
        slots = settings.getdict("DOWNLOAD_SLOTS")
        slots.setdefault(BROWSER_SLOT, {"concurrency": render_concurrency(settings),
                                        "delay": settings.getfloat("DOWNLOAD_DELAY")})
        settings.set("DOWNLOAD_SLOTS", slots, priority=max(settings.getpriority("DOWNLOAD_SLOTS") or 0,
                                                           SETTINGS_PRIORITIES["addon"]))


class PageActivity:
    """One rendered page's requests, followed through its tab's event handlers (Tab, EVENTS): how many are
    in flight, for `settle`, and the responses its scripts loaded that carried content (see
    carries_content), which `read`, the last step of Renderer.browse, turns into captures."""

    # The page's events followed, and the method each is handed to (through its Tab's handlers).
    EVENTS = {"request": "request_sent", "requestfinished": "request_ended", "requestfailed": "request_failed",
              "response": "seen_response", "popup": "close_popup", "framenavigated": "frame_navigated"}

    def __init__(self, quiet_ms: int = QUIET_MS, scripts_kept: set[str] | None = None, stream_ms: int = STREAM_MS):
        self.quiet_ms, self.stream_ms = quiet_ms, stream_ms
        # The URLs of the scripts the crawl's renders keep as captures (shared by them), each claimed
        # by the render that saw it first: renders run side by side, and each of those in flight
        # when the first kept it kept it again (40 stories, one script: several copies, in the WARC too).
        self.scripts_kept = set() if scripts_kept is None else scripts_kept
        self.scripts_claimed: list[str] = []  # those this render claimed: given back if it keeps none
        self.last_change = time.monotonic()
        self.pending: dict[object, float] = {}  # the page's requests in flight, and when each was sent
        self.seen: list[tuple[object, str]] = []  # (Playwright response, when it arrived)
        self.documents: list[str] = []  # the URLs of the pages the tab showed, in order
        self.captures: list[Capture] = []
        self.kept_off: list[str] = []  # URLs of the requests the offsite guard's proxy kept off the network
        self.crashed = False  # the tab's renderer process ended in this render (killed for its memory, say)
        # A "load more comments" button still showed after the last click allowed: comments were left unread.
        self.comments_left = False
        # The page's HTML before each click that took away some of what it showed (TAKE_REPLACED_JS).
        self.replaced: list[str] = []

    def forget(self) -> None:
        """Start again, as for a new render: the requests and responses of a tab that crashed, or of
        a browser that ended, will never end or be read."""
        self.release_scripts()
        self.__init__(self.quiet_ms, self.scripts_kept, self.stream_ms)  # type: ignore[misc]

    def release_scripts(self, url: str | None = None) -> None:
        """Give back the claim on a script (all this render's when url is None) whose capture it
        will not keep: the next render that loads it keeps it."""
        for claimed in [url] if url is not None else self.scripts_claimed:
            self.scripts_kept.discard(claimed)
        self.scripts_claimed = [] if url is None else [kept for kept in self.scripts_claimed if kept != url]

    def note_replaced(self, html) -> None:
        """Keep the page's HTML from before a click that took away some of what it showed."""
        if isinstance(html, str) and html:
            self.replaced.append(html)

    def request_sent(self, request) -> None:
        self.last_change = time.monotonic()
        # Server-sent events never end: in flight from the start, never waited for (in_flight).
        self.pending[request] = -math.inf if getattr(request, "resource_type", None) in STREAM_TYPES else self.last_change

    @property
    def in_flight(self) -> int:
        """The requests in flight that the page may still be waiting for: one open for longer than
        stream_ms is a stream (a long poll on a live page), which never ends and which no settling
        waits out; so is one of server-sent events."""
        recent = time.monotonic() - self.stream_ms / 1000
        return sum(1 for sent in self.pending.values() if sent >= recent)

    @staticmethod
    async def close_popup(popup) -> None:
        """A tab the page's scripts opened (window.open): no reader will look at it, and it would
        stay open for the rest of the crawl. Its requests are guarded like the page's
        (newsarchive/render_handler.py)."""
        with contextlib.suppress(Exception):  # closed already, with the browser
            await popup.close()

    def frame_navigated(self, frame) -> None:
        # A navigation the guard aborted (the page's script sent the tab to another origin) shows
        # Chromium's error page in its place: that is not the page either.
        if frame.parent_frame is None and frame.url.startswith(ERROR_PAGE):
            self.documents.append(frame.url)

    def left_page(self) -> str | None:
        """Where the page's scripts sent the tab, when it ended on another page than it loaded
        first (a consent page, a paywall, another article): what it shows is not that page.
        A URL changed through the history API, or a reload, is still the same page."""
        if not self.documents:
            return None
        first, last = urldefrag(self.documents[0])[0], urldefrag(self.documents[-1])[0]
        return self.documents[-1] if first != last else None

    def request_ended(self, request) -> None:
        self.pending.pop(request, None)
        self.last_change = time.monotonic()

    def request_failed(self, request) -> None:
        """A request that failed; one the switches of offsite_guard_args kept off the network (the
        route never saw it: a redirect's next request, to another origin) is noted, for the
        crawl's count of requests refused as offsite."""
        if request.failure in KEPT_OFF_ERRORS:
            self.kept_off.append(request.url)
        self.request_ended(request)

    def seen_response(self, response) -> None:
        request = response.request
        # A page the tab went on to show: a navigation the guard aborted, or that failed, has no
        # response and leaves the tab where it was; a redirect is not a page shown.
        if request.is_navigation_request() and response.frame.parent_frame is None and not 300 <= response.status < 400:
            self.documents.append(response.url)
        if carries_content(request.resource_type, response.status, request.method,
                           response.headers.get("content-type", ""), response.frame.parent_frame is None):
            if request.resource_type == "script":
                if response.url in self.scripts_kept:
                    return  # a site's scripts are the same on every page: kept once a crawl
                self.scripts_kept.add(response.url)
                self.scripts_claimed.append(response.url)
            self.seen.append((response, utc_now()))

    async def settle(self, page, timeout_ms: int) -> SettledPage | None:
        """Wait until no request of the page has been in flight for quiet_ms and the page's scripts
        have run what those requests brought (at most timeout_ms); return what the page then
        showed (_when_idle), None when that is not known. Playwright's networkidle waits 500 ms of
        quiet; scripts that load comments start their requests at once, and a render is mostly
        this wait."""
        started = time.monotonic()
        while (now := time.monotonic()) - started < timeout_ms / 1000:
            # Quiet counts from the call at the earliest: a request a load handler just sent may not
            # have been reported yet.
            quiet_left = self.quiet_ms / 1000 - (now - max(self.last_change, started))
            if self.in_flight or quiet_left > 0:
                # Up to the quiet's end, not a tick past it: a render settles once, and again after each click.
                await asyncio.sleep(IN_FLIGHT_POLL_S if self.in_flight else quiet_left)
                continue
            checked = self.last_change
            shown = await self._when_idle(page, min(timeout_ms, IDLE_WAIT_MS))
            if shown is not None:  # kept even when the page is not read as settled here: it is taken once
                self.note_replaced(shown.replaced)
            # No request of theirs came meanwhile, nor did a timer of theirs run (it may have sent one,
            # not yet reported, or changed the page after it was read).
            if not self.in_flight and self.last_change == checked and not (shown is not None and shown.timers_fired):
                return shown
        return None

    @staticmethod
    async def _when_idle(page, timeout_ms: int) -> SettledPage | None:
        """What the page shows once its main thread is idle (SETTLED_PAGE_JS; at most timeout_ms): a
        response has arrived, but on a busy machine the script that puts its comments in the page
        may not have run yet, however long the quiet. The bound is kept here, not only by
        requestIdleCallback's own timeout: a page may have replaced that function by one that
        never calls back. None when the wait ran out or failed (a page without
        requestIdleCallback): the page then settles by the quiet alone, and is read as it is."""
        with contextlib.suppress(Exception):
            shown = await asyncio.wait_for(page.evaluate(SETTLED_PAGE_JS, [LOAD_MORE.pattern, timeout_ms, TIMERS_WAIT_MS]),
                                           (timeout_ms + TIMERS_WAIT_MS) / 1000)
            if isinstance(shown, dict):
                html, replaced = shown.get("html"), shown.get("replaced")
                return SettledPage(bool(shown.get("button")), html if isinstance(html, str) else None,
                                   replaced if isinstance(replaced, str) else None, bool(shown.get("timers")))
        return None

    async def read(self, page) -> None:
        for response, fetched_at in self.seen:
            if response.request in self.pending:  # still loading (a stream): its body would never come
                logger.info(f"not kept: {response.url}, loaded by {page.url}, was still loading")
                self.release_scripts(response.url)
                continue
            try:
                self.captures.append(Capture(
                    url=response.url, fetched_at=fetched_at, status=response.status,
                    request_headers=_header_lists(await response.request.all_headers()),
                    response_headers=_header_lists(await response.all_headers()), body=await response.body()))
            except Exception as error:  # noqa: BLE001 (a body the browser no longer has is not kept)
                if not await _answers(page):  # the tab or its browser ended: the render is cut short
                    raise
                logger.warning(f"cannot keep {response.url}, loaded by {page.url}: {first_line(error)}")
                self.release_scripts(response.url)


def stream_ms_for(timeout: float) -> int:
    """How long a rendered page's request may stay open before it is taken for a stream (STREAM_MS),
    for a render timeout of `timeout` seconds.

    >>> stream_ms_for(20.0), stream_ms_for(60.0), stream_ms_for(4.0)
    (5000, 15000, 2000)
    """
    return max(STREAM_MS, int(timeout * 1000 * STREAM_SHARE_OF_TIMEOUT))


async def _emptied_when_idle(tab: Tab, page) -> bool:
    """Whether the tab's page, read, was replaced by an empty one (about:blank), once the tab has
    waited IDLE_TAB_S in the pool: a live page refreshing itself (a meta refresh, a reload timer)
    went on loading itself and its API, unrecorded and unpaced, for the rest of the crawl. A tab
    taken again before then goes to its next page at once (Renderer._ready), which ends the last
    one: emptying every tab cost the browser a navigation a render. A tab that cannot be emptied
    is closed, not reused."""
    await asyncio.sleep(IDLE_TAB_S)
    tab.emptying_now = True
    try:
        await asyncio.wait_for(page.goto("about:blank"), CLOSE_WAIT_S)
        return True
    except Exception:  # noqa: BLE001 (a tab that crashed, a browser that ended)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(page.close(), CLOSE_WAIT_S)
        return False


async def _answers(page) -> bool:
    """Whether a tab still runs its page's scripts (within CLOSE_WAIT_S)."""
    try:
        await asyncio.wait_for(page.evaluate("1"), CLOSE_WAIT_S)
    except Exception:  # noqa: BLE001 (closed, crashed, its browser or driver gone)
        return False
    return True


def first_line(error: BaseException) -> str:
    """An error's first line: Playwright adds the browser's whole log to an error of a browser
    that ended."""
    return str(error).strip().split("\n", 1)[0]


class Tab:
    """A browser tab of the Renderer's pool: its Playwright page, once the browser has opened it,
    and its event handlers, attached when it opens and kept while it stays open. Each render hands
    them its own PageActivity. Attaching and removing handlers for each render cost the crawl a
    round trip through Playwright's driver per event each time (12 a render), because Playwright
    subscribes to an event when its first handler comes and unsubscribes when its last goes."""

    def __init__(self, context: str = RENDER_CONTEXT):
        self.page = None
        # Its browser context, its own: cookies and storage a page left are wiped before the tab's
        # next page (render_handler.py), which a render in another tab could not have done safely.
        self.context = context
        self.activity = PageActivity()  # the last render's, until the next begins
        self.handlers = {event: self._handing_to(method) for event, method in PageActivity.EVENTS.items()}
        self.handlers["crash"] = self._crashed
        self.crashed = False  # its renderer process ended (killed for its memory, say): the page is gone
        self.emptying: asyncio.Future | None = None  # its page's emptying while it waits in the pool
        self.emptying_now = False  # that emptying has begun to navigate

    def _crashed(self, page) -> None:
        self.crashed = self.activity.crashed = True

    def _handing_to(self, method: str):
        def handler(*args):
            return getattr(self.activity, method)(*args)  # a coroutine (close_popup) goes back to Playwright
        return handler


def _header_lists(headers: dict[str, str]) -> dict[str, list[str]]:
    """Playwright's headers as the captures keep Scrapy's: Title-Case names, a list of values
    (Playwright joins a repeated header's values with newlines), each a character a byte
    (_as_sent)."""
    return {"-".join(part.capitalize() for part in name.split("-")): _as_sent(value).split("\n")
            for name, value in headers.items()}


def _as_sent(value: str) -> str:
    """A header value Chromium read as windows-1252, as the archive keeps Scrapy's: a character a
    byte (Latin-1). A value in UTF-8 (`café`) came as `cafÃ©`, and its bytes 0x80 to 0x9F as other
    characters (`…` for 0x85), which the WARC export could not write as bytes: it wrote them
    percent-encoded. A value with a character windows-1252 has no byte for is left as it is.

    >>> _as_sent("cafÃ© Ù\u2026Ø±") == "café مر".encode("utf-8").decode("latin-1"), _as_sent("plain"), _as_sent("日本")
    (True, 'plain', '日本')
    """
    kept = []
    for character in value:
        if ord(character) < 256:
            kept.append(character)
            continue
        try:
            kept.append(character.encode("cp1252").decode("latin-1"))
        except UnicodeEncodeError:
            return value
    return "".join(kept)


def rendering_figures(stats: dict) -> dict:
    """The crawl's rendering counts from its stats: pages rendered, by reason, and those that could
    not be (failed, unavailable); browser requests aborted, by why; {} when nothing was to render."""
    def get(name):
        return stats.get(f"newsarchive/render/{name}_count", 0)

    figures = {"rendered": get("rendered"), "failed": get("failed"), "unavailable": get("unavailable"),
               "comments_found": get("comments_found"),
               # known articles asked for again for comments an earlier crawl could not reach
               "retried": get("retried"),
               "reasons": {reason: get(f"reason/{reason}") for reason in RENDER_REASONS if get(f"reason/{reason}")},
               "aborted": {why: get(f"aborted/{why}") for why in ("method", "offsite", "heavy", "robots") if get(f"aborted/{why}")},
               "script_captures": sum(stats.get(f"newsarchive/captures/script_{stored}_count", 0)
                                      for stored in ("response", "revisit"))}
    return figures if figures["rendered"] or figures["failed"] or figures["unavailable"] else {}


def describe_rendering(figures: dict) -> str:
    """One clause for the crawl summary: '3 pages rendered (2 comment_counter, 1 comment_embed)'.

    >>> describe_rendering({"rendered": 3, "failed": 0, "unavailable": 0,
    ...                     "reasons": {"comment_counter": 2, "comment_embed": 1}})
    '3 pages rendered (2 comment_counter, 1 comment_embed)'
    """
    if not figures:
        return ""
    reasons = ", ".join(f"{count} {reason}" for reason, count in figures["reasons"].items())
    text = f"{figures['rendered']} pages rendered" + (f" ({reasons})" if reasons else "")
    for name, words in (("failed", "could not be rendered"), ("unavailable", "not rendered: no browser"),
                        ("retried", "known articles asked for again for unreached comments")):
        if figures.get(name):
            text += f", {figures[name]} {words}"
    return text


class Renderer:
    """The spider's side: render the articles and listing pages the mode asks for, and merge what
    the browser saw."""

    def __init__(self, crawler, mode: str, missing: str | None, max_clicks: int, timeout: float,
                 concurrency: int = default_settings.NEWSARCHIVE_RENDER_CONCURRENCY):
        self.crawler = crawler
        self.mode, self.missing = mode, missing
        self.max_clicks, self.timeout = max_clicks, timeout
        self.warned = False
        self.captures: CaptureWriter | None = None
        # A page waiting for the browser would hold a place among the downloader's
        # CONCURRENT_REQUESTS, and starve the crawl of the pages that need no browser.
        self.pages = asyncio.Semaphore(concurrency)
        self.open_tabs: list[Tab] = []  # browser tabs free for the next page
        # The browser contexts of the tabs, one each, that no tab holds (at most `concurrency` tabs
        # are open: one per render in flight, the others in open_tabs).
        self.free_contexts = [f"{RENDER_CONTEXT}-{number}" for number in reversed(range(concurrency))]
        self.scripts_kept: set[str] = set()  # the scripts the renders kept as captures (PageActivity)

    @classmethod
    def from_crawler(cls, crawler) -> Renderer:
        settings = crawler.settings
        mode = settings.get("NEWSARCHIVE_RENDER")
        renderer = cls(crawler, mode, browser_missing(settings.get("NEWSARCHIVE_CHROMIUM")) if mode != "never" else None,
                       settings.getint("NEWSARCHIVE_RENDER_MAX_CLICKS"), settings.getfloat("NEWSARCHIVE_RENDER_TIMEOUT"),
                       render_concurrency(settings))
        crawler.signals.connect(renderer.crawl_started, signal=newsarchive_signals.crawl_started)
        crawler.signals.connect(renderer.stop_emptying, signal=signals.spider_closed)
        return renderer

    @property
    def can_render(self) -> bool:
        """Whether this crawl renders the pages that need it: a mode other than never, and a browser."""
        return self.mode != "never" and not self.missing

    @property
    def stats(self):
        return self.crawler.stats  # set when the crawl starts, after the spider is made

    @property
    def rendered_fields(self) -> tuple[str, ...]:
        """The fields the crawl's site profile marks as loaded by script (none without a profile)."""
        profile = getattr(self.crawler.spider, "profile", None)
        return tuple(getattr(profile, "rendered_fields", ()))

    def crawl_started(self, crawl_id: int, archive) -> None:
        """The store pipeline opened the crawl: rendered DOMs are written as captures of it."""
        self.captures = CaptureWriter.started(self.crawler, crawl_id, archive)

    async def complete(self, article: Article, parse_rendered, sent=None) -> Article:
        """The article, completed from its rendered page when the mode asks for it. parse_rendered:
        an async function from a response and the fields wanted (wanted_from_rendering) to the
        parsed record; sent: the response as sent, read
        for why its comments come by script (the rendered DOM no longer shows an empty container)."""
        reason = render_reason(article, self.mode, self.rendered_fields,
                               scripts=not article.body_text and sends_scripts(sent))
        if reason is None or self._cannot_render(article.url, "their comments are recorded as unreached"):
            return article
        wanted = wanted_from_rendering(article)
        rendered = await self._rendered(article.url, sent, lambda response: parse_rendered(response, wanted))
        if rendered is None:
            return article
        reason = script_sign(getattr(sent, "text", "")) if reason == BY_SCRIPT else reason
        self.stats.inc_value(f"newsarchive/render/reason/{reason}_count")
        if isinstance(rendered, Article):
            taken = merge_rendered(article, rendered)
            self.stats.inc_value("newsarchive/render/comments_found_count", int("comments" in taken))
        return article

    async def complete_listing(self, listing: Listing, parse_rendered, sent=None) -> Listing:
        """A listing page, its links read from its rendered page when the mode asks for it
        (listing_render_reason): an app's shell, whose section is written by its scripts.
        parse_rendered: an async function from a response to the listing it gives; sent: the
        response as sent."""
        reason = listing_render_reason(listing, self.mode, sends_scripts(sent))
        if reason is None or self._cannot_render(listing.url, "their links are those of the page as sent"):
            return listing
        rendered = await self._rendered(listing.url, sent, parse_rendered)
        if not isinstance(rendered, Listing):
            return listing
        self.stats.inc_value(f"newsarchive/render/reason/{reason}_count")
        return dataclasses.replace(listing, links=links_of_both(rendered.links, listing.links),
                                   section_links=links_of_both(rendered.section_links, listing.section_links),
                                   next_page_url=rendered.next_page_url or listing.next_page_url,
                                   feeds=rendered.feeds or listing.feeds, elsewhere=rendered.elsewhere or listing.elsewhere)

    def _cannot_render(self, url: str, consequence: str) -> bool:
        """Whether the crawl has no browser for a page to render: said once, counted each time."""
        if not self.missing:
            return False
        self._warn_once(f"--render {self.mode}: cannot render {url} and the like: {self.missing}; {consequence}")
        self.stats.inc_value("newsarchive/render/unavailable_count")
        return True

    async def _rendered(self, url: str, sent, parse_rendered):
        """The page as the browser rendered it, parsed (parse_rendered: an async function from the
        rendered response to its record), its DOM and what its scripts loaded kept as captures;
        None when it could not be rendered (a warning, counted: the page keeps what the HTML gave)."""
        activity = PageActivity(scripts_kept=self.scripts_kept, stream_ms=stream_ms_for(self.timeout))
        try:
            async with self.pages:  # the others wait here, not in the downloader
                response = await self._render(url, activity, sent_page(sent, url))
            elsewhere = activity.left_page()
            if elsewhere:
                raise RenderLeftPage(f"the page's scripts sent the browser to {elsewhere}")
            rendered = await parse_rendered(response)
            if activity.replaced and isinstance(rendered, Article):
                rendered = await with_replaced_comments(rendered, response, activity.replaced, parse_rendered)
            if activity.comments_left and isinstance(rendered, Article):
                # NEWSARCHIVE_RENDER_MAX_CLICKS clicked, the button still there: read all shown, not all.
                rendered.comments_status, rendered.comments_complete = "unreached", False
        except Exception as error:  # noqa: BLE001 (a page the browser cannot render keeps what the HTML gave)
            activity.release_scripts()  # its captures are not kept: a later render keeps those scripts
            logger.warning(f"cannot render {url}: {type(error).__name__}: {first_line(error)}")
            self.stats.inc_value("newsarchive/render/failed_count")
            return None
        finally:
            self._count_kept_off(url, activity)
        self.stats.inc_value("newsarchive/render/rendered_count")
        self._keep_captures(url, response, activity.captures, sent)
        return rendered

    async def _render(self, url: str, activity: PageActivity, sent: SentPage | None = None):
        """The page as the browser rendered it; once more, in a new tab, when its tab crashed or its
        browser ended meanwhile (RenderInterrupted), with what the first saw forgotten."""
        try:
            return await self._render_in_a_tab(url, activity, sent)
        except Exception as error:
            if not (isinstance(error, RenderInterrupted) or activity.crashed):
                raise
            activity.forget()
            return await self._render_in_a_tab(url, activity, sent)

    async def _render_in_a_tab(self, url: str, activity: PageActivity, sent: SentPage | None = None):
        """The page as the browser rendered it, in a tab of the pool: opening a tab starts a
        renderer process, which cost more than the rendering itself (bench/render.py)."""
        tab = await self._free_tab()
        request = self.request_for(url, activity, tab, sent)
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception:
            page = request.meta.get("playwright_page")
            if page is not None and not page.is_closed():  # in an unknown state: not reused
                with contextlib.suppress(Exception):  # nor waited for, if its browser is gone
                    await asyncio.wait_for(page.close(), CLOSE_WAIT_S)
            self.free_contexts.append(tab.context)
            raise
        page = response.meta.get("playwright_page")
        if page is not None and not page.is_closed():
            tab.page = page
            tab.activity = PageActivity()  # the render's activity has seen its page: what follows is nobody's
            tab.emptying = asyncio.ensure_future(_emptied_when_idle(tab, page))
            self.open_tabs.append(tab)
        else:
            self.free_contexts.append(tab.context)
        return response

    @staticmethod
    async def _ready(tab: Tab) -> bool:
        """Whether a tab taken from the pool can render: one still showing its last page (its
        emptying not begun, and now not needed) or emptied; not one that could not be emptied."""
        emptying, tab.emptying = tab.emptying, None
        if emptying is None:
            return True
        if not emptying.done() and not tab.emptying_now:
            emptying.cancel()
            return True
        tab.emptying_now = False
        with contextlib.suppress(asyncio.CancelledError):
            return await emptying
        return True

    def stop_emptying(self) -> None:
        """At the crawl's end: the tabs waiting to be emptied are left as they are (the browser closes)."""
        for tab in self.open_tabs:
            if tab.emptying is not None and not tab.emptying.done():
                tab.emptying.cancel()

    async def _free_tab(self) -> Tab:
        """A tab of the pool, but for those that crashed while they waited (closed) or could not be
        emptied, else a new one in a browser context no open tab has."""
        while self.open_tabs:
            tab = self.open_tabs.pop()
            if not await self._ready(tab):
                self.free_contexts.append(tab.context)
                continue
            if not tab.crashed:
                return tab
            self.free_contexts.append(tab.context)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(tab.page.close(), CLOSE_WAIT_S)
        return Tab(self.free_contexts.pop() if self.free_contexts else RENDER_CONTEXT)

    def request_for(self, url: str, activity: PageActivity | None = None, tab: Tab | None = None,
                    sent: SentPage | None = None):
        """The browser's request for a page, in the tab's open page or, for a new tab, a new page
        given the tab's event handlers; `activity` follows its requests and keeps what its scripts
        loaded; `sent`, the page as the crawl received it, is what the browser is given for it."""
        from scrapy import Request

        activity, tab = activity or PageActivity(), tab or Tab()
        tab.activity = activity
        wait_ms = int(self.timeout * 1000)
        return Request(url, dont_filter=True, meta={
            "playwright": True,
            "playwright_context": tab.context,
            # The tab comes back with the response (render_handler.py), for the next page.
            **({"playwright_page": tab.page} if tab.page is not None else {}),
            "download_slot": BROWSER_SLOT,  # not queued behind the site's pages in their slot
            "autothrottle_dont_adjust_delay": True,  # see BrowserRendering._browser_slot
            # The whole render's bound (render_handler.py): the page's load (the timeout) and its
            # browse (twice it) have their own; this is for a browser that stopped answering.
            "download_timeout": self.timeout * RENDER_DEADLINE_TIMEOUTS,
            "playwright_page_goto_kwargs": {"wait_until": "load"},
            # Attached to a new page only (the tab's page, or its replacement if the browser closed it).
            "playwright_page_event_handlers": tab.handlers,
            # Called by render_handler.py with the loaded page.
            BROWSE_META: functools.partial(self.browse, activity=activity, wait_ms=wait_ms),
            **({SENT_PAGE_META: sent} if sent is not None else {}),
        })

    async def browse(self, page, activity: PageActivity, wait_ms: int) -> str | None:
        """What the browser does on a loaded page: let its scripts' requests settle, click "load
        more comments" (a click waits 5 s at most), keep what the scripts loaded; all of it within
        twice the render timeout. Returns the page's HTML as it settled last, None when it was not
        read then (render_handler.py reads it). Nothing else bounds it (render_handler.py awaits
        it), and the waits run in the page, whose scripts may have replaced what they count on
        (setTimeout, MutationObserver): without this bound one such page stopped the whole crawl.
        A page that runs out of time fails its render; the crawl goes on."""
        async def steps():
            settled = await activity.settle(page, wait_ms)
            settled = await load_more_comments(page, self.max_clicks, min(wait_ms, 5000), activity, settled)
            activity.comments_left = settled is not None and settled.button
            await activity.read(page)
            return settled.html if settled is not None else None  # no HTML with a button showing

        try:
            return await asyncio.wait_for(steps(), 2 * wait_ms / 1000)
        except asyncio.TimeoutError:
            raise RenderTimeout(f"the page did not settle within {2 * wait_ms / 1000:g} s") from None

    def _count_kept_off(self, url: str, activity: PageActivity) -> None:
        """The page's requests the offsite guard's proxy kept off the network, counted with those
        the route refused as offsite (render_handler.py)."""
        if activity.kept_off:
            self.stats.inc_value("newsarchive/render/aborted/offsite_count", len(activity.kept_off))
            logger.debug(f"the browser was kept from {', '.join(activity.kept_off)}, asked for by {url}")

    def _keep_captures(self, url: str, response, scripts: list[Capture], sent=None) -> None:
        """The rendered DOM (kind rendered) under the URL the page was rendered for (its scripts may
        have rewritten the address the browser shows), then what they loaded (kind script): kept
        with the result of the page as sent (keep_with_page), or written now without one."""
        from newsarchive.middlewares.pageresult import capture_of, keep_with_page

        if self.captures is None or not self.captures.enabled:
            return
        for kind, capture in [("rendered", dataclasses.replace(capture_of(response), url=url)),
                              *(("script", capture) for capture in scripts)]:
            if not keep_with_page(sent, kind, capture):
                self.captures.write(capture, kind)

    def _warn_once(self, message: str) -> None:
        if not self.warned:
            logger.warning(message)
            self.warned = True
