"""Words of scripts written without spaces (Chinese, Japanese) or with particles written onto them
(Korean) are found inside a run of characters: the paired indexes (archive/folding.py, migration
m024) and search's routing to them (research/search.py). A hand-made archive written through the
archive's own store; each expected hit worked out by reading the texts below."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import unicodedata

import pytest

from newsarchive.archive import open_archive
from newsarchive.archive.folding import paired_query, pairs, register
from newsarchive.archive.store import start_crawl, store_article
from newsarchive.items import Article, Comment
from newsarchive.research.search import MATCH_END, MATCH_START, SearchFilters, count_matches, search
from tests.conftest import archive_without_migration

T = "2026-03-01T00:00:00Z"
# number -> (title, body, comments)
ARTICLES = {
    1: ("智慧农业园区开放", "在益阳一个智慧农业园区里，农民正在忙着收割。", ["这个园区很好", "农民辛苦了"]),
    2: ("東京の天気", "今日は雨が降っています。明日は晴れるでしょう。", ["雨が嫌いです"]),
    3: ("서울 소식", "서울에서 비가 온다. 부산에는 눈이 왔다.", []),
    4: ("Rain in Baghdad", "Heavy rain fell on Baghdad; farmers in the green zone waited.", ["Rain again"]),
    5: ("Beijing report", "Reporters visited 北京 and its 农业 fairs. 北京农业大学 opened.", []),
    6: ("लागत", "इस साल लागत कम है।", []),  # "the cost is low this year"
    7: ("सरकार", "पानी की कमी है, सरकार ने काम शुरू किया।", []),  # "water is short, the government started work"
    8: ("ข่าว", "วันนี้ประเทศไทยมีฝนตกหนัก", []),  # Thai: "today Thailand has heavy rain", no spaces
    9: ("Paris", "Le cafe\u0301 de Paris ferme, un re\u0301cit nai\u0308f.", []),  # accents written as marks
    10: ("ברכה", "שָׁלוֹם לְכֻלָּם", []),  # Hebrew with its points
    11: ("一季度经济数据发布", "2024年3月15日，苹果iPhone销量上升。", []),  # runs between digits and Latin letters
    12: ("किसान", "किसानों ने दिल्ली में प्रदर्शन किया।", []),
    13: ("新闻", "２０２５年４月１日，ＡＢＣ发布消息。", []),  # full-width digits and letters
}


def store(path) -> None:
    archive = open_archive(path)
    with archive.write() as write:
        crawl_id = start_crawl(write, None, "generic", {}, T)
        for number, (title, body, comments) in ARTICLES.items():
            store_article(write, Article(
                url=f"https://news.example/{number}", site="news", title=title, body_text=body,
                comments=[Comment(body_text=text, position=position, site_comment_id=str(position))
                          for position, text in enumerate(comments)], comments_complete=True), crawl_id, T)
    archive.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("unspaced") / "archive.db"
    store(path)
    conn = sqlite3.connect(path)
    yield conn
    conn.close()


def article_numbers(db, query: str) -> list[int]:
    return sorted(int(hit["url"].rsplit("/", 1)[1]) for hit in search(db, query, "articles", SearchFilters(limit=50)))


@pytest.mark.parametrize(("query", "expected"), [
    ("农业", [1, 5]),  # inside a run (1), and a run of its own among English words (5)
    ("智慧农业", [1]),
    ("农", [1, 5]),  # one character: wherever it stands in a run, also at a run's end
    ("收割", [1]),
    ("割", [1]),  # the last character of its run
    ("业园", [1]),  # two characters across two words of the run still stand in it
    ("农业大学", [5]),
    ("农业 OR 天気", [1, 2, 5]),
    ("农业 NOT 园区", [5]),
    ("title:农业", [1]),  # in article 5 only in the body
    ('"智慧农业园区"', [1]),
    ("雨が降", [2]),
    ("晴れる", [2]),
    ("서울", [3]),  # a Korean word with its particle written on (서울에서) and alone (서울)
    ("부산", [3]),
    ("北京 Reporters", [5]),  # words of both kinds in one query: all must match
    ("Baghdad OR 天気", [2, 4]),  # an OR: also the rows holding no such characters (4)
    ("(green OR 天気) NOT 雨が降", [4]),
    ('"Heavy rain" OR 서울', [3, 4]),
    ('"OR 서울"', []),  # no OR outside a phrase: the rows with such characters only
    ("Baghdad 天気", []),
    ("农业园区开放日", []),  # a longer run than any text holds
    ("农田", []),  # both characters are in texts, never together
    # A Latin word or a number written against such characters, by itself: the index of words holds
    # the whole run (苹果iPhone销量上升) as one word, and the query asked it alone.
    ("iPhone", [11]),
    ("2024", [11]),
    ("ABC", [13]),  # written full-width, against characters
    ("Baghdad", [4]),  # rows with no such characters: from the index of words
    ("Reporters", [5]),
    ("iPhone OR Baghdad", [4, 11]),
    ("iph*", [11]),
    ("rain NOT Baghdad", []),
    # A full-width quote mark or operator word is read as its folded form: ＂ quoted inside the
    # phrase the query was made into broke it ("unterminated string").
    ("東京＂天気", [2]),
    ("雨 ＯＲ 서울", [2, 3]),
])
def test_a_word_is_found_inside_a_run_of_characters(db, query, expected):
    assert article_numbers(db, query) == expected
    assert count_matches(db, query, "articles", SearchFilters()) == len(expected)


@pytest.mark.parametrize(("query", "expected"), [
    ("कम", [6]),  # a word with a vowel sign is one word: कमी (7) is not the word कम and a sign
    ("कमी", [7]),
    ("काम", [7]),
    ("सरकार", [7]),
    ("ฝนตก", [8]),  # inside the Thai run
    ("ประเทศไทย", [8]),
    ("ไทย", [8]),
    ("café", [9]),
    ("cafe", [9]),
    ("naïf", [9]),  # not the words nai and f
    ("שלום", [10]),  # without points, as readers type it
    ("שָׁלוֹם", [10]),
    ("לכלם", [10]),
])
def test_words_written_with_marks_are_whole_words(db, query, expected):
    assert article_numbers(db, query) == expected


@pytest.mark.parametrize(("query", "expected"), [
    # Runs of one character between digits or Latin letters (the index held each run's last
    # character twice, and the query asked for the phrase without it: a date was never found).
    ("3月15日", [11]), ("2024年3月", [11]), ("苹果iPhone", [11]), ("年", [11, 13]),
    # Full-width digits and letters are their ASCII ones, in the text and in the query.
    ("2025年4月", [13]), ("２０２５年４月", [13]), ("ABC发布", [13]),
    # A phrase of two words each of a run (the first run's last character stands between them).
    ('"비가 온다"', [3]), ('"서울 소식"', [3]), ('"东京 天气"', []), ("NEAR(비가 온다, 2)", [3]),
    # A NOT keeps the articles with no such characters too (only an OR did).
    ("rain NOT 天気", [4]), ("Baghdad NOT 农业", [4]), ("Reporters NOT 北京", []),
    # A prefix of a word written with vowel signs (re's \w stopped at the first sign: a phrase, no prefix).
    ("किसान*", [12]), ("दिल्ल*", [12]),
])
def test_words_next_to_digits_phrases_negations_and_prefixes(db, query, expected):
    assert article_numbers(db, query) == expected
    assert count_matches(db, query, "articles", SearchFilters()) == len(expected)


def test_a_thai_passage_marks_the_word_and_cuts_no_letter_from_its_marks(tmp_path):
    path = tmp_path / "a.db"
    archive = open_archive(path)
    text = "กรุงเทพมหานครกล่าวสวัสดีประชาชนและนายกรัฐมนตรีเดินทางมาร่วมงาน" * 3 + "วันนี้ฝนตกหนักมาก"
    with archive.write() as write:
        crawl_id = start_crawl(write, None, "generic", {}, T)
        store_article(write, Article(url="https://th.example/1", site="th", title="ข่าว", body_text=text), crawl_id, T)
    archive.close()
    with sqlite3.connect(path) as conn:
        for word in ("สวัสดี", "นายกรัฐมนตรี", "ฝนตก"):
            passage = search(conn, word, "articles")[0]["passage"]
            assert f"{MATCH_START}{word}{MATCH_END}" in passage, (word, passage)
            assert not unicodedata.category(passage.removeprefix("… ")[0]).startswith("M"), passage


def test_a_query_without_such_characters_asks_the_index_of_words(db):
    assert article_numbers(db, "rain") == [4]
    assert article_numbers(db, "Baghdad farmers") == [4]


def test_comments_are_found_inside_a_run_too(db):
    texts = [hit["passage"].replace(MATCH_START, "[").replace(MATCH_END, "]")
             for hit in search(db, "园区 OR 嫌い", "comments")]
    assert sorted(texts) == ["这个[园区]很好", "雨が[嫌い]です"]


def test_the_passage_marks_the_word_where_it_stands_in_the_run(db):
    hits = search(db, "收割", "articles")
    assert [hit["passage"].replace(MATCH_START, "[").replace(MATCH_END, "]") for hit in hits] == [
        "在益阳一个智慧农业园区里，农民正在忙着[收割]。"]
    assert hits[0]["title"] == "智慧农业园区开放"


def test_a_title_hit_ranks_above_a_body_hit(db):
    # 农业 is in the title and body of 1 and in the body of 5 only (twice, in a body of like length)
    assert [hit["url"] for hit in search(db, "农业", "articles")] == ["https://news.example/1", "https://news.example/5"]


def test_edits_and_deletions_keep_the_paired_index_in_step(tmp_path):
    path = tmp_path / "a.db"
    store(path)
    with sqlite3.connect(path) as conn:
        register(conn)
        conn.execute("UPDATE articles SET body_text = '农民都回家了。' WHERE url = 'https://news.example/1'")
        conn.execute("UPDATE articles SET title = 'Seoul news', body_text = 'Rain in Seoul.' "
                     "WHERE url = 'https://news.example/3'")
        conn.execute("UPDATE articles SET body_text = '大阪も雨です。' WHERE url = 'https://news.example/4'")
        conn.execute("DELETE FROM comments WHERE body_text = '雨が嫌いです'")
        conn.execute("INSERT INTO articles_cjk_fts (articles_cjk_fts) VALUES ('integrity-check')")
        conn.execute("INSERT INTO comments_cjk_fts (comments_cjk_fts) VALUES ('integrity-check')")
        assert_ranks_as_built_afresh(conn, ["农业", "大阪", "雨", "Baghdad 雨"])
    with sqlite3.connect(path) as conn:
        assert article_numbers(conn, "收割") == []  # edited out of 1's body
        assert article_numbers(conn, "农业") == [1, 5]  # still in 1's title
        assert article_numbers(conn, "서울") == []  # 3 holds no Korean now: out of the index
        assert article_numbers(conn, "大阪") == [4]  # 4 holds Japanese now: in it
        assert search(conn, "嫌い", "comments") == []


def assert_ranks_as_built_afresh(conn, queries: list[str]) -> None:
    """The paired index scores each match as one built from the texts as they stand now: the
    triggers left no trace of a row's earlier texts (FTS5 counts every row and token it was told of
    into bm25, even a deletion of what it never held)."""
    definition = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_cjk_fts'").fetchone()[0]
    conn.execute(definition.replace("articles_cjk_fts", "afresh", 1))
    conn.execute("INSERT INTO afresh (rowid, title, body_text) SELECT id, pairs(fold(title)), pairs(fold(body_text)) "
                 "FROM articles WHERE has_unspaced(title) OR has_unspaced(body_text)")
    for query in queries:
        scores = [conn.execute(f"SELECT rowid, round(bm25({index}, 5.0, 1.0), 9) FROM {index} "
                               f"WHERE {index} MATCH cjk_query(?) ORDER BY rowid", [query]).fetchall()
                  for index in ("articles_cjk_fts", "afresh")]
        assert scores[0] == scores[1] and scores[0], query
    conn.execute("DROP TABLE afresh")


def test_an_archive_from_before_the_paired_indexes_gets_them(tmp_path):
    path = tmp_path / "old.db"
    old = archive_without_migration(path, "m024_marks_and_unspaced_scripts")
    old.execute("INSERT INTO articles (id, url, canonical_url, title, body_text, content_hash) "
                "VALUES (1, 'u1', 'u1', 'old', '在益阳一个智慧农业园区里', 'h'), (2, 'u2', 'u2', 'plain', 'no such text', 'h'), "
                "(3, 'u3', 'u3', 'कम', 'लागत कम है', 'h'), (4, 'u4', 'u4', 'कमी', 'पानी की कमी है', 'h')")
    old.conn.commit()
    assert [row[0] for row in old.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'कमी'")] == [3, 4]
    old.close()
    open_archive(path).close()  # migrates
    with sqlite3.connect(path) as conn:
        assert [hit["id"] for hit in search(conn, "农业", "articles")] == [1]
        assert [hit["id"] for hit in search(conn, "कमी", "articles")] == [4]  # the word index made again
        assert [hit["id"] for hit in search(conn, "plain", "articles")] == [2]
        assert tuple(conn.execute("SELECT count(*) FROM articles_cjk_fts_docsize").fetchone()) == (1,)  # the row with such text


def test_the_command_finds_a_word_inside_a_run(tmp_path):
    path = tmp_path / "a.db"
    store(path)
    done = subprocess.run([sys.executable, "-m", "newsarchive.cli", "search", "农业", "--db", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "https://news.example/1" in done.stdout and "https://news.example/5" in done.stdout
    assert "https://news.example/2" not in done.stdout


def test_sql_users_search_the_paired_index_with_cjk_query(tmp_path):
    path = tmp_path / "a.db"
    store(path)
    with sqlite3.connect(path) as conn:
        register(conn)
        assert conn.execute("SELECT a.url FROM articles_cjk_fts JOIN articles a ON a.id = articles_cjk_fts.rowid "
                            "WHERE articles_cjk_fts MATCH cjk_query('益阳 OR 부산')"
                            " ORDER BY a.url").fetchall() == [("https://news.example/1",), ("https://news.example/3",)]


@pytest.mark.parametrize(("text", "expected"), [
    ("智慧农业", " 智慧 慧农 农业 业 "),
    ("农", " 农 "),  # a run of one: that character
    ("2024年3月15日", "2024 年 3 月 15 日 "),  # runs between digits
    ("Tokyo東京タワー", "Tokyo 東京 京タ タワ ワー ー "),
    ("서울에서 비", " 서울 울에 에서 서   비 "),
    ("plain text", "plain text"),
    ("", ""),
    (None, None),
])
def test_each_run_becomes_its_pairs_and_its_last_character(text, expected):
    assert pairs(text) == expected


@pytest.mark.parametrize(("query", "expected"), [
    ("农业", '"农业"'),
    ("智慧农业", '"智慧 慧农 农业"'),
    ("农", '"农" *'),  # one character: the pair it starts, or itself at a run's end
    ("农*", '"农" *'),
    ("title:智慧农业", 'title:"智慧 慧农 农业"'),
    ("title:农", 'title:"农" *'),
    # A run that ends inside the phrase ends in the text too: all its tokens, its last character alone.
    ('"智慧农业 园区"', '"智慧 慧农 农业 业 园区"'),
    ('"서울 시장"', '"서울 울 시장"'),
    ("3月15日", '"3 月 15 日" *'),
    ("2024年3月", '"2024 年 3 月" *'),
    ("苹果iPhone", '"苹果 果 iPhone"'),
    ('"a ""b"" 农业"', '"a ""b"" 农业"'),
    ("NEAR(智慧农业 天, 3)", 'NEAR("智慧 慧农 农业" "天" *, 3)'),
    ("rain AND 雨", 'rain AND "雨" *'),
    ("(农业 OR x)", '("农业" OR x)'),
])
def test_a_query_is_read_in_pairs(query, expected):
    assert paired_query(query) == expected


def test_the_documented_query_finds_a_word_inside_a_run(tmp_path):
    from newsarchive.research.queries import load_queries
    sql = {query.name: query.sql for query in load_queries()}["search_articles_cjk"]
    path = tmp_path / "a.db"
    store(path)
    with sqlite3.connect(path) as conn:
        register(conn)
        found = conn.execute(sql, {"term": "收割"}).fetchall()
        assert [(title, passage) for _, title, _, _, passage in found] == [
            ("智慧农业园区开放", "园区里，农民正在忙着收割。")]  # 收割 is the 20th character: from the 10th
        assert [row[1] for row in conn.execute(sql, {"term": "农业"})] == ["智慧农业园区开放", "Beijing report"]
        assert conn.execute(sql, {"term": " "}).fetchall() == []
