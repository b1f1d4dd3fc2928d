"""Article pages read field by field, layer by layer (issue 20, mutation testing of
parsers/article.py).

A small profile names every article selector; each test writes a small page and works out the
expected record from the module's rules: each field from the first layer that has it (profile,
metadata, the page's own marks, the URL, generic), `sources` naming that layer, and the warnings
worded as the module words them.
"""

import pytest

from newsarchive.items import Layer
from newsarchive.parsers.article import extract_article, parse_article
from newsarchive.parsers.document import parse_document
from newsarchive.profiles import profile_from_dict

PROFILE = profile_from_dict({
    "name": "planet",
    "sites": [{"name": "Daily Planet", "code": "dp", "hosts": ["planet.example"]},
              {"name": "Other Planet", "code": "op", "hosts": ["other.example"]}],
    "locales": ["en_GB", "ar", "sr_Latn"],
    "languages": {"ar": "ar", "sr_Latn": "sh"},
    "rtl_locales": ["ar"],
    "urls": {"article": r"^/(?P<locale>[A-Za-z_]+)/news/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/[^/]+$",
             "image": r"/img/[^/]*-(?P<width>\d+)x(?P<height>\d+)\.jpg$"},
    "selectors": {"article": {
        "title": "h1.headline", "date": "p.date", "byline": "p.byline", "authors": "p.byline .author",
        "breadcrumb": "nav.crumbs a", "lead_photo": "figure.lead", "body": "div.story",
        "body_blocks": "p, h2, blockquote", "body_photos": "figure.inline", "photo_image": "img.pic",
        "photo_caption": "figcaption.cap", "comment_count": "h4.count", "comments": "ol.comments li.comment",
        "comment_author": ".who", "comment_date": "time.when", "comment_body": ".said",
        "comment_id_attribute": "data-cid"},
        "listing": {}},
})
URL = "https://planet.example/en_GB/news/2024/05/20/rain-in-spain"
STORY = "<div class='story'><p>The rain in Spain stays mainly in the plain, the forecasters said.</p></div>"


def page(body: str = "", head: str = "", html_attributes: str = "") -> str:
    return f"<html{html_attributes}><head>{head}</head><body>{body}</body></html>"


def profiled(body: str, head: str = "", url: str = URL, html_attributes: str = ""):
    """An article read through the profile; its title and story fit the profile unless `body` says otherwise."""
    return parse_article(url, page(body, head, html_attributes), PROFILE)


def plain(body: str, head: str = "", url: str = "https://news.example/story", html_attributes: str = ""):
    return parse_article(url, page(body, head, html_attributes))


# parse_article, extract_article, the site ---------------------------------------------------------

def test_parse_article_decodes_by_the_content_type_and_takes_the_site_given():
    body = page("<h1 class='headline'>Дождь в Москве</h1>" + STORY).encode("windows-1251")
    other = PROFILE.site_by_code("op")
    article = parse_article(URL, body, PROFILE, other, "text/html; charset=windows-1251")
    assert article.title == "Дождь в Москве"
    assert (article.site, article.site_code) == ("Other Planet", "op")


def test_the_site_comes_from_the_profile_by_host_else_the_host_itself():
    article = profiled("<h1 class='headline'>Rain</h1>" + STORY)
    assert (article.site, article.site_code) == ("Daily Planet", "dp")
    article = plain("<h1>Rain</h1>", url="https://News.Example:8080/story")
    assert (article.site, article.site_code) == ("news.example", None)


def test_a_failing_step_names_itself_in_the_error():
    broken = profile_from_dict({"name": "broken", "sites": [{"name": "B", "code": "b", "hosts": ["b.example"]}],
                                "urls": {}, "selectors": {"article": {"breadcrumb": "nav"}, "listing": {}}})
    broken.article_selectors["breadcrumb"] = "nav[["  # past the profile's own check: a step that raises
    with pytest.raises(Exception) as caught:
        extract_article(parse_document("https://b.example/x", page("<p>text</p>")), broken)
    assert caught.value.__notes__ == ["layer: fill_section"]


# canonical URL ----------------------------------------------------------------------------------

def test_the_canonical_link_is_made_absolute_and_comes_from_meta():
    article = plain("<h1>Rain</h1>", head="<link rel='canonical' href=' /story?id=1 '>"
                    "<meta property='og:url' content='https://news.example/og'>")
    assert article.canonical_url == "https://news.example/story?id=1"
    assert article.sources["canonical_url"] == Layer.META


def test_without_a_canonical_link_the_metadata_url_is_used():
    article = plain("<h1>Rain</h1>", head="<link rel='canonical' href=''><meta property='og:url' content='/og'>")
    assert article.canonical_url == "https://news.example/og"
    assert article.sources["canonical_url"] == Layer.OPENGRAPH
    article = plain("<h1>Rain</h1>")
    assert article.canonical_url is None
    assert "canonical_url" not in article.sources


# language and direction ---------------------------------------------------------------------------

def test_the_locale_in_the_url_gives_the_language_by_the_profile_table_or_its_first_part():
    article = profiled("<h1 class='headline'>Rain</h1>" + STORY, html_attributes=" lang='fr' dir='rtl'")
    assert (article.locale, article.language, article.direction) == ("en_GB", "en", "ltr")
    assert article.sources["language"] == Layer.URL
    serbian = profiled("<h1 class='headline'>Kiša</h1>" + STORY, url="https://planet.example/sr_Latn/news/2024/05/20/kisa")
    assert (serbian.locale, serbian.language, serbian.direction) == ("sr_Latn", "sh", "ltr")
    arabic = profiled("<h1 class='headline'>مطر</h1>" + STORY, url="https://planet.example/ar/news/2024/05/20/rain",
                      html_attributes=" dir='ltr'")
    assert (arabic.locale, arabic.language, arabic.direction) == ("ar", "ar", "rtl")


def test_a_declared_language_is_reduced_to_its_primary_code():
    article = plain("<h1>Chuva</h1>", html_attributes=" lang='PT_br'")
    assert (article.locale, article.language, article.direction) == (None, "pt", "ltr")
    assert article.sources["language"] == Layer.META
    article = plain("<h1>Chuva</h1>", html_attributes=" lang='es-419'")
    assert article.language == "es"


def test_a_language_from_metadata_keeps_its_layer():
    article = plain("<h1>Chuva</h1>", head="<meta property='og:locale' content='pt_BR'>")
    assert (article.language, article.sources["language"]) == ("pt", Layer.OPENGRAPH)


