"""StoryPages: a story split over several pages, read whole.

Some sites split a long story over pages ("Page 2", WordPress's paginated posts) and say where the
next one is with `<link rel="next">` in the page's head (as Yoast and most CMSs print it). Only the
first page was stored: the rest of the story was lost without a word. Many print no `rel="next"`,
only a pager under the text ("1 2 3 Next »"): its link to the page numbered after this one's is
then the next page (linked_next_page). Now the spider fetches the next page while the first is
being parsed (`complete`), parses it for its body alone, follows its own next page, and appends
the blocks of each page to the story, a block a page repeats (a standfirst, a caption) once; the
story stays one record of its first page, as with comment pages (newsarchive/comment_pages.py),
and each further page is kept as a capture of kind `page`.

`rel="next"` is also what WordPress prints on a post for the *next post*, another story. So a next
page is taken only where its URL continues the story's own (next_story_page): the same path with a
page number added (`/story/2/`, `/story/page/2/`, `/story/seite-2`, `/story-2.html`) or the same
path and query with a page parameter (`?page=2`, `?p=2`). A page that could not be fetched or parsed leaves a warning
naming it, and the story as far as it was read. At most NEWSARCHIVE_STORY_PAGES pages a story
(20; 0 reads none).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from urllib.parse import parse_qsl, unquote, urldefrag, urljoin, urlsplit

from newsarchive.comment_pages import COMMENT_PAGE_FIELDS, with_comment_pages
from newsarchive.items import Article
from newsarchive.other_pages import OtherPages
from newsarchive.parsers.text import as_browsers_read

logger = logging.getLogger(__name__)

# What a further page is parsed for: its part of the story, and the comments a story's last page
# usually shows.
STORY_PAGE_FIELDS = ("body_blocks", "body_text", *COMMENT_PAGE_FIELDS)
HEAD_BYTES = 64 * 1024  # where a page's <link rel="next"> is looked for

_LINK_TAG = re.compile(rb"<link\b[^>]*>", re.IGNORECASE)
_REL_NEXT = re.compile(rb"""\brel\s*=\s*["']?\s*next\b""", re.IGNORECASE)
_ANCHOR_TAG = re.compile(rb"<a\s[^>]*>", re.IGNORECASE)
_HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
# The page number a further page's path adds to the story's: /2/, /page/2/ or /seite-2 after its path, -2 or
# _2 before its file extension (/story.html, /story-2.html). Not -2 after an extensionless path:
# WordPress gives a second post of one title the slug flood-2.
# The word a path may set before a page's number: /page/2, /seite-2.
_PAGE_SEGMENT = r"(?:(?:page|p|seite|pagina)[/-])?"
_PAGE_AFTER_PATH = re.compile(rf"^/{_PAGE_SEGMENT}(\d{{1,3}})/?$", re.IGNORECASE)
_PAGE_BEFORE_EXTENSION = re.compile(r"^[-_](\d{1,3})\.[a-z0-9]{1,5}$", re.IGNORECASE)
# Query parameters that number a story's pages. `p` only when the story's URL has none: with plain
# permalinks WordPress names its posts ?p=123, and the next post is ?p=124.
_PAGE_PARAMETERS = {"page", "p", "pg", "pagina", "seite", "pagenum", "part"}
# What a page's number follows in an address or a link: a page parameter's name after ?, & or ;
# (`&amp;page=`), or an href of a relative link.
_BEFORE_A_PAGE_NUMBER = re.compile(rb"(?:[?&;](?:%s)|\bhref\s*)$" % "|".join(sorted(_PAGE_PARAMETERS)).encode())


def next_story_page(body: bytes, url: str, story_url: str | None = None) -> str | None:
    """The page after the page at `url` of the story whose first page is at story_url (else `url`):
    the `<link rel="next">` in its head, when that continues the story's URL (see the module's
    docstring); else a link of the page's own pager, `<a href>` anywhere in it, to the page whose
    number follows this page's (`linked_next_page`); None when neither is there.

    >>> page = b"<html><head><link rel='next' href='/news/2024/flood/2/'></head>"
    >>> next_story_page(page, "https://n.example/news/2024/flood/")
    'https://n.example/news/2024/flood/2/'
    >>> next_story_page(b"<link href='/news/2024/drought/' rel=next>", "https://n.example/news/2024/flood/") is None
    True
    """
    story_url = story_url or url
    announced = _announced_next(body, url)
    if announced is not None and continues(story_url, announced):
        return announced
    return linked_next_page(body, url, story_url)


