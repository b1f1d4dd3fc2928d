"""Duplicate and syndicated articles: different article rows with the same or nearly the same body.

The dedupe pipeline makes one article of one story reached by several URLs when the pages say
so (the same canonical URL). What it cannot see is the same story under two URLs that do not
say so (a site that moved its articles, a print and a web edition), or republished by a sister
site. This module finds those pairs in the archive and records them in `duplicates`:

- exact: the same words in the same order (case, whitespace, punctuation and the Arabic and
  Russian spelling variants that search folds all set aside): the SHA-256 of the normalised
  body is the same (`duplicate_signatures.body_hash`). The copies of one body are linked to its
  first article (the smallest id), one row a copy: every pair would be n(n-1)/2 rows for n
  copies (a paywall notice on 5,000 pages: 12.5 million), where n - 1 say the same;
- near: the Jaccard similarity of the two bodies' sets of SHINGLE_WORDS-word shingles is at
  least THRESHOLD (0.8: a tenth of the words rewritten in one place gives about 0.82, a fifth
  0.67, a shared lead paragraph much less). Candidates come from a MinHash LSH index (datasketch) queried at the lower
  LSH_THRESHOLD, so that 98.6% of the pairs at 0.8 are candidates; each candidate is then
  checked against the exact Jaccard of the shingle sets, which is the `similarity` stored. The
  index holds the first article of each body only, and a body's first article is linked to the
  earliest body it nearly copies, one row a body as one row a copy: every pair of a cluster of
  near-identical bodies (a templated daily story) grew as its square, rows and time alike (15,000
  articles of a site built from 272 pages: 26,944 near pairs, 40 s). The copies are found through
  the exact rows, the cluster through the chain of near rows. When an article changes, the
  bodies linked to it are linked again.

Bodies under MIN_WORDS words (briefs, photo galleries, "this page has moved") are not compared:
such pages are alike without being the same story. In scripts written without spaces (Chinese,
Japanese, Thai ...) each character is a word (body_words).

Incremental: every article's signature (MinHash, body hash, word count) is kept in
`duplicate_signatures` with the content hash it was made from, so a run signs and compares only
the articles that are new or changed since the last one (against the whole archive, across
sites); an article that changed loses its pairs and is compared again. `newsarchive crawl` runs
it when the crawl ends, `newsarchive duplicates` catches up after a merge or a `scrapy crawl`, and
`newsarchive duplicates --rebuild` forgets every signature and pair and finds them all again.
Measured (bench/duplicates.py, stop 29): 0.4 s per 1,000 articles; 100 new articles against
10,000 stored take 0.8 s, most of it loading the stored signatures into the LSH index (about 65 µs
an article). The any-site benchmark's archive (bench/generic_crawl.py: 1,986 articles, 383 bodies,
most of them copied several times): 1,573 exact rows where every pair was 5,803, in 2.8 s, not 4.0.

    archive = open_archive("archive.db")
    print(find_duplicates(archive).describe())  # duplicates: 1 exact and 2 near pairs found among ...
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import regex

from newsarchive.archive import open_archive, utc_now
from newsarchive.archive.folding import CHARACTER_WORD_CLASS, fold

THRESHOLD = 0.8  # Jaccard similarity of the shingle sets at which two bodies are near duplicates
LSH_THRESHOLD = 0.6  # LSH finds candidates at this similarity (18 bands of 7): recall 98.6% at 0.8
SHINGLE_WORDS = 5
MIN_WORDS = 50  # shorter bodies are not compared
NUM_PERM = 128
MINHASH_SEED = 1
# A candidate is checked word by word only when its MinHash estimate comes within this of THRESHOLD
# (the estimate's standard error at 0.8 is 0.035: a pair at 0.8 estimated under 0.65 is a 4-sigma event).
ESTIMATE_MARGIN = 0.15
# Articles signed and compared per write transaction: crawls writing the archive interleave, and a
# chunk's bodies and shingle sets are held at once. On the any-site benchmark's archive (1,986 real
# articles, bench/generic_crawl.py), `duplicates --rebuild` peaked at 217 MB RSS with 500 a chunk
# and at 131 MB with 100, the same pairs in the same time; bench/duplicates.py's 10,000 short
# articles: 0.78 s per 1,000 against 0.73.
CHUNK = 100

# A word: a run of word characters, but each character of a script written without spaces
# (Chinese, Japanese, Thai ...: folding.py; not Korean, which spaces its words) a word of its own.
# Such a run was one "word" from one punctuation mark to the next, so a character changed in a
# clause changed five shingles of clauses: a Chinese story with one character edited in a tenth of
# its clauses came to about 0.3, under the threshold, and one of fewer than 50 clauses was never compared.
# (The regex module's \w holds a word's marks, re's split सेना into स न: Hindi words differing in
# their vowel signs, सेना and सोना, were one word. A character is a letter with its marks: \X.)
_WORD = regex.compile(f"(?=[{CHARACTER_WORD_CLASS}])\\X|[^\\W{CHARACTER_WORD_CLASS}]+")
_ASCII_WORD = re.compile(r"\w+")  # the same words in a text of ASCII alone, by the faster re
_MINHASH_TEMPLATE: MinHash | None = None

# datasketch is imported where a signature is made or read, not with this module: it imports
# scipy.integrate (0.7 to 0.9 s), which a crawl paid at its end even when no article was new or
# changed, and the research commands that only read the pairs paid too.
if TYPE_CHECKING:
    from datasketch import LeanMinHash, MinHash


# The text's form -----------------------------------------------------------------------------

def body_words(text: str | None) -> list[str]:
    """The words of a body as compared: Unicode-normalised, spelling-folded, case-folded, no punctuation.

    >>> body_words("The Bridge, reopened!")
    ['the', 'bridge', 'reopened']
    >>> body_words("北京大桥, reopened 重开! 서울에서 सेना ข่าว")
    ['北', '京', '大', '桥', 'reopened', '重', '开', '서울에서', 'सेना', 'ข่', 'า', 'ว']
    """
    normal = (fold(unicodedata.normalize("NFKC", text or "")) or "").casefold()
    return (_ASCII_WORD if normal.isascii() else _WORD).findall(normal)


def body_hash(words: list[str]) -> str:
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def shingles(words: list[str]) -> set[bytes]:
    """The body's overlapping runs of SHINGLE_WORDS words.

    >>> sorted(shingles("a b c d e f".split()))
    [b'a b c d e', b'b c d e f']
    """
    return {" ".join(words[start:start + SHINGLE_WORDS]).encode("utf-8")
            for start in range(max(1, len(words) - SHINGLE_WORDS + 1))}


def jaccard(first: set, second: set) -> float:
    return len(first & second) / len(first | second) if first or second else 0.0


def minhash(shingle_set: set[bytes]) -> LeanMinHash:
    from datasketch import LeanMinHash, MinHash

    global _MINHASH_TEMPLATE
    if _MINHASH_TEMPLATE is None:  # its permutations take a while to draw: once, then copied
        # CRC-32 hashes a shingle 15 times faster than datasketch's default SHA-1, and MinHash mixes
        # its values again (MurmurHash3's finalizer) before permuting them. Stored signatures depend
        # on it: changing the hash, NUM_PERM or MINHASH_SEED needs `newsarchive duplicates --rebuild`.
        _MINHASH_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, hashfunc=zlib.crc32)
    signature = _MINHASH_TEMPLATE.copy()
    signature.update_batch(shingle_set)
    return LeanMinHash(signature)


def _to_blob(signature: LeanMinHash) -> bytes:
    buffer = bytearray(signature.bytesize())
    signature.serialize(buffer)
    return bytes(buffer)


def _from_blob(blob: bytes) -> LeanMinHash:
    from datasketch import LeanMinHash

    return LeanMinHash.deserialize(blob)


# A run -----------------------------------------------------------------------------------------

@dataclass
class DuplicatesSummary:
    articles: int = 0  # new or changed articles signed in this run
    short: int = 0  # of those, too short to compare
    exact_found: int = 0
    near_found: int = 0
    exact_pairs: int = 0  # in the archive after the run
    near_pairs: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        return (f"duplicates: {self.exact_found} exact and {self.near_found} near "
                f"pair{'' if self.near_found == 1 else 's'} found among {self.articles} new or changed articles "
                f"({self.short} under {MIN_WORDS} words not compared); the archive holds {self.exact_pairs} exact "
                f"and {self.near_pairs} near ({self.seconds:.1f} s)")


@dataclass
class _Compared:
    """What a body long enough to compare is compared by."""

    body_hash: str
    signature: LeanMinHash
    shingles: set[bytes]


@dataclass
class _Signed:
    article_id: int
    content_hash: str
    words: int
    crawl_id: int | None  # of the article's latest version
    compared: _Compared | None  # None under MIN_WORDS words


class _Index:
    """The LSH index of the archive's signatures, kept in step with duplicate_signatures: the
    first article of each body only (a copy is compared through the first)."""

    def __init__(self):
        from datasketch import MinHashLSH

        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self.indexed: dict[int, str] = {}  # article id -> content hash of the signature indexed
        self.signatures: dict[int, LeanMinHash] = {}

    def catch_up(self, db) -> None:
        """Index the signatures written since the last call (by this run or by another process)."""
        stored = dict(db.execute(
            "SELECT article_id, content_hash FROM duplicate_signatures s WHERE minhash IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM duplicate_signatures o WHERE o.body_hash = s.body_hash AND o.article_id < s.article_id)"))
        for article_id in [key for key, digest in self.indexed.items() if stored.get(key) != digest]:
            self.discard(article_id)
        missing = [key for key in stored if key not in self.indexed]
        for start in range(0, len(missing), 500):
            part = missing[start:start + 500]
            rows = db.execute(f"SELECT article_id, content_hash, minhash FROM duplicate_signatures "
                              f"WHERE article_id IN ({', '.join('?' * len(part))})", part)
            for article_id, digest, blob in rows:
                self.add(article_id, digest, _from_blob(blob))

    def add(self, article_id: int, digest: str, signature: LeanMinHash) -> None:
        self.discard(article_id)
        self.lsh.insert(article_id, signature, check_duplication=False)
        self.indexed[article_id], self.signatures[article_id] = digest, signature

    def discard(self, article_id: int) -> None:
        if self.indexed.pop(article_id, None) is not None:
            self.lsh.remove(article_id)
            del self.signatures[article_id]


def find_duplicates(archive, rebuild: bool = False, threshold: float = THRESHOLD) -> DuplicatesSummary:
    """Sign the new and changed articles and record their duplicate pairs (all of them, if rebuild)."""
    started = time.perf_counter()
    summary = DuplicatesSummary()
    if rebuild:
        with archive.write() as db:
            db.execute("DELETE FROM duplicates")
            db.execute("DELETE FROM duplicate_signatures")
    index, after_id = None, 0
    while True:
        with archive.write() as db:
            pending = _pending_articles(db, after_id, CHUNK)
            if pending:  # loading the archive's signatures is most of a small run's cost
                index = index or _Index()
                index.catch_up(db)
                for signed in pending:
                    _record(db, index, signed, threshold, summary)
        if len(pending) < CHUNK:
            break
        after_id = pending[-1].article_id
    summary.exact_pairs, summary.near_pairs = _pair_counts(archive.conn)
    summary.seconds = time.perf_counter() - started
    return summary


def find_duplicates_in_file(db_path, rebuild: bool = False) -> DuplicatesSummary:
    archive = open_archive(db_path)
    try:
        return find_duplicates(archive, rebuild)
    finally:
        archive.close()


def _pending_articles(db, after_id: int, limit: int) -> list[_Signed]:
    """Articles with no signature, or one made from an earlier text, signed now (by id, after after_id)."""
    rows = db.execute(
        "SELECT a.id, a.content_hash, a.body_text, v.crawl_id FROM articles a "
        "LEFT JOIN duplicate_signatures s ON s.article_id = a.id "
        "LEFT JOIN article_versions v ON v.article_id = a.id AND v.version = a.version_count "
        "WHERE a.id > ? AND (s.article_id IS NULL OR s.content_hash <> a.content_hash) ORDER BY a.id LIMIT ?",
        [after_id, limit]).fetchall()
    return [_sign(*row) for row in rows]


def _sign(article_id: int, content_hash: str, body_text: str, crawl_id: int | None) -> _Signed:
    words = body_words(body_text)
    if len(words) < MIN_WORDS:
        return _Signed(article_id, content_hash, len(words), crawl_id, None)
    shingle_set = shingles(words)
    return _Signed(article_id, content_hash, len(words), crawl_id,
                   _Compared(body_hash(words), minhash(shingle_set), shingle_set))


@dataclass
class _Run:
    """What recording a run's articles shares: the archive, the index, the threshold, the figures."""

    db: Any  # the archive's write connection (sqlite_utils.Database)
    index: _Index
    threshold: float
    summary: DuplicatesSummary
    now: str


