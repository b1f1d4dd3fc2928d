"""The archive's schema, changed only through these named, recorded migrations.

Table and column names are the contract with researchers (docs/schema.md): add, never rename.
Times are ISO 8601 UTC text ending in Z (`*_at`); raw twins as printed end in `_raw`; JSON lists
and objects are stored as JSON text.
"""

from __future__ import annotations

import uuid

from newsarchive.archive.database import Database, Migrations
from newsarchive.archive.folding import ARABIC_MARKS
from newsarchive.items import Article

migrations = Migrations("newsarchive")
# Tables are named with db.table("name"), not db["name"]: the same Table, typed as one (db["name"]
# may also be a View, which has no create or add_column).

# How article and comment text was split into search terms: lower-cased, accents removed. (m001's
# tokenizer; m008 rebuilt the indexes with FOLDED_TOKENIZER over folded text, m024 with WORD_TOKENIZER.)
FTS_TOKENIZER = "unicode61 remove_diacritics 2"


@migrations()
def m001_core_tables(db: Database) -> None:
    db.table("crawls").create(
        {
            "id": int, "site": str, "spider": str, "started_at": str, "finished_at": str,
            "finish_reason": str, "settings": str, "requests": int, "responses": int,
            "items": int, "articles_stored": int, "articles_new": int, "articles_changed": int,
            "duplicates": int, "failures": int, "coverage": str,
        },
        pk="id",
    )
    db.table("articles").create(
        {
            "id": int, "url": str, "canonical_url": str, "site": str, "site_code": str,
            "locale": str, "language": str, "direction": str, "section": str, "section_path": str,
            "title": str, "published_at": str, "published_at_raw": str, "modified_at": str,
            "modified_at_raw": str, "byline_raw": str, "body_text": str, "comment_count": int,
            "comment_count_raw": str, "content_hash": str, "version_count": int, "sources": str,
            "warnings": str, "first_seen_at": str, "last_seen_at": str, "first_crawl_id": int,
            "last_crawl_id": int,
        },
        pk="id",
        not_null={"url", "canonical_url", "title", "body_text", "content_hash"},
        foreign_keys=[("first_crawl_id", "crawls", "id"), ("last_crawl_id", "crawls", "id")],
    )
    db.table("articles").create_index(["canonical_url"], unique=True)
    db.table("articles").create_index(["site", "published_at"])
    db.table("article_urls").create(
        {"url": str, "article_id": int, "first_seen_at": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_urls").create_index(["article_id"])
    db.table("article_versions").create(
        {
            "article_id": int, "version": int, "captured_at": str, "crawl_id": int, "title": str,
            "body_text": str, "content_hash": str,
        },
        pk=("article_id", "version"),
        foreign_keys=[("article_id", "articles", "id"), ("crawl_id", "crawls", "id")],
    )
    db.table("authors").create({"id": int, "name": str}, pk="id", not_null={"name"})
    db.table("authors").create_index(["name"], unique=True)
    db.table("article_authors").create(
        {"article_id": int, "author_id": int, "position": int, "name_raw": str, "role": str},
        pk=("article_id", "author_id"),
        foreign_keys=[("article_id", "articles", "id"), ("author_id", "authors", "id")],
    )
    db.table("article_authors").create_index(["author_id"])
    db.table("photos").create(
        {
            "id": int, "article_id": int, "url": str, "caption": str, "caption_raw": str,
            "credit": str, "credit_raw": str, "alt": str, "width": int, "height": int,
            "position": int, "is_lead": int, "first_seen_at": str,
        },
        pk="id",
        not_null={"url"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("photos").create_index(["article_id", "url"], unique=True)
    db.table("comments").create(
        {
            "id": int, "article_id": int, "comment_key": str, "site_comment_id": str,
            "parent_id": int, "parent_site_comment_id": str, "author_name": str,
            "posted_at": str, "posted_at_raw": str, "body_text": str, "position": int,
            "depth": int, "first_seen_at": str, "last_seen_at": str, "removed_at": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("parent_id", "comments", "id")],
    )
    db.table("comments").create_index(["article_id", "comment_key"], unique=True)
    db.table("comments").create_index(["parent_id"])
    db.table("failures").create(
        {
            "id": int, "crawl_id": int, "url": str, "reason": str, "detail": str, "status": int,
            "failed_at": str,
        },
        pk="id",
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db.table("failures").create_index(["crawl_id", "reason"])
    db.table("articles").enable_fts(["title", "body_text"], create_triggers=True, tokenize=FTS_TOKENIZER)
    db.table("comments").enable_fts(["body_text", "author_name"], create_triggers=True, tokenize=FTS_TOKENIZER)


@migrations()
def m002_captures(db: Database) -> None:
    db.table("captures").create(
        {
            "id": int, "crawl_id": int, "url": str, "fetched_at": str, "status": int,
            "request_headers": str, "response_headers": str, "content_type": str,
            "body": bytes, "body_encoding": str, "body_size": int, "body_digest": str,
            "revisit_of": int,
        },
        pk="id",
        foreign_keys=[("crawl_id", "crawls", "id"), ("revisit_of", "captures", "id")],
    )
    db.table("captures").create_index(["url", "fetched_at"])
    db.table("captures").create_index(["body_digest"])


@migrations()
def m003_incremental_crawls_and_photo_files(db: Database) -> None:
    # What the refresh policy spared: known articles answered 304 or unchanged, and links skipped.
    db.table("crawls").add_column("articles_not_modified", int)
    db.table("crawls").add_column("articles_skipped", int)
    # Which process ran a crawl, so a crawl whose process was killed can be told from a running one.
    db.table("crawls").add_column("host", str)
    db.table("crawls").add_column("pid", int)
    # Downloaded photo files (off by default): where, how big, what type, content hash.
    for column, kind in (("file_path", str), ("file_size", int), ("file_type", str), ("file_sha256", str)):
        db.table("photos").add_column(column, kind)
    db.table("photos").create_index(["file_sha256"])


def _create_article_overview(db: Database, *added: str) -> None:
    """The article_overview view as m004 made it, with the columns of `added` (columns of the
    articles table `a`, the later migrations' additions) after the comment counts."""
    db.execute(f"""
        CREATE VIEW article_overview AS
        SELECT a.id, a.site, a.locale, a.language, a.section, a.title, a.published_at,
               (SELECT json_group_array(name) FROM (
                    SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id
                    WHERE aa.article_id = a.id ORDER BY aa.position)) AS authors,
               (SELECT count(*) FROM photos p WHERE p.article_id = a.id) AS photo_count,
               (SELECT count(*) FROM comments c WHERE c.article_id = a.id AND c.removed_at IS NULL) AS comment_count,
               (SELECT count(*) FROM comments c WHERE c.article_id = a.id AND c.removed_at IS NOT NULL)
                   AS removed_comment_count,
               {"".join(f"{column}, " for column in added)}a.version_count, a.canonical_url AS url, a.first_seen_at,
               a.last_seen_at
        FROM articles a
    """)


@migrations()
def m004_research_views_and_indexes(db: Database) -> None:
    # Researchers' common filters and groupings: by site and section, by date, comments by date.
    db.table("articles").create_index(["site", "section", "published_at"])
    db.table("articles").create_index(["published_at"])
    db.table("comments").create_index(["posted_at"])
    db.table("photos").create_index(["credit"])
    _create_article_overview(db)
    db.execute("""
        CREATE VIEW comment_overview AS
        SELECT c.id, c.article_id, a.title AS article_title, a.site, a.published_at AS article_published_at,
               c.author_name, c.posted_at, c.body_text, c.depth, c.parent_id,
               p.author_name AS parent_author_name, c.removed_at
        FROM comments c
        JOIN articles a ON a.id = c.article_id
        LEFT JOIN comments p ON p.id = c.parent_id
    """)


@migrations()
def m005_crawl_uuid(db: Database) -> None:
    # A crawl's identity across archives: merging a shard twice must not add its crawl twice.
    db.table("crawls").add_column("uuid", str)
    # Derived from the row, not random: an older archive migrated twice (each merge migrates a
    # copy of it) must give its crawls the same identity both times, or they merge twice.
    rows = db.execute("SELECT id, site, spider, started_at, host, pid FROM crawls WHERE uuid IS NULL").fetchall()
    for crawl_id, *identity in rows:
        name = "|".join(str(part) for part in (crawl_id, *identity))
        db.execute("UPDATE crawls SET uuid = ? WHERE id = ?", [uuid.uuid5(uuid.NAMESPACE_URL, name).hex, crawl_id])
    db.table("crawls").create_index(["uuid"], unique=True)


# Indexes whose frequent terms get precomputed best-match lists (newsarchive/archive/search_lists.py),
# with the columns whose change makes those lists stale.
SEARCH_LIST_SOURCES = {"articles_fts": ("articles", ("title", "body_text")),
                       "comments_fts": ("comments", ("body_text", "author_name"))}


@migrations()
def m006_search_lists(db: Database) -> None:
    # Derived data that makes ranked search of frequent terms fast (see search_lists.py). Any
    # insert, delete or text change of the indexed rows deletes the index's state row, so the
    # lists are used only while they describe the archive exactly.
    db.execute("""
        CREATE TABLE search_lists (
            index_name TEXT PRIMARY KEY, status TEXT NOT NULL, build_token TEXT, built_at TEXT,
            indexed_rows INTEGER, terms INTEGER, min_documents INTEGER, list_length INTEGER, seconds REAL)
    """)
    # A frequent term's list is two blobs (row ids, scores): read whole, 10,000 rows in a millisecond.
    db.execute("""
        CREATE TABLE search_terms (
            index_name TEXT NOT NULL, term TEXT NOT NULL, documents INTEGER NOT NULL, cutoff REAL,
            best_rows BLOB, best_scores BLOB, PRIMARY KEY (index_name, term))
    """)
    for index_name, (table, text_columns) in SEARCH_LIST_SOURCES.items():
        forget = f"BEGIN DELETE FROM search_lists WHERE index_name = '{index_name}'; END"
        db.execute(f"CREATE TRIGGER {table}_search_lists_insert AFTER INSERT ON {table} {forget}")
        db.execute(f"CREATE TRIGGER {table}_search_lists_delete AFTER DELETE ON {table} {forget}")
        db.execute(f"CREATE TRIGGER {table}_search_lists_update AFTER UPDATE OF {', '.join(text_columns)} "
                   f"ON {table} {forget}")


@migrations()
def m007_frontier_and_listings(db: Database) -> None:
    # The crawl's state lives in the archive (see newsarchive/archive/frontier.py): every URL a
    # crawl requested, pending until the transaction that stores what its page gave settles it.
    # A crawl killed at any instant resumes from its pending rows.
    db.execute("""
        CREATE TABLE frontier (
            crawl_id INTEGER NOT NULL REFERENCES crawls(id), url TEXT NOT NULL, kind TEXT NOT NULL,
            priority INTEGER NOT NULL DEFAULT 0, meta TEXT, discovered_at TEXT NOT NULL,
            settled_at TEXT, outcome TEXT, PRIMARY KEY (crawl_id, url))
    """)
    db.execute("CREATE INDEX frontier_pending ON frontier (crawl_id) WHERE settled_at IS NULL")
    # Listing pages (sections, archives, sitemaps, feeds, robots.txt) are an outcome of their own.
    db.table("listings").create(
        {"id": int, "crawl_id": int, "url": str, "kind": str, "page": int, "links": int, "requested": int,
         "fetched_at": str},
        pk="id",
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db.table("listings").create_index(["crawl_id"])
    # Every response a crawl handled, by outcome: the crawl's own proof that nothing was lost.
    for column in ("pages", "listings", "unchanged", "resumed_from"):
        db.table("crawls").add_column(column, int)


# The Arabic marks are word characters (else "الأَمْنِيَّة" is five words), so that the folded text
# (folding.py, which drops them) has the same words as the original: snippets show the original.
FOLDED_TOKENIZER = f"unicode61 remove_diacritics 2 tokenchars '{ARABIC_MARKS}'"
# Index -> (table, indexed columns).
FOLDED_INDEXES = {"articles_fts": ("articles", ("title", "body_text")),
                  "comments_fts": ("comments", ("body_text", "author_name"))}


@migrations()
def m008_folded_search(db: Database) -> None:
    # Arabic and Russian spelling variants found alike (newsarchive/archive/folding.py): the indexes
    # hold folded text, kept in step by triggers that fold what they index; the search lists
    # of the old indexes are dropped (`newsarchive index` builds them again).
    for index, (table, columns) in FOLDED_INDEXES.items():
        for suffix in ("ai", "ad", "au"):
            db.execute(f"DROP TRIGGER IF EXISTS [{table}_{suffix}]")
        db.execute(f"DROP TABLE IF EXISTS [{index}]")
        names = ", ".join(columns)
        db.execute(f"CREATE VIRTUAL TABLE [{index}] USING fts5({names}, content=[{table}], content_rowid='id', "
                   f"tokenize=\"{FOLDED_TOKENIZER}\")")
        folded_new = ", ".join(f"fold(new.[{column}])" for column in columns)
        folded_old = ", ".join(f"fold(old.[{column}])" for column in columns)
        insert = f"INSERT INTO [{index}] (rowid, {names}) VALUES (new.id, {folded_new});"
        delete = f"INSERT INTO [{index}] ([{index}], rowid, {names}) VALUES ('delete', old.id, {folded_old});"
        db.execute(f"CREATE TRIGGER [{table}_ai] AFTER INSERT ON [{table}] BEGIN {insert} END")
        db.execute(f"CREATE TRIGGER [{table}_ad] AFTER DELETE ON [{table}] BEGIN {delete} END")
        db.execute(f"CREATE TRIGGER [{table}_au] AFTER UPDATE OF {names} ON [{table}] BEGIN {delete} {insert} END")
        db.execute(f"INSERT INTO [{index}] (rowid, {names}) SELECT id, "
                   + ", ".join(f"fold([{column}])" for column in columns) + f" FROM [{table}]")
    db.execute("DELETE FROM search_terms")
    db.execute("DELETE FROM search_lists")


@migrations()
def m009_duplicates(db: Database) -> None:
    # Different articles with the same or nearly the same body: the same story under URLs that do
    # not say so, or republished by a sister site (newsarchive/archive/duplicates.py). One row a
    # pair, the article stored later first. Derived data: `newsarchive duplicates --rebuild`.
    db.execute("""
        CREATE TABLE duplicates (
            article_id INTEGER NOT NULL REFERENCES articles(id),
            duplicate_of INTEGER NOT NULL REFERENCES articles(id),
            kind TEXT NOT NULL CHECK (kind IN ('exact', 'near')),
            similarity REAL NOT NULL CHECK (similarity BETWEEN 0 AND 1),
            found_at TEXT NOT NULL, crawl_id INTEGER REFERENCES crawls(id),
            PRIMARY KEY (article_id, duplicate_of), CHECK (duplicate_of < article_id))
    """)
    db.execute("CREATE INDEX duplicates_duplicate_of ON duplicates (duplicate_of, article_id)")
    # Each article's signature, with the content hash it was made from: a run compares only the
    # articles that are new or changed since, without hashing the archive again.
    db.execute("""
        CREATE TABLE duplicate_signatures (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id), content_hash TEXT NOT NULL,
            words INTEGER NOT NULL, body_hash TEXT, minhash BLOB, signed_at TEXT NOT NULL)
    """)
    db.execute("CREATE INDEX duplicate_signatures_body_hash ON duplicate_signatures (body_hash)")


@migrations()
def m010_capture_kinds(db: Database) -> None:
    # Photo files and robots.txt are captures too (page, photo or robots): a WARC export replays
    # them. A photo's body stays in its file under the photos folder (body_file), not copied here.
    db.table("captures").add_column("kind", str, not_null_default="page")
    db.table("captures").add_column("body_file", str)


@migrations()
def m011_revisit_schedule(db: Database) -> None:
    # When each article is to be fetched again, whether or not a listing shows it
    # (newsarchive/revisits.py): kept here so the schedule survives restarts. An article with no
    # row yet (stored before this migration) is scheduled from the prior alone.
    db.execute("""
        CREATE TABLE revisits (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id), next_visit_at TEXT NOT NULL,
            change_rate REAL NOT NULL, visits INTEGER NOT NULL DEFAULT 0,
            changes_found INTEGER NOT NULL DEFAULT 0, visited_days REAL NOT NULL DEFAULT 0)
    """)
    # No index on next_visit_at: choosing the due articles ranks every article anyway.
    # Known articles a crawl fetched because they were due, and how many of them had changed.
    for column in ("revisits", "revisits_changed"):
        db.table("crawls").add_column(column, int)


@migrations()
def m012_comments_status(db: Database) -> None:
    # Whether an article's comments were read: complete, unreached (the page says it has some, by
    # a counter or a comment service's script, and they were not in what was read) or none.
    # NULL for articles stored before this migration: nobody looked.
    db.table("articles").add_column("comments_status", str)


@migrations()
def m013_article_blocks_and_links(db: Database) -> None:
    # The body's structure (items.BodyBlock): the latest version's blocks in reading order and the
    # links in their text, replaced when the article's content changes (store.store_article), so
    # researchers can find quotes and cross-references. body_text stays their texts joined.
    db.execute("""
        CREATE TABLE article_blocks (
            article_id INTEGER NOT NULL REFERENCES articles(id), position INTEGER NOT NULL,
            kind TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (article_id, position))
    """)
    db.execute("""
        CREATE TABLE article_links (
            article_id INTEGER NOT NULL REFERENCES articles(id), block_position INTEGER NOT NULL,
            position INTEGER NOT NULL, url TEXT NOT NULL, anchor_text TEXT NOT NULL,
            PRIMARY KEY (article_id, block_position, position))
    """)
    # Who links to X: an exact URL, or a site's URLs as a range (url >= 'https://x.org/' AND
    # url < 'https://x.org0').
    db.execute("CREATE INDEX article_links_url ON article_links (url, article_id)")


@migrations()
def m014_published_day(db: Database) -> None:
    # The day of publication as the site counts days (items.Article.published_day): what a
    # researcher means by "published on 7 November", which published_at's UTC day is not for a
    # story out near midnight. Articles already stored get it from what the archive kept (the date
    # as printed, its URL); only the date shown on the page, asked for a UTC time at some zone's
    # midnight, needs the page, and is not read here.
    db.table("articles").add_column("published_day", str)
    from newsarchive.archive.store import json_object
    from newsarchive.parsers.dates import publication_day

    rows = db.execute("SELECT id, url, language, published_at, published_at_raw, sources FROM articles "
                      "WHERE published_at IS NOT NULL").fetchall()
    days = []
    for article_id, url, language, published_at, raw, sources in rows:
        article = Article(url=url, language=language, published_at=published_at, published_at_raw=raw,
                          sources=json_object(sources))
        days.append((publication_day(article), article_id))
    db.conn.executemany("UPDATE articles SET published_day = ? WHERE id = ?", days)



@migrations()
def m015_copies_linked_to_the_first(db: Database) -> None:
    # Exact copies of one body were recorded as every pair of them (n(n-1)/2 rows for n copies);
    # now each copy is linked to the first article of the body (the smallest id), and near pairs
    # link first articles only (newsarchive/archive/duplicates.py). Every pair held the copy's
    # row to the first, so the rows to keep are there: the others go. A copy is an article with
    # an exact row to an earlier one.
    copies = "SELECT article_id FROM duplicates WHERE kind = 'exact'"
    db.execute(f"DELETE FROM duplicates WHERE kind = 'exact' AND duplicate_of IN ({copies})")
    db.execute(f"DELETE FROM duplicates WHERE kind = 'near' AND (article_id IN ({copies}) OR duplicate_of IN ({copies}))")


@migrations()
def m016_comments_status_at_a_glance(db: Database) -> None:
    # The researchers' view of articles says whether their comments were read (complete), never
    # reached (unreached: rendering off or failed) or absent (none): a comment_count of 0 alone
    # cannot tell a story without comments from one whose comments the crawl could not see.
    db.execute("DROP VIEW IF EXISTS article_overview")
    _create_article_overview(db, "a.comments_status")


@migrations()
def m017_redirects_captured(db: Database) -> None:
    # The redirects a crawl followed are captures too (kind redirect), with where each led
    # (location): a WARC export replays a listing's link that redirects, and the refresh policy
    # knows the story such a link leads to (newsarchive/archive/queries.py).
    db.table("captures").add_column("location", str)
    db.table("captures").create_index(["location"])


@migrations()
def m018_crawl_process_start(db: Database) -> None:
    # With its pid, when the crawl's process started (ticks since boot, from /proc): a crawl killed
    # with the machine (a reboot, a power cut) left a pid the next boot may give another process,
    # which was taken for the crawl still running, and its pending pages were never resumed.
    db.table("crawls").add_column("pid_started", int)


@migrations()
def m019_failures_by_url(db: Database) -> None:
    # A conditional request's validators, and the capture a 304 revisits, are those of the URL's
    # last capture that no failure of its crawl names (archive/queries.py, LAST_RECORD_CAPTURE).
    db.table("failures").create_index(["url", "crawl_id"])


@migrations()
def m020_comment_edits(db: Database) -> None:
    # A comment the site shows under its own id with another text (its reader edited it, a
    # moderator cut it) kept its first text, with no trace of the change: its row now has the
    # text last seen, and each text it replaced is a row here.
    db.table("comment_edits").create(
        {"id": int, "comment_id": int, "body_text": str, "author_name": str, "replaced_at": str},
        pk="id", foreign_keys=[("comment_id", "comments", "id")])
    db.table("comment_edits").create_index(["comment_id"])


@migrations()
def m021_other_pages(db: Database) -> None:
    # The other pages a story was read from (its further pages, its comment pages): a 304 for its
    # first page says nothing of them, so a story that has any is never asked for conditionally.
    # An edit on page 2, a comment added on comment page 2, went unseen crawl after crawl.
    db.table("other_pages").create({"url": str, "other_url": str, "first_seen_at": str}, pk=("url", "other_url"))


@migrations()
def m022_truncated_captures(db: Database) -> None:
    # A page that arrived cut short was kept (its article warned data_loss) with nothing on its
    # capture to say so: its WARC record looked whole to a replay tool (WARC 1.1's WARC-Truncated).
    db.table("captures").add_column("truncated", str)


@migrations()
def m023_article_alternates(db: Database) -> None:
    # The story in other languages, as its page names them (hreflang alternates): the platform's
    # locale versions need not share a path (feature-07 in English may be feature-01 in Arabic), and
    # a query pairing them by path alone pairs unrelated stories.
    db.table("article_alternates").create({"url": str, "hreflang": str, "alternate_url": str, "first_seen_at": str},
                                          pk=("url", "alternate_url"))
    db.table("article_alternates").create_index(["alternate_url"])



# Marks are word characters: the vowel signs of Devanagari, Bengali, Tamil, Thai ..., Hebrew points,
# Arabic harakat. The tokenizer's default splits words at them (its categories are letters, numbers
# and private use): हिन्दी was the three words ह न द, and a query of it found any word of those
# consonants; a decomposed é was e and a separator. With marks, each is one word, and
# remove_diacritics still folds an accent written as a mark (é as e).
WORD_TOKENIZER = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
# Index -> (table, indexed columns) of the paired indexes (folding.py's pairs).
PAIRED_INDEXES = {"articles_cjk_fts": ("articles", ("title", "body_text")),
                  "comments_cjk_fts": ("comments", ("body_text", "author_name"))}


@migrations()
def m024_marks_and_unspaced_scripts(db: Database) -> None:
    # The word indexes again with marks as word characters (WORD_TOKENIZER), over the same folded
    # text; the triggers m008 made fill them as before. The search lists of the old ones are dropped.
    for index, (table, columns) in FOLDED_INDEXES.items():
        names = ", ".join(columns)
        db.execute(f"DROP TABLE [{index}]")
        db.execute(f"CREATE VIRTUAL TABLE [{index}] USING fts5({names}, content=[{table}], content_rowid='id', "
                   f"tokenize=\"{WORD_TOKENIZER}\")")
        db.execute(f"INSERT INTO [{index}] (rowid, {names}) SELECT id, "
                   + ", ".join(f"fold([{column}])" for column in columns) + f" FROM [{table}]")
    db.execute("DELETE FROM search_terms")
    db.execute("DELETE FROM search_lists")
    # A Chinese or Japanese word inside a run of characters (智慧农业 in 在益阳一个智慧农业园区里), a
    # Korean word with its particle written on (서울에서), a Thai word in its unspaced sentence, was
    # not found: the tokenizer makes the run one token. The rows holding such characters are
    # indexed again as overlapping pairs of characters (folding.py), by triggers that keep only
    # those rows. Contentless: what the pairs index is not the stored text, which passages are found
    # in (research/search.py).
    for index, (table, columns) in PAIRED_INDEXES.items():
        names = ", ".join(columns)
        db.execute(f"CREATE VIRTUAL TABLE [{index}] USING fts5({names}, content='', tokenize=\"{WORD_TOKENIZER}\")")
        new, old = _holds_unspaced("new", columns), _holds_unspaced("old", columns)
        insert = f"INSERT INTO [{index}] (rowid, {names}) SELECT new.id, {_paired('new', columns)} WHERE {new};"
        delete = (f"INSERT INTO [{index}] ([{index}], rowid, {names}) "
                  f"SELECT 'delete', old.id, {_paired('old', columns)} WHERE {old};")
        db.execute(f"CREATE TRIGGER [{index}_ai] AFTER INSERT ON [{table}] WHEN {new} BEGIN {insert} END")
        db.execute(f"CREATE TRIGGER [{index}_ad] AFTER DELETE ON [{table}] WHEN {old} BEGIN {delete} END")
        db.execute(f"CREATE TRIGGER [{index}_au] AFTER UPDATE OF {names} ON [{table}] "
                   f"WHEN {old} OR {new} BEGIN {delete} {insert} END")
        db.execute(f"INSERT INTO [{index}] (rowid, {names}) SELECT id, {_paired(table, columns)} FROM [{table}] "
                   f"WHERE {_holds_unspaced(table, columns)}")


def _holds_unspaced(row: str, columns: tuple[str, ...]) -> str:
    """SQL: whether the row holds characters of a script written without spaces in any column."""
    return "(" + " OR ".join(f"has_unspaced({row}.[{column}])" for column in columns) + ")"


def _paired(row: str, columns: tuple[str, ...]) -> str:
    return ", ".join(f"pairs(fold({row}.[{column}]))" for column in columns)


@migrations()
def m025_character_shingles(db: Database) -> None:
    # Bodies are read into words anew (duplicates.py's body_words): Chinese, Japanese and Thai
    # character by character, no longer clause by clause, and a word with its marks (Hindi's vowel
    # signs) as one. Every signature is taken as made from an earlier text, so the next run signs
    # them all again and finds their pairs anew: a copy signed the new way would have missed its
    # original signed the old way. (About 0.4 s a thousand articles, once.)
    db.execute("UPDATE duplicate_signatures SET content_hash = ''")
