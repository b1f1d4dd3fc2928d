"""The offline demo site: a Diyaruna-family news site rendered to static files, of any size.

`generate_site(out_dir, articles=N, seed=S)` writes the pages in the platform's markup (the
same as the fixture pages, docs/site-markup.md) and `manifest.json`, the ground truth a crawl of
the site must reproduce: every article with its section, authors, photos and comments.

Deterministic for a seed. English and Arabic articles; sections with pagination; monthly
archives; an archive index per locale; an RSS feed and an Atom feed per locale; a sitemap
(/sitemap.xml); robots.txt. Some articles are listed in two sections, and some listing links
carry tracking parameters: the crawler must store them once.

Re-crawl tests regenerate the same site with `changes=SiteChanges(...)`: some articles edited
(listings then show "Updated"), comments added or removed (listings show comment counts), new
articles published. As many CMSs do, the sitemap's <lastmod> and the Atom feed's <updated> of an
article become the moment of the change when it is edited or its comments change (else they
are its publication date); with `stealth=True` an edit shows no "Updated" date anywhere else,
so those are its only signs. Files whose content did not change are not rewritten, so the
server's ETag and Last-Modified stay the same for them; the manifest lists what changed.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from newsarchive.demo import pages
from newsarchive.demo.words import LANGUAGES, LanguagePack

PAGE_SIZE = 10
SITE_CODE, HOST = "cnmi_di", "diyaruna.com"
FIRST_DAY = date(2019, 1, 1)
CREDIT_STYLES = ("[Photo courtesy of {source}]", "[Photo: {agency}]", "[Photo by {author}/Diyaruna]",
                 "[File photo]", "")


@dataclass
class DemoComment:
    id: str
    parent_id: str | None
    author: str
    posted_at: str
    text: str
    replies: list["DemoComment"] = field(default_factory=list)


@dataclass
class DemoPhoto:
    path: str
    caption: str
    credit: str | None
    caption_printed: str
    alt: str


@dataclass
class SiteChanges:
    """What happened on the site since an earlier generation of the same seed."""

    edited: int = 0  # articles revised: a new title and an added paragraph
    comments_added: int = 0  # articles that gain a comment
    comments_removed: int = 0  # articles that lose a comment (one without replies)
    new_articles: int = 0  # published since, dated after every earlier article
    among_newest: int = 0  # pick the changed articles among this many newest ones (0: among all)
    seed: int = 1
    stealth: bool = False  # edits print no "Updated" date: only the sitemap and the Atom feed show them


@dataclass
class DemoArticle:
    path: str
    locale: str
    title: str
    section_path: list[str]
    section_url: str
    published_date: str
    authors: list[str]
    photos: list[DemoPhoto]
    blocks: list[tuple[str, str]]  # ("paragraph" | "heading", text)
    comments: list[DemoComment]  # top level, replies nested
    modified_date: str | None = None  # the "Updated" date pages print
    changed_at: str | None = None  # when it was last edited or its comments changed (UTC, to the second)

    @property
    def last_change(self) -> str:
        """The sitemap's <lastmod>: the last change, else the publication date."""
        return self.changed_at or self.published_date

    def flat_comments(self) -> list[DemoComment]:
        def walk(comments):
            for comment in comments:
                yield comment
                yield from walk(comment.replies)
        return list(walk(self.comments))


def generate_site(out_dir: str | Path, articles: int = 60, seed: int = 0, first_day: date = FIRST_DAY,
                  changes: SiteChanges | None = None) -> dict:
    """Write the demo site under out_dir; return (and write) its manifest.

    Articles are dated from first_day on, about three every two days.
    """
    out_dir = Path(out_dir)
    rng = random.Random(seed)
    made = _make_articles(rng, articles + (changes.new_articles if changes else 0), first_day)
    applied = _apply_changes(made[:articles], made[articles:], changes) if changes else None
    writer = _SiteWriter(out_dir)
    for article in made:
        writer.write(article.path, pages.article_page(article, LANGUAGES[article.locale]))
    sections = _write_sections(writer, made, rng)
    archives = _write_archives(writer, made)
    _write_front_pages(writer, made)
    manifest = _manifest(made, sections, archives)
    if applied is not None:
        manifest["changes"] = applied
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return manifest


