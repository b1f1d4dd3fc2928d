"""Soft hyphens and zero-width spaces, which pages put in long words so that browsers may break
them, are layout, not text: a researcher searching the archive for "Magdalener" must find the
article whose page wrote "Mag&shy;da&shy;le&shy;ner", and its headline, byline and body must read
as the page shows them."""

from __future__ import annotations

from newsarchive.archive import open_archive
from newsarchive.archive.store import start_crawl, store_article
from newsarchive.parsers import parse_page
from newsarchive.parsers.text import normalise_text
from newsarchive.research.search import SearchFilters, search

PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Wein</title></head><body>
<article>
  <h1>St. Mag&shy;da&shy;le&shy;ner im Glas</h1>
  <p class="byline">Von <span class="author">Anna Bau&shy;mann</span></p>
  <p>An den H&auml;ngen oberhalb Bozens wachsen Weine, die mit Finesse &uuml;berzeugen. Der St. Mag&shy;da&shy;le&shy;ner
     ist einer von ihnen, und er war schon im Mittelalter ein gesuchter Wein der Stadt.</p>
  <p>Die Winzer&#8203;genossenschaft keltert ihn seit hundert Jahren, aus Vernatsch und etwas Lagrein,
     und verkauft ihn in die ganze Welt; die Nachfrage ist in den letzten Jahren stark gestiegen.</p>
  <p>Im Glas zeigt er sich hell und fruchtig, mit einem Duft von Kirschen und Mandeln, der lange bleibt.</p>
