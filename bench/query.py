"""The researchers' side at scale: search, stats and export on a large generated archive.

    python bench/query.py [--articles 100000] [--comments-per-article 5] [--keep PATH]

Builds an archive (our schema, migrations and FTS triggers) of generated articles in English and
Arabic with authors, photos and comments, written straight into SQLite in bulk (a crawl of that
size would take an hour and measure the crawler, not the queries). Then prints:

- the time to build the search lists (the best rows of frequent terms), as a crawl does at its end;
- full-text search: median time of each query over repeated runs (target: under 50 ms), and
  whether the lists answered it or every match was ranked;
- `newsarchive stats` figures (target: under 2 s);
- JSONL export: articles per second (target: at least 5,000) and peak memory of exporting a
  tenth of the archive and all of it, each in its own process (target: flat).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from measure import peak_rss_mb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEARCHES = [
    # Named entities (places, people, groups) are what researchers mostly search for; the
    # generator gives each article a few, drawn from a Zipf distribution like real news.
    ("frequent entity", "articles", "Zarakand"),
    ("mid entity", "articles", "Velomir"),
    ("rare entity", "articles", "Quorastan"),
    ("entity and word", "articles", "Zarakand AND security"),
    # The demo's sentences come from a small vocabulary: these match much of the archive, worst cases.
    ("one common word", "articles", "security"),
    ("two words", "articles", "border schools"),
    ("phrase", "articles", '"security forces"'),
    ("prefix", "articles", "reconstr*"),
    ("a name as written", "articles", "al-Zarqawi"),
    # Arabic, as researchers type it: with and without hamza and the article al-.
    ("Arabic word", "articles", "الكهرباء"),
    ("Arabic, hamza form", "articles", "الأمنية"),
    ("Arabic, no hamza", "articles", "الامنية"),
    ("Arabic, no article", "articles", "حدود"),
    ("comments, one word", "comments", "village"),
]


SYLLABLES = ("za", "ra", "kand", "ve", "lo", "mir", "quo", "ras", "tan", "bel", "dun", "ka", "shi", "nor",
             "tal", "ben", "ar", "os", "lin", "ter")


def entity_names(count: int, rng: random.Random) -> list[str]:
    """Made-up place and person names; the bench's queries name three of them."""
    names = ["Zarakand", "Velomir", "Quorastan", "al-Zarqawi"]
    seen = set(names)
    while len(names) < count:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def comment_text(language, rng) -> str:
    """A reader's comment: one of the demo's reader lines, sometimes with a sentence or two more."""
    return " ".join([language.comment(rng), *(language.sentence(rng) for _ in range(rng.randint(0, 2)))])


