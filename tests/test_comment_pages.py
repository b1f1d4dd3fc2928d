"""Comments split over pages: the links to a story's other comment pages
(newsarchive/parsers/comment_pages.py), their comments added to the story's
(newsarchive/comment_pages.py), and real crawls of a loopback blog whose story shows its twelve
comments four to a page."""

from __future__ import annotations

import json
import sqlite3

import pytest

from newsarchive.comment_pages import with_comment_pages
from newsarchive.items import Article, Comment
from newsarchive.parsers import parse_page
from newsarchive.parsers.comment_pages import comment_page_of, other_comment_pages
from newsarchive.parsers.document import parse_document
from tests.conftest import SiteHandler, run_cli, section_html, serve_handler

STORY = "https://blog.example/2024/05/01/harbour-flood/"
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"]


@pytest.mark.parametrize(("url", "page"), [
    ("https://blog.example/2024/05/01/harbour-flood/comment-page-2/", ("https://blog.example/2024/05/01/harbour-flood", 2)),
    ("https://blog.example/2024/05/01/harbour-flood/comment-page-12#comments",
     ("https://blog.example/2024/05/01/harbour-flood", 12)),
    ("https://blog.example/story.html/COMMENT-PAGE-3", ("https://blog.example/story.html", 3)),
    ("https://blog.example/?p=17&cpage=3", ("https://blog.example/?p=17", 3)),
    ("https://blog.example/story?comments_page=4&lang=de", ("https://blog.example/story?lang=de", 4)),
    ("https://blog.example/story?commentPage=5", ("https://blog.example/story", 5)),
    ("https://blog.example/story?comments-page=6", ("https://blog.example/story", 6)),
    # The rest of the URL is kept: its query (a blank value too) and the case of its path.
    ("https://blog.example/news/FOX/comment-page-2/?lang=de", ("https://blog.example/news/FOX?lang=de", 2)),
    ("https://blog.example/story?cpage=2&ref=", ("https://blog.example/story?ref=", 2)),
    # Not a comment page: no marker, a marker without a number, pages of the story itself.
    ("https://blog.example/2024/05/01/harbour-flood/", None),
    ("https://blog.example/story?cpage=last", None),
    ("https://blog.example/story/comment-page-2/more", None),
    ("https://blog.example/story?page=2", None),
    (None, None),
])
def test_a_comment_page_is_the_storys_url_with_a_numbered_marker(url, page):
    assert comment_page_of(url) == page


def links(*hrefs: str) -> bytes:
    return ("<html><body>" + "".join(f"<a href='{href}'>{n}</a>" for n, href in enumerate(hrefs)) + "</body></html>").encode()


def test_the_other_comment_pages_are_the_storys_own_by_number_each_once():
    doc = parse_document(STORY, links(
        "comment-page-3/#comments", "comment-page-2/#comments", "comment-page-3/#comment-7",
        "/2024/04/30/other-story/comment-page-2/#comment-9",  # another story's ("recent comments")
        "https://elsewhere.example/2024/05/01/harbour-flood/comment-page-4/",  # another site's
        "/2024/05/01/harbour-flood/", "/2024/05/02/next-story/"), "text/html")
    assert other_comment_pages(doc.root, doc.url, doc.absolute) == [
        "https://blog.example/2024/05/01/harbour-flood/comment-page-2/",
        "https://blog.example/2024/05/01/harbour-flood/comment-page-3/"]


def test_comment_pages_go_by_number_not_by_spelling():
    doc = parse_document(STORY, links("/about/", "comment-page-10/", "comment-page-2/", "comment-page-9/"), "text/html")
    assert other_comment_pages(doc.root, doc.url, doc.absolute) == [
        STORY + "comment-page-2/", STORY + "comment-page-9/", STORY + "comment-page-10/"]


def test_a_story_known_by_its_query_has_its_own_comment_pages():
    doc = parse_document("https://blog.example/?p=17", links("/?p=18&cpage=2", "/?p=17&cpage=2", "/?p=17"), "text/html")
    assert other_comment_pages(doc.root, doc.url, doc.absolute) == ["https://blog.example/?cpage=2&p=17"]


def test_a_comment_page_lists_its_siblings_and_not_itself():
    page_two = STORY + "comment-page-2/"
    doc = parse_document(page_two, links("../comment-page-1/", "../comment-page-2/", "../comment-page-3/"), "text/html")
    assert other_comment_pages(doc.root, doc.url, doc.absolute) == [STORY + "comment-page-1/", STORY + "comment-page-3/"]


