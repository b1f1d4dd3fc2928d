"""A story split over pages, each naming the next with <link rel="next"> or only by the links of
its pager ("1 2 3 Next"), is stored whole; a rel="next" that leads to another story (WordPress's
next post) is not followed (newsarchive/story_pages.py)."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timezone

import pytest

from newsarchive.items import Article, BodyBlock
from newsarchive.story_pages import (
    HEAD_BYTES,
    continues,
    linked_next_page,
    next_story_page,
    page_number,
    with_story_pages,
)
from tests.conftest import SiteHandler, crawl_of, run_cli, serve_handler

BASE = "https://n.example"


@pytest.mark.parametrize(("story", "target", "further"), [
    ("/news/flood/", "/news/flood/2/", True),
    ("/news/flood/", "/news/flood/page/3/", True),
    ("/politik/2024-01/flood", "/politik/2024-01/flood/seite-2", True),  # Die Zeit's
    ("/news/flood/", "/news/flood/page-3/", True),
    ("/news/flood", "/news/flood/2", True),
    ("/a/story.html", "/a/story-2.html", True),
    ("/a/story.html", "/a/story_3.html", True),
    ("/a/story?page=2", "/a/story?page=3", True),
    ("/a/story?id=5", "/a/story?id=5&page=2", True),
    ("/?p=100", "/?p=100&page=2", True),  # a paged WordPress post under plain permalinks
    ("/news/flood/", "/news/flood-2/", False),  # WordPress's second post of one title
    ("/news/flood/", "/news/drought/", False),  # the next post
    ("/?p=100", "/?p=101", False),  # the next post, plain permalinks
    ("/a/story?id=5", "/a/story?id=6", False),
    ("/a/story", "/a/story?page=two", False),
    ("/a/story", "/a/story?utm_source=2", False),
    ("/a/story.html", "/a/story.html/2", False),
    ("/news/flood/", "/news/flood/2019/", False),  # a year, not a page
    ("/news/flood/", "/news/flood/", False),
    ("/", "/2/", False),
])
def test_which_next_page_continues_a_story(story, target, further):
    assert continues(BASE + story, BASE + target) is further
    assert continues(BASE + story, "https://other.example" + target) is False


@pytest.mark.parametrize(("head", "found"), [
    ("<link rel='next' href='/news/flood/2/'>", f"{BASE}/news/flood/2/"),
    ('<LINK HREF="2/" REL="next">', f"{BASE}/news/flood/2/"),  # relative, either order, any case
    ("<link rel=next href=/news/flood/2/>", f"{BASE}/news/flood/2/"),
    ("<link rel='next' href='/news/flood/?page=2&amp;part=1'>", f"{BASE}/news/flood/?page=2&part=1"),
    ("<link rel='prev' href='/news/flood/2/'>", None),
    ("<link rel='next'>", None),
    ("<link rel='next' href='/news/drought/'>", None),  # the next post
    ("<link rel='stylesheet' href='/2/'><link rel='next' href='/news/flood/3/'>", f"{BASE}/news/flood/3/"),
])
def test_the_next_page_is_read_in_the_page_s_head(head, found):
    assert next_story_page(f"<html><head>{head}</head><body></body></html>".encode(), f"{BASE}/news/flood/") == found


def test_a_next_link_past_the_head_is_not_read():
    late = b"<html><head>" + b" " * HEAD_BYTES + b"<link rel='next' href='/news/flood/2/'></head></html>"
    assert next_story_page(late, f"{BASE}/news/flood/") is None


@pytest.mark.parametrize(("story", "target", "number"), [
    ("/news/flood/", "/news/flood/2/", 2),
    ("/news/flood/", "/news/flood/page/12/", 12),
    ("/a/story.html", "/a/story_3.html", 3),
    ("/a/story?id=5", "/a/story?id=5&page=4", 4),
    ("/a/story?page=2", "/a/story?page=3", 3),
    ("/a/story", "/a/story?page=2&part=1", 2),
    ("/news/flood/", "/news/drought/2/", None),
])
def test_a_further_page_s_number(story, target, number):
    assert page_number(BASE + story, BASE + target) == number


FLOOD = f"{BASE}/news/2024/flood/"


@pytest.mark.parametrize(("url", "links", "found"), [
    (FLOOD, "<a href='/news/2024/flood/'>1</a> <a href='/news/2024/flood/2/'>2</a>", f"{FLOOD}2/"),
    (f"{FLOOD}2/", "<a href='/news/2024/flood/'>1</a> <a href='/news/2024/flood/3/'>3</a>", f"{FLOOD}3/"),
    (f"{FLOOD}2/", "<a href='/news/2024/flood/'>« Previous</a>", None),  # the last page
    (FLOOD, "<a class='next' href='?page=2'>Next ›</a>", f"{FLOOD}?page=2"),  # relative, any label
    (FLOOD, "<A HREF=\"2/\" CLASS=pager>Seite 2</A>", f"{FLOOD}2/"),
    (FLOOD, "<a href='/news/2024/flood/3/'>3</a>", None),  # not the number after this page's
    (FLOOD, "<a href='/news/2024/drought/2/'>Drought, part 2</a>", None),  # another story's page
    (FLOOD, "<a href='/news/2024/flood-2/'>Flood, the sequel</a>", None),  # WordPress's second post of a title
    (FLOOD, "<img src='/news/2024/flood/2/'>", None),  # no link
    (FLOOD, "<a href='/news/2024/05/02/'>May 2</a><a href='/news/2024/flood/2/'>2</a>", f"{FLOOD}2/"),
    # Counted from 0 (Drupal): "2" is ?page=1, and the page after it ?page=2.
    (FLOOD, "<a href='?page=1#comments'>2</a> <a href='?page=2'>3</a>", f"{FLOOD}?page=1"),
    (f"{FLOOD}?page=1", "<a href='/news/2024/flood/'>1</a> <a href='?page=2'>3</a>", f"{FLOOD}?page=2"),
    (FLOOD, "<a href='page/2/'>2</a>", f"{FLOOD}page/2/"),  # relative, under the story's path
    (FLOOD, "<a href='https://n.example/news/2024/flood/seite-2'>Seite 2</a>", f"{FLOOD}seite-2"),
    # A slug in Arabic, linked in its own letters or with its escapes in lower case.
    (f"{BASE}/ar/%D8%B3%D9%8A%D9%84/", "<a href='/ar/سيل/2/'>٢</a>", f"{BASE}/ar/سيل/2/"),
    (f"{BASE}/ar/%D8%B3%D9%8A%D9%84/", "<a href='/ar/%d8%b3%d9%8a%d9%84/2/'>٢</a>", f"{BASE}/ar/%d8%b3%d9%8a%d9%84/2/"),
    # Counted from 1, the first page linked as page 1 too: read once more, then page 2.
    (FLOOD, "<a href='?page=1'>1</a> <a href='?page=2'>2</a>", f"{FLOOD}?page=1"),
    (f"{FLOOD}?page=1", "<a href='?page=1'>1</a> <a href='?page=2'>2</a>", f"{FLOOD}?page=2"),
])
def test_the_next_page_is_read_in_the_page_s_own_pager(url, links, found):
    body = f"<html><head></head><body><p>The river rose.</p><div class='pages'>{links}</div></body></html>".encode()
    story = url if "/ar/" in url else FLOOD
    assert linked_next_page(body, url, story) == found
    assert next_story_page(body, url, story) == found


def test_a_rel_next_to_the_next_post_leaves_the_pager_to_be_read():
    body = b"<head><link rel='next' href='/news/2024/drought/'></head><body><a href='/news/2024/flood/2/'>2</a></body>"
    assert next_story_page(body, FLOOD) == f"{FLOOD}2/"


def test_later_pages_continue_the_first_page_s_url():
    page_two = b"<link rel='next' href='/news/flood/3/'>"
    assert next_story_page(page_two, f"{BASE}/news/flood/2/") is None  # /3/ does not continue /2/
    assert next_story_page(page_two, f"{BASE}/news/flood/2/", f"{BASE}/news/flood/") == f"{BASE}/news/flood/3/"


def test_pages_are_joined_each_block_once_and_a_page_not_read_is_named():
    first = Article(url=f"{BASE}/s/", warnings=["kept"], body_blocks=[BodyBlock("paragraph", "Lead."),
                                                                      BodyBlock("paragraph", "One.")])
    second = Article(url=f"{BASE}/s/2/", body_blocks=[BodyBlock("paragraph", "Lead."), BodyBlock("heading", "Two")])
    whole = with_story_pages(first, [second], f"{BASE}/s/3/: ValueError: HTTP 404")
    assert [(block.kind, block.text) for block in whole.body_blocks] == [
        ("paragraph", "Lead."), ("paragraph", "One."), ("heading", "Two")]
    assert whole.body_text == "Lead.\n\nOne.\n\nTwo"
    assert whole.warnings == ["kept", f"story_pages: {BASE}/s/3/: ValueError: HTTP 404 was not read; "
                                      "the story is as far as it was"]
    assert first.body_text is None  # the article given is left as it was


# The comments of story 1, under its last page.
COMMENTS = ("<section id='comments'><h3>2 Comments</h3><ol class='comment-list'>" + "".join(
    f"<li class='comment' id='comment-{k}'><p class='comment-author'>Reader {k}</p><div class='comment-content'>"
    f"<p>Comment {k} on the last page of the story about the bridge.</p></div></li>" for k in (1, 2)) + "</ol></section>")


class PagedSite(SiteHandler):
    """Story 1 over three pages (page 3's rel=next is WordPress's next post, story 2; its comments
    under page 3); story 2 a page whose page 2 answers 404; story 3 one page. `asked` notes the
    story paths asked for."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/robots.txt":
            return self.answer(404, "no")
        if self.path == "/news/":
            links = "".join(f"<li><a href='/news/2024/05/02/story-{n}/'>Story {n}</a></li>" for n in range(1, 4))
            return self.answer(200, f"<html><head><title>News</title></head><body><ul>{links}</ul></body></html>")
        found = re.fullmatch(r"/news/2024/05/02/story-(\d)/(?:(\d)/)?", self.path)
        if not found:
            return self.answer(404, "<html><body>no</body></html>")
        self.asked.append(self.path)
        story, page = int(found.group(1)), int(found.group(2) or 1)
        if (story, page) in ((2, 2),) or (story == 3 and page > 1) or page > 3:
            return self.answer(404, "<html><body>no</body></html>")
        following = {(1, 1): "/news/2024/05/02/story-1/2/", (1, 2): "../3/", (1, 3): "/news/2024/05/02/story-2/",
                     (2, 1): "/news/2024/05/02/story-2/2/"}.get((story, page))
        link = f"<link rel='next' href='{following}'>" if following else ""
        prose = "".join(f"<p>Page {page}, paragraph {k} of story {story} on the river and the bridge works.</p>"
                        for k in range(3))
        comments = COMMENTS if (story, page) == (1, 3) else ""
        return self.answer(200, f"<html><head><title>Story {story}</title>{link}</head><body><article><h1>Story "
                                f"{story}</h1><p>The standfirst of story {story}, printed on each of its pages.</p>"
                                f"{prose}</article>{comments}</body></html>")


