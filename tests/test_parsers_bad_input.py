"""Bad pages give an empty result or a typed error naming the page, never an unhandled exception."""

from pathlib import Path

import pytest

from newsarchive.items import Article
from newsarchive.parsers import EmptyPageError, NotHtmlError, ParseError, parse_page

SAMPLE = Path(__file__).parent / "fixtures" / "diyaruna" / "sample-article-en" / "page.html"
URL = "https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03"


@pytest.mark.parametrize("body, error", [
    (b"", EmptyPageError),
    (b"   \n\t ", EmptyPageError),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", NotHtmlError),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NotHtmlError),
    (b"just some plain text, no markup at all", NotHtmlError),
    (bytes(range(256)) * 10, NotHtmlError),
])
def test_non_pages_raise_a_typed_error_naming_the_page(body, error):
    with pytest.raises(error) as raised:
        parse_page(URL, body)
    assert isinstance(raised.value, ParseError)
    assert raised.value.url == URL
    assert str(raised.value).startswith(URL)


def test_a_truncated_page_still_yields_what_it_has():
    body = SAMPLE.read_bytes()
    cut = body[: body.index(b"'Shared enemy'")]  # cut off in the middle of the body
    article = parse_page(URL, cut)
    assert article.title == "Iraqi forces, Peshmerga increase co-operation against ISIS"
    assert article.authors[0].name == "Khalid al-Taie"
    assert article.body_blocks[0].text.startswith("Iraqi and Kurdish forces will carry out")
    assert article.comments == []


def test_a_page_with_no_article_gives_an_empty_record():
    article = parse_page(URL, b"<html><head><title></title></head><body><div></div></body></html>")
    assert isinstance(article, Article)
    assert article.title is None and article.body_text is None and article.authors == []
    assert article.published_at == "2019-02-26" and article.sources["published_at"] == "url"


def test_malformed_markup_is_parsed_leniently():
    body = b'<html><body><h1 class="article__title">Unclosed <b>title</h1><div class="article__content"><p class="article__p">One<p class="article__p">Two</div>'
    article = parse_page(URL, body)
    assert article.title == "Unclosed title"
    assert [block.text for block in article.body_blocks] == ["One", "Two"]


def test_a_printed_date_that_disagrees_with_the_url_is_kept_and_flagged():
    body = SAMPLE.read_bytes().replace(b'<p class="article__date">2019-02-26</p>', b'<p class="article__date">2019-02-25</p>')
    article = parse_page(URL, body)
    assert article.published_at == "2019-02-25"
    assert article.warnings == ["published_at: the page says 2019-02-25, the URL says 2019-02-26"]


def test_an_unreadable_printed_date_falls_back_to_the_url():
    body = SAMPLE.read_bytes().replace(b'<p class="article__date">2019-02-26</p>', b'<p class="article__date">sometime</p>')
    article = parse_page(URL, body)
    assert (article.published_at, article.published_at_raw, article.sources["published_at"]) == ("2019-02-26", "sometime", "url")


def test_the_label_of_an_ad_among_a_profiled_storys_paragraphs_is_no_paragraph():
    body = SAMPLE.read_bytes()
    first = body.index(b'<p class="article__p">')
    labelled = body[:first] + '<p class="article__p">Advertisement</p><p class="article__p">إعلان</p>'.encode() + body[first:]
    assert parse_page(URL, labelled).body_blocks == parse_page(URL, body).body_blocks


@pytest.mark.parametrize(("printed", "published", "raw"), [
    # The day printed, its time of day in a <time datetime> inside: it was read as the day alone.
    ('<p class="article__date"><time datetime="2019-02-26T10:30:00+03:00">26 February 2019</time></p>',
     "2019-02-26T07:30:00Z", "26 February 2019"),
    ('<p class="article__date"><time datetime="2019-02-26">26 February 2019</time></p>', "2019-02-26", "26 February 2019"),
    # A datetime no reader reads: the day printed.
    ('<p class="article__date"><time datetime="soon">2019-02-26</time></p>', "2019-02-26", "2019-02-26"),
])
def test_a_printed_date_is_read_by_its_machine_readable_time_where_it_has_one(printed, published, raw):
    body = SAMPLE.read_bytes().replace(b'<p class="article__date">2019-02-26</p>', printed.encode())
    article = parse_page(URL, body)
    assert (article.published_at, article.published_at_raw, article.sources["published_at"]) == (published, raw, "profile")
    assert article.warnings == []