def _announced_next(body: bytes, url: str) -> str | None:
    """The URL of the first `<link rel="next">` in the page's head."""
    for tag in _LINK_TAG.findall(body[:HEAD_BYTES]):
        if _REL_NEXT.search(tag):
            return _absolute_href(tag, url)
    return None


def linked_next_page(body: bytes, url: str, story_url: str) -> str | None:
    """The page after this one by the links of the page's pager ("1 2 3 Next", "Page 2"), for the
    sites that print no `<link rel="next">`: the first `<a href>` whose URL continues the story's
    with the number that follows this page's. From the first page, that is 2, or 1 where a link
    to 1 continues the story: a site counting its pages from 0 (Drupal's `?page=1` is its second
    page; on a site counting from 1, that link is the first page again, read once more). Any other
    link, the next post's or another page's, adds no such number to the story's URL.

    >>> pager = b"<p>The river rose.</p><a href='/flood/'>1</a> <a href='/flood/2/'>2</a> <a href='/flood/3/'>3</a>"
    >>> linked_next_page(pager, "https://n.example/flood/", "https://n.example/flood/")
    'https://n.example/flood/2/'
    >>> linked_next_page(pager, "https://n.example/flood/2/", "https://n.example/flood/")
    'https://n.example/flood/3/'
    >>> linked_next_page(pager, "https://n.example/flood/3/", "https://n.example/flood/") is None
    True
    """
    first = url == story_url
    number = 0 if first else page_number(story_url, url)
    if number is None:
        return None
    wanted = {number + 1, number + 2} if first else {number + 1}
    found = _numbered_links(body, url, story_url, wanted)
    return found.get(number + 1) or found.get(number + 2)


def _numbered_links(body: bytes, url: str, story_url: str, wanted: set[int]) -> dict[int, str]:
    """The first link of the page to each further page of the story numbered in `wanted`."""
    marks = [str(number).encode() for number in wanted]
    names = _names_written(story_url)
    if not _may_link_pages(body, names, marks):
        return {}
    found: dict[int, str] = {}
    for tag in _ANCHOR_TAG.findall(body):
        if not any(mark in tag for mark in marks):
            continue
        href = _href(tag)
        # An href that names another path than the story's is none of its pages: not joined and
        # split (a page's hundreds of links, many with a digit, cost 0.7 ms so).
        if href is None or (href.startswith(("/", "http:", "https:")) and not any(name in href for name in names)):
            continue
        target = urldefrag(urljoin(url, href))[0]
        number = page_number(story_url, target)
        if number in wanted:
            found.setdefault(number, target)
    return found


def _names_written(story_url: str) -> set[str]:
    """The last name of the story's path (without an extension) as a page may write it in a link:
    as in the URL, percent-encoded in lower case, or in its own letters (an Arabic slug).

    >>> sorted(_names_written("https://n.example/news/%D8%B3%D9%8A%D9%84.html"))
    ['%D8%B3%D9%8A%D9%84', '%d8%b3%d9%8a%d9%84', 'سيل']
    """
    name = urlsplit(story_url).path.rstrip("/").rsplit("/", 1)[-1].split(".")[0]
    return {written for written in (name, name.lower() if "%" in name else name, unquote(name)) if written}


