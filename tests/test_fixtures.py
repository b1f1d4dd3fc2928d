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