def crawl_paged(tmp_path, *settings: str):
    site = type("Site", (PagedSite,), {"asked": []})
    result = crawl_of(site, tmp_path / "a.db", "--render", "never", "-s", "AUTOTHROTTLE_ENABLED=False", *settings)
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        stories = {re.search(r"story-\d", url).group(): (body.split("\n\n"), json.loads(warnings or "[]"))
                   for url, body, warnings in db.execute("SELECT url, body_text, warnings FROM articles")}
        captured = sorted(url.split("/05/02/")[1] for (url,) in db.execute(
            "SELECT url FROM captures WHERE kind = 'page' AND url LIKE '%story%'"))
    return result, site.asked, stories, captured


def paragraphs(story: int, pages) -> list[str]:
    return [f"The standfirst of story {story}, printed on each of its pages."] + [
        f"Page {page}, paragraph {k} of story {story} on the river and the bridge works." for page in pages for k in range(3)]


def test_a_story_over_three_pages_is_stored_whole(tmp_path):
    result, asked, stories, captured = crawl_paged(tmp_path)
    assert stories["story-1"] == (paragraphs(1, (1, 2, 3)), [])
    assert stories["story-2"][0] == paragraphs(2, (1,))
    (unread,) = [warning for warning in stories["story-2"][1] if warning.startswith("story_pages")]
    assert re.fullmatch(r"story_pages: http://127\.0\.0\.1:\d+/news/2024/05/02/story-2/2/: ValueError: HTTP 404 "
                        r"was not read; the story is as far as it was", unread)
    assert stories["story-3"] == (paragraphs(3, (1,)), [])
    assert sorted(asked) == sorted(["/news/2024/05/02/story-1/", "/news/2024/05/02/story-1/2/",
                                    "/news/2024/05/02/story-1/3/", "/news/2024/05/02/story-2/",
                                    "/news/2024/05/02/story-2/2/", "/news/2024/05/02/story-3/"])
    assert captured == ["story-1/", "story-1/2/", "story-1/3/", "story-2/", "story-3/"]  # the 404 is the warning's
    assert "2 more pages read of 2 stories split over pages, 1 could not be" in result.stdout
    with sqlite3.connect(tmp_path / "a.db") as db:
        (status,) = db.execute("SELECT comments_status FROM articles WHERE url LIKE '%/story-1/'").fetchone()
        comments = [text for (text,) in db.execute(
            "SELECT c.body_text FROM comments c JOIN articles a ON a.id = c.article_id ORDER BY c.position")]
    assert (status, comments) == ("complete", [f"Comment {k} on the last page of the story about the bridge."
                                               for k in (1, 2)])


