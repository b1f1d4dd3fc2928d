"""What stands around an article and is not part of it: navigation, teasers, widgets, comments.

Judged by an element's tag and by the words of its class and id names ("xy-related-posts",
"hideOnPrint"), the vocabulary themes use the world over, so that no site's own names are needed.
"""

from __future__ import annotations

import re

from newsarchive.parsers.comments import is_comment_item

# Tags that hold no prose of the story even inside the story's container.
NOT_BODY_TAGS = frozenset({"figure", "figcaption", "aside", "nav", "form", "footer", "script", "style"})

# Words in class and id names that mark what is around an article, not in it (a theme's related
# posts and teasers, sharing buttons, comment lists, tag lists, post navigation, hidden text).
_BOILERPLATE_WORDS = frozenset(
    "related teaser share sharing social sidebar widget newsletter subscribe promo advert ads nav "
    "navigation pagination breadcrumb breadcrumbs tags comments comment respond meta byline hidden hide "
    "rating poll vote survey reactions feedback".split()
)
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")  # "xy-related-posts", "hideOnPrint": words of names


def is_boilerplate(element) -> bool:
    """A hidden element, a comment item, or one whose class or id names a widget, teaser or list."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    if "display:none" in (element.get("style") or "").replace(" ", ""):
        return True
    return bool(names.strip()) and (
        not _BOILERPLATE_WORDS.isdisjoint(word.lower() for word in _NAME_WORDS.findall(names))
        or is_comment_item(element)
    )


def inside_non_body(element, container) -> bool:
    """Inside a figure, an aside, a form ... or a widget (rating, sharing, related links) of the body."""
    for ancestor in element.iterancestors():
        if ancestor is container:
            return False
        if ancestor.tag in NOT_BODY_TAGS or is_boilerplate(ancestor):
            return True
    return False
