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


# A visitor's session, carried in the URL by servers that cannot keep it in a cookie (a crawl
# sends none): they write a new one into every link of every page they serve, so without this one
# story had a URL for each visit, and every crawl stored the site's stories again as new ones.
# Parameters by these names are always a session's (PHP, Java, classic ASP, ColdFusion, Zen Cart,
# osCommerce) ...
SESSION_PARAMETER = re.compile(
    r"^(?:phpsessid|jsessionid|aspsessionid\w*|sessionid|session_id|sessid|cfid|cftoken|zenid|oscsid)$", re.IGNORECASE)
# ... and `sid` only when its value is a random token: it names a story on some sites (PHP-Nuke's
# article.php?sid=1234). Not `s`, a session on forums (vBulletin): a signed image URL's `s` is a
# token too (imgix), and the photo is refused without it.
TOKEN_SESSION_PARAMETER = re.compile(r"^sid$", re.IGNORECASE)
SESSION_TOKEN = re.compile(r"^(?=[^\d]*\d)(?=[^a-z]*[a-z])[0-9a-z]{20,}$", re.IGNORECASE)
# ... and in the path: Java's `;jsessionid=...` and ASP.NET's cookieless `/(S(...))/` segment.
PATH_SESSION = re.compile(r";jsessionid=[^/?#]*|/\((?:[a-z]\([^()/]*\))+\)(?=/|$)", re.IGNORECASE)


def strip_session(url: str) -> str:
    """The URL without the visitor's session it carries (SESSION_PARAMETER, PATH_SESSION).

    >>> strip_session("https://news.example/read.php?id=7&PHPSESSID=4e6997f805d79fff10f01db05e422494")
    'https://news.example/read.php?id=7'
    >>> strip_session("https://news.example/story;jsessionid=F5217B09?page=2")
    'https://news.example/story?page=2'
    >>> strip_session("https://news.example/(S(lit3py55t21z5v55vlm25s55))/story.aspx")
    'https://news.example/story.aspx'
    >>> strip_session("https://news.example/article.php?sid=1234")  # a story's id
    'https://news.example/article.php?sid=1234'
    """
    parts = urlsplit(url)
    path = PATH_SESSION.sub("", parts.path)
    if not parts.query:
        return urlunsplit(parts._replace(path=path)) if path != parts.path else url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_session(k, v)]
    return urlunsplit(parts._replace(path=path, query=urlencode(kept)))


def _is_session(name: str, value: str) -> bool:
    return bool(SESSION_PARAMETER.match(name) or (TOKEN_SESSION_PARAMETER.match(name) and SESSION_TOKEN.match(value)))


def strip_tracking(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMETER.match(k)]
    return urlunsplit(parts._replace(query=urlencode(kept)))


@lru_cache(maxsize=65536)  # an article's URL comes by from its listing, its page and the pipelines
def canonicalise_url(url: str | None) -> str | None:
    """Canonical http(s) URL (no fragment, no tracking or session parameters, sorted query, no
    user name or password), else None.

    >>> canonicalise_url("http://user:secret@news.example:8080/a?b=2&a=1#top")
    'http://news.example:8080/a?a=1&b=2'
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        url = url.strip()
        if "@" in parts.netloc:
            # Credentials in a link: the page's, not the crawl's to send; Twisted took them for the
            # host's name, and the page was a fetch error asked for again by every crawl.
            url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        return canonicalize_url(strip_session(strip_tracking(url)))
    except ValueError:  # a port that is no number, a bad IPv6 host: pages link such things too
        return None
