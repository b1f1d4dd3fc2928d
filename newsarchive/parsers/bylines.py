"""Bylines as printed to author names.

"By Khalid al-Taie and Sara Ahmed" -> two authors. The lead-in ("By", "بقلم", "Автор:", "Von",
"Par") is dropped; names are split on commas and the word for "and" in the page's languages;
news agencies and roles ("AFP", "Staff writer") are kept apart as roles, not authors.

On any site (`find_byline_authors`), the byline is the one the page shows: marked in its markup
(rel=author, itemprop=author, a class or id naming a byline or an author), else a line that begins
the way bylines do, else a bare link to one author's page; within it, the names' own elements,
and from its text the lead-in, labels, the date, the category and the reading time printed beside
the names are left out, and so are the names a translator's or reviewer's credit introduces. A
story no layer found an author for may be signed at its end (`signature`). Every layer's names
(metadata, markup, trafilatura's rules) go through the same `split_byline`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from lxml import etree

from newsarchive.items import Byline
from newsarchive.parsers.cldr import cldr_table
from newsarchive.parsers.page_cache import named_elements
from newsarchive.parsers.text import BLOCK_TAGS, SKIPPED_TAGS, normalise_text

# The words that introduce a byline ("By", "Posted by", "Veröffentlicht von", "Автор:", "بقلم"), at
# its start; a lead-in alone ("Published by", "Author") names nobody.
_LEAD_IN = re.compile(
    r"^(?:(?:posted|published|written|story|reported|words|text)\s+by|by|(?:ein|eine)\s+(?:artikel|beitrag)\s+von|"
    r"(?:publicado|escrito|publié|écrit)\s+(?:por|par)|redaktion\s*:|"
    r"(?:geschrieben|veröffentlicht|verfasst|erstellt|gepostet|eingetragen|publiziert)\s+(?:von|vom)|von|vom|"
    r"par|por|di|door|author(?:s)?|autor(?:in|en|innen|/in)?|auteur(?:s)?|autore|"
    r"بقلم|كتب|كتبه|إعداد|автор(?:ы)?|текст\s*:|"
    # Urdu, Persian, Pashto, Uzbek (Latin and Cyrillic) and Tajik: "written by", "writer", "author".
    r"تحریر|نویسنده|نگارنده|ليکوال|لیکوال|muallif|муаллиф)(?:\s*:?\s+|\s*:?$)",
    re.IGNORECASE,
)
# A lead-in inside a line of page furniture ("Posted on 3 May 2024 by Ana Ruiz", "Beitrag von r23"):
# "by", "par", "por" anywhere; "von" only after a verb or noun that announces an author, since
# it is also a particle inside names (Ursula von der Leyen).
_INNER_LEAD_IN = re.compile(
    r"(?:^|\s)(?:by|par|por)\s+(?=\S)|(?<=\d)\s+(?:von|vom)\s+(?=\S)|"
    r"\b(?:veröffentlicht|geschrieben|verfasst|erstellt|gepostet|eingetragen|publiziert|beitrag|artikel|"
    r"blogbeitrag|gastbeitrag|pressemitteilung|kommentar|interview)\s+(?:von|vom)\s+(?=\S)",
    re.IGNORECASE,
)
# Commas (Latin and Arabic), semicolons, "&", a spaced slash, and the word for "and" standing
# alone. The Arabic "و" is often written joined to the next name ("وأحمد"); only a free-standing
# one is split, since names themselves begin with the letter (وليد).
# A byline in capitals joins its names with AND too; the one-letter words stay lower-case only,
# since a capital one is an initial ("Mary E Smith").
_SEPARATORS = re.compile(r"\s*[,،;|&]\s*|\s+/\s+|\s+(?:(?i:and|und|et)|y|e|и|та|و)\s+")
# Where the author filed from, printed after the name ("Ana Ruiz in Baghdad", "Мария Иванова из
# Алматы", "خالد الطائي من بغداد"): up to three capitalised words (any word, in a script without
# capitals) after a word for "in" or "from" that no name holds. After a comma it may be a job's
# place instead ("Ana Ruiz, project lead in Tunis"), and stays with the job.
_PLACE = (r"(?:in|(?:reporting\s+)?from|aus|à|из|в|من|في)\s+(?:[A-ZÀ-ÞА-ЯЁ][\w'’.-]*|[\u0600-\u06ff]+)"
          r"(?:\s+(?:[A-ZÀ-ÞА-ЯЁ][\w'’.-]*|[\u0600-\u06ff]+)){0,2}$")
_PLACE_AFTER_NAME = re.compile(rf"\s+{_PLACE}")
_PLACE_ALONE = re.compile(rf"^{_PLACE}")
_AFTER_A_COMMA = re.compile(r"\s*[,،;]\s*")
_PARTS_AND_SEPARATORS = re.compile(f"({_SEPARATORS.pattern})")  # split() then keeps each separator
# Spaced marks that part a byline from the date, category or reading time printed on its line.
_SEGMENTS = re.compile(r"\s+[·•|»–—-]\s+|\s+//\s+|\s*[·•»]\s*")
# "Label: value" fields on one line ("Datum: 19.11.2021 Autor: Ada Roth Quelle: dpa").
_LABEL = re.compile(r"(?:^|(?<=\s))([^\W\d_][\w/-]*)\s?(?::(?=\s|$)|：)")
_AUTHOR_LABELS = frozenset(
    "by von author authors autor autorin autoren auteur auteurs autore text texte interview redaktion writer "
    "reporter verfasser verfasserin por par автор авторы текст 作者 记者 编辑 责任编辑 autor/in "
    "تحریر نویسنده نگارنده ليکوال لیکوال muallif муаллиф".split()
)
# Where the date printed after a name begins: 21.01.2009, 2019-08-02, 10:29, 8 January 2020,
# 07 Dezember, 2022, August 3, 2019, a lone year.
_DATE_START = re.compile(
    r"\b\d{1,4}[./-]\d{1,2}\b|\b\d{1,2}:\d{2}\b|\b\d{1,2}\.?\s+[^\W\d_]{3,}\.?,?\s+\d{4}\b"
    r"|\b[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b|\b(?:19|20)\d{2}\b"
    # a time ago, printed the way forums and social sites do ("Posted by u/ana 6 years ago", "vor 3 Stunden")
    r"|(?<!\d)\d+\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|yrs?)\s+ago\b"
    r"|\b(?:vor|il y a|hace)\s+\d+\s+[^\W\d_]+",
    re.IGNORECASE,
)
# Words that join a name to the date after it ("lupa am 26/10/13", "Ana on May 3").
_TRAILING_JOINERS = frozenset(
    "am on le el il op at um den the vom du del da , updated published posted last zuletzt aktualisiert "
    "veröffentlicht geändert actualizado publicado publié modifié mis à jour übersetzt translated traduit "
    "traducido".split()
)
_PHOTO_CREDIT = re.compile(r"^(?:fotos?|photos?|bild|bilder|image|picture|credit|quelle|source)\b\s*:", re.I)
# The credit of someone who worked on the story without writing it: a translator ("Translated by",
# "Übersetzung:", "Aus dem Englischen von", "Перевод") or a reviewer ("Medically reviewed by",
# "Fact checked by", "Geprüft von", "Revisado por"). The names after it are not the author's.
# A plain "Reviewed by" is left alone: on a book or film review it names the review's author.
_REVIEWER = (r"(?:medically|medical)\s+reviewed\s+by|(?:fact[\s-]*)?checked\s+by"
             r"|(?:(?:fachlich|medizinisch|fakten)[\s-]*)?(?:geprüft|überprüft)\s+von|revisado\s+por|relu\s+par|vérifié\s+par")
_TRANSLATOR = (r"(?:translat(?:ed|ion)(?:\s+(?:by|from\s+\w+(?:\s+by)?))?|übersetzung|übersetzt(?:\s+von)?"
               r"|aus\s+dem\s+\w+\s+(?:übersetzt\s+)?von|traduction|traduit(?:\s+par)?|traducci[óo]n"
               r"|traducido(?:\s+por)?|traduzione|tradott[oa](?:\s+da)?|tradução|traduzido(?:\s+por)?"
               r"|перевод|переведено|vertaling|vertaald(?:\s+door)?)")
_OTHERS_CREDIT = re.compile(rf"(?:^|(?<=[\s,;.(|·–-]))(?:{_TRANSLATOR}|{_REVIEWER})(?!\w)", re.IGNORECASE)
_BEFORE_OTHERS_CREDIT = re.compile(rf"(?:^|(?<=[\s,;.(|·–-]))(?:{_TRANSLATOR}|{_REVIEWER})\s*:?\s*$", re.IGNORECASE)
AGENCIES = frozenset(
    "afp ap reuters xinhua anadolu tass ria novosti interfax efe dpa ansa kyodo bloomberg "
    "associated press agence france-presse agencies".split(" ")
) | {"associated press", "agence france-presse", "ria novosti"}
# A journalist's job in the languages of the sites we archive, as a whole word or the end of a
# compound ("Chefredakteurin", "SZ-Korrespondent", "FOCUS-Online-Experte").
_JOBS = (r"(?:[\w.]+-)*\w*(?:korrespondent|redakteur|kolumnist|journalist|volontär|reporter)(?:in|innen|en|e)?"
         r"|(?:[\w.]+-)*expert(?:e|in)|correspondent|columnist|correspondant|correspondante|journaliste|rédacteur"
         r"|rédactrice|corresponsal|periodista|redactora?|corrispondente|giornalista|корреспондент\w*|журналист\w*")
_ROLE_WORDS = re.compile(
    r"\b(?:staff|correspondents?|reporters?|editors?|writers?|contributors?|bureau|desk|special to|agencies|wire services?)\b"
    r"|\w-redaktion\b|^[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|info|news|[a-z]{2})$"  # an "Online-Redaktion", the outlet's domain ("Phys.org")
    rf"|^(?:{_JOBS})$",  # a job alone, after a name ("Ana Ruiz, Korrespondentin")
    re.IGNORECASE,
)
# A job before a name, one word ("Korrespondentin Ana Ruiz", "FOCUS-Online-Experte Robin Tschöpe").
_JOB_BEFORE_NAME = re.compile(rf"^({_JOBS})\s+(?=[^\W\d_])", re.IGNORECASE)
_COMMENTER_WORDS = frozenset("says said sagt schreibt meint dice escribió écrit".split())


def _names_a_commenter(text: str) -> bool:
    """Whether a line reads as a commenter's ("Art Edwards says:", "Ana said on May 3")."""
    return any(word.casefold().rstrip(":") in _COMMENTER_WORDS for word in text.split())
