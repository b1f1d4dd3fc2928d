"""Incremental re-crawls against full ones, and what captures cost in archive size.

    python bench/recrawl.py [--articles 5000] [--changed 0.02] [--rounds 3]

Generates a demo site whose newest article is today, serves it from a separate process on
127.0.0.1 (logging every request), and crawls it once into an archive. Then a share of the
articles changes (a third edited, a third gaining a comment, a third losing one) and the site is
re-crawled, each time from a copy of the first archive, in two scenarios:

- recent: the changed articles are among the newest tenth (where edits and comments happen);
  re-crawled with the default incremental policy and with `--full`;
- anywhere: the changed articles are spread over the whole site; re-crawled with the default
  policy (which stops paginating after 3 stale listing pages) and with `--stale-pages 0`.

The demo site has a sitemap whose <lastmod> is bumped by every change, which the diyaruna
profile reads, so "anywhere" changes are found by it. Every crawl runs --rounds times (3), the
first crawls and each scenario's re-crawls in alternating order from round to round (timings
on a shared machine drift); times are printed as the median and the range. Prints the requests
the server saw, the time, and how many of the changes the archive picked up (new versions, new
and removed comments); then the archive size per stored page with captures on and off.
Target: incremental requests under 10% of the full crawl's.

    python bench/recrawl.py --days 30 [--articles 5000]

simulates instead a site that changes over that many days, crawled once a day by each policy:
today's refresh window alone, the window plus the revisit schedule at two budgets (5% and 10%
of the articles a run), the same with a sitemap whose <lastmod> is bumped by edits only (as
CMSs that date the article's own text do), and by every change, comments included; and a full
crawl. It runs the policies' rules on a model of the site (no HTTP): every day each article
changes with probability 1 - exp(-rate), rate = 0.5 / (1 + age in days) + 0.002 (edits and
comments fall off with age; no listing shows them); a third of the changes are edits, the rest
comments added or removed. The schedule is newsarchive/revisits.py's own. An article whose
lastmod shows a change since its last fetch is fetched on the next run, as the crawler does
(spiders/profiled.py): such fetches are not charged against the revisit budget, which goes to
the known articles the schedule ranks first, but they are counted in the requests printed, with the sitemap
itself (one request per 50,000 URLs). Prints per policy the requests per run as a share of a
full crawl's; the body bytes per run as a share of a full crawl's (an article's page, or the
sitemap, at the demo site's mean size; an unchanged article answers 304 with no body, as its
validators allow; a full crawl asks unconditionally); the share of changes found in the next
run and within three, the share of edits found in the next run, the next-run share for
articles younger than a week, and the mean delay (runs) until found.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import sqlite3
import statistics
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

    def restore(self) -> None:
        """The site as first generated (undoing any changes)."""
        from newsarchive.demo.site import generate_site

        generate_site(self.folder / "site", self.articles, seed=1, first_day=self.first_day)

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
EDIT_SHARE = 1 / 3  # of the changes; the rest are comments added or removed
SITEMAP_URLS_PER_FILE = 50_000  # the sitemap protocol's limit


def simulated_change_rate(age_days: float) -> float:
    return 0.5 / (1 + age_days) + 0.002


def demo_page_sizes() -> tuple[float, float]:
    """(mean bytes of a demo article page, bytes of a sitemap entry), from a small demo site."""
    from newsarchive.demo.site import generate_site

    with tempfile.TemporaryDirectory(prefix="newsarchive-sizes-") as scratch:
        manifest = generate_site(scratch, 200, seed=1)
        pages = [Path(scratch, a["path"].strip("/"), "index.html").stat().st_size for a in manifest["articles"]]
        return sum(pages) / len(pages), Path(scratch, "sitemap.xml").stat().st_size / len(pages)


def simulate_days(days: int, articles: int, ceiling_days: float = 60.0, seed: int = 1) -> None:
    """Daily crawls of a modelled site by each policy; see the module's docstring."""
    from newsarchive.revisits import Limits

    rng, limits = random.Random(seed), Limits(ceiling_days=ceiling_days)
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
    kinds = random.Random(seed + 1)  # apart, so the changes are those of the runs without kinds
    edits = {change for change in changes if kinds.random() < EDIT_SHARE}
    article_bytes, entry_bytes = demo_page_sizes()
    policies = [("window (today)", None, None), ("window + revisits 5%", 0.05, None),
                ("window + revisits 10%", 0.10, None),
                ("+ lastmod on edits, 5%", 0.05, "edits"), ("+ lastmod on edits, 10%", 0.10, "edits"),
                ("+ lastmod on all, 5%", 0.05, "all"), ("+ lastmod on all, 10%", 0.10, "all"),
                ("full", "full", None)]
    print(f"{days} simulated days, {articles} articles at day 0 (+{NEW_PER_DAY}/day), {len(changes)} changes "
          f"({len(edits)} edits); revisit ceiling {ceiling_days:g} days; requests and body bytes per run as a "
          f"share of a full crawl's (article page {article_bytes / 1024:.1f} KiB, sitemap entry "
          f"{entry_bytes:.0f} B); fetches on a lastmod signal are not charged against the revisit budget")
    print(f"{'policy':24s} {'requests':>8s} {'bytes':>6s} {'next run':>8s} {'3 runs':>7s} {'edits next':>10s} "
          f"{'young next':>10s} {'delay':>5s} {'never':>9s}")
    for name, budget, signal in policies:
        result = _run_policy(days, articles, published, born, changes, edits, budget, signal, limits,
                             article_bytes, entry_bytes)
        print(f"{name:24s} {result['requests']:8.1%} {result['bytes']:6.1%} {result['next']:8.1%} "
              f"{result['three']:7.1%} {result['edits_next']:10.1%} {result['young_next']:10.1%} "
              f"{result['delay']:5.2f} {result['never']:>9s}")


