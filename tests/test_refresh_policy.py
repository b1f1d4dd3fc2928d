"""The refresh policy's rules, in the test's own process, on values worked out by hand
(newsarchive/refresh.py; the crawls that use it are in test_recrawl.py and test_change_signals.py)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newsarchive.archive.queries import KnownArticle
from newsarchive.items import ListingLink
from newsarchive.refresh import RefreshPolicy

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)  # window of 7 days: from 2026-03-03T12:00:00Z
URL = "https://site.example/news/story"


def known(published_at="2026-01-01T08:00:00Z", modified_at=None, last_seen_at="2026-03-01T10:00:00.400000Z",
          comment_count=None, first_seen_at="2026-01-01T09:00:00.000000Z", comments_status=None,
          renders=0, comment_pages_unread=False, visits=0) -> KnownArticle:
    return KnownArticle(1, published_at, modified_at, first_seen_at, last_seen_at, comment_count, comments_status,
                        renders, comment_pages_unread, visits)


def link(modified=None, comments=None) -> ListingLink:
    return ListingLink(url=URL, position=0, modified_at_raw=modified, comment_count_raw=comments)


def policy(**options) -> RefreshPolicy:
    return RefreshPolicy(now=NOW, **options)


def test_the_window_starts_window_days_before_now():
    assert policy().window_start == "2026-03-03T12:00:00Z"
    assert policy(window_days=1.5).window_start == "2026-03-09T00:00:00Z"


def test_the_first_reason_that_holds_is_given_in_order():
    old_and_unchanged = known()
    assert policy().reason_to_fetch(link(), None) == "new"
    assert policy(full=True).reason_to_fetch(link(), None) == "new"  # new before full
    assert policy(full=True).reason_to_fetch(link(), old_and_unchanged) == "full"
    assert policy().reason_to_fetch(link(), old_and_unchanged) is None
    young = known(published_at="2026-03-09T08:00:00Z")
    assert policy().reason_to_fetch(link(modified="2026-03-10T09:00:00Z", comments="3"), young) == "in_window"
    edited = link(modified="2026-03-05T09:00:00Z", comments="3")
    assert policy().reason_to_fetch(edited, old_and_unchanged) == "listing_modified"  # before the comments
    assert policy().reason_to_fetch(link(comments="3"), old_and_unchanged) == "listing_comments"


@pytest.mark.parametrize(("published_at", "young"), [
    ("2026-03-03T12:00:00Z", True),    # the window's first second
    ("2026-03-03T11:59:59Z", False),
    ("2026-03-03", True),              # a date alone: young while any part of that day is in the window
    ("2026-03-02", False),
])
def test_young_is_published_inside_the_window(published_at, young):
    assert policy().is_young(known(published_at=published_at)) is young


def test_an_article_without_a_publication_date_is_as_young_as_its_first_sighting():
    assert policy().is_young(known(published_at=None, first_seen_at="2026-03-09T00:00:00.000000Z")) is True
    assert policy().is_young(known(published_at=None, first_seen_at="2026-02-09T00:00:00.000000Z")) is False


@pytest.mark.parametrize(("listed", "stored_modification", "shows"), [
    # a time is compared with the moment of our last visit (2026-03-01T10:00:00.4Z)
    ("2026-03-01T10:00:01Z", None, True),
    ("2026-03-01T09:59:59Z", None, False),
    # the second of our visit counts: the site's time has no fraction to tell before from after
    ("2026-03-01T10:00:00Z", None, True),
    ("2026-03-01T09:00:00Z", "2026-02-01T00:00:00Z", False),  # a stored older edit does not matter
    ("2026-03-01T12:00:00+03:00", None, False),               # 09:00 UTC: before the visit
    # a date alone, the site's day: counted when that day had not ended in every zone at our visit
    # (in UTC-12 it was 2026-02-28T22:00), unless we stored an edit of that day or later
    ("2026-03-01", None, True),
    ("2026-02-28", None, True),
    ("2026-02-27", None, False),
    ("2026-03-01", "2026-02-01T00:00:00Z", True),
    ("2026-03-01", "2026-03-01T08:00:00Z", False),
    ("2026-02-01", "2026-02-01T23:00:00Z", False),
    # after the stored edit's day, but an edit our visit, weeks later, read
    ("2026-02-02", "2026-02-01T00:00:00Z", False),
    ("Updated 2 March 2026", None, True),
    ("no date here", None, False),
    (None, None, False),
])
def test_a_listing_shows_a_newer_edit(listed, stored_modification, shows):
    article = known(modified_at=stored_modification)
    assert RefreshPolicy.listing_shows_newer_edit(link(modified=listed), article) is shows


@pytest.mark.parametrize(("last_visit", "shows"), [
    ("2026-03-01T11:59:59.000000Z", True),  # 2026-02-28T23:59:59 in UTC-12: the day had not ended there
    ("2026-03-01T12:00:00.000000Z", False),  # it had, everywhere
])
def test_the_day_before_a_visit_counts_while_it_lasts_in_the_last_zone(last_visit, shows):
    article = known(last_seen_at=last_visit)
    assert RefreshPolicy.listing_shows_newer_edit(link(modified="2026-02-28"), article) is shows


@pytest.mark.parametrize(("listed", "stored", "shows"), [
    ("12 comments", 12, False),
    ("13 comments", 12, True),
    ("٣ تعليقات", 3, False),       # Arabic-Indic digits
    ("1", None, True),              # none stored counts as 0
    ("0", None, False),
    ("comments", 5, False),         # no number: no signal
    ("1,234 comments", 1234, False),  # a count grouped in thousands, read whole
    ("1,235 comments", 1234, True),
    ("1.2K comments", 1200, False),
    (None, 5, False),
    ("", 5, False),
])
def test_a_listing_shows_another_comment_count(listed, stored, shows):
    article = known(comment_count=stored)
    assert RefreshPolicy.listing_shows_other_comment_count(link(comments=listed), article) is shows


def test_without_a_given_time_the_window_is_counted_from_now_in_utc(monkeypatch):
    import time
    from datetime import timedelta

    # UTC+14: a clock read in local time would start the window 14 hours late.
    monkeypatch.setenv("TZ", "Etc/GMT-14")
    time.tzset()
    try:
        start = datetime.strptime(RefreshPolicy().window_start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        expected = datetime.now(timezone.utc) - timedelta(days=7)
        assert abs((start - expected).total_seconds()) < 60
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_comments_never_read_are_fetched_again_by_a_crawl_that_can_render():
    unreached = known(comments_status="unreached")
    assert policy(can_render=True).reason_to_fetch(link(), unreached) == "comments_unreached"
    assert policy(can_render=False).reason_to_fetch(link(), unreached) is None  # it would not read them either
    for status in ("complete", "none", None):
        assert policy(can_render=True).reason_to_fetch(link(), known(comments_status=status)) is None
    # in order: after new and full, before the window (whose fetch may be conditional)
    assert policy(can_render=True).reason_to_fetch(link(), None) == "new"
    assert policy(can_render=True, full=True).reason_to_fetch(link(), unreached) == "full"
    young = known(published_at="2026-03-09T08:00:00Z", comments_status="unreached")
    assert policy(can_render=True).reason_to_fetch(link(), young) == "comments_unreached"


def test_a_page_of_comments_the_last_visit_could_not_read_is_asked_for_again_by_any_crawl():
    unread = known(comments_status="unreached", comment_pages_unread=True, renders=5)
    for can_render in (False, True):  # no browser needed, however many renders read nothing
        assert policy(can_render=can_render).reason_to_fetch(link(), unread) == "comments_unreached"
    # Read whole since (a visit that could not read a page does not undo one that did: complete).
    for status in ("complete", "none"):
        assert policy().reason_to_fetch(link(), known(comments_status=status, comment_pages_unread=True)) is None


def test_a_page_of_comments_is_asked_for_until_the_story_has_been_fetched_so_many_times_in_all():
    def reason(visits, **options):  # visits: fetches after the one that stored the story
        return policy(**options).reason_to_fetch(link(), known(comments_status="unreached", comment_pages_unread=True,
                                                               visits=visits))

    assert [reason(visits) for visits in (0, 1, 2, 7)] == ["comments_unreached", "comments_unreached", None, None]
    assert [reason(visits, comment_page_attempts=5) for visits in (3, 4)] == ["comments_unreached", None]
    assert reason(0, comment_page_attempts=1) is None  # the first fetch was the one attempt
    # A crawl that can render still asks for comments a browser may read, however many visits.
    assert reason(9, can_render=True) == "comments_unreached"
    assert reason(9, can_render=True, render_attempts=0) is None


def test_a_fetch_for_everything_or_for_comments_is_never_conditional():
    assert [policy().wants_conditional(reason) for reason in (
        "full", "comments_unreached", "in_window", "listing_modified", "listing_comments")] == [
        False, False, True, True, True]


def test_comments_are_asked_for_again_until_so_many_renders_read_none():
    assert policy(can_render=True).render_attempts == 3
    for renders, reason in ((0, "comments_unreached"), (2, "comments_unreached"), (3, None), (4, None)):
        assert policy(can_render=True).reason_to_fetch(link(), known(comments_status="unreached", renders=renders)) \
            == reason, renders
    assert policy(can_render=True, render_attempts=1).reason_to_fetch(
        link(), known(comments_status="unreached", renders=1)) is None


def test_a_story_rendered_before_is_fetched_in_full_by_a_crawl_that_can_render():
    # Its scripts may load new comments while its HTML, and so its ETag, stay the same: a 304
    # left them unread. A crawl with no browser would not read them either: conditional.
    assert policy(can_render=True).renders_again(known(comments_status="complete", renders=1)) is True
    assert policy(can_render=False).renders_again(known(comments_status="complete", renders=1)) is False
    assert policy(can_render=True).renders_again(known(comments_status="complete", renders=0)) is False