def _may_link_pages(body: bytes, names: set[str], marks: list[bytes]) -> bool:
    """Whether the page may link a further page numbered by one of `marks`: one of them written where
    a page's address holds it, after a page parameter (`page=2`) or an href (`href="2/"`,
    `href="page/2/"`), or after the story's name (`flood/2`, `flood-2.html`, `flood/page/2`). A look
    at the page's bytes where they hold such a number, without reading its links, which most
    stories' pages do not need (0.3 ms a page); a false yes only costs that reading."""
    numbers = b"|".join(marks)
    for found in re.finditer(rb"=[\"']?(?:\./)?%s(?:%s)(?!\d)" % (_PAGE_SEGMENT.encode(), numbers), body):
        if _BEFORE_A_PAGE_NUMBER.search(body[max(0, found.start() - 10):found.start()].lower()):
            return True
    after_name = re.compile(rb"[-_/]%s(?:%s)(?!\d)" % (_PAGE_SEGMENT.encode(), numbers), re.IGNORECASE)
    for name in (written.encode() for written in names):
        at = body.find(name)
        while at >= 0:
            if after_name.match(body, at + len(name)):
                return True
            at = body.find(name, at + 1)
    return False


def _absolute_href(tag: bytes, url: str) -> str | None:
    href = _href(tag)
    return None if href is None else urljoin(url, href)


def _href(tag: bytes) -> str | None:
    """The href of a tag, as written (its `&amp;` read)."""
    href = _HREF.search(tag)
    if href is None:
        return None
    written = next(part for part in href.groups() if part is not None).decode("utf-8", "replace")
    return as_browsers_read(written.replace("&amp;", "&"))


def continues(url: str, target: str) -> bool:
    """Whether `target` is a further page of the story at `url` (see page_number).

    >>> [continues("https://n.example/a/story.html", t) for t in ("https://n.example/a/story-2.html",
    ...  "https://n.example/a/story.html?page=2", "https://n.example/a/other.html", "https://m.example/a/story-2.html")]
    [True, True, False, False]
    >>> continues("https://n.example/?p=100", "https://n.example/?p=101")  # WordPress's next post
    False
    """
    return page_number(url, target) is not None


def page_number(url: str, target: str) -> int | None:
    """The number of the further page of the story at `url` that `target` is: on the same origin,
    a page number added to the story's path, or its path the same and a page parameter added to its
    query (or changed); None when `target` is no page of that story.

    >>> page_number("https://n.example/a/story.html", "https://n.example/a/story-3.html")
    3
    >>> page_number("https://n.example/a/story", "https://n.example/a/story?id=7") is None
    True
    """
    here, there = urlsplit(url), urlsplit(target)
    if (here.scheme, here.netloc.lower()) != (there.scheme, there.netloc.lower()) or target == url:
        return None
    # Paths compared in their own letters: a link may write an Arabic slug as it is, or its
    # percent-escapes in lower case, where the crawl's URL has them in upper case.
    here_path, there_path = unquote(here.path), unquote(there.path)
    if here_path == there_path:
        return _page_by_query(dict(parse_qsl(here.query)), dict(parse_qsl(there.query)))
    if here.query != there.query:
        return None
    path = here_path.rstrip("/")
    name = path.rsplit("/", 1)[-1]
    if "." in name:  # /story.html: /story-2.html
        stem = path.rsplit(".", 1)[0]
        added = _PAGE_BEFORE_EXTENSION.match(there_path[len(stem):]) if there_path.startswith(stem) else None
    else:
        added = _PAGE_AFTER_PATH.match(there_path[len(path):]) if path and there_path.startswith(path) else None
    return int(added.group(1)) if added else None


def _page_by_query(here: dict[str, str], there: dict[str, str]) -> int | None:
    """The page number of `there` when it is `here` with page parameters added, or its page
    parameter (not `p`) changed: the highest of their numbers (`?page=2&part=1` is page 2)."""
    changed = {name for name in here.keys() | there.keys() if here.get(name) != there.get(name)}
    paged = bool(changed) and all(
        name in there and there[name].isdigit() and name.lower() in _PAGE_PARAMETERS
        and (name not in here or name.lower() != "p") for name in changed)
    return max(int(there[name]) for name in changed) if paged else None