def test_the_direction_follows_the_dir_attribute_or_a_right_to_left_language():
    assert plain("<h1>Rain</h1>", html_attributes=" lang='en' dir='RTL'").direction == "rtl"
    assert plain("<h1>باران</h1>", html_attributes=" lang='fa'").direction == "rtl"
    assert plain("<h1>Rain</h1>", html_attributes=" lang='en'").direction == "ltr"


def test_a_page_that_declares_no_language_has_it_detected_from_its_text():
    article = plain("<h1>Правительство приняло новые правила</h1><p>Правительство России в среду приняло новые "
                    "правила для городского транспорта и пригородных поездов.</p>")
    assert (article.language, article.sources["language"], article.direction) == ("ru", Layer.DETECTED, "ltr")
    arabic = plain("<h1>الحكومة تقر قواعد جديدة</h1><p>أقرت الحكومة يوم الأربعاء قواعد جديدة للنقل في المدينة "
                   "والقطارات التي تربط الضواحي بالمركز.</p>")
    assert (arabic.language, arabic.sources["language"], arabic.direction) == ("ar", Layer.DETECTED, "rtl")


def test_a_page_with_neither_title_nor_text_has_no_language():
    article = plain("<div></div>")
    assert article.language is None
    assert "language" not in article.sources


# section -------------------------------------------------------------------------------------------

def test_the_breadcrumb_gives_the_section_path_and_its_last_entry():
    article = profiled("<nav class='crumbs'><a>Home</a><a> </a><a>World</a><a>Europe</a></nav>"
                       "<h1 class='headline'>Rain</h1>" + STORY, head="<meta property='article:section' content='Sport'>")
    assert (article.section_path, article.section) == (["Home", "World", "Europe"], "Europe")
    assert article.sources["section_path"] == Layer.PROFILE


def test_without_a_breadcrumb_the_metadata_section_is_the_path():
    article = plain("<h1>Rain</h1>", head="<meta property='article:section' content='Weather'>")
    assert (article.section_path, article.section, article.sources["section_path"]) == (
        ["Weather"], "Weather", Layer.OPENGRAPH)
    article = plain("<h1>Rain</h1>")
    assert (article.section_path, article.section) == ([], None)


# titles: the h1 as a headline ------------------------------------------------------------------

def test_inline_parts_of_an_h1_are_the_headline_and_a_subtitle_part_is_not():
    assert plain("<h1><span>Rain</span> in <em>Spain</em></h1>").title == "Rain in Spain"
    assert plain("<h1>Rain in Spain <span class='subtitle'>and in France</span></h1>").title == "Rain in Spain"
    assert plain("<h1>Rain in Spain <small>and in France</small></h1>").title == "Rain in Spain"


# comments read through the profile ---------------------------------------------------------------

MINIMAL = profile_from_dict({
    "name": "minimal", "sites": [{"name": "Minimal", "code": "mi", "hosts": ["minimal.example"]}],
    "urls": {}, "selectors": {"article": {
        "title": "h1", "body": "div.story", "comments": "li.c", "comment_body": "p"}, "listing": {}},
})


def test_comment_ids_come_from_the_profile_attribute_else_the_id_less_its_prefix():
    comments = ("<h4 class='count'>4</h4><ol class='comments'>"
                "<li class='comment' data-cid='77' id='comment-1'><p class='said'>First</p></li>"
                "<li class='comment' id='li-comment_5'><p class='said'>Second</p></li>"
                "<li class='comment' id='div-comment-6'><p class='said'>Third</p></li>"
                "<li class='comment' id='mycomment-7'><p class='said'>Fourth</p></li></ol>")
    article = profiled("<h1 class='headline'>Rain</h1>" + STORY + comments)
    assert [c.site_comment_id for c in article.comments] == ["77", "5", "6", "mycomment-7"]
    assert [c.body_text for c in article.comments] == ["First", "Second", "Third", "Fourth"]


def test_without_a_profile_attribute_comment_ids_are_read_from_data_comment_id():
    article = parse_article("https://minimal.example/a", page(
        "<h1>Rain</h1>" + STORY + "<ul><li class='c' data-comment-id='5' id='comment-9'><p>Hello</p></li>"
        "<li class='c'><span>no paragraph</span></li><li class='c'></li></ul>"), MINIMAL)
    # The profile's body selector (p) misses the second: its text is read as markup reads a comment's.
    assert [(c.site_comment_id, c.body_text) for c in article.comments] == [
        ("5", "Hello"), (None, "no paragraph"), (None, "")]


def test_a_comment_date_is_read_in_the_article_language():
    comments = ("<ol class='comments'><li class='comment' data-cid='1'><span class='who'>سارة</span>"
                "<time class='when'>03/04/2024</time><p class='said'>شكرا</p></li></ol>")
    article = profiled("<h1 class='headline'>مطر</h1>" + STORY + comments,
                       url="https://planet.example/ar/news/2024/05/20/rain")
    assert [(c.author_name, c.posted_at, c.posted_at_raw) for c in article.comments] == [
        ("سارة", "2024-04-03", "03/04/2024")]


def test_a_numeric_date_is_read_in_the_order_of_the_pages_region():
    # dateparser told "en" reads 03/04/2024 as an American would (4 March); the profile's locale
    # (en_GB) or the page's declared lang says which order the page writes.
    comment = ("<ol class='comments'><li class='comment' data-cid='1'><time class='when'>03/04/2024 14:05</time>"
               "<p class='said'>Thanks</p></li></ol>")
    british = profiled("<h1 class='headline'>Rain</h1>" + STORY + comment)
    assert [c.posted_at for c in british.comments] == ["2024-04-03T14:05:00Z"]
    undated = "https://news.example/story"
    for lang, day in [("en-GB", "2024-04-03"), ("en-US", "2024-03-04"), ("en", "2024-03-04"), ("en-x-twain", "2024-03-04"),
                      ("en-ZZ", "2024-03-04")]:  # a region dateparser does not know: its language's order
        article = parse_article(undated, page("<h1>Rain</h1><p class='date'>Published 03/04/2024</p>" + STORY,
                                              html_attributes=f" lang='{lang}'"))
        assert (lang, article.published_at) == (lang, day)


