"""The init script every rendered page gets (rendering.COMMENTS_INTO_VIEW_JS): its comments section
is scrolled into view once it has loaded, for the comments loaded only when scrolled to."""

from newsarchive.rendering import COMMENTS_INTO_VIEW_JS

STORY = "".join(f"<p>Paragraph {n} of a long story about the flood, far longer than a screen.</p>" for n in range(80))


def loaded(page, html: str, frame: str = ""):
    """The tab, given the init script, once it has loaded `html` (answered for http://news.test/story;
    `frame` for http://news.test/frame)."""
    page.tab.add_init_script(COMMENTS_INTO_VIEW_JS)
    page.tab.route("http://news.test/**", lambda route: route.fulfill(
        status=200, body=frame if route.request.url.endswith("/frame") else html, content_type="text/html"))
    page.tab.goto("http://news.test/story", wait_until="load")
    page.tab.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return page.tab


def in_view(tab, selector: str) -> bool:
    return tab.evaluate("s => { const r = document.querySelector(s).getBoundingClientRect();"
                        " return r.bottom >= 0 && r.top <= innerHeight; }", selector)


def test_the_comments_section_is_scrolled_into_view_not_the_counter_under_the_headline_nor_the_footer(page):
    tab = loaded(page, "<!doctype html><html><body><header><h1>Flood</h1><a class='comment-count' href='#comments'>"
                       f"3 comments</a></header><article>{STORY}</article><div id='comments'><h3>Comments</h3>"
                       "<ol id='comment-list'></ol></div><p>Related stories</p>" + STORY
                       + "<footer><a class='comments-policy' href='/policy'>Comments policy</a></footer></body></html>")
    assert in_view(tab, "#comment-list")
    assert not in_view(tab, ".comment-count") and not in_view(tab, ".comments-policy")


def test_a_page_without_a_comments_section_is_not_scrolled(page):
    tab = loaded(page, f"<!doctype html><html><body><h1>Flood</h1><article>{STORY}</article></body></html>")
    assert tab.evaluate("scrollY") == 0


def test_a_frame_does_not_scroll_its_page(page):
    # Only the top page's comments are scrolled to: a frame's (an advertisement's, a widget's)
    # scrolled the page to wherever the frame sits.
    tab = loaded(page, f"<!doctype html><html><body><h1>Flood</h1><article>{STORY}</article>"
                       f"<iframe src='http://news.test/frame' height='300'></iframe>{STORY}</body></html>",
                 frame=f"<!doctype html><html><body>{STORY}<div class='comments'>Widget</div></body></html>")
    assert tab.evaluate("scrollY") == 0


def test_a_sidebars_recent_comments_widget_is_not_the_comments_section(page):
    # A two-column page's markup has its sidebar after the story; the sidebar sits at the top.
    tab = loaded(page, "<!doctype html><html><body><div style='display: flex'><main style='width: 70%'>"
                       f"<article>{STORY}</article><div id='comments'><ol id='comment-list'></ol></div>{STORY}</main>"
                       "<div id='sidebar' style='width: 30%'><section id='recent-comments-2' class='widget "
                       "widget_recent_comments'><h2>Recent comments</h2></section></div></div></body></html>")
    assert in_view(tab, "#comment-list") and not in_view(tab, "#recent-comments-2")
