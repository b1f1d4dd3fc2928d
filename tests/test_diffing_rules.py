"""The rules of `newsarchive diff` (newsarchive/research/diffing.py) in the test's process, on the
hand-made archive of tests/test_diff.py (three crawls of an edited article): which article an id
or URL names, which version pairs are compared, which comments belong to a pair, and bodies whose
paragraphs were merged, split, added or removed."""

from __future__ import annotations

import random
import sqlite3

import pytest

from newsarchive.research.diffing import (
    ADDED,
    EQUAL,
    LONG_PARAGRAPH,
    LONGEST_CHUNK,
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
    token_opcodes,
    version_pairs,
    word_diff,
)
from newsarchive.research.diffing import _chunks as chunks
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
    # The address a browser shows: tracking parameters, a fragment, a space around it.
    for address in (f"{URL}?utm_source=newsletter&fbclid=x1", f"{URL}#comments", f" {URL} "):
        assert find_article(db, address)["id"] == 1, address
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


@pytest.mark.parametrize(("old", "new", "pieces"), [
    # One character edited in a run: that character, not the run from one punctuation mark to the next.
    ("益阳的智慧农业园区开放了。", "益阳的智慧林业园区开放了。",
     [Piece(EQUAL, "益阳的智慧"), Piece(REMOVED, "农"), Piece(ADDED, "林"), Piece(EQUAL, "业园区开放了。")]),
    ("今日は雨です。", "今日は晴れです。",
     [Piece(EQUAL, "今日は"), Piece(REMOVED, "雨"), Piece(ADDED, "晴れ"), Piece(EQUAL, "です。")]),
    ("ฝนตกหนัก", "ฝนตกเบา", [Piece(EQUAL, "ฝนตก"), Piece(REMOVED, "หนัก"), Piece(ADDED, "เบา")]),
    # A letter with its marks is one character: the tone mark edited shows with its letter.
    ("ขาวดี", "ข่าวดี", [Piece(REMOVED, "ข"), Piece(ADDED, "ข่"), Piece(EQUAL, "าวดี")]),
    # Korean spaces its words: a word stays a word.
    ("서울에서 비가 온다", "부산에서 비가 온다",
     [Piece(REMOVED, "서울에서"), Piece(ADDED, "부산에서"), Piece(EQUAL, " 비가 온다")]),
])
def test_text_written_without_spaces_is_compared_character_by_character(old, new, pieces):
    assert word_diff(old, new) == pieces


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


# Long paragraphs: compared a chunk at a time first ----------------------------------------------

def applied(old: list[str], new: list[str], opcodes) -> list[str]:
    """The new tokens as the opcodes make them from the old, each checked to follow the last, its
    equal runs equal, and to end where both texts end."""
    made, at_old, at_new = [], 0, 0
    for operation, i1, i2, j1, j2 in opcodes:
        assert (i1, j1) == (at_old, at_new) and (i1, j1) != (i2, j2)
        assert operation != "equal" or old[i1:i2] == new[j1:j2]
        made += new[j1:j2]
        at_old, at_new = i2, j2
    assert (at_old, at_new) == (len(old), len(new))
    return made


def test_a_long_paragraph_gets_the_opcodes_of_its_edits():
    old = [f"w{n}" for n in range(8000)]
    assert len(old) > LONG_PARAGRAPH  # compared chunk by chunk
    new = old[:100] + ["edited"] + old[101:4000] + old[4003:6001] + ["new", "words"] + old[6001:]
    assert token_opcodes(old, new) == [
        ("equal", 0, 100, 0, 100), ("replace", 100, 101, 100, 101), ("equal", 101, 4000, 101, 4000),
        ("delete", 4000, 4003, 4000, 4000), ("equal", 4003, 6001, 4000, 5998), ("insert", 6001, 6001, 5998, 6000),
        ("equal", 6001, 8000, 6000, 7999)]
    # A word added at the end of a text that ends where a chunk ends (its last chunk left out), and removed.
    ending = old[:chunks(old)[-1][1]]
    assert token_opcodes(ending, ending + ["more"]) == [("equal", 0, len(ending), 0, len(ending)),
                                                        ("insert", len(ending), len(ending), len(ending), len(ending) + 1)]
    assert token_opcodes(ending + ["more"], ending) == [("equal", 0, len(ending), 0, len(ending)),
                                                        ("delete", len(ending), len(ending) + 1, len(ending), len(ending))]
    pieces = word_diff(" ".join(old), " ".join(new))
    assert [piece for piece in pieces if piece.kind != EQUAL] == [
        Piece(REMOVED, "w100"), Piece(ADDED, "edited"), Piece(REMOVED, "w4000 w4001 w4002"), Piece(ADDED, "new words")]
    assert pieces[0] == Piece(EQUAL, " ".join(old[:100]) + " ")


