"""A parser that breaks on purpose, for the worker-pool tests: plugged in with
`-s NEWSARCHIVE_PARSER=tests.faulty_parser.parse_page`, it kills its worker process on pages whose
URL contains "crash-me", raises on pages whose URL contains "raise-me", never ends on "loop-me"
(a Python loop), works in C code for minutes on "stall-me" (where no Python signal handler can
run), returns what it was given on "echo-me", takes SLOW_SECONDS before parsing "slow-me", and
parses the others."""

from __future__ import annotations

import hashlib
import os
import time

from newsarchive.parsers import parse_page as real_parse_page

SLOW_SECONDS = 2.0


def parse_page(url, body, profile=None, site=None, content_type=None, kind=None):
    if "crash-me" in url:
        os._exit(3)  # as a crash in a C extension would end the process: no exception, no clean-up
    if "raise-me" in url:
        raise LookupError("no such layer")
    while "loop-me" in url:
        pass
    if "stall-me" in url:
        hashlib.pbkdf2_hmac("sha256", b"page", b"salt", 2**31 - 1)  # C code, minutes long
    if "slow-me" in url:
        time.sleep(SLOW_SECONDS)
    if "echo-me" in url:  # what the parser was handed, for the tests of run_job's arguments
        return {"url": url, "body": body, "profile": profile and profile.key, "site": site and site.name,
                "content_type": content_type, "kind": kind}
    return real_parse_page(url, body, profile, site, content_type, kind=kind)