def _record(db, index: _Index, signed: _Signed, threshold: float, summary: DuplicatesSummary) -> None:
    """Store the article's signature, replace its pairs with those it has now."""
    run, compared = _Run(db, index, threshold, summary, utc_now()), signed.compared
    # The body it had, and whether it was its first article (its copies are linked to it).
    left_body, led_its_body = db.execute(
        "SELECT s.body_hash, NOT EXISTS (SELECT 1 FROM duplicate_signatures o WHERE o.body_hash = s.body_hash "
        "AND o.article_id < s.article_id) FROM duplicate_signatures s WHERE s.article_id = ?",
        [signed.article_id]).fetchone() or (None, False)
    # Later bodies linked to it as the earliest they nearly copied: linked again once it is recorded.
    linked_to_it = [row[0] for row in db.execute(
        "SELECT article_id FROM duplicates WHERE duplicate_of = ? AND kind = 'near'", [signed.article_id])]
    db.execute("DELETE FROM duplicates WHERE article_id = ? OR duplicate_of = ?", [signed.article_id] * 2)
    db.execute("INSERT OR REPLACE INTO duplicate_signatures (article_id, content_hash, words, body_hash, minhash, "
               "signed_at) VALUES (?, ?, ?, ?, ?, ?)",
               [signed.article_id, signed.content_hash, signed.words, compared and compared.body_hash,
                compared and _to_blob(compared.signature), run.now])
    summary.articles += 1
    summary.short += compared is None
    index.discard(signed.article_id)  # indexed again below if it is the first of its body
    if compared is not None:
        _link_body(run, compared.body_hash, signed)
    if left_body is not None and led_its_body and left_body != (compared and compared.body_hash):
        _link_body(run, left_body)  # the copies it led, now without it: linked to the next first
    for later in linked_to_it:
        _relink_near(run, later)


