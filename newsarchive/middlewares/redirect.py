"""LoopAwareRedirectMiddleware and LoopAwareMetaRefreshMiddleware: redirects (HTTP, and a page's
`<meta http-equiv="refresh">`) that would lose a page silently become failures.

- A redirect back to a URL already in the chain: Scrapy's duplicate filter would otherwise drop
  the looping request without a word, and the page would vanish from the crawl. Unless the site
  has set a cookie since that URL was asked: a cookie check (set a cookie, redirect to the same
  page) is passed as a browser passes it, the URL asked again with the cookie
  (newsarchive/middlewares/site_cookies.py).
- A redirect out of the crawl's origins (newsarchive/scope.py): not followed, recorded as
  `offsite_redirect` with its target, so the archivist sees where the site sent the crawler.
  When that is a start URL's own redirect (the site moved: `example.org` to `www.example.org`),
  the crawl says so at once and its verdict names the URL to crawl instead (START_MOVED_STAT).
- Too many redirects: `redirect_loop` as well.
- A redirect to a URL that is not http(s) (`javascript:`, `data:`, `mailto:`): Scrapy hands the
  3xx to the spider, which recorded an `http_302` "Ignoring non-200 response"; now an
  `unfollowable_redirect` naming where it pointed.
- A Location that is no URL (`http://[::1`, a port that is no number): `unfollowable_redirect`
  as well (it was a `fetch_error`, asked for again by every crawl).
- Each redirect refused carries the response (RefusedRedirect): its failure keeps the redirect's
  status, and the redirect is captured, as any response the crawl refused.
- A page whose refresh names the page itself after a delay (a live page's auto-refresh) is that
  page; at once (0 seconds), a `redirect_loop`.
- A redirect to a URL already fetched is fetched again rather than dropped as a duplicate.
- Each redirect followed is kept as a capture (kind redirect, with where it led), stored with the
  page it led to (PageResult.redirects): a WARC export replays a link that redirects, and the
  refresh policy knows the story it leads to (newsarchive/archive/queries.py).

A page's refresh is read from its head alone (`LoopAwareMetaRefreshMiddleware`): Scrapy decodes the
whole body for the 4,096 characters it reads and keeps that text with the response for as long as
the page waits for its parse, which reads the bytes again in a worker.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh

from newsarchive.failures import OffsiteRedirect, RedirectLoop, RefusedRedirect, UnfollowableRedirect
from newsarchive.middlewares.pageresult import REDIRECTS_META, capture_of
from newsarchive.middlewares.site_cookies import SiteCookies, cookie_pairs
from newsarchive.parsers.urls import canonicalise_url

# Meta: {URL: the Cookie header it was asked with} for the URLs of a redirect chain.
COOKIES_SENT_META = "newsarchive_cookies_sent"

# Stat: "<start URL> -> <where it redirects>", the first start URL whose own redirect left the
# crawl's origins (read by CrawlSummary.verdict).
START_MOVED_STAT = "newsarchive/start_url_moved"


class LoopAwareRedirects:
    """The rules above, for any of Scrapy's redirect middlewares (they share `_redirect`)."""

    def _build_redirect_request(self, source_request, response, *, url, **kwargs):
        # Before Scrapy builds the request: a javascript: or mailto: URL makes no Request at all.
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            said = (response.headers.get(b"Location") or b"").decode("latin-1").strip() or url  # as the site wrote it
            raise UnfollowableRedirect(f"a redirect to {said[:200]}, which no crawler can fetch: {source_request.url}",
                                       response)
        cookies = SiteCookies.of(self.crawler)
        if cookies.take(response.url, response.headers.getlist("Set-Cookie")):
            host = urlsplit(response.url).hostname
            self.crawler.spider.logger.info(
                f"{host} set cookies on a redirect ({', '.join(cookies.by_host[host or ''])}): sent back with its "
                "requests for the rest of the crawl (a cookie check), and kept with each capture's request headers")
        return super()._build_redirect_request(source_request, response, url=url, **kwargs)

    def _redirect(self, redirected, request, reason):
        chain = [*request.meta.get("redirect_urls", []), request.url]
        asked_with = {**request.meta.get(COOKIES_SENT_META, {}), request.url: request.headers.get("Cookie")}
        if redirected.url in chain and not self._cookies_since(redirected.url, asked_with.get(redirected.url)):
            sent = cookie_pairs(asked_with.get(redirected.url))
            said = f", though it was asked with the cookies the site set ({', '.join(sent)})" if sent else ""
            loop = RedirectLoop(f"redirect loop{said}: {' -> '.join(chain + [redirected.url])}")
            loop.to_itself = redirected.url == request.url
            raise loop
        scope = getattr(self.crawler.spider, "scope", None)
        if scope is not None and not scope.allows(redirected.url):
            if chain[0] in getattr(self.crawler.spider, "start_urls", ()):
                self.start_url_moved(chain[0], redirected.url)
            raise OffsiteRedirect(f"redirect out of the crawl's scope ({scope.describe()}): "
                                  f"{' -> '.join(chain + [redirected.url])}")
        try:
            followed = super()._redirect(redirected, request, reason)
        except IgnoreRequest as error:  # Scrapy's "max redirections reached"
            raise RedirectLoop(f"{error}: {' -> '.join(chain + [redirected.url])}") from error
        # The target may have been requested already under its own URL: the duplicate filter
        # would drop it and the redirected page would never be settled. Fetch it: at worst the
        # article is stored once and this page ends as its duplicate.
        followed.dont_filter = True
        followed.meta[COOKIES_SENT_META] = asked_with
        return followed

    def _kept(self, followed, request, response):
        """A redirect followed (`followed`, the next request): its answer kept as a capture in the
        next request's meta, with those of the chain before it."""
        if isinstance(followed, Request) and followed is not request and self.crawler.settings.getbool(
                "NEWSARCHIVE_CAPTURE_ENABLED"):
            capture = capture_of(response, request)
            capture.location = canonicalise_url(followed.url) or followed.url
            followed.meta[REDIRECTS_META] = [*request.meta.get(REDIRECTS_META, ()), capture]
        return followed

    def _cookies_since(self, url: str, sent: bytes | None) -> bool:
        """Whether the site has set a cookie the request for `url` was not sent with."""
        held, sent_pairs = cookie_pairs(SiteCookies.of(self.crawler).header_for(url)), cookie_pairs(sent)
        return any(sent_pairs.get(name) != value for name, value in held.items())

    def start_url_moved(self, start_url: str, target: str) -> None:
        """A start URL redirects to another origin: the crawl would archive nothing of that site
        and say only that every page failed. Said here, in one line, with the URL to give."""
        self.crawler.spider.logger.warning(f"the start URL {start_url} redirects to {target}, another origin, "
                                           f"which this crawl does not follow: to archive that site, crawl {target}")
        if not self.crawler.stats.get_value(START_MOVED_STAT):
            self.crawler.stats.set_value(START_MOVED_STAT, f"{start_url} -> {target}")


