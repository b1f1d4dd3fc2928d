"""What a crawl may fetch: the origins (scheme, host, port) of its start URLs, and nothing else.

Host names alone do not make a site: 127.0.0.1:8000 and 127.0.0.1:9000 are two servers, and a
crawl of one must not archive pages of the other. Links, redirects, sitemaps, feeds and photos
are all held to the same origins. Two allowances, for the two names every site answers to:
- a site reached on a default port is the same site under the other web scheme on its default
  port (http://example.org links on https://example.org pages are common and redirect to https
  anyway);
- a host and its `www.` name are one site (example.org and www.example.org): a site serves both,
  and its pages link either, often absolutely; web archives read them as one (SURT drops `www.`).
  A crawl given example.org/news/ whose stories were all linked at www.example.org archived none.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from w3lib.url import safe_url_string

WEB_SCHEMES = {"http": 80, "https": 443}

Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) URL, the port filled in; None for anything else. An
    internationalised host name is taken in its ASCII form (IDNA), as Scrapy requests it
    (w3lib's safe_url_string): a crawl given https://bücher.example/ fetches
    https://xn--bcher-kva.example/, and its pages' links may be written either way.

    >>> origin_of("https://Bücher.example/news/") == origin_of("https://xn--bcher-kva.example:443/a")
    True
    """
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
        if host and not host.isascii():
            host = urlsplit(safe_url_string(url)).hostname
    except ValueError:  # a port that is not a number, or out of range; a name IDNA refuses
        return None
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES or not host:
        return None
    return scheme, host.lower().rstrip("."), port or WEB_SCHEMES[scheme]


def site_host(host: str) -> str:
    """A host name without its `www.`: the name both of a site's hosts share.

    >>> site_host("www.example.org"), site_host("example.org"), site_host("www2.example.org"), site_host("www.org")
    ('example.org', 'example.org', 'www2.example.org', 'www.org')
    """
    return host[4:] if host.startswith("www.") and "." in host[4:] else host


def www_twin(host: str) -> str | None:
    """The site's other host name: www.example.org for example.org and back; None for an address
    or a name of one label (localhost), which have no `www.` name.

    >>> www_twin("example.org"), www_twin("www.example.org"), www_twin("127.0.0.1"), www_twin("localhost")
    ('www.example.org', 'example.org', None, None)
    """
    if host.startswith("www.") and "." in host[4:]:
        return host[4:]
    if "." not in host or ":" in host or host.replace(".", "").isdigit():
        return None
    return "www." + host


def origin_text(origin: Origin) -> str:
    """An origin as a URL's start, its port left out where it is the scheme's own.

    >>> origin_text(("https", "www.example.org", 443)), origin_text(("http", "127.0.0.1", 8000))
    ('https://www.example.org', 'http://127.0.0.1:8000')
    """
    scheme, host, port = origin
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + ("" if port == WEB_SCHEMES[scheme] else f":{port}")


class Scope:
    def __init__(self, urls):
        self.origins: set[Origin] = set()
        for url in urls:
            origin = origin_of(url)
            if origin is None:
                continue
            scheme, host, port = origin
            for name in filter(None, (host, www_twin(host))):
                self.origins.add((scheme, name, port))
                if port == WEB_SCHEMES[scheme]:
                    other = "https" if scheme == "http" else "http"
                    self.origins.add((other, name, WEB_SCHEMES[other]))

    def allows(self, url: str) -> bool:
        return origin_of(url) in self.origins

    @property
    def hosts(self) -> list[str]:
        return sorted({host for _, host, _ in self.origins})

    def describe(self) -> str:
        return ", ".join(f"{scheme}://{host}:{port}" for scheme, host, port in sorted(self.origins))