# making the articles -------------------------------------------------------------------------

def _make_articles(rng: random.Random, count: int, first_day: date) -> list[DemoArticle]:
    per_day: dict[tuple[str, str], int] = {}
    comment_ids = iter(range(100_001, 10**9))
    made = []
    for number in range(count):
        locale = "ar" if rng.random() < 0.2 else "en_GB"
        language = LANGUAGES[locale]
        day = first_day + timedelta(days=number * 2 // 3)
        key = (locale, day.isoformat())
        per_day[key] = per_day.get(key, 0) + 1
        slug = f"feature-{per_day[key]:02d}"
        path = f"/{locale}/articles/{SITE_CODE}/features/{day:%Y/%m/%d}/{slug}"
        section = rng.choice(language.sections)
        made.append(DemoArticle(
            path=path, locale=locale, title=language.headline(rng), section_path=list(section.breadcrumb),
            section_url=section.url, published_date=day.isoformat(),
            authors=_authors(rng, language), photos=_photos(rng, language, day, number),
            blocks=_blocks(rng, language), comments=_comments(rng, language, day, comment_ids),
        ))
    return made


def _authors(rng, language: LanguagePack) -> list[str]:
    if rng.random() < 0.1:
        return []
    return rng.sample(language.author_pool, rng.choice((1, 1, 1, 2, 3)))


def _photos(rng, language: LanguagePack, day: date, number: int) -> list[DemoPhoto]:
    photos = []
    for index in range(rng.choice((0, 1, 1, 1, 2, 3, 4))):
        caption = language.caption(rng)
        style = rng.choice(CREDIT_STYLES)
        credit_printed = language.credit(style, rng)
        credit = language.credit_value(style, credit_printed)
        width, height = rng.choice(((600, 384), (1200, 800), (800, 533)))
        photos.append(DemoPhoto(
            path=f"/{SITE_CODE}/images/{day:%Y/%m/%d}/{number}-{index}-photo-{width}_{height}.jpg",
            caption=caption, credit=credit,
            caption_printed=f"{caption} {credit_printed}".strip(), alt=language.alt(rng),
        ))
    return photos


def _blocks(rng, language: LanguagePack) -> list[tuple[str, str]]:
    paragraphs = [("paragraph", language.paragraph(rng)) for _ in range(rng.randint(3, 12))]
    if rng.random() < 0.5:
        paragraphs.insert(rng.randint(1, len(paragraphs) - 1), ("heading", language.heading(rng)))
    return paragraphs


def _comments(rng, language: LanguagePack, day: date, ids) -> list[DemoComment]:
    published = datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)
    flat: list[DemoComment] = []
    top: list[DemoComment] = []
    for _ in range(rng.choice((0, 0, 1, 2, 3, 5, 8))):
        parent = rng.choice(flat) if flat and rng.random() < 0.4 else None
        if parent is not None and _depth(parent, flat) >= 2:
            parent = None
        moment = published + timedelta(minutes=rng.randint(10, 60 * 24 * 5))
        comment = DemoComment(
            id=str(next(ids)), parent_id=parent.id if parent else None,
            author=rng.choice(language.commenter_pool), posted_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            text=language.comment(rng),
        )
        (parent.replies if parent else top).append(comment)
        flat.append(comment)
    return top


def _depth(comment: DemoComment, flat: list[DemoComment]) -> int:
    by_id = {c.id: c for c in flat}
    depth = 0
    while comment.parent_id:
        comment, depth = by_id[comment.parent_id], depth + 1
    return depth


# changing the site for re-crawls -------------------------------------------------------------

