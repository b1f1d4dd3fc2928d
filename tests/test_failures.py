"""Failures in words an archivist can group by (newsarchive/failures.py), from the exceptions Scrapy
and Twisted really raise: each reason is told by the exception's type, never by its message."""

from __future__ import annotations

import re

import pytest
from scrapy import Request
from scrapy import exceptions as scrapy_errors
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as net_errors
from twisted.python.failure import Failure
from twisted.web._newclient import ParseError
from twisted.web.client import ResponseFailed

from newsarchive.failures import (
    OffsiteRedirect,
    RedirectLoop,
    ResponseTooLarge,
    RobotsForbidden,
    describe_failure,
)
from newsarchive.tracebacks import describe_exception

URL = "https://news.example/a"


def failed_download(*errors: BaseException) -> Failure:
    """A DownloadFailedError as Scrapy raises it: from Twisted's ResponseFailed with its reasons."""
    try:
        try:
            raise ResponseFailed([Failure(error) for error in errors])
        except ResponseFailed as failed:
            raise scrapy_errors.DownloadFailedError(str(failed)) from failed
    except scrapy_errors.DownloadFailedError as error:
        return Failure(error)


@pytest.mark.parametrize(("error", "reason"), [
    (RedirectLoop("loop"), "redirect_loop"),
    (OffsiteRedirect("away"), "offsite_redirect"),
    (RobotsForbidden("no"), "robots_forbidden"),
    (scrapy_errors.DownloadTimeoutError("slow"), "timeout"),
    (net_errors.TCPTimedOutError(), "timeout"),
    (defer.TimeoutError(), "timeout"),
    (scrapy_errors.CannotResolveHostError("x"), "dns_error"),
    (net_errors.DNSLookupError(), "dns_error"),
    (scrapy_errors.DownloadConnectionRefusedError("x"), "connection_refused"),
    (scrapy_errors.DownloadCancelledError("x"), "too_large"),
    (ResponseTooLarge("inflated past the limit"), "too_large"),
    (scrapy_errors.ResponseDataLossError("x"), "data_loss"),
    (scrapy_errors.UnsupportedURLSchemeError("x"), "unsupported_url"),
    (IgnoreRequest("something else"), "ignored"),
    (ValueError("who knows"), "fetch_error"),
])
def test_each_exception_type_has_its_reason(error, reason):
    assert describe_failure(Failure(error)) == (reason, f"{type(error).__name__}: {error}", None)


def test_an_http_error_names_its_status():
    response = Response(URL, status=503, request=Request(URL))
    assert describe_failure(Failure(HttpError(response, "Ignoring non-200 response"))) == (
        "http_503", "HttpError: Ignoring non-200 response", 503)


@pytest.mark.parametrize(("errors", "reason"), [
    ((net_errors.ConnectionLost(),), "connection_lost"),
    ((net_errors.ConnectionDone(),), "connection_lost"),
    ((ParseError("non-integer status code", b"THIS IS NOT HTTP"),), "bad_response"),
    ((ValueError("odd"), ParseError("wrong header", b"x")), "bad_response"),  # the first that has a reason
    ((ValueError("odd"),), "bad_response"),  # raised reading what the server sent
    ((net_errors.ConnectionDone(), KeyError(b"gzip, chunked")), "connection_lost"),
    ((), "fetch_error"),
])
def test_a_failed_download_is_told_by_the_errors_behind_it(errors, reason):
    assert describe_failure(failed_download(*errors))[0] == reason


@pytest.mark.parametrize(("errors", "detail"), [
    ((ParseError("non-integer status code", b"HTTP/1.1 abc OK"),),
     "the answer is not HTTP that can be read: ParseError: non-integer status code: HTTP/1.1 abc OK"),
    ((KeyError(b"gzip, chunked"),), "the answer is not HTTP that can be read: KeyError: gzip, chunked"),
    ((ValueError("Value contains non-decimal digits: b'zz'"), ParseError("bad header", b"\xff\xfe")),
     "the answer is not HTTP that can be read: ValueError: Value contains non-decimal digits: b'zz'; "
     "ParseError: bad header: \\xff\\xfe"),
    ((net_errors.ConnectionLost("gone"),), "ConnectionLost: gone"),
    ((net_errors.ConnectionDone(),), "ConnectionDone: Connection was closed cleanly."),
    # Cut short after an answer that could not be read: the answer is what went wrong.
    ((net_errors.ConnectionLost("gone"), KeyError(b"gzip, chunked")),
     "the answer is not HTTP that can be read: ConnectionLost: gone; KeyError: gzip, chunked"),
])
def test_a_failed_download_is_described_by_the_errors_behind_it(errors, detail):
    assert describe_failure(failed_download(*errors))[1] == detail


def test_response_failed_itself_is_read_the_same():
    failure = Failure(ResponseFailed([Failure(net_errors.ConnectionLost())]))
    assert describe_failure(failure)[0] == "connection_lost"


def raise_in_a_library():
    import json

    json.loads("{not json")


def test_an_exception_names_the_innermost_frame_of_the_project():
    try:
        raise_in_a_library()
    except ValueError as error:
        described = describe_exception(error)
    assert described.startswith("JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2")
    # This test's file is no project code (newsarchive/, spiders/, exports/): the innermost frame is json's.
    assert re.search(r"\(in decoder\.py, raw_decode, line \d+\)$", described)


def test_a_library_error_names_the_project_code_that_called_the_library():
    from newsarchive.workers import _parser

    try:
        _parser("newsarchive.no_such_module.parse")  # the standard library's loader raises, called from workers.py
    except ModuleNotFoundError as error:
        error.add_note("while parsing https://news.example/a")
        described = describe_exception(error)
    assert re.fullmatch(r"ModuleNotFoundError: No module named 'newsarchive.no_such_module' \(in "
                        r"newsarchive/workers\.py, _parser, line \d+; while parsing https://news\.example/a\)",
                        described)


def test_project_files_are_those_of_its_three_packages():
    from newsarchive.tracebacks import _PROJECT_ROOT, _is_project_file

    assert [_is_project_file(str(_PROJECT_ROOT / folder / "x.py")) for folder in
            ("newsarchive", "spiders", "exports", "tests", "bench")] == [True, True, True, False, False]
    assert _is_project_file("/usr/lib/python3.11/json/decoder.py") is False


def test_a_long_message_is_cut_and_notes_are_kept():
    error = RuntimeError("x" * 600)
    error.add_note("while storing https://news.example/a")
    assert describe_exception(error) == f"RuntimeError: {'x' * 500}... (in while storing https://news.example/a)"
    assert describe_exception(RuntimeError("x" * 500)) == f"RuntimeError: {'x' * 500}"  # at the limit: whole
    assert describe_exception(RuntimeError("x" * 501)) == f"RuntimeError: {'x' * 500}..."
    assert describe_exception(KeyError("k")) == "KeyError: 'k'"
