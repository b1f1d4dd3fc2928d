"""The Diyaruna profile on pages whose markup differs from the one it was written for.

A site's templates change and vary (a story split by an aside, paragraphs written as divs, a lead
photo in a div, an AMP copy, the next story appended below): what the profile's selectors miss is
read by the markup layers or said, never dropped without a word. The pages are written here after
docs/site-markup.md, each varied the way real sites vary theirs.
"""

from __future__ import annotations

from newsarchive.items import Layer
from newsarchive.parsers import parse_page
from newsarchive.profiles import load_profile

URL = "https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03"
PROFILE = load_profile("diyaruna")
IMAGES = "https://diyaruna.com/cnmi_di/images/2019/02/26/"
LEAD = (f"<figure class='article__media article__media--lead'><img class='article__media--img' "
        f"src='{IMAGES}17041-patrol-600_384.jpg' alt='Soldiers'><figcaption class='article__caption'>Soldiers "
        "patrol a road. [Photo courtesy of the Ministry of Defence]</figcaption></figure>")
ONE = "<p class='article__p'>Security forces stepped up patrols in the districts south of Kirkuk on Monday.</p>"
TWO = "<p class='article__p'>Residents said the new checkpoints brought calm to farms targeted at night.</p>"
COMMENTS = ("<section class='comments' id='comments'>{count}<ol class='comments__list'>"
            "<li class='comment' data-comment-id='{first}'><span class='comment__author'>Sara</span>"
            "<div class='comment__body'>Security matters for all of us here.</div></li>"
            "<li class='comment' data-comment-id='{second}'><span class='comment__author'>Hassan</span>"
            "<div class='comment__body'>We hope the families can go home.</div></li></ol>{after}</section>")


def story(title: str = "Patrols stepped up in Kirkuk", lead: str = LEAD, content: str | None = None) -> str:
    content = f"<div class='article__content'>{ONE}{TWO}</div>" if content is None else content
    return (f"<article class='article'><h1 class='article__title'>{title}</h1><div class='article__meta'>"
            "<p class='article__byline'>By <span class='article__author'>Khalid al-Taie</span></p>"
            f"<p class='article__date'>2019-02-26</p></div>{lead}{content}</article>")


def comments(count: str = "<h4 class='comments__count'>2 Comment(s)</h4>", first: int = 101, after: str = "") -> str:
    return COMMENTS.format(count=count, first=first, second=first + 1, after=after)


def parsed(body: str):
    return parse_page(URL, f"<html lang='en'><head><title>Diyaruna</title></head><body><main>{body}</main></body></html>",
                      kind="article")


def content(*parts: str) -> str:
    return "<div class='article__content'>" + "".join(parts) + "</div>"


# the body -------------------------------------------------------------------------------------------------

def test_a_story_split_by_an_aside_is_read_from_each_of_its_body_elements():
    article = parsed(story(content=content(ONE) + "<aside class='article__related'><h4>Read more</h4>"
                           "<a href='/en_GB/x'>Farmers return</a></aside>"
                           + content("<h3>Calls for support</h3>", TWO)) + comments())
    assert [(block.kind, block.text[:20]) for block in article.body_blocks] == [
        ("paragraph", "Security forces step"), ("heading", "Calls for support"), ("paragraph", "Residents said the n")]
    assert article.sources["body_text"] == Layer.PROFILE
    assert not [warning for warning in article.warnings if "body_blocks" in warning]


def test_text_between_brs_and_paragraphs_written_as_divs_are_read_with_a_warning():
    article = parsed(story(content=content("Security forces stepped up patrols on Monday.<br><br>"
                                           "Residents said the checkpoints brought calm.")))
    assert article.body_text == "Security forces stepped up patrols on Monday. Residents said the checkpoints brought calm."
    article = parsed(story(content=content(ONE, "<div class='para'>The command deployed joint units on the roads.</div>",
                                           TWO)))
    assert [block.text[:20] for block in article.body_blocks] == [
        "Security forces step", "The command deployed", "Residents said the n"]
    assert [warning for warning in article.warnings if "body_blocks" in warning] == [
        "profile: the body_blocks selector (p, h2, h3, h4) left 1 block(s) of the body element out "
        "(first: 'The command deployed joint units on the roads.'): the element was read whole"]