@pytest.mark.parametrize("href", [
    "https://news.example: Headline with spaces/",  # a port that is no number
    "http://[::1/broken",  # an unclosed IPv6 host
    "https://news.example:99999999/",  # a port out of range
])
def test_a_link_no_url_parser_reads_is_skipped_not_fatal(href):
    from newsarchive.items import Listing
    from newsarchive.parsers.urls import canonicalise_url

    assert canonicalise_url(href) is None
    links = "".join(f"<p><a href='/read/{n}/'>Story number {n} of the day</a></p>" for n in range(12))
    page = (f"<html lang='en'><body><main>{links}<p><a href='{href}'>Odd link</a></p></main></body></html>")
    listing = parse_page("https://news.example/news/", page.encode())
    assert isinstance(listing, Listing)
    assert [link.url for link in listing.links] == [f"https://news.example/read/{n}/" for n in range(12)]


# A story on a site with no profile: the generic layers read it.
STORY = ("<html><head><title>Harbour works begin</title>{head}</head><body>{lead}<article><h1>Harbour works begin</h1>"
         + "".join(f"<p>Paragraph {n} of the story on the harbour works, long enough to be read as prose.</p>"
                   for n in range(5)) + "</article>{tail}</body></html>")
STORY_URL = "https://news.example/2024/05/01/harbour-works-begin"


@pytest.mark.parametrize("head, lead, element", [
    ("<script>var config = {main: '/client.js'};", "", "script"),  # the end tag eaten in the head
    ("<script>start()</script><script>var config = 1;", "", "script"),  # after one that is closed
    ("", "<div class='ad'><style>.ad {color: red}", "style"),  # in the body, before the story
    ("", "<form><textarea name='reply'>", "textarea"),
])
def test_an_element_left_unclosed_no_longer_hides_the_rest_of_the_page(head, lead, element):
    """A <script>, <style> or <textarea> without its end tag swallows the rest of the page (a browser
    shows it blank); the page is read as if its start tag were not there, and the article says so."""
    page = STORY.format(head=head, lead=lead, tail="")
    article = parse_page(STORY_URL, page.encode())
    assert article.title == "Harbour works begin"
    assert article.body_text.startswith("Paragraph 0 of the story") and article.body_text.endswith("read as prose.")
    unclosed = page.rindex("<" + element)
    assert article.warnings == [f"markup: the page's <{element}> element at character {unclosed} "
                                "has no end tag and hid the rest of the page: read without its start tag"]


@pytest.mark.parametrize("tail", [
    "<script>document.write('</div>');</script>",  # closed, holding an end tag
    "<script>var cut = 'the page was cut off here",  # unclosed, but it hides nothing
])
def test_a_last_script_that_hides_nothing_is_left_as_it_is(tail):
    article = parse_page(STORY_URL, STORY.format(head="", lead="", tail=tail).encode())
    assert article.body_text.endswith("read as prose.") and article.warnings == []


@pytest.mark.parametrize("unclosed", ["<font color='red'>", "<div class='item'>", "<b>", "<span>"])
@pytest.mark.parametrize("times", [255, 400, 2000])
def test_a_story_after_hundreds_of_unclosed_elements_is_read(unclosed, times):
    """Markup that opens an element again and again without closing it nests each one in the last;
    libxml2 stops reading at the 256th level by default and dropped the rest of the page, story
    and all, without a word. Browsers read on, and so do the parsers, to 2048 levels."""
    article = parse_page(STORY_URL, STORY.format(head="", lead=unclosed * times, tail="").encode())
    assert article.title == "Harbour works begin"
    assert article.body_text.startswith("Paragraph 0 of the story") and article.body_text.endswith("read as prose.")
    assert article.warnings == []