def _relink_near(run: _Run, article_id: int) -> None:
    """Link again a body's first article whose earliest near copy changed, unless it has its link
    already (the changed article, still like it, linked it again) or leads a body no more."""
    if run.db.execute("SELECT 1 FROM duplicates WHERE article_id = ? AND kind = 'near' AND duplicate_of < ?",
                      [article_id, article_id]).fetchone() is not None:
        return
    if article_id not in run.index.indexed:
        return
    compared, _ = _compared_of(run.db, article_id)
    crawl = run.db.execute(f"{_TEXT_OF} WHERE a.id = ?", [article_id]).fetchone()[1]
    _link_near(run, article_id, compared, crawl)


def _link_body(run: _Run, body: str, signed: _Signed | None = None) -> None:
    """Link the articles of one body: each copy to the first (smallest id) by an exact row, and the
    first to its near duplicates. `signed`: the article just signed, alone to link when it comes
    after the first; otherwise the first is new, and all are linked."""
    # The smallest id from the body_hash index (which SQLite orders by article_id too): one look-up,
    # where sorting the body's articles would cost each of n copies n reads.
    first = run.db.execute("SELECT min(article_id) FROM duplicate_signatures WHERE body_hash = ?", [body]).fetchone()[0]
    if first is None:  # the body's only article changed
        return
    first_crawl = run.db.execute(f"{_TEXT_OF} WHERE a.id = ?", [first]).fetchone()[1]
    if signed is not None and signed.article_id != first:  # a copy joins: one row (the others are not read)
        _insert_pair(run, signed.article_id, first, "exact", 1.0, _later(signed.crawl_id, first_crawl))
        return
    for copy, crawl in _articles_of_body(run.db, body)[1:]:
        run.db.execute("DELETE FROM duplicates WHERE article_id = ? OR duplicate_of = ?", [copy, copy])
        run.index.discard(copy)
        _insert_pair(run, copy, first, "exact", 1.0, _later(crawl, first_crawl))
    if signed is not None and signed.compared is not None:
        compared, content_hash = signed.compared, signed.content_hash
    else:
        compared, content_hash = _compared_of(run.db, first)
    _link_near(run, first, compared, first_crawl)
    run.index.add(first, content_hash, compared.signature)


