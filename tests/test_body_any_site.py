"""Body rules that hold on any news site (issue 14, body target): the standfirst the page's
description repeats, kept though it stands outside the text container; lists of links that lead
away from the story, dropped. Pages and blocks written here; the real parser and trafilatura."""

from __future__ import annotations

import json

import lxml.html
import pytest

from newsarchive.items import BodyBlock, Layer, Link
from newsarchive.parsers import generic, parse_page
from newsarchive.parsers.boilerplate import (
    before_comments,
    without_colophon,
    without_link_lists,
    without_more_stories,
    without_reader_appeals,
)

URL = "https://news.example/city/2024/05/bridge-closes"
LEAD = "The council voted on Tuesday to close the old river bridge for two years of repairs."
STORY = [
    "The vote followed a survey by the city's engineers, who found cracks in three of the five arches "
    "of the bridge and rust on most of the steel ties that hold the deck in place.",
    "Drivers will have to use the ring road, which adds about ten minutes to a crossing at rush hour, "
    "and the buses of lines 4 and 7 will follow the same detour until the works end.",
    "Shop owners on the old town side said they feared losing customers, and asked the council for a "
    "footbridge; the mayor said one would open in the autumn, before the winter markets.",
    "The works will cost 38 million euros, of which the region pays half, and are due to start in June "
    "once the last permits from the river authority have been signed.",
    "Residents can send their questions to the council until the end of May, and a public meeting will "
    "be held in the town hall on the second Monday of June at seven in the evening.",
]


def page(head: str = "", header: str = "", story: str = "", after: str = "") -> bytes:
    paragraphs = story or "".join(f"<p>{text}</p>" for text in STORY)
    return (f"<html lang='en'><head><meta charset='utf-8'><title>Bridge closes</title>{head}</head><body>"
            f"<nav><a href='/'>Home</a> <a href='/city'>City</a></nav>"
            f"<main><header><h1>Bridge closes for two years</h1>{header}</header>"
            f"<article><div class='story-text'>{paragraphs}{after}</div></article></main>"
            f"<footer><p>© News Example</p></footer></body></html>").encode()


DESCRIPTION = f'<meta name="description" content="{LEAD}">'


def body_texts(html: bytes) -> list[str]:
    return [block.text for block in parse_page(URL, html, kind="article").body_blocks]


# The standfirst ------------------------------------------------------------------------------


def test_the_lead_under_the_headline_that_the_description_repeats_opens_the_body():
    html = page(head=DESCRIPTION, header=f"<p class='intro'>{LEAD}</p>")
    # The lead stands outside the story's container, where trafilatura does not look.
    assert [b.text for b in generic.extract_body_and_comments(lxml.html.fromstring(html), URL).body] == STORY
    assert body_texts(html) == [LEAD, *STORY]


def test_the_lead_is_kept_whole_when_the_description_is_cut_short():
    cut = LEAD[:60] + "..."
    html = page(head=f'<meta property="og:description" content="{cut}">', header=f"<p>{LEAD}</p>")
    assert body_texts(html) == [LEAD, *STORY]


def test_an_articlebody_from_json_ld_gets_the_lead_the_page_shows():
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Bridge closes for two years",
            "articleBody": "\n".join(STORY)}
    head = DESCRIPTION + f'<script type="application/ld+json">{json.dumps(data)}</script>'
    article = parse_page(URL, page(head=head, header=f"<p>{LEAD}</p>"), kind="article")
    assert article.sources["body_text"] == Layer.JSONLD
    assert [block.text for block in article.body_blocks] == [LEAD, *STORY]


def test_no_lead_without_a_description_or_when_it_is_only_the_sites_tagline_above_the_headline():
    assert body_texts(page(header=f"<p>{LEAD}</p>")) == STORY
    tagline_above = page(head=DESCRIPTION).replace(b"<nav>", f"<div class='brand'><p>{LEAD}</p></div><nav>".encode())
    assert body_texts(tagline_above) == STORY


