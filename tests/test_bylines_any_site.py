"""Bylines on any site, no profile: the names a reader sees, from the markup kinds that hold them,
with the same normalisation on every layer. Every page here is written for the test."""

from __future__ import annotations

import json

import pytest
from lxml import html as lxml_html

from newsarchive.parsers import parse_page
from newsarchive.parsers.bylines import find_byline_authors, shown_as_a_name, split_byline

PROSE = "".join(f"<p>Paragraph {n} of the story on the harbour works, long enough to be prose that a reader "
                f"came for, with a few more words to be sure of it.</p>" for n in range(6))


def page(byline: str = "", head: str = "", after: str = "") -> bytes:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Harbour works begin</title>"
            f"{head}</head><body><main><article><h1>Harbour works begin</h1>{byline}{PROSE}</article>{after}</main>"
            f"</body></html>").encode()


def jsonld(author) -> str:
    return ("<script type='application/ld+json'>" + json.dumps(
        {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Harbour works begin", "author": author})
        + "</script>")


def names(html: bytes) -> list[str]:
    return [author.name for author in parse_page("https://harbour.example/news/works", html, kind="article").authors]


# the text of a byline line ---------------------------------------------------------------------------

@pytest.mark.parametrize("byline, expected", [
    # the date, time and counters printed after the name
    ("von lupa am 26/10/13, 03:48 pm", ["lupa"]),
    ("By Emily Stone 8 January 2020, 3:51 pm 11 Edit", ["Emily Stone"]),
    ("Heiko Brand Do 9 Apr 2020", ["Heiko Brand"]),  # a weekday's short name before the date
    ("por Raúl Soto 4 mayo, 2022", ["Raúl Soto"]),
    ("Von Christian Thal , 07 Dezember, 2022", ["Christian Thal"]),
    ("By John Walk - January 10, 2020 21 minutes - 4312 words", ["John Walk"]),
    ("Carla Chávez Actualizado el 08/05/2022 02:14 a.m.", ["Carla Chávez"]),
    # a time ago, as forums print it, even glued to the lead-in
    ("Posted by u/anaruiz 6 years ago", ["u/anaruiz"]),
    ("Posted by6 years ago", []),
    ("von Ana Ruiz vor 3 Stunden", ["Ana Ruiz"]),
    ("Por Ana Ruiz hace 5 minutos", ["Ana Ruiz"]),
    ("Von Ana Vorberg", ["Ana Vorberg"]),  # "vor" begins a name here, with no number after it
    # lead-ins inside a line of page furniture
    ("Posted on September 21, 2020 by Adi Levin", ["Adi Levin"]),
    ("8. Januar 2020 · by Aureliana · in Gefühle", ["Aureliana"]),
    ("Posted in Privacy by jdoe on August 3, 2019", ["jdoe"]),
    ("Beitrag von r23 » 21.01.2009, 05:42", ["r23"]),
    ("Veröffentlicht von HansG", ["HansG"]),
    ("06.11.2023 13:30 von Olga", ["Olga"]),
    ("Ursula von der Leyen", ["Ursula von der Leyen"]),  # "von" inside a name is no lead-in
    # labels
    ("Datum: 19.11.2021 Autor: Fritz Baum Quelle: Livenet", ["Fritz Baum"]),
    ("Sara Linde Stand: 05. Februar 2020", ["Sara Linde"]),
    ("Von Katrin Schmid Kategorien: Mode 6. November 2023, 15:25 Uhr", ["Katrin Schmid"]),
    ("AUTOR/IN Julius Reich", ["Julius Reich"]),
    ("责任编辑：孔德明", ["孔德明"]),
    ("Author Andreas Kalt", ["Andreas Kalt"]),
    ("© Kathrin Fuhr", ["Kathrin Fuhr"]),
    # names as a reader writes them
    ("By : Joe S.", ["Joe S."]),  # the full stop of a last initial stays
    ("E. BARRO / J. I. DA SILVA", ["E. BARRO", "J. I. DA SILVA"]),
    # names nobody: a lead-in or label alone, a photo credit, a sentence, a quotation, a notice
    ("Published by", []),
    ("Foto: Ingo Berg", []),
    ("Von „Bikepark Feeling“ zu sprechen", []),
    ("Publié par Groupe Exemple. © 2020 GEG. Tous droits réservés.", []),
    ("birgit.posselt@example.org", []),
    ("Art Edwards says:", []),  # a commenter
])
def test_the_names_in_a_byline_line(byline, expected):
    assert [author.name for author in split_byline(byline)] == expected


@pytest.mark.parametrize("byline, expected", [
    # a journalist's job before the name: a role, not part of the name
    ("Korrespondentin Ana Ruiz", [("Ana Ruiz", "Korrespondentin")]),
    ("SZ-Korrespondent Ana Ruiz", [("Ana Ruiz", "SZ-Korrespondent")]),
    ("FOCUS-Online-Experte Robin Stahl", [("Robin Stahl", "FOCUS-Online-Experte")]),
    ("Chefredakteurin Ana Ruiz", [("Ana Ruiz", "Chefredakteurin")]),
    ("Journalistin Ana Ruiz und Li Wei", [("Ana Ruiz", "Journalistin"), ("Li Wei", None)]),
    ("Periodista Ana Ruiz", [("Ana Ruiz", "Periodista")]),
    ("Корреспондент Иван Петров", [("Иван Петров", "Корреспондент")]),
    ("Reporter Ana", []),  # one word after the job: no name to part it from
    ("Expert Advice Team", [("Expert Advice Team", None)]),  # "Expert" alone is no German job
    # a job after a name: the name's role, not a co-author
    ("Ana Ruiz, Korrespondentin", [("Ana Ruiz", "Korrespondentin")]),
    ("Ana Ruiz, Reporterin", [("Ana Ruiz", "Reporterin")]),
    ("Ana Ruiz und Li Wei, Redakteure", [("Ana Ruiz", None), ("Li Wei", "Redakteure")]),
    ("Ana Ruiz and Li Wei, correspondents", [("Ana Ruiz", None), ("Li Wei", "correspondents")]),
    ("Ana Ruiz, Reporters Without Borders", [("Ana Ruiz", "Reporters Without Borders")]),
])
def test_a_journalists_job_beside_the_name_is_its_role(byline, expected):
    assert [(author.name, author.role) for author in split_byline(byline)] == expected


@pytest.mark.parametrize("byline, expected", [
    ("Ana Ruiz (AFP)", [("Ana Ruiz", "AFP")]),
    ("Eberhard Kurz (Pressesprecher des Verbands)", [("Eberhard Kurz", None)]),
    ("von Mathilda Traut, Online-Redaktion Veröffentlicht: 26.12.2022", [("Mathilda Traut", "Online-Redaktion")]),
    ("by Bob Lake , Phys.org", [("Bob Lake", "Phys.org")]),  # the outlet's domain
    ("Autorin: Uta Berg, Projektleiterin der Stiftung in Tunis.", [("Uta Berg", "Projektleiterin der Stiftung in Tunis")]),
    ("Michael L. Anders, PhD , Carla Dobs, PhD", [("Michael L. Anders", "PhD"), ("Carla Dobs", "PhD")]),
    ("By Staff", []),
])
def test_roles_agencies_and_jobs_are_kept_apart_from_names(byline, expected):
    assert [(author.name, author.role) for author in split_byline(byline)] == expected


# the markup that holds a byline -------------------------------------------------------------------

def test_the_name_inside_a_marked_line_of_page_furniture():
    line = ("<p class='byline'>8 May 2024 · by <a rel='author' href='/author/ana'>Ana Ruiz</a>"
            " · in <a href='/travel/'>Travel</a></p>")
    article = parse_page("https://harbour.example/news/works", page(line), kind="article")
    assert [a.name for a in article.authors] == ["Ana Ruiz"] and article.sources["authors"] == "markup"
    assert article.byline_raw == "8 May 2024 · by Ana Ruiz · in Travel"  # as printed


def test_co_authors_share_their_markup_and_links_beside_them_do_not_count():
    line = ("<div class='author-box'><a class='author-name' href='/author/ana'>Ana Ruiz</a> and "
            "<a class='author-name' href='/author/li'>Li Wen</a> <a href='/authors/'>All authors</a></div>")
    assert names(page(line)) == ["Ana Ruiz", "Li Wen"]


def test_an_author_box_gives_its_name_not_its_biography_or_follow_button():
    box = ("<div class='author-info'><span class='author-name'>von Birgit Post</span>"
           "<p class='author-bio'>Birgit writes about the harbour since 2009.</p>"
           "<button class='author-follow'>Follow</button></div>")
    assert names(page(box)) == ["Birgit Post"]


def test_a_marked_element_that_names_nobody_gives_way_to_the_next():
    line = "<div class='post-author'>Posted by</div><span class='byline'>By Ana Ruiz</span>"
    assert names(page(line)) == ["Ana Ruiz"]


def test_a_commenter_in_a_recent_comments_list_is_no_author():
    widget = ("<ul id='recentcomments'><li><span class='comment-author-link'>Flappy Bird</span> on "
              "<a href='/old-post/#comment-2'>An old post</a></li></ul>")
    line = "<p>Posted by Konstantin @ 12:00 am</p>"
    assert names(page(line, after=widget)) == ["Konstantin"]


def test_a_lead_in_with_a_no_break_space():
    assert names(page("<div class='story'>By&nbsp;<a href='/reporters/jose'>Jose de la Cruz</a></div>")) == [
        "Jose de la Cruz"]


@pytest.mark.parametrize("line, expected", [
    ("<p>Blog Beitrag von Margit Koren</p>", ["Margit Koren"]),
    ("<p>Ein Gastbeitrag von Margit Koren</p>", ["Margit Koren"]),
    ("<p>Gastbeitrag von Margit Koren</p>", ["Margit Koren"]),
    ("<p>Blogbeitrag von Margit Koren</p>", ["Margit Koren"]),
    ("<p>Ein Artikel von Margit Koren</p>", ["Margit Koren"]),
    ("<p>Beiträge von Margit Koren</p>", []),
])
def test_a_post_announced_as_someones(line, expected):
    assert names(page(line)) == expected


def test_a_label_in_bold_and_the_names_after_it():
    line = "<p>(to be continued)<br><strong>Text:</strong> Klaus Fried</p>"
    assert names(page(after=line)) == ["Klaus Fried"]


def test_a_byline_over_two_lines_keeps_the_line_with_the_names():
    line = "<p>Von <strong>Rolf Brock</strong> und <strong>Sina Dres</strong><br/>\nKakuma / Kenia</p>"
    assert names(page(line)) == ["Rolf Brock", "Sina Dres"]


def test_an_article_footer_holds_a_byline_the_page_footer_does_not():
    footer = "<footer><ul><li><span>Author: </span><span>Jacopo Casc</span></li></ul></footer>"
    assert names(page(footer)) == ["Jacopo Casc"]
    site_footer = "<footer><p>By Site Owner</p></footer>"
    html = page().replace(b"</main>", b"</main>" + site_footer.encode())
    assert names(html) == []


@pytest.mark.parametrize("line", ["<p>By the numbers:</p>", "<p>Von der Ringform zur Kastenform und umgekehrt</p>"])
def test_a_line_that_starts_like_a_byline_but_names_nobody(line):
    assert names(page(line)) == []


# metadata against the byline shown ---------------------------------------------------------------

def test_a_company_or_a_web_agency_in_meta_author_gives_way_to_the_byline_shown():
    for company in ("Example Media GmbH", "Web Commerce GmbH www.w-commerce.de", "harbour.de, Frankfurt, Germany",
                    "Peter Lang; Fuchsy designed"):
        head = f"<meta name='author' content='{company}'>"
        article = parse_page("https://harbour.example/news/works", page("<p class='byline'>By Ana Ruiz</p>", head),
                             kind="article")
        assert ([a.name for a in article.authors], article.sources["authors"]) == (["Ana Ruiz"], "markup")


def test_a_site_wide_meta_author_gives_way_to_a_byline_shown():
    head = "<meta name='author' content='Harbour Fan Club'>"
    line = "<span class='itemPoster'>Geschrieben von <a href='/user/6'>Cooper</a></span>"
    assert names(page(line, head)) == ["Cooper"]


def test_a_login_name_in_json_ld_is_written_as_the_page_prints_it():
    head = jsonld({"@type": "Person", "name": "arianschlich"})
    line = "<div class='post-header_author'><span>von</span> <a href='/creator/arian/'> Arian Schlich </a></div>"
    assert names(page(line, head)) == ["Arian Schlich"]


def test_json_ld_creator_names_the_author_when_author_is_missing():
    # schema.org: creator "is the same as the author property for CreativeWork".
    creator_only = ("<script type='application/ld+json'>" + json.dumps(
        {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Harbour works begin",
         "creator": ["Ana Ruiz"]}) + "</script>")
    # A commenter's name marked as an author, which the page shows before the story's byline.
    commenter = "<span itemprop='author' itemscope><span itemprop='name'>Li Wei</span></span>"
    assert names(page(commenter, creator_only)) == ["Ana Ruiz"]
    both = creator_only.replace('"creator"', '"author": "Bo Lin", "creator"')
    assert names(page("", both)) == ["Bo Lin"]


def test_a_commenters_marked_name_in_a_comment_item_of_schema_org_is_no_byline():
    # The comment item is marked by its item property and a type written in lower case.
    comment = ("<ul><li itemprop='comment' itemscope itemtype='http://schema.org/comment'><header>"
               "<span itemprop='author' itemscope><span itemprop='name'>Li Wei</span></span></header>"
               "<p>A reader's view of the works.</p></li></ul>")
    assert names(page("<p class='byline'>By Ana Ruiz</p>").replace(b"<main>", b"<main>" + comment.encode())) == ["Ana Ruiz"]


def test_co_authors_json_ld_left_out_come_from_the_byline_shown():
    head = jsonld({"@type": "Person", "name": "Rudi Fisch"})
    assert names(page("<p class='byline'>By Rudi Fisch and Simon Kohl</p>", head)) == ["Rudi Fisch", "Simon Kohl"]


def test_a_team_and_company_after_the_name_are_no_co_authors():
    head = jsonld({"@type": "Person", "name": "Alex Dur"})
    line = "<span class='byline-author'>Posted by Alex Dur, AMP Project Marketing, Google</span>"
    assert names(page(line, head)) == ["Alex Dur"]


def test_json_ld_with_raw_line_breaks_in_its_strings_is_read():
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Harbour works begin",'
            ' "articleBody": "Line one\nline two", "author": {"@type": "Person", "name": "Mira Holm"}}</script>')
    article = parse_page("https://harbour.example/news/works", page(head=head), kind="article")
    assert ([a.name for a in article.authors], article.sources["authors"]) == (["Mira Holm"], "jsonld")


@pytest.mark.parametrize(("byline", "expected"), [
    # a job after the name, whose lower-case words no name has
    ("Autorin: Ana Ruiz, project lead in Tunis", [("Ana Ruiz", "project lead in Tunis")]),
    # after an author label, a "by" names someone else: the photographer is no author
    ("Text: Ana Ruiz, photos by Li Wei", [("Ana Ruiz", "photos by Li Wei")]),
    # a surname that is also a weekday's short form stays, unless a date follows it
    ("By Aaa Jeu", [("Aaa Jeu", None)]),
    ("By Ana Sam", [("Ana Sam", None)]),
    ("Ana Ruiz, Mon 3 May 2024", [("Ana Ruiz", None)]),
])
def test_jobs_photo_credits_and_weekday_names_beside_a_byline(byline, expected):
    assert [(author.name, author.role) for author in split_byline(byline)] == expected


# the site's own name is no person's ------------------------------------------------------------------

def site(name: str) -> str:
    return f"<meta property='og:site_name' content='{name}'>"


def test_a_byline_of_the_sites_initials_is_its_desk_and_the_next_one_names_the_author():
    # The site's posts widget prints "JF" for its own pieces; the story's byline is further down.
    bylines = ("<ul><li class='post-meta post-meta--author'>JF</li></ul>"
               "<p class='post-meta post-meta--author'>Boris Kaiser</p>")
    assert names(page(bylines, head=site("Junge Freiheit"))) == ["Boris Kaiser"]
    # The initials in the metadata are the site's too.
    head = site("Neue Zürcher Zeitung") + jsonld({"@type": "Person", "name": "NZZ"})
    assert names(page("<p class='byline'>Von Ana Ruiz</p>", head=head)) == ["Ana Ruiz"]


def test_a_blog_named_after_its_author_keeps_the_authors_byline():
    assert names(page("<p class='byline'>Creeny</p>", head=site("Creeny"))) == ["Creeny"]
    assert names(page("<p class='byline'>Ana Ruiz</p>", head=site("Ana Ruiz"))) == ["Ana Ruiz"]


# a translator is no author ---------------------------------------------------------------------------

@pytest.mark.parametrize(("byline", "expected"), [
    ("Von Ana Ruiz. Übersetzung: Li Wei", ["Ana Ruiz"]),
    ("By Ana Ruiz; translated by Li Wei", ["Ana Ruiz"]),
    ("By Ana Ruiz. Translated from the Spanish by Li Wei", ["Ana Ruiz"]),
    ("Par Ana Ruiz, traduit par Li Wei", ["Ana Ruiz"]),
    ("Автор: Анна Руиз, перевод Ли Вэй", ["Анна Руиз"]),
    ("Translated by Li Wei", []),  # a translator's credit alone names no author
    ("Aus dem Englischen von Li Wei", []),
    ("By Ana Translationova", ["Ana Translationova"]),  # a name that begins like the word
    # a reviewer's credit, as health and fact-checking pages print it
    ("By Ana Ruiz. Medically reviewed by Dr. Li Wei", ["Ana Ruiz"]),
    ("Ana Ruiz | Fact-checked by Bo Lin", ["Ana Ruiz"]),
    ("Ana Ruiz · checked by Bo Lin", ["Ana Ruiz"]),
    ("Von Ana Ruiz, fachlich geprüft von Li Wei", ["Ana Ruiz"]),
    ("Geprüft von Dr. med. Li Wei", []),
    ("Por Ana Ruiz, revisado por Li Wei", ["Ana Ruiz"]),
    ("Par Ana Ruiz, relu par Li Wei", ["Ana Ruiz"]),
    ("Reviewed by Ana Ruiz", ["Ana Ruiz"]),  # a book or film review's own author
])
def test_a_translators_or_reviewers_credit_names_no_author(byline, expected):
    assert [author.name for author in split_byline(byline)] == expected


def test_a_translators_linked_name_in_a_marked_byline_is_no_author():
    # Both names link to author pages; the one after "Übersetzung" is the translator's.
    byline = ("<div class='byline'><p>Text <a href='/author/ana-ruiz/'>Ana Ruiz</a></p>"
              "<p>Übersetzung: <a href='/author/li-wei/'>Li Wei</a></p></div>")
    assert names(page(byline)) == ["Ana Ruiz"]
    translator_first = ("<div class='byline'><p>Übersetzung: <a href='/author/li-wei/'>Li Wei</a></p>"
                        "<p>Text <a href='/author/ana-ruiz/'>Ana Ruiz</a></p></div>")
    assert names(page(translator_first)) == ["Ana Ruiz"]


# a guessed author is a name the page shows --------------------------------------------------------

def test_the_generic_layers_guess_of_a_comment_forms_name_field_is_no_author():
    comment_form = ("<div id='respond'><form><div class='comment-form-author'><label for='author'>Name</label>"
                    "<input id='author'></div></form></div>")
    assert names(page(after=comment_form)) == []
    assert names(page(byline="<div class='author'><span>Ana Ruiz</span></div>", after=comment_form)) == ["Ana Ruiz"]


def furniture_page(markup: str):
    return lxml_html.fromstring(f"<html><body><h1>Harbour works begin</h1>{markup}{PROSE}</body></html>")


@pytest.mark.parametrize("markup, name, shown", [
    ("<p class='byline'>Ana Ruiz</p>", "Ana Ruiz", True),
    ("<p>Text and photos: <b>Ana Ruiz</b></p>", "Ana Ruiz", True),
    # furniture: a form's label, a button, a link styled as one, a tag link, a menu, a comment
    ("<form><label>Name</label></form>", "Name", False),
    ("<p><button>Follow</button></p>", "Follow", False),
    ("<div class='author-info'><a class='author-info__follow-button' href='/login'>Follow</a></div>", "Follow", False),
    ("<div><a rel='tag' href='/topic/solar'>Solar</a></div>", "Solar", False),
    ("<div><a class='post-tag' href='/topic/solar'>Solar</a></div>", "Solar", False),
    ("<ul class='menu'><li><a href='/s'>Solar</a></li></ul>", "Solar", False),
    ("<nav><a href='/s'>Solar</a></nav>", "Solar", False),
    # a plain list of links to topic pages (a sidebar's widget, no class to say so)
    ("<div class='textwidget'><ul><li><a href='https://n.example/thema/solar/'>Solar</a></li></ul></div>", "Solar", False),
    ("<ul><li><a href='/category/energy/solar'>Solar</a></li></ul>", "Solar", False),
    ("<p>Read more by <a href='/author/solar/'>Solar</a></p>", "Solar", True),  # an author's page
    ("<p><a href='/stories/themenwoche-solar/'>Solar</a></p>", "Solar", True),  # no topic folder
    # another article's teaser (a quotation box linking to it), a picture's credit
    ("<a href='/jan-fleischhauer-journalist-365867'><blockquote><p>Quote.</p>"
     "<span class='quote-author'>Jan Fleischhauer, Kolumnist</span></blockquote></a>", "Jan Fleischhauer", False),
    ("<figure><img src='/a.jpg'><figcaption><span class='author'>Li Wei</span></figcaption></figure>", "Li Wei", False),
    ("<p class='byline'><a href='/people/li-wei'><span>Li Wei</span></a></p>", "Li Wei", True),  # a person's page
    # a byline's line with its date, not a sentence of the story that mentions the word
    ("<p>Von Ana Ruiz am 12. Mai 2022 um 10:30 Uhr, aktualisiert am 13. Mai 2022</p>", "Ana Ruiz", True),
    ("<p>The plant adds Solar power to the grid's mix, the minister said on Monday in Dubai, where the first "
     "of its parabolic troughs went into service.</p>", "Solar", False),
    ("<ol><li class='comment' id='comment-2'><p>Omar Ali</p></li></ol>", "Omar Ali", False),
    # a word inside another word, a name the page never shows, a commenter's "said"
    ("<p><a href='/h'>Humanökologie</a></p>", "Human", False),
    ("<p class='byline'>Ana Ruiz</p>", "Omar Ali", False),
    ("<p>Stephan said on August 3</p>", "Stephan Said", False),
    ("", "", False),
])
def test_shown_as_a_name(markup, name, shown):
    assert shown_as_a_name(furniture_page(markup), name) is shown


# a first name alone, completed from the page --------------------------------------------------------

@pytest.mark.parametrize("shown, expected", [
    # the author box's name and its biography, which starts with the name in full
    ("<div class='author-box'><div class='author-box__bio'>Todd Bates - science writer since 2002.</div></div>",
     ["Todd Bates"]),
    ("<aside class='x'></aside><div class='meta'><p class='full-name'>Todd Bates</p></div>", ["Todd Bates"]),
    ("<div class='author-box__bio'>Todd van Bates - writer.</div>", ["Todd"]),  # "van": no capitalised word
    ("<div class='author'><p>Todd Bates Senior Writer</p></div>", ["Todd"]),  # more than a name
    ("<div class='lead'><p>Todd Bates - science writer.</p></div>", ["Todd"]),  # no author or name mark
    ("<p class='byline-note'>Todd said it would rain.</p>", ["Todd"]),  # no surname follows
    ("<nav class='authors'><a>Todd Bates</a></nav>", ["Todd"]),  # a menu of the site's authors
    ("<nav><div class='author-name'>Todd Bates</div></nav>", ["Todd"]),
    ("<ol class='comments'><li class='comment' id='comment-1'><div class='comment-author'>Todd Bates</div>"
     "<p>First!</p></li></ol>", ["Todd"]),  # a commenter of the same first name
    ("<div class='author-name'>Ana María Ruiz</div>", ["Todd"]),  # another first name
    ("<p id='full-name'>Todd Bates</p>", ["Todd Bates"]),  # marked by its id
    # the name in a tail, its line marked two levels up; three levels up is too far
    ("<div class='profile-name'><div><p><b>x</b> Todd Bates</p></div></div>", ["Todd Bates"]),
    ("<div class='profile-name'><div><div><p>Todd Bates</p></div></div></div>", ["Todd"]),
])
def test_a_first_name_alone_is_completed_from_the_authors_box(shown, expected):
    assert names(page(head=jsonld({"@type": "Person", "name": "Todd"}), after=shown)) == expected


def test_names_of_two_words_and_a_profiles_byline_are_kept_as_they_are():
    shown = "<div class='author-box__bio'>Todd Bates - science writer.</div><p class='name'>Todd Smith Jones</p>"
    assert names(page(head=jsonld({"@type": "Person", "name": "Todd Smith"}), after=shown)) == ["Todd Smith"]
    assert names(page(head=jsonld([{"name": "Todd"}, {"name": "Ana Ruiz"}]),
                      after="<p class='author-bio'>Todd Bates, science.</p><p class='name'>Ana Ruiz Soto</p>")) == [
        "Todd Bates", "Ana Ruiz"]


@pytest.mark.parametrize("label, data, expected", [
    ("Written by", "Karoline Herr", ["Karoline Herr"]),
    ("Verfasst von", "Karoline Herr", ["Karoline Herr"]),
    ("Écrit par", "Karoline Herr", ["Karoline Herr"]),
    ("Est. reading time", "9 minutes", []),  # the other pair an SEO plugin writes
    ("Written by", "", []),
])
def test_the_byline_an_seo_plugin_writes_as_twitter_label_and_data(label, data, expected):
    head = (f"<meta name='twitter:label2' content='{label}'><meta name='twitter:data2' content='{data}'>"
            "<meta name='twitter:label1' content='Reading time'><meta name='twitter:data1' content='Ana Ruiz'>")
    assert names(page(head=head)) == expected


# what the page hides is no byline ----------------------------------------------------------------------

@pytest.mark.parametrize("hidden", [
    "<a rel='author' href='https://plus.example/112' style='display: none;'>Harbour Blog</a>",
    "<a rel='author' href='https://plus.example/112' style='VISIBILITY:hidden'>Harbour Blog</a>",
    "<a rel='author' href='https://plus.example/112' hidden>Harbour Blog</a>",
    "<div style='display:none'><span class='author'>Harbour Blog</span></div>",  # hidden around it
])
def test_a_hidden_author_link_gives_way_to_the_byline_shown(hidden):
    # The hidden one comes first in the page, where the first byline found would be taken.
    assert names(page(hidden + "<p class='byline'>Posted by Ana Ruiz</p>")) == ["Ana Ruiz"]


def test_four_co_authors_and_their_team_make_one_byline():
    # 17 words, 97 characters: still a byline, not a paragraph (and trafilatura's byline rules,
    # asked when the page shows none, would take the hidden link's name).
    byline = ("<a rel='author' style='display:none' href='https://plus.example/112'>Harbour Blog</a>"
              "<span class='byline-author'>Posted by Nathan Park, Varun Khan, Eric Millar and Kiran C Nair - "
              "Harbour Safety Browsing team</span>")
    assert names(page(byline)) == ["Nathan Park", "Varun Khan", "Eric Millar", "Kiran C Nair"]


# another article's teaser, a picture's credit: not the story's byline ---------------------------------

TEASER = ("<ul class='more'><li><a href='/news/2024/bridge-closes'><h3>Bridge closes</h3>"
          "<span class='article-author'>Von Clara Berg</span></a></li></ul>")


def test_the_byline_of_a_teaser_linking_to_another_article_is_not_the_storys():
    # The teaser comes first in the page; the story's own byline after it.
    assert names(page(TEASER + "<p class='byline'>By Ana Ruiz</p>")) == ["Ana Ruiz"]


def markup_byline(html: bytes) -> list[str]:
    """The names of the byline the markup layer finds (trafilatura's rules, asked after it, left out)."""
    return [author.name for author in find_byline_authors(lxml_html.fromstring(html))[1]]


@pytest.mark.parametrize("link", ["/author/ana-ruiz/", "/user/AnaR.html", "/members/ana", "/people/ana-ruiz"])
def test_a_byline_inside_a_link_to_the_authors_own_page_is_kept(link):
    box = f"<a href='{link}' class='userbox'><span class='author'>Von Ana Ruiz</span></a>"
    assert markup_byline(page(box)) == ["Ana Ruiz"]


def test_a_byline_inside_a_link_marked_as_the_authors_or_an_anchor_is_kept():
    box = "<a rel='author' href='https://profiles.example/112'><span class='author'>Ana Ruiz</span></a>"
    assert markup_byline(page(box)) == ["Ana Ruiz"]  # the link is the byline
    assert markup_byline(page("<a name='top'><span class='author'>Ana Ruiz</span></a>")) == ["Ana Ruiz"]


@pytest.mark.parametrize("credit", [
    "<figure><img src='/p.jpg'><span class='author'>Tom Lens</span></figure>",
    "<div><img src='/p.jpg'><figcaption><span class='author'>Tom Lens</span></figcaption></div>",  # no figure
    "<div class='img-holder'><div class='license-info'><span class='author-name'>Tom Lens</span></div></div>",
    "<div class='photo-credit'><span class='author'>Tom Lens</span></div>",
    "<div id='image-copyright'><span class='author'>Tom Lens</span></div>",  # named by its id
    "<div class='wp-caption'><p><span class='author'>Tom Lens</span></p></div>",
    "<p class='copyright'><span class='author'>Tom Lens</span></p>",
])
def test_a_pictures_credit_is_not_the_storys_byline(credit):
    assert names(page(credit + "<p class='byline'>By Ana Ruiz</p>")) == ["Ana Ruiz"]


@pytest.mark.parametrize("link", ["/autoren/ana-ruiz-684124", "/author/ana-ruiz/", "/autori/ana-ruiz", "/autores/ana-ruiz"])
def test_a_bare_link_to_the_authors_page_is_the_byline(link):
    # No class, no "By": a theme's author line with the author's picture and name in its link.
    byline = (f"<span><a href='{link}'><img src='/ana.jpg' alt='Ana Ruiz'><div class='job'>Reporterin</div>"
              f"<div><span itemprop='name'>Ana Ruiz</span></div></a></span>")
    assert markup_byline(page(byline)) == ["Ana Ruiz"]


def test_a_marked_byline_keeps_a_login_name_in_lower_case():
    # The capital a bare link or a "By" line must begin with is not asked of a marked byline.
    assert markup_byline(page("<span class='author'>jancak</span>")) == ["jancak"]


@pytest.mark.parametrize("link, expected", [
    ("<a href='/autoren/ana-ruiz'>9 articles</a>", []),  # the author's count of articles: no name
    ("<a href='/autoren/ana-ruiz'>ana</a>", []),  # lower case, as a handle in a sentence's link
    ("<aside><a href='/autoren/ana-ruiz'>Ana Ruiz</a></aside>", []),  # a sidebar's list of authors
    ("<a href='/author/li-wei'>Geprüft von Dr. med. Li Wei</a>", []),  # a reviewer's credit
    # nor, when its own text names nobody, the text around it (as after a label alone, "Text: Ana Ruiz")
    ("<div><a href='/guide'>Innere Ruhe</a> <a href='/author/li-wei'>Geprüft von Dr. med. Li Wei</a></div>", []),
    ("<a href='/autoren-werden'>Ana Ruiz</a>", []),  # a page about becoming one: no author's page
    ("<a href='/autoren/'>Alle Autoren</a>", []),  # the list of all authors
    # a marked byline or a line that begins like one is surer, wherever it is
    ("<a href='/autoren/li-wei'>Li Wei</a><p class='byline'>Ana Ruiz</p>", ["Ana Ruiz"]),
    ("<a href='/autoren/li-wei'>Li Wei</a><p>By Ana Ruiz</p>", ["Ana Ruiz"]),
])
def test_a_link_to_an_authors_page_that_is_no_byline(link, expected):
    assert markup_byline(page(link)) == expected


def test_a_credit_box_counts_only_near_the_byline():
    # Three levels up at most: a page's layout named "has-caption" far above is no credit box.
    far = "<div class='has-caption'><div><div><div><p class='byline'>By Ana Ruiz</p></div></div></div></div>"
    assert markup_byline(page(far)) == ["Ana Ruiz"]


# a story signed at its end ---------------------------------------------------------------------------

def signed(signature: str, before: str = "") -> bytes:
    """The story with a last block after its prose, and no byline above it."""
    return page(after="", byline="").replace(b"</article>", f"{before}{signature}</article>".encode())


def parsed(html: bytes):
    return parse_page("https://harbour.example/news/works", html, kind="article")


@pytest.mark.parametrize("signature, expected", [
    ("<p><b><i>Stefan Wasmer</i></b></p>", ["Stefan Wasmer"]),
    ("<p class='right'>  <strong>Marina Mucha</strong>  </p>", ["Marina Mucha"]),
    ("<p><em>Ursula von der Leyen</em></p>", ["Ursula von der Leyen"]),  # particles inside the name
    ("<p><strong>Ana María Ruiz Soto</strong></p>", ["Ana María Ruiz Soto"]),  # four words
])
def test_a_story_signed_in_bold_or_italics_at_its_end_names_its_author(signature, expected):
    article = parsed(signed(signature))
    assert [(author.name, author.name_raw, author.position) for author in article.authors] == [(expected[0], expected[0], 0)]
    assert article.sources["authors"] == "markup" and article.byline_raw == expected[0]
    # the signature is the byline, not a line of the story
    assert not article.body_text.endswith(expected[0]) and article.body_text.endswith("to be sure of it.")


@pytest.mark.parametrize("signature", [
    "<p>Stefan Wasmer</p>",  # not set apart from the story
    "<p><b>Stefan Wasmer</b> scored twice.</p>",  # a bold name inside a sentence
    "<p><strong>Stefan</strong></p>",  # one word: a first name or a word of the story
    "<p><strong>Stefan Wasmer Meier Roth Lang</strong></p>",  # five words: no name
    "<p><strong>Blessing, 816 Seiten</strong></p>",  # a book's details
    "<p><strong>Staff Reporter</strong></p>",  # a role, not a person
    "<p><strong>dpa Agentur</strong></p>",  # not capitalised
    # the last block plain, the name set apart only in another story's teaser or in the page's furniture
    "<p>Stefan Wasmer</p><aside><p><a href='/news/other-story'><strong>Stefan Wasmer</strong></a></p></aside>",
    "<p>Stefan Wasmer</p><nav><p><strong>Stefan Wasmer</strong></p></nav>",
    # the last block plain, the name in bold only inside a sentence above it
    "<p>Coach <b>Stefan Wasmer</b> said the works were late.</p><p>Stefan Wasmer</p>",
])
def test_a_last_block_that_is_no_signature_names_nobody(signature):
    article = parsed(signed(signature))
    assert article.authors == []


def test_a_signature_only_counts_when_nothing_above_named_the_author():
    html = signed("<p><strong>Stefan Wasmer</strong></p>").replace(b"<h1>Harbour works begin</h1>",
                                                                  b"<h1>Harbour works begin</h1><p class='byline'>By Ana Ruiz</p>")
    article = parsed(html)
    assert [author.name for author in article.authors] == ["Ana Ruiz"]
    assert article.body_text.endswith("Stefan Wasmer")  # a name at the end, kept as the story's own line


def test_a_signature_in_the_middle_of_the_story_is_not_its_last_block():
    article = parsed(signed("<p>The works go on until the spring, the harbour master told the town council on Monday.</p>",
                            before="<p><strong>Stefan Wasmer</strong></p>"))
    assert article.authors == []
