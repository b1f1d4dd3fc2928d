"""A parser that notes what it was asked for, for the rendering tests: plugged in with
`-s NEWSARCHIVE_PARSER=tests.fields_recording_parser.parse_page`, it parses as the project's own
parser does and appends each page's URL and the `fields` it was given (None: the whole page) as a
JSON line to the file NEWSARCHIVE_TEST_FIELDS_LOG names. It runs in the parser workers, which
inherit the crawl's environment."""

from __future__ import annotations

import json
import os

from newsarchive.parsers import parse_page as real_parse_page


def parse_page(url, body, profile=None, site=None, content_type=None, kind=None, fields=None):
    record = real_parse_page(url, body, profile, site, content_type, kind=kind, fields=fields)
    with open(os.environ["NEWSARCHIVE_TEST_FIELDS_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"url": url, "fields": fields}) + "\n")
    return record
