"""`newsarchive profile check`: each selector against a page, what the fallbacks found instead, and
the one-line profile change that makes the selector match again."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from newsarchive.cli import cli
from newsarchive.profiles import BUNDLED

FIXTURES = Path(__file__).parent / "fixtures"
COMMENTS_PAGE = FIXTURES / "diyaruna" / "comments-in-ul" / "page.html"
COMMENTS_URL = "https://diyaruna.com/en_GB/articles/cnmi_di/features/2022/10/14/feature-01"


def check(*args: str):
    return CliRunner().invoke(cli, ["profile", "check", *args])


def line_of(output: str, name: str) -> list[str]:
    lines = output.splitlines()
    index = next(n for n, line in enumerate(lines) if line[5:].startswith(name + " "))
    return lines[index:index + 2]


def test_a_guessed_selector_that_misses_is_named_with_what_was_found_instead():
    result = check(str(COMMENTS_PAGE), "--url", COMMENTS_URL)
    assert result.exit_code == 0, result.output
    comments, hint = line_of(result.output, "comments")
    assert comments.startswith("MISS comments ") and "guessed" in comments
    assert "ol.comments__list li.comment  -> comments from markup (2: Finally." in comments
    assert hint.strip() == ('found by the markup layer in ul.comments__list li.comment: '
                            'try comments = "ul.comments__list li.comment"')
    title = line_of(result.output, "title")[0]
    assert title.startswith("ok   title ") and "confirmed" in title and "-> title from profile" in title


def test_the_suggested_one_line_change_makes_the_selector_match(tmp_path):
    profile = tmp_path / "diyaruna-fixed.toml"
    text = BUNDLED.joinpath("diyaruna.toml").read_text(encoding="utf-8")
    old = 'comments = "ol.comments__list li.comment"'
    assert text.count(old) == 1
    profile.write_text(text.replace(old, 'comments = "ul.comments__list li.comment"'), encoding="utf-8")
    result = check(str(COMMENTS_PAGE), "--url", COMMENTS_URL, "--profile", str(profile))
    assert result.exit_code == 0, result.output
    comments = line_of(result.output, "comments")[0]
    assert comments.startswith("ok   comments ") and "-> comments from profile (2:" in comments


def test_bad_input_gets_one_line():
    result = check(str(COMMENTS_PAGE))
    assert result.exit_code == 2 and "give the page's --url" in result.output
    result = check(str(COMMENTS_PAGE), "--url", "https://unknown.example/a")
    assert result.exit_code == 2 and "no site profile knows https://unknown.example/a" in result.output
    result = check("no-such-file.html", "--url", COMMENTS_URL)
    assert result.exit_code == 2 and "is not a file or a URL" in result.output


def test_a_profile_file_that_cannot_work_is_one_line_naming_it_and_what_is_wrong(tmp_path):
    # TOMLDecodeError, SelectorSyntaxError, TypeError and KeyError('urls'), naming neither file nor selector.
    bundled = (BUNDLED / "diyaruna.toml").read_text(encoding="utf-8")
    cases = {
        "bad.toml": ("name = [", "is not TOML: "),
        "selector.toml": (bundled.replace('title = "h1.article__title"', 'title = "h1[[[bad"'),
                          "selectors.article.title = 'h1[[[bad' is no CSS selector ("),
        "number.toml": (bundled.replace('title = "h1.article__title"', "title = 5"),
                        "selectors.article.title must be text, not 5"),
        "empty.toml": ("", "no 'urls' in it"),
        # A name no parser reads was accepted, and the field came from another layer, or none.
        "unknown-name.toml": (bundled.replace('byline = "p.article__byline"', 'author = "p.article__byline"'),
                              "selectors.article.author is no selector the parsers read (did you mean authors?)"),
        "listing-name.toml": (bundled.replace('pager = "div.pagination"', 'pagination = "div.pagination"'),
                              "selectors.listing.pagination is no selector the parsers read (they read: item,"),
        "confirmed-name.toml": (bundled.replace('"pager", "section_links"]', '"pager", "pages"]'),
                                "selectors.confirmed.listing names no selector the parsers read: pages"),
        # One text where a list is wanted was split into characters: hosts n, e, w ...; a crawl of /n, /e.
        "hosts.toml": (bundled.replace('hosts = ["diyaruna.com", "www.diyaruna.com"]', 'hosts = "diyaruna.com"'),
                       "sites.hosts must be a list of texts (as sites.hosts = [\"...\"]), not 'diyaruna.com'"),
        "locales.toml": (bundled.replace('locales = ["en_GB", "ar", "ru"]', 'locales = "ar"'),
                         "locales must be a list of texts"),
        # Messages that named neither the file nor the key (a TypeError, a ValueError), or a key not in it.
        "sites-table.toml": ("".join(part + (f"[sites.s{n}]" if n < bundled.count("[[sites]]") else "")
                                     for n, part in enumerate(bundled.split("[[sites]]"))),
                             "sites must be an array of tables ([[sites]] with name, code, hosts)"),
        "article-list.toml": (bundled.split("[selectors.article]")[0] + '[selectors]\narticle = ["h1", "ab"]\n'
                              'listing = {item = "div"}\n',
                              "selectors.article must be a table of selectors ([selectors.article] with name = "),
        "confirmed.toml": (bundled.replace('listing = ["item", "item_link", "item_title", "item_section", "pager", '
                                           '"section_links"]', 'listing = "item"'),
                           "selectors.confirmed.listing must be a list of texts"),
    }
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(bundled.replace('title = "h1.article__title"', 'title = "h1.überschrift"').encode("latin-1"))
    cases["latin1.toml"] = (None, "is not UTF-8 text (TOML files are): invalid")
    for name, (text, says) in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
        result = check(str(COMMENTS_PAGE), "--url", COMMENTS_URL, "--profile", str(path))
        assert result.exit_code == 1, (name, result.output)
        assert result.output.strip().splitlines()[-1].startswith(f"Error: profile {path}") and says in result.output, (
            name, result.output)


def test_a_selector_with_contains_is_read(tmp_path):
    # lxml's translation of :contains() stopped evaluating once trafilatura was loaded:
    # "XPathFunctionError: XPath function '{}lower-case' not found", naming neither profile nor selector.
    bundled = (BUNDLED / "diyaruna.toml").read_text(encoding="utf-8")
    path = tmp_path / "contains.toml"
    path.write_text(bundled.replace('date = "p.article__date"', "date = \"p:contains('2022')\""), encoding="utf-8")
    import trafilatura  # noqa: F401 (as in a crawl: loaded before the first page)
    result = check(str(COMMENTS_PAGE), "--url", COMMENTS_URL, "--profile", str(path))
    assert result.exit_code == 0, result.output
    assert line_of(result.output, "date")[0].startswith("ok   date ") and "published_at from profile" in result.output


def test_a_site_no_profile_has_is_said_so():
    result = check(str(COMMENTS_PAGE), "--url", COMMENTS_URL, "--site", "nosuch")
    assert result.exit_code == 2 and "no site profile has a site named 'nosuch'" in result.output


def test_a_selector_that_matches_but_leaves_text_out_is_marked_with_what_it_left(tmp_path):
    page = COMMENTS_PAGE.read_text(encoding="utf-8")
    start = page.index("<div class=\"article__content\">") + len("<div class=\"article__content\">")
    drifted = tmp_path / "page.html"
    drifted.write_text(page[:start] + "<div class='para'>A paragraph written as a div by the site's new editor.</div>"
                       + page[start:], encoding="utf-8")
    result = check(str(drifted), "--url", COMMENTS_URL)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith("selectors match, 1 leaves some of the page out")
    blocks, note = line_of(result.output, "body_blocks")
    assert blocks.startswith("LEFT body_blocks ")
    assert note.strip() == ("the body_blocks selector (p, h2, h3, h4) left 1 block(s) of the body element out "
                            "(first: \"A paragraph written as a div by the site's new editor.\"): the element was read whole")
    assert line_of(result.output, "body")[0].startswith("ok   body ")


def test_a_selector_read_inside_another_is_counted_there_and_never_told_to_be_the_container(tmp_path):
    # comment_author counted over the page matched the author names of the page's comments while
    # the parser, inside each item its comments selector gives, read none; and a missed one was told
    # to be "ul.comments__list li.comment", the comment item itself.
    bundled = (BUNDLED / "diyaruna.toml").read_text(encoding="utf-8")
    profile = tmp_path / "items.toml"
    profile.write_text(bundled.replace('comments = "ol.comments__list li.comment"', 'comments = "ul.comments__list li.comment"')
                       .replace('comment_author = ".comment__author"', 'comment_author = "h1"'), encoding="utf-8")
    result = check(str(COMMENTS_PAGE), "--url", COMMENTS_URL, "--profile", str(profile))
    assert result.exit_code == 0, result.output
    author, hint = line_of(result.output, "comment_author")
    assert author.startswith("MISS comment_author ") and "  0  h1  " in author  # the headline: outside every comment
    assert "try comment_author" not in result.output and "try comments" not in result.output
    assert line_of(result.output, "comments")[0].startswith("ok   comments ")
    assert all(len(line) < 200 for line in result.output.splitlines())  # one line each, a comment's too
