"""The Diyaruna family in the languages it is written in, and any site in them: counters grouped or
written in words, names with invisible direction marks, locales the profile does not list, and
bylines labelled in Urdu, Persian, Pashto or Uzbek. Each was lost or misread without a word."""

from __future__ import annotations

import pytest

from newsarchive.options import OptionError
from newsarchive.parsers import parse_page
from newsarchive.profiles import load_profile

PROFILE = load_profile("diyaruna")
RLM, LRM, TATWEEL = "\u200f", "\u200e", "\u0640"
BODY = ("<div class='article__content'><p class='article__p'>قالت قوات الأمن إنها عززت الدوريات في المناطق الجنوبية.</p>"
        "<p class='article__p'>وأضاف السكان أن نقاط التفتيش الجديدة جلبت الهدوء إلى المزارع.</p></div>")
COMMENT = ("<li class='comment' data-comment-id='{id}'><span class='comment__author'>{author}</span>"
           "<div class='comment__body'>{text}</div></li>")


def family_page(locale: str = "ar", code: str = "cnmi_di", byline: str = "بقلم خالد الطائي", counter: str = "",
                comments: str = "", direction: str = "") -> object:
    url = f"https://diyaruna.com/{locale}/articles/{code}/features/2026/12/05/feature-01"
    html = (f"<html lang='{locale}' {direction}><head><title>خبر</title></head><body><main><article class='article'>"
            f"<h1 class='article__title'>عنوان الخبر</h1><div class='article__meta'>"
            f"<p class='article__byline'>{byline}</p><p class='article__date'>2026-12-05</p></div>{BODY}</article>"
            f"<section class='comments' id='comments'>{counter}<ol class='comments__list'>{comments}</ol></section>"
            "</main></body></html>")
    return parse_page(url, html, kind="article")


def two_comments() -> str:
    return (COMMENT.format(id=1, author="سارة", text="الأمن يهمنا جميعا هنا.")
            + COMMENT.format(id=2, author="حسن", text="نأمل أن تعود العائلات إلى بيوتها."))


@pytest.mark.parametrize("counter, count", [
    ("١٬٢٠٥ تعليقات", 1205),  # the Arabic thousands separator
    ("١،٢٠٥ تعليقات", 1205),  # the Arabic comma between the thousands
    ("1,205 Comment(s)", 1205),
])
def test_a_counter_grouped_in_thousands_the_arabic_way_is_one_number(counter, count):
    # Read as 1, it called two comments shown of 1,205 complete.
    article = family_page(counter=f"<h4 class='comments__count'>{counter}</h4>", comments=two_comments())
    assert (article.comment_count, article.comments_status, len(article.comments)) == (count, "unreached", 2)


@pytest.mark.parametrize("locale, counter, count", [
    ("ar", "تعليقان", 2),  # the dual: two comments
    ("ar", "تعليقين", 2),
    ("ar", "تعليق واحد", 1),
    ("ru", "Один комментарий", 1),
    ("en_GB", "One comment", 1),
    ("ar", "٢ تعليقات", 2),
])
def test_a_counter_written_in_words_says_the_comments_are_there(locale, counter, count):
    # The comments load by script: no item in the HTML. A counter without digits was no counter, and
    # the story was recorded as having none ("none"), never rendered.
    article = family_page(locale, counter=f"<h4 class='comments__count'>{counter}</h4>")
    assert (article.comment_count, article.comments_status) == (count, "unreached")


def test_a_counter_without_a_number_is_no_count():
    article = family_page(counter="<h4 class='comments__count'>التعليقات</h4>")
    assert article.comment_count is None and article.comments_status == "none"


@pytest.mark.parametrize("byline", [
    f"بقلم {RLM}خالد الطائي{RLM}",
    f"بقلم {LRM}خالد الطائي",
    "بقلم \u2067خالد الطائي\u2069",  # an isolate around the name
    f"بقلم خا{TATWEEL}{TATWEEL}لد الطائي",  # stretched by tatweel
])
def test_invisible_direction_marks_and_tatweel_make_no_other_author(byline):
    article = family_page(byline=byline)
    assert [author.name for author in article.authors] == ["خالد الطائي"]


