"""The headline as the page shows it: agreement between h1, metadata and <title>, site names cut.

Pure rules (newsarchive/parsers/titles.py) on strings, then whole pages we write through
parse_page (no profile), which also gives the layer the headline was taken from.
"""

from __future__ import annotations

import pytest

from newsarchive.parsers import parse_page
from newsarchive.parsers.titles import (
    agree,
    choose_title,
    clean_title,
    is_site_name,
    learn_site_names,
    strip_site_name,
)


@pytest.mark.parametrize("title, expected", [
    ("Rain in Spain | Daily Planet", "Rain in Spain"),
    ("Rain in Spain - Daily Planet", "Rain in Spain"),
    ("Rain in Spain – Daily Planet", "Rain in Spain"),
    ("Rain in Spain » Daily Planet", "Rain in Spain"),
    ("Rain in Spain |Daily Planet", "Rain in Spain"),
    ("Daily Planet: Rain in Spain", "Rain in Spain"),
    ("Daily Planet | Rain in Spain", "Rain in Spain"),
    ("Rain in Spain - Weather | Daily Planet", "Rain in Spain - Weather"),  # "Weather" is no site name
    ("Rain in Spain - dailyplanet.example", "Rain in Spain"),  # a bare domain always is
    ("Spain-Rain: all - and more", "Spain-Rain: all - and more"),  # no site name in it
])
def test_strip_site_name_cuts_only_a_known_site_name_at_a_separator(title, expected):
    assert strip_site_name(title, {"dailyplanet"}) == expected


def test_clean_title_decodes_entities_escaped_twice():
    assert clean_title("Rene &amp;#8211; Signa &amp;quot;now&amp;quot;") == 'Rene – Signa "now"'
    assert clean_title("   ") is None


def test_site_names_are_learned_from_what_one_title_adds_to_another():
    # og:title "Story" beside <title> "Story | Site": the site is "Site".
    assert learn_site_names(["Rain in Spain", "Rain in Spain | Daily Planet"], []) == {"dailyplanet"}
    # "Site: Story" beside "Story".
    assert learn_site_names(["Daily Planet: Rain in Spain", "Rain in Spain"], []) == {"dailyplanet"}
    # An h1 teaches the part after it only: a logo h1 "Daily Planet" makes no site of the story.
    assert learn_site_names(["Rain in Spain | Daily Planet"], ["Daily Planet"]) == set()
    assert learn_site_names(["Rain in Spain | Daily Planet"], ["Rain in Spain"]) == {"dailyplanet"}


def test_is_site_name_knows_domains_and_learned_names():
    assert is_site_name("http://www.example.com", set())
    assert is_site_name("Daily-Planet", {"dailyplanet"})
    assert not is_site_name("Rain in Spain", {"dailyplanet"})


@pytest.mark.parametrize("heading, other, expected", [
    ("Rain in Spain", "Rain in Spain", True),
    ("Oakhaven", "Oakhaven - Sights and attractions", True),  # one word, as a whole part of the title
    ("Rain", "Rain in Spain | Daily Planet", False),  # one word, inside a part
    ("Harbour Cafe", "Harbour CafeGuide to cafes | Guide to cafes", True),  # two words: a plain prefix
    ("Neue Brücke eröffnet", "Inland: Neue Brücke eröffnet", True),
    ("Der Regen in Spanien fällt auf die Ebene", "Spanien: Regen fällt auf Ebene", True),
    ("Home", "Home Office rules change", False),  # too short to say anything
    ("Weather", "Rain in Spain", False),
    ("Two words", "Two other words entirely", False),  # two shared words are not enough
])
def test_agree(heading, other, expected):
    assert agree(heading, other) is expected


def test_an_h1_agreeing_with_the_metadata_is_the_headline_as_shown():
    # The metadata's shortened headline and the page's own h1 name the same story: the h1 wins.
    assert choose_title(["Der Streit um die neue Brücke geht in die nächste Runde"],
                        ["Brücke: Streit geht in nächste Runde"], None, [], None) == \
        "Der Streit um die neue Brücke geht in die nächste Runde"
    # A kicker in the metadata ("Inland: ") is not part of the headline shown.
    assert choose_title(["Neue Brücke eröffnet"], ["Inland: Neue Brücke eröffnet"], None, [], None) == \
        "Neue Brücke eröffnet"
    # A short kicker inside the h1 before the metadata's headline: the headline.
    assert choose_title(["Wetterlage Regen fällt auf die Ebene"], ["Regen fällt auf die Ebene"],
                        None, [], None) == "Regen fällt auf die Ebene"