def _apply_changes(earlier: list[DemoArticle], new: list[DemoArticle], changes: SiteChanges) -> dict:
    """Edit, comment on and moderate some of the earlier articles; return what was done."""
    rng = random.Random(f"changes-{changes.seed}")
    today = max(a.published_date for a in earlier + new)
    comment_ids = iter(range(900_000_001, 10**10))
    pool = earlier[-changes.among_newest:] if changes.among_newest else earlier  # oldest first
    edited = rng.sample(pool, min(changes.edited, len(pool)))
    # An edit is made now, whenever the story was published: the listing's "Updated" date says so.
    now = datetime.now(timezone.utc)
    edited_on, changed_at = now.date().isoformat(), now.strftime("%Y-%m-%dT%H:%M:%SZ")
    for article in edited:
        language = LANGUAGES[article.locale]
        article.title = f"{article.title}{language.edit_suffix}"
        article.blocks.append(("paragraph", language.correction))
        article.modified_date = None if changes.stealth else edited_on
        article.changed_at = changed_at
    with_comments = [a for a in pool if a.flat_comments()]
    removed: dict[str, list[str]] = {}
    for article in rng.sample(with_comments, min(changes.comments_removed, len(with_comments))):
        leaf = [c for c in article.flat_comments() if not c.replies][-1]
        _remove_comment(article.comments, leaf)
        removed[article.path] = [leaf.id]
        article.changed_at = changed_at
    added: dict[str, list[str]] = {}
    for article in rng.sample(pool, min(changes.comments_added, len(pool))):
        language = LANGUAGES[article.locale]
        parent = rng.choice(article.flat_comments() + [None])
        if parent is not None and _depth(parent, article.flat_comments()) >= 2:
            parent = None
        comment = DemoComment(
            id=str(next(comment_ids)), parent_id=parent.id if parent else None,
            author=rng.choice(language.commenter_pool), posted_at=f"{today}T12:00:00Z",
            text=language.comment(rng),
        )
        (parent.replies if parent else article.comments).append(comment)
        added.setdefault(article.path, []).append(comment.id)
        article.changed_at = changed_at
    return {
        "edited": [a.path for a in edited], "comments_added": added, "comments_removed": removed,
        "new_articles": [a.path for a in new],
    }


def _remove_comment(comments: list[DemoComment], target: DemoComment) -> None:
    for comment in comments:
        if comment is target:
            comments.remove(comment)
            return
        _remove_comment(comment.replies, target)


# writing listings ----------------------------------------------------------------------------

