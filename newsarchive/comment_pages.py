"""CommentPages: a story's comments read from every page they are split over.

The parsers list the other pages of a story's comments (`Article.comment_pages`,
newsarchive/parsers/comment_pages.py). While its page is being parsed, the spider fetches them
(`complete`), parses each for its comments alone, follows the pages each one links (a pager shows
"1 2 3 ... 9", and 9 shows 4 to 8), and adds their comments to the story's, each once, after its
own: the story stays one record of one page, as with a rendering (newsarchive/rendering.py), and
each comment page is kept as a capture of kind `comments`.

The comments are `complete` (and a stored comment missing from them is marked removed) only when
every page was read and the pages' counter, where there is one, is matched; a page that could not
be fetched or parsed leaves them `unreached`, with a warning naming it, and every later crawl asks
for the story again until it reads them (newsarchive/refresh.py). At most NEWSARCHIVE_COMMENT_PAGES
pages a story (0: none are read).
"""

from __future__ import annotations

import dataclasses
import logging

from newsarchive.archive.queries import COMMENT_PAGE_UNREAD
from newsarchive.archive.store import comment_keys
from newsarchive.items import Article, Layer
from newsarchive.other_pages import OtherPages
from newsarchive.parsers.comment_pages import comment_page_of
from newsarchive.parsers.comments import comments_status

logger = logging.getLogger(__name__)

# Why a comment page read was not read whole: its comments come by script (a frame of the site's own
# filled by its script, say), which a browser rendering the story's page reads (rendering.py).
SHOWS_NONE = "it shows none of the comments it says it has (its script loads them?)"
# What a comment page is parsed for (the rest of its parse, the story's body first, is skipped).
COMMENT_PAGE_FIELDS = ("comments", "comments_complete", "comments_status", "comment_count", "comment_pages")


class CommentPages(OtherPages):
    LIMIT_SETTING = "NEWSARCHIVE_COMMENT_PAGES"
    CAPTURE_KIND = "comments"
    FIELDS = COMMENT_PAGE_FIELDS

    async def complete(self, article: Article, parse_page, story=None) -> Article:
        """The article with the comments of its other comment pages. parse_page: an async function
        from a response and the fields wanted to the parsed record; story: the response of the
        story's page, whose result keeps their captures (keep_with_page)."""
        if not article.comment_pages or self.limit <= 0:
            return article
        read: list[Article] = []
        unread: list[str] = []
        waiting, asked = list(article.comment_pages), {article.url}
        while waiting:
            url = waiting.pop(0)
            if url in asked:
                continue
            if len(asked) > self.limit:
                unread.append(f"{url}: past NEWSARCHIVE_COMMENT_PAGES ({self.limit})")
                continue
            asked.add(url)
            page = await self._read(url, parse_page, unread, story)
            if page is not None:
                read.append(page)
                waiting += [other for other in page.comment_pages if other not in asked]
        stats = self.crawler.stats
        stats.inc_value("newsarchive/comment_pages/read_count", len(read))
        stats.inc_value("newsarchive/comment_pages/unread_count", len(unread))
        stats.inc_value("newsarchive/comment_pages/articles_count")
        return with_comment_pages(article, read, unread)

    async def _read(self, url: str, parse_page, unread: list[str], story=None) -> Article | None:
        """One comment page, parsed, or None (and why, in unread)."""
        try:
            page, _ = await self.fetch(url, parse_page, story)
        except Exception as error:  # noqa: BLE001 (a page not read leaves the comments unreached; the story is kept)
            logger.warning(f"cannot read the comment page {url}: {type(error).__name__}: {error}")
            unread.append(f"{url}: {type(error).__name__}: {error}")
            return None
        return page


def with_comment_pages(article: Article, read: list[Article], unread: list[str]) -> Article:
    """The article with the comments of the comment pages read added after its own, by page number,
    each comment once. Complete by the parsers' rule (newsarchive/parsers/article.py,
    fill_comments), over all the pages: none unread, and the counter, where one is shown, matched
    by the comments the markup or a site profile marks (without a counter, only a profile's).

    >>> from newsarchive.items import Comment
    >>> first = Article(url="https://b.example/s", comments=[Comment("Yes.", 0, site_comment_id="1")],
    ...                 comment_count=2, comment_pages=["https://b.example/s/comment-page-2"],
    ...                 sources={"comments": "markup"})
    >>> second = Article(url="https://b.example/s/comment-page-2",
    ...                  comments=[Comment("Yes.", 0, site_comment_id="1"), Comment("No.", 1, site_comment_id="2")])
    >>> merged = with_comment_pages(first, [second], [])
    >>> [(c.body_text, c.position) for c in merged.comments], merged.comments_status, merged.comments_complete
    ([('Yes.', 0), ('No.', 1)], 'complete', True)
    """
    # A page that shows no comment but says it has some (its list is filled by its script, or left
    # empty): its comments were not read, whatever the others' counters say.
    unread = [*unread, *(f"{page.url}: {SHOWS_NONE}"
                         for page in read if not page.comments and page.comments_status == "unreached")]
    # Two pages' comments are one when the archive would store them as one (its comment key).
    comments, seen = list(article.comments), set(comment_keys(article.comments))
    for page in sorted(read, key=_page_number):
        for comment, key in zip(page.comments, comment_keys(page.comments), strict=True):
            if key not in seen:
                seen.add(key)
                comments.append(comment)
    comments = [dataclasses.replace(comment, position=position) for position, comment in enumerate(comments)]
    shown = max((count for count in [article.comment_count, *(page.comment_count for page in read)]
                 if count is not None), default=None)
    source, matched = article.sources.get("comments"), shown is not None and len(comments) >= shown
    by_profile = source == Layer.PROFILE and (shown is None or matched)
    complete = not unread and (shown == 0 or by_profile or (source == Layer.MARKUP and matched))
    return dataclasses.replace(
        article, comments=comments, comments_complete=complete,
        comments_status="unreached" if unread else comments_status(len(comments), shown, False),  # pragma: no mutate (None is as False)
        warnings=[*article.warnings, *(f"{COMMENT_PAGE_UNREAD}{why} was not read" for why in unread)])


def _page_number(page: Article) -> int:
    shown = comment_page_of(page.url)
    return shown[1] if shown else 0