def test_the_most_trusted_title_decides_between_h1s():
    # A section h1 that agrees only with the <title> loses to the h1 agreeing with og:title.
    assert choose_title(["detail", "Local elections in the north"], ["Local elections in the north"],
                        "Museum - detail", [], None) == "Local elections in the north"


def test_without_an_agreeing_h1_the_metadata_then_the_h1_then_the_title():
    assert choose_title(["Newsletter"], ["Rain in Spain | Daily Planet"], None, ["Daily Planet"], None) == \
        "Rain in Spain"
    assert choose_title(["Rain in Spain"], [], "Something else entirely", [], None) == "Rain in Spain"
    # A <title> nothing confirms loses its short last part (most often the site's name).
    assert choose_title([], [], "Wie man Brot backt - Ein Forum", [], None) == "Wie man Brot backt"
    assert choose_title([], [], None, [], None) is None


def test_a_host_name_in_the_title_is_cut():
    assert choose_title([], ["Rain in Spain - Dailyplanet.example"], None, [], "www.dailyplanet.example") == \
        "Rain in Spain"
    assert choose_title([], ["Daily Planet | Rain in Spain"], None, [], "dailyplanet.example") == "Rain in Spain"


BODY = "".join(f"<p>Paragraph {n} of the report on the weather in Spain, long enough to be a paragraph of an "
               f"article that someone came to read.</p>" for n in range(6))


def article_page(head: str, before_body: str) -> bytes:
    return (f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{before_body}"
            f"<article><div class='entry-content'>{BODY}</div></article></body></html>").encode()


def test_a_logo_h1_is_no_headline_and_the_site_suffix_goes():
    page = article_page(
        "<title>Rain in Spain | Daily Planet</title>",
        "<header><h1 class='site-title'><a href='https://news.example/' rel='home'>Daily Planet</a></h1></header>"
        "<h1 class='entry-title'>Rain in Spain</h1>",
    )
    article = parse_page("https://news.example/2024/rain", page, kind="article")
    assert article.title == "Rain in Spain"
    assert article.sources["title"] == "markup"


def test_a_link_home_marks_a_logo_h1_without_a_logo_class():
    page = article_page("<title>Rain in Spain | Daily Planet</title>",
                        "<h1><a href='/'>Daily Planet</a></h1><h1>Rain in Spain</h1>")
    assert parse_page("https://news.example/2024/rain", page, kind="article").title == "Rain in Spain"


def test_og_title_with_the_site_name_yields_to_the_agreeing_h1():
    page = article_page(
        "<title>Rain in Spain - Daily Planet</title><meta property='og:title' content='Rain in Spain - Daily Planet'>"
        "<meta property='og:site_name' content='Daily Planet'>",
        "<h1>Rain in Spain</h1>",
    )
    article = parse_page("https://news.example/2024/rain", page, kind="article")
    assert article.title == "Rain in Spain"
    assert article.sources["title"] == "markup"  # no metadata layer gives it as it is


def test_the_article_headline_beats_the_web_page_name_in_json_ld():
    graph = ('{"@context": "https://schema.org", "@graph": ['
             '{"@type": "WebPage", "name": "Rain in Spain &amp;ndash; Daily Planet"},'
             '{"@type": "NewsArticle", "headline": "Rain in Spain"}]}')
    page = article_page(f"<title>Rain in Spain</title><script type='application/ld+json'>{graph}</script>", "")
    article = parse_page("https://news.example/2024/rain", page, kind="article")
    assert article.title == "Rain in Spain"
    assert article.sources["title"] == "jsonld"


def test_hidden_h1s_and_subtitles_are_not_the_headline():
    page = article_page(
        "<meta property='og:title' content='Rain in Spain'>",
        "<h1 class='sr-only'>Navigation</h1>"
        "<h1>Rain in Spain <small>Mainly on the plain, say forecasters</small></h1>",
    )
    article = parse_page("https://news.example/2024/rain", page, kind="article")
    assert article.title == "Rain in Spain"
    assert article.sources["title"] == "opengraph"