def test_quotes_and_list_items_of_the_body_are_kept_with_their_kinds():
    article = parsed(story(content=content(ONE, "<blockquote>\"We will not allow them back,\" he said.</blockquote>",
                                           "<ul><li>Joint checkpoints</li><li>Night patrols</li></ul>", TWO)))
    assert [block.kind for block in article.body_blocks] == ["paragraph", "quote", "list_item", "list_item", "paragraph"]


def test_the_next_story_an_endless_page_appends_gives_neither_body_nor_comments():
    appended = ("<div class='next-article'>" + story("Mosul bridge reopens", content=content(
        "<p class='article__p'>Traffic resumed on the bridge as engineers finished their work.</p>"))
        + comments(first=201) + "</div>")
    article = parsed(story() + comments() + appended)
    assert article.title == "Patrols stepped up in Kirkuk"
    assert [block.text[:20] for block in article.body_blocks] == ["Security forces step", "Residents said the n"]
    assert [comment.site_comment_id for comment in article.comments] == ["101", "102"]
    assert (article.comments_status, article.comments_complete) == ("complete", True)
    # The same story's body elements, with no second headline but in another <article>: its own only.
    other = "<article class='article'>" + content("<p>An article of another story.</p>") + "</article>"
    assert "another story" not in parsed(story() + other).body_text


# comments -------------------------------------------------------------------------------------------------

def test_a_pager_of_the_sites_own_parameter_to_the_comments_is_a_comment_page():
    pager = f"<div class='pagination'><a href='{URL}?page=2#comments'>2</a><a href='/en_GB/news/iraq?page=2'>more news</a></div>"
    article = parsed(story() + comments(count="", after=pager))
    assert article.comment_pages == [URL + "?page=2"]
    assert (article.comments_status, article.comments_complete) == ("unreached", False)


def test_a_load_more_button_without_a_counter_leaves_the_comments_unreached():
    article = parsed(story() + comments(count="", after="<button class='comments__more'>Load more comments</button>"))
    assert len(article.comments) == 2
    assert (article.comments_status, article.comments_complete) == ("unreached", False)
    # A counter the items meet says they are all there, whatever button the page shows.
    article = parsed(story() + comments(after="<button>Load more comments</button>"))
    assert (article.comments_status, article.comments_complete) == ("complete", True)
    # A link to the comments' place on the page is no control that loads more.
    article = parsed(story() + "<a href='#comments'>View comments</a>" + comments(count=""))
    assert (article.comments_status, article.comments_complete) == ("complete", True)


def test_replies_behind_a_button_leave_the_comments_unreached_whatever_the_counter():
    # The counter counts the two threads; their replies come when "View 4 replies" is clicked.
    replies = "<button class='comment__replies-more' data-url='/en_GB/comments/101/replies'>View 4 replies</button>"
    article = parsed(story() + comments(after=replies))
    assert (len(article.comments), article.comment_count) == (2, 2)
    assert (article.comments_status, article.comments_complete) == ("unreached", False)
    # A reply link (to write one) is no such button.
    article = parsed(story() + comments(after="<a href='#comment-form' class='comment__reply'>Reply</a>"))
    assert (article.comments_status, article.comments_complete) == ("complete", True)


# photos ---------------------------------------------------------------------------------------------------

def test_a_body_figure_of_another_class_and_a_gallery_after_the_body_are_photos_of_the_story():
    inline = (f"<figure class='article__image-block'><img src='{IMAGES}17042-road-600_384.jpg'>"
              "<figcaption>The Hawija road. [Photo: AFP]</figcaption></figure>")
    gallery = f"<figure class='article__media'><img class='article__media--img' src='{IMAGES}17043-farm-600_384.jpg'></figure>"
    article = parsed(story(content=content(ONE, inline, TWO) + gallery)
                     + "<aside><figure><img src='/cnmi_di/images/other.jpg'></figure></aside>")
    assert [(photo.url.rsplit("/", 1)[1], photo.is_lead, photo.credit) for photo in article.photos] == [
        ("17041-patrol-600_384.jpg", True, "Ministry of Defence"), ("17042-road-600_384.jpg", False, "AFP"),
        ("17043-farm-600_384.jpg", False, None)]
    assert article.sources["photos"] == Layer.MARKUP


