"""Failures in words an archivist can group by: `http_404`, `timeout`, `too_large`, `connection_lost`,
`bad_response`, `parse_error` ...

Fetch errors are told apart by the type of the exception, never by the words of its message.
"""

from __future__ import annotations

import traceback
from pathlib import Path

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


class ResponseTooLarge(IgnoreRequest):
    """A compressed body that inflated past DOWNLOAD_MAXSIZE (a decompression bomb, or a huge page)."""


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


def describe_failure(failure) -> tuple[str, str, int | None]:
    """(reason, detail, HTTP status or None) for a Twisted Failure from a request's errback."""
    value = failure.value
    status = getattr(getattr(value, "response", None), "status", None)
    detail = f"{type(value).__name__}: {value}"
    if isinstance(value, HttpError):
        return f"http_{status}", detail, status
    for types, reason in _FETCH_ERRORS:
        if isinstance(value, types):
            return reason, detail, status
    for cause in _response_errors(value):
        for types, reason in _RESPONSE_ERRORS:
            if isinstance(cause, types):
                return reason, detail, status
    return "fetch_error", detail, status


def _response_errors(error: BaseException) -> list[BaseException]:
    """The errors behind a failed download: Twisted's ResponseFailed keeps them as Failures."""
    cause = error.__cause__ if isinstance(error, scrapy_errors.DownloadFailedError) else error
    if not isinstance(cause, ResponseFailed):
        return []
    return [reason.value for reason in cause.reasons]


def describe_exception(error: BaseException) -> str:
    """The exception's type and message, and where in this project it was raised.

    The innermost frame of newsarchive's own code names the layer or pipeline that failed
    (`parsers/dates.py, url_date_is_earlier`), even when the error came from a library it called.
    """
    message = str(error)
    if len(message) > 500:
        message = message[:500] + "..."
    where = "; ".join(filter(None, [_where_raised(error), *getattr(error, "__notes__", [])]))
    return f"{type(error).__name__}: {message}" + (f" (in {where})" if where else "")


_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _where_raised(error: BaseException) -> str | None:
    frames = traceback.extract_tb(error.__traceback__)  # none for an exception never raised
    own = [frame for frame in frames if _is_project_file(frame.filename)]
    frame = (own or frames or [None])[-1]
    if frame is None:
        return None
    path = Path(frame.filename)
    try:
        path = path.resolve().relative_to(_PROJECT_ROOT)
    except ValueError:
        path = Path(path.name)
    return f"{path.as_posix()}, {frame.name}, line {frame.lineno}"


def _is_project_file(filename: str) -> bool:
    try:
        relative = Path(filename).resolve().relative_to(_PROJECT_ROOT)
    except ValueError:
        return False
    return relative.parts[:1] in (("newsarchive",), ("spiders",), ("exports",))
