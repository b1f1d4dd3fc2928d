"""The revisit schedule: the change-rate estimator, and the budget against a loopback site.

The estimator is checked as pure functions against values computed by hand. The budget is
checked end to end: a demo site whose articles are all years old (outside the refresh window) is
crawled; one article's body is then edited on disk without any listing showing it (a stealth
edit); an incremental crawl without a budget does not find it, one with a budget does, and the
schedule the archive keeps carries over to the next crawl.
"""

from __future__ import annotations

import html
import math
import sqlite3
import time
from urllib.parse import urlsplit

import pytest

from newsarchive.demo.site import generate_site
from newsarchive.revisits import (
    Limits,
    Schedule,
    after_visit,
    age_days,
    blended_rate,
    expected_missed,
    interval_days,
    poisson_rate,
    prior_rate,
)
from tests.conftest import run_cli, serve_in_subprocess

# the estimator ----------------------------------------------------------------------------------


def test_poisson_rate_is_cho_and_garcia_molinas_estimate():
    assert poisson_rate(4, 1, 1.0) == pytest.approx(-math.log(3.5 / 4.5)) == pytest.approx(0.2513, abs=1e-4)
    assert poisson_rate(4, 1, 2.0) == pytest.approx(0.2513 / 2, abs=1e-4)  # the same changes over twice the time
    assert poisson_rate(1, 1, 10.0) == pytest.approx(math.log(3) / 10)  # every visit changed: finite
    assert poisson_rate(5, 0, 1.0) == 0.0
    assert poisson_rate(0, 0, 1.0) == 0.0 and poisson_rate(3, 1, 0.0) == 0.0  # nothing observed yet


def test_prior_rate_falls_with_age_and_rises_with_comments():
    assert prior_rate(0, 0) == 1.0
    assert prior_rate(9, 0) == pytest.approx(0.1)
    assert prior_rate(1, 10) == pytest.approx(1.0)  # 1/2 × (1 + 10/10)
    assert prior_rate(1, 500) == pytest.approx(1.5)  # comments count up to 20
    assert prior_rate(-3, None) == 1.0  # a date in the future is young, not faster than new


def test_blended_rate_weighs_the_prior_as_two_visits():
    assert blended_rate(0.1, 0, 0, 0.0) == 0.1
    # (2 × 0.1 + 4 × 0.25131) / 6
    assert blended_rate(0.1, 4, 1, 4.0) == pytest.approx((0.2 + 4 * -math.log(3.5 / 4.5)) / 6)
    assert blended_rate(0.1, 4, 1, 4.0) == pytest.approx(0.20088, abs=1e-5)


def test_interval_is_one_over_the_rate_between_floor_and_ceiling():
    limits = Limits(floor_hours=6, ceiling_days=60)
    assert interval_days(0.2, limits) == pytest.approx(5.0)
    assert interval_days(10.0, limits) == pytest.approx(0.25)  # the floor: 6 hours
    assert interval_days(0.001, limits) == 60.0
    assert interval_days(0.0, limits) == 60.0  # never seen to change: the ceiling


def test_a_schedule_after_the_first_store_and_after_visits():
    limits = Limits()
    first = after_visit(None, published_at="2026-01-01", previous_seen_at=None, seen_at="2026-01-10T00:00:00Z",
                        changed=False, comment_count=0, limits=limits)
    # 9 days old: prior 1/10 a day, due 10 days later; storing is not a visit
    assert first == Schedule("2026-01-20T00:00:00.000000Z", pytest.approx(0.1), 0, 0, 0.0)
    unchanged = after_visit(first, published_at="2026-01-01", previous_seen_at="2026-01-10T00:00:00Z",
                            seen_at="2026-01-20T00:00:00Z", changed=False, comment_count=0, limits=limits)
    # 19 days old: prior 1/20; one visit, no change: (2 × 0.05 + 0) / 3 = 1/30 a day, due 30 days later
    assert unchanged == Schedule("2026-02-19T00:00:00.000000Z", pytest.approx(1 / 30), 1, 0, 10.0)
    changed = after_visit(first, published_at="2026-01-01", previous_seen_at="2026-01-10T00:00:00Z",
                          seen_at="2026-01-20T00:00:00Z", changed=True, comment_count=0, limits=limits)
    # one visit, one change, 10 days: ln(3)/10; (2 × 0.05 + 0.10986) / 3 = 0.069954 a day, due
    # 1/0.069954 = 14.2952 days later: 14 days 7 h 5 min
    assert changed.change_rate == pytest.approx((0.1 + math.log(3) / 10) / 3)
    assert (changed.visits, changed.changes_found, changed.visited_days) == (1, 1, 10.0)
    assert changed.next_visit_at.startswith("2026-02-03T07:05:")
    assert changed.next_visit_at < unchanged.next_visit_at