def test_a_lead_whose_tag_is_never_closed_is_its_own_text_not_the_page_it_swallowed():
    # <h2>Lead</h3>: the parser keeps the h2 open, and the blocks after it fall inside it.
    paragraphs = "".join(f"<p>{text}</p>" for text in STORY)
    html = page(head=DESCRIPTION, story=f"<h2 class='excerpt'>{LEAD}</h3><div class='ad'></div><div>{paragraphs}</div>")
    assert len(lxml.html.fromstring(html).find(".//h2").text_content()) > 900  # the page inside the lead
    assert body_texts(html) == [LEAD, *STORY]
    # A lead with a link inside is still read whole.
    linked = LEAD.replace("old river bridge", "old <a href='/bridge'>river bridge</a>")
    assert body_texts(page(head=DESCRIPTION, header=f"<h2>{linked}</h2>")) == [LEAD, *STORY]


def test_a_lead_is_read_by_its_block_whole_and_only_a_lead_length_long():
    # The description opens inside a span: the lead is the paragraph that holds it, kicker and all.
    html = page(head=DESCRIPTION, header=f"<p class='intro'><b>Live:</b> <span>{LEAD}</span></p>")
    assert body_texts(html) == [f"Live: {LEAD}", *STORY]
    # A block of 1,001 characters that opens as the description is no lead; 1,000 is.
    for length, lead_kept in [(1000, True), (1001, False)]:
        long_lead = (LEAD + " More words of the lead." * 50)[:length]
        html = page(head=DESCRIPTION, header=f"<p class='intro'>{long_lead}</p>")
        assert body_texts(html) == ([long_lead] if lead_kept else []) + STORY


def test_a_description_that_is_the_first_paragraph_is_not_doubled():
    html = page(head=f'<meta name="description" content="{STORY[0][:80]}">')
    assert body_texts(html) == STORY


def test_a_description_shown_in_an_aside_is_no_lead():
    html = page(head=DESCRIPTION, header=f"<aside><p>{LEAD}</p></aside>")
    assert body_texts(html) == STORY


def test_with_standfirst_needs_the_lead_before_the_bodys_first_line():
    root = lxml.html.fromstring(page(head=DESCRIPTION, after=f"<p>{LEAD}</p>"))
    blocks = [BodyBlock("paragraph", text) for text in STORY]
    assert generic.with_standfirst(root, blocks) == blocks


# Lists of links that lead away ----------------------------------------------------------------

# Teasers of other stories: headlines long enough that trafilatura keeps them as lines of text.
TEASERS = [("/city/2024/04/ring-road", "Ring road to get a third lane after years of traffic jams at the northern junction"),
           ("/city/2024/03/markets", "Winter markets move to the harbour while the old square is rebuilt for the summer")]
TEASER_LINES = "".join(f"<p><a href='{href}'>{text}</a></p>" for href, text in TEASERS)


def test_a_read_more_list_at_the_end_of_the_story_is_dropped():
    html = page(after=f"<p><strong>Read more:</strong></p>{TEASER_LINES}")
    # trafilatura keeps the list: the rule is what takes it out.
    trafilatura_lines = [b.text for b in generic.extract_body_and_comments(lxml.html.fromstring(html), URL).body]
    assert trafilatura_lines == [*STORY, "Read more:", *(text for _, text in TEASERS)]
    assert body_texts(html) == STORY


def test_a_last_label_whose_list_trafilatura_dropped_is_dropped_too():
    short_teasers = "".join(f"<li><a href='{href}'>{text[:30]}</a></li>" for href, text in TEASERS)
    html = page(after=f"<p>More from the city:</p><ul>{short_teasers}</ul>")
    trafilatura_lines = [b.text for b in generic.extract_body_and_comments(lxml.html.fromstring(html), URL).body]
    assert trafilatura_lines == [*STORY, "More from the city:"]
    assert body_texts(html) == STORY


def test_a_labelled_list_of_links_inside_the_story_is_dropped_and_the_story_around_it_kept():
    blocks = [BodyBlock("paragraph", STORY[0]), BodyBlock("heading", "Related"),
              *(BodyBlock("list_item", f"- {text}", [Link(f"https://news.example{href}", text)]) for href, text in TEASERS),
              BodyBlock("paragraph", STORY[1])]
    assert [block.text for block in without_link_lists(blocks)] == [STORY[0], STORY[1]]


