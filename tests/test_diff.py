"""`newsarchive diff`: what changed between stored versions of an article, word by word.

A hand-made archive (written through the archive's own store, three crawls) gives exact output
to assert, coloured and plain, English and Arabic; the demo site crawled twice with edits in
between (the research_archive fixture) shows the same on a real crawl.
"""

from __future__ import annotations

import pytest

from newsarchive.archive import open_archive
from newsarchive.archive.store import finish_crawl, start_crawl, store_article
from newsarchive.items import Article, Comment
from newsarchive.research.diffing import body_diff, render, word_diff
from tests.conftest import run_cli

URL = "https://diyaruna.com/en_GB/articles/cnmi_di/features/2026/01/05/bridge"
AR_URL = "https://diyaruna.com/ar/articles/cnmi_di/features/2026/01/05/bridge"
RED, GREEN, RESET, BOLD = "\x1b[31m", "\x1b[32m", "\x1b[0m", "\x1b[1m"

FIRST_BODY = ("Engineers reopened the Mosul bridge on Monday.\n\n"
              "The work cost 4 million dollars.\n\n"
              "Traffic resumed at noon.")
SECOND_BODY = ("Engineers reopened the Mosul bridge on Monday.\n\n"
               "The work cost 6 million dollars, officials said.\n\n"
               "Traffic resumed at noon.\n\n"
               "Correction: an earlier version gave the wrong cost.")
THIRD_BODY = SECOND_BODY.replace("at noon", "at 1 pm")

AR_FIRST = "أعاد المهندسون فتح الجسر يوم الاثنين.\n\nكلّف العمل أربعة ملايين دولار."
AR_SECOND = "أعاد المهندسون فتح الجسرِ يوم الثلاثاء.\n\nكلّف العمل أربعة ملايين دولار."


def comment(site_id: str, author: str, text: str, position: int) -> Comment:
    return Comment(body_text=text, position=position, site_comment_id=site_id, author_name=author,
                   posted_at="2026-01-05T09:00:00Z")


def versions_archive(path):
    """Three crawls: the English article edited in crawl 2 (a comment added, one removed) and in
    crawl 3; the Arabic one edited in crawl 3 only; a third article never changed."""
    archive = open_archive(path)
    english = [
        ("Mosul bridge reopens", FIRST_BODY, [comment("1", "Ali", "Good news.", 0), comment("2", "Sara", "Spam!", 1)]),
        ("Mosul bridge reopens after repairs", SECOND_BODY,
         [comment("1", "Ali", "Good news.", 0), comment("3", "Omar", "About time.", 1)]),
        ("Mosul bridge reopens after repairs", THIRD_BODY,
         [comment("1", "Ali", "Good news.", 0), comment("3", "Omar", "About time.", 1)]),
    ]
    arabic = [("افتتاح جسر الموصل", AR_FIRST), ("افتتاح جسر الموصل", AR_FIRST), ("إعادة افتتاح جسر الموصل", AR_SECOND)]
    with archive.write() as db:
        for number in (1, 2, 3):
            day = f"2026-01-0{number + 4}"
            crawl_id = start_crawl(db, "diyaruna", "diyaruna", {}, f"{day}T00:00:00Z")
            title, body, comments = english[number - 1]
            store_article(db, Article(url=URL, title=title, body_text=body, comments=comments,
                                      comments_complete=True), crawl_id, f"{day}T01:00:00Z")
            title, body = arabic[number - 1]
            store_article(db, Article(url=AR_URL, title=title, body_text=body), crawl_id, f"{day}T01:00:01Z")
            store_article(db, Article(url=URL + "-2", title="Unchanged", body_text="Same."), crawl_id, f"{day}T01:00:02Z")
            finish_crawl(db, crawl_id, {"finished_at": f"{day}T02:00:00Z", "finish_reason": "finished",
                                        "articles_stored": 3, "articles_changed": number - 1})
    archive.close()


@pytest.fixture
def archive_path(tmp_path):
    path = tmp_path / "versions.db"
    versions_archive(path)
    return path


PLAIN = f"""article 1: Mosul bridge reopens after repairs
{URL}

=== version 1 -> 2: 2026-01-05T01:00:00Z (crawl 1) -> 2026-01-06T01:00:00Z (crawl 2)
title: Mosul bridge reopens {{+after repairs+}}
body:
  (1 paragraph unchanged)
  The work cost [-4-]{{+6+}} million dollars{{+, officials said+}}.
  (1 paragraph unchanged)
  {{+Correction: an earlier version gave the wrong cost.+}}
comments: 1 added, 1 removed
  + Omar (2026-01-05T09:00:00Z): About time.
  - Sara (2026-01-05T09:00:00Z): Spam!
"""


