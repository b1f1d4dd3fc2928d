"""What the mutation run found untested of check_crawls_named (commands/exporting.py): an archive
with no crawl at all, asked for a crawl by `export warc --crawl` or `report --crawl`, says it has
none (exit 2, one line), not "its crawls are None to None"."""

from __future__ import annotations

from newsarchive.archive import open_archive
from tests.test_bad_input_commands import one_line_error, run


def test_a_crawl_named_of_an_archive_without_crawls_says_it_has_none(tmp_path):
    db_path = tmp_path / "empty.db"
    open_archive(db_path).close()
    for command in (("export", "warc", "--out", str(tmp_path / "a.warc.gz")), ("report",)):
        line = one_line_error(run(*command, "--db", str(db_path), "--crawl", "3"), 2, "no crawl 3")
        assert line == f"Error: Invalid value for '--crawl': no crawl 3 in {db_path} (it has no crawls)"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("empty.db")) == []
