"""SiteCookies: the cookies a site sets on its redirects, which the crawl sends back to it.

A crawl keeps no cookies (COOKIES_ENABLED is off): a cookie can change what a site shows (a
metered paywall counts the stories a visitor has read, an A/B test picks a page), and an archive
should hold the page any new visitor gets. But some sites will not show a page to a visitor
without a cookie: they set one and redirect to the same URL (or through a check page and back),
a cookie check that browsers pass at once. Without the cookie every page of such a site was a
redirect loop, and the crawl archived nothing of it.

So the cookies a site sets on a redirect, the cookie check's own answer, are kept for its host
for the rest of the crawl and sent with every request to that host (EntryCookiesMiddleware). The
cookies of the pages themselves are still never kept. With COOKIES_ENABLED on, Scrapy's cookie jar
keeps and sends every cookie, and this one only tells the redirect rule what the site set
(newsarchive/middlewares/redirect.py: a redirect back to a URL already asked is a loop unless the
site has set a cookie since).
"""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit


class SiteCookies:
    """The cookies each host set on its redirects, for one crawl: host -> {name: value}."""

    def __init__(self) -> None:
        self.by_host: dict[str, dict[str, str]] = {}

    @classmethod
    def of(cls, crawler) -> SiteCookies:
        """The crawl's one store, shared by the middlewares that read or fill it."""
        if getattr(crawler, "newsarchive_site_cookies", None) is None:
            crawler.newsarchive_site_cookies = cls()
        return crawler.newsarchive_site_cookies

    def take(self, url: str, set_cookie_headers: list[bytes]) -> bool:
        """Keep the cookies a response from `url` set (its Set-Cookie header lines); a cookie the
        line expires (Max-Age 0 or less, an Expires date past) is forgotten. Whether these are the
        first cookies its host set."""
        host = _host(url)
        first = host not in self.by_host
        now = datetime.now(timezone.utc)
        for line in set_cookie_headers:
            cookie = parse_set_cookie(line.decode("latin-1"), now)
            if cookie is None:
                continue
            name, value = cookie
            kept = self.by_host.setdefault(host, {})
            if value is None:
                kept.pop(name, None)
            else:
                kept[name] = value
        return first and bool(self.by_host.get(host))

    def header_for(self, url: str) -> str | None:
        """The Cookie header for a request to `url`: the cookies its host set, or None."""
        kept = self.by_host.get(_host(url))
        return "; ".join(f"{name}={value}" for name, value in kept.items()) if kept else None


def parse_set_cookie(line: str, now: datetime) -> tuple[str, str | None] | None:
    """(name, value) of one Set-Cookie line, value None when the line expires the cookie; None
    when it names no cookie. Only the expiry of the attributes counts: the cookie is sent to the
    host that set it, for the rest of the crawl, whatever its Path or Domain.

    >>> now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> parse_set_cookie("seen=1; Path=/; HttpOnly", now), parse_set_cookie("seen=; Max-Age=0", now)
    (('seen', '1'), ('seen', None))
    >>> parse_set_cookie("id=a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT", now), parse_set_cookie("; Path=/", now)
    (('id', None), None)
    """
    pair, *attributes = line.split(";")
    name, has_value, value = pair.partition("=")
    name = name.strip()
    if not name or not has_value:
        return None
    for attribute in attributes:
        key, _, setting = attribute.partition("=")
        if _expires(key.strip().lower(), setting.strip(), now):
            return name, None
    return name, value.strip()


def cookie_pairs(header: bytes | str | None) -> dict[str, str]:
    """The cookies of a Cookie header, {name: value}.

    >>> cookie_pairs(b"seen=1; lang=ar"), cookie_pairs(None)
    ({'seen': '1', 'lang': 'ar'}, {})
    """
    text = header.decode("latin-1") if isinstance(header, bytes) else header or ""
    pairs = (part.partition("=") for part in text.split(";"))
    return {name.strip(): value.strip() for name, has_value, value in pairs if name.strip() and has_value}


def _expires(key: str, setting: str, now: datetime) -> bool:
    if key == "max-age":
        return setting.lstrip("-").isdigit() and int(setting) <= 0
    if key == "expires":
        try:
            when = parsedate_to_datetime(setting)
        except (TypeError, ValueError, IndexError):
            return False
        return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)) <= now
    return False


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class EntryCookiesMiddleware:
    """Downloader middleware: a request to a host that set cookies on a redirect carries them
    (unless it names a Cookie header of its own), when the crawl keeps no cookies of its own."""

    def __init__(self, crawler) -> None:
        self.cookies = SiteCookies.of(crawler)
        self.in_use = not crawler.settings.getbool("COOKIES_ENABLED")

    @classmethod
    def from_crawler(cls, crawler) -> EntryCookiesMiddleware:
        return cls(crawler)

    def process_request(self, request, spider=None):
        if not self.in_use:
            return None
        header = self.cookies.header_for(request.url)
        # A redirect's request is a copy of the one before, with the cookies it carried then.
        if header is not None and ("Cookie" not in request.headers or request.meta.get(SENT_META)):
            request.headers["Cookie"] = header
            request.meta[SENT_META] = True
        return None


SENT_META = "newsarchive_entry_cookies"  # the request's Cookie header is the site's redirect cookies