def build_archive(db_path: Path, articles: int, comments_per_article: int, seed: int = 3) -> float:
    from newsarchive.archive import open_archive
    from newsarchive.demo.words import LANGUAGES

    started = time.perf_counter()
    archive = open_archive(db_path)
    rng = random.Random(seed)
    languages = list(LANGUAGES.items())
    entities = entity_names(20_000, rng)
    # Zipf: the k-th name is about k times rarer than the first; "Velomir" sits at 2nd place,
    # "Quorastan" at 3rd, so place the queried mid and rare names further down the list.
    entities[1], entities[300] = entities[300], entities[1]
    entities[2], entities[8000] = entities[8000], entities[2]
    weights = [1 / (rank + 1) for rank in range(len(entities))]
    author_ids = {}
    comment_id = 0
    with archive.write() as db:
        crawl_id = db.execute("INSERT INTO crawls (site, spider, started_at, finished_at, finish_reason, coverage) "
                              "VALUES ('diyaruna', 'diyaruna', '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z', "
                              "'finished', '{\"articles\": 0, \"share\": {}}')").lastrowid
        for _, language in languages:
            for name in language.author_pool:
                author_ids[name] = db.execute("INSERT INTO authors (name) VALUES (?)", [name]).lastrowid
    for start in range(0, articles, 5000):
        with archive.write() as db:
            rows, versions, bylines, photos, comments = [], [], [], [], []
            for number in range(start, min(start + 5000, articles)):
                locale, language = languages[0] if rng.random() < 0.8 else languages[1]
                day = date(2010, 1, 1) + timedelta(days=number * 5000 // max(articles, 1))
                title = language.headline(rng)
                body = "\n\n".join(language.paragraph(rng) for _ in range(rng.randint(3, 9)))
                body += "\n\n" + " ".join(rng.choices(entities, weights, k=rng.randint(2, 6))) + "."
                section = rng.choice(language.sections)
                url = f"https://diyaruna.com/{locale}/articles/cnmi_di/features/{day:%Y/%m/%d}/bench-{number}"
                article_id = number + 1
                seen = f"{day}T12:00:00Z"
                rows.append((article_id, url, url, "diyaruna", "cnmi_di", locale, locale[:2], section.breadcrumb[-1],
                             json.dumps(list(section.breadcrumb), ensure_ascii=False), title, day.isoformat(), body,
                             f"{number:064x}", seen, seen, crawl_id, crawl_id))
                versions.append((article_id, title, body, f"{number:064x}", seen, crawl_id))
                for position, name in enumerate(rng.sample(language.author_pool, rng.choice((1, 1, 2)))):
                    bylines.append((article_id, author_ids[name], position, name))
                for position in range(rng.choice((0, 1, 1, 2, 3))):
                    photos.append((article_id, f"{url}/photo-{position}.jpg", language.sentence(rng),
                                   rng.choice(language.sources), position, int(position == 0), seen))
                for position in range(rng.randint(0, 2 * comments_per_article)):
                    comment_id += 1
                    comments.append((comment_id, article_id, f"id:{comment_id}", str(comment_id),
                                     rng.choice(language.commenter_pool), f"{day}T18:00:00Z",
                                     comment_text(language, rng), position, seen, seen))
            db.conn.executemany(
                "INSERT INTO articles (id, url, canonical_url, site, site_code, locale, language, section, section_path, "
                "title, published_at, body_text, content_hash, first_seen_at, last_seen_at, first_crawl_id, "
                "last_crawl_id, version_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", rows)
            db.conn.executemany("INSERT INTO article_urls (url, article_id, first_seen_at) VALUES (?, ?, ?)",
                           [(row[1], row[0], row[13]) for row in rows])
            db.conn.executemany("INSERT INTO article_versions (article_id, version, title, body_text, content_hash, "
                           "captured_at, crawl_id) VALUES (?, 1, ?, ?, ?, ?, ?)", versions)
            db.conn.executemany("INSERT INTO article_authors (article_id, author_id, position, name_raw) "
                           "VALUES (?, ?, ?, ?)", bylines)
            db.conn.executemany("INSERT INTO photos (article_id, url, caption, credit, position, is_lead, first_seen_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)", photos)
            db.conn.executemany("INSERT INTO comments (id, article_id, comment_key, site_comment_id, author_name, "
                           "posted_at, body_text, position, first_seen_at, last_seen_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", comments)
    with archive.write() as db:
        db.execute("UPDATE crawls SET articles_stored = ?, coverage = ? WHERE id = ?",
                   [articles, json.dumps({"articles": articles, "share": {"byline": 1.0, "date": 1.0}}), crawl_id])
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.conn.execute("ANALYZE")
    archive.close()
    return time.perf_counter() - started


def build_search_lists(db_path: Path) -> list:
    """What `newsarchive crawl` and `index` do at their end: the best rows of frequent terms."""
    from newsarchive.archive.search_lists import rebuild_file

    return rebuild_file(db_path)


def time_searches(db_path: Path, runs: int = 7) -> list[tuple[str, str, int, float, str]]:
    from newsarchive.archive import open_for_reading
    from newsarchive.archive.folding import fold
    from newsarchive.archive.search_lists import best_rows
    from newsarchive.research.search import SearchFilters, count_matches, prepare_query, search

    results = []
    db = open_for_reading(db_path)
    for label, target, query in SEARCHES:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            hits = search(db, query, target, SearchFilters(limit=20))
            times.append(time.perf_counter() - started)
        db.row_factory = None
        total = count_matches(db, query, target, SearchFilters())
        folded = fold(prepare_query(query))
        path = "lists" if best_rows(db, f"{target}_fts", folded, 20) is not None else "all matches"
        results.append((label, query, total, statistics.median(times) * 1000, path))
        assert hits, f"{query!r} found nothing"
    db.close()
    return results


def time_stats(db_path: Path) -> float:
    from newsarchive.research.stats import archive_stats

    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    started = time.perf_counter()
    archive_stats(db)
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def export_in_child(db_path: Path, out: Path, until: str | None) -> dict:
    args = [sys.executable, __file__, "--child-export", str(db_path), "--out", str(out)]
    if until:
        args += ["--until", until]
    output = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def child_export(db_path: str, out: str, until: str | None) -> None:
    from exports.records import ExportFilters
    from exports.tabular import export_jsonl

    started = time.perf_counter()
    written = export_jsonl(db_path, out, ExportFilters(until=until))
    seconds = time.perf_counter() - started
    print(json.dumps({"articles": written, "seconds": seconds,
                      "peak_rss_mb": peak_rss_mb()}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--comments-per-article", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the archive here and keep it")
    parser.add_argument("--child-export", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--until", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_export:
        child_export(args.child_export, args.out, args.until)
        return
    with tempfile.TemporaryDirectory(prefix="newsarchive-query-") as scratch:
        db_path = args.keep or Path(scratch) / "bench.db"
        if not db_path.exists():
            seconds = build_archive(db_path, args.articles, args.comments_per_article)
            print(f"built an archive in {seconds:.0f} s", flush=True)
        with sqlite3.connect(db_path) as db:
            counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "comments", "photos")}
        size = db_path.stat().st_size / 2**20
        print(f"archive: {counts['articles']:,} articles, {counts['comments']:,} comments, "
              f"{counts['photos']:,} photos, {size:,.0f} MiB")
        for lists in build_search_lists(db_path):
            print(lists.describe())
        for label, query, matches, ms, path in time_searches(db_path):
            print(f"search {label:20s} {query!r:24s} {matches:7,d} matches: {ms:6.1f} ms (median, top 20; "
                  f"ranked from {path})")
        print(f"stats: {time_stats(db_path):.2f} s (target < 2 s)")
        tenth_day = sqlite3.connect(db_path).execute(
            "SELECT published_at FROM articles ORDER BY published_at LIMIT 1 OFFSET ?",
            [counts["articles"] // 10]).fetchone()[0]
        part = export_in_child(db_path, Path(scratch) / "part.jsonl", tenth_day)
        whole = export_in_child(db_path, Path(scratch) / "whole.jsonl", None)
        for label, result in (("a tenth", part), ("all", whole)):
            print(f"export jsonl of {label:8s}: {result['articles']:7,d} articles in {result['seconds']:5.1f} s = "
                  f"{result['articles'] / result['seconds']:7,.0f} articles/s, peak RSS {result['peak_rss_mb']:.0f} MB")
        print("targets: search < 50 ms, stats < 2 s, export >= 5,000 articles/s with memory flat")


if __name__ == "__main__":
    main()
