"""`newsarchive search` and `newsarchive stats` on a crawled, re-crawled demo archive."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import run_cli


def search(archive, *args):
    return run_cli("search", *args, "--db", str(archive.db_path))


def hits(archive, *args):
    result = search(archive, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_title_phrase_finds_its_article_first_with_a_highlighted_passage(research_archive):
    article = research_archive.after["articles"][10]
    found = hits(research_archive, f'"{article["title"]}"')
    assert found[0]["url"].endswith(article["path"])
    word = article["body_paragraphs"][0].split()[1].strip(".,")
    passages = hits(research_archive, word, "--limit", "5")
    assert all(f"[{word.lower()}]" in p["passage"].lower() for p in passages)


def test_arabic_text_is_searchable(research_archive):
    article = next(a for a in research_archive.after["articles"] if a["locale"] == "ar")
    found = hits(research_archive, f'"{article["title"]}"')
    assert found and found[0]["url"].endswith(article["path"])


def test_comments_are_searchable_with_their_author(research_archive):
    article = next(a for a in research_archive.after["articles"] if a["comments"])
    comment = article["comments"][0]
    phrase = " ".join(comment["text"].split()[:4]).strip(".,")
    found = hits(research_archive, f'"{phrase}"', "--in", "comments", "--limit", "50")
    assert any(hit["author_name"] == comment["author"] and hit["url"].endswith(article["path"]) for hit in found)


def test_filters_narrow_the_hits(research_archive):
    db = sqlite3.connect(research_archive.db_path)
    word = "said"
    assert hits(research_archive, word)
    assert hits(research_archive, word, "--site", "almashareq") == []
    assert hits(research_archive, word, "--since", "2100-01-01") == []
    author = "Khalid al-Taie"
    by_author = hits(research_archive, word, "--author", author, "--limit", "100")
    assert by_author
    for hit in by_author:
        names = {row[0] for row in db.execute(
            "SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = ?",
            [hit["id"]])}
        assert author in names
    limited = hits(research_archive, word, "--limit", "3")
    assert len(limited) == 3
    assert [h["score"] for h in limited] == sorted(h["score"] for h in limited)  # best (lowest bm25) first


def test_a_malformed_query_gets_a_clear_message_not_a_traceback(research_archive):
    for bad in ("AND", "", "(security", "security OR", "NOT"):
        result = search(research_archive, bad)
        assert result.returncode == 2, (bad, result.stderr)
        assert "search query" in result.stderr and "Traceback" not in result.stderr


def test_names_and_ordinary_words_are_plain_words(research_archive):
    # Hyphens, apostrophes, plus signs, a stray quote, a colon: searched as written, not errors.
    for plain in ("al-Taie", "o'brien", "C++", '"unbalanced', "nosuchcolumn:word", "security,"):
        result = search(research_archive, plain)
        assert result.returncode == 0 and "Traceback" not in result.stderr, (plain, result.stderr)
    assert search(research_archive, "security,").stdout.startswith("showing ")


@pytest.mark.parametrize("query, prepared", [
    ("al-Taie", '"al-Taie"'), ("o'brien", '"o\'brien"'), ("C++", '"C++"'),
    ('"border crossing" OR smuggl*', '"border crossing" OR smuggl*'),
    ("title:peshmerga", "title:peshmerga"), ("title:al-Taie", 'title:"al-Taie"'), ("x:y", '"x:y"'),
    ("NEAR(a b, 3)", "NEAR ( a b , 3 )"), ("a, b", "a b"), ('o"brien', "o brien"),
    ("(a OR b) AND NOT c", "( a OR b ) AND NOT c"),
    # Words are all to match, groups too: FTS5 joins only phrases without an operator.
    ("forces (security OR border)", "forces AND ( security OR border )"),
    ("(security OR border) forces", "( security OR border ) AND forces"), ("(a) (b)", "( a ) AND ( b )"),
    ("NEAR(a b, 3) c", "NEAR ( a b , 3 ) AND c"), ("a OR (b c)", "a OR ( b c )"),
])
def test_queries_keep_the_fts5_syntax_and_quote_the_rest(query, prepared):
    from newsarchive.research.search import prepare_query

    assert prepare_query(query, ("title", "body_text")) == prepared


def test_stats_json_matches_the_archive(research_archive):
    result = run_cli("stats", "--db", str(research_archive.db_path), "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    db = sqlite3.connect(research_archive.db_path)
    for table in ("articles", "authors", "photos", "comments", "captures", "crawls", "failures"):
        assert figures["totals"][table] == db.execute(f"SELECT count(*) FROM {table}").fetchone()[0], table
    assert figures["totals"]["removed_comments"] == 3
    assert sum(s["articles"] for s in figures["sections"]) == figures["totals"]["articles"]
    assert sum(s["comments"] for s in figures["sections"]) == figures["totals"]["comments"]
    assert [c["finish_reason"] for c in figures["crawls"]] == ["finished", "finished"]
    assert {r["reason"] for r in figures["failure_reasons"]} == {"http_404", "not_html"}
    assert figures["coverage"][0]["date"] == 1.0


def test_stats_prints_readable_tables(research_archive):
    result = run_cli("stats", "--db", str(research_archive.db_path))
    assert result.returncode == 0, result.stderr
    assert "Sites and sections" in result.stdout and "Field coverage by crawl" in result.stdout
    assert "الأمن" in result.stdout  # Arabic section names intact


def test_a_file_that_is_not_an_archive_is_refused_clearly(tmp_path):
    not_archive = tmp_path / "notes.db"
    not_archive.write_text("hello")
    result = run_cli("stats", "--db", str(not_archive))
    assert result.returncode == 1 and "is not a newsarchive archive" in result.stderr


def test_arabic_words_are_found_however_they_are_spelled(research_archive):
    spellings = [search(research_archive, word, "--json") for word in ("الأمنية", "الامنية", "امنية", "الأَمْنِيَّة")]
    found = [[hit["id"] for hit in json.loads(result.stdout)] for result in spellings]
    assert found[0] and all(ids == found[0] for ids in found)
    # Without the article al-: the word as a reader would look it up; the passage shows the page's word.
    borders = json.loads(search(research_archive, "حدود", "--json").stdout)
    assert borders and any("[الحدود]" in hit["passage"] for hit in borders)
    assert [h["id"] for h in borders] == [h["id"] for h in json.loads(search(research_archive, "الحدود", "--json").stdout)]


def test_search_options_are_checked_and_the_total_is_shown(research_archive):
    for options, words in ((["--limit", "0"], "--limit"), (["--since", "2019-13-01"], "--since"),
                           (["--since", "yesterday"], "YYYY-MM-DD"), (["--language", "Arabc"], "did you mean arabic?"),
                           (["--since", "2020-01-02", "--until", "2020-01-01"], "is after")):
        result = search(research_archive, "security", *options)
        assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr, options
    english = search(research_archive, "security", "--language", "English", "--limit", "2")
    total = int(english.stdout.split(" of ")[1].split()[0])
    assert english.returncode == 0 and english.stdout.startswith(f"showing 2 of {total} articles matching")
    assert total == len(json.loads(search(research_archive, "security", "--language", "en", "--limit", "10000",
                                          "--json").stdout))
    assert search(research_archive, "security", "--language", "Arabic").stdout.startswith("no articles match")
    db = sqlite3.connect(research_archive.db_path)
    author = db.execute("SELECT name FROM authors ORDER BY name LIMIT 1").fetchone()[0]
    assert search(research_archive, "security", "--author", author.upper(), "--json").stdout == \
        search(research_archive, "security", "--author", author, "--json").stdout