_QUOTES = re.compile(r"[\"„“”«»]")
_DEGREES = re.compile(r"^(?:ph\.?\s?d|md|mba|msc|m\.?a|b\.?a|jr|sr|dr|prof)\.?$", re.I)
_COPYRIGHT = re.compile(r"\S.*©|rights reserved|droits réservés|rechte vorbehalten|derechos reservados", re.I)
_PARENTHESES = re.compile(r"\s*\(([^()]*)\)")
_INITIAL_AT_END = re.compile(r"(?:^|[\s.])\w\.$")


def strip_lead_in(byline: str) -> str:
    return _LEAD_IN.sub("", byline.strip(), count=1)  # pragma: no mutate (the pattern is anchored: one match at most)


def is_role(part: str) -> bool:
    """A byline part that is an agency or a role rather than a person."""
    lowered = part.lower().strip(" .()")
    return lowered in AGENCIES or bool(_ROLE_WORDS.search(part)) or bool(_DEGREES.match(lowered))


def clean_byline(byline: str | None) -> str:
    """The names part of a byline line as printed: without its lead-in, labels, the date, category
    or reading time printed beside it ("Posted on May 3, 2024 by Ana Ruiz · in Travel" -> "Ana Ruiz")."""
    lines = [line for line in (byline or "").split("\n") if line.strip()]
    # A byline printed over several lines ("By Ana Ruiz<br>Lisbon"): the line that names.
    line = next((line for line in lines if _LEAD_IN.match(line.strip()) or _INNER_LEAD_IN.search(line)
                 or _starts_with_author_label(line)), lines[0] if lines else "")
    if _COPYRIGHT.search(line):
        return ""  # "Published by Example Media. © 2024. All rights reserved": the site's notice
    text = normalise_text(_PARENTHESES.sub(_role_in_parentheses, line.lstrip(" ©").replace("(c) ", ""))) or ""
    if not text or _PHOTO_CREDIT.match(text):
        return ""
    text = _OTHERS_CREDIT.split(text, maxsplit=1)[0].strip()  # the author's part, before a translator's or reviewer's
    if not text:
        return ""
    if _names_a_commenter(text):
        return ""  # "Art Edwards says:": a commenter, not the author
    text, by_label = _labelled_author(text)
    segments = [segment for segment in _SEGMENTS.split(text) if segment.strip()]
    # After an author label ("Text:", "Autorin:") a "by" names someone else ("photos by Li Wei").
    chosen = None if by_label else next((s for s in segments if _LEAD_IN.match(s) or _INNER_LEAD_IN.search(s)), None)
    if chosen is None:  # no lead-in: the first part that is not a date
        chosen = next((s for s in segments if _cut_at_date(s)), "")
    inner = _INNER_LEAD_IN.search(chosen) if not by_label and not _LEAD_IN.match(chosen) else None
    chosen = chosen[inner.end():] if inner else strip_lead_in(chosen)
    return _cut_at_date(chosen)


