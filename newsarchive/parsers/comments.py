"""Comments on any site: the server-rendered markup of the common platforms, threading kept.

A comment item is an element that the markup marks as one: a class `comment` (WordPress's
`li.comment`, `article.comment`, `div.comment`), an id like `comment-123` / `li-comment-123`, a
`data-comment-id`, or schema.org `Comment` microdata. Replies are items nested in another item
(WordPress's `ul.children`), or items naming their parent (`data-parent-id`): threading is the
nesting or the parent id. Within an item, and outside its replies: the author (`.fn`,
`.comment-author`, `.discussion__name`, `[itemprop=author]`, `cite` ...), the time
(`time[datetime]`, date classes) and the text (`.comment-content`, `.comment-body`,
`[itemprop=text]`, else the item's own paragraphs). The site's id comes from the item's id.
`comment_counter` finds the "3 Comment(s)" a page prints above them.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from newsarchive.items import Comment
from newsarchive.parsers.dates import find_date
from newsarchive.parsers.text import element_text, western_digits

_ITEM_CLASSES = {"comment", "comment-item", "commentlist-item", "comment-entry", "comments-item", "c-comment"}
_ID = re.compile(r"^(?:li-|div-)?comment-?([a-z]{0,3}\d[\w-]*)$", re.I)
# Parts of a comment by class: `fn`, `comment-author`, `xy-comment-author`, `username`; `comment-date`,
# `datetime`, `timestamp`, `comment-metadata`.
_AUTHOR_CLASS = re.compile(r"author|user-?name|nickname|^fn$|[-_]name$", re.I)
_DATE_CLASS = re.compile(r"date|time|comment-?meta", re.I)
_SKIP_CLASSES = frozenset({"reply", "comment-reply-link", "comment-reply", "comment-meta", "comment-metadata",
                           "comment-author", "says", "comment-awaiting-moderation", "edit-link"})


_ITEM_TAGS = frozenset({"li", "article", "section", "div", "dd", "blockquote", "aside"})
# A class that names one comment ends in the word (`comment`, `xy-comment`, `PostComment`,
# `c-comment`) or in one of the item words after it; `comment-list`, `comments`,
# `comment-content` and `ajax-comment-wrapper` name its containers and parts.
# `leave-comment`, `no-comment`, `add-comment` name the form and the placeholders around them.
_ITEM_CLASS = re.compile(
    r"(?<!leave)(?<!leave[-_])(?<!no)(?<!no[-_])(?<!add)(?<!add[-_])(?<!post[-_])(?<!write)(?<!write[-_])"
    r"(?<!your[-_])(?<!new[-_])comment(?:[-_]?(?:item|entry|container|thread-item|node))?$",
    re.I,
)


def _names_a_comment(class_name: str) -> bool:
    return class_name.lower() in _ITEM_CLASSES or bool(_ITEM_CLASS.search(class_name))


def _classes(element) -> set[str]:
    return set((element.get("class") or "").split())


def _has_class(element, pattern: re.Pattern) -> bool:
    return any(pattern.search(name) for name in _classes(element))


def is_comment_item(element) -> bool:
    if not isinstance(element.tag, str) or element.tag not in _ITEM_TAGS:
        return False
    if any(_names_a_comment(name) for name in _classes(element)):
        return element.find(".//textarea") is None  # a comment form is no comment
    if _ID.match(element.get("id") or "") and element.tag in ("li", "article", "div"):
        return True
    if element.get("data-comment-id") and element.find(".//textarea") is None:
        return True
    return "schema.org/Comment" in (element.get("itemtype") or "")


# Elements that may be comment items, found in C by lxml before the Python checks: every item
# carries "comment" in its class, id or item type (any case).
_MAYBE_COMMENT = etree.XPath(
    "//*[contains(translate(concat(@class, ' ', @id, ' ', @itemtype), 'COMENT', 'coment'), 'comment')"
    " or @data-comment-id]"
)


def comment_items(root) -> list:
    """The elements that are the page's comments, one per comment, in document order."""
    return _outermost_per_comment([element for element in _MAYBE_COMMENT(root) if is_comment_item(element)])


