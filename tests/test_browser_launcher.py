"""The launcher script Chromium is started through (newsarchive/browser_launcher.py), run for real by
/bin/sh in front of a stand-in browser that prints the arguments it was given. The real browser's
reading of the merged list is checked in tests/browser/test_rendering_settings.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from newsarchive import browser_launcher
from newsarchive.browser_launcher import launcher_for


def stand_in_browser(folder: Path, name: str = "chromium") -> Path:
    """An executable that prints each argument it gets on a line of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text('#!/bin/sh\nfor arg do printf "%s\\n" "$arg"; done\n')
    path.chmod(0o755)
    return path


def run(launcher: str, *args: str) -> list[str]:
    return subprocess.run([launcher, *args], capture_output=True, text=True, check=True).stdout.splitlines()


def test_every_disable_features_list_is_merged_into_one_after_its_own(tmp_path):
    launcher = launcher_for(str(stand_in_browser(tmp_path / "bin")), tmp_path / "cache")
    assert run(launcher, "--headless", "--disable-features=HttpsUpgrades,PaintHolding", "--user-agent=Archive bot 1.0",
               "--disable-features=Translate", "--enable-features=A", "about:blank") == [
        "--disable-features=RenderDocument,LocalNetworkAccessChecks,HttpsUpgrades,PaintHolding,Translate",
        "--headless", "--user-agent=Archive bot 1.0", "--enable-features=A", "about:blank"]


def test_without_a_list_of_its_callers_its_own_features_are_still_off(tmp_path):
    launcher = launcher_for(str(stand_in_browser(tmp_path / "bin")), tmp_path / "cache")
    assert run(launcher, "--headless", "--a=b c", "") == ["--disable-features=RenderDocument,LocalNetworkAccessChecks", "--headless", "--a=b c", ""]


def test_a_browser_whose_path_the_shell_would_split_or_expand_is_run(tmp_path):
    browser = stand_in_browser(tmp_path / "it's a $HOME dir", "chromium `x`")
    assert run(launcher_for(str(browser), tmp_path / "cache"), "--headless") == [
        "--disable-features=RenderDocument,LocalNetworkAccessChecks", "--headless"]


def test_the_launcher_is_written_once_and_rewritten_when_it_was_changed(tmp_path):
    browser, cache = str(stand_in_browser(tmp_path / "bin")), tmp_path / "cache"
    first = Path(launcher_for(browser, cache))
    assert first.parent == cache and first.stat().st_mode & 0o777 == 0o755
    written = first.stat().st_mtime_ns
    assert launcher_for(browser, cache) == str(first) and first.stat().st_mtime_ns == written
    first.write_text("#!/bin/sh\nexit 3\n")
    assert launcher_for(browser, cache) == str(first)
    assert run(str(first), "--x") == ["--disable-features=RenderDocument,LocalNetworkAccessChecks", "--x"]
    assert [path.name for path in cache.iterdir()] == [first.name]  # no half-written file left beside it


def test_each_browser_and_each_feature_list_has_its_own_launcher(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    one, other = (launcher_for(str(stand_in_browser(tmp_path / name)), cache) for name in ("one", "other"))
    monkeypatch.setattr(browser_launcher, "DISABLED_FEATURES", ("RenderDocument", "BackForwardCache"))
    changed = launcher_for(str(tmp_path / "one" / "chromium"), cache)
    assert len({one, other, changed}) == 3
    assert run(changed)[0] == "--disable-features=RenderDocument,BackForwardCache"


def test_the_users_cache_folder_is_the_default_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    launcher = Path(launcher_for(str(stand_in_browser(tmp_path / "bin"))))
    assert launcher.parent == tmp_path / "xdg" / "newsarchive"


def test_an_unwritable_cache_falls_back_to_a_scratch_folder(tmp_path, monkeypatch):
    (tmp_path / "xdg").write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    launcher = Path(launcher_for(str(stand_in_browser(tmp_path / "bin"))))
    assert launcher.parent.name.startswith("newsarchive-chromium-")
    assert run(str(launcher), "--x") == ["--disable-features=RenderDocument,LocalNetworkAccessChecks", "--x"]


def test_where_no_launcher_can_be_written_the_browser_runs_as_it_is(tmp_path):
    (tmp_path / "cache").write_text("not a folder")
    browser = str(stand_in_browser(tmp_path / "bin"))
    assert launcher_for(browser, tmp_path / "cache") == browser


def test_without_a_posix_shell_the_browser_runs_as_it_is(tmp_path, monkeypatch):
    monkeypatch.setattr(browser_launcher.os, "name", "nt")
    assert launcher_for("/usr/bin/chromium", tmp_path) == "/usr/bin/chromium"
    assert list(tmp_path.iterdir()) == []


def test_a_user_without_a_home_gets_a_scratch_folder(tmp_path, monkeypatch):
    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(browser_launcher.Path, "home", staticmethod(no_home))
    launcher = Path(launcher_for(str(stand_in_browser(tmp_path / "bin"))))
    assert launcher.parent.name.startswith("newsarchive-chromium-")


def test_without_xdg_cache_home_the_launcher_goes_to_the_homes_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    launcher = Path(launcher_for(str(stand_in_browser(tmp_path / "bin"))))
    assert launcher.parent == tmp_path / "home" / ".cache" / "newsarchive"


def test_a_scratch_folder_goes_when_its_process_ends(tmp_path):
    (tmp_path / "xdg").write_text("a file where the cache folder would be")
    browser = stand_in_browser(tmp_path / "bin")
    child = subprocess.run([sys.executable, "-c", "import sys; from newsarchive.browser_launcher import launcher_for; "
                            "print(launcher_for(sys.argv[1]))", str(browser)], capture_output=True, text=True,
                           check=True, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")})
    launcher = Path(child.stdout.strip())
    assert launcher.parent.name.startswith("newsarchive-chromium-")
    assert not launcher.parent.exists()


def test_a_launcher_that_cannot_be_put_in_place_leaves_nothing_behind(tmp_path, monkeypatch):
    def refuse(source, target):
        raise PermissionError(f"cannot replace {target}")

    monkeypatch.setattr(browser_launcher.os, "replace", refuse)
    browser = str(stand_in_browser(tmp_path / "bin"))
    assert launcher_for(browser, tmp_path / "cache") == browser
    assert list((tmp_path / "cache").iterdir()) == []
