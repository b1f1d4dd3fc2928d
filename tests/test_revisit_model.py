"""The revisit schedule's model (newsarchive/revisits.py) in the test's process: each function on
values worked out from the documented formulas (Cho and Garcia-Molina's estimator, the prior,
the blend, the floor and ceiling), at and around its edges."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest

from newsarchive.revisits import (
    Limits,
    Schedule,
    after_visit,
    age_days,
    blended_rate,
    expected_missed,
    interval_days,
    parse_time,
    poisson_rate,
    prior_rate,
)

UTC = timezone.utc
LIMITS = Limits(floor_hours=6.0, ceiling_days=60.0)


@pytest.mark.parametrize(("value", "moment"), [
    ("2024-05-01T10:00:00.000000Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ("2024-05-01T10:00:00+02:00", datetime(2024, 5, 1, 8, tzinfo=UTC)),  # its own offset kept
    ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
    ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),  # no zone: UTC
])
def test_archive_times_are_read_in_utc(value, moment):
    parsed = parse_time(value)
    assert parsed == moment and parsed.utcoffset() is not None


@pytest.mark.parametrize(("published", "age"), [
    ("2026-01-01T00:00:00Z", 2.5),
    ("2026-01-01", 2.5),
    (None, 0.0),  # no date: young
    ("2026-01-05T00:00:00Z", 0.0),  # after now (a wrong date): not negative
    ("not a date", 0.0),
])
def test_age_in_days(published, age):
    assert age_days(published, "2026-01-03T12:00:00Z") == pytest.approx(age)


@pytest.mark.parametrize(("visits", "changes", "interval", "rate"), [
    (4, 1, 1.0, -math.log(3.5 / 4.5)),  # 0.2513, the docstring's example
    (4, 1, 0.5, -math.log(3.5 / 4.5) / 0.5),
    (4, 4, 1.0, -math.log(0.5 / 4.5)),
    (2, 5, 1.0, -math.log(0.5 / 2.5)),  # more changes than visits: as many as visits
    (3, -1, 1.0, 0.0),  # fewer than none: none
    (3, 0, 2.0, 0.0),
    (0, 0, 1.0, 0.0),  # no visit: nothing observed
    (1, 1, 0.0, 0.0),  # no time between visits: nothing observed
    (1, 1, -1.0, 0.0),
])
def test_the_observed_rate(visits, changes, interval, rate):
    assert poisson_rate(visits, changes, interval) == pytest.approx(rate)


@pytest.mark.parametrize(("age", "comments", "rate"), [
    (0.0, None, 1.0),
    (1.0, 10, 1.0),  # 1/2 x 2
    (3.0, 0, 0.25),
    (3.0, 100, 0.75),  # comments count up to 20: 1/4 x 3
    (3.0, 20, 0.75),
    (3.0, 19, 0.25 * 2.9),
    (-2.0, 0, 1.0),  # an age below 0 counts as 0
    (0.0, -5, 1.0),
])
def test_the_prior_rate(age, comments, rate):
    assert prior_rate(age, comments) == pytest.approx(rate)


def test_the_prior_and_the_observed_rate_are_blended_two_visits_to_the_visits():
    observed = -math.log(1.5 / 2.5) / 2.0  # 2 visits over 4 days, 1 change
    assert blended_rate(0.5, 2, 1, 4.0) == pytest.approx((2 * 0.5 + 2 * observed) / 4)
    assert blended_rate(0.5, 0, 0, 4.0) == 0.5  # no visit yet: the prior alone
    assert blended_rate(0.5, 2, 1, 0.0) == 0.5  # no time observed
    assert blended_rate(0.5, 6, 0, 6.0) == pytest.approx(2 * 0.5 / 8)  # six visits, never a change
    # One visit half a day after the first, which found a change: a short time observed counts too.
    assert blended_rate(0.5, 1, 1, 0.5) == pytest.approx((2 * 0.5 + -math.log(0.5 / 1.5) / 0.5) / 3)


@pytest.mark.parametrize(("rate", "days"), [
    (0.5, 2.0),
    (4.0, 0.25),  # 6 hours: the floor exactly
    (100.0, 0.25),  # below the floor: the floor
    (1 / 60, 60.0),  # the ceiling exactly
    (0.001, 60.0),  # past the ceiling: the ceiling
    (0.0, 60.0),  # never changes: the ceiling
])
def test_the_wait_is_one_over_the_rate_between_floor_and_ceiling(rate, days):
    assert interval_days(rate, LIMITS) == pytest.approx(days)


def test_a_first_visit_schedules_the_next_by_the_prior():
    schedule = after_visit(None, published_at="2026-01-01T00:00:00Z", previous_seen_at=None,
                           seen_at="2026-01-02T00:00:00.000000Z", changed=False, comment_count=10, limits=LIMITS)
    # One day old with 10 comments: prior 1/2 x 2 = 1 change a day, next visit a day later.
    assert schedule == Schedule("2026-01-03T00:00:00.000000Z", 1.0, 0, 0, 0.0)


def test_a_later_visit_counts_itself_and_the_days_it_covered():
    first = Schedule("2026-01-03T00:00:00.000000Z", 1.0, 0, 0, 0.0)
    second = after_visit(first, published_at="2026-01-01T00:00:00Z", previous_seen_at="2026-01-02T00:00:00Z",
                         seen_at="2026-01-04T00:00:00.000000Z", changed=True, comment_count=None, limits=LIMITS)
    prior = 1 / (1 + 3)  # three days old, no comments
    observed = -math.log(0.5 / 1.5) / 2.0  # one visit, one change, over two days
    rate = (2 * prior + 1 * observed) / 3
    assert (second.visits, second.changes_found, second.visited_days) == (1, 1, 2.0)
    assert second.change_rate == pytest.approx(rate)
    expected_next = datetime(2026, 1, 4, tzinfo=UTC) + timedelta(days=1 / rate)
    assert parse_time(second.next_visit_at) == pytest.approx(expected_next, abs=timedelta(microseconds=1))
    unchanged = after_visit(second, published_at="2026-01-01T00:00:00Z", previous_seen_at="2026-01-04T00:00:00Z",
                            seen_at="2026-01-03T00:00:00.000000Z", changed=False, comment_count=None, limits=LIMITS)
    assert (unchanged.visits, unchanged.changes_found, unchanged.visited_days) == (2, 1, 2.0)  # a clock gone back: 0 days


@pytest.mark.parametrize(("rate", "published", "comments", "seen", "missed"), [
    (0.2, None, None, "2026-01-01T00:00:00Z", 0.2 * 4),
    (None, "2026-01-01T00:00:00Z", 10, "2026-01-03T00:00:00Z", 1 / 5 * 2 * 2),  # the prior: 4 days old, 10 comments
    (0.2, None, None, "2026-01-07T00:00:00Z", 0.0),  # seen after now: nothing missed yet
])
def test_the_changes_expected_since_the_last_visit(rate, published, comments, seen, missed):
    assert expected_missed(rate, published, comments, seen, "2026-01-05T00:00:00Z") == pytest.approx(missed)