</article></body></html>"""


def parsed():
    return parse_page("https://wein.example/2026/03/magdalener", PAGE.encode(), content_type="text/html; charset=utf-8")


def test_headline_byline_and_body_read_without_the_invisible_characters():
    article = parsed()
    assert article.title == "St. Magdalener im Glas"
    assert [author.name for author in article.authors] == ["Anna Baumann"]
    assert "Der St. Magdalener ist einer von ihnen" in article.body_text
    assert "Die Winzergenossenschaft keltert ihn" in article.body_text
    assert not any(character in article.body_text for character in "\u00ad\u200b")


def test_search_finds_the_word_the_page_hyphenated(tmp_path):
    path = tmp_path / "archive.db"
    archive = open_archive(path)
    with archive.write() as db:
        crawl_id = start_crawl(db, None, "generic", {}, "2026-03-01T00:00:00Z")
        store_article(db, parsed(), crawl_id, "2026-03-01T00:00:00Z")
    hits = search(archive.conn, "Magdalener", filters=SearchFilters(limit=10))
    assert [hit["title"] for hit in hits] == ["St. Magdalener im Glas"]
    assert len(search(archive.conn, "Winzergenossenschaft", filters=SearchFilters(limit=10))) == 1
    archive.close()


STORY = " ".join(["A paragraph of plain prose about the border crossing and the reconstruction work there."] * 5)


def control_page(head: str = "", in_story: str = "", headline: str = "<h1>A story</h1>") -> bytes:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>A story</title>{head}</head><body>"
            f"<article>{headline}<p>{STORY}</p><p>Second paragraph{in_story} here. {STORY}</p></article>"
            "</body></html>").encode()


def test_a_control_character_in_the_story_costs_neither_the_body_nor_a_character_of_text():
    # One &#7; anywhere in the story made trafilatura discard the page: no body, a failure.
    clean = parse_page("https://news.example/2024/03/story", control_page())
    for control in ("&#7;", "&#x1B;", "&#x0e;", "\x07", "&#127;"):
        article = parse_page("https://news.example/2024/03/story", control_page(in_story=control))
        assert article.body_text == clean.body_text and article.body_text.count("Second paragraph here.") == 1, control
    newline = parse_page("https://news.example/2024/03/story", control_page(in_story="&#10;&#9;"))
    assert "Second paragraph here." in newline.body_text  # whitespace references are whitespace


def test_terminal_control_sequences_in_metadata_are_not_stored():
    # A headline that would set a terminal's title when `search` printed it (ESC ] 0; ... BEL).
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
            '"Headline \\u001b]0;pwned\\u0007 \\u001b[2Jhidden", "author": {"@type": "Person", "name": '
            '"Ana\\u001b[8m Ruiz"}}</script>')
    article = parse_page("https://news.example/2024/03/story", control_page(head=head, headline=""))
    assert article.title == "Headline ]0;pwned [2Jhidden"
    assert [author.name for author in article.authors] == ["Ana[8m Ruiz"]


def test_search_by_author_is_in_any_case_in_every_script(tmp_path):
    # SQLite's NOCASE folds ASCII only: "иван петров" found nothing by "Иван Петров".
    from newsarchive.items import Article, Byline, Comment

    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, None, "generic", {}, "2026-03-01T00:00:00Z")
        for number, name in enumerate(("Иван Петров", "Émile Zoé", "Ivan Petrov")):
            url = f"https://news.example/{number}"
            store_article(db, Article(url=url, canonical_url=url, title=f"Story {number}", body_text=f"Bridges {number}.",
                                      authors=[Byline(name=name, name_raw=name, position=0)],
                                      comments=[Comment(body_text=f"Bridges again {number}.", position=0, author_name=name)]),
                          crawl_id, "2026-03-01T00:00:00Z")
    for asked, title in (("иван петров", "Story 0"), ("ИВАН ПЕТРОВ", "Story 0"), ("émile zoé", "Story 1"),
                         ("ivan PETROV", "Story 2")):
        for target in ("articles", "comments"):
            hits = search(archive.conn, "bridges", target, SearchFilters(author=asked))
            assert [hit["title"] for hit in hits] == [title], (asked, target)
    assert search(archive.conn, "bridges", filters=SearchFilters(author="Иван")) == []  # the whole name
    archive.close()


def test_control_characters_are_dropped_from_a_text_that_is_not_ascii():
    # The ASCII-only cases above take normalise_text's other branch: a headline with an accented
    # letter kept its ESC and BEL.
    assert normalise_text("Café" + chr(27) + "]0;pwned" + chr(7) + " à Genève" + chr(127)) == "Café]0;pwned à Genève"
    assert normalise_text("Иван" + chr(27) + "[8m Петров") == "Иван[8m Петров"



def test_zero_width_joiners_and_non_joiners_are_text_in_the_body_of_any_site(tmp_path):
    # They are spelling, not layout: Persian writes "می‌خواهم" (I want) with a non-joiner, and an
    # emoji family is its people joined. trafilatura, which reads any site's body, dropped both:
    # the body said "میخواهم", and search for the word as the page writes it found nothing.
    want, library, family = "می\u200cخواهم", "کتاب\u200cها", "👨\u200d👩\u200d👧"
    sentences = [f"من {want} به {library} بروم و کتاب بخوانم، امروز صبح زود.",
                 f"این جمله دوم است و {library} کتاب\u200cخانه شهر بزرگ است. {family}",
                 "جمله سوم درباره شهر است و مردم آن که هر روز به کتابخانه می‌روند."]
    references = {"raw": ("\u200c", "\u200d"), "named": ("&zwnj;", "&zwj;"), "decimal": ("&#8204;", "&#8205;"),
                  "hex": ("&#x200c;", "&#x200D;"), "HEX": ("&#X200C;", "&#X200D;")}
    for written, (non_joiner, joiner) in references.items():
        body = "".join(f"<p>{sentence}</p>" for sentence in sentences * 3)
        body = body.replace("\u200c", non_joiner).replace("\u200d", joiner)
        page = (f'<html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>کتابخانه</title></head>'
                f"<body><div class='main'>{body}</div></body></html>")
        article = parse_page("https://fa.example/2026/03/library", page.encode())
        assert article.sources["body_text"] == "generic", written
        assert want in article.body_text and library in article.body_text and family in article.body_text, written
        # A word the page writes both ways (کتاب‌خانه in the second sentence, کتابخانه in the third):
        # which occurrence is which cannot be told; none gets a non-joiner it may not have.
        assert "کتابخانه می\u200cروند" in article.body_text and "کتاب\u200cخانه" not in article.body_text