def extract_comments(root, language: str | None = None) -> list[Comment]:
    """Every comment item of the page, in document order (a parent before its replies)."""
    items = comment_items(root)
    item_set = set(items)
    ids = {item: _site_id(item) for item in items}
    comments: list[Comment] = []
    depths: dict[str, int] = {}
    for item in items:
        parent = _parent_item(item, item_set)
        parent_id = ids.get(parent) if parent is not None else item.get("data-parent-id") or None
        text = _text(item, item_set)
        if not text or is_not_a_comment(text) or _is_teaser(item, text):
            continue
        author = _first_text(item, item_set, itemprop="author")
        posted_raw = _date_raw(item, item_set)
        depth = _depth(item, item_set) if parent is not None else depths.get(parent_id, -1) + 1 if parent_id else 0
        if site_id := ids[item]:
            depths[site_id] = depth
        comments.append(Comment(
            body_text=text, position=len(comments), site_comment_id=ids[item], parent_id=parent_id,
            depth=depth, author_name=author,
            posted_at=find_date(posted_raw, language) if posted_raw else None, posted_at_raw=posted_raw,
        ))
    return comments


# What a comment section says around its comments, never a comment itself: the form's prompts
# and notes, the empty state, the login prompt, the section's headings (several languages). A
# short text that is (almost) only one of these is no comment; a long one quoting it may be.
_NOT_A_COMMENT = re.compile(
    r"leave an? (?:reply|comment|response)|(?:post|add|write|submit) an? (?:new )?comment|"
    r"your e-?mail(?: address)? will not be published|required fields are marked|"
    r"^no comments?(?: yet)?$|there are no comments|no comments yet|be the first to comment|(?:log|sign) ?in to (?:leave a )?comment|"
    r"please (?:log|sign) ?in (?:here )?to|comments are (?:closed|moderated)|commenting (?:is|has been) (?:closed|disabled)|"
    r"(?:please )?enter your comment|join the (?:conversation|discussion)|cancel reply|"
    r"^(?:user|recent|latest|newest) comments$|^comments?$|^reply$|^post$|"
    r"hinterlasse (?:jetzt )?einen kommentar|schreibe? (?:einen|deinen) kommentar|kommentar (?:verfassen|hinzufügen|schreiben|abgeben)|"
    r"^jetzt kommentieren|^kommentieren(?: sie)?$|^(?:noch |bisher |derzeit |leider )?keine kommentare|sind (?:noch |derzeit )?keine kommentare|"
    r"(?:erstellen sie|schreiben sie|sei) (?:jetzt )?(?:den|der) erste|ersten kommentar|"
    r"bitte geben sie ihren kommentar ein|melde dich an,? um|melden sie sich an,? um|"
    r"^(?:neueste|letzte|aktuelle) kommentare$|^kommentare?$|e-mail-adresse wird nicht veröffentlicht|"
    r"kommentieren dieses artikels wurde deaktiviert|kommentarfunktion (?:ist |wurde )?(?:deaktiviert|geschlossen)|"
    r"laisser un commentaire|laissez un commentaire|^aucun commentaire|soyez le premier|"
    r"adresse (?:e-?mail|de messagerie) ne sera pas publiée|connectez-vous pour commenter|"
    r"deja (?:un comentario|una respuesta)|no hay comentarios|sé el primero en comentar|"
    r"inici(?:ar|a) sesión para comentar|para comentar .{0,40}iniciar sesión|"
    r"lascia un commento|^nessun commento|"
    r"оставьте комментарий|(?:нет|пока нет) комментариев|комментариев (?:пока )?нет|"
    r"أضف تعليق|اترك تعليقا|لا توجد تعليقات",
    re.IGNORECASE,
)
# A form's notes run to a few sentences; a comment quoting one of them is longer.
_FORM_TEXT_MAX = 200


