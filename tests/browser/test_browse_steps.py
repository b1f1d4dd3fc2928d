"""Renderer.browse, the steps a render takes on a loaded page (newsarchive/rendering.py), in the real
Chromium: what it reads and how many scripts it sends the page for it. Each script is a round trip
through Playwright's driver, the browser and the page; a page without a "load more" button is
settled and read in one (SETTLED_PAGE_JS)."""

from __future__ import annotations

import asyncio
import concurrent.futures

from newsarchive.rendering import CLICK_LOAD_MORE_JS, SETTLED_PAGE_JS, TAKE_REPLACED_JS, PageActivity, Renderer
from tests.browser.conftest import CHROMIUM_ARGS, chromium_executable

ADD_COMMENT_JS = """function addComment(text) {
  var li = document.createElement('li'); li.className = 'comment'; li.textContent = text;
  document.getElementById('comment-list').appendChild(li);
}"""
INLINE = ("<!doctype html><html><body><h1>Storm</h1><ol id='comment-list'></ol><script>" + ADD_COMMENT_JS
          + "addComment('First comment, by script.'); addComment('Second comment, by script.');</script></body></html>")
# Each click adds a comment; the second takes the button away.
BUTTON = ("<!doctype html><html><body><h1>Storm</h1><ol id='comment-list'><li class='comment'>Sent with the page.</li>"
          "</ol><button id='more'>Load more comments</button><script>" + ADD_COMMENT_JS
          + "var clicks = 0; document.getElementById('more').onclick = function () {"
            "  clicks += 1; addComment('Loaded by click ' + clicks + '.');"
            "  if (clicks === 2) this.remove(); };</script></body></html>")
# Each click shows the next comment in place of the one shown: a pager of comments.
REPLACING = ("<!doctype html><html><body><h1>Storm</h1><ol id='comment-list'><li class='comment'>Comment 1.</li></ol>"
             "<button id='more'>Show more comments</button><script>var shown = 1;"
             "document.getElementById('more').onclick = function () { shown += 1;"
             "  document.getElementById('comment-list').innerHTML = '<li class=\"comment\">Comment ' + shown + '.</li>';"
             "  if (shown === 3) this.remove(); };</script></body></html>")
# What reads the page's HTML in the page is broken: the render reads it another way (render_handler.py).
BROKEN_SERIALISER = ("<!doctype html><html><body><h1>Storm</h1><script>"
                     "window.XMLSerializer = function () { throw new Error('no'); };</script></body></html>")


class ScriptsCounted:
    """The real page, with the scripts browse sends it kept in order."""

    def __init__(self, page):
        self.page, self.scripts = page, []

    async def evaluate(self, script, argument=None):
        self.scripts.append(script)
        return await self.page.evaluate(script, argument)

    @property
    def url(self):
        return self.page.url


def browsed(html: str, max_clicks: int = 5, activity: PageActivity | None = None) -> tuple[str | None, list[str]]:
    """What Renderer.browse returns for a page showing html, and the scripts it sent the page;
    `activity` is the one the render follows the page with."""
    from playwright.async_api import async_playwright

    async def run():
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
            try:
                page = await browser.new_page()
                await page.set_content(html)
                counted = ScriptsCounted(page)
                renderer = Renderer(None, "auto", None, max_clicks, timeout=2.5)
                return await renderer.browse(counted, activity or PageActivity(), 2500), counted.scripts
            finally:
                await browser.close()

    # In a thread of its own: the session's sync Playwright (conftest's `browser`) keeps an event
    # loop running in this one once any test has used it.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, run()).result()


def comments_in(html: str) -> list[str]:
    from lxml import html as lxml_html

    return [item.text_content() for item in lxml_html.fromstring(html).xpath("//li[@class='comment']")]


def test_a_page_without_a_button_is_settled_and_read_in_one_script():
    html, scripts = browsed(INLINE)
    assert scripts == [SETTLED_PAGE_JS]
    assert html.startswith("<!DOCTYPE html><html>")
    assert comments_in(html) == ["First comment, by script.", "Second comment, by script."]


def test_a_button_is_clicked_until_it_is_gone_and_the_page_is_read_as_it_settled_last():
    html, scripts = browsed(BUTTON)
    assert scripts == [SETTLED_PAGE_JS, CLICK_LOAD_MORE_JS, SETTLED_PAGE_JS, CLICK_LOAD_MORE_JS, SETTLED_PAGE_JS]
    assert comments_in(html) == ["Sent with the page.", "Loaded by click 1.", "Loaded by click 2."]


def test_a_button_that_adds_comments_keeps_no_page_from_before_its_clicks():
    activity = PageActivity()
    browsed(BUTTON, activity=activity)
    assert activity.replaced == []  # the button it took away is not a comment


def test_the_page_before_each_click_that_took_comments_away_is_kept_in_the_same_scripts():
    activity = PageActivity()
    html, scripts = browsed(REPLACING, activity=activity)
    # One round trip more only when a settle ran out of time (a machine this busy): a click that
    # finds no button, and what took what the last click took away.
    assert scripts[:5] == [SETTLED_PAGE_JS, CLICK_LOAD_MORE_JS, SETTLED_PAGE_JS, CLICK_LOAD_MORE_JS, SETTLED_PAGE_JS]
    assert (scripts[5:], comments_in(html) if html else None) in (
        ([], ["Comment 3."]), ([CLICK_LOAD_MORE_JS, TAKE_REPLACED_JS], None))  # None: render_handler.py reads it
    assert [comments_in(page) for page in activity.replaced] == [["Comment 1."], ["Comment 2."]]


def test_a_page_that_never_idles_keeps_the_pages_before_its_clicks_all_the_same():
    # Its settles end without reading it (requestIdleCallback never calls back): the next click
    # takes what the one before took away, and a last script what the last click did.
    never_idle = REPLACING.replace("<script>", "<script>window.requestIdleCallback = function () {};", 1)
    activity = PageActivity()
    html, scripts = browsed(never_idle, max_clicks=2, activity=activity)
    assert scripts == [SETTLED_PAGE_JS, CLICK_LOAD_MORE_JS, SETTLED_PAGE_JS, CLICK_LOAD_MORE_JS, SETTLED_PAGE_JS,
                       TAKE_REPLACED_JS]
    assert html is None  # render_handler.py reads it
    assert [comments_in(page) for page in activity.replaced] == [["Comment 1."], ["Comment 2."]]


def test_a_page_still_showing_its_button_after_the_last_click_allowed_is_read_by_the_handler():
    html, scripts = browsed(BUTTON, max_clicks=1)
    assert scripts == [SETTLED_PAGE_JS, CLICK_LOAD_MORE_JS, SETTLED_PAGE_JS]
    assert html is None  # render_handler.py reads it (rendered_html)


def test_a_page_whose_scripts_broke_the_serialiser_is_left_to_the_handler_to_read():
    html, scripts = browsed(BROKEN_SERIALISER)
    assert (html, scripts) == (None, [SETTLED_PAGE_JS])
