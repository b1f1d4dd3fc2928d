"""LoopAwareRedirectMiddleware and LoopAwareMetaRefreshMiddleware: redirects (HTTP, and a page's
`<meta http-equiv="refresh">`) that would lose a page silently become failures.

- A redirect back to a URL already in the chain: Scrapy's duplicate filter would otherwise drop
  the looping request without a word, and the page would vanish from the crawl.
- A redirect out of the crawl's origins (newsarchive/scope.py): not followed, recorded as
  `offsite_redirect` with its target, so the archivist sees where the site sent the crawler.
- Too many redirects: `redirect_loop` as well.
- A redirect to a URL already fetched is fetched again rather than dropped as a duplicate.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest

from newsarchive.failures import OffsiteRedirect, RedirectLoop


class LoopAwareRedirects:
    """The rules above, for any of Scrapy's redirect middlewares (they share `_redirect`)."""

    def _redirect(self, redirected, request, reason):
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            raise RedirectLoop(f"redirect loop: {' -> '.join(chain + [redirected.url])}")
        scope = getattr(self.crawler.spider, "scope", None)
        if scope is not None and not scope.allows(redirected.url):
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
        return followed


class LoopAwareRedirectMiddleware(LoopAwareRedirects, RedirectMiddleware):
    """HTTP redirects (3xx with a Location)."""


class LoopAwareMetaRefreshMiddleware(LoopAwareRedirects, MetaRefreshMiddleware):
    """A page that sends the browser on with `<meta http-equiv="refresh" content="0; url=...">`: one
    that refreshes to itself, or two that refresh to each other, were fetched until Scrapy's limit
    of 20 redirects and recorded as `ignored`."""