def test_comment_parts_the_profiles_selectors_miss_are_read_as_markup_reads_them():
    # A redesign the guesses (.who, time.when, .said) missed stored every comment with no text, no
    # author and no time, as complete. The first item fits the profile, and is read by it alone.
    comments = ("<h4 class='count'>2</h4><ol class='comments'>"
                "<li class='comment' data-cid='1'><span class='who'>Ana</span><time class='when'>3 May 2024</time>"
                "<p class='said'>Said by the profile</p><p>Not the profile's part</p></li>"
                "<li class='comment' data-cid='2'><div class='comment-meta'><cite class='fn'>Li Wei</cite> "
                "<span class='comment-date'>4 May 2024</span></div><div class='comment-text'><p>Read as markup</p></div>"
                "<a class='comment-reply-link' href='#reply'>Reply</a></li></ol>")
    article = profiled("<h1 class='headline'>Rain</h1>" + STORY + comments)
    assert [(c.site_comment_id, c.author_name, c.posted_at_raw, c.posted_at, c.body_text) for c in article.comments] == [
        ("1", "Ana", "3 May 2024", "2024-05-03", "Said by the profile"),
        ("2", "Li Wei", "Li Wei 4 May 2024", "2024-05-04", "Read as markup")]  # the meta part is the time's
    assert (article.sources["comments"], article.comments_status) == (Layer.PROFILE, "complete")


def test_a_flat_comment_list_threads_the_replies_by_the_parent_they_name():
    comments = ("<ol class='comments'>"
                "<li class='comment' data-cid='1'><p class='said'>First</p></li>"
                "<li class='comment' data-cid='2' data-parent-id='1'><p class='said'>A reply</p></li>"
                "<li class='comment' data-cid='3' data-parent-id='2'><p class='said'>Its reply</p></li>"
                "<li class='comment' data-cid='4' data-parent-id='99'><p class='said'>To one not shown</p></li>"
                "<li class='comment' data-cid='5'><p class='said'>Second</p>"
                "<ol><li class='comment' data-cid='6' data-parent-id='1'><p class='said'>Nested</p></li></ol></li></ol>")
    article = profiled("<h1 class='headline'>Rain</h1>" + STORY + comments)
    # Nesting, where there is some, says more than an attribute (6 is nested in 5); a reply to a
    # comment not on the page is shown at the top (as the markup layer counts it).
    assert [(c.site_comment_id, c.parent_id, c.depth) for c in article.comments] == [
        ("1", None, 0), ("2", "1", 1), ("3", "2", 2), ("4", "99", 0), ("5", None, 0), ("6", "5", 1)]


def test_a_profiled_byline_over_two_lines_names_its_author_on_one():
    article = profiled("<h1 class='headline'>Rain</h1><p class='byline'>By Ana Ruiz<br>Lisbon</p>" + STORY)
    assert ([a.name for a in article.authors], article.byline_raw) == (["Ana Ruiz"], "By Ana Ruiz Lisbon")


# authors from metadata ---------------------------------------------------------------------------

def test_one_metadata_author_is_split_like_a_byline_and_several_are_kept_as_names():
    article = plain("<h1>Rain</h1>", head="<meta name='author' content='Ana Ruiz and Li Wei'>")
    assert [(a.name, a.position) for a in article.authors] == [("Ana Ruiz", 0), ("Li Wei", 1)]
    jsonld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Rain", '
              '"author": [{"@type": "Person", "name": "Ana Ruiz"}, {"@type": "Person", "name": "Li Wei"}]}</script>')
    article = plain("<h1>Rain</h1>", head=jsonld)
    assert [(a.name, a.position) for a in article.authors] == [("Ana Ruiz", 0), ("Li Wei", 1)]
    assert article.sources["authors"] == Layer.JSONLD


# photos --------------------------------------------------------------------------------------------

def test_a_figure_is_read_by_the_profile_image_and_caption_selectors():
    lead = ("<figure class='lead'><img src='/icons/zoom.png'><img class='pic' src='/img/rain.jpg' width='640' "
            "height='480' alt=' Rain '><figcaption>Zoom</figcaption><figcaption class='cap'>Rain in Madrid</figcaption>"
            "</figure>")
    article = profiled(lead + "<h1 class='headline'>Rain</h1>" + STORY)
    assert [(p.url, p.caption, p.alt, p.width, p.height, p.is_lead, p.position) for p in article.photos] == [
        ("https://planet.example/img/rain.jpg", "Rain in Madrid", "Rain", 640, 480, True, 0)]
    assert article.sources["photos"] == Layer.PROFILE


def test_a_photo_size_comes_from_the_image_url_pattern_else_its_attributes():
    lead = "<figure class='lead'><img class='pic' src='/img/rain-1200x800.jpg' width='300' height='200'></figure>"
    inline = ("<figure class='inline'><img class='pic' src='/img/sun.jpg' width='auto' height='150'></figure>")
    story = f"<div class='story'><p>The rain in Spain stays mainly in the plain.</p>{inline}</div>"
    article = profiled(lead + "<h1 class='headline'>Rain</h1>" + story)
    assert [(p.url, p.width, p.height, p.is_lead, p.position) for p in article.photos] == [
        ("https://planet.example/img/rain-1200x800.jpg", 1200, 800, True, 0),
        ("https://planet.example/img/sun.jpg", None, 150, False, 1)]


# body from metadata: does it cover the page's prose? -------------------------------------------------

def _prose(length: int, word: str = "rain") -> str:
    text = (f"{word} " * length)[:length]
    return text[:-1] + "." if text.endswith(" ") else text


# The page's prose: 60 + 40 characters in paragraphs of 40 or more; the 39-character paragraph and
# the paragraphs in navigation, header, footer, aside and a comment do not count (and come first).
PROSE_PAGE = (
    "<nav><p>" + _prose(100, "nav") + "</p></nav><header><p>" + _prose(100, "head") + "</p></header>"
    "<footer><p>" + _prose(100, "foot") + "</p></footer><aside><p>" + _prose(100, "side") + "</p></aside>"
    "<div class='comment' id='comment-3'><p>" + _prose(100, "said") + "</p></div>"
    "<h1>Rain</h1><p>" + _prose(39, "wet") + "</p><p>" + _prose(60) + "</p><p>" + _prose(40, "snow") + "</p>"
)


def _jsonld_body(text: str) -> str:
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", "articleBody": "{text}"}}</script>'


