"""Typed parse errors: each names the page and, where it applies, the field."""

from __future__ import annotations


class ParseError(Exception):
    """A page that cannot be parsed into a record."""

    reason = "parse_error"

    def __init__(self, url: str, message: str, field: str | None = None):
        self.url = url
        self.field = field
        self.message = message
        where = f" (field {field})" if field else ""
        super().__init__(f"{url}: {message}{where}")


class EmptyPageError(ParseError):
    reason = "empty_page"


class NotHtmlError(ParseError):
    reason = "not_html"
