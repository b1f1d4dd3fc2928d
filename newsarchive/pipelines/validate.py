"""ValidatePipeline: an article without URL, title or body becomes a recorded failure."""

from __future__ import annotations

from newsarchive.items import Article, PageFailure
from newsarchive.pipelines import update_articles

REQUIRED_FIELDS = ("url", "title", "body_text")


class ValidatePipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        return update_articles(item, self.validate, "validate", self.stats)

    def validate(self, article: Article) -> Article | PageFailure:
        missing = missing_fields(article)
        if not missing:
            return article
        self.stats.inc_value("newsarchive/validate/invalid_count")
        # Not dropped: the failure goes on to the store, with the reason, so nothing is lost.
        return PageFailure(
            url=article.url or "",
            reason="missing_" + "_".join(missing),
            detail=f"the page has no {', '.join(missing)}; fields found: {sorted(article.sources)}",
        )


def missing_fields(article: Article) -> list[str]:
    return [name for name in REQUIRED_FIELDS if not getattr(article, name)]