def comment(number: int) -> str:
    return (f"<li id='comment-{number}' class='comment'><div class='comment-author'><b class='fn'>Reader {number}</b>"
            f"</div><div class='comment-content'><p>Comment number {number} on the harbour flood, a view of its own."
            f"</p></div></li>")


def story_page(numbers, pages: list[int], counter: int | None = 12, current: int = 1) -> str:
    prose = "".join(f"<p>The harbour flooded on day {day} and the fish market closed as the water rose.</p>"
                    for day in range(6))
    pager = " ".join(f"<a href='/2024/05/01/harbour-flood/comment-page-{page}/#comments'>{page}</a>" for page in pages
                     if page != current)
    heading = f"<h2>{counter} comments</h2>" if counter is not None else ""
    return (f"<html><head><title>Harbour flood</title><meta property='article:published_time' "
            f"content='2024-05-01T08:00:00Z'></head><body><article><h1>Harbour flood</h1>{prose}</article>"
            f"<div id='comments'>{heading}<ol class='commentlist'>{''.join(comment(n) for n in numbers)}</ol>"
            f"<nav class='comment-navigation'>{pager}</nav></div></body></html>")


def test_a_page_showing_some_of_its_comments_says_the_others_are_unreached():
    article = parse_page(STORY, story_page(range(1, 5), [1, 2, 3]).encode(), content_type="text/html")
    assert isinstance(article, Article)
    assert [c.site_comment_id for c in article.comments] == ["1", "2", "3", "4"]
    assert article.comment_pages == [STORY + "comment-page-2/", STORY + "comment-page-3/"]
    # Read alone, four of twelve: none missing from it may be marked removed.
    assert (article.comments_status, article.comments_complete) == ("unreached", False)


def test_a_page_without_other_comment_pages_is_read_as_before():
    article = parse_page(STORY, story_page(range(1, 13), []).encode(), content_type="text/html")
    assert (article.comment_pages, article.comments_status, article.comments_complete) == ([], "complete", True)


def page_article(url: str, numbers, count: int | None = 12, source: str = "markup") -> Article:
    return Article(url=url, comment_count=count, sources={"comments": source},
                   comments=[Comment(f"Comment {n}.", position, site_comment_id=str(n)) for position, n in enumerate(numbers)])


def test_the_pages_comments_follow_the_storys_by_page_number_each_once():
    first = page_article(STORY, [9, 10, 11, 12])  # the story's URL shows the last page, as WordPress's default
    pages = [page_article(STORY + "comment-page-2/", [5, 6, 7, 8, 9]), page_article(STORY + "comment-page-1/", [1, 2, 3, 4])]
    merged = with_comment_pages(first, pages, [])
    assert [(c.site_comment_id, c.position) for c in merged.comments] == [
        (str(n), position) for position, n in enumerate([9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8])]
    assert (merged.comments_status, merged.comments_complete, merged.warnings) == ("complete", True, [])


def test_a_comment_shown_on_two_later_pages_is_added_once():
    first = page_article(STORY, [1, 2])
    pages = [page_article(STORY + "comment-page-2/", [3, 4]), page_article(STORY + "comment-page-3/", [4, 5])]
    assert [c.site_comment_id for c in with_comment_pages(first, pages, []).comments] == ["1", "2", "3", "4", "5"]


def test_a_page_read_at_the_storys_own_url_comes_before_the_numbered_ones():
    # A comment page that redirected to the story: its URL has no number.
    pages = [page_article(STORY + "comment-page-1/", [3]), page_article(STORY, [2])]
    merged = with_comment_pages(page_article("https://blog.example/s", [1]), pages, [])
    assert [c.site_comment_id for c in merged.comments] == ["1", "2", "3"]


@pytest.mark.parametrize(("count", "status", "complete"), [
    (0, "none", True),  # the counter says none, and none was shown
    (None, "none", False),  # no comment anywhere, and nothing to say there were any
    (1, "unreached", False),
])
def test_stories_without_comments_on_any_page(count, status, complete):
    merged = with_comment_pages(page_article(STORY, [], count), [page_article(STORY + "comment-page-2/", [], None)], [])
    assert (merged.comments, merged.comments_status, merged.comments_complete) == ([], status, complete)


def test_a_page_not_read_leaves_them_unreached_even_where_no_counter_says_more():
    merged = with_comment_pages(page_article(STORY, [1, 2], None, "profile"), [], [f"{STORY}comment-page-2/: timeout"])
    assert (merged.comments_status, merged.comments_complete) == ("unreached", False)