class StoryPages(OtherPages):
    LIMIT_SETTING = "NEWSARCHIVE_STORY_PAGES"
    CAPTURE_KIND = "page"
    FIELDS = STORY_PAGE_FIELDS

    async def complete(self, article: Article, story, parse_page) -> Article:
        """The article with the body of the story's further pages. story: the response of its first
        page, whose result keeps their captures (keep_with_page); parse_page: an async function from
        a response and the fields wanted to the parsed record."""
        if self.limit <= 0 or not article.body_blocks:
            return article
        url = next_story_page(story.body, article.url)
        if url is None:
            return article
        read: list[Article] = []
        asked = {article.url}
        unread = ""
        while url is not None and url not in asked:
            if len(read) >= self.limit:
                unread = f"{url}: past NEWSARCHIVE_STORY_PAGES ({self.limit})"
                break
            asked.add(url)
            page, unread, url = await self._read(url, article.url, parse_page, story)
            if page is None:
                break
            read.append(page)
        stats = self.crawler.stats
        stats.inc_value("newsarchive/story_pages/read_count", len(read))
        stats.inc_value("newsarchive/story_pages/unread_count", int(bool(unread)))
        stats.inc_value("newsarchive/story_pages/articles_count")
        return with_comments_of_pages(with_story_pages(article, read, unread), read)

    async def _read(self, url: str, story_url: str, parse_page, story) -> tuple[Article | None, str, str | None]:
        """One further page: (its parse, '', the page after it), or (None, why it was not read, None)."""
        try:
            page, response = await self.fetch(url, parse_page, story)
            if not page.body_blocks:
                raise ValueError("no story text on it")
        except Exception as error:  # noqa: BLE001 (a page not read leaves the story as far as it was read)
            logger.warning(f"cannot read the story page {url}: {type(error).__name__}: {error}")
            return None, f"{url}: {type(error).__name__}: {error}", None
        return page, "", next_story_page(response.body, url, story_url)


def with_comments_of_pages(article: Article, read: list[Article]) -> Article:
    """The article with the comments its further pages show (a story's comments are usually under
    its last page), merged as a comment page's are (newsarchive/comment_pages.py), and the other
    comment pages they link, for CommentPages to read next. A page whose comments come by script
    leaves them `unreached` when none were read."""
    showing = [page for page in read if page.comments or page.comment_count is not None or page.comment_pages]
    if not showing:
        return article
    source = article.sources.get("comments") or next(
        (page.sources["comments"] for page in showing if "comments" in page.sources), None)
    sources = {**article.sources, **({"comments": source} if source else {})}
    links = [*article.comment_pages, *(url for page in showing for url in page.comment_pages
                                       if url not in article.comment_pages)]
    counted = next((page for page in showing if page.comment_count is not None), None)
    if article.comment_count is None and counted is not None:  # the counter is with the comments, on the last page
        article = dataclasses.replace(article, comment_count=counted.comment_count,
                                      comment_count_raw=counted.comment_count_raw)
        if "comment_count" in counted.sources:
            sources["comment_count"] = counted.sources["comment_count"]
    merged = with_comment_pages(dataclasses.replace(article, sources=sources, comment_pages=links), showing, [])
    if not merged.comments and any(page.comments_status == "unreached" for page in showing):
        merged = dataclasses.replace(merged, comments_status="unreached", comments_complete=False)
    return merged


def with_story_pages(article: Article, read: list[Article], unread: str) -> Article:
    """The article with the blocks of its further pages after its own, in order, a block whose text
    an earlier page holds left out; a warning names the page not read, if any.

    >>> from newsarchive.items import BodyBlock
    >>> first = Article(url="https://n.example/s/", body_blocks=[BodyBlock("paragraph", "The river rose.")])
    >>> second = Article(url="https://n.example/s/2/", body_blocks=[BodyBlock("paragraph", "The river rose."),
    ...                                                             BodyBlock("paragraph", "Then it fell.")])
    >>> whole = with_story_pages(first, [second], "")
    >>> whole.body_text, whole.warnings
    ('The river rose.\\n\\nThen it fell.', [])
    """
    blocks, seen = list(article.body_blocks), {block.text for block in article.body_blocks}
    for page in read:
        for block in page.body_blocks:
            if block.text not in seen:
                seen.add(block.text)
                blocks.append(block)
    warnings = [*article.warnings, *([f"story_pages: {unread} was not read; the story is as far as it was"] if unread else [])]
    return dataclasses.replace(article, body_blocks=blocks, body_text="\n\n".join(block.text for block in blocks),
                               warnings=warnings)
