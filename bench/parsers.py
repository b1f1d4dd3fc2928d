"""Parser speed: pages per second beside trafilatura's extract(), on two sets of pages.

    python bench/parsers.py [--seconds 5] [--rounds 3] [--devset ../shared/bench/extraction-devset]

1. The fixture pages (tests/fixtures): our own small pages of the profiled Diyaruna family, some
   of them listings, read by profile selectors. This is the profiled path, and it flatters: the
   pages are small and the selectors know them. Target: newsarchive at least 3x trafilatura.
2. Real pages of the extraction dev set, read with no profile: the any-site path (metadata,
   markup and, where those leave a field empty, the generic layer, which is trafilatura itself).
   No target beyond "not slower than trafilatura"; the figure says what a generic crawl costs.

Each contender parses every page of a set in a loop for a fixed time, `--rounds` times in
alternating order (so neither always runs on a warm or a cold machine first); medians and
ranges are printed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsarchive.fixtures import find_cases  # noqa: E402
from newsarchive.parsers import parse_page  # noqa: E402
from newsarchive.profiles import find_site  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
DEFAULT_DEVSET = ROOT.parent / "shared" / "bench" / "extraction-devset"


def load_pages():
    pages = []
    for case in find_cases(FIXTURES):
        meta = case.meta()
        profile, site = find_site(case.site) or (None, None)
        content_type = f"text/html; charset={meta.get('charset') or 'utf-8'}"
        pages.append((meta["url"], case.body(), profile, site, content_type))
    return pages


def load_devset_pages(devset: Path):
    """The dev set's saved pages (read at run time, never copied), with no profile."""
    gold = json.loads((devset / "gold.json").read_text(encoding="utf-8"))
    return [(url, gzip.decompress((devset / "pages" / expected["file"]).read_bytes()), None, None, None)
            for url, expected in gold.items()]


def rate(parse_one, pages, seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for page in pages:
            parse_one(page)
        done += len(pages)
    return done / (time.perf_counter() - started)


def newsarchive_parse(page):
    url, body, profile, site, content_type = page
    parse_page(url, body, profile=profile, site=site, content_type=content_type)


def trafilatura_parse(page):
    url, body, *_ = page
    trafilatura.extract(body, url=url)


def compare(label: str, pages, seconds: float, rounds: int, target: str) -> None:
    for contender in (newsarchive_parse, trafilatura_parse):  # warm caches and lazy imports
        for page in pages:
            contender(page)
    rates: dict[str, list[float]] = {"newsarchive": [], "trafilatura": []}
    for round_number in range(rounds):
        order = [("newsarchive", newsarchive_parse), ("trafilatura", trafilatura_parse)]
        for name, contender in order if round_number % 2 == 0 else order[::-1]:
            rates[name].append(rate(contender, pages, seconds))
    ours, theirs = (statistics.median(rates[name]) for name in ("newsarchive", "trafilatura"))
    print(f"{label}: {len(pages)} pages, {rounds} rounds in alternating order")
    for name, key, median in (("newsarchive parse_page", "newsarchive", ours),
                              ("trafilatura.extract", "trafilatura", theirs)):
        values = rates[key]
        print(f"  {name:24s} {median:8.1f} pages/s ({1000 / median:.2f} ms/page; {min(values):.1f}-{max(values):.1f})")
    print(f"  ratio                    {ours / theirs:8.2f}x  ({target})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time per contender and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--devset", type=Path, default=DEFAULT_DEVSET)
    args = parser.parse_args()
    fixtures = load_pages()
    from newsarchive.items import Listing

    listings = sum(isinstance(parse_page(url, body, profile=profile, site=site, content_type=content_type), Listing)
                   for url, body, profile, site, content_type in fixtures)
    compare(f"fixture pages, profiled ({listings} listings among them)", fixtures, args.seconds, args.rounds,
            "target >= 3x")
    if (args.devset / "gold.json").is_file():
        compare("dev-set pages, no profile (the any-site path)", load_devset_pages(args.devset), args.seconds,
                args.rounds, "target >= 1x")
    else:
        print(f"no dev set at {args.devset}: the any-site row is skipped")


if __name__ == "__main__":
    main()
