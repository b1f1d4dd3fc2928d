"""NormalisePipeline: canonical URLs and clean text before anything compares or stores them."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from newsarchive.items import Article
from newsarchive.parsers.text import normalise_text
from newsarchive.parsers.urls import canonicalise_url
from newsarchive.pipelines import update_articles


class NormalisePipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        return update_articles(item, lambda article: normalise_article(article, self.stats), "normalise", self.stats)


def normalise_article(article: Article, stats=None) -> Article:
    article.url = canonicalise_url(article.url) or article.url
    article.canonical_url = choose_canonical_url(article.url, article.canonical_url)
    if article.canonical_url != canonicalise_url(article.url) and stats is not None:
        stats.inc_value("newsarchive/normalise/rel_canonical_count")
    article.title = normalise_text(article.title)
    article.byline_raw = normalise_text(article.byline_raw)
    for block in article.body_blocks:
        block.text = normalise_text(block.text) or ""
    article.body_blocks = [block for block in article.body_blocks if block.text]
    if article.body_blocks:
        article.body_text = "\n\n".join(block.text for block in article.body_blocks)
    elif article.body_text:
        article.body_text = unicodedata.normalize("NFC", article.body_text.strip()) or None
    for author in article.authors:
        author.name = normalise_text(author.name) or author.name
    for photo in article.photos:
        photo.url = canonicalise_url(photo.url) or photo.url
    for comment in article.comments:
        comment.body_text = normalise_text(comment.body_text) or ""
        comment.author_name = normalise_text(comment.author_name)
    return article


def choose_canonical_url(url: str, declared: str | None) -> str:
    """The page's rel=canonical when it is trustworthy, else the fetched URL.

    A canonical on another host or pointing at the site's front page is a template mistake
    seen on real sites; trusting it would merge unrelated articles into one.
    """
    canonical = canonicalise_url(declared)
    if not canonical:
        return url
    declared_parts = urlsplit(canonical)
    if _site_host(url) != _site_host(canonical) or declared_parts.path.strip("/") == "":
        return url
    return canonical


def _site_host(url: str) -> str:
    """The host without a leading www.; "" for a URL without one (a fetched URL that is not http)."""
    # No mutate: any other placeholder compares alike, since a canonical URL always has a host
    # and hosts are lower case.
    host = urlsplit(url).hostname or ""  # pragma: no mutate
    return host.removeprefix("www.")