@pytest.mark.parametrize(("length", "kept"), [(60, True), (59, False)])
def test_a_metadata_body_is_kept_when_it_holds_six_tenths_of_the_page_prose(length, kept):
    body = _prose(length, "drop")
    article = plain(PROSE_PAGE, head=_jsonld_body(body))
    assert (article.body_text == body) is kept
    assert (article.sources.get("body_text") == Layer.JSONLD) is kept


def test_a_metadata_body_loses_the_captions_and_link_texts_the_page_shows():
    head = _jsonld_body("Rain fell on Madrid all day long.\\nPhoto by Ana\\nRead also: Snow in Oslo\\n\\nIt stopped at night.")
    article = plain("<h1>Rain</h1><figure><figcaption>Photo by Ana</figcaption></figure>"
                    "<a href='/snow'>Read also: Snow in Oslo</a>", head=head)
    assert article.body_text == "Rain fell on Madrid all day long.\n\nIt stopped at night."
    assert [b.kind for b in article.body_blocks] == ["paragraph", "paragraph"]


# body blocks from the profile's body element ------------------------------------------------------

def test_body_blocks_follow_the_profile_block_selector():
    story = ("<div class='story'><figure><p>In a figure</p></figure><p>First <a href='more'>more</a></p>"
             "<blockquote><p>Quoted</p></blockquote><h2>Later</h2></div>")
    article = parse_article(URL, page("<base href='https://cdn.example/x/'><h1 class='headline'>Rain</h1>" + story),
                            PROFILE)
    assert [(b.kind, b.text) for b in article.body_blocks] == [
        ("paragraph", "First more"), ("quote", "Quoted"), ("quote", "Quoted"), ("heading", "Later")]
    assert [(link.url, link.text) for link in article.body_blocks[0].links] == [("https://cdn.example/x/more", "more")]
    assert not [warning for warning in article.warnings if "body_blocks" in warning]


def test_text_the_block_selector_leaves_out_has_the_body_element_read_whole_with_a_warning():
    # The selector was written for the markup seen; a subheading in a tag it does not name is the
    # story's text all the same (it was dropped without a word before).
    story = ("<div class='story'><figure><p>In a figure</p></figure><p>First <a href='more'>more</a></p>"
             "<h3>Not in the selector</h3><blockquote><p>Quoted</p></blockquote><h2>Later</h2></div>")
    article = parse_article(URL, page("<base href='https://cdn.example/x/'><h1 class='headline'>Rain</h1>" + story),
                            PROFILE)
    assert [(b.kind, b.text) for b in article.body_blocks] == [
        ("paragraph", "First more"), ("heading", "Not in the selector"), ("quote", "Quoted"), ("heading", "Later")]
    assert [(link.url, link.text) for link in article.body_blocks[0].links] == [("https://cdn.example/x/more", "more")]
    assert article.sources["body_text"] == Layer.PROFILE
    assert [warning for warning in article.warnings if "body_blocks" in warning] == [
        "profile: the body_blocks selector (p, h2, blockquote) left 1 block(s) of the body element out "
        "(first: 'Not in the selector'): the element was read whole"]


def test_without_a_block_selector_paragraphs_and_headings_h2_to_h4_are_blocks():
    story = "<div class='story'><p>One</p><h3>Two</h3><h4>Four</h4><h5>Five</h5></div>"
    article = parse_article("https://minimal.example/a", page("<h1>Rain</h1>" + story), MINIMAL)
    # h5 is not in the default selector: the element is read whole (the test above), h5 a heading.
    assert [(b.kind, b.text) for b in article.body_blocks] == [
        ("paragraph", "One"), ("heading", "Two"), ("heading", "Four"), ("heading", "Five")]
    story = "<div class='story'><p>One</p><h3>Two</h3><h4>Four</h4></div>"
    article = parse_article("https://minimal.example/a", page("<h1>Rain</h1>" + story), MINIMAL)
    assert [(b.kind, b.text) for b in article.body_blocks] == [("paragraph", "One"), ("heading", "Two"), ("heading", "Four")]
    assert not [warning for warning in article.warnings if "body_blocks" in warning]


def test_a_story_inside_a_page_wide_form_and_list_item_keeps_its_blocks_and_kinds():
    story = "<form id='aspnetForm'><ul><li><div class='story'><p>One</p><p>Two</p></div></li></ul></form>"
    article = parse_article("https://minimal.example/a", page("<h1>Rain</h1>" + story), MINIMAL)
    assert [(b.kind, b.text) for b in article.body_blocks] == [("paragraph", "One"), ("paragraph", "Two")]


# the profile fits the page, or the cheaper any-site layers read it -------------------------------------

DATED = "<p class='meta'>Posted on 2024-05-19</p>"
UNDATED_URL = "https://planet.example/en_GB/story/rain"


@pytest.mark.parametrize(("body", "published_at"), [
    ("<h1 class='headline'>Rain</h1>" + STORY + DATED, None),  # the profile reads the page: no generic date
    ("<h1>Rain</h1>" + STORY + DATED, "2024-05-19"),  # no title by the profile's selector
    ("<h1 class='headline'>Rain</h1><div class='story'> </div>" + DATED, "2024-05-19"),  # an empty story
    ("<h1 class='headline'>Rain</h1>" + DATED, "2024-05-19"),  # no story element
])
def test_the_generic_date_is_read_only_where_the_profile_does_not_fit(body, published_at):
    article = parse_article(UNDATED_URL, page(body), PROFILE)
    assert article.published_at == published_at
    assert article.sources.get("published_at") == (Layer.GENERIC if published_at else None)


def test_a_profiled_page_outside_the_locales_reads_its_declared_language():
    article = parse_article("https://planet.example/news/regen", page("<h1 class='headline'>Regen</h1>" + STORY),
                            PROFILE)
    assert (article.locale, article.language, article.sources["language"]) == (None, "en", Layer.DETECTED)
    article = parse_article("https://planet.example/news/regen",
                            page("<h1 class='headline'>Regen</h1>" + STORY, html_attributes=" lang='de-AT'"), PROFILE)
    assert (article.locale, article.language, article.sources["language"]) == (None, "de", Layer.META)


