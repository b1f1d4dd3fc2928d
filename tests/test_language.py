"""Language detection of pages that declare none (newsarchive/parsers/language.py)."""

import pytest

from newsarchive.parsers.language import SAMPLE_CHARACTERS, detect_language


@pytest.mark.parametrize(("text", "language"), [
    ("The council voted on Tuesday to close the old bridge for repairs until next spring.", "en"),
    ("Le conseil municipal a voté mardi la fermeture du vieux pont jusqu'au printemps prochain.", "fr"),
    ("Городской совет во вторник проголосовал за закрытие старого моста до весны.", "ru"),
    ("صوّت المجلس البلدي يوم الثلاثاء على إغلاق الجسر القديم حتى الربيع المقبل.", "ar"),
    ("شورای شهر روز سه‌شنبه به بستن پل قدیمی تا بهار آینده رای داد.", "fa"),
    ("El consejo municipal votó el martes el cierre del viejo puente hasta la próxima primavera.", "es"),
])
def test_the_language_of_a_sentence(text, language):
    assert detect_language(text) == language


def test_lines_and_case_do_not_matter_and_no_text_gives_none():
    assert detect_language("Der Stadtrat hat am Dienstag\nbeschlossen, die alte Brücke\n\nzu schließen.") == "de"
    assert detect_language(" \n\t ") is None and detect_language("") is None


def test_the_whole_sample_counts_not_only_its_first_words():
    # An English headline of 60 characters before a long German text: a detector that reads only
    # the first 80 characters (the library's default) would say English.
    text = "Breaking: council closes bridge for repairs until spring " + (
        "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke bis zum Frühjahr zu schließen. " * 10)
    assert len(text) < SAMPLE_CHARACTERS and detect_language(text) == "de"


def test_a_language_a_page_declares_by_its_name_is_stored_as_its_code():
    # phillyvoice.com: <meta name="language" content="english">, no lang on <html>. Stored as
    # 'english', the story fell out of `export --language en`.
    from newsarchive.parsers import parse_page

    paragraphs = "".join(f"<p>Paragraph {n}: the council met on Tuesday and voted on the budget.</p>" for n in range(6))
    for meta, language in (("english", "en"), ("Deutsch", "de"), ("en-US", "en")):
        page = (f'<html><head><meta name="language" content="{meta}"><title>Budget vote</title></head>'
                f"<body><article><h1>Budget vote</h1>{paragraphs}</article></body></html>")
        article = parse_page("https://news.example/2024/01/10/budget-vote", page.encode())
        assert article.language == language, meta
    # A name nobody knows is no declaration: the language is read from the text.
    page = page.replace("en-US", "newspeak")
    assert parse_page("https://news.example/2024/01/10/budget-vote", page.encode()).language == "en"