def test_comments_without_a_site_id_are_told_apart_by_author_time_and_text():
    first = Article(url=STORY, comments=[Comment("Same words.", 0, author_name="Ann"), Comment("Same words.", 1)])
    again = Article(url=STORY + "comment-page-2/", comments=[
        Comment("Same words.", 0, author_name="Ann"), Comment("Same words.", 1, author_name="Bob")])
    merged = with_comment_pages(first, [again], [])
    assert [(c.author_name, c.position) for c in merged.comments] == [("Ann", 0), (None, 1), ("Bob", 2)]


def test_a_page_not_read_leaves_the_comments_unreached_with_a_warning():
    first = page_article(STORY, [1, 2, 3, 4])
    merged = with_comment_pages(first, [page_article(STORY + "comment-page-2/", [5, 6, 7, 8])],
                                [f"{STORY}comment-page-3/: ValueError: HTTP 503"])
    assert len(merged.comments) == 8
    assert (merged.comments_status, merged.comments_complete) == ("unreached", False)
    assert merged.warnings == [f"comments: the comment page {STORY}comment-page-3/: ValueError: HTTP 503 was not read"]


@pytest.mark.parametrize(("count", "source", "status", "complete"), [
    (12, "markup", "complete", True),  # every page read, the counter matched
    (13, "markup", "unreached", False),  # a comment the pages did not show
    (None, "markup", "complete", False),  # no counter: the markup's items may not be all
    (None, "profile", "complete", True),  # a profile's selector finds them all
    (12, "generic", "complete", False),  # the generic layer's lines are no list to trust
])
def test_the_comments_are_complete_by_the_parsers_rule_over_all_pages(count, source, status, complete):
    first = page_article(STORY, [1, 2, 3, 4], count, source)
    pages = [page_article(STORY + f"comment-page-{page}/", range(page * 4 - 3, page * 4 + 1), None, source)
             for page in (2, 3)]
    merged = with_comment_pages(first, pages, [])
    assert (len(merged.comments), merged.comments_status, merged.comments_complete) == (12, status, complete)


def test_a_counter_shown_on_a_later_page_counts_too():
    merged = with_comment_pages(page_article(STORY, [1, 2], None), [page_article(STORY + "comment-page-2/", [3], 4)], [])
    assert (merged.comments_status, merged.comments_complete) == ("unreached", False)


class BlogWithPagedComments(SiteHandler):
    """A blog's section linking one story whose twelve comments show four to a page: the story's
    URL shows comments 1 to 4 and links page 3 only (a pager "1 … 3"); page 3 links page 2.
    `removed` comments are gone from the site; `failing` pages answer 503."""

    removed: frozenset[int] = frozenset()
    failing: frozenset[int] = frozenset()
    STORY = "/2024/05/01/harbour-flood/"

    def do_GET(self):  # noqa: N802 (the http.server API)
        path = self.path.split("#")[0]
        if path == "/news/":
            return self.answer(200, f"<html><head><title>News</title></head><body><h1>News</h1>"
                                    f"<a href='{self.STORY}'>Harbour flood</a></body></html>")
        page = 1 if path == self.STORY else int(path.rsplit("comment-page-", 1)[1].strip("/")) \
            if path.startswith(self.STORY + "comment-page-") else None
        if page is None:
            return self.answer(404, "<html><body><h1>Not found</h1></body></html>")
        if page in self.failing:
            return self.answer(503, "<html><body>Busy</body></html>")
        numbers = [n for n in range(page * 4 - 3, page * 4 + 1) if n not in self.removed]
        return self.answer(200, story_page(numbers, [3] if page == 1 else [1, 2, 3], 12 - len(self.removed), page))


def stored_comments(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT c.body_text, c.position, c.removed_at IS NOT NULL FROM comments c "
                          "ORDER BY c.position").fetchall()