def _run_policy(days, articles, published, born, changes, edits, budget, signal, limits, article_bytes,
                entry_bytes) -> dict:
    """One policy's daily runs over the modelled site: its requests, bytes and finding delays."""
    from newsarchive.revisits import after_visit, expected_missed

    start = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def at(day: float) -> str:
        return (start + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    pending: dict[int, list[int]] = {}  # article -> days of the changes not yet found
    signalled: set[int] = set()  # articles whose lastmod shows a change since their last fetch
    schedule = {article: after_visit(None, published_at=at(published[article]), previous_seen_at=None,
                                     seen_at=at(0), changed=False, comment_count=0, limits=limits)
                for article in born[0]}
    last_seen = dict.fromkeys(born[0], 0)
    by_day: dict[int, list[int]] = {}
    for day, article in changes:
        by_day.setdefault(day, []).append(article)
    delays, young_delays = {}, {}
    requests = full_requests = body_bytes = full_bytes = 0
    for day in range(1, days + 1):
        for article in by_day.get(day, []):
            pending.setdefault(article, []).append(day)
            if signal == "all" or (signal == "edits" and (day, article) in edits):
                signalled.add(article)
        alive = [article for article in range(len(published)) if published[article] < day]
        full_requests += len(alive)
        full_bytes += len(alive) * article_bytes
        young = {a for a in alive if day - published[a] < WINDOW_DAYS}
        visit = set(alive) if budget == "full" else young | set(born[day]) | signalled
        if signal:  # the sitemap itself
            requests += -(-len(alive) // SITEMAP_URLS_PER_FILE)
            body_bytes += len(alive) * entry_bytes
        if isinstance(budget, float):
            # As ArchiveLookup.revisit_candidates: not seen today (the floor is under a day), due
            # ones first, then by most expected missed changes.
            candidates = [a for a in alive if a not in visit and last_seen.get(a, day) < day]
            candidates.sort(key=lambda a: (schedule[a].next_visit_at > at(day), -expected_missed(
                schedule[a].change_rate, at(published[a]), 0, at(last_seen[a]), at(day))))
            visit |= set(candidates[:round(budget * articles)])
        requests += len(visit)
        signalled -= visit
        for article in visit:
            found = pending.pop(article, [])
            # A body when something changed or the page is new; else a 304 (a full crawl asks without validators).
            body_bytes += article_bytes if found or article not in last_seen or budget == "full" else 0
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
    return {"requests": requests / full_requests, "bytes": body_bytes / full_bytes,
            "next": share(counted, delays, 1), "three": share(counted, delays, 3),
            "edits_next": share([pair for pair in counted if pair in edits], delays, 1),
            "young_next": share(young_counted, young_delays, 1),
            "delay": sum(found) / len(found) if found else 0.0, "never": f"{len(counted) - len(found)}/{len(counted)}"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--changed", type=float, default=0.02, help="share of articles changed")
    parser.add_argument("--rounds", type=int, default=3,
                        help="run every crawl this many times, in alternating order; times are medians")
    parser.add_argument("--days", type=int, default=0,
                        help="simulate this many days of daily crawls of a changing site instead")
    parser.add_argument("--ceiling-days", type=float, default=60.0,
                        help="with --days: the revisit schedule's ceiling (NEWSARCHIVE_REVISIT_CEILING_DAYS)")
    args = parser.parse_args()
    if args.days:
        simulate_days(args.days, args.articles, args.ceiling_days)
        return
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")
    runs: dict[tuple[str, str], list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="newsarchive-recrawl-") as scratch:
        folder = Path(scratch)
        site = Site(folder, args.articles)
        try:
            for round_number in range(args.rounds):
                run_round(site, folder, args, round_number, runs)
            with_size = size_per_page(folder / "first.db")
            without_size = size_per_page(folder / "no-captures.db")
        finally:
            site.stop()
    print_runs(runs, args, with_size, without_size)


SCENARIOS = (
    ("recent", 10, (("incremental", ()), ("full", ("--full",)))),  # among the newest tenth
    ("anywhere", 0, (("incremental", ()), ("incremental, all pages", ("--stale-pages", "0")))),
)


def in_turn(items: tuple | list, round_number: int) -> list:
    """The items in order on even rounds and reversed on odd ones: drift on a shared machine
    (a neighbour's load, a warming cache) then favours no one."""
    return list(items) if round_number % 2 == 0 else list(reversed(items))


def run_round(site: Site, folder: Path, args, round_number: int, runs: dict) -> None:
    """The first crawls of the unchanged site, then each scenario's re-crawls from copies of the first."""
    site.restore()
    time.sleep(1)
    first_crawls = (("first", "with captures", "first.db", ()),
                    ("first", "without captures", "no-captures.db", ("-s", "NEWSARCHIVE_CAPTURE_ENABLED=0")))
    for scenario, name, file_name, options in in_turn(first_crawls, round_number):
        (folder / file_name).unlink(missing_ok=True)
        runs.setdefault((scenario, name), []).append(site.crawl(folder / file_name, *options))
    for scenario, tenth, crawls in SCENARIOS:
        changes = site.change(args.changed, args.articles // tenth if tenth else 0)
        time.sleep(1)
        for name, options in in_turn(crawls, round_number):
            db_path = folder / f"{scenario}.db"
            shutil.copy(folder / "first.db", db_path)
            result = site.crawl(db_path, *options)
            runs.setdefault((scenario, name), []).append(result | {"found": changes_found(db_path, changes)})


def print_runs(runs: dict, args, with_size, without_size) -> None:
    first, without = runs[("first", "with captures")], runs[("first", "without captures")]
    full = runs[("recent", "full")][-1]
    changed = sum(want for _, want in full["found"].values())
    print(f"demo site: {args.articles} articles; {args.rounds} rounds, times as median [min-max]; first crawl "
          f"{first[-1]['requests']} requests in {seconds(first)} ({seconds(without)} without captures); "
          f"{changed} articles changed ({changed / args.articles:.1%})")
    for (scenario, name), results in runs.items():
        if scenario == "first":
            continue
        result = results[-1]  # what was found is the same every round: the same site, the same changes
        picked = ", ".join(f"{kind} {got}/{want}" for kind, (got, want) in result["found"].items())
        requests = statistics.median(r["requests"] for r in results)
        print(f"{scenario:8s} {name:22s} {requests:6g} requests ({requests / full['requests']:6.1%} of full; "
              f"{result['article_requests']} articles, {result['not_modified']} answered 304) in "
              f"{seconds(results)}; found {picked}")
    print(f"archive size per stored page: {with_size[0] / 1024:.1f} KiB with captures ({with_size[1] / 2**20:.1f} MiB), "
          f"{without_size[0] / 1024:.1f} KiB without ({without_size[1] / 2**20:.1f} MiB)")


def seconds(results: list[dict]) -> str:
    times = [result["seconds"] for result in results]
    return f"{statistics.median(times):.1f} s [{min(times):.1f}-{max(times):.1f}]"


if __name__ == "__main__":
    main()