def _link_near(run: _Run, first: int, compared: _Compared, first_crawl: int | None) -> None:
    """Link a body's first article to the earliest body it nearly copies (one row a body, as a copy
    is linked to its first article by one row): every pair of a cluster of near-identical bodies
    (a templated daily story) grew as the square of the cluster, with its time: 100 to 400
    articles of one template took 9 times as long and stored 16 times as many rows."""
    match = _first_near_match(run, first, compared)
    if match is not None:
        other, similarity, crawl = match
        _insert_pair(run, first, other, "near", similarity, _later(crawl, first_crawl))


def _insert_pair(run: _Run, one: int, other: int, kind: str, similarity: float, crawl_id: int | None) -> None:
    inserted = run.db.execute("INSERT OR IGNORE INTO duplicates (article_id, duplicate_of, kind, similarity, "
                              "found_at, crawl_id) VALUES (?, ?, ?, ?, ?, ?)",
                              [max(one, other), min(one, other), kind, similarity, run.now, crawl_id]).rowcount
    if inserted:
        run.summary.exact_found += kind == "exact"
        run.summary.near_found += kind == "near"


_TEXT_OF = ("SELECT a.id, v.crawl_id FROM articles a LEFT JOIN article_versions v "
            "ON v.article_id = a.id AND v.version = a.version_count")


