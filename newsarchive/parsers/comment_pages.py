"""Comments split over several pages: the links from a story's page to the other pages of its comments.

A story with many comments may show them a page at a time, each page at the story's URL with a
marker: WordPress's `/comment-page-2/` path segment (and its `?cpage=2` without pretty links), or a
query parameter such as `comment_page=2` or `commentsPage=2`, or any numbered page parameter of a
link to the page's comments (`?page=2#comments`). A link is one of this story's comment
pages when its URL, without the marker and its fragment, is the story's own: "recent comments"
lists link other stories' comment pages, which are theirs. The crawl reads them and adds their
comments to the story's (newsarchive/comment_pages.py); without them a page showing the first 25 of
200 comments would pass for a story with 25. A frame of the site's own that shows the comments
(comment_frames) is read the same way.

    >>> comment_page_of("https://blog.example/2024/05/01/flood/comment-page-2/#comments")
    ('https://blog.example/2024/05/01/flood', 2)
    >>> comment_page_of("https://blog.example/?p=17&cpage=3")
    ('https://blog.example/?p=17', 3)
    >>> comment_page_of("https://blog.example/2024/05/01/flood/") is None
    True
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from newsarchive.parsers.urls import canonicalise_url
from newsarchive.scope import origin_of

_PATH_MARKER = re.compile(r"/comment-page-(\d+)/?$", re.IGNORECASE)
# Query parameters that number a page of comments (compared in lower case, "-" and "_" dropped).
_PAGE_PARAMETERS = frozenset({"cpage", "commentpage", "commentspage"})
# A link to the comments of a page (`#comments`, `#comment-list`; not `#comment-12`, one comment):
# with it, any numbered page parameter (`?page=2#comments`, a CMS's own pager) numbers a comment page.
_COMMENTS_FRAGMENT = re.compile(r"^comments?(?:[-_][a-z]+)*$", re.IGNORECASE)
# Cheap test of a raw href before it is made absolute and canonical (most of a page's links fail it).
MAY_BE_A_COMMENT_PAGE = re.compile(r"comments?[-_]?page|cpage|#comments?\b", re.IGNORECASE)
_HREFS = etree.XPath("//a/@href", smart_strings=False)  # plain strings: no reference back to each element


def comment_page_of(url: str | None) -> tuple[str, int] | None:
    """(the story's URL, the page's number) for a URL of a page of a story's comments, else None.
    The story's URL is compared without a trailing slash: `/flood/` and `/flood/comment-page-2/`."""
    if not url:
        return None
    parts = urlsplit(url)
    marker = _PATH_MARKER.search(parts.path)
    if marker:
        return _story_url(parts, parts.path[:marker.start()], parts.query), int(marker.group(1))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    to_comments = bool(_COMMENTS_FRAGMENT.match(parts.fragment))
    for index, (name, value) in enumerate(pairs):
        name = name.lower().replace("-", "").replace("_", "")
        if (name in _PAGE_PARAMETERS or (to_comments and "page" in name)) and value.isdigit():
            rest = urlencode(pairs[:index] + pairs[index + 1:])
            return _story_url(parts, parts.path, rest), int(value)
    return None


def _page_by_fragment(url: str | None) -> tuple[str, int] | None:
    """comment_page_of a link that numbers its page with a parameter of the site's own and says it
    leads to the comments (`?page=2#comments`), its story's URL canonical as the page's."""
    page = comment_page_of(url) if url and "#" in url else None
    story = canonicalise_url(page[0]) if page else None
    return (story_key(story), page[1]) if page and story else None


def _story_url(parts, path: str, query: str) -> str:
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/") or "/", query, ""))


def story_of(url: str) -> str | None:
    """The URL of the story whose comment page url is, as its own page gives it (a comment page
    whose path ends in "/" belongs to a story whose path does), or None for any other URL.

    >>> story_of("https://blog.example/2024/05/01/flood/comment-page-2/#comment-7")
    'https://blog.example/2024/05/01/flood/'
    """
    page = comment_page_of(url)
    if page is None:
        return None
    story, slash = page[0], urlsplit(url).path.endswith("/")
    if not slash:
        return story
    parts = urlsplit(story)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/", parts.query, ""))