def test_a_kicker_that_the_metadata_puts_after_the_headline_is_not_part_of_it():
    # The h1 shows "Kicker Headline"; og:title says "Headline - Kicker": the site's own order
    # tells which part is the headline, whatever the <title> keeps.
    page = article_page(
        "<meta property='og:title' content='Data of an arms maker hacked - Internal papers online'>"
        "<title>Internal papers online: Data of an arms maker hacked | Daily Planet</title>",
        "<h1><span class='roofline'>Internal papers online</span> <span>Data of an arms maker hacked</span></h1>",
    )
    assert parse_page("https://news.example/2024/leak", page, kind="article").title == "Data of an arms maker hacked"
    # A long first part is no kicker: the h1 stays whole.
    page = article_page(
        "<meta property='og:title' content='Data of an arms maker hacked - Internal papers of the company found online'>",
        "<h1><span>Internal papers of the company found online</span> Data of an arms maker hacked</h1>",
    )
    assert parse_page("https://news.example/2024/leak", page, kind="article").title == \
        "Internal papers of the company found online Data of an arms maker hacked"


def test_an_h1_leading_up_to_a_folder_of_the_page_is_a_logo():
    # A blog archived under another address: its logo links to the blog's home, a folder above
    # the post; the <title>'s last part is then the site's name.
    url = "https://archive.example/web/2008/http://blog.example/2008/07/29/viral/"
    page = article_page("<title>What is viral marketing? | Dimi Blog</title>",
                        "<h1><a href='https://archive.example/web/2008/http://blog.example/'>Dimi Blog</a></h1>")
    assert parse_page(url, page, kind="article").title == "What is viral marketing?"
    # A link to the page itself, or to a page beside it, is no way up.
    for href in [url, "https://archive.example/web/2008/http://blog.example/2008/07/29/other/"]:
        page = article_page("<title>Dimi Blog</title>", f"<h1><a href='{href}'>What is viral marketing?</a></h1>")
        assert parse_page(url, page, kind="article").title == "What is viral marketing?"


def test_an_old_blog_themes_headline_is_the_title_part_an_h2_shows():
    page = article_page(
        "<title>Four Years Remaining &raquo; Blog Archive &raquo; Interning of Small Integers</title>",
        "<h1><a href='https://blog.example/'>Four Years Remaining</a></h1><h2>Archives</h2>"
        "<h2><a href='https://blog.example/2019/10/21/interning/' rel='bookmark'>Interning of Small Integers</a></h2>",
    )
    assert parse_page("https://blog.example/2019/10/21/interning/", page, kind="article").title == \
        "Interning of Small Integers"
    # The part shown may be the last.
    page = article_page("<title>Four Years &raquo; Small Integers</title>", "<h2>Small Integers</h2>")
    assert parse_page("https://blog.example/2019/10/21/interning/", page, kind="article").title == "Small Integers"
    # No h2 shows a part: the <title> less its last part, as before.
    page = article_page("<title>Small Integers - Four Years</title>", "<h2>Archives</h2>")
    assert parse_page("https://blog.example/2019/10/21/interning/", page, kind="article").title == "Small Integers"


@pytest.mark.parametrize("head, body, expected", [
    # The h1 is the blog's name (no link says so); the story's headline an h3 that begins the <title>,
    # before a colon and the blog's parts.
    ("<title>The river rose in the night :  River Blog | Notes from the valley | Since 2005</title>",
     "<h1>River Blog</h1><h3>The river rose in the night</h3>", "The river rose in the night"),
    ("<title>The river rose in the night - River Blog</title>",
     "<h1>River Blog</h1><h2>The river rose in the night</h2>", "The river rose in the night"),
    # A short heading is a section's name, not the story's, even at the start of the <title>.
    ("<title>Local news: the river rose in the night | River Blog</title>",
     "<h1>River Blog</h1><h2>Local news</h2>", "Local news: the river rose in the night"),
    # A heading that only begins the <title>'s first words, not up to a mark, is another one's.
    ("<title>The river rose in the night again | River Blog</title>",
     "<h1>River Blog</h1><h3>The river rose in the night</h3>", "The river rose in the night again"),
])
def test_a_lesser_heading_that_begins_the_title_is_the_headline_under_a_sites_h1(head, body, expected):
    page = article_page(head, body)
    assert parse_page("https://riverblog.example/?p=2895", page, kind="article").title == expected


