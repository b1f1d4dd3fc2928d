"""Tables read from the Unicode CLDR through Babel (month names, weekday names), built once and kept.

Babel keeps every locale it has loaded, with the locales it inherits from, for the life of the
process: all of a locale's data (calendars, currencies, time zones, units) for the few names a
table takes from it. In a parser worker that read the dev set's 272 pages twice, this held 9 MB
(peak RSS 102.6 MB against 93.4 with the data let go), in each worker of a crawl. So a table is
built from the data and the data let go at once; a table for another language loads its locale
again, once.

    >>> @cldr_table
    ... def first_month(language):
    ...     from babel.dates import get_month_names
    ...     return get_month_names("wide", locale=language)[1]
    >>> first_month("de")
    'Januar'
"""

from __future__ import annotations

from functools import lru_cache, wraps
from typing import Callable, TypeVar

T = TypeVar("T")


def cldr_table(build: Callable[..., T]) -> Callable[..., T]:
    """`build`'s table, made once for each argument (up to 256 kept), Babel's locale data let go after."""

    @lru_cache(maxsize=256)
    @wraps(build)
    def built(*arguments):
        from babel.localedata import clear_caches

        try:
            return build(*arguments)
        finally:
            clear_caches()

    return built