def test_chunks_end_at_marked_tokens_so_an_edit_changes_the_chunks_around_it_alone():
    tokens = [f"w{n}" for n in range(3000)]
    cut = chunks(tokens)
    assert [token for chunk, _ in cut for token in chunk] == tokens  # every token once, in order
    assert [start for _, start in cut] == [sum(len(chunk) for chunk, _ in cut[:k]) for k in range(len(cut))]
    assert max(len(chunk) for chunk, _ in cut) <= LONGEST_CHUNK and 100 < len(cut) < 400
    edited = chunks(tokens[:1500] + ["inserted"] + tokens[1500:])
    assert len({chunk for chunk, _ in cut} ^ {chunk for chunk, _ in edited}) <= 4  # one chunk, or two with the mark
    # Words repeated without a mark: cut every LONGEST_CHUNK tokens.
    unmarked = next(token for token in ("a", "b", "c", "d", "e") if len(chunks([token] * 2)) == 1)
    marked = next(token for token in tokens if len(chunks([token] * 2)) == 2)
    assert chunks([unmarked, marked, unmarked]) == [((unmarked, marked), 0), ((unmarked,), 2)]
    assert [len(chunk) for chunk, _ in chunks([unmarked] * 150)] == [LONGEST_CHUNK, LONGEST_CHUNK, 150 - 2 * LONGEST_CHUNK]


def test_long_paragraphs_that_share_little_or_repeat_a_few_words_get_valid_opcodes():
    rewritten = ([f"old{n}" for n in range(6000)], [f"new{n}" for n in range(7000)])
    assert token_opcodes(*rewritten) == [("replace", 0, 6000, 0, 7000)]
    # Two words repeated 100,000 times: every chunk is alike, and none is an anchor (difflib's
    # autojunk); the opcodes stay valid, if coarse.
    old = "zebraword filler".split() * 100000
    new = old[:1000] + ["edited"] + old[1001:150000] + ["x"] + old[150000:]
    assert applied(old, new, token_opcodes(old, new)) == new
    draw = random.Random(1)
    shared = [f"w{draw.randrange(3000)}" for _ in range(20000)]  # words of a vocabulary of 3,000
    edited = ["edited" if n % 400 == 0 else word for n, word in enumerate(shared)]
    opcodes = token_opcodes(shared, edited)
    assert applied(shared, edited, opcodes) == edited
    assert [opcode for opcode in opcodes if opcode[0] != "equal"] == [("replace", n, n + 1, n, n + 1)
                                                                      for n in range(0, 20000, 400)]


def test_the_printed_diff_is_the_one_the_command_prints(db):
    # tests/test_diff.py checks the command's output against PLAIN, in its own process.
    assert format_diffs(*article_diffs(db, "1", None, 2), colour=False) == PLAIN
    article, diffs = article_diffs(db, "1", 2, 3)
    assert format_diffs(article, diffs, colour=False) == (
        f"article 1: Mosul bridge reopens after repairs\n{URL}\n\n"
        "=== version 2 -> 3: 2026-01-06T01:00:00Z (crawl 2) -> 2026-01-07T01:00:00Z (crawl 3)\n"
        "title: unchanged\nbody:\n  (2 paragraphs unchanged)\n  Traffic resumed at [-noon-]{+1 pm+}.\n"
        "  (1 paragraph unchanged)\ncomments: none added or removed\n")