def test_expected_missed_changes_use_the_prior_for_an_unscheduled_article():
    assert expected_missed(0.2, "2026-01-01", 0, "2026-01-10T00:00:00Z", "2026-01-20T00:00:00Z") == pytest.approx(2.0)
    # never scheduled: 19 days old at now, prior 1/20, 10 days since the last visit
    assert expected_missed(None, "2026-01-01", 0, "2026-01-10T00:00:00Z", "2026-01-20T00:00:00Z") == pytest.approx(0.5)
    assert age_days("not a date", "2026-01-20T00:00:00Z") == 0.0


# the budget, against a loopback site --------------------------------------------------------------

ARTICLES, SEED = 30, 3
# Every article due again about a second after each visit, so the next crawl finds them all due.
DUE_AT_ONCE = ("-s", "NEWSARCHIVE_REVISIT_FLOOR_HOURS=0", "-s", "NEWSARCHIVE_REVISIT_CEILING_DAYS=0.00001")
CRAWL_SETTINGS = ("-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING", *DUE_AT_ONCE)
STEALTH_SENTENCE = " This sentence was added later, without notice."


class StealthEdit:
    """A site of old articles, crawled; then one article edited where no listing shows it."""

    def __init__(self, tmp_path):
        self.site_dir = tmp_path / "site"
        self.db_path = tmp_path / "archive.db"
        self.access_log = tmp_path / "access.log"
        self.manifest = generate_site(self.site_dir, ARTICLES, SEED)  # published from 2019 on: all old
        self.server, self.base_url = serve_in_subprocess(self.site_dir, "--access-log", str(self.access_log))

    def crawl(self, *options: str) -> tuple[dict[str, str], str]:
        """The article paths requested, with their status, and the summary line."""
        self.access_log.write_text("")
        result = run_cli("crawl", "diyaruna", "--db", str(self.db_path), "--base-url", self.base_url,
                         "--allow-private", *CRAWL_SETTINGS, *options)
        assert result.returncode == 0, result.stderr[-3000:]
        time.sleep(1.0)  # past every next_visit_at the crawl set
        requests = [line.rsplit(" ", 1) for line in self.access_log.read_text().splitlines()]
        return {urlsplit(path).path: status for path, status in requests if "/articles/" in path}, result.stdout

    def edit_quietly(self) -> dict:
        """Add a sentence to the first paragraph of an English article's page, and nothing else."""
        article = next(a for a in self.manifest["articles"] if a["locale"] == "en_GB")
        page = self.site_dir / article["path"].lstrip("/") / "index.html"
        paragraph = html.escape(article["body_paragraphs"][0], quote=False)
        text = page.read_text(encoding="utf-8")
        assert text.count(paragraph) == 1
        page.write_text(text.replace(paragraph, paragraph + STEALTH_SENTENCE), encoding="utf-8")
        return article

    def stop(self):
        self.server.terminate()
        self.server.wait(timeout=10)