class LoopAwareRedirectMiddleware(LoopAwareRedirects, RedirectMiddleware):
    """HTTP redirects (3xx with a Location)."""

    def process_response(self, request, response, spider=None):
        with refused_as(response):
            try:
                followed = super().process_response(request, response)
            except ValueError as error:  # Scrapy's reading of a Location that is no URL (http://[::1, a port "x")
                said = (response.headers.get(b"Location") or b"").decode("latin-1").strip()
                raise UnfollowableRedirect(f"a redirect to {said[:200]}, which is no URL ({error}): {request.url}",
                                           response) from error
            return self._kept(followed, request, response)


@contextlib.contextmanager
def refused_as(response):
    """A redirect refused within carries `response`, the redirect as the site sent it: the page's
    failure then keeps its status and its capture, as for any response the crawl refused."""
    try:
        yield
    except RefusedRedirect as refusal:
        if refusal.response is None:
            refusal.response = response
        raise


# The bytes that hold the 4,096 characters Scrapy reads for a refresh, in any encoding (UTF-8 takes
# at most four bytes a character).
REFRESH_HEAD_BYTES = 4 * 4096


class LoopAwareMetaRefreshMiddleware(LoopAwareRedirects, MetaRefreshMiddleware):
    """A page that sends the browser on with `<meta http-equiv="refresh" content="0; url=...">`: one
    that refreshes to itself, or two that refresh to each other, were fetched until Scrapy's limit
    of 20 redirects and recorded as `ignored`. A `Refresh: 0; url=...` header, which browsers follow
    as they follow the tag and Scrapy does not read, is followed the same way: a site whose story
    links answered "Redirecting..." with one had each stored as a `missing_title` failure."""

    def process_response(self, request, response, spider=None):
        try:
            by_header = self._refresh_header(request, response)
        except ValueError:  # a refresh to no URL (http://[::1) goes nowhere: the page is the page
            return response
        if by_header is not None:
            return by_header
        head = page_head(response)
        try:
            with refused_as(response):
                followed = super().process_response(request, head)
        except (UnfollowableRedirect, ValueError):  # a refresh to javascript: or no URL goes nowhere: the page is the page
            return response
        except RedirectLoop as loop:
            if loop.to_itself and get_meta_refresh(head, ignore_tags=self._ignore_tags)[0]:
                return response  # an auto-refresh (a live page's): a browser shows the page meanwhile
            raise
        return response if followed is head else self._kept(followed, request, response)

    def _refresh_header(self, request, response):
        """The request a `Refresh` header sends the crawl on to (as a meta refresh's), or None."""
        delay, target = refresh_header(response.headers.get(b"Refresh"))
        if (target is None or delay >= self._maxdelay or request.meta.get("dont_redirect")
                or request.method == "HEAD" or urlsplit(request.url).scheme not in ("http", "https")):
            return None
        url = urljoin(response.url, target)
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            return None  # as a refresh tag to javascript: is, the page is the page
        try:
            with refused_as(response):
                return self._kept(self._redirect(self._redirect_request_using_get(request, response, url), request,
                                                 "refresh header"), request, response)
        except RedirectLoop as loop:
            if loop.to_itself and delay:
                return response
            raise


