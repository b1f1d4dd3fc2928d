"""Duplicate and syndicated articles (newsarchive/archive/duplicates.py): hand-made articles whose
pairs and similarities are worked out by hand, a crawled demo archive whose pairs are predicted
from its manifest, and the commands that show them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from itertools import combinations
from urllib.parse import urlsplit

import pytest

from newsarchive.archive import duplicates, open_archive
from newsarchive.archive.duplicates import MIN_WORDS, THRESHOLD, body_words, find_duplicates, jaccard, shingles
from newsarchive.archive.store import finish_crawl, start_crawl, store_article
from newsarchive.items import Article
from newsarchive.research.queries import load_queries
from tests.conftest import run_cli

BASES = ("bridge", "river", "council", "market", "school", "border", "water", "police", "village", "court",
         "road", "farm", "clinic", "power", "train", "harbour", "mayor", "union", "festival", "library")


def words(count: int, prefix: str = "") -> list[str]:
    """count distinct words ("bridge0 river1 ..."): every 5-word shingle of them is distinct, so
    shingle counts can be worked out by hand."""
    return [f"{prefix}{BASES[n % len(BASES)]}{n}" for n in range(count)]


def body(word_list: list[str]) -> str:
    """Paragraphs of 20 words, each a sentence."""
    paragraphs = [word_list[start:start + 20] for start in range(0, len(word_list), 20)]
    return "\n\n".join(" ".join(paragraph).capitalize() + "." for paragraph in paragraphs)


def changed(word_list: list[str], *positions: int) -> list[str]:
    return [f"edited{n}" if n in positions else word for n, word in enumerate(word_list)]


STORY = words(120)  # 116 shingles of 5 words


def article(site: str, slug: str, text: str) -> Article:
    url = f"https://{site}.example/articles/{slug}"
    return Article(url=url, canonical_url=url, site=site, title=f"{site} {slug}", body_text=text,
                   published_at="2026-03-01")


def store(archive, *articles: Article) -> int:
    """Store the articles in one crawl; its id."""
    with archive.write() as db:
        crawl_id = start_crawl(db, None, "test", {}, "2026-03-01T10:00:00Z")
        for one in articles:
            store_article(db, one, crawl_id, "2026-03-01T10:00:00Z")
        finish_crawl(db, crawl_id, {"finished_at": "2026-03-01T10:05:00Z", "finish_reason": "finished"})
    return crawl_id


def pairs(archive) -> list[tuple]:
    """(later title, earlier title, kind, similarity, crawl id) of every pair."""
    return [tuple(row) for row in archive.conn.execute(
        "SELECT later.title, earlier.title, d.kind, d.similarity, d.crawl_id FROM duplicates d "
        "JOIN articles later ON later.id = d.article_id JOIN articles earlier ON earlier.id = d.duplicate_of "
        "ORDER BY d.article_id, d.duplicate_of")]


@pytest.fixture
def archive(empty_archive):
    return empty_archive


def test_the_hand_counts_hold():
    assert len(shingles(STORY)) == 116
    # Two words changed far apart: each is in 5 shingles, so 10 of 116 differ: 106 shared of 126.
    assert jaccard(shingles(STORY), shingles(changed(STORY, 30, 90))) == 106 / 126


def test_identical_bodies_on_two_sites_are_one_exact_pair(archive):
    first = store(archive, article("diyaruna", "bridge", body(STORY)))
    # The sister site's copy: other case, spacing and punctuation; the same words in the same order.
    copy = "  ".join(STORY).upper().replace("BRIDGE0", "«Bridge0»,")
    second = store(archive, article("sister", "bridge-copy", copy))
    summary = find_duplicates(archive)
    assert pairs(archive) == [("sister bridge-copy", "diyaruna bridge", "exact", 1.0, second)]
    assert (summary.articles, summary.short, summary.exact_found, summary.near_found) == (2, 0, 1, 0)
    assert first < second


def test_a_paragraph_edited_is_a_near_pair_with_the_similarity_counted_by_hand(archive):
    crawl = store(archive, article("diyaruna", "bridge", body(STORY)),
                  article("sister", "two-words", body(changed(STORY, 30, 90))),  # 106 / 126 = 0.8413
                  article("other", "three-words", body(changed(STORY, 10, 50, 100))))  # 101 / 131 = 0.7710
    find_duplicates(archive)
    # Three words changed is under the threshold; the two copies differ in five words (25 shingles
    # of the one, 25 of the other): 91 / 141.
    assert pairs(archive) == [("sister two-words", "diyaruna bridge", "near", round(106 / 126, 4), crawl)]
    assert 101 / 131 < THRESHOLD <= 106 / 126


def test_unrelated_bodies_and_a_shared_lead_paragraph_are_no_pair(archive):
    shared_lead = STORY[:20] + words(100, prefix="own")  # the first paragraph of STORY, then its own
    store(archive, article("diyaruna", "bridge", body(STORY)), article("sister", "market", body(words(120, "x"))),
          article("other", "lead", body(shared_lead)))
    summary = find_duplicates(archive)
    assert pairs(archive) == [] and summary.articles == 3


def test_bodies_under_the_minimum_are_not_compared(archive):
    short, enough = words(MIN_WORDS - 1), words(MIN_WORDS, prefix="long")
    crawl = store(archive, article("a", "short", body(short)), article("b", "short", body(short)),
                  article("a", "enough", body(enough)), article("b", "enough", body(enough)))
    summary = find_duplicates(archive)
    assert pairs(archive) == [("b enough", "a enough", "exact", 1.0, crawl)]
    assert (summary.articles, summary.short) == (4, 2)
    signatures = archive.conn.execute("SELECT words, body_hash IS NULL, minhash IS NULL FROM duplicate_signatures "
                                      "ORDER BY article_id").fetchall()
    assert signatures == [(49, 1, 1), (49, 1, 1), (50, 0, 0), (50, 0, 0)]


def test_a_second_run_adds_nothing_and_a_new_article_is_compared_with_the_archive(archive):
    store(archive, article("a", "one", body(STORY)), article("b", "one", body(STORY)))
    find_duplicates(archive)
    before = archive.conn.execute("SELECT * FROM duplicates").fetchall()
    again = find_duplicates(archive)
    assert (again.articles, again.exact_found, again.near_found) == (0, 0, 0)
    assert archive.conn.execute("SELECT * FROM duplicates").fetchall() == before  # found_at too
    third = store(archive, article("c", "one", body(changed(STORY, 60))))  # 111 / 121
    later = find_duplicates(archive)
    # c is near the body that a and b share: one row, to its first article.
    assert later.articles == 1 and (later.exact_pairs, later.near_pairs) == (1, 1)
    assert pairs(archive)[1:] == [("c one", "a one", "near", round(111 / 121, 4), third)]


RUN_IN_A_FRESH_PROCESS = """
import sys
from newsarchive.archive.duplicates import find_duplicates_in_file
summary = find_duplicates_in_file(sys.argv[1])
print(summary.articles, summary.exact_pairs, summary.near_pairs, "datasketch" in sys.modules)
"""


def test_datasketch_is_imported_only_by_a_run_with_articles_to_sign(archive, tmp_path):
    # It imports scipy (most of a second), which every crawl paid at its end, new articles or not.
    store(archive, article("a", "one", body(STORY)), article("b", "one", body(STORY)))

    def run() -> list[str]:
        done = subprocess.run([sys.executable, "-c", RUN_IN_A_FRESH_PROCESS, str(tmp_path / "archive.db")],
                              capture_output=True, text=True, check=True)
        return done.stdout.split()

    assert run() == ["2", "1", "0", "True"]  # two articles signed: an exact pair
    assert run() == ["0", "1", "0", "False"]  # nothing new or changed: the pairs counted, datasketch never imported
    store(archive, article("c", "one", body(changed(STORY, 60))))
    assert run() == ["1", "1", "1", "True"]  # c signed: near its body's first article


def test_an_article_that_changes_is_compared_again(archive):
    store(archive, article("a", "one", body(STORY)), article("b", "one", body(STORY)))
    find_duplicates(archive)
    rewritten = store(archive, article("b", "one", body(words(120, prefix="new"))))  # a new version
    summary = find_duplicates(archive)
    assert summary.articles == 1 and pairs(archive) == []
    back = store(archive, article("b", "one", body(changed(STORY, 5))))  # 111 / 121 again like the first
    find_duplicates(archive)
    assert pairs(archive) == [("b one", "a one", "near", round(111 / 121, 4), back)]
    assert rewritten < back


def rows(archive) -> list[tuple]:
    """(later title, earlier title, kind) of every pair."""
    return [row[:3] for row in pairs(archive)]


def test_the_copies_of_one_body_are_linked_to_its_first_article_one_row_each(archive):
    # Every pair of 30 copies would be 435 rows saying the same as these 29.
    copies = [article(f"site{n:02d}", "notice", body(STORY)) for n in range(30)]
    crawl = store(archive, *copies, article("other", "edited", body(changed(STORY, 30, 90))))
    summary = find_duplicates(archive)
    assert pairs(archive) == [*((f"site{n:02d} notice", "site00 notice", "exact", 1.0, crawl) for n in range(1, 30)),
                              ("other edited", "site00 notice", "near", round(106 / 126, 4), crawl)]
    assert (summary.exact_found, summary.near_found, summary.exact_pairs, summary.near_pairs) == (29, 1, 29, 1)


def test_when_the_first_article_of_a_body_changes_its_copies_are_linked_to_the_next(archive):
    store(archive, article("a", "one", body(STORY)), article("b", "one", body(STORY)),
          article("c", "one", body(STORY)), article("d", "edited", body(changed(STORY, 30, 90))))
    find_duplicates(archive)
    assert rows(archive) == [("b one", "a one", "exact"), ("c one", "a one", "exact"), ("d edited", "a one", "near")]
    store(archive, article("a", "one", body(words(120, prefix="new"))))  # a's new text is its own
    summary = find_duplicates(archive)
    assert rows(archive) == [("c one", "b one", "exact"), ("d edited", "b one", "near")]
    assert (summary.articles, summary.exact_found, summary.near_found) == (1, 1, 1)
    store(archive, article("b", "one", body(words(MIN_WORDS - 1))))  # b's too short to compare now
    find_duplicates(archive)
    assert rows(archive) == [("d edited", "c one", "near")]  # c alone has the body now


def test_an_earlier_article_that_becomes_a_copy_is_the_first_of_its_body(archive):
    store(archive, article("x", "one", body(words(120, prefix="own"))), article("a", "one", body(STORY)),
          article("b", "one", body(STORY)), article("d", "edited", body(changed(STORY, 30, 90))))
    find_duplicates(archive)
    assert rows(archive) == [("b one", "a one", "exact"), ("d edited", "a one", "near")]
    # x (the smallest id) now has their body; in the same run, e is near it: near x alone. Each
    # pair's crawl is the later of its texts': x's (of that crawl) for all.
    later = store(archive, article("x", "one", body(STORY)), article("e", "edited", body(changed(STORY, 60))))
    find_duplicates(archive)
    assert pairs(archive) == [("a one", "x one", "exact", 1.0, later), ("b one", "x one", "exact", 1.0, later),
                              ("d edited", "x one", "near", round(106 / 126, 4), later),
                              ("e edited", "x one", "near", round(111 / 121, 4), later)]


def found_at(archive) -> dict:
    return dict(((later, earlier), when) for later, earlier, when in archive.conn.execute(
        "SELECT article_id, duplicate_of, found_at FROM duplicates"))


def test_a_copy_that_changes_leaves_the_other_copies_rows_as_they_were(archive):
    store(archive, article("a", "one", body(STORY)), article("b", "one", body(STORY)),
          article("c", "one", body(STORY)))
    find_duplicates(archive)
    before = found_at(archive)
    retitled = article("b", "one", body(STORY))
    retitled.title = "b one, retitled"  # a new version with the same body: b is compared again
    store(archive, retitled)
    summary = find_duplicates(archive)
    assert (summary.articles, summary.exact_found) == (1, 1)  # b's own row, found again
    assert rows(archive) == [("b one, retitled", "a one", "exact"), ("c one", "a one", "exact")]
    assert found_at(archive)[(3, 1)] == before[(3, 1)]  # c's row untouched
    store(archive, article("c", "one", body(words(120, prefix="new"))))  # c's body is its own now
    summary = find_duplicates(archive)
    assert (summary.articles, summary.exact_found) == (1, 0)
    assert rows(archive) == [("b one, retitled", "a one", "exact")]


def test_a_pair_has_the_crawl_of_the_later_of_its_two_texts(archive):
    first = store(archive, article("a", "one", body(words(120, prefix="own"))), article("b", "one", body(STORY)))
    second = store(archive, article("a", "one", body(STORY)))  # a, the smaller id, takes b's body later
    find_duplicates(archive)
    assert pairs(archive) == [("b one", "a one", "exact", 1.0, second)]
    third = store(archive, article("c", "one", body(STORY)))
    find_duplicates(archive)
    store(archive, article("a", "one", body(words(120, prefix="new"))))  # a leaves: c is linked to b
    find_duplicates(archive)
    assert pairs(archive) == [("c one", "b one", "exact", 1.0, third)]
    assert first < second < third


def test_an_article_that_becomes_a_copy_is_no_longer_compared_as_the_first_of_its_old_body(archive):
    store(archive, article("a", "one", body(words(120, prefix="own"))), article("b", "one", body(STORY)))
    find_duplicates(archive)
    # In one run: b takes a's body, and c is near b's old body, which no article has any more.
    store(archive, article("b", "one", body(words(120, prefix="own"))),
          article("c", "edited", body(changed(STORY, 30, 90))))
    find_duplicates(archive)
    assert rows(archive) == [("b one", "a one", "exact")]


def test_rebuild_finds_the_same_pairs(archive):
    first = store(archive, article("a", "one", body(STORY)), article("b", "one", body(STORY)),
                  article("c", "one", body(changed(STORY, 30, 90))))
    edited = store(archive, article("a", "one", body(changed(STORY, 60))))  # a's second version
    find_duplicates(archive)
    found = pairs(archive)
    rebuilt = find_duplicates(archive, rebuild=True)
    # a (now one word off) and c differ in 15 shingles of each: 101 / 131, no pair. A pair's crawl
    # is the later of its two texts', whichever of them is compared first (a rebuild goes by id).
    assert pairs(archive) == found == [("b one", "a one", "near", round(111 / 121, 4), edited),
                                       ("c one", "b one", "near", round(106 / 126, 4), first)]
    assert (rebuilt.articles, rebuilt.exact_found, rebuilt.near_found) == (3, 0, 2)


@pytest.mark.parametrize("chunk", [2, 100])
def test_pairs_are_found_across_chunks(archive, monkeypatch, chunk):
    # Signed two articles a transaction, each copy is in another chunk than the story it copies.
    monkeypatch.setattr(duplicates, "CHUNK", chunk)
    crawl = store(archive, article("a", "story", body(STORY)), article("x", "other", body(words(120, "x"))),
                  article("b", "copy", body(STORY)), article("y", "other", body(words(120, "y"))),
                  article("c", "two-words", body(changed(STORY, 30, 90))))
    summary = find_duplicates(archive)
    assert pairs(archive) == [("b copy", "a story", "exact", 1.0, crawl),
                              ("c two-words", "a story", "near", round(106 / 126, 4), crawl)]
    assert (summary.articles, summary.exact_found, summary.near_found) == (5, 1, 1)


def test_the_documented_query_lists_copies_across_sites_with_both_urls(archive):
    store(archive, article("diyaruna", "bridge", body(STORY)), article("diyaruna", "bridge-again", body(STORY)),
          article("sister", "bridge", body(changed(STORY, 30, 90))))
    find_duplicates(archive)
    query = {query.name: query for query in load_queries()}["stories_republished_across_sites"]
    rows = [tuple(row) for row in archive.conn.execute(query.sql)]
    # The copy within one site (bridge-again) is not republishing; the sister's edit is near the
    # first of the two copies (the other is its exact copy): one of the two pairs.
    assert rows == [
        ("near", 0.8413, "sister bridge", "diyaruna", "2026-03-01", "https://diyaruna.example/articles/bridge",
         "sister", "2026-03-01", "https://sister.example/articles/bridge")]


def test_the_crawled_demo_archive_has_the_pairs_its_manifest_predicts(research_archive):
    """The demo site republishes nothing and its bodies (71 words and more) differ well below the
    threshold, so the prediction is no pair; every article, the three edited ones included, is signed
    from its latest text by the crawls' own post-step."""
    manifest = research_archive.after["articles"]
    texts = {entry["path"]: body_words("\n\n".join(entry["body_paragraphs"])) for entry in manifest}
    predicted = sorted(tuple(sorted((a, b))) for a, b in combinations(texts, 2)
                       if min(len(texts[a]), len(texts[b])) >= MIN_WORDS
                       and (texts[a] == texts[b] or jaccard(shingles(texts[a]), shingles(texts[b])) >= THRESHOLD))
    db = sqlite3.connect(research_archive.db_path)
    found = sorted(tuple(sorted(urlsplit(url).path for url in pair)) for pair in db.execute(
        "SELECT later.canonical_url, earlier.canonical_url FROM duplicates d "
        "JOIN articles later ON later.id = d.article_id JOIN articles earlier ON earlier.id = d.duplicate_of"))
    assert found == predicted == []
    signed = db.execute("SELECT count(*) FROM duplicate_signatures s JOIN articles a ON a.id = s.article_id "
                        "AND a.content_hash = s.content_hash WHERE s.minhash IS NOT NULL").fetchone()[0]
    assert signed == len(manifest) == sum(len(text) >= MIN_WORDS for text in texts.values()) == 85


