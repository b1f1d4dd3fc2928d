"""URL rules that need no page: canonical form, tracking parameters, article dates."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Query parameters that say how a reader arrived, not which page they asked for.
TRACKING_PARAMETER = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|yclid|_ga|_gl|igshid|ref|ref_src|"
    r"cmpid|ocid|spm|share|at_medium|at_campaign|xtor)$",
    re.IGNORECASE,
)


def strip_tracking(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMETER.match(k)]
    return urlunsplit(parts._replace(query=urlencode(kept)))


@lru_cache(maxsize=65536)  # an article's URL comes by from its listing, its page and the pipelines
def canonicalise_url(url: str | None) -> str | None:
    """Canonical http(s) URL (no fragment, no tracking parameters, sorted query), else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        return canonicalize_url(strip_tracking(url.strip()))
    except ValueError:  # a port that is no number, a bad IPv6 host: pages link such things too
        return None