# which h1 is the headline -----------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "title"), [
    ("<h1 class='sr-only'>Daily News</h1><h1>Rain</h1>", "Rain"),
    ("<h1 hidden>Menu</h1><h1>Rain</h1>", "Rain"),
    ("<h1 class='logo'>Daily News</h1><h1>Rain</h1>", "Rain"),
    ("<h1 id='site-title'>Daily News</h1><h1>Rain</h1>", "Rain"),
    ("<div class='brand'><div><h1>Daily News</h1></div></div><h1>Rain</h1>", "Rain"),
    # an ancestor three levels up no longer marks the heading
    ("<div class='brand'><div><div><h1>Weekly Digest</h1></div></div></div><h1>Rain</h1>", "Weekly Digest"),
    ("<h1><a href='/'>Daily News</a></h1><h1>Rain</h1>", "Rain"),
    ("<h1><a href='https://news.example'>Daily News</a></h1><h1>Rain</h1>", "Rain"),
    ("<h1><a rel='home' href='https://elsewhere.example/x'>Daily News</a></h1><h1>Rain</h1>", "Rain"),
    ("<h1><a href='https://partner.example/'>Partner Digest</a></h1><h1>Rain</h1>", "Partner Digest"),
    ("<h1><a href='/2024/rain'>Rain in Spain</a></h1>", "Rain in Spain"),
    ("<h1><a name='top'>Rain in Spain</a></h1>", "Rain in Spain"),
])
def test_an_h1_that_is_hidden_or_the_site_logo_is_no_headline(body, title):
    article = plain(body)
    assert (article.title, article.sources["title"]) == (title, Layer.MARKUP)


def test_a_logo_class_on_the_body_element_does_not_make_every_h1_a_logo():
    article = parse_article("https://news.example/story", "<html><body class='home wp-custom-logo'><h1>Rain</h1></body></html>")
    assert (article.title, article.sources["title"]) == ("Rain", Layer.MARKUP)


def test_the_title_layer_is_the_metadata_that_holds_it_else_the_generic_rules():
    head = ("<meta property='og:title' content='Rain in Spain | Daily Planet'>"
            "<meta property='og:site_name' content='Daily Planet'>")
    article = plain("<p>No heading here.</p>", head=head)
    assert (article.title, article.sources["title"]) == ("Rain in Spain", Layer.OPENGRAPH)
    article = plain("<p>No heading here.</p>", head="<title>Rain in Spain - Daily Planet</title>")
    assert (article.title, article.sources["title"]) == ("Rain in Spain", Layer.GENERIC)


# dates from metadata --------------------------------------------------------------------------------

def test_a_utc_date_gives_way_to_the_same_moment_in_local_time_as_the_text_kept():
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-05-20T22:30:00Z"}'
            '</script><meta property="article:published_time" content="2024-05-21T00:30:00+02:00">')
    article = plain("<h1>Rain</h1>", head=head)
    assert (article.published_at, article.published_at_raw, article.sources["published_at"]) == (
        "2024-05-20T22:30:00Z", "2024-05-21T00:30:00+02:00", Layer.OPENGRAPH)


# photos of a page no profile describes -----------------------------------------------------------------

def test_markup_photos_are_looked_for_in_the_microdata_article_body():
    prose = "<p>" + _prose(80) + "</p>"
    body = ("<main><figure><img src='/promo.jpg'></figure><h1>Rain</h1>"
            "<div itemscope itemtype='https://schema.org/NewsArticle'><div itemprop='articleBody'>"
            f"<figure><img src='/rain.jpg'></figure>{prose}</div></div></main>")
    article = plain(body)
    assert [(p.url, p.is_lead) for p in article.photos] == [("https://news.example/rain.jpg", True)]
    assert article.sources["photos"] == Layer.MARKUP


# dates and authors ----------------------------------------------------------------------------------

def test_a_printed_date_is_read_in_the_locale_language():
    article = profiled("<h1 class='headline'>مطر</h1><p class='date'>03/04/2024</p>" + STORY,
                       url="https://planet.example/ar/story/rain")
    assert (article.published_at, article.published_at_raw, article.sources["published_at"]) == (
        "2024-04-03", "03/04/2024", Layer.PROFILE)
    assert article.warnings == []


def test_an_unreadable_printed_date_gives_way_to_the_url_with_a_warning():
    article = profiled("<h1 class='headline'>Rain</h1><p class='date'>sometime soon</p>" + STORY)
    assert (article.published_at, article.published_at_raw, article.sources["published_at"]) == (
        "2024-05-20", "sometime soon", Layer.URL)
    assert article.warnings == ["published_at: cannot read the date 'sometime soon'; used the URL's"]


def test_the_modified_date_is_read_from_metadata_in_the_page_language():
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "dateModified": "03.04.2024"}</script>'
    article = plain("<h1>Regen</h1>", head=head, html_attributes=" lang='de'")
    assert (article.modified_at, article.modified_at_raw, article.sources["modified_at"]) == (
        "2024-04-03", "03.04.2024", Layer.JSONLD)


def test_the_profile_author_elements_give_the_names_and_the_byline_as_printed():
    byline = "<p class='byline'>By <span class='author'>Ana Ruiz</span> and <span class='author'>Li Wei</span></p>"
    article = profiled("<h1 class='headline'>Rain</h1>" + byline + STORY)
    assert article.byline_raw == "By Ana Ruiz and Li Wei"
    assert [(a.name, a.position) for a in article.authors] == [("Ana Ruiz", 0), ("Li Wei", 1)]
    assert article.sources["authors"] == Layer.PROFILE


def test_a_page_with_a_title_alone_has_its_language_detected_from_the_title():
    article = plain("<h1>Правительство России приняло новые правила для городского транспорта</h1>")
    assert article.body_text is None
    assert (article.language, article.sources["language"]) == ("ru", Layer.DETECTED)


# comment lines of the generic layer ------------------------------------------------------------------

GENERIC_STORY = "<article><h1>Bridge reopens</h1>" + "".join(
    f"<p>Paragraph {n} of the report on the bridge over the river, with enough words to count as text.</p>"
    for n in range(6)) + "</article>"


def _generic_section(heading: str, entries: list[str]) -> str:
    items = "".join(f"<div class='entry'><p>{entry}</p></div>" for entry in entries)
    return f"<div id='comments'><h3>{heading}</h3><div class='entries'>{items}</div></div>"


FIRST = "Finally the bridge is open again after two long years of waiting for it."
SECOND = "The traders on the market square will be glad to hear this news today."