def _starts_with_author_label(line: str) -> bool:
    label = _LABEL.match(line.strip())
    return label is not None and label[1].casefold() in _AUTHOR_LABELS


def _role_in_parentheses(match) -> str:
    """"Ana Ruiz (AFP)" keeps its agency as a role; "(press officer)" and the like are left out."""
    inside = match[1].strip()
    return f", {inside}" if is_role(inside) else ""


def _labelled_author(text: str) -> tuple[str, bool]:
    """The value of an author label among "Label: value" fields, else what precedes the first
    label; and whether an author label gave it."""
    labels = list(_LABEL.finditer(text))
    if not labels:
        return text, False
    for label, after in zip(labels, [*labels[1:], None], strict=True):
        if label[1].casefold() in _AUTHOR_LABELS:
            return text[label.end():after.start() if after else len(text)].strip(), True
    return text[:labels[0].start()].strip(), False


def _cut_at_date(text: str) -> str:
    date = _DATE_START.search(text)
    words = (text[:date.start()] if date else text).replace(",", " , ").split()
    # A weekday only where it stands before the date cut off ("Ana Ruiz, Mon 3 May"): without a
    # date it may be a name ("By Ana Sam", "Aaa Jeu").
    while words and (words[-1].casefold() in _TRAILING_JOINERS
                     or (date and words[-1].casefold().rstrip(".,") in weekday_names())):
        words.pop()
    return " ".join(words).replace(" , ", ", ").strip(" ,;:|-–@")