def test_links_without_a_label_one_link_line_inside_and_a_source_list_of_urls_stay():
    teaser = BodyBlock("paragraph", "Ring road to get a third lane", [Link("https://news.example/r", "Ring road to get a third lane")])
    unlabelled = [BodyBlock("paragraph", STORY[0]), teaser, teaser, BodyBlock("paragraph", STORY[1])]
    assert without_link_lists(unlabelled) == unlabelled
    one_inside = [BodyBlock("paragraph", STORY[0]), BodyBlock("paragraph", "See also:"), teaser, BodyBlock("paragraph", STORY[1])]
    assert without_link_lists(one_inside) == one_inside
    url = "https://stats.example/bridges.csv"
    sources = [BodyBlock("paragraph", STORY[0]), BodyBlock("paragraph", "Sources:"),
               BodyBlock("list_item", f"- {url}", [Link(url, url)])]
    assert without_link_lists(sources) == sources


def test_a_last_heading_or_label_that_introduces_nothing_is_dropped():
    blocks = [BodyBlock("paragraph", STORY[0]), BodyBlock("paragraph", STORY[1]),
              BodyBlock("paragraph", "More stories from the city:")]
    assert [block.text for block in without_link_lists(blocks)] == STORY[:2]
    blocks = [BodyBlock("paragraph", STORY[0]), BodyBlock("heading", "Top stories")]
    assert [block.text for block in without_link_lists(blocks)] == STORY[:1]


def test_the_labels_over_a_last_list_of_links_go_with_it_but_never_the_whole_body():
    link = BodyBlock("paragraph", "Winter markets move to the harbour", [Link("https://news.example/m", "Winter markets move to the harbour")])
    blocks = [BodyBlock("paragraph", STORY[0]), BodyBlock("paragraph", "Follow us"), BodyBlock("paragraph", "Already read?"), link]
    assert [block.text for block in without_link_lists(blocks)] == STORY[:1]
    assert without_link_lists([link, link]) == [link, link]
    assert without_link_lists([BodyBlock("heading", "Top stories")]) == [BodyBlock("heading", "Top stories")]


# Comments read as text ------------------------------------------------------------------------

COMMENTS_AS_TEXT = ("<h3>2 Comments</h3><div class='talk'><p><b>Anna</b> 3 May 2024</p><p>The detour is far too "
                    "long for the buses, it should be shorter.</p><p><b>Ben</b> 4 May 2024</p><p>Good news, the "
                    "bridge was unsafe for years.</p></div><p>You must be logged in to post a comment.</p>")


def test_what_follows_the_pages_comment_counter_is_not_the_story():
    html = page(after=COMMENTS_AS_TEXT)
    trafilatura_lines = [b.text for b in generic.extract_body_and_comments(lxml.html.fromstring(html), URL).body]
    assert trafilatura_lines[len(STORY):] == ["2 Comments", "Anna 3 May 2024",
                                              "The detour is far too long for the buses, it should be shorter.",
                                              "Ben 4 May 2024", "Good news, the bridge was unsafe for years.",
                                              "You must be logged in to post a comment."]
    assert body_texts(html) == STORY


def test_a_counter_text_that_opens_the_body_or_is_not_the_pages_counter_cuts_nothing():
    blocks = [BodyBlock("heading", "2 Comments"), BodyBlock("paragraph", STORY[0])]
    assert before_comments(blocks, "2 Comments") == blocks
    blocks = [BodyBlock("paragraph", STORY[0]), BodyBlock("paragraph", "2 Comments"), BodyBlock("paragraph", STORY[1])]
    assert before_comments(blocks, None) == blocks
    assert before_comments(blocks, "5 Comments") == blocks


# The colophon: credits, sources, contacts -------------------------------------------------------


def test_credit_and_source_lines_that_end_the_body_are_dropped():
    html = page(after="<p>Photo: Jane Doe / City Press</p><p>Crédits photos : Agence Lumière</p>")
    trafilatura_lines = [b.text for b in generic.extract_body_and_comments(lxml.html.fromstring(html), URL).body]
    assert trafilatura_lines[len(STORY):] == ["Photo: Jane Doe / City Press", "Crédits photos : Agence Lumière"]
    assert body_texts(html) == STORY