def test_the_pages_read_a_story_are_bounded(tmp_path):
    _, _, stories, _ = crawl_paged(tmp_path, "-s", "NEWSARCHIVE_STORY_PAGES=1")
    body, warnings = stories["story-1"]
    assert body == paragraphs(1, (1, 2))
    (bounded,) = [warning for warning in warnings if warning.startswith("story_pages")]
    assert re.fullmatch(r"story_pages: http://127\.0\.0\.1:\d+/news/2024/05/02/story-1/3/: past "
                        r"NEWSARCHIVE_STORY_PAGES \(1\) was not read; the story is as far as it was", bounded)
    (tmp_path / "none").mkdir()
    _, asked, stories, _ = crawl_paged(tmp_path / "none", "-s", "NEWSARCHIVE_STORY_PAGES=0")
    assert stories["story-1"] == (paragraphs(1, (1,)), [])
    assert sorted(asked) == [f"/news/2024/05/02/story-{n}/" for n in range(1, 4)]


def test_comments_of_further_pages_join_the_story_s():
    from newsarchive.items import Comment
    from newsarchive.story_pages import with_comments_of_pages

    first = Article(url=f"{BASE}/s/", comments_status="none")
    last = Article(url=f"{BASE}/s/3/", comments=[Comment("Yes.", 0, site_comment_id="1")], comment_count=1,
                   comments_status="complete", comment_pages=[f"{BASE}/s/3/comment-page-2/"],
                   sources={"comments": "markup"})
    merged = with_comments_of_pages(first, [Article(url=f"{BASE}/s/2/"), last])
    assert ([comment.body_text for comment in merged.comments], merged.comments_status, merged.comment_count) == (
        ["Yes."], "complete", 1)
    assert merged.comment_pages == [f"{BASE}/s/3/comment-page-2/"] and merged.sources["comments"] == "markup"
    assert with_comments_of_pages(first, [Article(url=f"{BASE}/s/2/")]) is first  # no page shows any
    by_script = Article(url=f"{BASE}/s/3/", comments_status="unreached", comment_pages=[], comment_count=None)
    by_script.comment_pages = [f"{BASE}/s/3/c/"]
    waiting = with_comments_of_pages(first, [by_script])
    assert (waiting.comments, waiting.comments_status, waiting.comments_complete) == ([], "unreached", False)


