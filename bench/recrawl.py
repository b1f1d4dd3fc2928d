"""Incremental re-crawls against full ones, and what captures cost in archive size.

    python bench/recrawl.py [--articles 5000] [--changed 0.02]

Generates a demo site whose newest article is today, serves it from a separate process on
127.0.0.1 (logging every request), and crawls it once into an archive. Then a share of the
articles changes (a third edited, a third gaining a comment, a third losing one) and the site is
re-crawled, each time from a copy of the first archive, in two scenarios:

- recent: the changed articles are among the newest tenth (where edits and comments happen);
  re-crawled with the default incremental policy and with `--full`;
- anywhere: the changed articles are spread over the whole site; re-crawled with the default
  policy (which stops paginating after 3 stale listing pages) and with `--stale-pages 0`.

Prints the requests the server saw, the time, and how many of the changes the archive picked
up (new versions, new and removed comments); then the archive size per stored page with
captures on and off. Target: incremental requests under 10% of the full crawl's.

    python bench/recrawl.py --days 30 [--articles 5000]

simulates instead a site that changes over that many days, crawled once a day by each policy:
today's refresh window alone, the window plus the revisit schedule at two budgets (5% and 10%
of the articles a run), and a full crawl. It runs the policies' rules on a model of the site
(no HTTP): every day each article changes with probability 1 - exp(-rate), rate =
0.5 / (1 + age in days) + 0.002 (edits and comments fall off with age; no listing shows them),
and the schedule is newsarchive/revisits.py's own. Prints per policy the article requests per
run as a share of a full crawl's, the share of changes found in the next run and within three,
the same for articles younger than a week, and the mean delay (runs) until found.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETTINGS = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]


class Site:
    def __init__(self, folder: Path, articles: int):
        from newsarchive.demo.site import generate_site

        self.folder, self.articles = folder, articles
        self.first_day = date.today() - timedelta(days=(articles - 1) * 2 // 3)
        self.access_log = folder / "access.log"
        generate_site(folder / "site", articles, seed=1, first_day=self.first_day)
        self.server = subprocess.Popen(
            [sys.executable, "-m", "newsarchive.demo.serve", str(folder / "site"), "--access-log", str(self.access_log)],
            stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.base_url = self.server.stdout.readline().strip()

    def change(self, share: float, among_newest: int = 0) -> dict:
        """Regenerate the site from its seed with these changes (earlier changes are undone)."""
        from newsarchive.demo.site import SiteChanges, generate_site

        third = max(1, round(self.articles * share / 3))
        changes = SiteChanges(edited=third, comments_added=third, comments_removed=third,
                              among_newest=among_newest, seed=2)
        return generate_site(self.folder / "site", self.articles, seed=1, first_day=self.first_day,
                             changes=changes)["changes"]

    def crawl(self, db_path: Path, *options: str) -> dict:
        self.access_log.write_text("")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "newsarchive.cli", "crawl", "diyaruna", "--db", str(db_path),
                        "--base-url", self.base_url, "--allow-private", *SETTINGS, *options],
                       check=True, capture_output=True, cwd=ROOT)
        seconds = time.perf_counter() - started
        lines = self.access_log.read_text().splitlines()
        return {"seconds": seconds, "requests": len(lines),
                "article_requests": sum("/articles/" in line for line in lines),
                "not_modified": sum(line.endswith(" 304") for line in lines)}

    def stop(self):
        self.server.terminate()
        self.server.wait()


def changes_found(db_path: Path, changes: dict) -> dict:
    """How many of the site's changes the archive shows after the re-crawl."""
    with sqlite3.connect(db_path) as db:
        def versions(path):
            return db.execute("SELECT version_count FROM articles WHERE url LIKE ?", [f"%{path}"]).fetchone()[0]

        def comment(site_id, column):
            row = db.execute(f"SELECT {column} FROM comments WHERE site_comment_id = ?", [site_id]).fetchone()
            return row is not None and row[0] is not None

        edited = sum(versions(path) == 2 for path in changes["edited"])
        added = [cid for ids in changes["comments_added"].values() for cid in ids]
        removed = [cid for ids in changes["comments_removed"].values() for cid in ids]
        return {
            "edits": (edited, len(changes["edited"])),
            "comments added": (sum(comment(cid, "id") for cid in added), len(added)),
            "comments removed": (sum(comment(cid, "removed_at") for cid in removed), len(removed)),
        }


