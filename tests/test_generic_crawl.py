"""A second site, with no profile, crawled end to end by the generic spider on loopback.

"The Town Paper" is a small WordPress-style site we write here: a section with two pages, an RSS
feed, a sitemap index with a post sitemap, articles with and without JSON-LD, threaded comments.
Some articles are linked only from the feed, one only from the sitemap, and one, old, only from
the sitemap with an old lastmod (for --since).
"""

from __future__ import annotations

import json
import sqlite3
from html import escape
from pathlib import Path

import pytest

from tests.conftest import run_cli, serve_in_subprocess

ARTICLES = [  # (number, date, title, author, where it is linked from)
    (1, "2024-03-01", "Bridge over the river reopens after repairs", "Tom Berg", {"news1", "feed", "sitemap"}),
    (2, "2024-03-02", "Market traders welcome the new opening hours", "Lena Fischer", {"news1", "feed", "sitemap"}),
    (3, "2024-03-03", "School council votes on the new playground plan", "Tom Berg", {"news1", "sitemap"}),
    (4, "2024-03-04", "Library extends its weekend reading programme", "Amira Khan", {"news2", "sitemap"}),
    (5, "2024-03-05", "Football club signs two players from the region", "Jonas Weber", {"news2", "sitemap"}),
    (6, "2024-03-06", "Town hall publishes the budget for the coming year", "Lena Fischer", {"feed", "sitemap"}),
    (7, "2024-03-07", "Volunteers clean the river banks on Saturday", "Amira Khan", {"sitemap"}),
    (8, "2015-06-01", "Old story about the first bridge closure in the town", "Tom Berg", {"sitemap"}),
]
COMMENTS = {1: [("c11", None, "Rita", "Finally the bridge is open."), ("c12", "c11", "Sam", "Took long enough.")],
            3: [("c31", None, "Paul", "The playground plan is good.")]}


def article_path(number: int, day: str) -> str:
    return f"/{day.replace('-', '/')}/{ARTICLES[number - 1][2].lower().replace(' ', '-')}/"


def comment_html(comments) -> str:
    def item(cid, parent, author, text):
        replies = "".join(item(*c) for c in comments if c[1] == cid)
        children = f'<ul class="children">{replies}</ul>' if replies else ""
        return (f'<li id="comment-{cid}" class="comment"><article id="div-comment-{cid}" class="comment-body">'
                f'<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">{escape(author)}</b> '
                f'<span class="says">says:</span></div><div class="comment-metadata"><time datetime="2024-03-10T12:00:00Z">'
                f'10 March 2024</time></div></footer><div class="comment-content"><p>{escape(text)}</p></div>'
                f'<div class="reply"><a class="comment-reply-link" href="#respond">Reply</a></div></article>{children}</li>')
    top = "".join(item(*c) for c in comments if c[1] is None)
    return f'<div id="comments"><h2>{len(comments)} comments</h2><ol class="comment-list">{top}</ol></div>'


def layout(title: str, main: str, head: str = "") -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)} – The Town Paper</title>"
            f"<link rel='alternate' type='application/rss+xml' href='/feed/'>{head}</head><body>"
            "<header><a href='/'>The Town Paper</a><nav><a href='/news/'>News</a> <a href='/about/'>About</a>"
            "<a href='/category/sport/'>Sport</a></nav></header>"
            f"<main>{main}</main><footer><a href='/privacy/'>Privacy</a> © The Town Paper</footer></body></html>")


def article_page(number, day, title, author) -> str:
    paragraphs = "".join(f"<p>{escape(title)}: paragraph {n} tells what happened in the town this week, "
                         f"who said what, and what comes next for the people who live here.</p>" for n in range(6))
    head = "<meta property='og:type' content='article'>"
    if number % 2:  # odd articles carry JSON-LD; even ones only a printed byline and date
        head += ("<script type='application/ld+json'>" + json.dumps({
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
            "datePublished": f"{day}T09:00:00+01:00", "author": {"@type": "Person", "name": author}}) + "</script>")
    main = (f"<article class='post'><h1 class='entry-title'>{escape(title)}</h1>"
            f"<p class='byline'>By {escape(author)}</p><p class='date'>Published {day}</p>"
            f"<div class='entry-content'>{paragraphs}</div></article>{comment_html(COMMENTS.get(number, []))}")
    return layout(title, main, head)


def listing_page(numbers, older: str | None) -> str:
    items = "".join(f"<article class='post-summary'><h2><a href='{article_path(n, ARTICLES[n - 1][1])}'>"
                    f"{escape(ARTICLES[n - 1][2])}</a></h2><p>A short teaser.</p></article>" for n in numbers)
    pager = f"<div class='nav-links'><a class='next page-numbers' href='{older}'>Older posts</a></div>" if older else ""
    return layout("News", f"<h1>News</h1>{items}{pager}", "<meta property='og:type' content='website'>")