def test_a_commenters_name_with_a_direction_mark_is_the_same_name():
    article = family_page(comments=COMMENT.format(id=1, author=f"{RLM}أبو علي{RLM}", text="تعليق أول.")
                          + COMMENT.format(id=2, author="أبو علي", text="تعليق ثان."))
    assert [comment.author_name for comment in article.comments] == ["أبو علي", "أبو علي"]


@pytest.mark.parametrize("locale, language", [("uz", "uz"), ("kk", "kk"), ("ru", "ru"), ("en_GB", "en")])
def test_a_locale_the_profile_does_not_list_is_read_from_the_url(locale, language):
    article = family_page(locale, code="cnmi_ca", byline="")
    assert (article.locale, article.language, article.direction) == (locale, language, "ltr")


def test_the_direction_of_a_locale_the_profile_does_not_list_is_the_pages():
    article = family_page("ur", code="cnmi_pf", byline="", direction="dir='rtl'")
    assert (article.locale, article.language, article.direction) == ("ur", "ur", "rtl")


def test_locale_urls_of_other_pages_name_their_locale_and_others_none():
    assert PROFILE.locale_for_url("https://central.asia-news.com/uz/news/politics") == "uz"
    assert PROFILE.locale_for_url("https://central.asia-news.com/kk/archives/2026/12") == "kk"
    assert PROFILE.locale_for_url("https://central.asia-news.com/cnmi_ca/images/2026/12/05/1-2.x-600_400.jpg") is None


def test_locales_asked_for_are_the_profiles_or_another_languages():
    assert PROFILE.check_locales(["uz", "kk", "ar", "tg_TJ"], "--locales") == ["uz", "kk", "ar", "tg_TJ"]
    for typo in ("xx", "en_gb", "en", "ar_EG"):  # no language, or one the profile writes another way
        with pytest.raises(OptionError, match=f"^--locales: unknown '{typo}'.*known: en_GB, ar, ru"):
            PROFILE.check_locales(["ar", typo], "--locales")


LABELLED = [("ur", "تحریر: عمران خان", "عمران خان"), ("fa", "نویسنده: احمد رحیمی", "احمد رحیمی"),
            ("ps", "ليکوال: احمد شاه", "احمد شاه"), ("uz", "Muallif: Akmal Karimov", "Akmal Karimov"),
            ("tg", "Муаллиф: Акмал Каримов", "Акмал Каримов"), ("ru", "Автор: Иван Петров", "Иван Петров")]


@pytest.mark.parametrize("language, byline, name", LABELLED)
def test_a_byline_labelled_in_the_sites_languages_names_its_author(language, byline, name):
    assert [author.name for author in family_page(byline=byline).authors] == [name]
    prose = "".join(f"<p>پاراگراف شماره {n} از متن خبر درباره وضعیت اقتصادی شهر و بازار که جزئیات بیشتری دارد.</p>"
                    for n in range(6))
    page = (f"<html lang='{language}'><head><meta charset='utf-8'><title>خبر</title></head><body><article><h1>خبر</h1>"
            f"<span class='author'>{byline}</span>{prose}</article></body></html>")
    article = parse_page("https://news.example/2026/12/05/story.html", page, kind="article")
    assert (article.byline_raw, [author.name for author in article.authors]) == (byline, [name])