@pytest.fixture(scope="module")
def stealth(tmp_path_factory):
    run = StealthEdit(tmp_path_factory.mktemp("stealth"))
    run.first, _ = run.crawl()
    run.schedule_after_first = schedule_by_path(run.db_path)
    run.edited = run.edit_quietly()
    run.without_budget, _ = run.crawl()
    run.with_budget, run.summary = run.crawl("--revisit-budget", "1000")
    run.schedule_after_budget = schedule_by_path(run.db_path)
    run.budget_of_one, _ = run.crawl("--revisit-budget", "1")
    yield run
    run.stop()


def schedule_by_path(db_path) -> dict[str, dict]:
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    try:
        return {urlsplit(row["url"]).path: dict(row) for row in db.execute(
            "SELECT a.url, a.published_at, a.last_seen_at, a.comment_count, a.version_count, r.* "
            "FROM articles a JOIN revisits r ON r.article_id = a.id")}
    finally:
        db.close()


def crawl_row(db_path, crawl_id: int) -> dict:
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    try:
        return dict(db.execute("SELECT * FROM crawls WHERE id = ?", [crawl_id]).fetchone())
    finally:
        db.close()


def test_the_first_crawl_schedules_every_article_from_the_prior(stealth):
    assert len(stealth.first) == ARTICLES
    schedule = stealth.schedule_after_first
    assert len(schedule) == ARTICLES
    for row in schedule.values():
        assert (row["visits"], row["changes_found"], row["visited_days"]) == (0, 0, 0.0)
        age = age_days(row["published_at"], row["last_seen_at"])
        assert row["change_rate"] == pytest.approx(prior_rate(age, row["comment_count"]))


def test_without_a_budget_the_stealth_edit_is_missed(stealth):
    assert stealth.without_budget == {}  # every article is old, and no listing shows a change
    assert crawl_row(stealth.db_path, 2)["revisits"] == 0


def test_with_a_budget_every_due_article_is_revisited_and_the_edit_found(stealth):
    fetched = stealth.with_budget
    assert len(fetched) == ARTICLES
    assert fetched.pop(stealth.edited["path"]) == "200"
    assert set(fetched.values()) == {"304"}  # conditional requests: the rest cost no body
    row = crawl_row(stealth.db_path, 3)
    assert (row["revisits"], row["revisits_changed"], row["articles_changed"]) == (ARTICLES, 1, 1)
    assert f"; {ARTICLES} known articles revisited, 1 found changed" in stealth.summary
    edited = stealth.schedule_after_budget[stealth.edited["path"]]
    assert edited["version_count"] == 2
    db = sqlite3.connect(stealth.db_path)
    try:
        bodies = [body for (body,) in db.execute(
            "SELECT v.body_text FROM article_versions v JOIN articles a ON a.id = v.article_id "
            "WHERE a.url LIKE ? ORDER BY v.version", [f"%{stealth.edited['path']}"])]
    finally:
        db.close()
    assert [STEALTH_SENTENCE.strip() in body for body in bodies] == [False, True]


def test_the_report_says_what_the_revisits_found(stealth):
    result = run_cli("report", "--db", str(stealth.db_path), "--crawl", "3")
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"  revisits (known articles no listing offered): {ARTICLES} fetched, 1 found changed\n" in result.stdout
    quiet = run_cli("report", "--db", str(stealth.db_path), "--crawl", "2")
    assert "revisits" not in quiet.stdout  # a crawl without a budget says nothing of them


def test_the_schedule_carries_over_to_the_next_crawl(stealth):
    before, after = stealth.schedule_after_first, stealth.schedule_after_budget
    edited_path = stealth.edited["path"]
    for path, row in after.items():
        assert row["next_visit_at"] > before[path]["next_visit_at"]  # scheduled from the new visit
        assert row["visits"] == 1 and row["visited_days"] > 0
        prior = prior_rate(age_days(row["published_at"], row["last_seen_at"]), row["comment_count"])
        if path == edited_path:
            assert row["changes_found"] == 1
            observed = math.log(3) / row["visited_days"]  # one visit, one change
            assert row["change_rate"] == pytest.approx((2 * prior + observed) / 3)
        else:
            assert row["changes_found"] == 0
            assert row["change_rate"] == pytest.approx(2 * prior / 3)  # no change seen: below the prior
    unchanged_rates = [row["change_rate"] for path, row in after.items() if path != edited_path]
    assert after[edited_path]["change_rate"] > 1000 * max(unchanged_rates)


