"""Cases a mutation run of stop 61's lines showed no test held (each planted bug left the suite
green): Hebrew marks, full-width letters, the further unspaced scripts, prefix and open-ended
phrases in the paired index, mixed-index ordering, old archives, Thai passages, words of mixed
runs in duplicates and diffs, the widget rescue, local days, profile loading, profile check's
counts and suggestions, fixtures, and crawl plans of profile files. Each value worked out by hand
from the input."""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest

from newsarchive import fixtures
from newsarchive.archive import open_archive
from newsarchive.archive.duplicates import body_words
from newsarchive.archive.folding import fold, paired_query, pairs
from newsarchive.archive.folding import register as register_fold
from newsarchive.archive.store import start_crawl, store_article
from newsarchive.crawling import crawl_plan
from newsarchive.items import Article, Comment
from newsarchive.parsers.article import parse_article
from newsarchive.parsers.dates import local_day
from newsarchive.profiles import ProfileError, profile_and_site, profile_from_dict
from newsarchive.profiles.check import _short, check_page
from newsarchive.research.diffing import ADDED, VersionDiff, render, word_diff
from newsarchive.research.search import MATCH_END, MATCH_START, SearchFilters, passage_of_unspaced_text, search
from tests.conftest import archive_without_migration, run_cli, serve_handler
from tests.test_comments_any_site import comments_of
from tests.test_dates_any_site import page_without_metadata
from tests.test_dates_any_site import parse as parse_any_site
from tests.test_own_profile_crawl import PROFILE, Site
from tests.test_own_profile_pages import STORY, STORY_TEXT, URL, page, profile

WHEN = "2026-03-01T00:00:00Z"


def archive_of(tmp_path, articles, comments=None):
    """An archive holding the (title, body) articles, numbered from 1 in their URLs; comments maps
    an article's number to its (author, text) comments."""
    path = tmp_path / "archive.db"
    archive = open_archive(path)
    with archive.write() as write:
        crawl_id = start_crawl(write, None, "generic", {}, WHEN)
        for number, (title, body) in enumerate(articles, 1):
            said = [Comment(body_text=text, author_name=author, position=place, site_comment_id=str(place))
                    for place, (author, text) in enumerate((comments or {}).get(number, []))]
            store_article(write, Article(url=f"https://news.example/{number}", site="news", title=title,
                                         body_text=body, comments=said, comments_complete=True), crawl_id, WHEN)
    archive.close()
    return sqlite3.connect(path)


def found(conn, query, target="articles"):
    return sorted(int(hit["url"].rsplit("/", 1)[1]) for hit in search(conn, query, target, SearchFilters(limit=50)))


# folding: Hebrew, full-width letters, further unspaced scripts -------------------------------------

def test_the_hebrew_maqaf_stays_a_word_break(tmp_path):
    # The maqaf (U+05BE) is Hebrew's hyphen: folded away, בית־ספר became one word that neither half finds.
    assert fold("בית־ספר") == "בית־ספר"
    conn = archive_of(tmp_path, [("בית־ספר חדש", "נפתח היום")])
    assert (found(conn, "ספר"), found(conn, "בית")) == ([1], [1])


def test_hebrew_cantillation_marks_are_folded_away(tmp_path):
    # בָּרָ֣א carries points and a cantillation mark (U+05A3): both go, leaving the letters ברא.
    assert fold("בָּרָ֣א") == "ברא"
    conn = archive_of(tmp_path, [("בְּרֵאשִׁ֖ית", "בָּרָ֣א אֱלֹהִ֑ים")])
    assert (found(conn, "ברא"), found(conn, "בראשית")) == ([1], [1])


def test_full_width_small_letters_fold_to_ascii(tmp_path):
    # ｔｏｄａｙ is today written in full-width small letters: unfolded, an ASCII search missed it.
    assert fold("Ｎｅｗｓ ｏｆ ｔｏｄａｙ") == "News of today"
    conn = archive_of(tmp_path, [("Ｎｅｗｓ ｏｆ ｔｏｄａｙ", "a report")])
    assert found(conn, "today") == [1]