@pytest.mark.parametrize("locales, allowed", [("", ["uz", "kk", "ru", "en_GB"]), ("uz,ru", ["uz", "ru"])])
def test_a_crawl_takes_every_locale_the_site_serves_unless_told_which(tmp_path, locales, allowed):
    # Read from the URL, a locale the profile does not list was outside the crawl's default list.
    from scrapy.utils.test import get_crawler

    from newsarchive import settings as project_module
    from spiders.profiled import CaravanseraiSpider

    crawler = get_crawler(CaravanseraiSpider, {
        **{name: value for name, value in vars(project_module).items() if name.isupper()},
        "NEWSARCHIVE_DB_PATH": str(tmp_path / "archive.db"), "NEWSARCHIVE_PARSER_WORKERS": 0})
    spider = CaravanseraiSpider.from_crawler(crawler, locales=locales)
    crawler.spider = spider
    try:
        urls = {locale: f"https://central.asia-news.com/{locale}/articles/cnmi_ca/features/2026/12/05/feature-01"
                for locale in ("uz", "kk", "ru", "en_GB")}
        assert [locale for locale, url in urls.items() if spider.is_allowed(url)] == allowed
    finally:
        spider.closed("finished")


def test_the_versions_a_page_names_in_other_languages_are_its_alternates():
    url = "https://diyaruna.com/ar/articles/cnmi_di/features/2026/12/05/feature-01"
    head = ("<link rel='alternate' hreflang='en-GB' href='/en_GB/articles/cnmi_di/features/2026/12/05/feature-07'>"
            f"<link rel='alternate' hreflang='ar' href='{url}'>"  # the page itself
            "<link rel='alternate' type='application/rss+xml' href='/ar/rss'>"  # a feed, no language
            "<link rel='Alternate' hreflang='ru' href='https://diyaruna.com/ru/articles/cnmi_di/features/2026/12/05/feature-02'>"
            "<link rel='stylesheet' hreflang='fr' href='/fr.css'>")
    page = (f"<html lang='ar'><head><title>خبر</title>{head}</head><body><main><article class='article'>"
            f"<h1 class='article__title'>عنوان الخبر</h1>{BODY}</article>"
            "<link rel='alternate' hreflang='de' href='/de/x'></main></body></html>")  # in the body: no head link
    article = parse_page(url, page, kind="article")
    assert article.alternates == {
        "en-GB": "https://diyaruna.com/en_GB/articles/cnmi_di/features/2026/12/05/feature-07",
        "ru": "https://diyaruna.com/ru/articles/cnmi_di/features/2026/12/05/feature-02"}


def test_alternates_are_stored_once_and_merged_with_the_earliest_first_sight(tmp_path):
    import sqlite3

    from newsarchive.archive import open_archive
    from newsarchive.archive.merge import merge_archives
    from newsarchive.archive.store import start_crawl, store_article
    from newsarchive.items import Article

    url, english = "https://x.example/ar/story", "https://x.example/en/story"
    for name, seen in (("one.db", "2026-01-02T00:00:00Z"), ("two.db", "2026-01-01T00:00:00Z")):
        archive = open_archive(tmp_path / name)
        with archive.write() as db:
            crawl = start_crawl(db, "x", "generic", {}, seen)
            for _ in range(2):  # seen twice: stored once
                store_article(db, Article(url=url, title="خبر", body_text="نص.", alternates={"en": english}), crawl, seen)
        archive.close()
    merge_archives([tmp_path / "one.db", tmp_path / "two.db"], tmp_path / "merged.db")
    with sqlite3.connect(tmp_path / "merged.db") as db:
        assert db.execute("SELECT url, hreflang, alternate_url, first_seen_at FROM article_alternates").fetchall() == [
            (url, "en", english, "2026-01-01T00:00:00Z")]


def test_a_tatweel_that_ends_a_written_apart_preposition_is_spelling_and_stays():
    from newsarchive.parsers.text import normalise_text

    assert normalise_text(f"احتفل السكان ب{TATWEEL} المتحف و ب{TATWEEL}120 دينارا") == (
        f"احتفل السكان ب{TATWEEL} المتحف و ب{TATWEEL}120 دينارا")
    assert normalise_text(f"الق{TATWEEL}{TATWEEL}دس") == "القدس"