def test_an_interviews_last_answer_a_long_labelled_line_and_a_label_inside_the_story_stay():
    mayor = [BodyBlock("paragraph", "Mayor: The bridge had to close, there was no other way to keep it safe."),
             BodyBlock("paragraph", STORY[0]), BodyBlock("paragraph", "Mayor: Thank you.")]
    assert without_colophon(mayor) == mayor
    long_line = BodyBlock("paragraph", "Note: " + STORY[1])
    assert without_colophon([BodyBlock("paragraph", STORY[0]), long_line]) == [BodyBlock("paragraph", STORY[0]), long_line]
    inside = [BodyBlock("paragraph", "Source: city engineers"), BodyBlock("paragraph", STORY[0])]
    assert without_colophon(inside) == inside
    assert without_colophon([BodyBlock("paragraph", "Photo: Jane Doe")]) == [BodyBlock("paragraph", "Photo: Jane Doe")]


# The rules at their edges -----------------------------------------------------------------------

def linked(text: str, anchor: str, kind: str = "paragraph") -> BodyBlock:
    return BodyBlock(kind, text, [Link("https://news.example/other", anchor)])


def test_a_link_line_is_four_fifths_link_text_at_least_after_a_list_mark():
    label = BodyBlock("heading", "More")
    # "- " is the list mark, not the line's text: 8 of 10 characters are the link's.
    list_items = [linked("- Abcdefgh.j", "Abcdefgh"), linked("- Klmnopqr.t", "Klmnopqr")]
    assert without_link_lists([BodyBlock("paragraph", STORY[0]), label, *list_items]) == [BodyBlock("paragraph", STORY[0])]
    # 7 of 10 is a sentence with a link in it: the label over it stays, the line too.
    sentences = [linked("Abcdefg.ij", "Abcdefg"), linked("Klmnopq.st", "Klmnopq"), BodyBlock("paragraph", STORY[1])]
    kept = [BodyBlock("paragraph", STORY[0]), label, *sentences]
    assert without_link_lists(kept) == kept


def test_a_label_is_sixty_characters_at_most_and_a_heading_however_it_ends():
    lines = [linked("Winter markets move to the harbour", "Winter markets move to the harbour")] * 2
    tail = BodyBlock("paragraph", STORY[1])
    for label, dropped in ((BodyBlock("paragraph", "x" * 60), True), (BodyBlock("paragraph", "x" * 61), False),
                           (BodyBlock("heading", "More on this."), True), (BodyBlock("paragraph", "More on this."), False)):
        blocks = [BodyBlock("paragraph", STORY[0]), label, *lines, tail]
        expected = [blocks[0], tail] if dropped else blocks
        assert without_link_lists(blocks) == expected, label


def test_a_last_label_ending_in_a_colon_is_sixty_characters_at_most():
    story = [BodyBlock("paragraph", STORY[0])]
    assert without_link_lists([*story, BodyBlock("paragraph", "y" * 59 + ":")]) == story
    long_label = BodyBlock("paragraph", "y" * 60 + ":")
    assert without_link_lists([*story, long_label]) == [*story, long_label]


def test_the_labels_over_a_last_link_list_go_one_by_one_up_to_the_story():
    link = linked("Winter markets move to the harbour", "Winter markets move to the harbour")
    blocks = [BodyBlock("paragraph", STORY[0]), BodyBlock("paragraph", STORY[1]), BodyBlock("paragraph", "Follow us"),
              BodyBlock("paragraph", "Newsletter"), BodyBlock("paragraph", "Already read?"), link]
    assert without_link_lists(blocks) == blocks[:2]


def test_a_link_run_opening_the_body_has_no_label_over_it():
    # The run starts the body: there is no line above it to be its label (not the body's last line).
    link = linked("Winter markets move to the harbour", "Winter markets move to the harbour")
    blocks = [link, link, BodyBlock("paragraph", STORY[0]), BodyBlock("paragraph", STORY[1]), BodyBlock("heading", "Sp")]
    assert without_link_lists(blocks) == blocks[:4]


