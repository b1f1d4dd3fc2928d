"""Item pipelines, one job each, in this order: normalise, validate, dedupe, (photo files), store.

A crawl's items are PageResults (newsarchive/items.py): one per response, holding the page's
records. Each pipeline works on the articles inside; an exception while it does becomes a
`store_error` failure of that page, naming the pipeline, and the crawl goes on.
"""

from __future__ import annotations

from newsarchive.items import Article, PageFailure, PageResult
from newsarchive.tracebacks import describe_exception


def update_articles(item, work, stage: str, stats):
    """Replace each Article of a PageResult by work(article): the article, or a record instead."""
    if not isinstance(item, PageResult):
        return item
    for position, record in enumerate(item.records):
        if not isinstance(record, Article):
            continue
        try:
            replaced = work(record)
        except Exception as error:  # noqa: BLE001 (any error is this page's failure, not the crawl's)
            stats.inc_value(f"newsarchive/store_error/{stage}")
            replaced = PageFailure(record.url, "store_error", f"{stage}: {describe_exception(error)}")
        if isinstance(replaced, PageFailure) and replaced.status is None and item.capture is not None:
            replaced.status = item.capture.status  # the page's, as a fetch failure has its own
        item.records[position] = replaced
    return item