@cldr_table
def weekday_names() -> frozenset[str]:
    """Weekday names and abbreviations ("Do", "Di.", "Mon") in the languages most of the web is
    written in, from CLDR: a byline line often prints one before the date."""
    from babel.dates import get_day_names

    names = set()
    for language in ("en", "de", "fr", "es", "it", "pt", "nl", "ru"):
        for width in ("abbreviated", "wide"):
            names |= {name.casefold().rstrip(".") for name in get_day_names(width, "format", locale=language).values()}
    return frozenset(names)


def split_byline(byline: str | None) -> list[Byline]:
    """Authors in printed order; a trailing agency or role attaches to the author before it."""
    text = clean_byline(byline)
    if not text:
        return []
    authors: list[Byline] = []
    pieces = _PARTS_AND_SEPARATORS.split(text)
    for part, separator in zip(pieces[0::2], ["", *pieces[1::2]], strict=True):
        cleaned = strip_lead_in(part or "")
        if _PLACE_ALONE.match(cleaned) or not (authors and _AFTER_A_COMMA.fullmatch(separator)):
            cleaned = _PLACE_AFTER_NAME.sub("", _PLACE_ALONE.sub("", cleaned))
        cleaned = _tidy_name(cleaned)
        if not cleaned or "@" in cleaned or "://" in cleaned:
            continue
        job, cleaned = _job_before_name(cleaned)
        # A job after a name is read before the name test, which its lower-case words would fail.
        if job is None and (is_role(cleaned) or (authors and _describes_a_job(cleaned))):
            if authors and authors[-1].role is None:
                authors[-1].role = cleaned
            continue
        if not _could_be_a_name(cleaned):
            continue
        authors.append(Byline(name=cleaned, name_raw=part.strip(), position=len(authors), role=job))
    return authors


def _job_before_name(part: str) -> tuple[str | None, str]:
    """(the job, the name) of a part that opens with one ("Korrespondentin Ana Ruiz"), else (None,
    the part); a name is two words at least ("Reporter Ana" is no job before a name).

    >>> _job_before_name("SZ-Korrespondent Ana Ruiz"), _job_before_name("Reporter Ana")
    (('SZ-Korrespondent', 'Ana Ruiz'), (None, 'Reporter Ana'))
    """
    job = _JOB_BEFORE_NAME.match(part)
    if job is None or len(part[job.end():].split()) < 2:
        return None, part
    return job[1], part[job.end():]


def _describes_a_job(part: str) -> bool:
    """After a name, four or more words with lower-case ones among them are the author's job, not
    a co-author ("Autorin: Ana Ruiz, project lead in Tunis"; "J. I. DA SILVA" is a name)."""
    words = part.split()
    return len(words) >= 4 and any(word.islower() for word in words)


def _tidy_name(part: str) -> str:
    """Surrounding punctuation off, but the full stop of a last initial kept ("Joe S.")."""
    cleaned = part.strip(" :,;")
    return cleaned if _INITIAL_AT_END.search(cleaned) else cleaned.strip(" .:")


def _could_be_a_name(part: str) -> bool:
    """Not an address, a link, a quotation or a sentence: a person's or a desk's name is a few
    words, hardly any of them long lower-case ones (particles are short: de, la, von, der, bin)."""
    words = part.split()
    return ("@" not in part and "://" not in part and len(words) <= 6 and not _QUOTES.search(part)
            and sum(word.islower() and len(word) > 3 for word in words) < 2)


def bylines_from_names(names: Iterable[str | None]) -> list[Byline]:
    """Author records from names given one by one (profile spans, JSON-LD authors); empty ones skipped."""
    authors: list[Byline] = []
    for raw in names:
        name, name_raw = normalise_text(strip_lead_in(raw or "")), normalise_text(raw)
        if name and name_raw and not any(a.name == name for a in authors):
            authors.append(Byline(name=name, name_raw=name_raw, position=len(authors)))
    return authors


# Elements marked as a byline: rel=author, itemprop=author, or a class or id naming a byline or
# an author in the languages of the sites we archive (found in C by lxml); not a commenter's name,
# nor the parts of an author box that are not the name (biography, photo, follow button).
# In lower case: _marked tests an element's lower-cased names for them first, as plain substrings.
_MARKED_WORDS = ("byline", "author", "writer", "autor", "auteur", "کاتب", "автор")
_MARKED_NAME = re.compile("|".join(_MARKED_WORDS), re.IGNORECASE)
_NOT_THE_NAME = re.compile(r"comment|bio|avatar|photo|image|img|follow|share|social|descr|modal|tooltip|label|heading",
                           re.IGNORECASE)
# Inside a marked byline, the element that holds just the name: microformats' `fn`, a class
# naming a name, or a link to the author's page.
_NAME_CLASS = re.compile(r"(?:^|\s)fn(?:\s|$)|name", re.IGNORECASE)
_AUTHOR_PAGE = re.compile(r"/(?:author|autor|autoren|autori|auteur|autore|writers?|reporters?|journalists?|creator|redakteur|profile)s?/",
                          re.IGNORECASE)


def _is_marked(element) -> bool:
    if element.get("rel") == "author" or element.get("itemprop") == "author":
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}"  # pragma: no mutate (any filler names nothing)
    return bool(_MARKED_NAME.search(names)) and not _NOT_THE_NAME.search(names)


