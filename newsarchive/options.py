"""Checking what a user asked for before anything starts: one clear line for a bad value.

Used by the spiders (arguments of `scrapy crawl`) and by the CLI (options of `newsarchive crawl`),
so both refuse the same values with the same words.
"""

from __future__ import annotations

import difflib
from datetime import date
from urllib.parse import urlsplit


class OptionError(ValueError):
    """A value the user gave that cannot be used; the message says which and why."""


def parse_day(value: str | None, name: str) -> str | None:
    """A YYYY-MM-DD date as ISO text, None when not given."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise OptionError(f"{name} must be a date as YYYY-MM-DD, not {value!r}") from None


def check_date_order(since: str | None, until: str | None) -> None:
    if since and until and since > until:
        raise OptionError(f"--since {since} is after --until {until}: no article can be in that window")


def parse_flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes")


def parse_count(value, name: str) -> int:
    """A whole number >= 0 (0 usually meaning "no limit")."""
    try:
        number = int(str(value).strip() or 0)
    except ValueError:
        raise OptionError(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise OptionError(f"{name} must be 0 or more, not {number}")
    return number


def check_start_url(url: str, name: str = "URL") -> str:
    """An absolute http(s) URL with a host and nothing a browser would have to escape first."""
    url = url.strip()
    if any(character.isspace() for character in url):
        raise OptionError(f"{name} {url!r} contains a space: escape it as %20 or quote the whole URL")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError as error:
        raise OptionError(f"{name} {url!r} is not a valid URL ({error})") from None
    if parts.scheme not in ("http", "https"):
        raise OptionError(f"{name} {url!r} must start with http:// or https://")
    if not parts.hostname:
        raise OptionError(f"{name} {url!r} has no host name")
    return url


def did_you_mean(value: str, choices) -> str:
    """ ' (did you mean X?)' for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def check_choices(values: list[str], choices, name: str) -> list[str]:
    """Each value must be one of choices; the error names the closest one."""
    known = list(choices)
    for value in values:
        if value not in known:
            raise OptionError(f"{name}: unknown {value!r}{did_you_mean(value, known)}; known: {', '.join(known)}")
    return values