def test_the_body_is_cut_at_the_counter_wherever_it_stands_after_the_first_line():
    blocks = [BodyBlock("paragraph", STORY[0]), BodyBlock("paragraph", "3 Comments"), BodyBlock("paragraph", STORY[1])]
    assert before_comments(blocks, "3 Comments") == blocks[:1]


def test_a_colophon_line_is_eighty_characters_at_most():
    story = [BodyBlock("paragraph", STORY[0])]
    credit = "Photo: " + "z" * 73  # 80 characters
    assert len(credit) == 80 and without_colophon([*story, BodyBlock("paragraph", credit)]) == story
    longer = BodyBlock("paragraph", credit + "z")
    assert without_colophon([*story, longer]) == [*story, longer]


def test_closing_credits_go_one_by_one_but_the_first_line_stays():
    story = [BodyBlock("paragraph", STORY[0])]
    credits = [BodyBlock("paragraph", "Photo: Jane Doe"), BodyBlock("paragraph", "Source: City Press"),
               BodyBlock("paragraph", "Contact: desk@news.example")]
    assert without_colophon([*story, *credits]) == story
    assert without_colophon(credits) == credits[:1]


def test_a_label_that_opens_the_line_just_before_is_a_speaker():
    blocks = [BodyBlock("paragraph", STORY[0]), BodyBlock("paragraph", "Ana Ruiz: Why now?"),
              BodyBlock("paragraph", "Ana Ruiz: Because the arches cracked.")]
    assert without_colophon(blocks) == blocks


def test_a_label_opening_the_body_goes_with_the_links_under_it():
    link = linked("Winter markets move to the harbour", "Winter markets move to the harbour")
    blocks = [BodyBlock("heading", "Most read"), link, link, BodyBlock("paragraph", STORY[0])]
    assert without_link_lists(blocks) == blocks[3:]


def test_a_labels_list_mark_is_not_counted_in_its_length():
    link = linked("Winter markets move to the harbour", "Winter markets move to the harbour")
    label = BodyBlock("list_item", "- " + "w" * 60)  # 60 characters after the mark
    blocks = [BodyBlock("paragraph", STORY[0]), label, link, link, BodyBlock("paragraph", STORY[1])]
    assert without_link_lists(blocks) == [blocks[0], blocks[4]]


# labels of other stories, and the site's appeals to its readers -----------------------------------

def paragraphs(*texts: str) -> list[BodyBlock]:
    return [BodyBlock("paragraph", text) for text in texts]


def test_teasers_under_a_label_of_other_stories_are_not_the_story():
    # no links left to tell them by: trafilatura kept the teasers' texts, not their links
    html = page(after="<h3>Weitere Themen</h3><p>Bahnstreik: Was Pendler jetzt wissen müssen, und wie lange er dauert.</p>"
                      "<p>Neue Radwege für die Altstadt: der Plan des Stadtrats für das kommende Jahr.</p>")
    assert body_texts(html) == STORY


@pytest.mark.parametrize("label", [
    "More stories", "Related articles", "Read also:", "You may also like", "Most read", "Weitere Themen",
    "Mehr zum Thema", "Top-Themen bei News Example", "Zum Weiterlesen:", "Lesen Sie auch", "À lire aussi",
    "Sur le même sujet", "Lee también", "Te puede interesar", "Leggi anche"])
def test_labels_that_announce_other_stories(label):
    blocks = paragraphs(*STORY[:3], label, "Another story's teaser.")
    assert [b.text for b in without_more_stories(blocks)] == STORY[:3]


@pytest.mark.parametrize("label", [
    "More information", "Weitere Informationen", "Weitere Infos:", "More details",  # the story's own
    "More than a bridge",  # a sentence's start, not a label: it ends like one
])
def test_labels_of_the_storys_own_information_stay(label):
    text = label if label != "More than a bridge" else "More than a bridge was lost that night, said the mayor."
    blocks = paragraphs(*STORY[:3], text, "Call the council on 0123 456.")
    assert without_more_stories(blocks) == blocks