def test_a_lead_photo_in_a_div_with_a_caption_and_an_amp_image_are_read():
    in_div = (f"<div class='article__media article__media--lead'><img class='article__media--img' "
              f"src='{IMAGES}17041-patrol-600_384.jpg'><p class='article__caption'>Soldiers patrol a road. "
              "[Photo: Reuters]</p></div>")
    photo, = parsed(story(lead=in_div)).photos
    assert (photo.url, photo.caption, photo.credit, photo.is_lead) == (
        IMAGES + "17041-patrol-600_384.jpg", "Soldiers patrol a road.", "Reuters", True)
    amp = (f"<figure class='article__media article__media--lead'><amp-img class='article__media--img' "
           f"src='{IMAGES}17041-patrol-600_384.jpg' width='600' height='384'></amp-img></figure>")
    photo, = parsed(story(lead=amp)).photos
    assert (photo.url, photo.width, photo.height) == (IMAGES + "17041-patrol-600_384.jpg", 600, 384)


def test_a_credit_beside_the_figcaption_is_the_photos_credit():
    lead = (f"<figure class='article__media article__media--lead'><img class='article__media--img' "
            f"src='{IMAGES}17041-patrol-600_384.jpg'><figcaption class='article__caption'>Soldiers patrol a road."
            "</figcaption><p class='article__credit'>Photo courtesy of the Ministry of Defence</p></figure>")
    photo, = parsed(story(lead=lead)).photos
    assert (photo.caption, photo.credit, photo.credit_raw) == (
        "Soldiers patrol a road.", "Ministry of Defence", "Photo courtesy of the Ministry of Defence")


# bylines --------------------------------------------------------------------------------------------------

def test_a_story_signed_with_a_transliterated_arabic_name_has_its_author():
    signed = content(ONE, TWO, "<p class='article__p'><strong>Waleed Abu al-Khair</strong></p>")
    page = story(content=signed).replace("<p class='article__byline'>By <span class='article__author'>Khalid al-Taie"
                                         "</span></p>", "")
    article = parsed(page)
    assert ([author.name for author in article.authors], article.sources["authors"]) == (["Waleed Abu al-Khair"], Layer.MARKUP)
    assert article.body_blocks[-1].text.startswith("Residents said")


def test_the_place_a_byline_reports_from_is_no_part_of_the_name():
    page = story().replace("By <span class='article__author'>Khalid al-Taie</span>", "By Khalid al-Taie from Baghdad")
    assert [(author.name, author.name_raw) for author in parsed(page).authors] == [
        ("Khalid al-Taie", "Khalid al-Taie from Baghdad")]


# found by mutation testing (each test fails with one planted bug the others let through) ------------------


def test_a_body_element_nested_in_another_gives_its_paragraphs_once():
    article = parsed(story(content=content(ONE, content(TWO))) + comments())
    assert [block.text[:20] for block in article.body_blocks] == ["Security forces step", "Residents said the n"]
    assert not [warning for warning in article.warnings if "body_blocks" in warning]


def without_article_elements(page: str) -> str:
    return page.replace("<article class='article'>", "<div class='article'>").replace("</article>", "</div>")


def test_the_lead_photo_in_a_div_of_the_next_story_is_not_a_photo_of_this_one():
    next_lead = (f"<div class='article__media article__media--lead'><img class='article__media--img' "
                 f"src='{IMAGES}20001-bridge-600_384.jpg'><p class='article__caption'>The bridge.</p></div>")
    appended = ("<div class='next-article'>" + story("Mosul bridge reopens", lead=next_lead, content=content(
        "<p class='article__p'>Traffic resumed on the bridge as engineers finished their work.</p>")) + "</div>")
    article = parsed(without_article_elements(story() + comments() + appended))
    assert [photo.url for photo in article.photos] == [IMAGES + "17041-patrol-600_384.jpg"]
    assert [block.text[:20] for block in article.body_blocks] == ["Security forces step", "Residents said the n"]


