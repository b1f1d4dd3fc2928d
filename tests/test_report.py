"""`newsarchive report`: a crawl summarised, coverage drops warned about, HTML safe from page text."""

from __future__ import annotations

import json

from lxml import html as lxml_html

from newsarchive.archive import open_archive, open_for_reading
from newsarchive.archive.store import finish_crawl, start_crawl, store_article, store_failure
from newsarchive.items import Article, Byline, Comment, PageFailure
from newsarchive.research.report import crawl_report
from tests.conftest import run_cli
from tests.test_diff import AR_URL, URL, versions_archive

HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)">'


def test_report_of_the_latest_crawl(research_archive, tmp_path):
    result = run_cli("report", "--db", str(research_archive.db_path), "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["crawl"]["id"] == 2 and figures["previous_crawl_id"] == 1
    reasons = {f["reason"]: f for f in figures["failures"]}
    assert set(reasons) == {"http_404", "not_html"}
    assert reasons["http_404"]["examples"][0].endswith("/faults/404")
    changed = {a["url"].split("/", 3)[3] for a in figures["changed_articles"]}
    assert changed == {path.lstrip("/") for path in research_archive.after["changes"]["edited"]}
    # Each demo edit adds ", officials say" (2 words) and a 14-word correction; in Arabic, 2 and 10.
    for article in figures["changed_articles"]:
        english = "/en_GB/" in article["url"]
        assert (article["fields_changed"], article["words_added"], article["words_removed"]) == (
            ["title", "body"], 16 if english else 12, 0)
        assert article["diff_command"] == f"newsarchive diff {article['id']} --db {research_archive.db_path}"
    assert figures["warnings"] == []
    assert len(figures["articles_per_day"]) > 0


def test_text_report_and_self_contained_html(research_archive, tmp_path):
    out = tmp_path / "report.html"
    result = run_cli("report", "--db", str(research_archive.db_path), "--crawl", "1", "--html", str(out))
    assert result.returncode == 0, result.stderr
    assert "Crawl 1 of diyaruna: finished" in result.stdout and "New articles per publication day" in result.stdout
    page = out.read_text(encoding="utf-8")
    tree = lxml_html.fromstring(page)
    assert tree.xpath("//svg//rect") and not tree.xpath("//script | //link | //img | //iframe")
    assert "http" not in "".join(tree.xpath("//style/text()"))  # nothing fetched from elsewhere


def hostile_archive(path):
    """An archive whose page-derived text is markup and script, and whose coverage then drops."""
    archive = open_archive(path)
    with archive.write() as db:
        for crawl_number, with_bylines in ((1, True), (2, False)):
            crawl_id = start_crawl(db, "evil", "evil", {}, f"2026-01-0{crawl_number}T00:00:00Z")
            for n in range(10):
                article = Article(
                    url=f"https://evil.example/a/{n}", title=f"{HOSTILE} {n} {crawl_number}", body_text=f"body {n}",
                    published_at="2026-01-01",
                    authors=[Byline(name=HOSTILE, name_raw=HOSTILE, position=0)] if with_bylines else [],
                    comments=[Comment(body_text=HOSTILE, position=0, author_name=HOSTILE, site_comment_id=f"{crawl_number}-{n}")],
                )
                store_article(db, article, crawl_id, f"2026-01-0{crawl_number}T00:00:01Z")
            store_failure(db, PageFailure(url='javascript:alert(1)//"><script>x</script>', reason="http_404"),
                          crawl_id, f"2026-01-0{crawl_number}T00:00:02Z")
            shares = {"byline": 1.0 if with_bylines else 0.0, "date": 1.0, "photo": 0.0, "comments": 1.0}
            finish_crawl(db, crawl_id, {"finished_at": f"2026-01-0{crawl_number}T00:00:03Z", "finish_reason": "finished",
                                        "articles_stored": 10, "coverage": {"articles": 10, "share": shares}})
    archive.close()


def test_a_coverage_drop_is_warned_loudly_and_page_text_cannot_run(tmp_path):
    db_path, out = tmp_path / "evil.db", tmp_path / "evil.html"
    hostile_archive(db_path)  # crawl 2 changed every title: they are listed, hostile text and all
    result = run_cli("report", "--db", str(db_path), "--html", str(out))
    assert result.returncode == 3, result.stderr
    assert "WARNING: BYLINE COVERAGE FELL FROM 100% TO 0%" in result.stdout
    page = out.read_text(encoding="utf-8")
    tree = lxml_html.fromstring(page)
    assert not tree.xpath("//script | //img | //iframe | //object")
    assert not [attribute for element in tree.iter() for attribute in element.attrib if attribute.startswith("on")]
    assert all(href.startswith(("http://", "https://")) for href in tree.xpath("//a/@href"))
    # Shown as text: ten changed titles, ten new comments (author and text), the failure URL.
    assert page.count("&lt;script&gt;") >= 31
    assert tree.xpath("//div[@class='warning']/text()")[0].startswith("byline coverage fell")


def test_reporting_on_a_crawl_that_does_not_exist_is_a_clear_error(research_archive):
    result = run_cli("report", "--db", str(research_archive.db_path), "--crawl", "99")
    # A usage error, as every command's for a crawl or a file that is not there (exit 2).
    assert result.returncode == 2 and "Error: Invalid value for '--crawl': no crawl 99 in " in result.stderr


def test_a_profile_selector_that_stops_matching_is_named(tmp_path):
    """Every byline came from the profile's selector; then it matched on 2 pages of 10 (the markup
    layer found the others): the coverage holds, the selector is what broke, and the report says so."""
    db_path = tmp_path / "selectors.db"
    archive = open_archive(db_path)
    with archive.write() as db:
        for number, from_profile in ((1, 10), (2, 2)):
            crawl_id = start_crawl(db, "diyaruna", "diyaruna", {}, f"2026-02-0{number}T00:00:00Z")
            sources = {"authors:profile": from_profile, "authors:markup": 10 - from_profile, "title:profile": 10}
            finish_crawl(db, crawl_id, {"finished_at": f"2026-02-0{number}T01:00:00Z", "finish_reason": "finished",
                                        "articles_stored": 10, "coverage": {"articles": 10, "share": {"byline": 1.0},
                                                                            "sources": sources}})
    archive.close()
    result = run_cli("report", "--db", str(db_path), "--json")
    assert result.returncode == 3, result.stderr
    figures = json.loads(result.stdout)
    rows = {row["field"]: row for row in figures["profile_selectors"]}
    assert (rows["authors"]["share"], rows["authors"]["previous_share"]) == (0.2, 1.0)
    assert rows["title"]["warning"] is None
    assert figures["warnings"] == [
        "the profile's selector for authors found it on 20% of pages (crawl 1: 100%): the markup changed; "
        "`newsarchive profile check URL` shows what to fix"]
    text = run_cli("report", "--db", str(db_path)).stdout
    assert "  authors          20%  (before 100%)" in text


def test_changed_articles_with_fields_words_and_the_diff_command(tmp_path):
    """Crawl 3 of the hand-made archive of test_diff: the English article's third version
    (noon -> 1 pm) and the Arabic one's second (a word added to the title, two body words edited)."""
    db_path = tmp_path / "versions.db"
    versions_archive(db_path)
    text = run_cli("report", "--db", str(db_path))
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    start = lines.index("Articles changed in this crawl (2):")
    assert lines[start:start + 8] == [
        "Articles changed in this crawl (2):",
        "  Mosul bridge reopens after repairs",
        f"    {URL}",
        f"    body changed: 2 words added, 1 removed; see: newsarchive diff 1 --from 2 --to 3 --db {db_path}",
        "  إعادة افتتاح جسر الموصل",
        f"    {AR_URL}",
        f"    title, body changed: 3 words added, 2 removed; see: newsarchive diff 2 --db {db_path}",
        "    title: {+إعادة+} افتتاح جسر الموصل",
    ]
    # Crawl 2: two words added to the title; comment 3 (Omar) added and comment 2 (Sara) removed.
    figures = json.loads(run_cli("report", "--db", str(db_path), "--crawl", "2", "--json").stdout)
    assert figures["changed_articles"] == [{
        "id": 1, "title": "Mosul bridge reopens after repairs", "url": URL, "version": 2,
        "fields_changed": ["title", "body"], "title_diff": "Mosul bridge reopens {+after repairs+}",
        "title_pieces": [["equal", "Mosul bridge reopens "], ["added", "after repairs"]],
        "words_added": 13, "words_removed": 1, "comments_added": 1, "comments_removed": 1,
        "removed_comments": ["Spam!"], "diff_command": f"newsarchive diff 1 --db {db_path}"}]
    assert figures["comments_changed"] == []
    text = run_cli("report", "--db", str(db_path), "--crawl", "2").stdout.splitlines()
    start = text.index("    title: Mosul bridge reopens {+after repairs+}")
    assert text[start + 1:start + 3] == ["    comments: 1 added, 1 removed", "      - Spam!"]


def test_html_lists_changed_articles_with_their_diff_command(tmp_path):
    db_path, out = tmp_path / "archive.db", tmp_path / "report.html"
    versions_archive(db_path)
    result = run_cli("report", "--db", str(db_path), "--html", str(out))
    assert result.returncode == 0, result.stderr
    tree = lxml_html.fromstring(out.read_text(encoding="utf-8"))
    heading = tree.xpath("//h2[text()='Articles changed in this crawl']")[0]
    rows = [[cell.text_content() for cell in row.xpath("td")] for row in heading.getnext().xpath("tr[td]")]
    assert rows == [
        ["Mosul bridge reopens after repairs", "3", "body", "unchanged", "2", "1", "0 added, 0 removed",
         f"newsarchive diff 1 --from 2 --to 3 --db {db_path}"],
        ["إعادة افتتاح جسر الموصل", "2", "title, body", "إعادة افتتاح جسر الموصل", "3", "2",
         "0 added, 0 removed", f"newsarchive diff 2 --db {db_path}"],
    ]
    assert [cell.text for cell in heading.getnext().xpath(".//ins")] == ["إعادة"]
    assert not heading.getnext().xpath(".//del")
    run_cli("report", "--db", str(db_path), "--crawl", "2", "--html", str(out))
    table = lxml_html.fromstring(out.read_text(encoding="utf-8")).xpath(
        "//h2[text()='Articles changed in this crawl']")[0].getnext()
    assert [cell.text for cell in table.xpath(".//ins")] == ["after repairs"]
    assert [cell.text for cell in table.xpath(".//del")] == ["Spam!"]  # the removed comment


def test_the_diff_command_names_only_an_archive_other_than_the_default(tmp_path):
    db_path = tmp_path / "it's mine.db"
    versions_archive(db_path)
    db = open_for_reading(db_path)
    try:
        default = [a["diff_command"] for a in crawl_report(db)["changed_articles"]]
        named = [a["diff_command"] for a in crawl_report(db, db_path=str(db_path))["changed_articles"]]
    finally:
        db.close()
    assert default == ["newsarchive diff 1 --from 2 --to 3", "newsarchive diff 2"]
    assert named[1] == f"newsarchive diff 2 --db '{tmp_path}/it'\"'\"'s mine.db'"  # quoted for the shell


LONG_COMMENT = "This   comment was removed by the moderators because it named the official who " \
    "leaked the report."  # 95 characters once its run of spaces is one


def moderated_archive(path):
    """Two crawls of two articles. Crawl 2 finds the first one's title reworded and the second one
    unchanged in text but with a comment removed (LONG_COMMENT) and one added."""
    archive = open_archive(path)
    with archive.write() as db:
        for number in (1, 2):
            day = f"2026-02-0{number}"
            crawl_id = start_crawl(db, "diyaruna", "diyaruna", {}, f"{day}T00:00:00Z")
            title = "Old minister opens the bridge" if number == 1 else "New minister opens a bridge"
            store_article(db, Article(url=URL, title=title, body_text="Body."), crawl_id, f"{day}T01:00:00Z")
            comments = [Comment(body_text=LONG_COMMENT, position=0, site_comment_id="1"),
                        Comment(body_text="Kept.", position=1, site_comment_id="2")] if number == 1 else \
                [Comment(body_text="Kept.", position=0, site_comment_id="2"),
                 Comment(body_text="First!", position=1, site_comment_id="3")]
            store_article(db, Article(url=AR_URL, title="Moderated", body_text="Same.", comments=comments,
                                      comments_complete=True), crawl_id, f"{day}T01:00:01Z")
            finish_crawl(db, crawl_id, {"finished_at": f"{day}T02:00:00Z", "finish_reason": "finished",
                                        "articles_stored": 2, "articles_changed": number - 1})
    archive.close()


def test_a_reworded_title_and_comments_moderated_on_an_unchanged_article(tmp_path):
    db_path = tmp_path / "moderated.db"
    moderated_archive(db_path)
    figures = json.loads(run_cli("report", "--db", str(db_path), "--json").stdout)
    [changed] = figures["changed_articles"]
    assert changed["title_diff"] == "[-Old-]{+New+} minister opens [-the-]{+a+} bridge"
    assert (changed["words_added"], changed["words_removed"], changed["comments_added"]) == (2, 2, 0)
    cut = "This comment was removed by the moderators because it named the official who lea"
    assert len(cut) == 80
    assert figures["comments_changed"] == [{
        "id": 2, "title": "Moderated", "url": AR_URL, "comments_added": 1, "comments_removed": 1,
        "removed_comments": [cut]}]
    text = run_cli("report", "--db", str(db_path)).stdout.splitlines()
    start = text.index("Comments added or removed on articles whose text did not change (1):")
    assert text[start + 1:start + 5] == ["  Moderated", f"    {AR_URL}", "    comments: 1 added, 1 removed",
                                         f"      - {cut}"]
    assert "    title: [-Old-]{+New+} minister opens [-the-]{+a+} bridge" in text


def test_articles_are_counted_on_the_day_they_came_out_where_they_came_out(tmp_path):
    path = tmp_path / "days.db"
    archive = open_archive(path)
    with archive.write() as db:
        crawl_id = start_crawl(db, "any", "any", {}, "2023-11-10T00:00:00Z")
        for n, published_at, published_day in (
                (1, "2023-11-09T05:30:59Z", "2023-11-08"),  # 23:30 in Chicago: the 8th there
                (2, "2023-11-09T10:00:00Z", "2023-11-09"),
                (3, "2023-11-09T12:00:00Z", None)):  # stored before published_day was kept: its UTC day
            store_article(db, Article(url=f"https://n.example/{n}", title=f"T{n}", body_text="b",
                                      published_at=published_at, published_day=published_day),
                          crawl_id, "2023-11-10T00:00:01Z")
    archive.close()
    with open_for_reading(path) as db:
        assert crawl_report(db)["articles_per_day"] == [
            {"day": "2023-11-08", "articles": 1}, {"day": "2023-11-09", "articles": 2}]


def test_a_report_is_of_the_latest_finished_crawl_or_of_the_site_asked_for(tmp_path):
    # Site A's job ran `crawl A && report` while site B's crawl was under way in the same archive:
    # the report was B's (still running, exit 0), and A's layout change never reached cron.
    from newsarchive.archive import open_archive
    from newsarchive.archive.store import finish_crawl, start_crawl

    db_path = tmp_path / "archive.db"
    archive = open_archive(db_path)
    with archive.write() as db:
        for site, started in (("a.example", "2026-01-01T00:00:00Z"), ("b.example", "2026-01-01T01:00:00Z"),
                              ("a.example", "2026-01-02T00:00:00Z"), ("b.example", "2026-01-02T00:30:00Z")):
            crawl = start_crawl(db, site, "generic", {}, started)
            if crawl < 4:  # the last, B's second, is under way
                finish_crawl(db, crawl, {"finished_at": started, "finish_reason": "finished"})
    archive.close()

    def first_line(*options) -> str:
        result = run_cli("report", "--db", str(db_path), *options)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()[0]

    assert first_line() == "Crawl 3 of a.example: finished"
    assert first_line("--site", "a.example") == "Crawl 3 of a.example: finished"
    assert first_line("--site", "https://a.example/news/") == "Crawl 3 of a.example: finished"
    assert first_line("--site", "b.example") == "Crawl 4 of b.example: still running or interrupted"
    unknown = run_cli("report", "--db", str(db_path), "--site", "c.example")
    assert unknown.returncode == 2 and "Invalid value for '--site': the archive has no crawl of c.example" in unknown.stderr
    both = run_cli("report", "--db", str(db_path), "--site", "a.example", "--crawl", "1")
    assert both.returncode == 2 and "give --crawl or --site, not both" in both.stderr