def is_not_a_comment(text: str) -> bool:
    """Whether a text from a comment section is its furniture, not a comment: a counter or a
    number alone, or a short text that is a form prompt, a note, an empty state or a heading.

    >>> is_not_a_comment("Leave a Reply"), is_not_a_comment("3 Kommentare"), is_not_a_comment("Great piece, thanks.")
    (True, True, False)
    """
    text = " ".join(text.split()).strip(" .:!?…*-–")
    if not text or re.fullmatch(r"\W*\d+\W*", text) or _COUNTER.match(western_digits(text)):
        return True
    return len(text) <= _FORM_TEXT_MAX and bool(_NOT_A_COMMENT.search(text))


def _is_teaser(item, text: str) -> bool:
    """A teaser of another article marked like a comment ("recent comments" widgets, related
    stories): its whole text is the text of a link it holds."""
    return any(element_text(link) == text for link in item.iter("a") if link.get("href"))


# Elements whose id or class speaks of comments (`#comments`, `.comment-list`, `.kommentare`).
_MAYBE_CONTAINER = etree.XPath(
    "//*[contains(translate(concat(@id, ' ', @class), 'COMENT', 'coment'), 'comment')"
    " or contains(translate(concat(@id, ' ', @class), 'KOMENTAR', 'komentar'), 'kommentar')]"
)
_FORM_TAGS = frozenset({"form", "textarea", "input", "button"})
# The least text of an item of a comment list (a form's labels and links are shorter).
_ITEM_TEXT_MIN = 20


def shows_a_comment_list(root) -> bool:
    """Whether the page holds a list of comments, whatever its markup: inside an element whose
    id or class names comments, two or more sibling items (`li`, `div`, `article` ...) of the same
    tag and class, each with text of its own (not only a link's: a list of teasers) and no form
    field.

    >>> from lxml import html
    >>> shows_a_comment_list(html.fromstring(
    ...     "<div id='comments'><div class='e'><p>First reply to the story, with words.</p></div>"
    ...     "<div class='e'><p>Second reply to the story, with words.</p></div></div>"))
    True
    >>> shows_a_comment_list(html.fromstring("<div id='comments'><h3>Leave a Reply</h3><form><textarea></textarea></form></div>"))
    False
    """
    for container in _MAYBE_CONTAINER(root):
        if container.tag in _FORM_TAGS or container.tag == "a":
            continue
        for element in container.iter(*_ITEM_TAGS, "ul", "ol", "dl"):
            if _has_repeated_items(element):
                return True
    return False


def _has_repeated_items(parent) -> bool:
    shapes: dict[tuple[str, str], int] = {}
    for child in parent:
        if not isinstance(child.tag, str) or child.tag not in _ITEM_TAGS:
            continue  # paragraphs side by side are one notice's text, not a list of comments
        text = element_text(child) or ""
        if len(text) < _ITEM_TEXT_MIN or any(True for _ in child.iter(*_FORM_TAGS)) or _is_teaser(child, text):
            continue
        shape = (child.tag, child.get("class") or "")
        shapes[shape] = shapes.get(shape, 0) + 1
        if shapes[shape] >= 2:
            return True
    return False


# "3 Comment(s)", "12 comments", "1 комментарий", "٣ تعليقات", "Comments (4)": a counter, alone in its element.
_COUNTER = re.compile(r"^\W*(?:(\d+)\s*(?:comments?|comment\(s\)|kommentare?|commentaires?|комментари\w*|"
                      r"تعليقات|تعليق)|(?:comments?|kommentare|commentaires|комментарии|التعليقات)\s*\(?(\d+)\)?)\W*$",
                      re.IGNORECASE)


# Elements whose own text speaks of comments: the few worth reading whole (found in C by lxml).
_MAYBE_COUNTER = etree.XPath(
    "//*[text()[" + " or ".join(f"contains(., '{w}')" for w in ("omment", "OMMENT", "ommentar", "оммент", "تعليق"))
    + "]]"
)


def comment_counter(root) -> tuple[str | None, int | None]:
    """The comment count a page prints (as printed, and its number), from a heading or counter
    element whose whole text is a count of comments."""
    element = comment_counter_element(root)
    if element is None:
        return None, None
    text = element_text(element)
    match = _COUNTER.match(western_digits(text or ""))
    if text is None or match is None:  # never: comment_counter_element matched this very text
        return None, None
    return text, int(match.group(1) or match.group(2))


