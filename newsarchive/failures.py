"""Failures in words an archivist can group by: `http_404`, `timeout`, `too_large`, `connection_lost`,
`bad_response`, `parse_error` ...

Fetch errors are told apart by the type of the exception, never by the words of its message.
"""

from __future__ import annotations

from scrapy import exceptions as scrapy_errors
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as net_errors
from twisted.web._newclient import ParseError as HttpParseError
from twisted.web.client import ResponseFailed


class RefusedResponse(IgnoreRequest):
    """A response the crawl received but could not use; `response` is what the site sent, which the
    page's failure keeps as its capture (and its status)."""

    def __init__(self, message: str, response=None):
        super().__init__(message)
        self.response = response


class RefusedRedirect(RefusedResponse):
    """A redirect the crawl does not follow; `response` is the redirect (newsarchive/middlewares/redirect.py
    sets it where Scrapy's methods that raise are not given it)."""


class RedirectLoop(RefusedRedirect):
    """A redirect back to a URL already in the redirect chain, or too many redirects; `to_itself`:
    back to the URL that redirected."""

    to_itself = False


class OffsiteRedirect(RefusedRedirect):
    """A redirect to a URL outside the crawl's origins."""


class UnfollowableRedirect(RefusedRedirect):
    """A redirect to a URL no crawler can fetch: javascript:, data:, mailto:, ftp:, no URL at all ..."""


class RobotsForbidden(IgnoreRequest):
    """robots.txt forbids the URL."""


class UrlTooLong(IgnoreRequest):
    """A URL longer than URLLENGTH_LIMIT (newsarchive/middlewares/url_length.py)."""


class ResponseTooLarge(RefusedResponse):
    """A compressed body that inflated past DOWNLOAD_MAXSIZE (a decompression bomb, or a huge page)."""


class BadContentEncoding(RefusedResponse):
    """A body that does not decompress as its Content-Encoding says (garbage labelled gzip, a
    deflate body labelled brotli, a stream cut short)."""


# Exception types, most specific first, and the reason each is recorded under.
_FETCH_ERRORS = (
    (RedirectLoop, "redirect_loop"),
    (OffsiteRedirect, "offsite_redirect"),
    (UnfollowableRedirect, "unfollowable_redirect"),
    (RobotsForbidden, "robots_forbidden"),
    (UrlTooLong, "url_too_long"),
    ((scrapy_errors.DownloadTimeoutError, net_errors.TimeoutError, net_errors.TCPTimedOutError,
      defer.TimeoutError), "timeout"),
    ((scrapy_errors.CannotResolveHostError, net_errors.DNSLookupError), "dns_error"),
    ((scrapy_errors.DownloadConnectionRefusedError, net_errors.ConnectionRefusedError), "connection_refused"),
    # Scrapy cancels a download that passes DOWNLOAD_MAXSIZE; nothing else cancels one here.
    ((scrapy_errors.DownloadCancelledError, defer.CancelledError, ResponseTooLarge), "too_large"),
    (BadContentEncoding, "bad_content_encoding"),
    ((scrapy_errors.ResponseDataLossError,), "data_loss"),
    ((scrapy_errors.UnsupportedURLSchemeError, scrapy_errors.NotSupported), "unsupported_url"),
    (IgnoreRequest, "ignored"),
)


# What broke a download Scrapy reports as DownloadFailedError: the errors Twisted's HTTP client
# gathered (ResponseFailed.reasons), by type. Any other error there was raised reading what the
# server sent (a status line that is no number, a Content-Length that is none, a Transfer-Encoding
# it does not know): bad_response too.
_CONNECTION_ERRORS = (net_errors.ConnectionLost, net_errors.ConnectionDone)
_RESPONSE_ERRORS = (
    (_CONNECTION_ERRORS, "connection_lost"),
    ((HttpParseError,), "bad_response"),  # what came back is not HTTP
)


# The reasons that say no server answered at the origin: another request there would fail the same way.
NO_ANSWER_REASONS = frozenset({"timeout", "dns_error", "connection_refused"})
# Reasons a later try may not meet: the server or the network failed this time, the page is not
# at fault. A finished crawl leaves such pages in its frontier for the next crawl to ask for again
# (newsarchive/archive/frontier.py). With them, the 5xx and 429 statuses (TRANSIENT_STATUSES);
# `empty_page`, a 200 with no body, which is a server's slip (a script that died before it wrote,
# an origin a cache gave up on), not a page; and `not_the_story`, a stored story's URL answered
# with a maintenance or block page (newsarchive/archive/store.py), which the site shows for a while.
TRANSIENT_REASONS = frozenset({"timeout", "dns_error", "connection_refused", "connection_lost", "data_loss",
                               "bad_response", "fetch_error", "empty_page", "not_the_story"})
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
TRANSIENT_FAILURES = TRANSIENT_REASONS | {f"http_{status}" for status in TRANSIENT_STATUSES}


def describe_failure(failure) -> tuple[str, str, int | None]:
    """(reason, detail, HTTP status or None) for a Twisted Failure from a request's errback."""
    value = failure.value
    status = getattr(getattr(value, "response", None), "status", None)
    return reason_of(value), detail_of(value), status


def detail_of(error: BaseException) -> str:
    """The error in words: for a download Twisted's HTTP client gave up on, the errors behind it
    (see _RESPONSE_ERRORS), not a list of Failure objects.

    >>> from twisted.python.failure import Failure
    >>> detail_of(ResponseFailed([Failure(HttpParseError("non-integer status code", b"HTTP/1.1 abc OK"))]))
    'the answer is not HTTP that can be read: ParseError: non-integer status code: HTTP/1.1 abc OK'
    """
    causes = _response_errors(error)
    if not causes:
        return f"{type(error).__name__}: {error}"
    said = "; ".join(f"{type(cause).__name__}: {_arguments(cause)}" for cause in causes)
    return said if all(isinstance(cause, _CONNECTION_ERRORS) for cause in causes) else \
        f"the answer is not HTTP that can be read: {said}"


def _arguments(error: BaseException) -> str:
    """An exception's arguments as text, bytes (what the server sent) decoded: not "b'...'"."""
    return ": ".join(arg.decode("utf-8", "backslashreplace") if isinstance(arg, bytes) else str(arg)
                     for arg in error.args) or str(error)


def reason_of(error: BaseException) -> str:
    """The reason a download that raised `error` is recorded under."""
    if isinstance(error, HttpError):
        return f"http_{getattr(error.response, 'status', None)}"
    for types, reason in _FETCH_ERRORS:
        if isinstance(error, types):
            return reason
    causes = _response_errors(error)
    for cause in causes:
        for cause_types, cause_reason in _RESPONSE_ERRORS:
            if isinstance(cause, cause_types):
                return cause_reason
    return "bad_response" if causes else "fetch_error"


def _response_errors(error: BaseException) -> list[BaseException]:
    """The errors behind a failed download: Twisted's ResponseFailed keeps them as Failures."""
    cause = error.__cause__ if isinstance(error, scrapy_errors.DownloadFailedError) else error
    if not isinstance(cause, ResponseFailed):
        return []
    return [reason.value for reason in cause.reasons]