def _articles_of_body(db, body: str) -> list[tuple[int, int | None]]:
    return db.execute(f"{_TEXT_OF} JOIN duplicate_signatures s ON s.article_id = a.id WHERE s.body_hash = ? "
                      "ORDER BY a.id", [body]).fetchall()


def _compared_of(db, article_id: int) -> tuple[_Compared, str]:
    """What a stored article is compared by, from its body (one that now leads its body's copies),
    and the content hash of its signature."""
    body_text, content_hash = db.execute("SELECT a.body_text, s.content_hash FROM articles a JOIN duplicate_signatures s "
                                         "ON s.article_id = a.id WHERE a.id = ?", [article_id]).fetchone()
    words = body_words(body_text)
    shingle_set = shingles(words)
    return _Compared(body_hash(words), minhash(shingle_set), shingle_set), content_hash


def _first_near_match(run: _Run, article_id: int, compared: _Compared) -> tuple[int, float, int | None] | None:
    """(article id, similarity, crawl id of its text) of the earliest first article of another body
    like this one, or None. Candidates in id order, each body read only when its signature's
    estimate is close: in a cluster, the first candidate is the one, and the others are not read."""
    for other in sorted(set(run.index.lsh.query(compared.signature)) - {article_id}):
        if compared.signature.jaccard(run.index.signatures[other]) < run.threshold - ESTIMATE_MARGIN:
            continue  # most candidates of templated or wire-service prose: alike, not the same story
        body_text, crawl_id = run.db.execute(
            "SELECT a.body_text, v.crawl_id FROM articles a LEFT JOIN article_versions v "
            "ON v.article_id = a.id AND v.version = a.version_count WHERE a.id = ?", [other]).fetchone()
        similarity = jaccard(compared.shingles, shingles(body_words(body_text)))
        if similarity >= run.threshold:
            return other, round(similarity, 4), crawl_id
    return None


def _later(first: int | None, second: int | None) -> int | None:
    known = [crawl for crawl in (first, second) if crawl is not None]
    return max(known) if known else None


# Reading ---------------------------------------------------------------------------------------

def _pair_counts(conn) -> tuple[int, int]:
    exact, near = conn.execute("SELECT count(*) FILTER (WHERE kind = 'exact'), count(*) FILTER (WHERE kind = 'near') "
                               "FROM duplicates").fetchone()
    return exact, near


def duplicate_figures(conn) -> dict | None:
    """The pairs in the archive, and the articles not compared yet (new since the last run); None
    for an archive without the tables (of an older newsarchive, not yet opened for writing)."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"duplicates", "duplicate_signatures"} <= tables:
        return None
    exact, near = _pair_counts(conn)
    waiting = conn.execute("SELECT count(*) FROM articles a LEFT JOIN duplicate_signatures s ON s.article_id = a.id "
                           "WHERE s.article_id IS NULL OR s.content_hash <> a.content_hash").fetchone()[0]
    return {"exact_pairs": exact, "near_pairs": near, "articles_not_compared": waiting}


def describe_figures(figures: dict | None) -> str:
    if figures is None:
        return "duplicate pairs: not looked for yet (newsarchive duplicates)"
    waiting = figures["articles_not_compared"]
    return (f"duplicate pairs: {figures['exact_pairs']} exact, {figures['near_pairs']} near"
            + (f" ({waiting} articles not compared yet: newsarchive duplicates)" if waiting else ""))
