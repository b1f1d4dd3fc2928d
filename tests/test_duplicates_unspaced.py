"""Bodies in scripts written without spaces (Chinese, Japanese, Thai) are compared character by
character (archive/duplicates.py's body_words), and archives whose signatures were made clause by
clause are signed again (migration m025). Similarities counted by hand, as in test_duplicates.py."""

from __future__ import annotations

import hashlib
import re
import sqlite3

from newsarchive.archive import open_archive
from newsarchive.archive.duplicates import MIN_WORDS, body_words, find_duplicates, jaccard, shingles
from tests.conftest import archive_without_migration
from tests.test_duplicates import article, pairs, store


def characters(count: int, first: int = 0x4E00) -> str:
    """count distinct Han characters, a comma after every twentieth: every 5-character shingle is
    distinct, and the text is count // 20 clauses."""
    return "".join(chr(first + n) + ("，" if n % 20 == 19 else "") for n in range(count))


def edited(text: str, *positions: int) -> str:
    """The text with the characters at those positions (among the Han characters) replaced."""
    han = [character for character in text if character != "，"]
    replaced = {han[position]: chr(0x3400 + position) for position in positions}
    return "".join(replaced.get(character, character) for character in text)


STORY = characters(200)  # 200 characters, 196 shingles; 10 clauses



def test_the_hand_counts_hold():
    assert len(body_words(STORY)) == 200 and len(shingles(body_words(STORY))) == 196
    # Two characters edited far apart: each is in 5 shingles, so 10 of 196 differ: 186 shared of 206.
    assert jaccard(shingles(body_words(STORY)), shingles(body_words(edited(STORY, 40, 150)))) == 186 / 206


def test_a_chinese_story_with_two_characters_edited_is_a_near_pair(empty_archive):
    archive = empty_archive
    crawl = store(archive, article("xinhua", "bridge", STORY), article("sister", "bridge-edited", edited(STORY, 40, 150)),
                  article("other", "unrelated", characters(200, first=0x5E00)))
    summary = find_duplicates(archive)
    assert pairs(archive) == [("sister bridge-edited", "xinhua bridge", "near", round(186 / 206, 4), crawl)]
    assert summary.short == 0


def test_a_chinese_brief_is_not_compared(empty_archive):
    archive = empty_archive
    brief = characters(MIN_WORDS - 1)
    store(archive, article("xinhua", "brief", brief), article("sister", "brief-copy", brief))
    summary = find_duplicates(archive)
    assert pairs(archive) == [] and summary.short == 2


def test_signatures_made_clause_by_clause_are_made_again(tmp_path):
    path = tmp_path / "old.db"
    old = archive_without_migration(path, "m025_character_shingles")
    old.conn.close()
    first = open_archive(path)  # every migration but m025 was applied: applies it to nothing
    store(first, article("xinhua", "bridge", STORY))
    find_duplicates(first)
    first.close()
    # As the code before m025 signed it: the words were the runs between punctuation.
    clause_words = re.findall(r"\w+", STORY.casefold())
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE duplicate_signatures SET body_hash = ?, words = ?",
                     [hashlib.sha256(" ".join(clause_words).encode()).hexdigest(), len(clause_words)])
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm025_character_shingles'")
    again = open_archive(path)  # applies m025 again, to the old signature
    try:
        copy = store(again, article("sister", "bridge-copy", STORY))
        find_duplicates(again)
        assert pairs(again) == [("sister bridge-copy", "xinhua bridge", "exact", 1.0, copy)]
        assert again.conn.execute("SELECT words FROM duplicate_signatures ORDER BY article_id").fetchall() == [
            (200,), (200,)]
    finally:
        again.close()


def test_hindi_words_differing_in_their_vowel_signs_are_different_words():
    # re's \w split सेना ("army") into स न, the same as सोना ("gold"): different stories were one body.
    assert body_words("सेना ने दिन भर काम किया") == ["सेना", "ने", "दिन", "भर", "काम", "किया"]
    assert body_words("सेना ने दिन भर") != body_words("सोना ने दान भर")


def test_hindi_stories_differing_in_vowel_signs_are_no_exact_pair(empty_archive):
    archive = empty_archive
    words = "सेना ने आज सुबह शहर के पुराने पुल पर काम शुरू किया और शाम तक सड़क फिर से खुल गई".split()
    body = " ".join(words * 4)  # 80 words
    changed = body.replace("सेना", "सोना").replace("किया", "कीया")  # each word another vowel sign
    store(archive, article("hindi", "army", body), article("other", "gold", changed))
    find_duplicates(archive)
    assert [kind for _, _, kind, _, _ in pairs(archive)] != ["exact"]
