"""What finding duplicate and syndicated articles costs (newsarchive/archive/duplicates.py).

    python bench/duplicates.py [--articles 10000] [--new 100] [--keep PATH]

Builds an archive of generated articles (the demo site's English and Arabic sentences) stored
through the archive store, as a crawl stores them, with syndicated copies planted: 1% copied
word for word by a sister site, 1% copied with one paragraph rewritten. Then prints:

- the first run over the whole archive (what `newsarchive duplicates --rebuild` does): seconds
  per 1,000 articles (target: under 1 s), and the planted pairs it found;
- an incremental run, as after a crawl: `--new` articles more (with planted copies of stored
  ones) compared against the archive (its cost is loading the archive's signatures into the
  LSH index, plus signing and comparing the new articles);
- the size of the stored signatures;
- the first run over archives of 1,000, 2,000 and 4,000 copies of one body: linked each to the
  first, the cost grows with the copies (stored as every pair, as before stop 29, 4,000 copies
  took 130 s and 7,998,000 rows).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SITES = ("diyaruna", "sister")


def story(rng: random.Random, language) -> list[str]:
    return [language.paragraph(rng) for _ in range(rng.randint(4, 10))]


def make_article(number: int, site: str, locale: str, paragraphs: list[str]):
    from newsarchive.items import Article

    url = f"https://{site}.example/{locale}/articles/bench-{number}"
    return Article(url=url, canonical_url=url, site=site, locale=locale, title=f"Story {number}",
                   body_text="\n\n".join(paragraphs), published_at="2026-01-01")


def add_crawl(archive, rng: random.Random, first_number: int, count: int, planted: dict, copy_share: float,
              stored: list) -> None:
    """Store `count` articles in one crawl; a share of them copies (exact or edited) of stored stories."""
    from newsarchive.archive.store import finish_crawl, start_crawl, store_article
    from newsarchive.demo.words import LANGUAGES

    seen_at = "2026-01-02T00:00:00Z"
    with archive.write() as db:
        crawl_id = start_crawl(db, None, "bench", {}, seen_at)
        for number in range(first_number, first_number + count):
            chance = rng.random()
            if stored and chance < copy_share:
                original, locale, paragraphs = rng.choice(stored)
                kind = "exact" if chance < copy_share / 2 else "near"
                if kind == "near":
                    paragraphs = list(paragraphs)
                    paragraphs[len(paragraphs) // 2] = LANGUAGES[locale].paragraph(rng, sentences=1)
                planted[number] = (original, kind)
            else:
                locale = "ar" if rng.random() < 0.2 else "en_GB"
                paragraphs = story(rng, LANGUAGES[locale])
                stored.append((number, locale, paragraphs))
            store_article(db, make_article(number, rng.choice(SITES), locale, paragraphs), crawl_id, seen_at)
        finish_crawl(db, crawl_id, {"finished_at": seen_at, "finish_reason": "finished"})


def found_planted(archive, planted: dict) -> str:
    """How many planted copies have a pair with their original, among those at or above the
    threshold (what LSH must not miss), and how many below it were rightly left out."""
    from newsarchive.archive.duplicates import THRESHOLD, body_words, jaccard, shingles

    articles = {int(title.split()[-1]): (article_id, body) for article_id, title, body
                in archive.conn.execute("SELECT id, title, body_text FROM articles")}
    pairs = set(archive.conn.execute("SELECT article_id, duplicate_of FROM duplicates"))
    above, found_above, below, found_below = 0, 0, 0, 0
    for copy, (original, _) in planted.items():
        (copy_id, copy_body), (original_id, original_body) = articles[copy], articles[original]
        similar = jaccard(shingles(body_words(copy_body)), shingles(body_words(original_body))) >= THRESHOLD
        found = (max(copy_id, original_id), min(copy_id, original_id)) in pairs
        above, found_above = above + similar, found_above + (similar and found)
        below, found_below = below + (not similar), found_below + (not similar and found)
    return (f"planted copies at similarity >= {THRESHOLD} found {found_above}/{above}, "
            f"below it (an edit too large) recorded {found_below}/{below}")


def one_body_copied(folder: Path, copies: int) -> float:
    """CPU seconds of a first run over an archive of `copies` articles with one body (a paywall
    notice, a cookie wall): each copy is linked to the first, so the cost grows with the copies."""
    from newsarchive.archive import open_archive
    from newsarchive.archive.duplicates import find_duplicates
    from newsarchive.archive.store import start_crawl, store_article

    archive = open_archive(folder / f"copies-{copies}.db")
    notice = " ".join(f"Subscribe to read this story, number {n} of our offers." for n in range(12))
    with archive.write() as db:
        crawl_id = start_crawl(db, None, "bench", {}, "2026-01-02T00:00:00Z")
        for number in range(copies):
            store_article(db, make_article(number, SITES[number % 2], "en_GB", [notice]), crawl_id, "2026-01-02T00:00:00Z")
    summary, seconds = timed(find_duplicates, archive)
    assert summary.exact_pairs == copies - 1, summary.describe()
    archive.close()
    return seconds


def timed(function, *args):
    """The function's result and the CPU time it took: on a shared machine, wall time also
    measures the neighbours."""
    started = time.process_time()
    result = function(*args)
    return result, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="Write the archive here and keep it.")
    options = parser.parse_args()

    from newsarchive.archive import open_archive
    from newsarchive.archive.duplicates import find_duplicates

    with tempfile.TemporaryDirectory() as folder:
        path = options.keep or Path(folder) / "bench.db"
        archive = open_archive(path)
        rng, planted, stored = random.Random(11), {}, []
        started = time.perf_counter()
        add_crawl(archive, rng, 1, options.articles, planted, 0.02, stored)
        print(f"archive of {options.articles:,} articles stored in {time.perf_counter() - started:.1f} s "
              f"({len(planted)} planted copies)")

        first, first_cpu = timed(find_duplicates, archive)
        print(f"first run (all articles): {first.seconds:.2f} s ({first_cpu:.2f} s CPU), "
              f"{1000 * first.seconds / options.articles:.3f} s per 1,000 articles "
              f"({1000 * first_cpu / options.articles:.3f} s CPU; target < 1 s); "
              f"{first.exact_pairs} exact and {first.near_pairs} near pairs; "
              f"{found_planted(archive, planted)}; {first.short} too short")

        planted_before = dict(planted)
        add_crawl(archive, rng, options.articles + 1, options.new, planted, 0.05, stored)
        again, again_cpu = timed(find_duplicates, archive)
        new_planted = {key: value for key, value in planted.items() if key not in planted_before}
        print(f"incremental run ({again.articles} new articles against {options.articles:,}): {again.seconds:.2f} s "
              f"({again_cpu:.2f} s CPU); "
              f"{again.exact_found} exact and {again.near_found} near pairs found; {found_planted(archive, new_planted)}")

        idle = find_duplicates(archive)
        print(f"run with nothing new: {idle.seconds:.2f} s")
        size = archive.conn.execute("SELECT sum(length(minhash)) FROM duplicate_signatures").fetchone()[0]
        print(f"stored signatures: {size / 1e6:.1f} MB ({size / (options.articles + options.new):.0f} bytes an article)")
        archive.close()

        seconds = [one_body_copied(Path(folder), copies) for copies in (1000, 2000, 4000)]
        print(f"one body copied 1,000 / 2,000 / 4,000 times: {seconds[0]:.2f} / {seconds[1]:.2f} / {seconds[2]:.2f} s CPU "
              f"(growth {seconds[2] / seconds[0]:.1f} for 4 times the copies: linear is about 4), n - 1 exact rows each")


if __name__ == "__main__":
    main()