def test_a_cjk_extension_b_character_is_part_of_its_run(tmp_path):
    # 𠮶 (U+20BB6, Cantonese) is a Chinese character like its neighbours: the run 睇咗𠮶個 gives its pairs.
    assert pairs("睇咗𠮶個") == " 睇咗 咗𠮶 𠮶個 個 "
    conn = archive_of(tmp_path, [("粵語新聞", "我哋睇咗𠮶個新聞")])
    assert (found(conn, "𠮶"), found(conn, "𠮶個")) == ([1], [1])


def test_a_burmese_word_inside_a_run_is_found(tmp_path):
    # Burmese is written without spaces between words: နိုင်ငံ (country) is inside the run.
    conn = archive_of(tmp_path, [("သတင်း", "မြန်မာနိုင်ငံသတင်း")])
    assert (found(conn, "နိုင်ငံ"), found(conn, "မြန်မာ")) == ([1], [1])


# paired queries: a starred last word, a phrase ending in a space, cjk_query's folding ---------------

def test_a_starred_word_after_a_run_stays_a_prefix(tmp_path):
    # iPh* is a prefix of iPhone: the phrase must end in a prefix query (the * after it).
    assert paired_query("苹果iPh*") == '"苹果 果 iPh" *'
    conn = archive_of(tmp_path, [("一季度", "2024年3月15日，苹果iPhone销量上升。")])
    assert found(conn, "苹果iPh*") == [1]


def test_a_phrase_ending_in_a_space_lets_its_last_run_go_on(tmp_path):
    # The space after 农业 is blank: the run is still the last one, and 农业园区 goes on from it.
    assert paired_query('"农业 "') == '"农业"'
    conn = archive_of(tmp_path, [("智慧农业园区开放", "在益阳一个智慧农业园区里")])
    assert found(conn, '"农业 "') == [1]


def test_sql_users_cjk_query_folds_full_width_text(tmp_path):
    # The index holds the folded text (2025年4月, ABC发布): cjk_query must fold the query the same way.
    conn = archive_of(tmp_path, [("新闻", "２０２５年４月１日，ＡＢＣ发布消息。")])
    register_fold(conn)
    for query in ("２０２５年４月", "ＡＢＣ发布"):
        rows = conn.execute("SELECT rowid FROM articles_cjk_fts WHERE articles_cjk_fts MATCH cjk_query(?)",
                            [query]).fetchall()
        assert rows == [(1,)], query


# search: the order of hits from both indexes, an old read-only archive, Thai passages --------------

def test_hits_from_both_indexes_are_in_score_order(tmp_path):
    # Without sorting, every hit of the paired index came before any of the word index.
    filler = [(f"other {n}", f"今天新闻{n} weather report") for n in range(8)]
    conn = archive_of(tmp_path, [("农业", "今天的农业新闻很多，" * 20), ("Baghdad Baghdad", "Baghdad Baghdad Baghdad")]
                      + filler)
    hits = search(conn, "农业 OR Baghdad", "articles", SearchFilters())
    scores = [hit["score"] for hit in hits]
    assert sorted(hit["title"] for hit in hits) == ["Baghdad Baghdad", "农业"]
    assert scores == sorted(scores)  # bm25: the lower, the better


def test_a_read_only_archive_from_before_the_paired_index_falls_back_to_the_word_index(tmp_path):
    # The migration cannot run on a read-only file: asking articles_cjk_fts raised 'no such table'.
    path = tmp_path / "old.db"
    old = archive_without_migration(path, "m024_marks_and_unspaced_scripts")
    old.execute("INSERT INTO articles (id, url, canonical_url, title, body_text, content_hash) "
                "VALUES (1, 'u1', 'u1', '农业', '农业 news', 'h')")
    old.conn.commit()
    old.close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert [hit["title"] for hit in search(conn, "农业", "articles", SearchFilters())] == ["农业"]


