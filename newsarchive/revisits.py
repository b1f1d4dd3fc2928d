"""The revisit schedule: when to fetch a known article again, whether or not a listing shows it.

Each article's changes (edits, comments added or removed) are modelled as a Poisson process with
its own rate λ (changes per day), the model of J. Cho and H. Garcia-Molina, "Estimating frequency
of change", ACM Transactions on Internet Technology 3(3), 2003. A visit only tells whether the
article changed since the previous visit, not how often; with n visits at mean interval I of
which X found a change, their bias-reduced estimator is

    λ ≈ -ln((n - X + 0.5) / (n + 0.5)) / I

(e.g. n=4, X=1, I=1 day: -ln(3.5/4.5) = 0.2513 changes a day). Few visits say little, so the
estimate is blended with a prior worth PRIOR_VISITS visits, from what is known of every article:
young ones change more (edits and comments arrive in the first days), and commented ones more:

    prior = 1 / (1 + age in days) × (1 + min(comments, 20) / 10)

The next visit comes 1/λ days after this one (the mean time to the next change), kept between a
floor and a ceiling (NEWSARCHIVE_REVISIT_FLOOR_HOURS, NEWSARCHIVE_REVISIT_CEILING_DAYS), so
every article is seen again eventually and the active ones often. A crawl with a revisit budget
of N (`newsarchive crawl SITE --revisit-budget N`) fetches N known articles: the due ones first,
then the others not seen within the floor, each by most expected missed changes (λ × days
since the last visit).

Everything here is a pure function of its arguments; newsarchive/archive/store.py keeps the
schedule in the `revisits` table and newsarchive/archive/queries.py ranks the articles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

PRIOR_VISITS = 2.0  # the prior counts as much as this many visits
COMMENTS_COUNTED = 20  # a commented article changes up to 1 + 20/10 = 3 times as often
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # as newsarchive.archive.utc_now() writes it


@dataclass(frozen=True)
class Limits:
    """The shortest and longest wait between two visits of an article."""

    floor_hours: float = 6.0
    ceiling_days: float = 60.0


@dataclass(frozen=True)
class Schedule:
    """An article's row of `revisits`."""

    next_visit_at: str
    change_rate: float  # estimated changes per day
    visits: int  # fetches after the first one
    changes_found: int  # of those, the ones that found the article changed
    visited_days: float  # the days those visits covered (sum of the intervals)


def parse_time(value: str) -> datetime:
    """An archive time ('2024-05-01T10:00:00.000000Z', '2024-05-01T10:00:00Z' or a date) in UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def days_between(earlier: str, later: str) -> float:
    return (parse_time(later) - parse_time(earlier)).total_seconds() / 86400


def age_days(published_at: str | None, now: str) -> float:
    """Days since publication; 0 for a date that cannot be read (treated as young)."""
    try:
        return max(days_between(published_at or now, now), 0.0)
    except ValueError:
        return 0.0


def poisson_rate(visits: int, changes: int, interval_days: float) -> float:
    """Cho and Garcia-Molina's estimate of changes per day from `changes` of `visits` visits
    `interval_days` apart.

    >>> round(poisson_rate(4, 1, 1.0), 4)
    0.2513
    """
    if visits <= 0 or interval_days <= 0:
        return 0.0
    changes = min(max(changes, 0), visits)
    return -math.log((visits - changes + 0.5) / (visits + 0.5)) / interval_days


def prior_rate(age_days: float, comment_count: int | None) -> float:
    """Changes per day expected of an article this old with this many comments.

    >>> prior_rate(1.0, 10)
    1.0
    """
    comments = min(max(comment_count or 0, 0), COMMENTS_COUNTED)
    return 1.0 / (1.0 + max(age_days, 0.0)) * (1.0 + comments / 10)


def blended_rate(prior: float, visits: int, changes: int, visited_days: float) -> float:
    """The prior and the observed rate, weighted PRIOR_VISITS to `visits`."""
    if visits <= 0 or visited_days <= 0:
        return prior
    observed = poisson_rate(visits, changes, visited_days / visits)
    return (PRIOR_VISITS * prior + visits * observed) / (PRIOR_VISITS + visits)


def interval_days(rate: float, limits: Limits) -> float:
    """Days to the next visit: 1/rate, between the floor and the ceiling."""
    floor = limits.floor_hours / 24
    wait = 1.0 / rate if rate > 0 else limits.ceiling_days
    return min(max(wait, floor), limits.ceiling_days)


def after_visit(schedule: Schedule | None, *, published_at: str | None, previous_seen_at: str | None, seen_at: str,
                changed: bool, comment_count: int | None, limits: Limits) -> Schedule:
    """The schedule after a visit at seen_at (the first storing when previous_seen_at is None)."""
    visits, changes, visited = (schedule.visits, schedule.changes_found, schedule.visited_days) if schedule \
        else (0, 0, 0.0)
    if previous_seen_at is not None:
        visits, changes = visits + 1, changes + int(changed)
        visited += max(days_between(previous_seen_at, seen_at), 0.0)
    prior = prior_rate(age_days(published_at, seen_at), comment_count)
    rate = blended_rate(prior, visits, changes, visited)
    next_visit = parse_time(seen_at) + timedelta(days=interval_days(rate, limits))
    return Schedule(next_visit.strftime(TIME_FORMAT), rate, visits, changes, visited)


def expected_missed(rate: float | None, published_at: str | None, comment_count: int | None, last_seen_at: str,
                    now: str) -> float:
    """Changes expected since the last visit: the rate (the prior for an article never
    scheduled) times the days since. The budget goes to the highest first."""
    if rate is None:
        rate = prior_rate(age_days(published_at, now), comment_count)
    return rate * max(days_between(last_seen_at, now), 0.0)