def _marked(root) -> list:
    return [element for element, names in named_elements(root)
            if (element.get("rel") == "author" or element.get("itemprop") == "author"
                or any(word in names for word in _MARKED_WORDS)) and _is_marked(element)]


# An author page of one author (`/autoren/ana-ruiz`), not the list of them all (`/autoren/`).
_ONE_AUTHORS_PAGE = re.compile(rf"{_AUTHOR_PAGE.pattern}[^/?#\s]", re.IGNORECASE)


def _author_links(root) -> list:
    """Links to an author's page (`/autoren/ana-ruiz`), unmarked: a byline a theme left without a
    class, tried after the marked bylines and the lines that begin like one."""
    return [link for link in root.iter("a") if _ONE_AUTHORS_PAGE.search(link.get("href") or "")]


# Short lines that begin the way bylines do ("By ...", "Autor: ...", "Автор: ...", "بقلم ..."), a
# no-break space after the lead-in read as a space. Read in Python, element by element: an XPath
# testing each lead-in on each text node costs several milliseconds a page.
_LEAD_IN_START = re.compile(
    r"^\s*(?:[-–|·]\s*|\d[\d.:/, -]*\s+)?(?:By|by|BY|(?:Written|Posted|Published) by|Von|von|Par|par|Por|por|Door|"
    r"Authors?\s?:|Autor(?:in|en)?\s?:|Autoren|Auteurs?\s?:|Texte?\s?:|Redaktion\s?:|Автор|автор|بقلم|كتب|"
    r"(?:Geschrieben|Veröffentlicht|Verfasst) von|(?:Ein )?(?:Blog[ -]?|Gast)?(?:[Aa]rtikel|[Bb]eitrag) von|(?:Publicado|Escrito) por|Publié par)(?:\s|$)"
)
_LINE_TAGS = ("p", "span", "div", "address", "small", "em", "strong", "li")


def _lead_in_lines(root) -> list:
    lines = []
    for element in root.iter(_LINE_TAGS):
        if (element.text and _LEAD_IN_START.match(element.text)) or any(
                child.tail and _LEAD_IN_START.match(child.tail) for child in element):
            lines.append(element)
    return lines


_NOT_BYLINE_ANCESTORS = frozenset({"nav", "footer", "aside", "form"})


def find_byline(root) -> str | None:
    """The byline a page shows, on any site, as printed (see `byline_element`)."""
    return find_byline_authors(root)[0]


def find_byline_authors(root, site_names: frozenset[str] = frozenset()) -> tuple[str | None, list[Byline]]:
    """The byline a page shows as printed, and the authors it names (see `byline_element`); a
    byline naming only the site (`site_names`, keyed by `name_key`: the initials of its name) is
    the site's desk, and the next one is read."""
    for element, authors in _bylines_shown(root):
        if not all(name_key(author.name) in site_names for author in authors):
            return _byline_text(element), authors
    return None, []


def byline_element(root):
    """The element holding the byline a page shows, on any site: one marked as the author's
    (rel=author, itemprop=author, a class or id naming a byline or author), else a short line that
    begins the way bylines do ("By ...", "Автор: ...", "بقلم ..."); never one in comments or
    navigation, nor one that names nobody ("Published by", "By the numbers:")."""
    return next((element for element, _ in _bylines_shown(root)), None)


def _bylines_shown(root):
    """(element, authors) for each byline the page shows that names someone, in page order."""
    for kind, find in (("marked", _marked), ("line", _lead_in_lines), ("link", _author_links)):
        for element in find(root):
            if element.tag in ("meta", "link", "script", "button") or len(element) > 6:
                continue
            text = _byline_text(element)
            if not text or len(text) > 120 or len(text.split()) > 20:
                continue
            names = _name_parts(element) if kind != "line" else None
            authors = split_byline(names or lines_text(element))
            if not authors and kind == "line" and (parent := element.getparent()) is not None:
                # A label alone ("<strong>Text:</strong> Ana Ruiz"): the names follow it on its line.
                lines = [line for line in lines_text(parent).split("\n") if len(normalise_text(line) or "") <= 120]
                authors = split_byline("\n".join(lines))
            # An unmarked line must read as a byline: names are capitalised ("By the numbers:" is not),
            # and a bare link to an author's page must hold a name ("9 articles" is its count).
            if authors and (kind == "marked" or authors[0].name[:1].isupper()
                            or (kind == "line" and not authors[0].name[:1].isalpha())) \
                    and _outside_comments_and_navigation(element) and not _hidden(element) \
                    and not _in_a_teaser_or_credit(element):
                yield element, authors


def _name_parts(element) -> str | None:
    """The names inside a marked byline, when its markup sets them apart from the words around them
    ("8 May 2024 · by <a rel=author>Ana Ruiz</a> · in Travel"): the innermost elements of the
    surest kind (a name's own mark, then a link to an author page, then any author mark), and
    of those only the ones written like the first (co-authors share their markup; "All articles"
    and "Twitter" links beside the name do not)."""
    for tier in (1, 2, 3):
        inner = [e for e in element.iterdescendants() if isinstance(e.tag, str) and _name_tier(e) == tier]
        innermost = [e for e in inner if not any(other is not e and _is_ancestor(e, other) for other in inner)]
        named = [e for e in innermost if _byline_text(e) and not _after_others_credit(e)]
        if named:
            first = named[0]
            alike = [e for e in named if e.tag == first.tag and e.get("class") == first.get("class")]
            return ", ".join(dict.fromkeys(text for e in alike if (text := _byline_text(e))))
    return None


