"""What several parsing steps ask of one page, found once.

The answers are the last page's, kept with its root (parsers never change a page's tree in place,
but for a rendered page's frames, taken out and put back: forget_page) and per thread: a worker
parses one page at a time, and the steps of that page share them.
"""

from __future__ import annotations

import threading

from lxml import etree

_LAST_PAGE = threading.local()


def per_page(root, name: str, find):
    """find(root), asked once a page for each name."""
    if getattr(_LAST_PAGE, "root", None) is not root:
        _LAST_PAGE.root, _LAST_PAGE.answers = root, {}
    answers = _LAST_PAGE.answers
    if name not in answers:
        answers[name] = find(root)
    return answers[name]


def forget_page(root) -> None:
    """Forget what was found of the page of `root`: its tree has changed."""
    if getattr(_LAST_PAGE, "root", None) is root:
        _LAST_PAGE.answers = {}


# The elements that carry a name a step may look for (class, id, item type or property, rel, a
# comment id), found by lxml in C, in page order. Steps that look for words in classes and ids
# (comment items and sections, comment services, bylines) read this list, made once a page, rather
# than each walking every element of the page.
_NAMED = etree.XPath("descendant-or-self::*[@class or @id or @itemtype or @itemprop or @rel or @data-comment-id]")


def named_elements(root) -> list[tuple]:
    """(element, its class, id and item type in lower case) for each named element of the page.

    >>> from lxml import html
    >>> [names for _, names in named_elements(html.fromstring("<div id='Main'><p class='Byline x'>A</p><p>B</p></div>"))]
    [' main ', 'byline x  ']
    """
    return per_page(root, "named", _find_named)


def _find_named(root) -> list[tuple]:
    return [(element, f"{element.get('class') or ''} {element.get('id') or ''} {element.get('itemtype') or ''}".lower())
            for element in _NAMED(root)]