def thai_passage():
    # ดี is the letter ด with the vowel sign ี (a mark): 20 of them before the word, 40 after.
    text = "ก" + "ดี" * 20 + "ก" + "ฝนตกก" + "ดี" * 40
    return passage_of_unspaced_text(text, "ฝนตก").replace(MATCH_START, "[").replace(MATCH_END, "]")


def test_a_thai_passage_does_not_start_with_a_mark_cut_from_its_letter():
    passage = thai_passage()
    assert passage.startswith("… ") and not unicodedata.category(passage[2]).startswith("M"), passage


def test_a_thai_passage_does_not_end_with_a_letter_cut_from_its_mark():
    # The passage must end with whole ดี pairs, the mark after its letter.
    passage = thai_passage()
    assert passage.endswith("ดี …"), passage


# words of mixed runs: duplicates, diffs, the diff's word count --------------------------------------

def test_a_number_before_chinese_characters_is_a_word_of_its_own_in_duplicates():
    # Each Chinese character is a word; the digits between them are words of their own.
    assert body_words("2024年3月") == ["2024", "年", "3", "月"]


def test_a_changed_year_before_chinese_characters_is_the_only_change_in_a_diff():
    assert render(word_diff("2024年3月15日", "2025年3月15日"), colour=False) == "[-2024-]{+2025+}年3月15日"


def test_added_chinese_characters_count_as_one_word_each():
    # 智慧农业 was added: four characters, four words.
    diff = VersionDiff(old=None, new=None, title=word_diff("园区开放", "智慧农业园区开放"), body=[])
    assert diff.words(ADDED) == 4


# the paired indexes: comment authors, m024's refill -------------------------------------------------

def test_a_comment_author_is_found_by_part_of_a_chinese_name(tmp_path):
    # 小明 is inside the commenter's name 王小明.
    conn = archive_of(tmp_path, [("农业", "农业新闻")], comments={1: [("王小明", "很好的文章")]})
    for query in ("小明", "王小明"):
        assert [hit["author_name"] for hit in search(conn, query, "comments", SearchFilters())] == ["王小明"], query


def test_a_migrated_archive_finds_its_older_rows_by_their_folded_form(tmp_path):
    # الأمنية folds to الامنية (hamza seat) and мёд to мед: m024 must refill the word index folded.
    path = tmp_path / "old.db"
    old = archive_without_migration(path, "m024_marks_and_unspaced_scripts")
    old.execute("INSERT INTO articles (id, url, canonical_url, title, body_text, content_hash) "
                "VALUES (1, 'u1', 'u1', 'الأمنية', 'القوات الأمنية في بغداد', 'h'), (2, 'u2', 'u2', 'мёд', 'Свежий мёд', 'h')")
    old.conn.commit()
    old.close()
    open_archive(path).close()
    with sqlite3.connect(path) as conn:
        assert [hit["id"] for hit in search(conn, "الامنية", "articles")] == [1]
        assert [hit["id"] for hit in search(conn, "мед", "articles")] == [2]


# bodies: the widget rescue ------------------------------------------------------------------------

def body_of(inside):
    article = parse_article(URL, page(inside), profile(body="div.story"))
    return article.body_text, [warning for warning in article.warnings if "body_blocks" in warning]


def test_a_related_box_with_a_third_of_the_text_stays_out():
    # The box holds less than half the container's text: it is not the story, whatever its size.
    related = ("<p>Read also: the ferry timetable for the winter season, and the new fish market on the quay.</p>"
               "<p>More: storm damage in photos.</p>")
    assert body_of(f"<div class='story'>{STORY}<div class='related-stories'>{related}</div></div>")[0] == STORY_TEXT


