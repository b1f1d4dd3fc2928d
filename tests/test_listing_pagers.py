"""A section paged by a link in another language, by numbers alone, or by a link of any label at its
own URL for the next page number, is walked to its end: each
of its pages is its listing's next page, not a page of unknown kind the discovery budget stops at
(newsarchive/parsers/discovery.py, next_page)."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.conftest import SiteHandler, run_cli, serve_handler

PAGES = 6


class PagedBlog(SiteHandler):
    """A blog of PAGES listing pages (/blog/, /blog/page/N/), one story each, and no sitemap; its
    pager is `pager` (class attribute): "german" (Ältere Beiträge), "numbers" (1 2 3 ...) or "load more"
    (Mehr laden: a label no list of words holds, at the blog's URL for the next page) or "from zero"
    (Load more, at /blog/?page=N, counted from 0 as Drupal does: ?page=1 is the second page) or
    "button" (a script's Load more button, the next page in its data-url) or "offset" (Mehr laden, at
    /blog/?start=N, ten a page: the first page's link is followed as a link of its content, the
    pages after as the next page of the one before, by their one number that grows)."""

    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path in ("/robots.txt", "/sitemap.xml"):
            return self.answer(404, "no")
        listing = re.fullmatch(r"/blog/(?:page/(\d+)/|\?page=(\d+)|\?start=(\d+))?", self.path)
        if listing:
            page = (int(listing.group(3)) // 10 + 1 if listing.group(3) is not None else
                    int(listing.group(2)) + 1 if listing.group(2) is not None else int(listing.group(1) or 1))
            story = f"<article><h2><a href='/2024/05/0{page}/beitrag-{page}/'>Beitrag {page}</a></h2></article>"
            if self.pager in ("german", "load more"):
                label = "Ältere Beiträge" if self.pager == "german" else "Mehr laden"
                pager = f"<a href='/blog/page/{page + 1}/'>{label}</a>" if page < PAGES else ""
            elif self.pager == "button":  # a script's "Load more", the next page in a data- attribute
                pager = f"<button data-url='/blog/page/{page + 1}/'>Load more</button>" if page < PAGES else ""
            elif self.pager == "offset":  # ?start=10 is the second page: ten posts a page, as the site counts
                pager = f"<a href='/blog/?start={10 * page}'>Mehr laden</a>" if page < PAGES else ""
            elif self.pager == "from zero":  # ?page=1 is the second page
                pager = f"<a href='/blog/?page={page}'>Load more</a>" if page < PAGES else ""
            else:
                pager = "".join(f"<a href='/blog/page/{n}/'>{n}</a>" if n != page else f"<span>{n}</span>"
                                for n in range(max(1, page - 1), min(PAGES, page + 1) + 1))
            return self.answer(200, f"<html><head><title>Blog</title></head><body><main>{story}</main>"
                                    f"<div class='nav-links'>{pager}</div></body></html>")
        story = re.fullmatch(r"/2024/05/0(\d)/beitrag-\d/", self.path)
        if story:
            prose = "".join(f"<p>Absatz {k} des Beitrags {story.group(1)} über die Brücke und den Fluss, "
                            f"den Stadtrat und die Kosten der Arbeiten.</p>" for k in range(5))
            return self.answer(200, f"<html><head><title>Beitrag {story.group(1)}</title></head><body><article>"
                                    f"<h1>Beitrag {story.group(1)}</h1>{prose}</article></body></html>")
        return self.answer(404, "<html><body>nein</body></html>")


@pytest.mark.parametrize("pager", ["german", "numbers", "load more", "from zero", "button", "offset"])
def test_a_paged_blog_is_walked_to_its_end(tmp_path, pager):
    server = serve_handler(type("Site", (PagedBlog,), {"pager": pager}))
    try:
        result = run_cli("crawl", f"http://127.0.0.1:{server.server_port}/blog/", "--db", str(tmp_path / "a.db"),
                         "--allow-private", "--render", "never", "-s", "AUTOTHROTTLE_ENABLED=False")
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "a.db") as db:
        titles = sorted(title for (title,) in db.execute("SELECT title FROM articles"))
        pages = sorted(page for (page,) in db.execute("SELECT page FROM listings WHERE kind = 'listing'"))
    assert titles == [f"Beitrag {n}" for n in range(1, PAGES + 1)]
    # Each reached as the next page of the one before (a page reached by a link only is numbered 1:
    # the numbers pager's link back to /blog/page/1/, the offset pager's second page).
    assert set(pages) == set(range(1, PAGES + (pager != "offset")))