def _after_others_credit(element) -> bool:
    """Whether the text just before a name is a translator's or reviewer's credit ("Übersetzung <a>Li Wei</a>")."""
    return bool(_BEFORE_OTHERS_CREDIT.search(" ".join(_text_just_before(element).split())))


def _text_just_before(element, steps: int = 3) -> str:
    """The text the page shows right before an element, read back through at most `steps`
    previous siblings or parents (the preceding axis of XPath reads back to the page's start:
    for each of a page's thousands of names, that was a quadratic cost)."""
    parts: list[str] = []
    node = element
    for _ in range(steps):
        previous = node.getprevious()
        if previous is not None:
            parts += [previous.tail or "", previous.text_content() if isinstance(previous.tag, str) else ""]
            node = previous
        elif (parent := node.getparent()) is not None:
            parts.append(parent.text or "")
            node = parent
        else:
            break
    return " ".join(reversed(parts))


def _name_tier(element) -> int | None:
    """How surely an element inside a byline holds just a name: 1 its own mark (rel=author,
    itemprop=name, microformats' `fn`, a class naming a name), 2 a link to an author page, 3 any
    other author mark; None for the rest (labels, biographies, photos)."""
    classes = element.get("class") or ""  # pragma: no mutate (any filler names nothing)
    if _NOT_THE_NAME.search(classes):
        return None
    if element.get("rel") == "author" or element.get("itemprop") in ("author", "name") or _NAME_CLASS.search(classes):
        return 1
    if element.tag == "a" and _AUTHOR_PAGE.search(element.get("href") or ""):
        return 2
    return 3 if _is_marked(element) else None


def _is_ancestor(ancestor, element) -> bool:
    return any(parent is ancestor for parent in element.iterancestors())


def _byline_text(element) -> str | None:
    return normalise_text(" ".join(element.itertext()))


def lines_text(element) -> str:
    """An element's text with its line breaks (<br>, blocks) kept as newlines: a byline printed
    over two lines ("By Ana Ruiz<br>Lisbon") names its author on one (clean_byline)."""
    parts: list[str] = []
    _collect_lines(element, parts)
    return "".join(parts)


def _collect_lines(element, parts: list[str]) -> None:
    if element.tag == "br" or element.tag in BLOCK_TAGS:  # pragma: no mutate (br is a block tag too; kept to be plain)
        parts.append("\n")
    if isinstance(element.tag, str) and element.tag not in SKIPPED_TAGS:
        parts.append(_one_line(element.text))  # the source's own line breaks are mere spaces
        for child in element:
            _collect_lines(child, parts)
            parts.append(_one_line(child.tail))


def _one_line(text: str | None) -> str:
    return text.replace("\n", " ").replace("\r", " ") if text else ""


def _outside_comments_and_navigation(element) -> bool:
    from newsarchive.parsers.comments import is_comment_item

    ancestors = list(element.iterancestors())
    # An article's own footer often carries its byline; the page's footer does not.
    in_article = any(ancestor.tag in ("article", "main") for ancestor in ancestors)
    return not any((ancestor.tag in _NOT_BYLINE_ANCESTORS and not (ancestor.tag == "footer" and in_article))
                   or is_comment_item(ancestor) for ancestor in [element, *ancestors])  # a <nav class=authors> too


def _hidden(element) -> bool:
    """Whether the page hides the element or an element around it (`hidden`, an inline style
    `display: none` or `visibility: hidden`): a link kept for search engines ("<a rel=author
    style='display:none'>Site</a>") is no byline a reader sees."""
    for each in (element, *element.iterancestors()):
        style = (each.get("style") or "").replace(" ", "").lower()  # pragma: no mutate (any filler hides nothing)
        if each.get("hidden") is not None or "display:none" in style or "visibility:hidden" in style:
            return True
    return False


# Names of the elements around a picture's credit line ("license-info", "photo-credit", "wp-caption").
_CREDIT_NAMES = re.compile(r"credit|licen[cs]e|copyright|caption", re.IGNORECASE)
_CREDIT_LEVELS = 3  # ancestors looked at: a credit's own box, not the page's layout around it
# A link to a person's page: an author page, or a user's or member's profile (a community's posts).
_PERSON_PAGE = re.compile(f"{_AUTHOR_PAGE.pattern}|/(?:users?|members?|people)/", re.IGNORECASE)


def _in_a_teaser_or_credit(element) -> bool:
    """Whether a byline belongs to something else than the story: another article's teaser (it is
    inside a link, and that link does not lead to an author's page) or a picture (it is in a
    figure or a credit, licence or caption box: the photographer's name)."""
    for level, ancestor in enumerate(element.iterancestors()):
        if ancestor.tag == "a" and (href := ancestor.get("href")) and not _PERSON_PAGE.search(href):
            return True
        if ancestor.tag in ("figure", "figcaption"):
            return True
        names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"  # pragma: no mutate (any filler names nothing)
        if level < _CREDIT_LEVELS and _CREDIT_NAMES.search(names):
            return True
    return False


