"""The saved fixture pages against their expected records: one test per case and field.

The same check an archivist runs with `newsarchive fixtures check`.
"""

import json
import shutil
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.cli import cli
from newsarchive.fixtures import diff_records, find_cases

FIXTURES = Path(__file__).parent / "fixtures"
CASES = find_cases(FIXTURES)


@cache
def parsed(label: str) -> dict:
    return next(case for case in CASES if case.label == label).parse()


def case_fields():
    for case in CASES:
        for field in case.expected():
            yield pytest.param(case, field, id=f"{case.label}:{field}")


def test_fixture_cases_exist():
    assert len(CASES) >= 10


@pytest.mark.parametrize("case, field", list(case_fields()))
def test_field_matches_expected(case, field):
    expected = case.expected()[field]
    got = parsed(case.label).get(field)
    assert got == expected, "\n".join(d.describe() for d in diff_records(expected, got, field))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.label)
def test_no_unexpected_fields(case):
    assert set(parsed(case.label)) <= set(case.expected())


def test_fixtures_check_command_passes_on_saved_cases():
    result = CliRunner().invoke(cli, ["fixtures", "check", "--dir", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    assert f"{len(CASES)} passed, 0 failed" in result.output


def test_fixtures_check_shows_a_field_diff_when_expected_is_edited(tmp_path):
    shutil.copytree(FIXTURES / "diyaruna" / "sample-article-en", tmp_path / "diyaruna" / "sample-article-en")
    expected_file = tmp_path / "diyaruna" / "sample-article-en" / "expected.json"
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    expected["title"] = "An edited title"
    expected["photos"][0]["credit"] = "Someone else"
    expected_file.write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")

    result = CliRunner().invoke(cli, ["fixtures", "check", "diyaruna", "--dir", str(tmp_path)])

    assert result.exit_code == 1
    assert "FAIL diyaruna/sample-article-en: 2 difference(s)" in result.output
    assert '  title\n    expected: "An edited title"\n    got:      "Iraqi forces, Peshmerga increase co-operation against ISIS"' in result.output
    assert '  photos[0].credit\n    expected: "Someone else"\n    got:      "Kurdish Peshmerga Ministry"' in result.output
    assert "0 passed, 1 failed" in result.output


def test_fixtures_record_writes_a_case_that_then_checks_clean(tmp_path):
    page = FIXTURES / "diyaruna" / "sample-article-en" / "page.html"
    url = "https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03"
    runner = CliRunner()
    recorded = runner.invoke(cli, ["fixtures", "record", str(page), "--site", "diyaruna", "--name", "copy",
                                   "--url", url, "--charset", "utf-8", "--dir", str(tmp_path)])
    assert recorded.exit_code == 0, recorded.output
    saved = json.loads((tmp_path / "diyaruna" / "copy" / "expected.json").read_text(encoding="utf-8"))
    assert saved["title"] == "Iraqi forces, Peshmerga increase co-operation against ISIS"
    checked = runner.invoke(cli, ["fixtures", "check", "--dir", str(tmp_path)])
    assert checked.exit_code == 0 and "1 passed, 0 failed" in checked.output


def test_extract_prints_the_record_with_sources(tmp_path):
    page = FIXTURES / "diyaruna" / "sample-article-en" / "page.html"
    url = "https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03"
    result = CliRunner().invoke(cli, ["extract", str(page), "--url", url])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["authors"][0]["name"] == "Khalid al-Taie"
    assert record["sources"]["title"] == "profile"


def test_extract_reports_a_non_html_file_clearly(tmp_path):
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    result = CliRunner().invoke(cli, ["extract", str(binary), "--url", "https://diyaruna.com/x.jpg"])
    assert result.exit_code == 1
    assert "Error: https://diyaruna.com/x.jpg: the body is not HTML" in result.output


def record(tmp_path, *extra, site="diyaruna", name="copy"):
    page = FIXTURES / "diyaruna" / "sample-article-en" / "page.html"
    url = "https://diyaruna.com/en_GB/articles/cnmi_di/features/2019/02/26/feature-03"
    return CliRunner().invoke(cli, ["fixtures", "record", str(page), "--site", site, "--name", name,
                                    "--url", url, "--dir", str(tmp_path), *extra])


def test_fixtures_record_keeps_an_existing_case_without_force(tmp_path):
    assert record(tmp_path).exit_code == 0
    case_file = tmp_path / "diyaruna" / "copy" / "case.json"
    meta = json.loads(case_file.read_text(encoding="utf-8"))
    case_file.write_text(json.dumps(meta | {"checked_by_hand": True}), encoding="utf-8")  # someone checked it

    refused = record(tmp_path)

    assert refused.exit_code == 2
    assert refused.output.splitlines()[-1] == (
        f"Error: fixture case diyaruna/copy already exists in {tmp_path / 'diyaruna' / 'copy'}: "
        "give --force to replace it")
    assert json.loads(case_file.read_text(encoding="utf-8"))["checked_by_hand"] is True
    replaced = record(tmp_path, "--force")
    assert replaced.exit_code == 0, replaced.output
    assert json.loads(case_file.read_text(encoding="utf-8"))["checked_by_hand"] is False


@pytest.mark.parametrize("site, name, message", [
    ("diyarun", "copy", "Error: Invalid value for --site: no site profile has a site named 'diyarun' "
                        "(did you mean diyaruna?); known: diyaruna, almashareq, caravanserai, salaamtimes "
                        "(or give --any-site to read the page with no profile)"),
    ("bbc", "copy", "Error: Invalid value for --site: no site profile has a site named 'bbc'; "
                    "known: diyaruna, almashareq, caravanserai, salaamtimes (or give --any-site to read "
                    "the page with no profile)"),
    ("diyaruna", "../escape", "Error: Invalid value for --name: case name '../escape' must be a plain folder "
                              "name, e.g. windows-1256-charset"),
])
def test_fixtures_record_refuses_an_unknown_site_or_a_path_as_name(tmp_path, site, name, message):
    result = record(tmp_path, site=site, name=name)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == message
    assert list(tmp_path.iterdir()) == []


def test_fixtures_record_of_a_missing_file_is_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["fixtures", "record", str(tmp_path / "gone.html"), "--site", "diyaruna",
                                      "--name", "x", "--url", "https://diyaruna.com/x", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: Invalid value for SOURCE: {tmp_path / 'gone.html'} is not a file or a URL"


def test_sites_lists_every_profiled_site_in_aligned_columns():
    result = CliRunner().invoke(cli, ["sites"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "site          profile          code     hosts                               locales",
        "------------  ---------------  -------  ----------------------------------  ---------",
        "diyaruna      diyaruna-family  cnmi_di  diyaruna.com, www.diyaruna.com      en_GB, ar",
        "almashareq    diyaruna-family  cnmi_am  almashareq.com, www.almashareq.com  en_GB, ar",
        "caravanserai  diyaruna-family  cnmi_ca  central.asia-news.com               en_GB, ru",
        "salaamtimes   diyaruna-family  cnmi_pf  pakistan.asia-news.com              en_GB",
    ]
    listed = json.loads(CliRunner().invoke(cli, ["sites", "--json"]).output)
    assert listed[2] == {"site": "caravanserai", "profile": "diyaruna-family", "code": "cnmi_ca",
                         "hosts": ["central.asia-news.com"], "locales": ["en_GB", "ru"]}
    assert [site["site"] for site in listed] == ["diyaruna", "almashareq", "caravanserai", "salaamtimes"]


@pytest.mark.parametrize("file, text, says", [
    ("case.json", "{bad json", "case.json cannot be read: Expecting property name"),
    ("case.json", "[]", "case.json holds list, not a JSON object"),
    ("case.json", "{}", 'case.json names no page URL ("url")'),
    ("expected.json", "", "expected.json cannot be read: Expecting value"),
])
def test_a_case_whose_files_cannot_be_read_fails_naming_the_file_and_the_others_are_checked(tmp_path, file, text, says):
    # The run stopped at it with "JSONDecodeError", "AttributeError: 'list' object has no attribute
    # 'get'" or "KeyError: 'url'", naming no file, and the cases after it were never checked.
    for name in ("sample-article-en", "arabic-article"):
        shutil.copytree(FIXTURES / "diyaruna" / name, tmp_path / "diyaruna" / name)
    broken = tmp_path / "diyaruna" / "arabic-article" / file
    broken.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["fixtures", "check", "diyaruna", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"FAIL diyaruna/arabic-article: {broken.parent / file}" in result.output and says in result.output
    assert "ok   diyaruna/sample-article-en" in result.output
    assert "1 passed, 1 failed" in result.output


def test_a_case_whose_page_is_missing_fails_naming_it_and_the_others_are_checked(tmp_path):
    # A page.html not committed (or an LFS pointer's file not fetched) stopped the run with one
    # "Error: cannot use .../page.html" line: no case reported, no count.
    for name in ("sample-article-en", "arabic-article"):
        shutil.copytree(FIXTURES / "diyaruna" / name, tmp_path / "diyaruna" / name)
    page = tmp_path / "diyaruna" / "arabic-article" / "page.html"
    page.unlink()
    result = CliRunner().invoke(cli, ["fixtures", "check", "diyaruna", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"FAIL diyaruna/arabic-article: {page} cannot be read: No such file or directory" in result.output
    assert "ok   diyaruna/sample-article-en" in result.output and "1 passed, 1 failed" in result.output


def test_a_value_of_another_json_type_is_a_difference(tmp_path):
    # true and 1, 0 and 0.0 are equal in Python: a parser change from a boolean to a number (which
    # JSON readers tell apart) passed the check.
    shutil.copytree(FIXTURES / "diyaruna" / "sample-article-en", tmp_path / "diyaruna" / "sample-article-en")
    expected = tmp_path / "diyaruna" / "sample-article-en" / "expected.json"
    record = json.loads(expected.read_text(encoding="utf-8"))
    assert record["comments_complete"] is True and record["comments"][0]["depth"] == 0
    record["comments_complete"], record["comments"][0]["depth"] = 1, 0.0
    expected.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["fixtures", "check", "diyaruna", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "FAIL diyaruna/sample-article-en: 2 difference(s)" in result.output
    assert "comments_complete" in result.output and "comments[0].depth" in result.output