def write_site(folder: Path, base: str) -> None:
    def write(path: str, text: str):
        target = folder / path.strip("/") / "index.html" if path.endswith("/") else folder / path.strip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    for number, day, title, author, _ in ARTICLES:
        write(article_path(number, day), article_page(number, day, title, author))
    write("/news/", listing_page([a[0] for a in ARTICLES if "news1" in a[4]], "/news/page/2/"))
    write("/news/page/2/", listing_page([a[0] for a in ARTICLES if "news2" in a[4]], None))
    items = "".join(f"<item><title>{escape(a[2])}</title><link>{base}{article_path(a[0], a[1])}</link>"
                    f"<pubDate>{a[1]}T09:00:00+00:00</pubDate></item>" for a in ARTICLES if "feed" in a[4])
    write("/feed/index.xml", f"<?xml version='1.0'?><rss version='2.0'><channel><title>Town</title>{items}</channel></rss>")
    urls = "".join(f"<url><loc>{base}{article_path(a[0], a[1])}</loc><lastmod>{a[1]}</lastmod></url>"
                   for a in ARTICLES if "sitemap" in a[4])
    write("/post-sitemap.xml", "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                               f"{urls}</urlset>")
    write("/sitemap_index.xml", "<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                                f"<sitemap><loc>{base}/post-sitemap.xml</loc></sitemap></sitemapindex>")
    write("/robots.txt", "User-agent: *\nDisallow: /wp-admin/\nSitemap: /sitemap_index.xml\n")


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    folder = tmp_path_factory.mktemp("town") / "site"
    folder.mkdir()
    server, base = serve_in_subprocess(folder)
    write_site(folder, base)
    yield base, tmp_path_factory.mktemp("town-archive")
    server.terminate()
    server.wait(timeout=10)


def crawl(base, db_path, *options):
    result = run_cli("crawl", f"{base}/news/", "--db", str(db_path), "--allow-private",
                     "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING", *options)
    assert result.returncode == 0, result.stderr[-3000:]
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    return db


def test_the_generic_spider_finds_every_article_through_listings_feed_and_sitemap(town):
    base, folder = town
    db = crawl(base, folder / "all.db")
    stored = {row["canonical_url"].removeprefix(base): dict(row) for row in db.execute("SELECT * FROM articles")}
    assert set(stored) == {article_path(a[0], a[1]) for a in ARTICLES}
    for number, day, title, author, _ in ARTICLES:
        row = stored[article_path(number, day)]
        assert row["title"] == title
        assert row["published_at"][:10] in (day, f"{day[:8]}{int(day[8:]) - 1:02d}")  # 09:00+01:00 is 08:00Z
        assert "comment" not in row["body_text"].lower() and "Privacy" not in row["body_text"]
        assert row["body_text"].count("paragraph") == 6
        names = [r[0] for r in db.execute("SELECT au.name FROM article_authors aa JOIN authors au "
                                          "ON au.id = aa.author_id WHERE aa.article_id = ?", [row["id"]])]
        assert names == [author]
        # JSON-LD where the page has it, else the date in the URL (cheaper than the generic layer)
        assert json.loads(row["sources"])["published_at"] == ("jsonld" if number % 2 else "url")
    crawl_row = db.execute("SELECT site, finish_reason FROM crawls").fetchone()
    assert tuple(crawl_row) == ("127.0.0.1", "finished")


def test_comments_are_threaded_on_a_site_with_no_profile(town):
    base, folder = town
    db = crawl(base, folder / "comments.db")
    rows = db.execute("SELECT c.site_comment_id, p.site_comment_id, c.author_name, c.body_text FROM comments c "
                      "LEFT JOIN comments p ON p.id = c.parent_id ORDER BY c.site_comment_id").fetchall()
    assert [tuple(r) for r in rows] == [("c11", None, "Rita", "Finally the bridge is open."),
                                        ("c12", "c11", "Sam", "Took long enough."),
                                        ("c31", None, "Paul", "The playground plan is good.")]


def test_since_filters_sitemap_and_feed_entries_by_their_dates(town):
    base, folder = town
    db = crawl(base, folder / "since.db", "--since", "2020-01-01")
    urls = {row[0].removeprefix(base) for row in db.execute("SELECT canonical_url FROM articles")}
    assert article_path(8, "2015-06-01") not in urls and len(urls) == len(ARTICLES) - 1


def test_a_second_crawl_adds_nothing(town):
    base, folder = town
    crawl(base, folder / "twice.db")
    db = crawl(base, folder / "twice.db", "--full")
    assert tuple(db.execute("SELECT count(*), sum(version_count) FROM articles").fetchone()) == (len(ARTICLES),) * 2
    assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == 3
