"""ValidatePipeline: an article without URL, title or body becomes a recorded failure."""

from __future__ import annotations

from newsarchive.items import Article, PageFailure

REQUIRED_FIELDS = ("url", "title", "body_text")


class ValidatePipeline:
    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls()
        pipeline.stats = crawler.stats
        return pipeline

    def process_item(self, item):
        if not isinstance(item, Article):
            return item
        missing = missing_fields(item)
        if not missing:
            return item
        self.stats.inc_value("newsarchive/validate/invalid_count")
        # Not dropped: the failure goes on to the store, with the reason, so nothing is lost.
        return PageFailure(
            url=item.url or "",
            reason="missing_" + "_".join(missing),
            detail=f"the page has no {', '.join(missing)}; fields found: {sorted(item.sources)}",
        )


def missing_fields(article: Article) -> list[str]:
    return [name for name in REQUIRED_FIELDS if not getattr(article, name)]