def story_key(url: str) -> str:
    """A story's URL as comment_page_of gives it: no fragment, no trailing slash."""
    parts = urlsplit(url)
    return _story_url(parts, parts.path, parts.query)


def other_comment_pages(root, page_url: str, absolute) -> list[str]:
    """The canonical URLs of the other pages of the comments of the story at page_url (itself a
    story's page or one of its comment pages): the frames of its own site that show them
    (comment_frames), then its comment pages by page number, each once. absolute: the document's
    function from an href to an absolute URL."""
    own = canonicalise_url(page_url)
    if own is None:
        return []
    shown = comment_page_of(own)
    story = shown[0] if shown else story_key(own)
    found: dict[str, int] = {}
    for href in _HREFS(root):
        if not MAY_BE_A_COMMENT_PAGE.search(href):
            continue
        linked = absolute(href)
        url = canonicalise_url(linked)
        page = comment_page_of(url) or _page_by_fragment(linked)
        if url and page and page[0] == story and url != own:
            found.setdefault(url, page[1])
    frames = [url for url in comment_frames(root, own, absolute) if url not in found]
    return frames + sorted(found, key=lambda url: (found[url], url))


# What names a frame as the comments' (its address, id, class, name or title), in the languages of
# the sites met so far; and as the form to write one (Blogger's comment-editor, comment_form ...).
_COMMENT_FRAME = re.compile(r"comment|kommentar|комментар|تعليق", re.IGNORECASE)
_FORM_FRAME = re.compile(r"form|editor", re.IGNORECASE)
_FRAMES = etree.XPath("//iframe[@src]")
_SET_IN = etree.XPath("//section/@data-newsarchive-frame")  # rendering.with_frames's sections


def comment_frames(root, own: str, absolute) -> list[str]:
    """The canonical URLs of the frames that show a story's comments from its own site (scheme,
    host and port): a page of comments set into the story's page, which a browser shows as part of
    it and the story's HTML does not hold (`<iframe src="/comments/?article=1">`). Read as a page
    of the story's comments, also without a browser; a comment service's frame, on another site, is
    the browser's (newsarchive/rendering.py).

    >>> from lxml import html
    >>> page = html.fromstring("<div><iframe src='/comments/?article=1'></iframe><iframe src='/ads/1'></iframe>"
    ...                        "<iframe title='Comments' src='https://talk.example/embed?s=1'></iframe>"
    ...                        "<iframe id='comment-editor' src='/comment-iframe?post=1'></iframe></div>")
    >>> comment_frames(page, "https://news.example/a/1", lambda href: "https://news.example" + href if href[0] == "/" else href)
    ['https://news.example/comments/?article=1']

    A frame a browser's rendering set in (rendering.with_frames) is no page left to read:

    >>> rendered = html.fromstring("<div><iframe src='/comments/?article=1'></iframe>"
    ...                            "<section data-newsarchive-frame='https://news.example/comments/?article=1'></section></div>")
    >>> comment_frames(rendered, "https://news.example/a/1", lambda href: "https://news.example" + href)
    []
    """
    origin = origin_of(own)
    # A page a browser rendered holds what its frames showed (rendering.with_frames): read already.
    frames: list[str] = [url for url in map(canonicalise_url, _SET_IN(root)) if url]
    set_in = len(frames)
    for frame in _FRAMES(root):
        names = " ".join(frame.get(name) or "" for name in ("src", "id", "class", "name", "title"))
        if not _COMMENT_FRAME.search(names) or _FORM_FRAME.search(names):
            continue
        url = canonicalise_url(absolute(frame.get("src")) or "")
        if url and url != own and origin_of(url) == origin and url not in frames:
            frames.append(url)
    return frames[set_in:]
