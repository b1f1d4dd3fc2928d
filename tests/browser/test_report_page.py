"""`newsarchive report --html` in a browser: the chart draws one bar per publication day, to scale,
and a coverage drop shows as a warning box at the top while page text stays inert text."""

from __future__ import annotations

from collections import Counter

from tests.conftest import run_cli
from tests.test_report import HOSTILE, hostile_archive

CHART_HEIGHT = 120  # report._bar_chart: a 140 px svg, 20 px of it for the date labels


def test_chart_has_one_bar_per_publication_day_to_scale(demo_archive, page, tmp_path, screenshot_dir):
    out = tmp_path / "report.html"
    result = run_cli("report", "--db", str(demo_archive.db_path), "--html", str(out))
    assert result.returncode == 0, result.stderr  # a first crawl: nothing to compare, no warning
    per_day = sorted(Counter(a["published_date"] for a in demo_archive.articles()).items())
    peak = max(count for _, count in per_day)
    assert (len(per_day), peak) == (27, 2)  # 40 articles, about three every two days

    page.tab.goto(out.as_uri())
    chart = page.tab.locator("svg[aria-label='new articles per publication day']")
    assert chart.is_visible()
    bars = chart.locator("rect")
    assert bars.count() == len(per_day)
    chart_box = chart.bounding_box()
    for index, (day, count) in enumerate(per_day):
        bar = bars.nth(index)
        assert bar.locator("title").text_content() == f"{day}: {count}"
        box = bar.bounding_box()
        assert abs(box["height"] - CHART_HEIGHT * count / peak) < 0.2, (day, box)
        assert abs(box["y"] + box["height"] - (chart_box["y"] + CHART_HEIGHT)) < 0.2  # bars stand on one line
    assert chart.locator("text").all_text_contents() == [per_day[0][0], per_day[-1][0], f"max {peak}/day"]
    assert page.tab.locator(".warning").count() == 0
    page.tab.screenshot(path=screenshot_dir / "report-chart.png", full_page=True)


def test_coverage_drop_shows_a_warning_box_and_page_text_stays_text(page, tmp_path, screenshot_dir):
    db_path, out = tmp_path / "evil.db", tmp_path / "evil.html"
    hostile_archive(db_path)  # bylines on every article in crawl 1, on none in crawl 2; markup in every title
    result = run_cli("report", "--db", str(db_path), "--html", str(out))
    assert result.returncode == 3, result.stderr

    page.tab.goto(out.as_uri())
    warning = page.tab.locator("div.warning")
    assert warning.count() == 1 and warning.is_visible()
    assert warning.inner_text() == "byline coverage fell from 100% to 0% since crawl 1: the site may have changed its layout"
    # Above everything else, in the first screenful.
    assert warning.bounding_box()["y"] < page.tab.locator("table").first.bounding_box()["y"] < 900
    assert warning.evaluate("box => getComputedStyle(box).borderTopColor") == "rgb(204, 0, 0)"
    # The titles' <script> and <img onerror> are shown, not run: ten changed articles, no dialog.
    changed = page.tab.locator("h2:text-is('Articles changed in this crawl') + table td:first-child a")
    assert changed.all_inner_texts() == [f"{HOSTILE} {n} 2" for n in range(10)]
    assert page.dialogs == []
    page.tab.screenshot(path=screenshot_dir / "report-warning.png")
