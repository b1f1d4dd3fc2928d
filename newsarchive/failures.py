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


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already in the redirect chain, or too many redirects."""


class OffsiteRedirect(IgnoreRequest):
    """A redirect to a URL outside the crawl's origins."""


class RobotsForbidden(IgnoreRequest):
    """robots.txt forbids the URL."""


class RefusedResponse(IgnoreRequest):
    """A response the crawl received but could not use; `response` is what the site sent, which the
    page's failure keeps as its capture (and its status)."""

    def __init__(self, message: str, response=None):
        super().__init__(message)
        self.response = response


class ResponseTooLarge(RefusedResponse):
    """A compressed body that inflated past DOWNLOAD_MAXSIZE (a decompression bomb, or a huge page)."""


class BadContentEncoding(RefusedResponse):
    """A body that does not decompress as its Content-Encoding says (garbage labelled gzip, a
    deflate body labelled brotli, a stream cut short)."""


# Exception types, most specific first, and the reason each is recorded under.
_FETCH_ERRORS = (
    (RedirectLoop, "redirect_loop"),
    (OffsiteRedirect, "offsite_redirect"),
    (RobotsForbidden, "robots_forbidden"),
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
# gathered (ResponseFailed.reasons), by type.
_RESPONSE_ERRORS = (
    ((net_errors.ConnectionLost, net_errors.ConnectionDone), "connection_lost"),
    ((HttpParseError,), "bad_response"),  # what came back is not HTTP
)


# The reasons that say no server answered at the origin: another request there would fail the same way.
NO_ANSWER_REASONS = frozenset({"timeout", "dns_error", "connection_refused"})


def describe_failure(failure) -> tuple[str, str, int | None]:
    """(reason, detail, HTTP status or None) for a Twisted Failure from a request's errback."""
    value = failure.value
    status = getattr(getattr(value, "response", None), "status", None)
    return reason_of(value), f"{type(value).__name__}: {value}", status


def reason_of(error: BaseException) -> str:
    """The reason a download that raised `error` is recorded under."""
    if isinstance(error, HttpError):
        return f"http_{getattr(error.response, 'status', None)}"
    for types, reason in _FETCH_ERRORS:
        if isinstance(error, types):
            return reason
    for cause in _response_errors(error):
        for types, reason in _RESPONSE_ERRORS:
            if isinstance(cause, types):
                return reason
    return "fetch_error"


def _response_errors(error: BaseException) -> list[BaseException]:
    """The errors behind a failed download: Twisted's ResponseFailed keeps them as Failures."""
    cause = error.__cause__ if isinstance(error, scrapy_errors.DownloadFailedError) else error
    if not isinstance(cause, ResponseFailed):
        return []
    return [reason.value for reason in cause.reasons]