def size_per_page(db_path: Path) -> tuple[float, int]:
    with sqlite3.connect(db_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = db.execute("SELECT responses FROM crawls ORDER BY id LIMIT 1").fetchone()[0]
    size = os.path.getsize(db_path)
    return size / pages, size


WINDOW_DAYS, NEW_PER_DAY = 7, 1.5


def simulated_change_rate(age_days: float) -> float:
    return 0.5 / (1 + age_days) + 0.002


def simulate_days(days: int, articles: int, ceiling_days: float = 60.0, seed: int = 1) -> None:
    """Daily crawls of a modelled site by each policy; see the module's docstring."""
    from newsarchive.revisits import Limits, after_visit, expected_missed

    rng, limits = random.Random(seed), Limits(ceiling_days=ceiling_days)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def at(day: float) -> str:
        return (start + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    # The site at day 0 (crawled whole then), and what is published each later day.
    published = [-(number / NEW_PER_DAY) for number in range(articles)]
    born = {0: list(range(articles))}
    for day in range(1, days + 1):
        first = len(published)
        published += [day - 0.5] * int(NEW_PER_DAY * day - len(published) + articles)
        born[day] = list(range(first, len(published)))
    changes = [(day, article) for day in range(1, days + 1) for article in range(len(published))
               if published[article] < day - 1
               and rng.random() < 1 - math.exp(-simulated_change_rate(day - published[article]))]
    policies = {"window (today)": None, "window + revisits 5%": 0.05, "window + revisits 10%": 0.10,
                "full": "full"}
    print(f"{days} simulated days, {articles} articles at day 0 (+{NEW_PER_DAY}/day), {len(changes)} changes; "
          f"revisit ceiling {ceiling_days:g} days; requests are article requests per run, as a share of a full "
          f"crawl's")
    for name, budget in policies.items():
        pending: dict[int, list[int]] = {}
        schedule = {article: after_visit(None, published_at=at(published[article]), previous_seen_at=None,
                                         seen_at=at(0), changed=False, comment_count=0, limits=limits)
                    for article in born[0]}
        last_seen = dict.fromkeys(born[0], 0)
        by_day: dict[int, list[int]] = {}
        for day, article in changes:
            by_day.setdefault(day, []).append(article)
        delays, young_delays, requests, full_requests = {}, {}, 0, 0
        for day in range(1, days + 1):
            for article in by_day.get(day, []):
                pending.setdefault(article, []).append(day)
            alive = [article for article in range(len(published)) if published[article] < day]
            full_requests += len(alive)
            young = {a for a in alive if day - published[a] < WINDOW_DAYS}
            visit = set(alive) if budget == "full" else young | set(born[day])
            if isinstance(budget, float):
                due = [a for a in alive if a not in visit and schedule[a].next_visit_at <= at(day)]
                due.sort(key=lambda a: -expected_missed(schedule[a].change_rate, at(published[a]), 0,
                                                        at(last_seen[a]), at(day)))
                visit |= set(due[:round(budget * articles)])
            requests += len(visit)
            for article in visit:
                found = pending.pop(article, [])
                for changed_on in found:
                    delays[(changed_on, article)] = day - changed_on + 1
                    if changed_on - published[article] < WINDOW_DAYS:
                        young_delays[(changed_on, article)] = day - changed_on + 1
                schedule[article] = after_visit(schedule.get(article), published_at=at(published[article]),
                                                previous_seen_at=at(last_seen[article]) if article in last_seen
                                                else None, seen_at=at(day), changed=bool(found), comment_count=0,
                                                limits=limits)
                last_seen[article] = day
        counted = [(d, a) for d, a in changes if d <= days - 2]  # each had three runs to be found
        young_counted = [(d, a) for d, a in counted if d - published[a] < WINDOW_DAYS]

        def share(pairs, table, runs):
            return sum(table.get(pair, runs + 1) <= runs for pair in pairs) / len(pairs) if pairs else 1.0

        found = [delays[pair] for pair in counted if pair in delays]
        print(f"{name:22s} requests {requests / full_requests:6.1%}; found next run {share(counted, delays, 1):6.1%}, "
              f"within 3 runs {share(counted, delays, 3):6.1%} (younger than a week: "
              f"{share(young_counted, young_delays, 1):6.1%} next run); "
              f"mean delay {sum(found) / len(found) if found else 0:5.1f} runs; never found "
              f"{len(counted) - len(found)}/{len(counted)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--changed", type=float, default=0.02, help="share of articles changed")
    parser.add_argument("--days", type=int, default=0,
                        help="simulate this many days of daily crawls of a changing site instead")
    parser.add_argument("--ceiling-days", type=float, default=60.0,
                        help="with --days: the revisit schedule's ceiling (NEWSARCHIVE_REVISIT_CEILING_DAYS)")
    args = parser.parse_args()
    if args.days:
        simulate_days(args.days, args.articles, args.ceiling_days)
        return
    runs = {}
    with tempfile.TemporaryDirectory(prefix="newsarchive-recrawl-") as scratch:
        folder = Path(scratch)
        site = Site(folder, args.articles)
        try:
            first = site.crawl(folder / "first.db")
            without = site.crawl(folder / "no-captures.db", "-s", "NEWSARCHIVE_CAPTURE_ENABLED=0")
            scenarios = (
                ("recent", args.articles // 10, (("incremental", ()), ("full", ("--full",)))),
                ("anywhere", 0, (("incremental", ()), ("incremental, all pages", ("--stale-pages", "0")))),
            )
            for scenario, among_newest, crawls in scenarios:
                changes = site.change(args.changed, among_newest)
                time.sleep(1)
                for name, options in crawls:
                    db_path = folder / f"{scenario}-{len(runs)}.db"
                    shutil.copy(folder / "first.db", db_path)
                    result = site.crawl(db_path, *options)
                    runs[(scenario, name)] = result | {"found": changes_found(db_path, changes)}
            with_size = size_per_page(folder / "first.db")
            without_size = size_per_page(folder / "no-captures.db")
        finally:
            site.stop()
    changed = sum(want for _, want in runs[("recent", "full")]["found"].values())
    print(f"demo site: {args.articles} articles; first crawl {first['requests']} requests in {first['seconds']:.1f} s"
          f" ({without['seconds']:.1f} s without captures); {changed} articles changed ({changed / args.articles:.1%})")
    full = runs[("recent", "full")]
    for (scenario, name), result in runs.items():
        picked = ", ".join(f"{kind} {got}/{want}" for kind, (got, want) in result["found"].items())
        print(f"{scenario:8s} {name:22s} {result['requests']:6d} requests ({result['requests'] / full['requests']:6.1%} of full; "
              f"{result['article_requests']} articles, {result['not_modified']} answered 304) in {result['seconds']:5.1f} s; "
              f"found {picked}")
    print(f"archive size per stored page: {with_size[0] / 1024:.1f} KiB with captures ({with_size[1] / 2**20:.1f} MiB), "
          f"{without_size[0] / 1024:.1f} KiB without ({without_size[1] / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