def test_a_widget_hidden_with_a_spaced_style_stays_out():
    # 'display: none' (with a space) hides it as well as 'display:none'.
    hidden = "<p>" + "Mobile teaser text that the page hides with its style and never shows. " * 6 + "</p>"
    inside = f"<div class='story'>{STORY}<div class='widget' style='display: none'>{hidden}</div></div>"
    assert body_of(inside)[0] == STORY_TEXT


def test_a_long_reader_comment_inside_the_story_stays_out():
    comment = "<p>" + "A reader's long comment under the story, which is no part of it at all. " * 6 + "</p>"
    inside = f"<div class='story'>{STORY}<div class='comment' id='comment-12'>{comment}</div></div>"
    assert body_of(inside)[0] == STORY_TEXT


WRAPPED = "<div class='story'><div class='entry themeform share'><div class='entry-inner'>{}</div></div></div>"


def test_a_div_paragraph_inside_a_widget_named_wrapper_is_read_and_told():
    # The body_blocks selector (p, h2, ...) misses the <div> paragraph: the whole read keeps it, and says so.
    more = "<div>The ferry to the islands will run twice a day from next week, the operator said.</div>"
    body, warnings = body_of(WRAPPED.format(STORY + more))
    assert body.endswith("The ferry to the islands will run twice a day from next week, the operator said.")
    assert len(warnings) == 1 and "left 1 block" in warnings[0], warnings


def test_the_story_inside_a_widget_named_wrapper_gives_no_left_out_warning():
    # All three paragraphs are read by the blocks: nothing is left out.
    assert body_of(WRAPPED.format(STORY)) == (STORY_TEXT, [])


# dates: the local day, the URL's day, the moment shown --------------------------------------------

@pytest.mark.parametrize("raw", ["Published: 2020-02-19T23:30:00-06:00", "Posted Wed, 19 Feb 2020 23:30:00 -0600"])
def test_the_local_day_is_the_day_printed_not_the_utc_day(raw):
    # 23:30 at UTC-6 is already the 20th in UTC, but the page printed the 19th.
    assert local_day(raw) == "2020-02-19"


def test_a_url_day_matching_the_printed_day_gives_no_date_warning():
    # 11:30 PM CST on the 19th is the 20th in UTC; the URL's day is the day printed.
    dated = profile_from_dict({
        "name": "harbour", "sites": [{"name": "harbour", "code": "hb", "hosts": ["news.example.org"]}],
        "urls": {"article": r"^/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/[^/]+/?$"},
        "selectors": {"article": {"title": "h1", "body": "div.story", "date": "p.when"}, "listing": {}}})
    article = parse_article("https://news.example.org/2020/02/19/harbour/", page(
        f"<p class='when'>February 19, 2020 11:30 PM CST</p><div class='story'>{STORY}</div>"), dated)
    assert (article.published_at, article.published_day) == ("2020-02-20T05:30:00Z", "2020-02-19")
    assert [warning for warning in article.warnings if warning.startswith("published_at")] == []


def test_a_late_evening_moment_shown_with_its_local_day_keeps_its_time():
    # 23:30 at UTC-5 on 12 March is 04:30 UTC on the 13th; the page shows the local day, 12 March.
    shown = "<span class='date'>12 March 2020 <time datetime='2020-03-12T23:30:00-05:00'>·</time></span>"
    article = parse_any_site(page_without_metadata(byline_date=shown))
    assert (article.published_at, article.published_at_raw) == ("2020-03-13T04:30:00Z", "2020-03-12T23:30:00-05:00")


def test_a_profile_page_without_a_date_selector_takes_no_generic_moment():
    # The profile reads the page and has no date selector: the date stays empty, not a guess.
    inside = f"<p class='meta'><time datetime='2020-03-12T10:30:00+03:00'>12 March 2020</time></p><div class='story'>{STORY}</div>"
    assert parse_article(URL, page(inside), profile(body="div.story")).published_at is None