def test_a_figure_in_the_second_body_element_is_read_by_the_profile():
    figure = (f"<figure class='article__media'><img class='article__media--img' src='{IMAGES}17043-farm-600_384.jpg'>"
              "<figcaption class='article__caption'>A farm near Hawija.</figcaption></figure>")
    article = parsed(story(content=content(ONE) + "<aside class='article__related'><h4>Read more</h4></aside>"
                           + content(figure, TWO)) + comments())
    assert [(photo.url.rsplit("/", 1)[1], photo.caption, photo.is_lead) for photo in article.photos] == [
        ("17041-patrol-600_384.jpg", "Soldiers patrol a road.", True), ("17043-farm-600_384.jpg", "A farm near Hawija.", False)]
    assert article.sources["photos"] == Layer.PROFILE


def test_a_body_figure_with_an_amp_image_of_another_class_is_a_photo_of_the_story():
    amp = (f"<figure class='article__image-block'><amp-img src='{IMAGES}17042-road-600_384.jpg' width='600' "
           "height='384'></amp-img><figcaption>The Hawija road.</figcaption></figure>")
    article = parsed(story(content=content(ONE, amp, TWO)))
    assert [(photo.url.rsplit("/", 1)[1], photo.caption, photo.is_lead) for photo in article.photos] == [
        ("17041-patrol-600_384.jpg", "Soldiers patrol a road.", True), ("17042-road-600_384.jpg", "The Hawija road.", False)]


def test_a_long_text_in_a_link_that_leads_nowhere_is_no_load_more_button():
    # 86 characters: a paragraph about comments, set in an <a name> anchor, not a button's label.
    notice = ("<a name='rules'>Read our rules before you post: we show comments only after a moderator "
              "has read them.</a>")
    article = parsed(story() + comments(count="", after=notice))
    assert len(article.comments) == 2
    assert (article.comments_status, article.comments_complete) == ("complete", True)


def test_a_load_more_link_to_hash_leaves_the_comments_unreached():
    # <a href="#">: a link that leads nowhere, its script loads the next comments (as a <button> would).
    more = "<a href='#' class='comments__more'>Load more comments</a>"
    article = parsed(story() + comments(count="", after=more))
    assert len(article.comments) == 2
    assert (article.comments_status, article.comments_complete) == ("unreached", False)


def test_a_load_more_control_of_role_button_or_a_javascript_link_leaves_the_comments_unreached():
    for more in ("<div role='button' class='comments__more'>Show more comments</div>",
                 "<a href='javascript:void(0)' class='comments__more'>Load more comments</a>"):
        article = parsed(story() + comments(count="", after=more))
        assert len(article.comments) == 2, more
        assert (article.comments_status, article.comments_complete) == ("unreached", False), more


def test_a_load_more_link_without_an_href_leaves_the_comments_unreached():
    more = "<a class='comments__more'>Load more comments</a>"
    article = parsed(story() + comments(count="", after=more))
    assert len(article.comments) == 2
    assert (article.comments_status, article.comments_complete) == ("unreached", False)


def test_the_figure_of_the_next_story_is_not_a_photo_of_this_one():
    # A plain <figure> of the story an endless page appends, in the one container both share.
    next_lead = (f"<figure><img src='{IMAGES}20001-bridge-600_384.jpg'><figcaption>The bridge.</figcaption></figure>")
    appended = ("<div class='next-article'>" + story("Mosul bridge reopens", lead=next_lead, content=content(
        "<p class='article__p'>Traffic resumed on the bridge as engineers finished their work.</p>")) + "</div>")
    article = parsed(without_article_elements(story() + comments() + appended))
    assert [photo.url for photo in article.photos] == [IMAGES + "17041-patrol-600_384.jpg"]