def comment_counter_element(root):
    """The element whose whole text is the page's count of comments, if any."""
    for element in _MAYBE_COUNTER(root):
        if len(element) > 2 or is_comment_item(element):
            continue  # a counter is a short element, not a container or a comment
        text = element_text(element)
        if text and len(text) < 40 and _COUNTER.match(western_digits(text)):
            return element
    return None


def _outermost_per_comment(items: list) -> list:
    """WordPress wraps `div.comment-body` (id div-comment-N) in `li.comment` (id comment-N): one
    comment, two matching elements. An item inside another with no reply list between them is a
    wrapper of that comment, not a reply: keep the outer one."""
    item_set = set(items)
    kept = []
    for item in items:
        parent = _parent_item(item, item_set)
        wrapper = (parent is not None and not _has_list_between(item, parent)
                   and (_site_id(item) is None or _site_id(item) == _site_id(parent)))
        if not wrapper:
            kept.append(item)
    return kept


def _has_list_between(item, ancestor) -> bool:
    element = item.getparent()
    while element is not None and element is not ancestor:
        if element.tag in ("ul", "ol") or _classes(element) & {"children", "replies", "comment-replies"}:
            return True
        element = element.getparent()
    return False


def _site_id(item) -> str | None:
    match = _ID.match(item.get("id") or "")
    if match:
        return match.group(1)
    for attribute in ("data-comment-id", "data-id"):
        if item.get(attribute):
            return item.get(attribute)
    return None


def _parent_item(item, item_set):
    element = item.getparent()
    while element is not None:
        if element in item_set:
            return element
        element = element.getparent()
    return None


def _depth(item, item_set) -> int:
    depth, parent = 0, _parent_item(item, item_set)
    while parent is not None:
        depth, parent = depth + 1, _parent_item(parent, item_set)
    return depth


def _own(item, item_set):
    """The descendants of an item that belong to it, not to one of its replies."""
    for element in item.iterdescendants():
        if not isinstance(element.tag, str):
            continue
        owner = _parent_item(element, item_set) if element not in item_set else None
        if element in item_set or owner is not item:
            continue
        yield element


def _first_text(item, item_set, itemprop: str) -> str | None:
    """The comment's author: its first own element marked as one (itemprop, class, `cite`)."""
    for element in _own(item, item_set):
        if element.get("itemprop") == itemprop or _has_class(element, _AUTHOR_CLASS) or element.tag == "cite":
            name_element = next((e for e in element.iter() if isinstance(e.tag, str) and
                                 (_classes(e) & {"fn", "name"} or e.get("itemprop") == "name")), element)
            text = element_text(name_element)
            if text:
                return re.sub(r"\s+(says|sagt|a dit|пишет):?$", "", text, flags=re.I)
    return None


def _date_raw(item, item_set) -> str | None:
    for element in _own(item, item_set):
        if element.tag == "time":
            return element.get("datetime") or element_text(element)
        if element.get("itemprop") in ("dateCreated", "datePublished"):
            return element.get("content") or element.get("datetime") or element_text(element)
    for element in _own(item, item_set):
        if _has_class(element, _DATE_CLASS):
            return element_text(element)
    return None


def _text(item, item_set) -> str | None:
    """The comment's text part (the longest, since a `secondary-text` date may match too), else its
    own paragraphs, else its own text."""
    parts = [
        _paragraphs(element, item, item_set) or ""
        for element in _own(item, item_set)
        if element.get("itemprop") == "text" or any(_TEXT_PART.search(name) for name in _classes(element))
    ]
    return max(parts, key=len, default="") or _paragraphs(item, item, item_set) or _own_text(item, item_set)


# The part of a comment that holds its text: `comment-content`, `PostCommentContent`,
# `media-object_body`, `comment__text`, `message`.
_TEXT_PART = re.compile(r"(?:content|body|text|message)$", re.I)