_REFRESH_HEADER = re.compile(r"""^\s*(\d+(?:\.\d*)?)\s*(?:[;,]\s*(?:url\s*=\s*)?["']?([^"']+?)["']?\s*)?$""", re.IGNORECASE)


def refresh_header(value: bytes | None) -> tuple[float, str | None]:
    """(delay in seconds, URL) of a `Refresh` header; the URL None when it names none (a refresh of
    the page itself) or the header does not parse.

    >>> refresh_header(b"0; url=/news/story/"), refresh_header(b"5;URL='https://n.example/a'"), refresh_header(b"30")
    ((0.0, '/news/story/'), (5.0, 'https://n.example/a'), (30.0, None))
    """
    found = _REFRESH_HEADER.match(value.decode("latin-1")) if value else None
    if found is None:
        return 0.0, None
    return float(found.group(1)), (found.group(2) or "").strip() or None


def page_head(response):
    """A long HTML page cut to its first REFRESH_HEAD_BYTES, at the end of a tag: a `>` is one
    byte of its own in UTF-8 and the legacy encodings, so no character is cut in two (a cut one
    would make the UTF-8 guess of a page that names no charset fail)."""
    if not isinstance(response, HtmlResponse) or len(response.body) <= REFRESH_HEAD_BYTES:
        return response
    head = response.body[:REFRESH_HEAD_BYTES]
    # A new response, not response.replace(): replace() copies the encoding, which decodes the body.
    return HtmlResponse(response.url, status=response.status, headers=response.headers,
                        body=head[:head.rfind(b">") + 1] or head, request=response.request)
