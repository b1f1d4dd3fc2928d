"""Fetch failures in words an archivist can group by: `http_404`, `timeout`, `too_large` ..."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_errors


def describe_failure(failure) -> tuple[str, str, int | None]:
    """(reason, detail, HTTP status or None) for a Twisted Failure from a request's errback."""
    value = failure.value
    response = getattr(value, "response", None)
    status = getattr(response, "status", None)
    detail = f"{type(value).__name__}: {value}"
    if failure.check(HttpError):
        return f"http_{status}", detail, status
    if failure.check(net_errors.TimeoutError, net_errors.TCPTimedOutError) or "Timeout" in type(value).__name__:
        return "timeout", detail, status
    if failure.check(net_errors.DNSLookupError):
        return "dns_error", detail, status
    if failure.check(net_errors.ConnectionRefusedError):
        return "connection_refused", detail, status
    message = str(value).lower()
    if "redirect" in message and failure.check(IgnoreRequest):
        return "redirect_loop" if "loop" in message or "max redirections" in message else "redirect", detail, status
    if "maxsize" in message or "max size" in message or "download size" in message or "warnsize" in message:
        return "too_large", detail, status
    if failure.check(IgnoreRequest):
        if "robots.txt" in message:
            return "robots_forbidden", detail, status
        if "offsite" in message:
            return "offsite", detail, status
        return "ignored", detail, status
    return "fetch_error", detail, status