def test_generic_comment_lines_are_kept_less_headings_links_and_the_headline():
    teaser = "<div class='entry'><p><a href='/other'>Read the story about the old ferry across the river</a></p></div>"
    section = _generic_section("3 Comments", [FIRST, "Bridge reopens", SECOND]).replace("</div></div>", teaser + "</div></div>")
    article = plain(GENERIC_STORY + section, url="https://town.example/2024/03/bridge-reopens/")
    assert [(c.body_text, c.position) for c in article.comments] == [(FIRST, 0), (SECOND, 1)]
    assert (article.sources["comments"], article.comment_count) == (Layer.GENERIC, 3)


@pytest.mark.parametrize(("heading", "kept"), [("2 Comments", True), ("Discussion", True), ("0 Comments", False)])
def test_generic_comment_lines_need_a_counter_above_zero_or_a_list_of_comments(heading, kept):
    article = plain(GENERIC_STORY + _generic_section(heading, [FIRST, SECOND]),
                    url="https://town.example/2024/03/bridge-reopens/")
    assert [c.body_text for c in article.comments] == ([FIRST, SECOND] if kept else [])


# authors: the profile byline, metadata, the byline shown ------------------------------------------------

def test_a_profile_byline_without_author_elements_is_split():
    article = profiled("<h1 class='headline'>Rain</h1><p class='byline'>By Ana Ruiz and Li Wei</p>" + STORY)
    assert [(a.name, a.position) for a in article.authors] == [("Ana Ruiz", 0), ("Li Wei", 1)]
    assert (article.byline_raw, article.sources["authors"]) == ("By Ana Ruiz and Li Wei", Layer.PROFILE)


SHOWN_BYLINE = "<div class='author-line'>By Ana Ruiz</div>"


def test_a_byline_shown_in_full_is_preferred_to_a_short_metadata_name_on_any_site():
    article = plain("<h1>Rain</h1>" + SHOWN_BYLINE, head="<meta name='author' content='Ana'>")
    assert [a.name for a in article.authors] == ["Ana Ruiz"]
    assert (article.byline_raw, article.sources["authors"]) == ("By Ana Ruiz", Layer.MARKUP)


def test_on_a_profiled_page_metadata_names_win_and_keep_the_byline_as_printed():
    head = "<meta name='author' content='Ana'>"
    article = profiled("<h1 class='headline'>Rain</h1>" + SHOWN_BYLINE + STORY, head=head)
    assert [a.name for a in article.authors] == ["Ana"]
    assert (article.byline_raw, article.sources["authors"]) == ("By Ana Ruiz", Layer.META)
    article = profiled("<h1 class='headline'>Rain</h1>" + SHOWN_BYLINE + STORY,
                       head="<meta name='author' content='Li Wei'>")
    assert [a.name for a in article.authors] == ["Li Wei"]
    assert article.byline_raw is None


def test_jsonld_names_written_as_shown_stay_the_metadata_s():
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Ana Ruiz"}}</script>'
    article = plain("<h1>Rain</h1>" + SHOWN_BYLINE, head=head)
    assert [a.name for a in article.authors] == ["Ana Ruiz"]
    assert (article.byline_raw, article.sources["authors"]) == ("By Ana Ruiz", Layer.JSONLD)


# the body less what other fields hold, where the profile does not fit ------------------------------------

def _story_with_furniture(title_class: str) -> str:
    lead = "<figure class='lead'><img class='pic' src='/img/rain.jpg'><figcaption class='cap'>Rain in Madrid</figcaption></figure>"
    story = ("<div class='story'><p class='byline'>By Ana Ruiz</p><p>Prose one.</p><p>Rain in Madrid</p>"
             "<p>Prose two.</p><p>Thanks for the report.</p></div>")
    comments = ("<ol class='comments'><li class='comment' data-cid='1'><p class='said'>Thanks for the report.</p></li></ol>")
    return f"<h1 class='{title_class}'>Rain</h1>{lead}{story}{comments}"


def test_a_body_the_profile_does_not_vouch_for_loses_the_byline_captions_and_comments():
    article = profiled(_story_with_furniture("title"))
    assert article.sources["body_text"] == Layer.PROFILE
    assert article.body_text == "Prose one.\n\nProse two."
    assert [b.text for b in article.body_blocks] == ["Prose one.", "Prose two."]


def test_a_body_the_profile_reads_keeps_every_block():
    article = profiled(_story_with_furniture("headline"))
    assert article.body_text == "By Ana Ruiz\n\nProse one.\n\nRain in Madrid\n\nProse two.\n\nThanks for the report."


def test_a_body_made_only_of_other_fields_lines_is_kept_whole():
    article = profiled("<h1>Rain</h1><div class='story'><p class='byline'>By Ana Ruiz</p></div>")
    assert article.body_text == "By Ana Ruiz"


# comment counts and completeness -------------------------------------------------------------------------

def _profiled_comments(count: str, items: int) -> str:
    listed = "".join(f"<li class='comment' data-cid='{n}'><p class='said'>Reply {chr(65 + n)} to the story.</p></li>"
                     for n in range(items))
    counter = f"<h4 class='count'>{count}</h4>" if count else ""
    return "<h1 class='headline'>Rain</h1>" + STORY + counter + f"<ol class='comments'>{listed}</ol>"


@pytest.mark.parametrize(("count", "items", "shown", "complete", "status"), [
    ("2 comments", 2, 2, True, "complete"),
    ("3 comments", 2, 3, False, "unreached"),
    ("", 2, None, True, "complete"),
    ("1 comment", 2, 1, True, "complete"),
    ("0 comments", 0, 0, True, "none"),
    ("Comments", 1, None, True, "complete"),
    ("١٢ تعليق", 0, 12, False, "unreached"),
])
def test_profile_comments_are_complete_when_no_fewer_than_the_counter(count, items, shown, complete, status):
    article = profiled(_profiled_comments(count, items))
    assert (article.comment_count, article.comments_complete, article.comments_status) == (shown, complete, status)
    assert len(article.comments) == items
    assert article.comment_count_raw == (count or None)
    assert article.sources.get("comment_count") == (Layer.PROFILE if count else None)


def _markup_comments(count: str, items: int) -> str:
    listed = "".join(f"<li class='comment' id='comment-{n}'><div class='comment-content'><p>Comment number {n} "
                     f"on the bridge.</p></div></li>" for n in range(items))
    counter = f"<h3 class='comments-title'>{count}</h3>" if count else ""
    return f"<h1>Rain</h1><div id='comments'>{counter}<ol class='comment-list'>{listed}</ol></div>"


