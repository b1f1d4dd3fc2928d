"""CLDR tables (newsarchive/parsers/cldr.py): built once per argument, and Babel's locale data let
go after, which Babel would otherwise keep for the life of a parser worker."""

from __future__ import annotations

import gc
import tracemalloc

from newsarchive.parsers.cldr import cldr_table


def month_names_table():
    built = []

    @cldr_table
    def first_month(language: str) -> str:
        from babel.dates import get_month_names

        built.append(language)
        return get_month_names("wide", locale=language)[1]

    return first_month, built


def babel_bytes_held_by(work) -> int:
    """The bytes allocated in Babel's modules by `work` and still held after it."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        work()
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    return sum(stat.size_diff for stat in after.compare_to(before, "filename")
               if "/babel/" in stat.traceback[0].filename.replace("\\", "/"))


def test_a_table_is_built_once_for_each_argument():
    first_month, built = month_names_table()
    assert [first_month("fr"), first_month("fr"), first_month("es")] == ["janvier", "janvier", "enero"]
    assert built == ["fr", "es"]


def test_the_locale_data_a_table_was_read_from_is_let_go():
    first_month, _ = month_names_table()
    first_month("de")  # Babel's modules imported, and its root locale read once, before measuring
    # A locale Babel keeps holds some 750 KB (see the next test); let go, what stays is the table's
    # one name (about 500 bytes).
    assert babel_bytes_held_by(lambda: first_month("it")) < 20_000


def test_babel_keeps_a_locale_it_was_not_told_to_let_go():
    # The measure itself: the same reading without cldr_table holds the locale's data.
    from babel.dates import get_month_names

    get_month_names("wide", locale="de")
    assert babel_bytes_held_by(lambda: get_month_names("wide", locale="nl")) > 100_000