def test_a_small_budget_goes_to_the_most_expected_missed_changes(stealth):
    assert stealth.budget_of_one == {stealth.edited["path"]: "304"}
    row = crawl_row(stealth.db_path, 4)
    assert (row["revisits"], row["revisits_changed"]) == (1, 0)


def test_a_negative_budget_is_refused_in_one_line(tmp_path):
    result = run_cli("crawl", "diyaruna", "--db", str(tmp_path / "a.db"), "--revisit-budget", "-1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == "Error: --revisit-budget must be 0 or more, not -1"
    assert not (tmp_path / "a.db").exists()


def test_the_report_estimates_the_archives_staleness(tmp_path):
    """Two articles, worked out by hand at the crawl's end (2026-01-20): one scheduled at 0.2
    changes a day, last fetched 10 days before (2.0 expected); one never scheduled, published
    2026-01-01 (prior 1/(1+19) = 0.05 a day), last fetched 10 days before (0.5): 2.5 in all."""
    from newsarchive.archive import open_archive
    from newsarchive.archive.store import finish_crawl, start_crawl, store_article
    from newsarchive.items import Article
    from newsarchive.research.report import crawl_report, report_text

    archive = open_archive(tmp_path / "a.db")
    with archive.write() as db:
        crawl_id = start_crawl(db, "news", "generic", {}, "2026-01-10T00:00:00Z")
        for path in ("a", "b"):
            store_article(db, Article(url=f"https://news.example/{path}", title=path, body_text="Text.", site="news",
                                      published_at="2026-01-01", comment_count=0), crawl_id, "2026-01-10T00:00:00Z")
        db.execute("DELETE FROM revisits")
        db.execute("INSERT INTO revisits (article_id, next_visit_at, change_rate) SELECT id, '2026-01-15T00:00:00Z', "
                   "0.2 FROM articles WHERE url = 'https://news.example/a'")
        finish_crawl(db, crawl_id, {"finished_at": "2026-01-20T00:00:00Z", "finish_reason": "finished"})
    archive.close()
    with sqlite3.connect(tmp_path / "a.db") as db:
        report = crawl_report(db, crawl_id)
    assert report["staleness"] == {"expected_unseen_changes": 2.5, "articles": 2, "at": "2026-01-20T00:00:00Z"}
    assert ("  estimated staleness: 2.5 changes expected since the last visit, over 2 articles of the site "
            "(at 2026-01-20T00:00:00Z)") in report_text(report)


def test_a_budget_goes_first_to_due_articles_then_to_the_most_expected_missed_changes(tmp_path):
    from newsarchive.archive import open_archive
    from newsarchive.archive.queries import ArchiveLookup
    from newsarchive.archive.store import start_crawl, store_article, store_failure
    from newsarchive.items import Article, PageFailure

    now, base = "2026-03-01T12:00:00.000000Z", "https://site.example/news"
    # (path, published, last fetched, next visit, estimated changes a day), hand-made: expected
    # missed changes = rate x days since the last fetch.
    rows = [("due-low", "2026-01-01", "2026-02-28T12:00:00.000000Z", "2026-03-01T00:00:00.000000Z", 0.1),  # 0.1
            ("due-high", "2026-01-01", "2026-02-19T12:00:00.000000Z", "2026-03-01T11:00:00.000000Z", 0.1),  # 1.0
            ("later-high", "2026-01-01", "2026-02-21T12:00:00.000000Z", "2026-03-05T00:00:00.000000Z", 0.5),  # 4.0
            ("later-low", "2026-01-01", "2026-02-27T12:00:00.000000Z", "2026-03-05T00:00:00.000000Z", 0.1),  # 0.2
            ("seen-this-morning", "2026-01-01", "2026-03-01T09:00:00.000000Z", "2026-03-01T10:00:00.000000Z", 9.0),
            ("young", "2026-02-27", "2026-02-20T12:00:00.000000Z", "2026-03-01T00:00:00.000000Z", 9.0)]
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        crawl = start_crawl(db, "site", "generic", {}, "2026-02-01T00:00:00.000000Z")
        for path, published, seen, next_visit, rate in rows:
            store_article(db, Article(url=f"{base}/{path}", canonical_url=f"{base}/{path}", site="site", title=path,
                                      published_at=published, body_text=f"The {path} story."), crawl, seen)
            db.execute("INSERT INTO revisits (article_id, next_visit_at, change_rate, visits, changes_found, "
                       "visited_days) SELECT id, ?, ?, 1, 0, 1.0 FROM articles WHERE url = ?",
                       [next_visit, rate, f"{base}/{path}"])
    archive.close()
    lookup = ArchiveLookup(tmp_path / "archive.db")
    # the window starts on 2026-02-22 (young: published after); the floor is 6 hours (seen before 06:00)
    candidates = list(lookup.revisit_candidates("site", now, "2026-02-22T12:00:00Z", "2026-03-01T06:00:00.000000Z"))
    lookup.close()
    assert [url.rsplit("/", 1)[1] for url in candidates] == ["due-high", "due-low", "later-high", "later-low"]
    # due-high is deleted (a 404 since it was last seen), later-low failed before it was last seen
    # (a passing 503, then seen again): due-high goes last, and later-low keeps its place.
    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        store_failure(db, PageFailure(f"{base}/due-high", "http_404"), crawl, "2026-02-26T00:00:00.000000Z")
        store_failure(db, PageFailure(f"{base}/later-low", "http_503"), crawl, "2026-02-20T00:00:00.000000Z")
    archive.close()
    lookup = ArchiveLookup(tmp_path / "archive.db")
    candidates = list(lookup.revisit_candidates("site", now, "2026-02-22T12:00:00Z", "2026-03-01T06:00:00.000000Z"))
    lookup.close()
    assert [url.rsplit("/", 1)[1] for url in candidates] == ["due-low", "later-high", "later-low", "due-high"]


def test_a_site_s_revisits_include_its_stories_stored_under_its_www_name(tmp_path):
    """A crawl of example.org follows links to www.example.org (scope.py), and those stories are
    stored with that host as their site: a later crawl's revisits never reached them."""
    from newsarchive.archive import open_archive
    from newsarchive.archive.queries import ArchiveLookup
    from newsarchive.archive.store import start_crawl, store_article
    from newsarchive.items import Article

    archive = open_archive(tmp_path / "archive.db")
    with archive.write() as db:
        crawl = start_crawl(db, "news.example", "generic", {}, "2026-01-01T00:00:00.000000Z")
        for host in ("news.example", "www.news.example", "blog.news.example", "www.other.example"):
            url = f"https://{host}/2026/01/02/story"
            store_article(db, Article(url=url, canonical_url=url, site=host, title=host, published_at="2026-01-02",
                                      body_text=f"A story of {host}."), crawl, "2026-01-02T00:00:00.000000Z")
    archive.close()
    lookup = ArchiveLookup(tmp_path / "archive.db")
    window, now, floor = "2026-02-22T12:00:00Z", "2026-03-01T12:00:00.000000Z", "2026-03-01T06:00:00.000000Z"
    try:
        for site in ("news.example", "www.news.example"):
            assert sorted(lookup.revisit_candidates(site, now, window, floor)) == [
                "https://news.example/2026/01/02/story", "https://www.news.example/2026/01/02/story"]
        assert list(lookup.revisit_candidates("blog.news.example", now, window, floor)) == [
            "https://blog.news.example/2026/01/02/story"]
    finally:
        lookup.close()