def _own_text(item, item_set) -> str | None:
    """A comment whose text stands in no paragraph or text part: the item's text less its replies,
    author, date, reply links and forms."""
    pruned = copy.deepcopy(item)
    for element in list(pruned.iterdescendants()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        names = _classes(element)
        if (is_comment_item(element) or element.tag in ("form", "button", "time", "cite", "script", "style")
                or names & _SKIP_CLASSES or _has_class(element, _AUTHOR_CLASS) or _has_class(element, _DATE_CLASS)
                or names & {"children", "replies", "comment-replies"}):
            element.drop_tree()  # lxml.html keeps the text that follows it
    return element_text(pruned)


def _paragraphs(container, owner, item_set) -> str | None:
    """The paragraphs of `container` that belong to the comment `owner`, or its text if it has none."""
    parts = []
    for element in container.iter("p"):
        if _parent_item(element, item_set) is not owner:
            continue  # a reply's paragraph
        if any(_classes(a) & _SKIP_CLASSES for a in element.iterancestors()):
            continue
        text = element_text(element)
        if text:
            parts.append(text)
    if parts:
        return "\n\n".join(parts)
    return None if container is owner else element_text(container)


# Comment services a page loads by script: the placeholder element or the script that fills it.
# Disqus (`#disqus_thread`, embed.js), Facebook (`.fb-comments`), Commento (`#commento`),
# Hyvor Talk (`<hyvor-talk-comments>`), Remark42, Coral, Giscus and utterances.
_EMBED_PLACEHOLDER = etree.XPath(
    "//*[@id='disqus_thread' or @id='commento' or @id='remark42' or @id='coral_thread'"
    " or contains(concat(' ', normalize-space(@class), ' '), ' fb-comments ')]"
    " | //hyvor-talk-comments | //*[@data-hyvor-talk-id or @data-fb-comments]"
)
_EMBED_SCRIPT = re.compile(r"disqus\.com/|commento\.io|talk\.hyvor\.com|remark42|coral\.js|giscus\.app|utteranc\.es"
                           r"|facebook\.net/[^\"']*(?:xfbml|sdk)", re.I)
# A `data-` attribute naming a comment API or thread, e.g. data-comments-url="/api/comments/12".
_DATA_COMMENT_ATTRIBUTE = etree.XPath("//@*[starts-with(name(), 'data-') and contains(name(), 'comment')]")
_DATA_COMMENT_NAMES = frozenset({"data-comment-id", "data-parent-id"})  # a comment item's own marks
_EMPTY_CONTAINER = etree.XPath(
    "//*[not(self::a or self::form or self::script) and (@id='comments' or @id='comment-list'"
    " or @id='comments-container' or contains(concat(' ', normalize-space(@class), ' '), ' comments '))"
    " and not(*) and not(normalize-space())]"
)


def comments_loaded_by_script(root) -> bool:
    """Whether the page says comments come later, by script: a known comment service's
    placeholder or script, a `data-` attribute naming a comment API, or an empty comments
    container (a section with a form or a "no comments yet" notice is no sign: it is rendered).

    >>> from lxml import html
    >>> comments_loaded_by_script(html.fromstring("<div><div id='disqus_thread'></div></div>"))
    True
    >>> comments_loaded_by_script(html.fromstring("<div><div id='comments'><p>No comments yet.</p></div></div>"))
    False
    """
    if _EMBED_PLACEHOLDER(root) or _EMPTY_CONTAINER(root):
        return True
    if any(_EMBED_SCRIPT.search(script.get("src") or script.text or "") for script in root.iter("script")):
        return True
    return any(attribute.attrname not in _DATA_COMMENT_NAMES for attribute in _DATA_COMMENT_ATTRIBUTE(root))


def comments_status(read: int, shown: int | None, loaded_by_script: bool) -> str:
    """Whether a page's comments were all read: `complete` (comments read, and no fewer than its
    counter says), `unreached` (the page says it has comments, by a counter above what was read
    or a sign they come by script, and they are not in the HTML) or `none` (no comments and no
    sign of any).

    >>> comments_status(0, 5, False), comments_status(5, 5, False), comments_status(0, None, False)
    ('unreached', 'complete', 'none')
    """
    if shown is not None and shown > read:
        return "unreached"
    if read:
        return "complete"
    return "unreached" if loaded_by_script and shown is None else "none"
