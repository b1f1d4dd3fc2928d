"""Folders a crawl's process owns (newsarchive/scratch.py): named by its process id, deleted by a
later crawl once that process is gone, and the temporary folder handed to the processes it starts."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from newsarchive.scratch import delete_stale_folders, own_folder, running, temporary_folder_of_children


def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_folder_of_its_own_is_named_by_the_process(tmp_path):
    first, second = own_folder(tmp_path, "x-"), own_folder(tmp_path, "x-")
    assert first != second and first.is_dir() and second.is_dir()
    assert first.name.startswith(f"x-{os.getpid()}-")
    assert delete_stale_folders(tmp_path, "x-") == []  # this process runs


@pytest.mark.parametrize("prefix", ["archive.db.queue-", "a[1]*?.db.queue-"])
def test_only_the_folders_of_processes_that_are_gone_are_deleted_whatever_the_prefix(tmp_path, prefix):
    dead = dead_pid()
    gone = tmp_path / f"{prefix}{dead}-k2x_9q0z"
    running_one = tmp_path / f"{prefix}1-a8b7c6d5"  # init's number: a process that runs
    # Not names own_folder makes: a user's folders that start the same way.
    unlike = [tmp_path / f"{prefix}{name}" for name in ("notes", f"{dead}", f"{dead}-notes", f"{dead}-k2x_9q0z.old",
                                                         f"{dead}-K2X_9Q0Z", f"{dead}-k2x9q0z")]
    for folder in (gone, running_one, *unlike):
        folder.mkdir()
    (gone / "requests").write_text("pending")
    assert delete_stale_folders(tmp_path, prefix) == [gone]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([running_one.name, *(f.name for f in unlike)])


def test_a_link_named_like_a_stale_folder_is_not_followed(tmp_path):
    target = tmp_path / "kept"
    target.mkdir()
    (target / "file").write_text("mine")
    link = tmp_path / f"browser-{dead_pid()}-abc123de"
    link.symlink_to(target)
    assert delete_stale_folders(tmp_path, "browser-") == []
    assert (target / "file").read_text() == "mine" and link.is_symlink()


def test_a_process_of_another_user_or_no_process_number_counts_as_running():
    assert running(os.getpid()) and running(1)
    assert not running(dead_pid())
    assert running(2**70)  # OverflowError: no such process can be told gone


@pytest.mark.parametrize("before", [None, "/somewhere/else"])
def test_the_processes_started_within_get_the_folder_and_this_one_keeps_its_own(tmp_path, monkeypatch, before):
    if before is None:
        monkeypatch.delenv("TMPDIR", raising=False)
    else:
        monkeypatch.setenv("TMPDIR", before)
    own = tempfile.gettempdir()
    child = [sys.executable, "-c", "import tempfile; print(tempfile.gettempdir())"]
    with temporary_folder_of_children(tmp_path):
        assert subprocess.run(child, capture_output=True, text=True).stdout.strip() == str(tmp_path)
        assert tempfile.gettempdir() == own
    assert os.environ.get("TMPDIR") == before


def test_this_process_keeps_its_own_folder_even_when_it_had_not_looked_for_it_yet(tmp_path):
    # In a fresh process Python has not read TMPDIR yet: read within, it would take the children's.
    code = ("import sys, tempfile; from pathlib import Path; from newsarchive.scratch import temporary_folder_of_children\n"
            "with temporary_folder_of_children(Path(sys.argv[1])):\n    print(tempfile.gettempdir())")
    shown = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True,
                           env={**os.environ, "TMPDIR": str(tmp_path.parent)})
    assert shown.stdout.strip() == str(tmp_path.parent)


def test_the_folder_is_given_back_after_an_error(tmp_path, monkeypatch):
    monkeypatch.delenv("TMPDIR", raising=False)
    with pytest.raises(RuntimeError), temporary_folder_of_children(tmp_path):
        raise RuntimeError("a driver that did not start")
    assert "TMPDIR" not in os.environ