@pytest.mark.parametrize(("count", "items", "complete", "status"), [
    ("2 Comments", 2, True, "complete"),
    ("3 Comments", 2, False, "unreached"),
    ("", 2, False, "complete"),
])
def test_markup_comments_are_complete_only_against_a_counter(count, items, complete, status):
    article = plain(_markup_comments(count, items))
    assert (article.sources["comments"], len(article.comments)) == (Layer.MARKUP, items)
    assert (article.comments_complete, article.comments_status) == (complete, status)
    assert article.sources.get("comment_count") == (Layer.MARKUP if count else None)


# titles: publishers and the host name are no headline ---------------------------------------------------

def test_an_h1_naming_the_publisher_or_the_host_is_no_headline():
    assert plain("<h1>Daily Planet</h1><h1>Rain</h1>", head="<meta property='og:site_name' content='Daily Planet'>").title == "Rain"
    assert plain("<h1>News Example</h1><h1>Rain</h1>").title == "Rain"


def test_a_jsonld_headline_comes_before_the_opengraph_title():
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Rain in Spain"}</script>'
            "<meta property='og:title' content='Weather today'>")
    article = plain("<p>No heading.</p>", head=head)
    assert (article.title, article.sources["title"]) == ("Rain in Spain", Layer.JSONLD)


@pytest.mark.parametrize("element", ["<a href='/most-read'>{}</a>", "<h2>{}</h2>", "<h3>{}</h3>", "<h4>{}</h4>",
                                     "<h5>{}</h5>", "<h6>{}</h6>"])
def test_a_generic_comment_line_that_a_link_or_heading_shows_is_dropped(element):
    teaser = "The ferry across the river will stop running in the spring, the council says."
    aside = "<aside>" + element.format(teaser) + "</aside>"
    article = plain(GENERIC_STORY + aside + _generic_section("3 Comments", [FIRST, teaser, SECOND]),
                    url="https://town.example/2024/03/bridge-reopens/")
    assert [c.body_text for c in article.comments] == [FIRST, SECOND]


# metadata dates that disagree: the date the page shows settles them -------------------------------------

def _dated_head(jsonld: str, opengraph: str) -> str:
    return (f'<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": "{jsonld}"}}</script>'
            f'<meta property="article:published_time" content="{opengraph}">')


@pytest.mark.parametrize(("jsonld", "shown", "expected"), [
    # JSON-LD and OpenGraph disagree on the day: the one the page shows under the headline wins
    ("2024-05-20T09:00:00+02:00", "21 May 2024", ("2024-05-21T07:00:00Z", "2024-05-21T09:00:00+02:00", Layer.OPENGRAPH)),
    ("2024-05-20T09:00:00+02:00", "20 May 2024", ("2024-05-20T07:00:00Z", "2024-05-20T09:00:00+02:00", Layer.JSONLD)),
    # they agree on the day: the most trusted layer's text, whatever the page shows
    ("2024-05-21T06:00:00+02:00", "20 May 2024", ("2024-05-21T04:00:00Z", "2024-05-21T06:00:00+02:00", Layer.JSONLD)),
])
def test_metadata_that_disagree_on_the_day_are_settled_by_the_date_shown(jsonld, shown, expected):
    article = plain(f"<h1>Rain</h1><p class='date'>{shown}</p>", head=_dated_head(jsonld, "2024-05-21T09:00:00+02:00"))
    assert (article.published_at, article.published_at_raw, article.sources["published_at"]) == expected


def test_a_microdata_date_does_not_count_as_metadata_that_disagrees():
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-05-20"}</script>'
    body = ("<div itemscope itemtype='https://schema.org/NewsArticle'><h1 itemprop='headline'>Rain</h1>"
            "<time itemprop='datePublished' datetime='2024-05-21'>21 May 2024</time></div>")
    article = plain(body, head=head)
    assert (article.published_at, article.sources["published_at"]) == ("2024-05-20", Layer.JSONLD)


def test_a_plain_meta_date_gives_way_to_the_date_shown():
    article = plain("<h1>Rain</h1><p class='date'>20 May 2024</p>", head="<meta name='date' content='2024-05-25'>")
    assert (article.published_at, article.published_at_raw, article.sources["published_at"]) == (
        "2024-05-20", "2024-05-20", Layer.MARKUP)
    article = plain("<h1>Rain</h1><p class='date'>25 May 2024</p>", head="<meta name='date' content='2024-05-25'>")
    assert (article.published_at, article.published_at_raw, article.sources["published_at"]) == (
        "2024-05-25", "2024-05-25", Layer.META)


# more edges: author elements, photos, scripts, languages ------------------------------------------------

def test_author_elements_are_read_inside_the_first_profile_byline_only():
    bylines = ("<p class='byline'><span class='author'>Ana Ruiz</span> <span class='author'>Li Wei</span></p>"
               + STORY + "<p class='byline'><span class='author'>Omar Haddad</span></p>")
    article = profiled("<h1 class='headline'>Rain</h1>" + bylines)
    assert [a.name for a in article.authors] == ["Ana Ruiz", "Li Wei"]
    assert article.byline_raw == "Ana Ruiz Li Wei"


def test_a_profile_lead_figure_without_an_image_gives_no_photo():
    article = profiled("<figure class='lead'><figcaption class='cap'>No image</figcaption></figure>"
                       "<h1 class='headline'>Rain</h1>" + STORY)
    assert article.photos == []
    assert "photos" not in article.sources


def test_a_fitting_profile_keeps_the_story_figures_its_selectors_miss_and_not_those_outside_it():
    # Until stop 58 a fitting profile with a lead photo ignored every other figure: a figure of a
    # class its body_photos selector did not name was lost without a word.
    story = ("<div class='story'><p>The rain in Spain stays mainly in the plain, the forecasters said.</p>"
             "<figure class='wide'><img src='/img/extra.jpg'></figure></div>"
             "<aside><figure><img src='/img/other-story.jpg'></figure></aside>")
    article = profiled("<article><figure class='lead'><img class='pic' src='/img/rain.jpg'></figure>"
                       "<h1 class='headline'>Rain</h1>" + story + "</article>"
                       "<div class='related'><figure><img src='/img/teaser.jpg'></figure></div>")
    assert [(p.url, p.is_lead, p.position) for p in article.photos] == [
        ("https://planet.example/img/rain.jpg", True, 0), ("https://planet.example/img/extra.jpg", False, 1)]
    assert article.sources["photos"] == Layer.MARKUP
    only_named = profiled("<figure class='lead'><img class='pic' src='/img/rain.jpg'></figure>"
                          "<h1 class='headline'>Rain</h1>" + STORY)
    assert only_named.sources["photos"] == Layer.PROFILE