def test_a_page_nested_deeper_than_the_parser_reads_says_where_reading_stopped():
    lead = "<p>The council met on Tuesday to plan the works on the harbour wall and the quay.</p>"
    page = STORY.format(head="", lead=lead + "\n" + "<div>\n" * 3000, tail="")
    article = parse_page(STORY_URL, page.encode())
    assert article.body_text == "The council met on Tuesday to plan the works on the harbour wall and the quay."
    # <div> number k stands on line k + 1; <html> and <body> are the first two of the 2048 levels
    # read, the first 2046 <div> the others, and the 2047th, on line 2048, is one too deep.
    assert article.warnings == ["markup: the parser stopped reading the page at line 2048 "
                                "(Excessive depth in document: 2048): what follows is missing"]


# Half an emoji, as a site that cut its JSON-LD strings in UTF-16 units sends it: "\ud83d" alone.
HALF_EMOJI_JSONLD = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Flood \\ud83d news", '
                     '"author": {"@type": "Person", "name": "Ann Lee \\udc00"}, "datePublished": "2024-05-02"}</script>')


def test_half_an_emoji_in_json_ld_is_a_replacement_character_not_a_parse_error():
    prose = "".join(f"<p>Paragraph {k} of the story on the river and the bridge works.</p>" for k in range(4))
    page = f"<html><head>{HALF_EMOJI_JSONLD}</head><body><article>{prose}</article></body></html>"
    article = parse_page("https://news.example/2024/05/02/flood", page.encode())
    assert (article.title, [author.name for author in article.authors]) == ("Flood \ufffd news", ["Ann Lee \ufffd"])
    assert article.language == "en"  # the detector, which refused the half, read the story
    article.title.encode("utf-8")  # what SQLite and every export do with it


def test_half_an_emoji_in_a_json_feed_is_a_replacement_character():
    from newsarchive.parsers.discovery import parse_feed

    feed = b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "https://news.example/a\\ud83d"}]}'
    assert [link.url for link in parse_feed(feed)] == ["https://news.example/a\ufffd"]


@pytest.mark.parametrize("empty_date", [
    "0001-01-01T00:00:00+03:00",  # .NET's empty date in a zone east of UTC: before year 1 in UTC
    "9999-12-31T23:59:59-05:00",  # its largest, west of UTC: after year 9999
])
def test_a_date_utc_cannot_hold_is_no_date_not_a_parse_error(empty_date):
    prose = "".join(f"<p>Paragraph {k} of the story on the river and the bridge works.</p>" for k in range(4))
    page = (f'<html><head><meta property="article:published_time" content="{empty_date}"></head><body><article>'
            f'<h1>Flood</h1>{prose}</article></body></html>')
    article = parse_page("https://news.example/news/flood-at-the-bridge", page.encode())
    assert (article.title, article.published_at) == ("Flood", None)


@pytest.mark.parametrize("headline", ["T" * 200_000, "Flood " * 40_000])
def test_a_long_headline_without_digits_parses_within_the_time_limit(headline):
    # The words before a date element were cut at their last digit by r".*\d", which backtracked
    # from every position of a text without one: 8 s for a headline of 40,000 characters, and a
    # page of 200,000 lost to the parse time limit (minutes), now a tenth of a second.
    from newsarchive.workers import ParseJob, run_job

    prose = "".join(f"<p>Paragraph {k} of the story on the river and the bridge works.</p>" for k in range(4))
    page = (f'<html lang="en"><head><title>{headline}</title>'
            '<meta property="article:published_time" content="2024-05-01T10:00:00Z"></head><body><article>'
            f'<h1>{headline}</h1><div class="byline">By Ann Lee</div><time datetime="2024-05-01">May 1, 2024</time>'
            f'{prose}</article></body></html>')
    job = ParseJob("https://news.example/news/2024/05/01/flood", page.encode(), "text/html", "article")
    article = run_job("newsarchive.parsers.parse_page", job, time_limit=20)
    assert isinstance(article, Article), article
    assert article.published_at.startswith("2024-05-01")
    assert "Paragraph 3 of the story" in article.body_text
