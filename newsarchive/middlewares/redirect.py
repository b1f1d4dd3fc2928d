"""LoopAwareRedirectMiddleware: a redirect back to a URL already in the chain is a failure.

Scrapy's duplicate filter would otherwise drop the looping request without a word (the URL was
already requested), and the page would vanish from the crawl without a trace in the archive.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    def _redirect(self, redirected, request, reason):
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            raise IgnoreRequest(f"redirect loop: {' -> '.join(chain + [redirected.url])}")
        return super()._redirect(redirected, request, reason)
