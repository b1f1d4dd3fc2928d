"""A parser that breaks on purpose, for the worker-pool tests: plugged in with
`-s NEWSARCHIVE_PARSER=tests.faulty_parser.parse_page`, it kills its worker process on pages whose
URL contains "crash-me", raises on pages whose URL contains "raise-me", and parses the others."""

from __future__ import annotations

import os

from newsarchive.parsers import parse_page as real_parse_page


def parse_page(url, body, profile=None, site=None, content_type=None, kind=None):
    if "crash-me" in url:
        os._exit(3)  # as a crash in a C extension would end the process: no exception, no clean-up
    if "raise-me" in url:
        raise LookupError("no such layer")
    return real_parse_page(url, body, profile, site, content_type, kind=kind)
