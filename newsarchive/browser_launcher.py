"""The Chromium a crawl renders with: the system's binary, run through a small launcher script that
turns off the browser features rendering does not need, without undoing Playwright's.

Chromium keeps only the last `--disable-features=` list on its command line, and Playwright passes a
list of its own (features that would upgrade http navigations to https, call Google at start-up or
break request interception). A second list from newsarchive would silently switch those back on, so
the launcher gathers every list it is given, adds DISABLED_FEATURES, and hands Chromium one.

DISABLED_FEATURES:
- RenderDocument: Chromium builds a new frame host for each page a tab goes to; newsarchive renders
  page after page in the same few tabs (newsarchive/rendering.py, Tab), and with a fresh frame for
  each the browser did about a fifth more work. 100 renders of bench/render.py's pages, goto and
  read, in 4 tabs of the headless shell, three runs each: browser processes 6.0 to 7.9 CPU seconds
  with it, 5.1 to 6.4 without.
- LocalNetworkAccessChecks: the browser is handed the page the crawl received rather than fetching
  it again (rendering.sent_page), and a page handed over has no network address; Chromium then
  takes it for a public page and blocks what it loads from a private or loopback host (a site on an
  intranet, and its comment service on another host of it). What a rendered page may load is
  decided by the crawl's own, narrower guard (newsarchive/render_handler.py: the crawl's origins
  and NEWSARCHIVE_RENDER_ORIGINS, nothing else).

The script is written once per Chromium binary, under the user's cache folder (XDG_CACHE_HOME, else
~/.cache; the temporary folder when neither can be written), named by a digest of its text, and `exec`s
the browser, which keeps the process id Playwright waits on and kills. On a system without a POSIX
shell the binary is run as it is.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shlex
import shutil
import tempfile
from pathlib import Path

DISABLED_FEATURES = ("RenderDocument", "LocalNetworkAccessChecks")

# {chromium} is the binary, quoted for the shell; {features} the features turned off, comma-separated.
LAUNCHER = """#!/bin/sh
# Written by newsarchive (newsarchive/browser_launcher.py). Chromium keeps only the last
# --disable-features list it is given: every list passed here is merged into one.
disabled={features}
for arg do
    shift
    case $arg in
        --disable-features=*) disabled="$disabled,${{arg#--disable-features=}}" ;;
        *) set -- "$@" "$arg" ;;
    esac
done
exec {chromium} "--disable-features=$disabled" "$@"
"""


def launcher_for(chromium: str, folder: Path | None = None) -> str:
    """The path of the launcher that runs `chromium` with DISABLED_FEATURES off (and Playwright's);
    `chromium` itself where no POSIX shell runs scripts. folder: where to write it (default: the
    user's cache folder)."""
    if os.name != "posix" or not os.path.exists("/bin/sh"):
        return chromium
    text = LAUNCHER.format(chromium=shlex.quote(chromium), features=shlex.quote(",".join(DISABLED_FEATURES)))
    name = f"chromium-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    for where in [lambda: folder] if folder is not None else [user_cache_folder, _scratch_folder]:
        try:
            return str(_written(where(), name, text))
        except (OSError, RuntimeError):  # RuntimeError: Path.home() of a user without a home
            continue
    return chromium


def user_cache_folder() -> Path:
    """newsarchive's folder in the user's cache (XDG_CACHE_HOME, else ~/.cache); Path.home() raises
    RuntimeError for a user without a home."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsarchive"


def _scratch_folder() -> Path:
    """A folder of this process's own, removed when it ends."""
    folder = tempfile.mkdtemp(prefix="newsarchive-chromium-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return Path(folder)


def _written(folder: Path, name: str, text: str) -> Path:
    """The launcher at folder/name, written there (atomically: crawls may start side by side) unless
    an identical one is there already."""
    path = folder / name
    if path.is_file() and os.access(path, os.X_OK) and path.read_text(encoding="utf-8") == text:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(dir=folder, prefix=f".{name}-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(partial, 0o755)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return path
