"""`newsarchive browse` in a browser: a canned query's page lists its rows, a table page's facet
counts and filters, and Arabic cells read right to left while dates and numbers stay left to right."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

# Where a cell's text sits and which way it runs, as laid out: its first and last characters, the
# box of all its text, and the cell's content box (inside border and padding).
_TEXT_GEOMETRY = """cell => {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) if (walker.currentNode.data.trim()) nodes.push(walker.currentNode);
  const first = nodes[0], last = nodes[nodes.length - 1];
  const charLeft = (node, index) => {
    const range = document.createRange();
    range.setStart(node, index);
    range.setEnd(node, index + 1);
    return range.getBoundingClientRect().left;
  };
  const all = document.createRange();
  all.selectNodeContents(cell);
  const text = all.getBoundingClientRect(), box = cell.getBoundingClientRect(), style = getComputedStyle(cell);
  return {firstChar: charLeft(first, first.data.search(/\\S/)), lastChar: charLeft(last, last.data.trimEnd().length - 1),
          textLeft: text.left, textRight: text.right,
          contentLeft: box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
          contentRight: box.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight)};
}"""


def reading_direction(cell) -> str:
    """'rtl' when the text starts at the right (its first character right of its last) and hugs the
    cell's right edge; 'ltr' for the mirror image; otherwise the measures, for the failure message."""
    at = cell.evaluate(_TEXT_GEOMETRY)
    if at["firstChar"] > at["lastChar"] and abs(at["textRight"] - at["contentRight"]) < 1:
        return "rtl"
    if at["firstChar"] < at["lastChar"] and abs(at["textLeft"] - at["contentLeft"]) < 1:
        return "ltr"
    return f"neither: {at}"


def directions(page, selector: str) -> list[str]:
    cells = page.tab.locator(selector)
    return [reading_direction(cells.nth(index)) for index in range(cells.count())]


def test_canned_query_page_lists_an_authors_articles(demo_archive, datasette_url, page, screenshot_dir):
    arabic = demo_archive.articles("ar")
    author, signed = Counter(name for a in arabic for name in a["authors"]).most_common(1)[0]
    assert signed == 3  # the demo site's busiest Arabic author, ليلى حسن with seed 0
    expected = sorted(((a["published_date"], a["title"]) for a in arabic if author in a["authors"]), reverse=True)

    page.tab.goto(f"{datasette_url}/articles_by_author?author={quote(author)}")
    assert page.tab.locator("h1").inner_text() == "An author's articles"
    assert page.tab.get_by_text(f"Custom SQL query returning {signed} rows").is_visible()
    rows = page.tab.locator("table.rows-and-columns tbody tr")
    assert rows.count() == signed
    shown = [(rows.nth(i).locator("td.col-published_at").inner_text(), rows.nth(i).locator("td.col-title").inner_text())
             for i in range(signed)]
    assert sorted(shown, reverse=True) == expected
    assert [day for day, _ in shown] == sorted((day for day, _ in shown), reverse=True)  # newest first
    assert directions(page, "td.col-title") == ["rtl"] * signed
    assert directions(page, "td.col-section") == ["rtl"] * signed  # الأمن, الاقتصاد
    assert directions(page, "td.col-published_at") == ["ltr"] * signed
    page.tab.screenshot(path=screenshot_dir / "browse-canned-query.png", full_page=True)
    assert page.dialogs == []


def test_language_facet_counts_and_filters_and_arabic_reads_right_to_left(demo_archive, datasette_url, page,
                                                                          screenshot_dir):
    english, arabic = demo_archive.articles("en_GB"), demo_archive.articles("ar")
    assert (len(english), len(arabic)) == (30, 10)

    page.tab.goto(f"{datasette_url}/article_overview")
    facet = page.tab.locator("#facet-language")
    assert facet.is_visible()
    assert facet.locator("li").all_inner_texts() == ["en 30", "ar 10"]
    facet.get_by_role("link", name="ar", exact=True).click()
    page.tab.wait_for_url(lambda url: url.endswith("/article_overview?language=ar"))
    assert page.tab.get_by_text('10 rows where language = "ar"').is_visible()
    assert page.tab.locator("td.col-language").all_inner_texts() == ["ar"] * 10
    assert sorted(page.tab.locator("td.col-title").all_inner_texts()) == sorted(a["title"] for a in arabic)

    assert directions(page, "td.col-title") == ["rtl"] * 10
    assert directions(page, "td.col-published_at") == ["ltr"] * 10
    assert directions(page, "td.col-site") == ["ltr"] * 10
    page.tab.locator("table.rows-and-columns").scroll_into_view_if_needed()
    page.tab.screenshot(path=screenshot_dir / "browse-arabic-rows.png")