def test_the_command_and_stats_show_the_pairs(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    store(archive, article("a", "one", body(STORY)), article("b", "one", body(STORY)),
          article("c", "one", body(changed(STORY, 30, 90))), article("d", "short", body(words(10))))
    archive.close()
    db_path = str(tmp_path / "archive.db")
    stats = json.loads(run_cli("stats", "--db", db_path, "--json").stdout)
    assert stats["duplicates"] == {"exact_pairs": 0, "near_pairs": 0, "articles_not_compared": 4}
    result = run_cli("duplicates", "--db", db_path)
    assert result.returncode == 0, result.stderr
    # b is a's copy; c is near their body, linked to its first article, a.
    assert result.stderr.startswith("duplicates: 1 exact and 1 near pair found among 4 new or changed articles "
                                    "(1 under 50 words not compared); the archive holds 1 exact and 1 near (")
    stats = json.loads(run_cli("stats", "--db", db_path, "--json").stdout)
    assert stats["duplicates"] == {"exact_pairs": 1, "near_pairs": 1, "articles_not_compared": 0}
    assert "\nduplicate pairs: 1 exact, 1 near\n" in run_cli("stats", "--db", db_path).stdout
    rebuilt = run_cli("duplicates", "--db", db_path, "--rebuild")
    assert "found among 4 new or changed articles" in rebuilt.stderr and rebuilt.returncode == 0


def test_bad_archives_get_one_line(tmp_path):
    missing = run_cli("duplicates", "--db", str(tmp_path / "missing.db"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    notes = tmp_path / "notes.db"
    notes.write_text("not a database\n" * 50)
    refused = run_cli("duplicates", "--db", str(notes))
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "not a newsarchive archive (not an SQLite file)" in refused.stderr and "Traceback" not in refused.stderr


def test_a_crawl_compares_its_new_articles_when_it_ends_and_a_second_finds_none_new(demo_site, tmp_path):
    options = ["--db", str(tmp_path / "archive.db"), "--base-url", demo_site.base_url, "--allow-private",
               "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"]
    articles = len(demo_site.manifest["articles"])
    first = run_cli("crawl", "diyaruna", *options)
    assert first.returncode == 0, first.stderr[-3000:]
    assert (f"duplicates: 0 exact and 0 near pairs found among {articles} new or changed articles "
            "(0 under 50 words not compared); the archive holds 0 exact and 0 near (") in first.stderr
    again = run_cli("crawl", "diyaruna", *options, "--full")  # every article fetched again, none changed
    assert again.returncode == 0, again.stderr[-3000:]
    assert "duplicates: 0 exact and 0 near pairs found among 0 new or changed articles" in again.stderr


def test_an_archive_of_an_older_newsarchive_gets_the_tables_when_first_written(tmp_path):
    db_path = tmp_path / "archive.db"
    archive = open_archive(db_path)
    store(archive, article("a", "one", body(STORY)), article("b", "one", body(STORY)))
    with archive.write() as db:  # as written before migration m009
        db.execute("DROP TABLE duplicates")
        db.execute("DROP TABLE duplicate_signatures")
        db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm009_duplicates'")
    archive.close()
    # The first command to open it, a reader too, upgrades it: the two stories are not compared yet.
    first = run_cli("stats", "--db", str(db_path), "--json")
    assert "was made by an older newsarchive: upgraded to this version's schema (1 changes)" in first.stderr
    assert json.loads(first.stdout)["duplicates"] == {"exact_pairs": 0, "near_pairs": 0, "articles_not_compared": 2}
    assert run_cli("duplicates", "--db", str(db_path)).returncode == 0
    assert json.loads(run_cli("stats", "--db", str(db_path), "--json").stdout)["duplicates"] == {
        "exact_pairs": 1, "near_pairs": 0, "articles_not_compared": 0}


def test_a_cluster_of_near_copies_is_one_row_a_body_each_to_the_earliest(archive):
    # A templated daily story: each day the same text with one word of its own. Every pair of the
    # cluster was a row (n(n-1)/2: 45 here), and each new day read every earlier body.
    days = [article("weather", f"day-{n}", body(changed(STORY, 10 + 10 * n))) for n in range(10)]
    crawl = store(archive, *days)
    summary = find_duplicates(archive)
    # Two days differ in a word each, ten apart: 5 shingles of each are the other's not: 106 shared of 126.
    assert pairs(archive) == [(f"weather day-{n}", "weather day-0", "near", round(106 / 126, 4), crawl)
                              for n in range(1, 10)]
    assert (summary.near_found, summary.near_pairs) == (9, 9)


def test_the_later_bodies_linked_to_a_body_that_changes_are_linked_again(archive):
    # a, b and c are near copies (b and c linked to a); a is rewritten into another story: b and c,
    # still near each other, are one pair, b's link to the earliest body like it.
    crawl = store(archive, *(article("weather", name, body(changed(STORY, 10 + 10 * n))) for n, name in enumerate("abc")))
    find_duplicates(archive)
    assert [(later, earlier) for later, earlier, *_ in pairs(archive)] == [("weather b", "weather a"),
                                                                          ("weather c", "weather a")]
    rewritten = store(archive, article("weather", "a", body(words(120, "other"))))
    summary = find_duplicates(archive)
    assert pairs(archive) == [("weather c", "weather b", "near", round(106 / 126, 4), crawl)]
    assert summary.articles == 1 and rewritten > crawl
