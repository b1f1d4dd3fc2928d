"""The rules of `newsarchive diff` (newsarchive/research/diffing.py) in the test's process, on the
hand-made archive of tests/test_diff.py (three crawls of an edited article): which article an id
or URL names, which version pairs are compared, which comments belong to a pair, and bodies whose
paragraphs were merged, split, added or removed."""

from __future__ import annotations

import sqlite3

import pytest

from newsarchive.research.diffing import (
    ADDED,
    EQUAL,
    REMOVED,
    CommentChange,
    DiffError,
    Piece,
    UnchangedParagraphs,
    VersionChoiceError,
    article_diffs,
    article_versions,
    body_diff,
    comment_changes,
    find_article,
    format_diffs,
    version_pairs,
)
from tests.test_diff import PLAIN, URL, versions_archive


@pytest.fixture
def db(tmp_path):
    versions_archive(tmp_path / "versions.db")
    connection = sqlite3.connect(tmp_path / "versions.db")
    yield connection
    connection.close()


def test_an_article_is_found_by_its_id_or_any_of_its_urls(db):
    assert find_article(db, "1") == find_article(db, " 1 ") == find_article(db, URL) == {
        "id": 1, "title": "Mosul bridge reopens after repairs", "url": URL}
    assert find_article(db, "3")["url"] == URL + "-2"
    with pytest.raises(DiffError, match=r"^the archive has no article 9$"):
        find_article(db, " 9")
    with pytest.raises(DiffError, match=r"^the archive has no article at https://diyaruna.com/nowhere$"):
        find_article(db, "https://diyaruna.com/nowhere")


def test_every_consecutive_pair_or_the_one_pair_asked_for(db):
    versions = article_versions(db, 1)
    assert [version.version for version in versions] == [1, 2, 3]
    assert [(old.version, new.version) for old, new in version_pairs(versions, None, None)] == [(1, 2), (2, 3)]
    assert [(old.version, new.version) for old, new in version_pairs(versions, 1, None)] == [(1, 3)]
    assert [(old.version, new.version) for old, new in version_pairs(versions, None, 2)] == [(1, 2)]
    assert [(old.version, new.version) for old, new in version_pairs(versions, 2, 3)] == [(2, 3)]


@pytest.mark.parametrize(("first", "last", "message"), [
    (2, 2, "--from 2 must be an earlier version than --to 2"),
    (3, 1, "--from 3 must be an earlier version than --to 1"),
    (0, None, "--from 0: article 1 has versions 1 to 3"),
    (None, 4, "--to 4: article 1 has versions 1 to 3"),
])
def test_a_pair_the_article_does_not_have_is_refused(db, first, last, message):
    with pytest.raises(VersionChoiceError) as refused:
        version_pairs(article_versions(db, 1), first, last, "article 1")
    assert str(refused.value) == message


def test_an_article_with_one_version_has_nothing_to_compare(db):
    versions = article_versions(db, 3)
    with pytest.raises(DiffError, match=r"^article 3 has only one version \(stored 2026-01-05T01:00:02Z\): "
                                        r"nothing to compare$"):
        article_diffs(db, "3")
    with pytest.raises(DiffError, match="^the article has no stored version: nothing to compare$"):
        version_pairs([], None, None)
    assert len(versions) == 1


def test_comments_belong_to_the_pair_whose_later_crawl_found_the_change(db):
    # Crawl 2 (2026-01-06) stored Omar's comment and found Sara's gone.
    first_pair = comment_changes(db, 1, "2026-01-05T01:00:00Z", "2026-01-06T01:00:00Z")
    assert first_pair == [CommentChange("added", "Omar", "2026-01-05T09:00:00Z", "About time."),
                          CommentChange("removed", "Sara", "2026-01-05T09:00:00Z", "Spam!")]
    assert comment_changes(db, 1, "2026-01-06T01:00:00Z", "2026-01-07T01:00:00Z") == []
    # The first crawl's comments are the first version's, not a change after it.
    assert comment_changes(db, 1, "2026-01-05T01:00:00Z", "2026-01-05T23:00:00Z") == []


def test_an_article_diff_reads_the_fields_that_changed(db):
    article, diffs = article_diffs(db, URL)
    assert article["id"] == 1 and len(diffs) == 2
    assert diffs[0].fields_changed == ["title", "body"] and diffs[1].fields_changed == ["body"]
    assert diffs[0].words(ADDED) == 13  # "after repairs" 2, "6" 1, "officials said" 2, the correction 8
    assert diffs[0].words(REMOVED) == 1
    assert (diffs[1].words(REMOVED), diffs[1].words(ADDED)) == (1, 2)  # "at noon" -> "at 1 pm"
    assert [change.kind for change in diffs[0].comments] == ["added", "removed"] and diffs[1].comments == []


def test_paragraphs_merged_into_fewer_are_diffed_together():
    assert body_diff("Alpha one.\n\nBeta two.\n\nGamma three.", "Alpha one.\n\nDelta four.") == [
        UnchangedParagraphs(1),
        [Piece(REMOVED, "Beta two"), Piece(ADDED, "Delta four"), Piece(EQUAL, ".\n\n"), Piece(REMOVED, "Gamma three.")]]


def test_a_paragraph_split_in_more_is_diffed_together():
    assert body_diff("Alpha one.\n\nDelta four.", "Alpha one.\n\nBeta two.\n\nGamma three.") == [
        UnchangedParagraphs(1),
        [Piece(REMOVED, "Delta four"), Piece(ADDED, "Beta two"), Piece(EQUAL, ".\n\n"), Piece(ADDED, "Gamma three.")]]


def test_paragraphs_added_and_removed_whole():
    assert body_diff("Alpha one.\n\nBeta two.", "Zeta.\n\nAlpha one.") == [
        [Piece(ADDED, "Zeta.")], UnchangedParagraphs(1), [Piece(REMOVED, "Beta two.")]]
    assert body_diff("", "One.\n\n\n\nTwo.") == [[Piece(ADDED, "One.")], [Piece(ADDED, "Two.")]]
    assert body_diff("Same.\n\nSame too.", "Same.\n\n  Same too.  ") == [UnchangedParagraphs(2)]


def test_the_printed_diff_is_the_one_the_command_prints(db):
    # tests/test_diff.py checks the command's output against PLAIN, in its own process.
    assert format_diffs(*article_diffs(db, "1", None, 2), colour=False) == PLAIN
    article, diffs = article_diffs(db, "1", 2, 3)
    assert format_diffs(article, diffs, colour=False) == (
        f"article 1: Mosul bridge reopens after repairs\n{URL}\n\n"
        "=== version 2 -> 3: 2026-01-06T01:00:00Z (crawl 2) -> 2026-01-07T01:00:00Z (crawl 3)\n"
        "title: unchanged\nbody:\n  (2 paragraphs unchanged)\n  Traffic resumed at [-noon-]{+1 pm+}.\n"
        "  (1 paragraph unchanged)\ncomments: none added or removed\n")
