"""The examples in the code's docstrings run, and say what the code does.

Every module of the project whose docstrings hold an example (`>>>`) is found here, not listed by
hand, so a new example is tested from the day it is written.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("newsarchive", "exports", "spiders")


def modules_with_examples() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            lines = path.read_text(encoding="utf-8").splitlines()
            if any(line.lstrip().startswith(">>> ") for line in lines):
                names.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return names


def test_the_examples_are_found():
    # The search itself: the text module's example of normalise_text must be among them.
    assert "newsarchive.parsers.text" in modules_with_examples()


@pytest.mark.parametrize("module_name", modules_with_examples())
def test_docstring_examples(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