# A name of one word ("Todd", "Stefanus"): a first name or a handle that metadata gives alone.
_ONE_WORD_NAME = re.compile(r"^[^\W\d_][^\W\d_'’-]+$")
_CAPITALISED_WORD = r"[^\W\d_a-zà-ÿ][^\W\d_]*(?:[-'’][^\W\d_]+)?"
# The author marks of `_marked` and a class or id naming a name ("full-name", "author-box__bio").
_AUTHOR_OR_NAME_MARK = re.compile("|".join((*_MARKED_WORDS, "name")), re.IGNORECASE)


def with_full_names(authors: list[Byline], root) -> list[Byline]:
    """The authors, each name of one word completed by the surname the page shows after it in an
    element (or its parent or grandparent) marked as the author's or as a name: "Todd" in the
    metadata, "<p class=full-name>Todd Bates</p>" or an author box's "Stefanus Stahl - engineer
    and ..." on the page. The text must begin with the name and a capitalised word, which the whole
    text is, or a separator follows: "Todd said" or "Todd Bates Senior Writer" completes nothing."""
    return [replace(author, name=_full_name(author.name, root) or author.name)
            if _ONE_WORD_NAME.match(author.name) else author for author in authors]


def _full_name(first: str, root) -> str | None:
    for text in _TEXTS_HOLDING(root, name=first):
        name = _written_out(first, " ".join(text.split()))
        owner = text.getparent() if text.is_text else text.getparent().getparent()
        if name and owner is not None and _marked_as_a_name(owner) and _outside_comments_and_navigation(owner):
            return name
    return None


def _written_out(first: str, line: str) -> str | None:
    """The name in full at the start of a line: the whole line when it is the first name and one or
    two capitalised words, else the first name and one such word before a separator.

    >>> _written_out("Ana", "Ana Ruiz Soto"), _written_out("Ana", "Ana Ruiz - reporter"), _written_out("Ana", "Ana Ruiz Writer 2")
    ('Ana Ruiz Soto', 'Ana Ruiz', None)
    """
    match = re.match(rf"{re.escape(first)}\s+{_CAPITALISED_WORD}(?:\s+{_CAPITALISED_WORD})?", line)
    if match is None:
        return None
    if match.end() == len(line):
        return line
    surname = re.match(rf"{re.escape(first)}\s+{_CAPITALISED_WORD}(?=\s*[-–—,|(:]|$)", line)
    return surname.group() if surname else None


def _marked_as_a_name(element) -> bool:
    family = [element, *list(element.iterancestors())[:2]]
    return any(_AUTHOR_OR_NAME_MARK.search(f"{e.get('class') or ''} {e.get('id') or ''}") for e in family)


def prefer_shown(from_metadata: list[Byline], shown: list[Byline], site_wide: bool = False) -> bool:
    """Whether the byline the page shows names the authors better than its metadata does: it
    prints the metadata's names in full (see `prints_in_full`), or the metadata is a site-wide
    `<meta name="author">` (often the owner, the company or the web agency) and the page shows
    as many authors of its own."""
    if not shown:
        return False
    return prints_in_full(from_metadata, shown) or (site_wide and len(shown) >= len(from_metadata))


def prints_in_full(from_metadata: list[Byline], shown: list[Byline]) -> bool:
    """The byline shown names every metadata author, written out in full or beside co-authors
    the metadata left out ("jdoe" in the metadata, "Jane Doe" shown; "Ana" -> "Ana Ruiz"): the
    names as a reader sees them are then the shown ones."""
    if not from_metadata or len(shown) < len(from_metadata):
        return False
    shown_keys = [name_key(author.name) for author in shown]
    metadata_keys = [name_key(author.name) for author in from_metadata]
    if shown_keys == metadata_keys and [a.name for a in shown] == [a.name for a in from_metadata]:
        return False  # the same names, written the same: nothing to prefer
    if not all(key and any(key in shown_key for shown_key in shown_keys) for key in metadata_keys):
        return False
    # Co-authors the metadata left out are people's names, not a team or a company after the name.
    extra = [a.name for a, key in zip(shown, shown_keys, strict=True) if not any(m in key for m in metadata_keys)]
    return all(len(name.split()) >= 2 for name in extra)


def name_key(name: str) -> str:
    """A name's letters alone, case folded: "Jane Doe", "jane.doe" and "JANE DOE" share one."""
    return re.sub(r"\W|_", "", name.casefold())