def test_a_pages_only_h1_a_sentence_long_is_the_headline_against_an_seo_title():
    seo = "<meta property='og:title' content='Best cat toys 2022 - Comparison'><title>Best cat toys 2022</title>"
    page = article_page(seo, "<h1>Buying guide: toys that keep a cat busy</h1>")
    assert parse_page("https://pets.example/cat-toys/", page, kind="article").title == "Buying guide: toys that keep a cat busy"
    # Three words may name a section; of two h1s, one may be a teaser's: the metadata is trusted.
    page = article_page(seo, "<h1>Toys that keep cats</h1>")  # four words
    assert parse_page("https://pets.example/cat-toys/", page, kind="article").title == "Toys that keep cats"
    page = article_page(seo, "<h1>Pets and toys</h1>")
    assert parse_page("https://pets.example/cat-toys/", page, kind="article").title == "Best cat toys 2022"
    page = article_page(seo, "<h1>Buying guide: toys that keep a cat busy</h1><h1>Our newsletter for cat owners</h1>")
    assert parse_page("https://pets.example/cat-toys/", page, kind="article").title == "Best cat toys 2022"


def test_a_kicker_at_the_start_of_an_h1_stays_part_of_the_headline():
    page = article_page(
        "<meta property='og:title' content='Tubeless tyres: step by step, made easy'>",
        "<h1><span class='article-subtitle'>Tubeless tyres</span> step by step, made easy</h1>",
    )
    assert parse_page("https://news.example/2024/tyres", page, kind="article").title == \
        "Tubeless tyres step by step, made easy"


def test_a_kicker_the_h1_sets_apart_is_not_part_of_the_headline_nor_of_the_body():
    # Kicker and headline each in an element of their own, a separator between them: the headline
    # alone, though the metadata's title keeps the kicker; the story, whose first block repeated the
    # whole h1, does not begin with it either.
    h1 = ("<h1><span class='topline'>Floods and storms</span><span aria-hidden='true'> – </span>"
          "<span class='headline'>How the river rose in the night</span></h1>")
    page = (f"<!DOCTYPE html><html lang='en'><head><meta property='og:title' content='Floods and storms – How the "
            f"river rose in the night'></head><body><article>{h1}{BODY}</article></body></html>").encode()
    article = parse_page("https://news.example/2024/river", page, kind="article")
    assert article.title == "How the river rose in the night"
    assert article.sources["title"] == "markup"  # not the metadata's title, which holds the kicker
    assert article.body_blocks[0].text.startswith("Paragraph 0 of the report")


@pytest.mark.parametrize("h1, expected", [
    # set apart by its class, or by a separator, or by a separator it ends with
    ("<h1><span class='kicker'>Storms</span> <span>How the river rose</span></h1>", "How the river rose"),
    ("<h1><span>Storms</span><span>: </span><span>How the river rose</span></h1>", "How the river rose"),
    ("<h1><b>Local News |</b> <span>How the river rose in the night</span></h1>", "How the river rose in the night"),
    # four words at most, and a headline at least as long
    ("<h1><span class='k'>Floods and other storms</span> <span>The river rose</span></h1>",
     "Floods and other storms The river rose"),
    ("<h1><span class='k'>Floods and other storms</span> <span>How the river rose</span></h1>", "How the river rose"),
    ("<h1><span class='k'>Floods and some other storms</span> <span>How the river rose at night</span></h1>",
     "Floods and some other storms How the river rose at night"),
    ("<h1><span class='k'>Floods and other storms</span> <span>River rose</span></h1>",
     "Floods and other storms River rose"),
    # nothing sets the first part apart: one line of two spans
    ("<h1><span>Rain</span> <span>in Spain today</span></h1>", "Rain in Spain today"),
    # the headline runs on in the h1's own text, or the h1 holds text before its parts
    ("<h1><span class='k'>Tubeless tyres</span> step by step, made easy</h1>", "Tubeless tyres step by step, made easy"),
    ("<h1>Report: <span class='k'>Storms</span> <span>How the river rose</span></h1>",
     "Report: Storms How the river rose"),
    ("<h1><span class='k'>Storms</span> hit <span>the river and the town</span></h1>",
     "Storms hit the river and the town"),
    # a word in each span (an effect), not a kicker and its headline
    ("<h1><span class='w'>How</span> <span class='w'>the</span> <span class='w'>river</span> <span class='w'>rose</span></h1>",
     "How the river rose"),
])
def test_only_a_short_kicker_set_apart_in_its_own_element_leaves_the_headline(h1, expected):
    from lxml import html

    from newsarchive.parsers.article import _shown_headline

    assert _shown_headline(html.fromstring(h1)) == expected
