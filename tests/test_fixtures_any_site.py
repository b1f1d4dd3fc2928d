"""Fixture cases of sites no profile knows (`fixtures record --any-site`): read with the any-site
layers when recorded and when checked, whatever the name of their site folder."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.cli import cli
from newsarchive.parsers import parse_page

FIXTURES = Path(__file__).parent / "fixtures"
URL = "https://news.example.org/2024/05/01/river-road-closed"
# A story page of a site no profile knows, written for these tests.
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>River road closed after flood | Example News</title>
<meta property="og:title" content="River road closed after flood">
<meta property="article:published_time" content="2024-05-01T09:30:00+00:00"></head>
<body><header><nav><a href="/">Home</a> <a href="/news/">News</a></nav></header>
<article><h1>River road closed after flood</h1>
<p class="byline">By <a rel="author" href="/authors/ann-lee">Ann Lee</a></p>
<div class="story-body">
<p>The river rose past the old stone bridge on Monday night, and by morning the road along its bank was under water.</p>
<p>The council closed the road until engineers have checked the bridge, which was built in 1887 and last repaired in 1990.</p>
<p>Residents of the low streets were told to move their cars to higher ground before the next high tide on Tuesday.</p>
</div></article><footer>Example News</footer></body></html>"""


def record(tmp_path, page_text=PAGE, *options):
    page = tmp_path / "saved.html"
    page.write_text(page_text, encoding="utf-8")
    return CliRunner().invoke(cli, ["fixtures", "record", str(page), "--name", "flood", "--url", URL,
                                    "--dir", str(tmp_path / "cases"), *options])


def check(tmp_path):
    return CliRunner().invoke(cli, ["fixtures", "check", "--dir", str(tmp_path / "cases")])


def test_an_any_site_case_is_named_after_the_pages_host_and_holds_the_any_site_parse(tmp_path):
    result = record(tmp_path, PAGE, "--any-site")

    assert result.exit_code == 0, result.output
    folder = tmp_path / "cases" / "news.example.org" / "flood"
    assert json.loads((folder / "case.json").read_text(encoding="utf-8"))["any_site"] is True
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    # Read off the page above by hand.
    assert expected["title"] == "River road closed after flood"
    assert [author["name"] for author in expected["authors"]] == ["Ann Lee"]
    assert expected["published_at"] == "2024-05-01T09:30:00Z"
    assert expected["body_text"].split("\n\n") == [
        "The river rose past the old stone bridge on Monday night, and by morning the road along its bank was under water.",
        "The council closed the road until engineers have checked the bridge, which was built in 1887 and last "
        "repaired in 1990.",
        "Residents of the low streets were told to move their cars to higher ground before the next high tide on Tuesday."]
    checked = check(tmp_path)
    assert checked.exit_code == 0, checked.output
    assert "ok   news.example.org/flood" in checked.output


def test_a_changed_page_fails_its_any_site_check_with_the_field_that_changed(tmp_path):
    assert record(tmp_path, PAGE, "--any-site").exit_code == 0
    page = tmp_path / "cases" / "news.example.org" / "flood" / "page.html"
    page.write_text(PAGE.replace("By <a", 'By <a rel="author" href="/authors/bob-stone">Bob Stone</a> and <a'),
                    encoding="utf-8")

    result = check(tmp_path)

    assert result.exit_code == 1
    assert "FAIL news.example.org/flood" in result.output and "authors" in result.output


def test_an_any_site_case_of_a_profiled_sites_page_is_read_with_no_profile(tmp_path):
    # The folder and the URL both name Diyaruna: the case says any_site, so no profile reads it.
    page = FIXTURES / "diyaruna" / "sample-article-en" / "page.html"
    url = "https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03"
    result = CliRunner().invoke(cli, ["fixtures", "record", str(page), "--any-site", "--site", "diyaruna",
                                      "--name", "generic", "--url", url, "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output

    expected = json.loads((tmp_path / "diyaruna" / "generic" / "expected.json").read_text(encoding="utf-8"))

    with_none = json.loads(json.dumps(parse_page(url, page.read_bytes(), find_profile=False).to_dict(),
                                      ensure_ascii=False))
    assert expected == with_none
    assert "profile" not in expected["sources"].values()
    profiled = json.loads((FIXTURES / "diyaruna" / "sample-article-en" / "expected.json").read_text(encoding="utf-8"))
    assert "profile" in profiled["sources"].values()  # what the same page's profiled case holds
    assert CliRunner().invoke(cli, ["fixtures", "check", "--dir", str(tmp_path)]).exit_code == 0


@pytest.mark.parametrize("options, message", [
    (["--any-site", "--profile", __file__], "Error: give --profile (read with that profile) or --any-site "
                                            "(read with none), not both"),
    ([], "Error: Invalid value for --site: give the site's name (or --any-site for a site no profile knows)"),
    (["--site", "examplenews"], "Error: Invalid value for --site: no site profile has a site named 'examplenews'; "
                                "known: diyaruna, almashareq, caravanserai, salaamtimes (or give --any-site to read "
                                "the page with no profile)"),
])
def test_record_says_in_one_line_how_to_name_the_site(tmp_path, options, message):
    result = record(tmp_path, PAGE, *options)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == message
    assert not (tmp_path / "cases").exists()


def test_a_saved_file_without_its_url_is_asked_for_it_before_its_host_is(tmp_path):
    page = tmp_path / "saved.html"
    page.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["fixtures", "record", str(page), "--any-site", "--name", "flood",
                                      "--dir", str(tmp_path / "cases")])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: Invalid value for --url: give the page's --url when SOURCE "
                                              "is a saved file")


def test_a_case_whose_any_site_mark_is_not_true_or_false_fails_naming_it(tmp_path):
    assert record(tmp_path, PAGE, "--any-site").exit_code == 0
    case_file = tmp_path / "cases" / "news.example.org" / "flood" / "case.json"
    meta = json.loads(case_file.read_text(encoding="utf-8"))
    case_file.write_text(json.dumps(meta | {"any_site": "yes"}), encoding="utf-8")

    result = check(tmp_path)

    assert result.exit_code == 1
    assert f"FAIL news.example.org/flood: {case_file}: \"any_site\" is true or false, not 'yes'" in result.output


def test_extract_any_site_reads_a_profiled_sites_page_with_no_profile(tmp_path):
    page = FIXTURES / "diyaruna" / "sample-article-en" / "page.html"
    url = "https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03"
    profiled = json.loads(CliRunner().invoke(cli, ["extract", str(page), "--url", url]).output)
    generic = json.loads(CliRunner().invoke(cli, ["extract", str(page), "--url", url, "--any-site"]).output)

    assert "profile" in profiled["sources"].values()
    assert "profile" not in generic["sources"].values()
    assert generic == json.loads(json.dumps(parse_page(url, page.read_bytes(), find_profile=False).to_dict()))
    refused = CliRunner().invoke(cli, ["extract", str(page), "--url", url, "--any-site", "--site", "diyaruna"])
    assert refused.exit_code == 2
    assert refused.output.splitlines()[-1] == ("Error: --any-site reads the page with no profile: give it without "
                                               "--site or --profile")


def test_record_of_a_special_file_says_so_in_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["fixtures", "record", "/dev/null", "--any-site", "--name", "x",
                                      "--url", URL, "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: Invalid value for SOURCE: /dev/null is not a file or a URL")