def test_a_label_of_other_stories_in_the_first_half_is_the_storys():
    # "Related" as a sub-heading early on: too early for the end of a story
    blocks = paragraphs(STORY[0], "Related", *STORY[1:4])
    assert without_more_stories(blocks) == blocks
    # from the middle on it counts (position 2 of 4), never at the first line
    assert [b.text for b in without_more_stories(paragraphs(*STORY[:2], "Related", STORY[2]))] == STORY[:2]
    assert [b.text for b in without_more_stories(paragraphs(STORY[0], "Related", STORY[1]))] == STORY[:1]
    assert without_more_stories(paragraphs("Related", STORY[0])) == paragraphs("Related", STORY[0])


@pytest.mark.parametrize("appeal", [
    "Sign up for our daily newsletter and never miss a story.",
    "Get our morning edition by email",
    "Abonnieren Sie unseren Newsletter!",
    "Lust auf mehr? Lass dir die besten Geschichten jede Woche in deinen Posteingang liefern.",
    "If you enjoyed this post, would you consider supporting our work?",
    "Jetzt mit wenigen Klicks unterstützen!",
    "We need your help to keep going. Donate",
    "Follow us on Facebook and Instagram.",
    "Síguenos en Twitter",
    "Puede seguir a Materia en Facebook, Twitter e Instagram.",
    "Suivez-nous sur les réseaux sociaux",
    "Anzeige, enthält Affiliate-Links",
    "Die aktuelle Ausgabe jetzt am Kiosk und als E-Paper.",
])
def test_the_sites_appeals_to_its_readers_are_not_the_story(appeal):
    blocks = paragraphs(STORY[0], appeal, STORY[1])
    assert [b.text for b in without_reader_appeals(blocks)] == STORY[:2]


@pytest.mark.parametrize("line", [
    "Cancelling newsletters and catalogues went smoothly in most cases, the consumer office found.",
    "The union said it would support the strike, and asked its members to donate to the strike fund.",
    "A team affiliated with three universities found the tool.",
    "Das Abo kostet ab November 2,22 Euro im Monat.",
])
def test_a_story_about_newsletters_support_or_subscriptions_stays(line):
    blocks = paragraphs(STORY[0], line)
    assert without_reader_appeals(blocks) == blocks


def test_an_appeal_is_a_line_or_two_and_never_the_whole_body():
    long_line = "Sign up to read on. " + "x" * 300  # 320 characters
    assert without_reader_appeals(paragraphs(STORY[0], long_line)) == paragraphs(STORY[0])
    longer = long_line + "x"
    assert without_reader_appeals(paragraphs(STORY[0], longer)) == paragraphs(STORY[0], longer)
    only_appeals = paragraphs("Follow us on Facebook.", "Sign up for our newsletter.")
    assert without_reader_appeals(only_appeals) == only_appeals


def test_an_appeal_in_the_page_is_not_in_the_archived_body():
    html = page(after="<p>Sign up for our daily newsletter and never miss a story.</p>")
    assert body_texts(html) == STORY


def test_a_story_ending_in_more_labelled_lines_than_credits_keeps_them_as_its_own_list():
    # A week's opening hours closing a story: four short "Label: value" lines are the story's
    # list, not its credits (three at most).
    hours = ["Monday: closed to all traffic", "Tuesday: buses only", "Wednesday: cyclists and buses",
             "Thursday: open again from six"]
    html = page(after="".join(f"<p>{line}</p>" for line in hours))
    assert body_texts(html) == [*STORY, *hours]
    assert body_texts(page(after="".join(f"<p>{line}</p>" for line in hours[:3]))) == STORY


def test_labelled_list_items_closing_a_story_are_the_storys():
    story = [BodyBlock("paragraph", STORY[0])]
    seats = [BodyBlock("list_item", "North: 12 seats"), BodyBlock("list_item", "South: 9 seats")]
    assert without_colophon([*story, *seats]) == [*story, *seats]
    assert without_colophon([*story, *seats, BodyBlock("paragraph", "Photo: Jane Doe")]) == [*story, *seats]