class PagerOnlySite(SiteHandler):
    """Three stories over three pages each, which say so only in the pager under their text ("1 2 3
    Next »"): story 1 by path (/2/), story 2 by query (?page=2, relative), story 3 by query counted
    from 0 (?page=1 is its second page). Each page also links other stories and days whose URLs
    hold the next page's number."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/robots.txt":
            return self.answer(404, "no")
        if self.path == "/news/":
            links = "".join(f"<li><a href='/news/2024/05/02/story-{n}/'>Story {n}</a></li>" for n in (1, 2, 3))
            return self.answer(200, f"<html><head><title>News</title></head><body><ul>{links}</ul></body></html>")
        found = re.fullmatch(r"/news/2024/05/02/story-(\d)/(?:(\d)/|\?page=(\d))?", self.path)
        if not found:
            return self.answer(404, "<html><body>no</body></html>")
        story = int(found.group(1))
        page = int(found.group(3)) + 1 if story == 3 and found.group(3) else int(found.group(2) or found.group(3) or 1)
        if page > 3 or (story == 1 and found.group(3)) or (story != 1 and found.group(2)):
            return self.answer(404, "<html><body>no</body></html>")
        self.asked.append(self.path)
        address = {1: lambda k: f"/news/2024/05/02/story-1/{k}/", 2: lambda k: f"?page={k}",
                   3: lambda k: f"?page={k - 1}" if k > 1 else "/news/2024/05/02/story-3/"}[story]
        pager = " ".join(f"<a href='{address(k)}'>{k}</a>" for k in (1, 2, 3) if k != page)
        pager += f" <a href='{address(page + 1)}'>Next »</a>" if page < 3 else ""
        others = "<aside><a href='/news/2024/05/03/'>May 3</a> <a href='/news/2024/05/02/story-3/'>Story 3</a></aside>"
        prose = "".join(f"<p>{line}</p>" for line in pager_story(story, page))
        return self.answer(200, f"<html><head><title>Story {story}</title></head><body><article><h1>Story "
                                f"{story}</h1>{prose}<nav class='pages'>{pager}</nav></article>{others}</body></html>")


def pager_story(story: int, page: int) -> list[str]:
    # Sentences of a story's length: on a page of a few lines, trafilatura reads the whole text,
    # pager included, as one line.
    return [f"Page {page}, paragraph {k} of story {story}: the council met on Tuesday about the river bridge "
            "works, the detour of the buses and what the repairs will cost the town." for k in range(3)]


def test_a_story_paged_by_its_pager_alone_is_stored_whole(tmp_path):
    site = type("Site", (PagerOnlySite,), {"asked": []})
    result = crawl_of(site, tmp_path / "a.db", "--render", "never", "-s", "AUTOTHROTTLE_ENABLED=False")
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        bodies = dict(db.execute("SELECT url, body_text FROM articles"))
    base = "http://127.0.0.1:" + re.search(r"127\.0\.0\.1:(\d+)", next(iter(bodies))).group(1)
    body_of = {n: [line for page in (1, 2, 3) for line in pager_story(n, page)] for n in (1, 2, 3)}
    assert {url.removeprefix(base): body.split("\n\n") for url, body in bodies.items()} == {
        f"/news/2024/05/02/story-{n}/": body_of[n] for n in (1, 2, 3)}
    assert sorted(site.asked) == ["/news/2024/05/02/story-1/", "/news/2024/05/02/story-1/2/",
                                  "/news/2024/05/02/story-1/3/", "/news/2024/05/02/story-2/",
                                  "/news/2024/05/02/story-2/?page=2", "/news/2024/05/02/story-2/?page=3",
                                  "/news/2024/05/02/story-3/", "/news/2024/05/02/story-3/?page=1",
                                  "/news/2024/05/02/story-3/?page=2"]


class EditedOnPageTwoSite(SiteHandler):
    """Story 1 over two pages and story 3 on one, both published today (no date in their URLs),
    answering 304 to an If-None-Match their first page's ETag matches; `edited` adds a paragraph
    to story 1's page 2 alone."""

    edited = False
    asked: list = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/news/":
            links = "".join(f"<li><a href='/news/story-{n}/'>Story {n}</a></li>" for n in (1, 3))
            return self.answer(200, f"<html><head><title>News</title></head><body><ul>{links}</ul></body></html>")
        found = re.fullmatch(r"/news/story-(\d)/(?:(\d)/)?", self.path)
        if not found or (found.group(1) == "3" and found.group(2)):
            return self.answer(404, "<html><body>no</body></html>")
        story, page = int(found.group(1)), int(found.group(2) or 1)
        self.asked.append((self.path, self.headers.get("If-None-Match")))
        if page == 1 and self.headers.get("If-None-Match") == f'"story-{story}"':
            self.send_response(304)
            self.end_headers()
            return None
        link = "<link rel='next' href='2/'>" if (story, page) == (1, 1) else ""
        prose = "".join(f"<p>Page {page}, paragraph {k} of story {story} on the river and the bridge works.</p>"
                        for k in range(3 + (self.edited and page == 2)))
        published = datetime.now(timezone.utc).strftime("%Y-%m-%dT00:00:00Z")  # young: asked for again
        return self.answer(200, f"<html><head><title>Story {story}</title>{link}<meta property='article:published_time' "
                                f"content='{published}'></head><body><article><h1>Story {story}</h1>{prose}</article>"
                                "</body></html>", ETag=f'"story-{story}"')