class _SiteWriter:
    """Maps URL paths to files: /a/b -> a/b/index.html, page N -> a/b/page-N.html."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, url_path: str, html: str, page: int = 1) -> None:
        name = "index.html" if page == 1 else f"page-{page}.html"
        self.write_file(f"{url_path.strip('/')}/{name}".lstrip("/"), html)

    def write_file(self, relative: str, text: str) -> None:
        """Write unless the file already holds this text: an unchanged page keeps its mtime."""
        path = self.root / relative
        data = text.encode("utf-8")
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _write_paged_listing(writer, url_path, title, locale, entries, rng=None) -> int:
    """entries: newest first. Returns the number of pages written."""
    page_count = max(1, -(-len(entries) // PAGE_SIZE))
    for page in range(1, page_count + 1):
        chunk = entries[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        links = [(a, a.path + ("?utm_source=newsletter" if rng and rng.random() < 0.1 else "")) for a in chunk]
        writer.write(url_path, pages.listing_page(url_path, title, locale, links, page, page_count,
                                                  LANGUAGES[locale]), page)
    return page_count


def _write_sections(writer, made, rng) -> list[dict]:
    sections = []
    for locale, language in LANGUAGES.items():
        for section in language.sections:
            entries = [a for a in made if a.section_url == section.url]
            # Cross-listing: some articles of other sections also appear here (stored once).
            entries += [a for a in made if a.locale == locale and a.section_url != section.url and rng.random() < 0.03]
            entries.sort(key=lambda a: (a.published_date, a.path), reverse=True)
            count = _write_paged_listing(writer, section.url, section.breadcrumb[-1], locale, entries, rng)
            sections.append({"path": section.url, "locale": locale, "title": section.breadcrumb[-1], "pages": count})
    return sections


def _write_archives(writer, made) -> list[dict]:
    archives = []
    for locale, language in LANGUAGES.items():
        months: dict[str, list[DemoArticle]] = {}
        for article in made:
            if article.locale == locale:
                months.setdefault(article.published_date[:7].replace("-", "/"), []).append(article)
        for month, entries in sorted(months.items()):
            entries.sort(key=lambda a: (a.published_date, a.path), reverse=True)
            url_path = f"/{locale}/archives/{month}"
            count = _write_paged_listing(writer, url_path, month, locale, entries)
            archives.append({"path": url_path, "locale": locale, "pages": count})
        writer.write(f"/{locale}/archives", pages.archive_index_page(locale, language.sections, LANGUAGES[locale]))
    return archives


def _write_front_pages(writer, made) -> None:
    writer.write("/", pages.home_page(list(LANGUAGES)))
    for locale in LANGUAGES:
        writer.write(f"/{locale}", pages.home_page([locale]))
        newest = sorted((a for a in made if a.locale == locale), key=lambda a: a.published_date, reverse=True)[:50]
        writer.write_file(f"{locale}/rss/index.xml", pages.rss_feed(locale, newest))
        writer.write_file(f"{locale}/atom/index.xml", _atom_feed(locale, [a for a in made if a.locale == locale]))
    writer.write_file("sitemap.xml", _sitemap(made))
    writer.write_file("robots.txt", "User-agent: *\nDisallow: /private/\n")


def _sitemap(made) -> str:
    """Every article with its <lastmod>: the publication date, or the moment of its last change."""
    urls = "".join(f"<url><loc>{xml_escape(a.path)}</loc><lastmod>{a.last_change}</lastmod></url>\n" for a in made)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n')


ATOM_ENTRIES = 50


def _atom_feed(locale: str, articles) -> str:
    """The locale's ATOM_ENTRIES most recently updated articles, newest change first (Atom's
    <updated> is a moment: publication is taken as 09:00 UTC of its day)."""
    def updated(article) -> str:
        return article.changed_at or f"{article.published_date}T09:00:00Z"

    newest = sorted(articles, key=lambda a: (updated(a), a.path), reverse=True)[:ATOM_ENTRIES]
    entries = "".join(
        f'<entry><title>{xml_escape(a.title)}</title><link rel="alternate" href="{xml_escape(a.path)}"/>'
        f"<id>{xml_escape(a.path)}</id><published>{a.published_date}T09:00:00Z</published>"
        f"<updated>{updated(a)}</updated></entry>\n" for a in newest)
    feed_updated = updated(newest[0]) if newest else "2019-01-01T00:00:00Z"
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Diyaruna {locale}</title><id>/{locale}/atom</id><updated>{feed_updated}</updated>\n"
            f"{entries}</feed>\n")


def _manifest(made, sections, archives) -> dict:
    return {
        "site_code": SITE_CODE, "host": HOST, "sections": sections, "archives": archives,
        "articles": [
            {
                "path": a.path, "locale": a.locale, "title": a.title, "section_path": a.section_path,
                "published_date": a.published_date, "modified_date": a.modified_date, "authors": a.authors,
                "photos": [{"path": p.path, "caption": p.caption, "credit": p.credit} for p in a.photos],
                "body_paragraphs": [text for _, text in a.blocks],
                "comments": [
                    {"id": c.id, "parent_id": c.parent_id, "author": c.author, "posted_at": c.posted_at, "text": c.text}
                    for c in a.flat_comments()
                ],
            }
            for a in made
        ],
    }