# authors, photos, comments ------------------------------------------------------------------------

def test_the_next_storys_author_is_not_this_storys():
    html = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Harbour</title></head><body>"
            "<article class='post'><h1>Harbour reopens after storm</h1><div class='credits'>By <span class='author'>"
            f"Jane Doe</span></div><div class='story'>{STORY}</div></article>"
            "<article class='post next'><h1>Ferry fares rise</h1><div class='credits'>By <span class='author'>Tom Brown"
            "</span></div><p>Next story's teaser.</p></article></body></html>")
    article = parse_article(URL, html, profile(body="div.story", authors="span.author"))
    assert [author.name for author in article.authors] == ["Jane Doe"]


def test_a_photo_linked_to_an_anchor_of_the_page_is_kept():
    # href='#photo-1' stays on the page (a lightbox): the image is no teaser for another story.
    inside = f"<div class='story'><a href='#photo-1'><img src='/img/pier.jpg'></a>{STORY}</div>"
    article = parse_article(URL, page(inside), profile(body="div.story", photo_image="img"))
    assert [photo.url for photo in article.photos] == ["https://news.example.org/img/pier.jpg"]


def test_a_comments_like_feedback_is_not_its_text():
    said = "".join(
        f"<li id='comment-{n}' class='comment'><div class='comment-author'><cite class='fn'>Reader {n}</cite></div>"
        f"Comment number {n} on the bridge. <a href='?like_comment={n}' class='comment-like-link'>Like</a>"
        f"<span class='comment-like-feedback'>Like</span></li>" for n in (5, 6))
    read = comments_of(f"<div id='comments'><h2>2 thoughts</h2><ol class='comment-list'>{said}</ol></div>")
    assert [text for *_, text in read] == ["Comment number 5 on the bridge.", "Comment number 6 on the bridge."]


# profiles: loading, choosing the site -------------------------------------------------------------

def minimal(**site):
    return {"name": "harbour", "sites": [{"name": "harbour", "code": "hb", "hosts": ["news.example.org"], **site}],
            "urls": {"article": r"^/\d{4}/"}, "selectors": {"article": {"title": "h1"}, "listing": {}}}


def test_a_site_without_start_paths_starts_at_its_home_page():
    assert profile_from_dict(minimal()).sites[0].start_paths == ("/",)


def test_start_paths_holding_a_number_is_a_profile_error():
    with pytest.raises(ProfileError, match="start_paths must be a list of texts"):
        profile_from_dict(minimal(start_paths=["/news/", 2024]), "mine.toml")


TWO_SITES = PROFILE.replace("[urls]", '[[sites]]\nname = "harbour_east"\ncode = "he"\nhosts = ["east.example.org"]\n'
                            'start_paths = ["/news/"]\n[urls]')


def test_a_url_no_site_of_a_two_site_profile_has_is_an_error(tmp_path):
    # Neither harbour nor harbour_east has elsewhere.example: the first site is no answer.
    path = tmp_path / "harbour.toml"
    path.write_text(TWO_SITES, encoding="utf-8")
    with pytest.raises(ProfileError, match="has no site for"):
        profile_and_site(None, "https://elsewhere.example/2024/01/02/x/", str(path))


# profile check: counts within their containers, suggestions, one-line values -----------------------

def checks(inside, **selectors):
    checked = profile_from_dict({
        "name": "harbour", "sites": [{"name": "harbour", "code": "hb", "hosts": ["news.example.org"]}],
        "urls": {"article": r"^/\d{4}/\d{2}/[^/]+/?$"}, "selectors": {"article": {"title": "h1", **selectors}, "listing": {}}})
    _, found_checks = check_page(URL, page(inside).encode(), checked, checked.sites[0])
    return {check.name: (check.matches, check.suggestion) for check in found_checks}