def test_a_story_read_with_other_pages_is_never_asked_for_conditionally(tmp_path):
    # A 304 for its first page says nothing of the second: a paragraph added there was never seen.
    site = type("Site", (EditedOnPageTwoSite,), {"asked": [], "edited": False})
    server = serve_handler(site)
    command = ("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(tmp_path / "a.db"), "--allow-private",
               "--render", "never", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False")
    try:
        assert run_cli(*command).returncode == 0
        site.edited, site.asked = True, []
        second = run_cli(*command)
    finally:
        server.shutdown()
    assert second.returncode == 0, second.stderr[-3000:]
    assert sorted(site.asked) == [("/news/story-1/", None), ("/news/story-1/2/", None),
                                  ("/news/story-3/", '"story-3"')]  # a story of one page still is
    with sqlite3.connect(tmp_path / "a.db") as db:
        versions = db.execute("SELECT a.url, a.version_count, a.body_text FROM articles a ORDER BY a.url").fetchall()
        others = db.execute("SELECT substr(url, -9), substr(other_url, -11) FROM other_pages").fetchall()
    assert [(url[-9:], count, "paragraph 3 of story 1" in body) for url, count, body in versions] == [
        ("/story-1/", 2, True), ("/story-3/", 1, False)]
    assert others == [("/story-1/", "/story-1/2/")]
