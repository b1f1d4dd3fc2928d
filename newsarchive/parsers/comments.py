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

Markup that no such class names is read by structure (`structural_comment_items`): in a comment
section (`comment_containers`: an id or class word such as comments, kommentar, comentarios,
discussion, replies) or after a printed counter, sibling elements of one shape, each with a text
part and an author or time part; the same shape nested in an item is a reply. The same sections
tell `shows_a_comment_list` whether the generic layer's comment lines have a list behind them.
"""

from __future__ import annotations

import copy
import re
from functools import cached_property

from lxml import etree

from newsarchive.items import Comment
from newsarchive.parsers.dates import find_date
from newsarchive.parsers.page_cache import named_elements, per_page
from newsarchive.parsers.text import COUNT_IN_WORDS, PRINTED_COUNT, element_text, printed_count, western_digits

_ITEM_CLASSES = {"comment", "comment-item", "commentlist-item", "comment-entry", "comments-item", "c-comment"}
_ID = re.compile(r"^(?:li-|div-)?comment-?([a-z]{0,3}\d[\w-]*)$", re.I)
# Parts of a comment by class: `fn`, `comment-author`, `xy-comment-author`, `username`; `comment-date`,
# `datetime`, `timestamp`, `comment-metadata`.
_AUTHOR_CLASS = re.compile(r"author|user-?name|nickname|^fn$|[-_]name$", re.I)
_DATE_CLASS = re.compile(r"date|time|comment-?meta", re.I)
# The controls and labels inside a comment's markup, not its text (WordPress.com's "Like" control:
# its link and feedback said "LikeLike" after every comment, "LikenLiken" in German).
_SKIP_CLASSES = frozenset({"reply", "comment-reply-link", "comment-reply", "comment-meta", "comment-metadata",
                           "comment-author", "says", "comment-awaiting-moderation", "edit-link", "comment-likes",
                           "comment-like-link", "comment-like-feedback"})


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


# schema.org's Comment type, in any case ("http://schema.org/comment" is common), not CommentAction.
_COMMENT_TYPE = re.compile(r"schema\.org/comment\b", re.IGNORECASE)


def is_comment_item(element) -> bool:
    if not isinstance(element.tag, str) or element.tag not in _ITEM_TAGS:
        return False
    if any(_names_a_comment(name) for name in _classes(element)):
        return element.find(".//textarea") is None  # a comment form is no comment
    if _ID.match(element.get("id") or "") and element.tag in ("li", "article", "div"):
        return True
    if element.get("data-comment-id") and element.find(".//textarea") is None:
        return True
    return bool(_COMMENT_TYPE.search(element.get("itemtype") or "")) or element.get("itemprop") == "comment"


def comment_items(root) -> list:
    """The elements that are the page's comments, one per comment, in document order. Every item
    carries "comment" in its class, id or item type (any case), a comment id, or itemprop=comment."""
    return _outermost_per_comment([element for element, names in named_elements(root)
                                   if ("comment" in names or element.get("data-comment-id") is not None
                                       or element.get("itemprop") == "comment")
                                   and is_comment_item(element)])


def extract_comments(root, language: str | None = None) -> list[Comment]:
    """Every comment of the page, in document order (a parent before its replies): the items its
    markup marks as comments, else the items of a comment list known by structure alone."""
    return (_comments_of(comment_items(root), language, structural=False)
            or _comments_of(structural_comment_items(root), language, structural=True))


def _comments_of(items: list, language: str | None, structural: bool) -> list[Comment]:
    item_set = set(items)
    ids = {item: _site_id(item) or (_numbered_id(item) if structural else None) for item in items}
    comments: list[Comment] = []
    depths: dict[str, int] = {}
    for item in items:
        parent = _parent_item(item, item_set)
        parts = CommentParts(item, item_set)
        parent_id = ids.get(parent) if parent is not None else named_parent_id(item)
        text = parts.text
        if not text or is_not_a_comment(text) or _is_teaser(item, text):
            continue
        author = parts.author
        posted_raw, posted_text = parts.posted_raw, parts.posted_machine
        if posted_raw is None and structural and (time_part := _time_part(item)) is not None:
            posted_raw = element_text(time_part)  # "Georg N. am 10.4.2020": the date is the part to read
            posted_text = match.group() if (match := _DATE_TEXT.search(posted_raw or "")) else None
        depth = _depth(item, item_set) if parent is not None else depths.get(parent_id, -1) + 1 if parent_id else 0
        if site_id := ids[item]:
            depths[site_id] = depth
        comments.append(Comment(
            body_text=text, position=len(comments), site_comment_id=ids[item], parent_id=parent_id,
            depth=depth, author_name=author, posted_at_raw=posted_raw,
            posted_at=find_date(posted_text or posted_raw, language) if posted_raw else None,
        ))
    return comments


class CommentParts:
    """What the markup says of one comment item of item_set (its replies' parts are theirs), whoever
    found the item: its text, author, and time as printed and as a machine reads it. Each part is
    read when first asked for: an item with no text of its own is dropped before its author and
    time are looked for, and a profile that finds them asks for none."""

    def __init__(self, item, item_set: set) -> None:
        self.item, self.item_set = item, item_set

    @cached_property
    def text(self) -> str | None:
        return _text(self.item, self.item_set)

    @cached_property
    def author(self) -> str | None:
        return _first_text(self.item, self.item_set, itemprop="author")

    @cached_property
    def _posted(self) -> tuple[str | None, str | None]:
        return _date_parts(self.item, self.item_set)

    @property
    def posted_raw(self) -> str | None:
        return self._posted[0]

    @property
    def posted_machine(self) -> str | None:
        return self._posted[1]


def named_parent_id(item) -> str | None:
    """The id of the comment an item answers, when the item names it: a flat list whose replies
    say whom they answer (`data-parent-id`), not by nesting."""
    return item.get("data-parent-id") or None


def _numbered_id(item) -> str | None:
    """A structural item's id when it numbers the comment (`6963`, `c-6963`), not a style hook."""
    value = item.get("id") or ""
    return value if re.search(r"\d", value) else None


# What a comment section says around its comments, never a comment itself: the form's prompts
# and notes, the empty state, the login prompt, the section's headings (several languages). A
# short text that is (almost) only one of these is no comment; a long one quoting it may be.
_NOT_A_COMMENT = re.compile(
    r"leave an? (?:reply|comment|response)|(?:post|add|write|submit) an? (?:new )?comment|"
    r"your e-?mail(?: address)? will not be published|required fields are marked|"
    r"^no comments?(?: yet)?$|there are no comments|no comments yet|be the first to comment|(?:log|sign) ?in to (?:leave a )?comment|"
    r"please (?:log|sign) ?in (?:here )?to|comments are (?:closed|moderated)|commenting (?:is|has been) (?:closed|disabled)|"
    r"(?:please )?enter your comment|join the (?:conversation|discussion)|cancel reply|"
    r"(?:you must|you need to) (?:be )?(?:log|sign)(?:ged)? ?in|have your say|"
    # The placeholder of a list a script fills, and its buttons ("Loading comments…", "Show all comments").
    r"^(?:loading|load|show|view|see|read|open|hide) (?:the |all |all the |more |\d+ )?comments?(?: (?:loading|below))?$|"
    r"^comments? (?:are |is )?(?:loading|being loaded)$|^kommentare (?:werden )?(?:geladen|laden|anzeigen|einblenden)$|"
    r"^chargement des commentaires$|^(?:cargando|ver|mostrar) (?:los )?comentarios$|^загрузка комментариев$|"
    r"^جار[يِ]? تحميل التعليقات$|"
    r"^(?:user|recent|latest|newest) comments$|^comments?$|^reply$|^post$|"
    r"hinterlasse (?:jetzt )?einen kommentar|schreibe? (?:einen|deinen) kommentar|kommentar (?:verfassen|hinzufügen|schreiben|abgeben)|"
    r"^jetzt kommentieren|^kommentieren(?: sie)?$|^(?:noch |bisher |derzeit |leider )?keine kommentare|sind (?:noch |derzeit )?keine kommentare|"
    r"(?:erstellen sie|schreiben sie|sei) (?:jetzt )?(?:den|der) erste|ersten kommentar|"
    r"bitte geben sie ihren kommentar ein|melde dich an,? um|melden sie sich an,? um|"
    r"diskutieren sie mit|diskutiere mit|ihre meinung (?:ist )?gefragt|loggen sie sich .{0,20}ein|"
    r"(?:sie sind|du bist) (?:aktuell |derzeit )?nicht (?:eingeloggt|angemeldet)|"
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
    if not text or re.fullmatch(r"\W*\d+\W*", text) or counter_text(text):
        return True
    # A button with its count beside it ("Kommentieren16", "Reply (3)") is the button.
    bare = re.sub(r"\s*\(?\d+\)?$", "", western_digits(text))
    return len(text) <= _FORM_TEXT_MAX and bool(_NOT_A_COMMENT.search(text) or _NOT_A_COMMENT.search(bare))


def _is_teaser(item, text: str) -> bool:
    """A teaser of another article marked like a comment ("recent comments" widgets, related
    stories): its whole text is the text of a link it holds."""
    return any(element_text(link) == text for link in item.iter("a") if link.get("href"))


# A comment section by its id or class: one of these words as a word of its own (`comments`,
# `comment-list`, `kommentarModul`, `comentarios`, `discussion`, `replies`), several languages.
_CONTAINER_WORD = re.compile(
    r"^(?:comments?|commentlist|commentaires?|kommentare?|komentarz[ey]?|komentari|comentarios?|comentários?|"
    r"commenti|reacties|reactions|replies|responses|discussions?|diskussion|комментари\w*|"
    r"коментар\w*|تعليقات|تعليق)$"
)
# Words that make a comment-named element something else: a counter, a link or button, the form,
# a heading, or a widget of other articles' comments ("recent comments", "most commented").
_NOT_A_CONTAINER_WORD = frozenset({"count", "counter", "number", "num", "link", "icon", "btn", "button", "form",
                                   "respond", "title", "heading", "open", "closed", "recent", "latest", "most",
                                   "popular", "top", "widget", "teaser", "social", "share", "aktuelle",
                                   "neueste", "letzte", "derniers", "recientes", "ultimos", "последние",
                                   # states of the article, not sections: `has-comments`, `comments-enabled`
                                   "has", "with", "enabled", "disabled", "allowed"})
# A cheap first test of an id or class, before splitting it into words: a stem of those words.
_CONTAINER_STEM = re.compile(r"omment|oment|eaction|eacties|eplies|esponses|iscussion|iskussion|оммент|омент|تعليق",
                             re.IGNORECASE)
_NO_CONTAINER_TAGS = frozenset({"html", "body", "main", "form", "a", "button", "input", "textarea", "label",
                                "script", "style", "span", "p", "h1", "h2", "h3", "h4", "h5", "h6", "time"})
_FORM_TAGS = frozenset({"form", "textarea", "input", "button"})
# The least text of an item of a comment list (a form's labels and links are shorter).
_ITEM_TEXT_MIN = 20


def _words(value: str) -> list[str]:
    """The words of an id or class: `kommentarModul comments-area` -> kommentar, modul, comments, area."""
    return re.split(r"[\W\d_]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", value).lower())


def _names_a_comment_section(element) -> bool:
    if not isinstance(element.tag, str) or element.tag in _NO_CONTAINER_TAGS:
        return False
    words = _words(f"{element.get('id') or ''} {element.get('class') or ''}")
    return any(_CONTAINER_WORD.match(word) for word in words) and not _NOT_A_CONTAINER_WORD.intersection(words)


def comment_containers(root) -> list:
    """The page's comment sections: the outermost elements whose id or class names comments (not a
    counter, a form, a link or a widget of other articles' comments). One notion for the comment
    list finder below and for `shows_a_comment_list`.

    >>> from lxml import html
    >>> page = html.fromstring("<div><section id='comments'><ol class='commentlist'></ol></section>"
    ...                        "<aside class='recent-comments'></aside><a class='comments-link'>3</a></div>")
    >>> [element.get("id") or element.get("class") for element in comment_containers(page)]
    ['comments']
    """
    return per_page(root, "containers", _find_containers)


def _find_containers(root) -> list:
    found = [element for element, names in named_elements(root)
             if _has_a_stem(names) and _names_a_comment_section(element)]
    inside = set(found)
    return [element for element in found if not any(a in inside for a in element.iterancestors())]


def _has_a_stem(names: str) -> bool:
    """Substring tests first (fast, and false for nearly every element), then the stems."""
    return any(part in names for part in ("ment", "eact", "epl", "espon", "ussion", "мент", "تعليق")) and bool(
        _CONTAINER_STEM.search(names))


def shows_a_comment_list(root) -> bool:
    """Whether the page holds a list of comments, whatever its markup: inside a comment section
    (`comment_containers`), two or more sibling items (`li`, `div`, `article` ...) of one shape
    (tag and first class), each with text of its own (not mostly a link's: a list of teasers) and
    no form field, unless it shows an author or a time (a comment with its own reply box).

    >>> from lxml import html
    >>> shows_a_comment_list(html.fromstring(
    ...     "<div id='comments'><div class='e'><p>First reply to the story, with words.</p></div>"
    ...     "<div class='e'><p>Second reply to the story, with words.</p></div></div>"))
    True
    >>> shows_a_comment_list(html.fromstring("<div id='comments'><h3>Leave a Reply</h3><form><textarea></textarea></form></div>"))
    False
    """
    return any(True for _ in _comment_lists(root, with_parts=False))


def structural_comment_items(root) -> list:
    """Comment items known by their structure alone, for markup no class of ours names: in a
    comment section, or after a printed "N comments" counter, sibling elements of one shape (tag
    and first class) each with a text part and an author or time part; the same shape nested in
    an item is a reply. At least two items, or one when the counter says one.

    >>> from lxml import html
    >>> page = html.fromstring("<div class='discussion'>"
    ...     "<div class='entry'><b class='who'>Ana</b><small>4 March 2024</small><p>The bridge took two years.</p></div>"
    ...     "<div class='entry'><b class='who'>Ben</b><small>5 March 2024</small><p>Three, and it was worth it.</p></div></div>")
    >>> [element_text(item.find("p")) for item in structural_comment_items(page)]
    ['The bridge took two years.', 'Three, and it was worth it.']
    """
    items: list = []
    for found in _comment_lists(root, with_parts=True):
        seen = set(items)
        items.extend(item for item in found if item not in seen)
    return _outermost_per_comment(items)


def _comment_lists(root, with_parts: bool):
    """Each comment list of the page: in each comment section (or after a comment counter, when
    looking for parts), the first element whose children repeat one shape; then every element of
    that shape in the section, replies included. One item is a list when the counter says one."""
    counter = comment_counter_element(root) if with_parts else None
    counted = _counted(counter) if counter is not None else None
    if counted == 0:
        return  # the page says it has none: a list is of other articles' comments
    needed = 1 if counted == 1 else 2
    for container, after in _sections(root, counter):
        allowed = _after(after, container) if after is not None else None
        for parent in container.iter(*_ITEM_TAGS, "ul", "ol", "dl"):
            if allowed is not None and parent is not container and parent not in allowed:
                continue  # a list before the counter is something else
            shape = _repeated_shape(parent, with_parts, needed, allowed)
            if shape is None:
                continue
            yield [element for element in container.iter(shape[0])
                   if _shape(element) == shape and (allowed is None or element in allowed)
                   and _is_list_item(element, with_parts)]
            break


def _sections(root, counter):
    """The comment sections, then the two elements around a printed counter that stands outside
    them, with the counter: their items must come after it."""
    containers = comment_containers(root)
    yield from ((container, None) for container in containers)
    if counter is None or any(a in containers for a in counter.iterancestors()):
        return
    if counter.tag == "a" or any(a.tag == "a" for a in counter.iterancestors()):
        return  # a link to the comments, printed with the headline: not the heading of a list
    parent = counter.getparent()
    for container in (parent, parent.getparent() if parent is not None else None):
        if container is not None and container.tag not in ("html", "body", "main", "article"):
            yield container, counter


def _after(counter, container) -> set:
    """The elements of the container that come after the counter in document order."""
    after, element = set(), counter
    while element is not None and element is not container:
        for sibling in element.itersiblings():
            after.update(sibling.iter())
        element = element.getparent()
    return after


def _counted(counter) -> int | None:
    return printed_count(counter_text(element_text(counter)))


def _shape(element) -> tuple[str, str]:
    """An item's shape: its tag and first class (`comment odd` and `comment even` are one shape)."""
    return element.tag, (element.get("class") or "").split(" ", 1)[0]


def _repeated_shape(parent, with_parts: bool, needed: int, allowed: set | None) -> tuple[str, str] | None:
    counts: dict[tuple[str, str], int] = {}
    for child in parent:
        if not isinstance(child.tag, str) or child.tag not in _ITEM_TAGS:
            continue  # paragraphs side by side are one notice's text, not a list of comments
        if allowed is not None and child not in allowed:
            continue  # before the counter
        if not _is_list_item(child, with_parts):
            continue
        shape = _shape(child)
        counts[shape] = counts.get(shape, 0) + 1
        if counts[shape] >= needed:
            return shape
    return None


def _is_list_item(element, with_parts: bool) -> bool:
    """An item of a comment list: text of its own (not a teaser's link), and no form field unless
    it shows a comment's parts (an item may hold its own reply box)."""
    words = _words(f"{element.get('id') or ''} {element.get('class') or ''}")
    if _FORM_WORDS.intersection(words):
        return False
    text = element_text(element) or ""
    if len(text) < _ITEM_TEXT_MIN or _is_teaser(element, text) or _mostly_links(element, text):
        return False
    has_parts = _has_author_part(element) or _time_part(element) is not None
    if with_parts:
        return has_parts
    return has_parts or not any(True for _ in element.iter(*_FORM_TAGS))


# Words of an id or class that name the comment form or its notes, never a comment
# (`comment-form-service`, `add-comment`, `comment-login`).
_FORM_WORDS = frozenset({"form", "login", "signin", "register", "respond", "add", "write", "leave", "field",
                         "fields", "editor", "input"})


def _mostly_links(element, text: str) -> bool:
    """A teaser of other stories: most of its text is link text."""
    linked = sum(len(element_text(link) or "") for link in element.iter("a"))
    return linked > 0.5 * len(text)


# The href of a link to a commenter's page.
_PROFILE_LINK = re.compile(r"/(?:users?|members?|profiles?|people|autor|author|nutzer|benutzer|u)/", re.I)


def _has_author_part(item) -> bool:
    for element in item.iter():
        if not isinstance(element.tag, str) or element.tag in _FORM_TAGS or element.tag == "label":
            continue  # a form's name field is no author
        if (element.tag == "cite" or element.get("itemprop") == "author" or element.get("rel") == "author"
                or _has_class(element, _AUTHOR_CLASS)
                or (element.tag == "a" and _PROFILE_LINK.search(element.get("href") or ""))) and element_text(element):
            return True
    return False


# Class words of a comment's time part (whole words: `datenschutz` and `update` are none).
_TIME_WORDS = frozenset({"date", "time", "datetime", "timestamp", "posted", "published", "ago", "datum", "zeit",
                         "fecha"})
# A date or time as comments print it: 10.4.2020, 2024-03-04, 21. Jan 2022, March 4, 2024,
# 3 hours ago, vor 3 Stunden, 09:15.
_DATE_TEXT = re.compile(
    r"\b\d{1,2}[./-]\s?\d{1,2}[./-]\s?(?:\d{4}|\d{2})\b|\b\d{4}-\d{2}-\d{2}\b"
    r"|\b\d{1,2}\.?\s+[^\W\d_]{3,}\.?,?\s+\d{4}\b|\b[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b"
    r"|\b\d+\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\s+ago\b"
    r"|\bvor\s+\d+\s+(?:sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monat(?:en)?|jahr(?:en)?)\b"
    r"|\b\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)
# The longest text of an element read as a time part: a date with a few words around it.
_TIME_TEXT_MAX = 60


def _time_part(item):
    """The element of an item that gives its time: `time`, a date itemprop or class, else a short
    element whose text holds a date."""
    for element in item.iter():
        if not isinstance(element.tag, str) or element.tag in _FORM_TAGS:
            continue
        if element.tag == "time" or element.get("itemprop") in ("dateCreated", "datePublished"):
            return element
        if _TIME_WORDS.intersection(_words(element.get("class") or "")) and element_text(element):
            return element
    for element in item.iter("small", "span", "p", "div", "a", "abbr", "em", "i", "b", "strong", "footer", "header"):
        text = element_text(element) or ""
        if len(text) <= _TIME_TEXT_MAX and _DATE_TEXT.search(text):
            return element
    return None


# "3 Comment(s)", "12 comments", "1 комментарий", "٣ تعليقات", "Comments (4)", "Kommentare: 1.234",
# "1.2K comments": a counter, alone in its element (its count: printed_count).
# A small count in words counts too ("One comment", "تعليق واحد", "تعليقان": COUNT_IN_WORDS).
_COUNTER = re.compile(rf"^\W*(?:(?:{PRINTED_COUNT}|{COUNT_IN_WORDS})\s*(?:comments?|comment\(s\)|kommentare?|commentaires?|"
                      rf"комментари\w*|تعليقات|تعليق)|(?:comments?|kommentare|commentaires|комментарии|التعليقات)\s*[:(]?\s*"
                      rf"(?:{PRINTED_COUNT})\)?|تعليق\s+واحد|تعليقان|تعليقين)\W*$", re.IGNORECASE)


# WordPress's heading of a post's comments, in its translations: a count of thoughts, responses,
# replies or comments, then "on" the post's title in quotes ("5 thoughts on “Title”", "Eine Antwort
# zu „Title“", "11 responses to “Title”", "3 réflexions sur « Title »"). The count is read from
# before the title, which may hold numbers of its own. The nouns other than "comments" count only
# so: alone, "3 replies" is a comment's count of its replies.
_TITLED_COUNTER = re.compile(
    rf"^\W*(?P<count>(?:{PRINTED_COUNT}|{COUNT_IN_WORDS})\s*(?:thoughts?|responses?|repl(?:y|ies)|comments?|"
    rf"gedanken|antworten|antwort|kommentare?|réflexions?|réponses?|commentaires?|comentarios?|respuestas?|"
    rf"pensamientos?|комментари\w*|мысл\w*|ответ\w*|تعليقات|تعليق|ردود|رد|أفكار|فكرة))"
    rf"\s+(?:on|to|zu|sur|à|a|en|sobre|para|к|на|о|على|في|حول)\s*[“\"„«‘'‚‹「].*$", re.IGNORECASE | re.DOTALL)
COUNTER_TEXT_MAX = 40  # characters of a counter (a titled one's before its title)


def counter_text(text: str | None) -> str | None:
    """The counting part of a text that is a count of comments, alone in its element ("12
    comments", "Comments (4)") or before its post's title ("5 thoughts on “Title”": "5 thoughts");
    None for any other text.

    >>> counter_text("12 Comments"), counter_text("4 Gedanken zu „2 Jahre später“"), counter_text("3 replies")
    ('12 Comments', '4 Gedanken', None)
    """
    text = western_digits(text or "")
    titled = _TITLED_COUNTER.match(text)
    count = titled.group("count") if titled else text
    return count if count and len(count) < COUNTER_TEXT_MAX and (titled or _COUNTER.match(count)) else None


# Elements whose own text speaks of comments: the few worth reading whole (found in C by lxml).
# Asked of each element, not as the parents of the matching text nodes (`//text()[...]/parent::*`):
# libxml2 merges such a set of parents in quadratic time, and a page with a "Reply to comment" on
# each of its 32,000 comments spent 1.24 s here (0.09 s now); the elements found are the same on
# the dev set's 272 pages, 0.09 ms a page slower.
_MAYBE_COUNTER = etree.XPath(
    "//*[text()[" + " or ".join(f"contains(., '{w}')" for w in ("omment", "OMMENT", "оммент", "تعليق")) + "]]"
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _maybe_counters(root) -> list:
    """The elements that may be the page's counter: those whose text speaks of comments, then the
    headings a comment section names by class or id (`h2.comments-title`, `h3#comments`), whose
    text may speak of thoughts or responses instead (_TITLED_COUNTER). (Headings found by lxml's
    iter: one XPath for both took 0.5 ms a page more on the dev set's pages, this 0.14.)"""
    return _MAYBE_COUNTER(root) + [heading for heading in root.iter(_HEADINGS)
                                   if "omment" in (heading.get("class") or "") or "omment" in (heading.get("id") or "")]


def comment_counter(root) -> tuple[str | None, int | None]:
    """The comment count a page prints (as printed, and its number), from a heading or counter
    element whose whole text is a count of comments."""
    element = comment_counter_element(root)
    if element is None:
        return None, None
    return element_text(element), _counted(element)


def comment_counter_element(root):
    """The element whose whole text is the page's count of comments, if any."""
    return per_page(root, "counter", _find_counter)


def _find_counter(root):
    for element in _maybe_counters(root):
        if len(element) > 2 or is_comment_item(element):
            continue  # a counter is a short element, not a container or a comment
        if counter_text(element_text(element)):
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


# Class words of the list that holds an item's replies (`children`, `comment-replies`, `answers`).
_REPLY_LIST_WORDS = frozenset({"children", "replies", "answers", "antworten", "respuestas", "reponses", "subcomments"})


def _has_list_between(item, ancestor) -> bool:
    element = item.getparent()
    while element is not None and element is not ancestor:
        if element.tag in ("ul", "ol") or _REPLY_LIST_WORDS.intersection(_words(element.get("class") or "")):
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
    for element in _own(item, item_set):  # else the link to the commenter's page
        if element.tag == "a" and _PROFILE_LINK.search(element.get("href") or "") and (text := element_text(element)):
            return text
    return None


def _date_parts(item, item_set) -> tuple[str | None, str | None]:
    """The comment's time as printed, and the machine-readable time beside it (a `datetime` or
    `content` attribute), which is the one to read; each may be missing (an empty element prints
    nothing, and the attribute stands in for it)."""
    for element in _own(item, item_set):
        if element.tag == "time" or element.get("itemprop") in ("dateCreated", "datePublished"):
            machine = element.get("content") or element.get("datetime")
            return element_text(element) or machine, machine
    for element in _own(item, item_set):
        if _has_class(element, _DATE_CLASS):
            return element_text(element), None
    return None, None


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
    """The paragraphs of `container` that belong to the comment `owner`, or, if it has none, its own
    text less the controls, author and date (_own_text): a comment written outside any paragraph
    kept a WordPress.com "Like" control's words ("... LikeLike") and the author's name."""
    parts = []
    for element in container.iter("p"):
        if _parent_item(element, item_set) is not owner:
            continue  # a reply's paragraph
        if any(_classes(a) & _SKIP_CLASSES for a in (element, *element.iterancestors())):
            continue  # a control's paragraph ("Like"), or one inside a control
        text = element_text(element)
        if text:
            parts.append(text)
    if parts:
        return "\n\n".join(parts)
    return None if container is owner else _own_text(container, item_set)


# Comment services a page loads by script: the placeholder element or the script that fills it.
# Disqus (`#disqus_thread`, embed.js), Facebook (`.fb-comments`), Commento (`#commento`),
# Hyvor Talk (`<hyvor-talk-comments>`), Remark42, Coral, Giscus and utterances; and the ones blogs
# and small sites run themselves, each by the element its embedding guide names: Isso
# (`#isso-thread`), Cusdis, Discourse's embed, Gitalk, Waline, Valine, Twikoo, HashOver, ReplyBox.
# The placeholders by id or class are read from the page's named elements (found once a page); the
# others by their tag or attribute, in one walk of the page that tests no strings.
_PLACEHOLDER_IDS = frozenset({"disqus_thread", "commento", "remark42", "coral_thread", "isso-thread", "cusdis_thread",
                              "discourse-comments", "gitalk-container", "waline", "vcomments", "tcomment", "hashover",
                              "replybox"})
_UNNAMED_PLACEHOLDER = etree.XPath("//*[self::hyvor-talk-comments or @data-hyvor-talk-id or @data-fb-comments]")
_EMBED_HOSTS = ("disqus.com/", "commento.io", "talk.hyvor.com", "remark42", "coral.js", "giscus.app", "utteranc.es",
                "cusdis.com/", "intensedebate.com/", "commentbox.io", "getreplybox.com", "talkyard")
_EMBED_SCRIPT = re.compile("|".join(map(re.escape, _EMBED_HOSTS)) + r"|facebook\.net/[^\"']*(?:xfbml|sdk)", re.I)
# What _EMBED_SCRIPT needs to find, as plain substrings: a page's inline scripts run to hundreds of
# kilobytes, which substring tests read ten times faster than the pattern does.
_EMBED_SCRIPT_PARTS = (*_EMBED_HOSTS, "facebook.net/")
# The other common services (Viafoura, OpenWeb/Spot.IM, Vuukle, Livefyre, Insticator,
# GraphComment) by their hosts, in a script's or an iframe's src or a preconnect / dns-prefetch
# link, which a page adds only for a service it is about to load (not in a script's text: ad
# and consent scripts list such hosts).
_SERVICE_HOST = re.compile(r"(?:\.|//)(?:viafoura\.(?:co|net|com)|spot\.im|openweb\.com|vuukle\.com|livefyre\.com"
                           r"|fyre\.co|insticator\.com|graphcomment\.com)\b", re.I)
_HINT_LINKS = etree.XPath("//link[contains(' preconnect dns-prefetch preload ', concat(' ', normalize-space(@rel), ' '))]/@href")
# An element a comment service fills, by the service's name as a class or id: `class="viafoura"`,
# `id="spotim-conversation"`, `class="vuukle-comments"` (a name, not a part of one: `tag-discourse`).
_SERVICES = (r"disqus|viafoura|spot-?im|openweb|vuukle|livefyre|fyre|insticator|commento|remark42|hyvor-talk|giscus"
             r"|utterances|graphcomment|isso|cusdis|talkyard|gitalk|waline|valine|twikoo|intensedebate|commentbox")
_SERVICE_NAME = re.compile(rf"^(?:{_SERVICES})(?:[-_]\w[\w-]*)?$", re.I)
_SERVICE_IN_NAMES = re.compile(_SERVICES)  # a first test of an element's lower-cased names
# The site's own script that loads the comments, by its file name: comments.js, comments,30.js,
# yle-comments-plugin.js, kommentare.min.js (plural: WordPress's comment-reply.js only moves the
# reply form; a "recent comments" widget lists other articles' comments).
_COMMENTS_SCRIPT = re.compile(r"(?<![a-z])(?:comments|kommentare|comentarios|commentaires|commenti)(?![a-z])", re.I)
# A <noscript> note that the comments need JavaScript: "enable JavaScript to view the comments".
_NOSCRIPT_COMMENTS = re.compile(r"(?=.*\bjava\s*script\b)(?=.*(?:comment|kommentar|comentario))", re.I | re.S)
# A `data-` attribute naming a comment API or thread, e.g. data-comments-url="/api/comments/12".
_DATA_COMMENT_ATTRIBUTE = etree.XPath("//@*[starts-with(name(), 'data-') and contains(name(), 'comment')]")
_DATA_COMMENT_NAMES = frozenset({"data-comment-id", "data-parent-id"})  # a comment item's own marks
_CONTAINER_IDS = frozenset({"comments", "comment-list", "comments-container"})


def script_comments_sign(root) -> str | None:
    """What in the page says its comments come later, by script, or None: `comment_embed` (a
    comment service's placeholder, script, iframe or preconnect link, an element named after the
    service, the site's own comments script, a `data-` attribute naming a comment API, a
    <noscript> note that comments need JavaScript) or `empty_comment_container` (a comments
    container with nothing in it). A section with a form or a "no comments yet" notice is no sign:
    it is rendered.

    >>> from lxml import html
    >>> page = html.fromstring
    >>> script_comments_sign(page("<div><div class='viafoura'></div><div id='comments'></div></div>"))
    'comment_embed'
    >>> script_comments_sign(page("<div><script src='/js/comments,30.js'></script></div>"))
    'comment_embed'
    >>> script_comments_sign(page("<div><ol id='comment-list'></ol></div>"))
    'empty_comment_container'
    >>> script_comments_sign(page("<div><script src='/wp-includes/js/comment-reply.min.js'></script></div>")) is None
    True
    """
    if _has_an_embed_placeholder(root) or _embeds_a_comment_script(root) or _names_a_comment_service(root):
        return "comment_embed"
    if any(_NOSCRIPT_COMMENTS.match(note.text_content()) for note in root.iter("noscript")):
        return "comment_embed"
    if any(attribute.attrname not in _DATA_COMMENT_NAMES for attribute in _DATA_COMMENT_ATTRIBUTE(root)):
        return "comment_embed"
    return "empty_comment_container" if _has_an_empty_comments_container(root) else None


def _has_an_embed_placeholder(root) -> bool:
    """A comment service's placeholder: Disqus, Commento, Remark42 and Coral by id, Facebook by class,
    Hyvor Talk by its element or attribute."""
    return any(element.get("id") in _PLACEHOLDER_IDS or "fb-comments" in (element.get("class") or "").split()
               for element, _ in named_elements(root)) or bool(_UNNAMED_PLACEHOLDER(root))


def _has_an_empty_comments_container(root) -> bool:
    """An element named as the comments' container (id comments, comment-list or comments-container,
    class comments) with nothing in it; not a link, form or script."""
    return any((element.get("id") in _CONTAINER_IDS or "comments" in (element.get("class") or "").split())
               and element.tag not in ("a", "form", "script") and _empty(element) for element, _ in named_elements(root))


def _empty(element) -> bool:
    """No element and no text in it (an HTML comment is neither)."""
    return not any(isinstance(child.tag, str) for child in element) and not "".join(element.itertext()).strip()


def _embeds_a_comment_script(root) -> bool:
    """A comment service's script, iframe or preconnect link, or the site's own comments script."""
    for element in root.iter("script", "iframe"):
        source = element.get("src") or ""
        file_name = source.split("?", 1)[0].rsplit("/", 1)[-1]
        if _names_an_embed(source or element.text or "") or _SERVICE_HOST.search(source) or (
                _COMMENTS_SCRIPT.search(file_name) and "recent" not in file_name.lower()):
            return True
    return any(_EMBED_SCRIPT.search(href) or _SERVICE_HOST.search(href) for href in _HINT_LINKS(root))


def _names_an_embed(text: str) -> bool:
    lowered = text.lower()
    return any(part in lowered for part in _EMBED_SCRIPT_PARTS) and bool(_EMBED_SCRIPT.search(text))


def _names_a_comment_service(root) -> bool:
    return any(_SERVICE_NAME.match(name) for element, names in named_elements(root)
               if element.tag not in ("script", "style", "link") and _SERVICE_IN_NAMES.search(names)
               for name in (*_classes(element), element.get("id") or ""))


# Buttons and links that load more comments: "Load more comments", "Show comments (12)", "View more
# comments", or a comment's replies: "View 4 replies" (the rendering layer clicks them:
# newsarchive/rendering.py).
LOAD_MORE = re.compile(r"\b(?:load|show|view|see|more)\b.*\b(?:comments?|repl(?:y|ies))\b", re.I)
_REPLIES = re.compile(r"\brepl(?:y|ies)\b", re.I)
# What a reader clicks to have the page's script do something: a button, or a link that leads nowhere
# (a link to a page, a comment page included, is followed by the crawl; `#comments` jumps to the list).
_CONTROLS = etree.XPath("//button | //*[@role='button'] | //a[not(@href) or normalize-space(@href)='#' "
                        "or starts-with(normalize-space(@href), 'javascript:')]")
_CONTROL_TEXT = 60  # characters at most: a button's label, not a paragraph that names comments


def more_comments_control(root) -> str | None:
    """What a control the page shows loads by script: "comments" ("Load more comments"), "replies"
    ("View 4 replies": a comment's replies, which a counter of the comments shown may not count),
    or None. The comments read are then not all there are.

    >>> from lxml import html
    >>> more_comments_control(html.fromstring("<div><button>Load more comments</button></div>"))
    'comments'
    >>> more_comments_control(html.fromstring("<div><button data-url='/r?c=1'>View 4 replies</button></div>"))
    'replies'
    >>> more_comments_control(html.fromstring("<div><a href='#comments'>View comments (3)</a><a>Reply</a></div>")) is None
    True
    """
    loads = [text for element in _CONTROLS(root)
             if (text := element_text(element)) and len(text) <= _CONTROL_TEXT and LOAD_MORE.search(text)]
    if not loads:
        return None
    return "replies" if any(_REPLIES.search(text) for text in loads) else "comments"


def comments_loaded_by_script(root) -> bool:
    """Whether the page says comments come later, by script (see script_comments_sign).

    >>> from lxml import html
    >>> comments_loaded_by_script(html.fromstring("<div><div id='disqus_thread'></div></div>"))
    True
    >>> comments_loaded_by_script(html.fromstring("<div><div id='comments'><p>No comments yet.</p></div></div>"))
    False
    """
    return script_comments_sign(root) is not None


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