def test_authors_are_counted_inside_the_byline():
    # The parser reads `a` inside p.byline: one author, not the story's map link too.
    inside = f"<p class='byline'>By <a href='/a/jane'>Jane Doe</a></p><div class='story'>{STORY}<p>See <a href='/x'>the map</a>.</p></div>"
    assert checks(inside, body="div.story", byline="p.byline", authors="a")["authors"] == (1, None)


def test_captions_are_counted_inside_the_body_photos():
    # The promo's figcaption is outside figure.inline: one caption.
    inside = (f"<div class='story'>{STORY}<figure class='inline'><img src='/a.jpg'><figcaption>The pier.</figcaption>"
              "</figure></div><div class='promo'><figcaption>Subscribe now</figcaption></div>")
    assert checks(inside, body="div.story", body_photos="figure.inline", photo_caption="figcaption")["photo_caption"] == (
        1, None)


def test_a_caption_in_a_lead_photo_that_is_also_a_body_photo_counts_once():
    inside = (f"<div class='story'><figure class='lead inline'><img src='/a.jpg'><figcaption>The pier.</figcaption>"
              f"</figure>{STORY}</div>")
    assert checks(inside, body="div.story", lead_photo="figure.lead", body_photos="figure.inline",
                  photo_caption="figcaption")["photo_caption"] == (1, None)


def test_a_missed_authors_selector_is_not_told_the_byline_container():
    # p.byline holds the byline, not the names: suggesting it for authors would be wrong.
    inside = f"<p class='byline'>By <span class='name'>Jane Doe</span></p><div class='story'>{STORY}</div>"
    assert checks(inside, body="div.story", authors="span.nomatch")["authors"] == (0, None)


def test_a_missed_lead_photo_selector_is_told_the_figure_found():
    inside = f"<figure class='Figure'><img src='/img/pier.jpg'><figcaption>The pier.</figcaption></figure><div class='story'>{STORY}</div>"
    assert checks(inside, body="div.story", lead_photo="figure.nomatch")["lead_photo"] == (0, "figure.Figure")


def test_a_comments_paragraphs_are_shown_on_one_line():
    # One comment; its two paragraphs joined by a space.
    assert _short([{"author_name": "Jane", "body_text": "Great story.\n\nThe pier was needed."}]) == (
        "1: Great story. The pier was needed.")


# fixtures, crawl plans ----------------------------------------------------------------------------

def test_an_unreadable_fixture_page_is_a_bad_case(tmp_path):
    # page.html is a directory (a bad checkout): one bad case, not a crash of the whole check.
    case = fixtures.FixtureCase(site="diyaruna", name="broken", folder=tmp_path / "diyaruna" / "broken")
    (case.folder / fixtures.PAGE_FILE).mkdir(parents=True)
    with pytest.raises(fixtures.BadCase, match="cannot be read"):
        case.body()


def test_a_url_crawled_with_a_profile_file_is_its_site_of_that_file(tmp_path):
    # news.example.org is the harbour site's host in the file: its spider, not the generic one.
    path = tmp_path / "harbour.toml"
    path.write_text(PROFILE, encoding="utf-8")
    plan = crawl_plan("https://news.example.org/news/", profile=str(path))
    assert (plan.spider, bool(plan.profile_file)) == ("harbour", True)


def test_the_second_site_of_a_profile_file_is_crawled_as_itself(tmp_path):
    # Both sites are served from the loopback base URL; the articles must be harbour_east's.
    path, db = tmp_path / "harbour.toml", tmp_path / "archive.db"
    path.write_text(TWO_SITES, encoding="utf-8")
    server = serve_handler(Site)
    try:
        done = run_cli("crawl", "harbour_east", "--profile", str(path), "--db", str(db), "--allow-private",
                       "--base-url", f"http://127.0.0.1:{server.server_port}", "--render", "never", "--max-pages", "2")
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        sites = {site for (site,) in conn.execute("SELECT site FROM articles")}
    assert sites == {"harbour_east"}