def test_plain_diff_of_an_edited_article(archive_path):
    result = run_cli("diff", "1", "--db", str(archive_path), "--to", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout == PLAIN


def test_coloured_diff_marks_removed_red_and_added_green(archive_path):
    result = run_cli("diff", URL, "--db", str(archive_path), "--to", "2", "--color")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[3] == (f"{BOLD}=== version 1 -> 2: 2026-01-05T01:00:00Z (crawl 1) -> "
                        f"2026-01-06T01:00:00Z (crawl 2){RESET}")
    assert lines[4] == f"title: Mosul bridge reopens {GREEN}after repairs{RESET}"
    assert lines[7] == (f"  The work cost {RED}4{RESET}{GREEN}6{RESET} million dollars"
                        f"{GREEN}, officials said{RESET}.")
    assert lines[9] == f"  {GREEN}Correction: an earlier version gave the wrong cost.{RESET}"
    assert lines[11:] == [f"{GREEN}  + Omar (2026-01-05T09:00:00Z): About time.{RESET}",
                          f"{RED}  - Sara (2026-01-05T09:00:00Z): Spam!{RESET}"]
    assert "[-" not in result.stdout and "{+" not in result.stdout


def test_no_color_and_a_pipe_give_the_same_plain_text(archive_path):
    result = run_cli("diff", "1", "--db", str(archive_path), "--to", "2", "--no-color")
    assert result.stdout == PLAIN


def test_arabic_words_keep_their_diacritics(archive_path):
    result = run_cli("diff", AR_URL, "--db", str(archive_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[3:] == [
        "=== version 1 -> 2: 2026-01-05T01:00:01Z (crawl 1) -> 2026-01-07T01:00:01Z (crawl 3)",
        "title: {+إعادة+} افتتاح جسر الموصل",
        "body:",
        # the kasra on الجسرِ is part of the word: the whole word changed, not a letter after it
        "  أعاد المهندسون فتح [-الجسر-]{+الجسرِ+} يوم [-الاثنين-]{+الثلاثاء+}.",
        "  (1 paragraph unchanged)",
        "comments: none added or removed",
    ]


def test_every_consecutive_pair_by_default(archive_path):
    result = run_cli("diff", "1", "--db", str(archive_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(PLAIN)
    assert result.stdout[len(PLAIN):].splitlines() == [
        "",
        "=== version 2 -> 3: 2026-01-06T01:00:00Z (crawl 2) -> 2026-01-07T01:00:00Z (crawl 3)",
        "title: unchanged",
        "body:",
        "  (2 paragraphs unchanged)",
        "  Traffic resumed at [-noon-]{+1 pm+}.",
        "  (1 paragraph unchanged)",
        "comments: none added or removed",
    ]


def test_from_and_to_choose_one_pair(archive_path):
    result = run_cli("diff", "1", "--db", str(archive_path), "--from", "1", "--to", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[3] == "=== version 1 -> 3: 2026-01-05T01:00:00Z (crawl 1) -> 2026-01-07T01:00:00Z (crawl 3)"
    assert lines[8:11] == ["  Traffic resumed at [-noon-]{+1 pm+}.", "  {+Correction: an earlier version gave the wrong cost.+}",
                           "comments: 1 added, 1 removed"]
    assert run_cli("diff", "1", "--db", str(archive_path), "--from", "2").stdout.splitlines()[3].startswith(
        "=== version 2 -> 3: ")


@pytest.mark.parametrize("args, code, message", [
    (["99"], 1, "Error: the archive has no article 99"),
    (["https://diyaruna.com/nowhere"], 1, "Error: the archive has no article at https://diyaruna.com/nowhere"),
    (["3"], 1, "Error: article 3 has only one version (stored 2026-01-05T01:00:02Z): nothing to compare"),
    (["1", "--to", "5"], 2, "Error: --to 5: article 1 has versions 1 to 3"),
    (["1", "--from", "2", "--to", "2"], 2, "Error: --from 2 must be an earlier version than --to 2"),
    (["1", "--from", "0"], 2, "Error: Invalid value for '--from': 0 is not in the range 1<=x<=9223372036854775807."),
])
def test_bad_requests_get_one_clear_line(archive_path, args, code, message):
    result = run_cli("diff", *args, "--db", str(archive_path))
    assert result.returncode == code
    assert result.stderr.strip().splitlines()[-1] == message
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_file_that_is_no_archive_is_one_line(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("not sqlite")
    result = run_cli("diff", "1", "--db", str(bogus))
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: {bogus} is not a newsarchive archive (not an SQLite file)"


@pytest.mark.parametrize("old, new, plain", [
    ("a b c", "a b", "a b [-c-]"),
    ("a b", "a b c", "a b {+c+}"),
    ("b", "a b", "{+a+} b"),
    ("a b c", "a c", "a [-b-] c"),
    ("the big red dog", "the small blue dog", "the [-big red-]{+small blue+} dog"),
    ("co-operation", "cooperation", "[-co-operation-]{+cooperation+}"),
    ("قال المسؤول", "قال المسؤولون", "قال [-المسؤول-]{+المسؤولون+}"),
    ("", "new", "{+new+}"),
])
def test_word_diff(old, new, plain):
    assert render(word_diff(old, new), colour=False) == plain


def test_body_diff_counts_unchanged_paragraphs():
    blocks = body_diff("one\n\ntwo\n\nthree\n\nfour", "one\n\ntwo\n\nthree\n\nfour\n\nfive")
    assert [render(b, False) if isinstance(b, list) else b.count for b in blocks] == [4, "{+five+}"]


def test_diff_of_an_article_edited_on_the_demo_site(research_archive):
    """The demo site's edit: the headline gains ", officials say" and a correction paragraph is added."""
    import sqlite3

    path = research_archive.after["changes"]["edited"][0]
    db = sqlite3.connect(research_archive.db_path)
    article_id, = db.execute("SELECT article_id FROM article_urls WHERE url LIKE ?", [f"%{path}"]).fetchone()
    db.close()
    result = run_cli("diff", str(article_id), "--db", str(research_archive.db_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[3].startswith("=== version 1 -> 2: ") and lines[3].endswith("(crawl 2)")
    english = path.startswith("/en_GB/")
    suffix = ", officials say" if english else "، بحسب مسؤولين"
    correction = ("Correction: an earlier version of this article gave the wrong cost of the project." if english
                  else "تصحيح: ذكرت نسخة سابقة من هذا المقال كلفة خاطئة للمشروع.")
    assert lines[4].startswith("title: ") and lines[4].endswith(f"{{+{suffix}+}}")
    assert lines[5:7] == ["body:", lines[6]] and lines[6].endswith("paragraphs unchanged)")
    assert lines[7] == f"  {{+{correction}+}}"