def test_a_crawl_reads_every_comment_page_and_the_next_one_marks_a_removal_on_any_of_them(tmp_path):
    db_path, site = tmp_path / "paged.db", type("Site", (BlogWithPagedComments,), {})
    server = serve_handler(site)

    def crawl():
        return run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path),
                       "--allow-private", "--full", "--render", "never", *FAST)

    try:
        first = crawl()
        site.removed = frozenset({6})  # a comment on page 2, which the story's page does not link
        second = crawl()
    finally:
        server.shutdown()
    assert first.returncode == 0, first.stderr[-3000:]
    # The comment pages are no pages of the crawl's tally: they are the story's.
    assert "3 pages: 1 articles, 2 listings, 0 unchanged, 0 failures; 3 more comment pages read for 1 articles" \
        in first.stdout
    texts = [f"Comment number {n} on the harbour flood, a view of its own." for n in range(1, 13)]
    # The story's page, then page 2 (found on page 3), then page 3; page 1 again adds nothing.
    order = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert stored_comments(db_path) == [(texts[n - 1], position, n == 6) for position, n in enumerate(order)]
    assert second.returncode == 0, second.stderr[-3000:]
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT comments_status, comment_count FROM articles").fetchall() == [("complete", 11)]
        pages = db.execute("SELECT crawl_id, substr(url, instr(url, 'comment-page')) FROM captures "
                           "WHERE kind = 'comments' ORDER BY crawl_id, url").fetchall()
    assert pages == [(crawl, f"comment-page-{page}/") for crawl in (1, 2) for page in (1, 2, 3)]


def test_a_comment_page_that_fails_leaves_the_comments_unreached_until_a_crawl_reads_it(tmp_path):
    """The story is old (out of the refresh window): the next crawl, which cannot render, asks for
    it again because a page of its comments was not read (newsarchive/refresh.py)."""
    db_path, site = tmp_path / "paged.db", type("Site", (BlogWithPagedComments,), {"failing": frozenset({2})})
    server = serve_handler(site)

    def crawl():
        return run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path),
                       "--allow-private", "--render", "never", "-s", "RETRY_TIMES=0", *FAST)

    def article():
        with sqlite3.connect(db_path) as db:
            status, warnings = db.execute("SELECT comments_status, warnings FROM articles").fetchone()
        return status, json.loads(warnings), len(stored_comments(db_path))

    try:
        first = crawl()  # comments 5 to 8, on page 2, cannot be read this time
        after_first = article()
        site.failing = frozenset()
        second = crawl()
    finally:
        server.shutdown()
    assert first.returncode == second.returncode == 0, first.stderr[-3000:] + second.stderr[-3000:]
    page_two = f"http://127.0.0.1:{server.server_port}/2024/05/01/harbour-flood/comment-page-2/"
    assert f"WARNING: cannot read the comment page {page_two}: ValueError: HTTP 503" in first.stderr
    assert after_first == ("unreached", [f"comments: the comment page {page_two}: ValueError: HTTP 503 was not read"], 8)
    assert article() == ("complete", [], 12)
    assert [removed for _, _, removed in stored_comments(db_path)] == [False] * 12


def test_a_comment_page_that_always_fails_has_the_story_asked_for_three_times_in_all(tmp_path):
    """NEWSARCHIVE_COMMENT_PAGE_ATTEMPTS (3): the story, old, is fetched by the crawl that stores
    it and by the next two, which cannot read page 2 either; the fourth leaves it alone."""
    db_path, story_fetches = tmp_path / "paged.db", []

    class Site(BlogWithPagedComments):
        failing = frozenset({2})

        def do_GET(self):  # noqa: N802 (the http.server API)
            if self.path == self.STORY:
                story_fetches.append(self.path)
            return super().do_GET()

    server = serve_handler(Site)
    try:
        results = [run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path),
                           "--allow-private", "--render", "never", "-s", "RETRY_TIMES=0", *FAST) for _ in range(4)]
        fetches = [len(story_fetches)]
        results.append(run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path),
                               "--allow-private", "--render", "never", "--full", *FAST))
    finally:
        server.shutdown()
    assert [result.returncode for result in results] == [0] * 5, results[-1].stderr[-3000:]
    assert fetches == [3]
    assert "2 pages: 0 articles, 2 listings, 0 unchanged, 0 failures" in results[3].stdout
    assert len(story_fetches) == 4  # --full asks for it as for every story
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT comments_status, visits FROM articles JOIN revisits ON article_id = id").fetchall() \
            == [("unreached", 3)]
    assert len(stored_comments(db_path)) == 8


@pytest.mark.parametrize(("limit", "clause", "comments"), [
    (1, "; 1 more comment pages read for 1 articles, 2 could not be", 8),  # page 3, linked by the story
    (0, "", 4),  # none read: the story's own four
])
def test_a_story_reads_at_most_so_many_comment_pages(tmp_path, limit, clause, comments):
    db_path = tmp_path / "paged.db"
    server = serve_handler(type("Site", (BlogWithPagedComments,), {}))
    try:
        result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(db_path),
                         "--allow-private", "--render", "never", "-s", f"NEWSARCHIVE_COMMENT_PAGES={limit}", *FAST)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"3 pages: 1 articles, 2 listings, 0 unchanged, 0 failures{clause}\n" in result.stdout
    with sqlite3.connect(db_path) as db:
        status, warnings = db.execute("SELECT comments_status, warnings FROM articles").fetchone()
    assert (status, len(stored_comments(db_path))) == ("unreached", comments)
    base = f"http://127.0.0.1:{server.server_port}/2024/05/01/harbour-flood/comment-page-"
    assert json.loads(warnings) == ([f"comments: the comment page {base}{page}/: past NEWSARCHIVE_COMMENT_PAGES (1) "
                                     "was not read" for page in (1, 2)] if limit else [])