# Where a text is the page's furniture, not a byline: form labels and buttons ("Name *", "Follow"),
# menus, comments, and links to a tag or category ("Photovoltaik").
_FURNITURE_TAGS = frozenset({"label", "button", "option", "select", "textarea", "script", "style", "title"})
_FURNITURE_ANCESTORS = frozenset({"form", "nav", "label", "button", "select"})
_FURNITURE_CLASS_WORDS = frozenset({"button", "btn", "follow", "tag", "tags", "category", "categories", "menu"})
_TEXTS_HOLDING = etree.XPath("//text()[contains(., $name)]")
# A link to a topic, tag or category page (`/thema/solarthermie/`, `/tag/cats/`, `/rubrique/monde`):
# its text names a subject, also in a sidebar's plain list with no class to say so.
_SUBJECT_PAGE = re.compile(r"/(?:tags?|categor(?:y|ies)|topics?|thema|themen?|rubri(?:k|ken|que|ques)|schlagw[oö]rter"
                           r"|schlagwort|stichw[oö]rter|stichwort|etiquetas?|categorias?|temas?|sujets?|keywords?)/",
                           re.IGNORECASE)


def shown_as_a_name(root, name: str) -> bool:
    """Whether the page shows `name` as text of its own, as a whole word or words, outside its
    furniture (forms, buttons, menus, comments, links to tag, topic or category pages), nor in
    another article's teaser or a picture's credit (as for the bylines shown: see
    `_in_a_teaser_or_credit`), and not as a commenter's ("X said"):
    a guessed author's name must be one the page gives the story, not the label of its comment
    form's name field, a "Follow" button, a tag or a word of another word ("Human" in
    "Humanökologie").

    >>> from lxml import html
    >>> page = html.fromstring("<div><p class='by'>Ana Ruiz</p><form><label>Name</label></form></div>")
    >>> shown_as_a_name(page, "Ana Ruiz"), shown_as_a_name(page, "Name"), shown_as_a_name(page, "Ruiz Ana")
    (True, False, False)
    """
    if not name or _names_a_commenter(name):
        return False
    whole = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    return any(len(text) <= len(name) + _AROUND_A_NAME and whole.search(text) and not _furniture(text.getparent())
               and not _in_a_teaser_or_credit(text.getparent()) for text in _TEXTS_HOLDING(root, name=name))


# Characters a text may hold besides the name: a byline's "Von ... am 12. Mai 2022 um 10:30 Uhr",
# not a sentence of the story that mentions a word ("... an Photovoltaik und ...").
_AROUND_A_NAME = 80


def _furniture(element) -> bool:
    from newsarchive.parsers.comments import is_comment_item

    chain = [element, *element.iterancestors()]
    return (element.tag in _FURNITURE_TAGS or element.get("rel") in ("tag", "category", "category tag")
            or (element.tag == "a" and bool(_SUBJECT_PAGE.search(element.get("href") or "")))
            or any(a.tag in _FURNITURE_ANCESTORS or is_comment_item(a) for a in chain)
            or any(not _FURNITURE_CLASS_WORDS.isdisjoint(_class_words(a)) for a in chain[:3]))


def _class_words(element) -> set[str]:
    return {word.lower() for word in re.findall(r"[A-Za-z]+", element.get("class") or "")}


# A story signed at its end, as many papers close a report: its last block the author's name alone,
# set whole in bold or italics ("<p><strong>Marina Mucha</strong></p>"). Two to four capitalised
# words; short lower-case particles between them (von, de, van der, bin).
# A name: capitalised words, with particles between them written apart ("bin", "de la") or joined to
# the next by a hyphen ("al-Taie", "Abu al-Khair": transliterated Arabic names).
_SIGNED_NAME = re.compile(rf"^{_CAPITALISED_WORD}(?:\s+(?:[^\W\d_]{{1,3}}\s+){{0,2}}(?:[^\W\d_]{{1,3}}-)?"
                          rf"{_CAPITALISED_WORD}){{1,3}}$")
_EMPHASIS_TAGS = frozenset({"b", "strong", "em", "i"})


def signature(root, last_block: str) -> Byline | None:
    """The author who signed the story: the body's last block when it is a person's name alone (not
    an agency or a role) and the page sets that block whole in bold or italics, outside its
    furniture, teasers and credits.

    >>> from lxml import html
    >>> page = html.fromstring("<div><p>The river rose.</p><p><b><i>Stefan Wasmer</i></b></p></div>")
    >>> signature(page, "Stefan Wasmer").name, signature(page, "The river rose.")
    ('Stefan Wasmer', None)
    >>> signature(html.fromstring("<div><p>Stefan Wasmer</p></div>"), "Stefan Wasmer") is None  # not set apart
    True
    """
    if not _SIGNED_NAME.match(last_block) or is_role(last_block):
        return None
    for text in _TEXTS_HOLDING(root, name=last_block):
        emphasis = text.getparent()
        if (emphasis.tag in _EMPHASIS_TAGS and _whole_block(emphasis, last_block) and not _furniture(emphasis)
                and not _in_a_teaser_or_credit(emphasis)):
            return Byline(name=last_block, name_raw=last_block, position=0)
    return None


def _whole_block(emphasis, name: str) -> bool:
    """Whether the emphasis and the elements around it up to their block (a paragraph, a div) hold
    the name and nothing else: "<p><b><i>Name</i></b></p>", not a bold name inside a sentence."""
    for element in (emphasis, *emphasis.iterancestors()):
        if normalise_text(element.text_content()) != name:
            return False
        if element.tag in BLOCK_TAGS:
            return True
    return False
