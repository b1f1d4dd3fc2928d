"""Writing records into the archive, with the archive's rules: nothing is overwritten in place.

An article is one row however many URLs it was seen under (`article_urls`); a changed title or
body adds a row to `article_versions`; authors, photos and comments are matched to what is
already stored and added only when new; the body's blocks and links (`article_blocks`,
`article_links`) are the latest version's, replaced when the content changes. Call these inside `Archive.write()`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import socket
import uuid
from collections import Counter
from pathlib import Path

from newsarchive import revisits
from newsarchive.archive.database import Database
from newsarchive.archive.queries import LAST_RECORD_CAPTURE, ArchiveLookup, StoredStory
from newsarchive.items import (
    CUT_SHORT_WARNING,
    Article,
    ArticleDuplicate,
    BodyBlock,
    Byline,
    Capture,
    Comment,
    Layer,
    ListingPage,
    PageFailure,
    Photo,
    StoredBody,
)

ARTICLE_COLUMNS = (
    "url", "canonical_url", "site", "site_code", "locale", "language", "direction", "section",
    "title", "published_at", "published_at_raw", "published_day", "modified_at", "modified_at_raw", "byline_raw",
    "body_text", "comment_count", "comment_count_raw", "comments_status",
)
PHOTO_COLUMNS = ("url", "caption", "caption_raw", "credit", "credit_raw", "alt", "width", "height", "position")

# Mutation testing (docs/testing.md): unless a comment gives another reason, a line marked
# `# pragma: no mutate` holds SQL, or the name of a table or column (a dict key of a row). SQLite
# reads keywords and names in any case, so the upper- and lower-case mutants of those strings
# change nothing. The values on those lines are checked by tests/test_archive_store_mutants.py.


def insert_row(db: Database, table: str, values: dict) -> int:
    """INSERT one row and return its rowid: plain SQL, as this runs for every page of a crawl."""
    columns = ", ".join(values)
    placeholders = ", ".join("?" for _ in values)
    cursor = db.execute(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(values.values()))
    if cursor.lastrowid is None:  # never: sqlite3 sets it after every INSERT
        raise RuntimeError(f"no rowid after an INSERT INTO {table}")  # pragma: no mutate (never raised)
    return cursor.lastrowid


def content_hash(title: str | None, body_text: str | None) -> str:
    return hashlib.sha256(f"{title or ''}\n{body_text or ''}".encode("utf-8")).hexdigest()  # pragma: no mutate (codec names ignore case)


def comment_key(comment: Comment) -> str:
    """The site's id where the markup has one, else a digest of author, date and text. The date is
    the date as printed, and only when the parsers read it as one: "3 hours ago" or "yesterday" (no
    posted_at) says when the comment came relative to the visit, and with it in the digest every
    visit stored the comment again and marked the one it stored before removed."""
    if comment.site_comment_id:
        return f"id:{comment.site_comment_id}"
    printed_date = comment.posted_at_raw if comment.posted_at else None
    basis = "\x1f".join(str(value or "") for value in (comment.author_name, printed_date, comment.body_text))
    return "h:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:20]  # pragma: no mutate (codec names ignore case)


def comment_keys(comments: list[Comment]) -> list[str]:
    """Each comment's key (comment_key) in a page's comments: the second of two alike in author, date
    and text, with no id of the site's, is `<key>#2`, and so on. A reader who posted the same words
    twice (a form sent twice) shows two comments, and the second was stored as the first again; the
    first keeps the key it always had. But a page may show its comments more than once (a list
    for small screens beside the one for large, a frame of the page itself): an alike comment
    whose neighbour before or after is alike the earlier one's too is that comment shown again,
    and has its key (a Blogger page stored its 13 comments as 65)."""
    bases = [comment_key(comment) for comment in comments]
    keys: list[str] = []
    turns: Counter[str] = Counter()
    last: dict[str, int] = {}  # each key's latest place in the list (a list shown again: in the showing before)
    for at, (comment, key) in enumerate(zip(comments, bases, strict=True)):
        earlier = last.get(key)
        last[key] = at
        if comment.site_comment_id:
            keys.append(key)
        elif earlier is not None and _same_neighbour(bases, at, earlier):
            keys.append(keys[earlier])
        else:
            turns[key] += 1
            keys.append(key if turns[key] == 1 else f"{key}#{turns[key]}")
    return keys


def _same_neighbour(keys: list[str], here: int, there: int) -> bool:
    """Whether the comments before (or after) two alike places in a list are alike, and another
    comment: a run shown again (a reader's same words posted three times running are three)."""
    own = keys[here]
    before = here > 0 and there > 0 and keys[here - 1] == keys[there - 1] != own
    return before or (here + 1 < len(keys) and keys[here + 1] == keys[there + 1] != own)


def store_article(db: Database, article: Article, crawl_id: int, seen_at: str,
                  elsewhere: ArchiveLookup | None = None, moved_from: str | None = None) -> str:
    """Store one article; return "new", "changed" or "unchanged". A page the archive does not know
    whose canonical URL names a stored article it shares almost no text with is another story
    (see _another_story): it is stored under its own URL, with a warning. A page at a stored
    story's URL that is not that story raises NotTheStory (_why_not_the_story). elsewhere: another
    archive whose stories count as stored too, for a page this one does not know (a shard of a
    distributed crawl holds only its own; the merged archive, --lookup-db, holds the rest).
    moved_from: the URL the crawl asked for when redirects led from it to this page: a stored story
    at that URL whose text this page shares (a headline edited, its slug with it, the old URL
    redirecting) is this page's story, which gains a version and the new URL, rather than a new
    article with the edit history split in two (_moved_story)."""
    key = article.canonical_url or article.url
    digest = content_hash(article.title, article.body_text)
    existing = _stored_under(db, key, article.url)
    moved = _moved_story(db, moved_from, article, digest)
    if moved is None:
        _refuse_a_redirect_away(db, moved_from, article)
    if existing is not None and moved is not None and existing[0] != moved[0]:
        existing = _one_story_stored_twice(db, existing[0], moved[0], key, article.url)
    existing = existing or moved
    if existing is not None and existing[1] != digest and key != article.url and _another_story(db, existing[0], article):
        article = dataclasses.replace(article, canonical_url=article.url, warnings=[
            *article.warnings, f"canonical_url: {key} is the canonical URL of another story in the archive; "
                               "kept this page's own URL"])
        key, existing = article.url, _stored_under(db, article.url, article.url)
    if existing is not None and existing[1] != digest:
        _refuse_a_cut_version(existing[0], article)
        _refuse_what_is_not(_stored_story(db, existing[0]), article)
    elif existing is None and elsewhere is not None:
        known = elsewhere.stored_story([key, article.url])
        if known is not None and known.content_hash != digest:
            _refuse_what_is_not(known, article, f" in {elsewhere.db_path}")
    if existing is not None:
        article = _keeping_comments_read(article, existing[3], existing[4])
    if existing is None:
        article_id, status = _insert_article(db, article, digest, crawl_id, seen_at), "new"
    elif existing[1] != digest:
        article_id, status = existing[0], "changed"
        _update_article(db, article_id, article, digest, existing[2] + 1, crawl_id, seen_at)
    else:
        article_id, status = existing[0], "unchanged"
        # The same story; its comments may have been read another way (a rendering: `sources`), and
        # the warnings are this visit's (a comment page not read last time may have been now).
        values = _article_values(article)
        db.execute(
            "UPDATE articles SET last_seen_at = ?, last_crawl_id = ?, comment_count = ?, "  # pragma: no mutate
            "comment_count_raw = ?, comments_status = ?, sources = ?, warnings = ?, "  # pragma: no mutate
            "byline_raw = coalesce(?, byline_raw) WHERE id = ?",  # pragma: no mutate (a byline corrected: _store_authors)
            [seen_at, crawl_id, article.comment_count, article.comment_count_raw, article.comments_status,
             values["sources"], values["warnings"], article.byline_raw if article.authors else None, article_id],
        )
    for url in {key, article.url}:
        db.execute("INSERT OR IGNORE INTO article_urls (url, article_id, first_seen_at) VALUES (?, ?, ?)",  # pragma: no mutate
                   [url, article_id, seen_at])
    db.conn.executemany("INSERT OR IGNORE INTO article_alternates (url, hreflang, alternate_url, first_seen_at) "  # pragma: no mutate
                        "VALUES (?, ?, ?, ?)",  # pragma: no mutate
                        [(key, language, url, seen_at) for language, url in article.alternates.items()])
    if status != "unchanged" or not _has_blocks(db, article_id):  # also fills an article stored before m013
        _replace_blocks(db, article_id, article.body_blocks)
    _store_authors(db, article_id, article.authors)
    _store_photos(db, article_id, article.photos, seen_at)
    keys = comment_keys(article.comments)
    _store_comments(db, article_id, article.comments, keys, seen_at)
    if article.comments_complete:
        _mark_removed_comments(db, article_id, keys, seen_at)
    return status


def _moved_story(db: Database, moved_from: str | None, article: Article, digest: str) -> tuple | None:
    """The stored story at the URL a redirect led from, when the page is that story moved: it
    shares the story's text (SAME_STORY_SHARE). A consent or login page many story URLs redirect
    to shares none, and stays a page of its own."""
    if not moved_from:
        return None
    stored = _stored_under(db, moved_from, moved_from)
    if stored is None or (stored[1] != digest and _another_story(db, stored[0], article)):
        return None
    return stored


def _one_story_stored_twice(db: Database, one: int, other: int, key: str, url: str) -> tuple | None:
    """The story at the URL a redirect led from is stored already under the page's own URL too (the
    listing linked the new URL as well, or linked only it on an earlier crawl): the two articles
    are made one, the first stored keeping the other's versions, URLs and comments."""
    from newsarchive.archive.merge import fold_article_into

    fold_article_into(db, keep_id=min(one, other), gone_id=max(one, other))
    return _stored_under(db, key, url)


def _refuse_a_redirect_away(db: Database, moved_from: str | None, page: Article) -> None:
    """Raise NotTheStory when a stored story's URL now redirects to a page that is not the story
    and no story at all by _why_not_the_story's signs (a login or subscription page, a removal
    notice elsewhere on the site): stored as an article, the page said nothing of the story, and
    the crawl told of no failure. A page of its own that states the story's day is another story
    the site sends readers to, stored as such."""
    stored = _stored_under(db, moved_from, moved_from) if moved_from else None
    if stored is not None:
        _refuse_what_is_not(_stored_story(db, stored[0]), page,
                            f" at {moved_from}, which now redirects to {page.url}")


def _stored_under(db: Database, key: str, url: str) -> tuple | None:
    """The stored article reached by the canonical URL or the page's URL: (id, content hash,
    version count, comments status, sources), or None."""
    return db.execute(
        "SELECT a.id, a.content_hash, a.version_count, a.comments_status, a.sources FROM article_urls u "  # pragma: no mutate
        "JOIN articles a ON a.id = u.article_id WHERE u.url IN (?, ?) LIMIT 1",  # pragma: no mutate
        [key, url],
    ).fetchone()


# A new version of a story keeps most of its text: an edit, a correction or an update keeps at least
# this share of the shorter text's five-word runs (a fifth of the words rewritten in one place keeps
# about four fifths of them), while two stories of one site share almost none. A page reached by a
# URL the archive does not know, whose canonical URL names a stored article it shares less with, is
# another story: a template that names the section, or a tag page, as every story's canonical URL.
SAME_STORY_SHARE = 0.2


def _another_story(db: Database, stored_id: int, article: Article) -> bool:
    """Whether the page is another story than the stored article its canonical URL names: it is
    not one of that article's URLs, and the two share less than SAME_STORY_SHARE of their text."""
    if db.execute("SELECT 1 FROM article_urls WHERE url = ? AND article_id = ?",  # pragma: no mutate
                  [article.url, stored_id]).fetchone() is not None:
        return False
    return not _shares_text(db, stored_id, article.body_text)


def _stored_page(db: Database, article_id: int, url: str) -> Article:
    """What _why_not_the_story reads of a page this crawl stored already, as the article it gave."""
    title, body, published_at, published_day, sources = db.execute(
        "SELECT title, body_text, published_at, published_day, sources FROM articles WHERE id = ?",  # pragma: no mutate
        [article_id]).fetchone()
    return Article(url=url, title=title, body_text=body, published_at=published_at, published_day=published_day,
                   sources=json_object(sources))


def _stored_body(db: Database, article_id: int) -> str:
    return db.execute("SELECT body_text FROM articles WHERE id = ?", [article_id]).fetchone()[0]  # pragma: no mutate


def _shares_text(db: Database, stored_id: int, body_text: str | None) -> bool:
    """Whether a text shares at least SAME_STORY_SHARE of its five-word runs (of the shorter of the
    two) with the stored article's body: an edit of the story, not another story."""
    from newsarchive.archive.duplicates import body_words, shingles

    stored, page = shingles(body_words(_stored_body(db, stored_id))), shingles(body_words(body_text))
    return len(stored & page) >= SAME_STORY_SHARE * min(len(stored), len(page))


class NotTheStory(Exception):
    """A page at a stored article's URL that is not that story (_why_not_the_story): the crawl
    records it as a `not_the_story` failure (`reason`), with its capture, and the article keeps its versions."""

    reason = "not_the_story"


class CutShortOfTheStory(NotTheStory):
    """A page that arrived cut short (its `data_loss` warning) with other text than the stored
    story's: a fragment, not the story's next version. A `data_loss` failure, asked for again by
    the next crawl; the stored version stays the story's text."""

    reason = "data_loss"


def _refuse_a_cut_version(article_id: int, article: Article) -> None:
    """Raise CutShortOfTheStory for a page cut short whose text is not the stored story's. Stored
    as a version, the fragment replaced the story's text (an article of 5,700 characters became
    150) until a later crawl fetched it whole. A story first stored from a cut page keeps that
    version until a page that is whole replaces it."""
    if any(warning.startswith(CUT_SHORT_WARNING) for warning in article.warnings):
        raise CutShortOfTheStory(f"the page arrived cut short, and its text is not the story archived as article "
                                 f"{article_id}: that version is kept; the next crawl asks for the page again")


# Where a publication date came from when the page itself does not state one (Article.sources).
_DATE_NOT_STATED = (None, "url")


def _stored_story(db: Database, article_id: int) -> StoredStory:
    return StoredStory(*db.execute(f"SELECT {StoredStory.COLUMNS} FROM articles a WHERE a.id = ?",  # pragma: no mutate
                                   [article_id]).fetchone())


def _refuse_what_is_not(stored: StoredStory, article: Article, where: str = "") -> None:
    why = _why_not_the_story(stored, article, where)
    if why:
        raise NotTheStory(why)


def _why_not_the_story(stored: StoredStory, article: Article, where: str) -> str | None:
    """Why a page with other content than the stored article it is reached by is not a new version
    of it, or None when it may be one. During maintenance, behind a block page or a removal
    notice, sites answer a story's URL with 200 and a page of their own: stored as a version, it
    would replace the story's title and text with "We'll be back soon" in every archive query. Such
    a page shares (almost) no text with the story (SAME_STORY_SHARE) and states no publication date
    (a URL's date is the URL's, not the page's) where the stored story stated one, or states another
    day (the site's template shows today's date in its masthead, which the any-site layer reads). A
    story rewritten in place (a live blog) still states its day; a story whose pages never stated
    one is stored as before."""
    from newsarchive.archive.duplicates import body_words, shingles

    if json_object(stored.sources).get("published_at") in _DATE_NOT_STATED:
        return None
    page_day = article.published_day or (article.published_at or "")[:10]
    if (article.published_at is not None and article.sources.get("published_at") not in _DATE_NOT_STATED
            and (stored.published_day is None or page_day == stored.published_day)):
        return None
    words = body_words(article.body_text)
    runs, page = shingles(body_words(stored.body_text)), shingles(words) if words else set()
    shared = len(runs & page)
    if page and shared >= SAME_STORY_SHARE * min(len(runs), len(page)):
        return None
    return (f"the page no longer shows the story archived as article {stored.article_id}{where} "
            f"({stored.title!r}): it states {_date_stated(article, stored)}, and shares {shared} of its "
            f"{len(page)} five-word runs with the story's text (a maintenance, block or removal page); shows {article.title!r}. The "
            "article keeps its versions; the next crawl asks for the page again")


def _date_stated(article: Article, stored: StoredStory) -> str:
    if article.published_at is None or article.sources.get("published_at") in _DATE_NOT_STATED:
        return "no publication date, where the story did"
    return f"another day ({article.published_day or article.published_at}) than the story's ({stored.published_day})"


def _keeping_comments_read(article: Article, stored_status: str | None, stored_sources: str | None) -> Article:
    """The article as stored after a visit, its comments' status kept (comments_read_kept)."""
    status, sources = comments_read_kept(article.comments_status, article.sources, stored_status, stored_sources)
    if status == article.comments_status:
        return article
    return dataclasses.replace(article, comments_status="complete", sources=sources)  # the one change it makes


def comments_read_kept(status: str | None, sources: dict, earlier_status: str | None,
                       earlier_sources: str | None) -> tuple[str | None, dict]:
    """The comments' status and the field sources of a visit, after an earlier one's (its sources
    as stored: JSON): a visit that did not reach the comments (`unreached`: not rendered this time,
    or its render failed) does not undo one that read them all, which stays `complete`, its
    comments keeping the source they were read from. A visit whose render read some and knows of
    more (its counter says 5, the browser showed 3) is `unreached` whatever came before: kept
    `complete`, the story was never asked for again once its refresh window had passed.
    newsarchive/archive/merge.py merges two archives' views of an article by the same rule.

    >>> comments_read_kept("unreached", {"title": "html"}, "complete", '{"comments": "rendered"}')
    ('complete', {'title': 'html', 'comments': 'rendered'})
    >>> comments_read_kept("unreached", {"comments": "rendered"}, "complete", '{"comments": "rendered"}')
    ('unreached', {'comments': 'rendered'})
    >>> comments_read_kept("unreached", {"comments": "html"}, "complete", '{"comments": "rendered"}')
    ('complete', {'comments': 'rendered'})
    >>> comments_read_kept("none", {}, "complete", '{"comments": "rendered"}')  # the comments are gone
    ('none', {})
    """
    if status != "unreached" or earlier_status != "complete" or sources.get("comments") == Layer.RENDERED:
        return status, sources
    read_from = json_object(earlier_sources).get("comments")
    return "complete", ({**sources, "comments": read_from} if read_from else dict(sources))


def json_object(text: str | None) -> dict:
    """The JSON object a column holds (sources, coverage ...); {} when it holds none or is damaged."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def store_not_modified(db: Database, url: str, crawl_id: int, seen_at: str) -> bool:
    """A 304 for a known article: it, and every comment it still had, was seen again."""
    row = db.execute("SELECT article_id FROM article_urls WHERE url = ?", [url]).fetchone()  # pragma: no mutate
    if row is None:
        return False
    db.execute("UPDATE articles SET last_seen_at = ?, last_crawl_id = ? WHERE id = ?", [seen_at, crawl_id, row[0]])  # pragma: no mutate
    db.execute("UPDATE comments SET last_seen_at = ? WHERE article_id = ? AND removed_at IS NULL", [seen_at, row[0]])  # pragma: no mutate
    return True


def visit_before(db: Database, urls: list[str]) -> tuple[int, str, int] | None:
    """What a visit is compared with, read before the page is stored: (article id, last seen,
    version count), or None for an article not stored yet."""
    return db.execute(
        f"SELECT a.id, a.last_seen_at, a.version_count FROM article_urls u JOIN articles a ON a.id = u.article_id "
        f"WHERE u.url IN ({', '.join('?' for _ in urls)}) LIMIT 1", urls).fetchone()


def schedule_visit(db: Database, urls: list[str], before: tuple[int, str, int] | None, seen_at: str,
                   limits: revisits.Limits) -> bool | None:
    """After a page of the article was stored: note the visit in its revisit schedule (`revisits`)
    and return whether it found a change (a new version, or comments added or removed at seen_at);
    None when the page stored the article for the first time."""
    row = db.execute(
        f"SELECT a.id, coalesce(a.published_at, a.first_seen_at), a.comment_count, a.version_count "
        f"FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url IN ({', '.join('?' for _ in urls)}) "
        f"LIMIT 1", urls).fetchone()
    if row is None:
        return None
    article_id, published_at, comment_count, version_count = row
    changed = before is not None and (version_count > before[2] or db.execute(
        "SELECT 1 FROM comments WHERE article_id = ? AND (first_seen_at = ? OR removed_at = ?) LIMIT 1",  # pragma: no mutate
        [article_id, seen_at, seen_at]).fetchone() is not None)
    stored = db.execute("SELECT next_visit_at, change_rate, visits, changes_found, visited_days FROM revisits "  # pragma: no mutate
                        "WHERE article_id = ?",  # pragma: no mutate
                        [article_id]).fetchone()
    schedule = revisits.after_visit(revisits.Schedule(*stored) if stored else None, published_at=published_at,
                                    previous_seen_at=before[1] if before else None, seen_at=seen_at,
                                    changed=changed, comment_count=comment_count, limits=limits)
    db.execute("INSERT OR REPLACE INTO revisits (article_id, next_visit_at, change_rate, visits, changes_found, "  # pragma: no mutate
               "visited_days) VALUES (?, ?, ?, ?, ?, ?)",  # pragma: no mutate
               [article_id, schedule.next_visit_at, schedule.change_rate, schedule.visits, schedule.changes_found,
                schedule.visited_days])
    return changed if before is not None else None


def store_duplicate(db: Database, duplicate: ArticleDuplicate, seen_at: str, moved_from: str | None = None) -> bool:
    """A page of an article already stored in this crawl under another URL: link the URL to it.
    moved_from: the URL the crawl asked for when redirects led from it to this page; a stored story
    there that shares the page's text is the same story, stored twice (_one_story_stored_twice)."""
    row = db.execute("SELECT article_id FROM article_urls WHERE url = ?", [duplicate.canonical_url]).fetchone()  # pragma: no mutate
    if row is None:
        return False
    moved = _stored_under(db, moved_from, moved_from) if moved_from else None
    if moved is not None and moved[0] != row[0]:
        if not _shares_text(db, moved[0], _stored_body(db, row[0])):
            _refuse_a_redirect_away(db, moved_from, _stored_page(db, row[0], duplicate.url))
        else:
            row = _one_story_stored_twice(db, row[0], moved[0], duplicate.canonical_url, duplicate.canonical_url)
    db.execute("INSERT OR IGNORE INTO article_urls (url, article_id, first_seen_at) VALUES (?, ?, ?)",  # pragma: no mutate
               [duplicate.url, row[0], seen_at])
    return True


def store_listing(db: Database, listing: ListingPage, crawl_id: int | None, seen_at: str) -> None:
    insert_row(db, "listings", {  # pragma: no mutate
        "crawl_id": crawl_id, "url": listing.url, "kind": listing.kind, "page": listing.page,  # pragma: no mutate
        "links": listing.links, "requested": listing.requested, "fetched_at": seen_at,  # pragma: no mutate
    })


def _article_values(article: Article) -> dict:
    values = {column: getattr(article, column) for column in ARTICLE_COLUMNS}
    values["canonical_url"] = article.canonical_url or article.url
    values["section_path"] = json.dumps(article.section_path, ensure_ascii=False)  # pragma: no mutate (ensure_ascii=None is as false)
    values["sources"] = json.dumps(article.sources, sort_keys=True)  # pragma: no mutate
    values["warnings"] = json.dumps(article.warnings, ensure_ascii=False)  # pragma: no mutate (ensure_ascii=None is as false)
    return values


def _insert_article(db: Database, article: Article, digest: str, crawl_id: int, seen_at: str) -> int:
    values = _article_values(article) | {
        "content_hash": digest, "version_count": 1, "first_seen_at": seen_at,  # pragma: no mutate
        "last_seen_at": seen_at, "first_crawl_id": crawl_id, "last_crawl_id": crawl_id,  # pragma: no mutate
    }
    article_id = insert_row(db, "articles", values)  # pragma: no mutate
    _insert_version(db, article_id, 1, article, digest, crawl_id, seen_at)
    return article_id


def _update_article(db, article_id, article, digest, version, crawl_id, seen_at) -> None:
    values = _article_values(article) | {
        "content_hash": digest, "version_count": version, "last_seen_at": seen_at,  # pragma: no mutate
        "last_crawl_id": crawl_id,  # pragma: no mutate
    }
    values.pop("canonical_url")  # the row keeps the key it was first stored under
    db["articles"].update(article_id, values)
    _insert_version(db, article_id, version, article, digest, crawl_id, seen_at)


def _insert_version(db, article_id, version, article, digest, crawl_id, seen_at) -> None:
    insert_row(db, "article_versions", {  # pragma: no mutate
        "article_id": article_id, "version": version, "captured_at": seen_at, "crawl_id": crawl_id,  # pragma: no mutate
        "title": article.title, "body_text": article.body_text, "content_hash": digest,  # pragma: no mutate
    })


def _has_blocks(db: Database, article_id: int) -> bool:
    return db.execute("SELECT 1 FROM article_blocks WHERE article_id = ? LIMIT 1",  # pragma: no mutate
                      [article_id]).fetchone() is not None


def _replace_blocks(db: Database, article_id: int, blocks: list[BodyBlock]) -> None:
    """The latest version's blocks and their links, in place of the previous version's."""
    db.execute("DELETE FROM article_links WHERE article_id = ?", [article_id])  # pragma: no mutate
    db.execute("DELETE FROM article_blocks WHERE article_id = ?", [article_id])  # pragma: no mutate
    blocks = blocks or []
    db.conn.executemany("INSERT INTO article_blocks (article_id, position, kind, text) VALUES (?, ?, ?, ?)",  # pragma: no mutate
                   [(article_id, position, block.kind, block.text) for position, block in enumerate(blocks)])
    db.conn.executemany(
        "INSERT INTO article_links (article_id, block_position, position, url, anchor_text) VALUES (?, ?, ?, ?, ?)",  # pragma: no mutate
        [(article_id, block_position, position, link.url, link.text)
         for block_position, block in enumerate(blocks) for position, link in enumerate(block.links)])


def _store_authors(db: Database, article_id: int, authors: list[Byline]) -> None:
    """The article's credits, as its byline now gives them: a corrected byline (John Smith, then
    Jane Doe) replaces those of the last visit, where it credited both; an author no article
    credits any more is no author of the archive. A visit whose page gave no byline leaves them (a
    page whose markup changed, not a correction)."""
    if not authors:
        return
    rows = [(_author_id(db, author.name), author.position, author.name_raw, author.role) for author in authors]
    stored = db.execute("SELECT author_id, position, name_raw, role FROM article_authors WHERE article_id = ?",  # pragma: no mutate
                        [article_id]).fetchall()
    if sorted(map(tuple, stored), key=repr) == sorted(rows, key=repr):
        return
    db.execute("DELETE FROM article_authors WHERE article_id = ?", [article_id])  # pragma: no mutate
    db.conn.executemany("INSERT OR IGNORE INTO article_authors (article_id, author_id, position, name_raw, role) "  # pragma: no mutate
                        "VALUES (?, ?, ?, ?, ?)", [(article_id, *row) for row in rows])  # pragma: no mutate
    dropped = {row[0] for row in stored} - {row[0] for row in rows}
    db.conn.executemany("DELETE FROM authors WHERE id = ? AND NOT EXISTS "  # pragma: no mutate
                        "(SELECT 1 FROM article_authors WHERE author_id = authors.id)", [[author] for author in dropped])


def _author_id(db: Database, name: str) -> int:
    row = db.execute("SELECT id FROM authors WHERE name = ?", [name]).fetchone()  # pragma: no mutate
    return row[0] if row else insert_row(db, "authors", {"name": name})


def _store_photos(db: Database, article_id: int, photos: list[Photo], seen_at: str) -> None:
    for photo in photos:
        values = [getattr(photo, column) for column in PHOTO_COLUMNS]
        db.execute(
            f"INSERT OR IGNORE INTO photos (article_id, {', '.join(PHOTO_COLUMNS)}, is_lead, first_seen_at) "
            f"VALUES (?, {', '.join('?' for _ in PHOTO_COLUMNS)}, ?, ?)",
            [article_id, *values, int(photo.is_lead), seen_at],
        )
        if photo.file_sha256:
            db.execute(
                "UPDATE photos SET file_path = ?, file_size = ?, file_type = ?, file_sha256 = ? "  # pragma: no mutate
                "WHERE article_id = ? AND url = ? AND file_sha256 IS NOT ?",  # pragma: no mutate
                [photo.file_path, photo.file_size, photo.file_type, photo.file_sha256, article_id, photo.url,
                 photo.file_sha256],
            )


def _store_comments(db: Database, article_id: int, comments: list[Comment], keys: list[str], seen_at: str) -> None:
    """The page's comments, each under its key (comment_keys)."""
    ids_by_site_id: dict[str, int] = {}
    for comment, key in zip(comments, keys, strict=True):  # document order: a parent always comes before its replies
        parent_id = ids_by_site_id.get(comment.parent_id) if comment.parent_id else None  # pragma: no mutate (get(None) finds nothing either)
        cursor = db.execute(
            "INSERT OR IGNORE INTO comments (article_id, comment_key, site_comment_id, parent_id, "  # pragma: no mutate
            "parent_site_comment_id, author_name, posted_at, posted_at_raw, body_text, position, "  # pragma: no mutate
            "depth, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # pragma: no mutate
            [article_id, key, comment.site_comment_id, parent_id, comment.parent_id, comment.author_name,
             comment.posted_at, comment.posted_at_raw, comment.body_text, comment.position, comment.depth,
             seen_at, seen_at],
        )
        if cursor.rowcount and cursor.lastrowid is not None:  # pragma: no mutate (else the UPDATE finds the new row too)
            comment_id = cursor.lastrowid
        else:  # stored by an earlier crawl: noted as (again) there, and as it is now
            stored = db.execute(
                "UPDATE comments SET last_seen_at = ?, removed_at = NULL WHERE article_id = ? AND comment_key = ? "  # pragma: no mutate
                "RETURNING id, body_text, author_name, parent_site_comment_id, depth",  # pragma: no mutate
                [seen_at, article_id, key],
            ).fetchone()
            comment_id = stored[0]
            _note_comment_changed(db, stored, comment, parent_id, seen_at)
        if comment.site_comment_id:
            ids_by_site_id[comment.site_comment_id] = comment_id


def _note_comment_changed(db: Database, stored, comment: Comment, parent_id: int | None, seen_at: str) -> None:
    """A stored comment shown again under its key (its site's id) as it is now: another text or
    name (the earlier kept in comment_edits), or another place in the thread (a comment made a
    reply, or a reply moved up)."""
    comment_id, text, author, parent_site_id, depth = stored
    shown_by = comment.author_name or author  # a name the page no longer shows is kept
    if (comment.body_text, shown_by) != (text, author):
        insert_row(db, "comment_edits", {"comment_id": comment_id, "body_text": text, "author_name": author,  # pragma: no mutate
                                         "replaced_at": seen_at})
        db.execute("UPDATE comments SET body_text = ?, author_name = ? WHERE id = ?",  # pragma: no mutate
                   [comment.body_text, shown_by, comment_id])
    if (comment.parent_id, comment.depth) != (parent_site_id, depth):
        db.execute("UPDATE comments SET parent_id = ?, parent_site_comment_id = ?, depth = ? WHERE id = ?",  # pragma: no mutate
                   [parent_id, comment.parent_id, comment.depth, comment_id])


def _mark_removed_comments(db: Database, article_id: int, keys: list[str], seen_at: str) -> int:
    """Stored comments missing from a page whose comment section was read whole (keys: the page's
    comment_keys): removed, not deleted.

    removed_at keeps the time a comment was first missed; a comment that comes back is cleared.
    """
    # No comments left on the page: every stored one is gone ("NOT IN ()" is not SQL, and
    # "NOT IN (NULL)" matches nothing).
    still_there = f"AND comment_key NOT IN ({', '.join('?' for _ in keys)})" if keys else ""  # pragma: no mutate (SQLite reads NOT IN () as true)
    return db.execute(
        f"UPDATE comments SET removed_at = ? WHERE article_id = ? AND removed_at IS NULL {still_there}",
        [seen_at, article_id, *keys],
    ).rowcount


def store_other_pages(db: Database, pages: set[str], others: list[str], seen_at: str) -> None:
    """The other pages a story's page (under each of `pages`: the URL asked for, the page's own)
    was read with (other_pages)."""
    db.conn.executemany("INSERT OR IGNORE INTO other_pages (url, other_url, first_seen_at) VALUES (?, ?, ?)",  # pragma: no mutate
                        [(page, other, seen_at) for page in sorted(pages) for other in others])


def store_failure(db: Database, failure: PageFailure, crawl_id: int | None, failed_at: str) -> None:
    insert_row(db, "failures", {  # pragma: no mutate
        "crawl_id": crawl_id, "url": failure.url, "reason": failure.reason,  # pragma: no mutate
        "detail": failure.detail, "status": failure.status, "failed_at": failed_at,  # pragma: no mutate
    })


def start_crawl(db: Database, site: str | None, spider: str, settings: dict, started_at: str) -> int:
    return insert_row(db, "crawls", {  # pragma: no mutate
        "site": site, "spider": spider, "started_at": started_at,  # pragma: no mutate
        "settings": json.dumps(settings, sort_keys=True, default=str),  # pragma: no mutate
        "host": socket.gethostname(), "pid": os.getpid(), "uuid": uuid.uuid4().hex,  # pragma: no mutate
        "pid_started": process_started(os.getpid()),
    })


def mark_interrupted_crawls(db: Database) -> list[int]:
    """Crawls left unfinished by a process of this host that no longer runs: killed, or crashed.

    They get finish_reason "interrupted" and, as finished_at, the time of their last capture; and
    the figures their rows tell (articles new and changed, failures, listings), which only the
    crawl's end wrote: a killed crawl's report said "0 new" of the 18 articles it had stored. Its
    requests and responses, counted in the process's memory, stay unknown (NULL).
    """
    interrupted = [
        crawl_id for crawl_id, pid, started in db.execute(
            "SELECT id, pid, pid_started FROM crawls WHERE finished_at IS NULL AND host = ?",  # pragma: no mutate
            [socket.gethostname()])
        if pid and not _process_alive(pid, started)
    ]
    for crawl_id in interrupted:
        db.execute(
            "UPDATE crawls SET finish_reason = 'interrupted', finished_at = coalesce("  # pragma: no mutate
            "(SELECT max(fetched_at) FROM captures WHERE crawl_id = ?), started_at), "  # pragma: no mutate
            "articles_new = (SELECT count(*) FROM articles WHERE first_crawl_id = ?), "  # pragma: no mutate
            "articles_changed = (SELECT count(*) FROM article_versions WHERE crawl_id = ? AND version > 1), "  # pragma: no mutate
            "failures = (SELECT count(*) FROM failures WHERE crawl_id = ?), "  # pragma: no mutate
            "listings = (SELECT count(*) FROM listings WHERE crawl_id = ?) WHERE id = ?",  # pragma: no mutate
            [crawl_id] * 6,
        )
    return interrupted


def _process_alive(pid: int, started: int | None = None) -> bool:
    """Whether the crawl's process still runs: a process of that id, not a zombie (killed, its
    parent yet to reap it: a supervisor that starts the next crawl first), and, where its start
    is known, started when the crawl's did (after a reboot the id may be another process's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive, unless /proc says otherwise
        pass
    state = _proc_stat(pid)
    if state is None:  # no /proc (not Linux): the id alone
        return True
    status, start = state
    return status not in ("Z", "X") and (started is None or start == started)


def process_started(pid: int) -> int | None:
    """When a process started, in clock ticks since boot (/proc/PID/stat), or None without /proc."""
    state = _proc_stat(pid)
    return state[1] if state else None


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, start time in ticks since boot) of a process, from /proc/PID/stat; None without it."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after the command name, which may hold spaces
    return fields[0], int(fields[19])


def finish_crawl(db: Database, crawl_id: int, values: dict) -> None:
    values = dict(values)
    if isinstance(values.get("coverage"), dict):
        coverage = json.dumps(values["coverage"], sort_keys=True)
        values["coverage"] = coverage  # pragma: no mutate
    db.table("crawls").update(crawl_id, values)  # a Table, typed as one (db[name] may be a View)


def store_capture(db: Database, capture: Capture, crawl_id: int | None, kind: str = "page",
                  body_file: str | None = None) -> str:
    """Store a response, or a revisit pointing at the capture that holds its body.

    A revisit is a body identical to the URL's last full capture (WARC's identical-payload-digest
    profile), or a 304 Not Modified answer to a conditional request (server-not-modified).
    kind is page, photo, robots, rendered or redirect (with capture.location, where it led); a body
    kept in a file already (a photo under the photos folder) is not stored again: body_file names
    that file, relative to the folder.
    """
    body = capture.body or b""
    stored = capture.stored if capture.stored is not None and capture.stored.size == len(body) else None
    digest = stored.digest if stored else "sha256:" + hashlib.sha256(body).hexdigest()
    last = db.execute(
        "SELECT id, body_digest FROM captures WHERE url = ? AND kind = ? AND revisit_of IS NULL AND status != 304 "  # pragma: no mutate
        "ORDER BY id DESC LIMIT 1",  # pragma: no mutate
        [capture.url, kind],  # a rendered DOM is no revisit of the page as sent, nor the reverse
    ).fetchone()
    # A 304 answers the validators of the capture that gave the record (archive/queries.py), not
    # the URL's last body (a maintenance page, a 503 since).
    not_modified = db.execute(LAST_RECORD_CAPTURE.format(columns="coalesce(c.revisit_of, c.id), c.body_digest"),
                              [capture.url]).fetchone() if capture.status == 304 else None
    if not_modified:
        revisit_of, digest = not_modified[0], not_modified[1]
    else:
        revisit_of = last[0] if last and last[1] == digest else None
    headers = capture.response_headers
    insert_row(db, "captures", {  # pragma: no mutate
        "crawl_id": crawl_id, "url": capture.url, "fetched_at": capture.fetched_at,  # pragma: no mutate
        "status": capture.status,  # pragma: no mutate
        "request_headers": json.dumps(capture.request_headers, ensure_ascii=False),  # pragma: no mutate (ensure_ascii=None is as false)
        "response_headers": json.dumps(headers, ensure_ascii=False),  # pragma: no mutate (ensure_ascii=None is as false)
        "content_type": next(iter(headers.get("Content-Type", [])), None),  # pragma: no mutate
        "body": None if revisit_of or body_file else (stored or StoredBody.of(body)).compressed,
        "body_encoding": None if revisit_of else ("file" if body_file else "zlib"),  # pragma: no mutate
        "body_size": len(body), "body_digest": digest, "revisit_of": revisit_of,  # pragma: no mutate
        "kind": kind, "body_file": None if revisit_of else body_file,  # pragma: no mutate
        "location": capture.location, "truncated": capture.truncated,
    })
    return "revisit" if revisit_of else "response"