class StoryWithCommentFrame(SiteHandler):
    """/news/ links one story; its comments are in a frame of the site's own (/comments/?article=1),
    under a counter of 2; a frame to write one (/comment-iframe?post=1) beside it. `asked` notes
    the paths asked."""

    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        self.asked.append(self.path)
        if self.path == "/news/":
            return self.answer(200, section_html(range(1, 2)))
        if self.path == "/news/2024/05/01/story-1":
            prose = "".join(f"<p>Paragraph {k} of story 1 on the river and the bridge works.</p>" for k in range(4))
            return self.answer(200, f"<html><head><title>Story 1</title></head><body><article><h1>Story 1</h1>{prose}"
                                    "</article><h3>2 Comments</h3><iframe src='/comments/?article=1' title='Comments'>"
                                    "</iframe><iframe id='comment-editor' src='/comment-iframe?post=1'></iframe></body></html>")
        if self.path == "/comments/?article=1":
            items = "".join(f"<li class='comment' id='comment-{k}'><p class='comment-author'>Reader {k}</p>"
                            f"<div class='comment-content'><p>Comment {k} on the bridge story.</p></div></li>" for k in (1, 2))
            return self.answer(200, f"<html><body><ol class='comment-list'>{items}</ol></body></html>")
        self.answer(404, "<html><body>no</body></html>")


def test_comments_in_a_frame_of_the_site_s_own_are_read_without_a_browser(tmp_path):
    StoryWithCommentFrame.asked = []
    server = serve_handler(StoryWithCommentFrame)
    try:
        result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/news/", "--db", str(tmp_path / "a.db"),
                         "--allow-private", "--render", "never")
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(tmp_path / "a.db")
    assert db.execute("SELECT comments_status, comment_count FROM articles").fetchall() == [("complete", 2)]
    assert db.execute("SELECT author_name, body_text FROM comments ORDER BY position").fetchall() == [
        ("Reader 1", "Comment 1 on the bridge story."), ("Reader 2", "Comment 2 on the bridge story.")]
    assert db.execute("SELECT count(*) FROM captures WHERE kind = 'comments'").fetchone() == (1,)
    assert "/comment-iframe?post=1" not in StoryWithCommentFrame.asked  # a form's frame holds no comments


def test_a_comment_page_showing_none_of_the_comments_it_says_it_has_leaves_them_unreached():
    # Its list filled by its script: the first page's two comments were stored as all there were, complete.
    import dataclasses

    from newsarchive.comment_pages import COMMENT_PAGE_UNREAD

    first = page_article(STORY, [1, 2], count=None)
    empty = dataclasses.replace(page_article(STORY + "comment-page-2/", [], count=None), comments_status="unreached")
    merged = with_comment_pages(first, [empty], [])
    assert (merged.comments_status, merged.comments_complete) == ("unreached", False)
    assert merged.warnings == [f"{COMMENT_PAGE_UNREAD}{STORY}comment-page-2/: it shows none of the comments it says "
                               "it has (its script loads them?) was not read"]
    # A page showing some of the comments a counter of them all gives was read.
    partial = dataclasses.replace(page_article(STORY + "comment-page-2/", [3, 4], count=4), comments_status="unreached")
    assert with_comment_pages(page_article(STORY, [1, 2], count=4), [partial], []).comments_status == "complete"


@pytest.mark.parametrize("url, page", [
    ("https://blog.example/story?page=2#comments", ("https://blog.example/story", 2)),
    ("https://blog.example/story?page=3#comment-list", ("https://blog.example/story", 3)),
    # One comment, not the list: the page parameter is the site's, not the comments'.
    ("https://blog.example/story?page=2#comment-12", None),
    ("https://blog.example/story?page=2#comments2", None),
])
def test_a_numbered_page_parameter_is_a_comment_page_only_with_a_fragment_naming_the_comments(url, page):
    assert comment_page_of(url) == page