def test_comments_loaded_by_script_are_unreached():
    article = plain("<h1>Rain</h1><div id='disqus_thread'></div>")
    assert (article.comments, article.comments_complete, article.comments_status) == ([], False, "unreached")


def test_a_profiled_page_outside_the_locales_follows_its_dir_attribute():
    article = parse_article("https://planet.example/news/rain",
                            page("<h1 class='headline'>مطر</h1>" + STORY, html_attributes=" lang='ar' dir='rtl'"), PROFILE)
    assert (article.locale, article.language, article.direction) == (None, "ar", "rtl")


def test_a_logo_class_on_the_html_element_does_not_make_the_h1_a_logo():
    article = parse_article("https://news.example/story", "<html class='brand-theme'><body><h1>Rain</h1></body></html>")
    assert (article.title, article.sources["title"]) == ("Rain", Layer.MARKUP)


def test_the_language_is_detected_from_the_body_as_well_as_the_title():
    story = ("<h1>Update</h1><div class='story'><p>Правительство России в среду приняло новые правила для "
             "городского транспорта и пригородных поездов.</p></div>")
    article = parse_article("https://minimal.example/a", page(story), MINIMAL)
    assert (article.language, article.sources["language"]) == ("ru", Layer.DETECTED)


def test_a_shown_date_is_read_in_the_page_language():
    article = plain("<h1>Regen</h1><p class='date'>03.04.2024</p>", html_attributes=" lang='de'")
    assert (article.published_at, article.sources["published_at"]) == ("2024-04-03", Layer.GENERIC)
    article = plain("<h1>Regen</h1><p class='date'>03.04.2024</p>", head="<meta name='date' content='2024-05-25'>",
                    html_attributes=" lang='de'")
    assert (article.published_at, article.sources["published_at"]) == ("2024-04-03", Layer.MARKUP)


def test_disagreeing_metadata_are_settled_by_the_date_nearest_the_headline_in_the_page_language():
    head = _dated_head("2024-05-20T09:00:00+02:00", "2024-05-21T09:00:00+02:00")
    article = plain("<p class='date'>20 May 2024</p><div><p>Menu</p><p>Search</p></div><h1>Rain</h1>"
                    "<p class='date'>21 May 2024</p>", head=head)
    assert (article.published_at_raw, article.sources["published_at"]) == ("2024-05-21T09:00:00+02:00", Layer.OPENGRAPH)
    german = _dated_head("2024-04-03T09:00:00+02:00", "2024-03-04T09:00:00+02:00")
    article = plain("<h1>Regen</h1><p class='date'>03.04.2024</p>", head=german, html_attributes=" lang='de'")
    assert (article.published_at_raw, article.sources["published_at"]) == ("2024-04-03T09:00:00+02:00", Layer.JSONLD)


def test_the_opengraph_title_comes_before_other_meta_titles():
    head = "<meta name='twitter:title' content='Short rain story'><meta property='og:title' content='Rain in Spain'>"
    article = plain("<p>No heading.</p>", head=head)
    assert (article.title, article.sources["title"]) == ("Rain in Spain", Layer.OPENGRAPH)


def test_a_generic_comment_line_that_an_h1_shows_is_dropped():
    teaser = "The ferry across the river will stop running in the spring, the council says."
    article = plain(GENERIC_STORY + f"<aside><h1>{teaser}</h1></aside>" + _generic_section("3 Comments", [FIRST, teaser, SECOND]),
                    url="https://town.example/2024/03/bridge-reopens/")
    assert [c.body_text for c in article.comments] == [FIRST, SECOND]


# authors from the generic layer, less the commenters ---------------------------------------------------

def _commented(username: str, commenter: str) -> str:
    return (f"<h1>Rain</h1><a class='username'>{username}</a><p>The rain in Spain stays mainly in the plain.</p>"
            f"<ol class='comment-list'><li class='comment' id='comment-1'><div class='comment-author'>{commenter}</div>"
            "<div class='comment-content'><p>Wet indeed, as every year.</p></div></li></ol>")


def test_generic_authors_are_split_at_semicolons():
    article = plain(_commented("Ana Ruiz; Li Wei", "Omar Haddad"))
    assert [(a.name, a.position) for a in article.authors] == [("Ana Ruiz", 0), ("Li Wei", 1)]
    assert (article.byline_raw, article.sources["authors"]) == ("Ana Ruiz; Li Wei", Layer.GENERIC)


def test_generic_authors_lose_the_commenters():
    article = plain(_commented("Ana Ruiz; Li Wei", "Ana Ruiz"))
    assert [(a.name, a.position) for a in article.authors] == [("Li Wei", 0)]
    assert article.byline_raw == "Ana Ruiz; Li Wei"
    article = plain(_commented("Ana Ruiz", "Ana Ruiz"))
    assert (article.authors, article.byline_raw, "authors" in article.sources) == ([], None, False)
    # the byline as printed is dropped only when it is a commenter's name
    two = _commented("Ana Ruiz; Omar Haddad", "Ana Ruiz").replace(
        "</ol>", "<li class='comment' id='comment-2'><div class='comment-author'>Omar Haddad</div>"
                 "<div class='comment-content'><p>Dry here, for once.</p></div></li></ol>")
    article = plain(two)
    assert (article.authors, article.byline_raw, "authors" in article.sources) == ([], "Ana Ruiz; Omar Haddad", False)


def test_a_page_the_profile_reads_asks_the_generic_layer_for_no_author():
    article = profiled("<h1 class='headline'>Rain</h1><a class='username'>Ana Ruiz</a>" + STORY)
    assert (article.authors, article.byline_raw, "authors" in article.sources) == ([], None, False)


def test_markup_comment_dates_are_read_in_the_page_language():
    comments = ("<ol class='comment-list'><li class='comment' id='comment-1'><div class='comment-author'>Jonas</div>"
                "<div class='comment-metadata'><time>03.04.2024</time></div>"
                "<div class='comment-content'><p>Endlich ist die Brücke wieder offen.</p></div></li></ol>")
    article = plain("<h1>Brücke</h1>" + comments, html_attributes=" lang='de'")
    assert [(c.author_name, c.posted_at, c.posted_at_raw) for c in article.comments] == [
        ("Jonas", "2024-04-03", "03.04.2024")]
