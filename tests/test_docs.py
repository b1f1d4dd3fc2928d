"""The documentation keeps up with the commands: a reference generated from them, and every
command explained somewhere a reader looks first."""

from __future__ import annotations

from pathlib import Path

import click

from newsarchive.cli import cli
from newsarchive.reference import commands, commands_markdown

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "commands.md"


def test_the_command_reference_is_what_the_commands_print():
    assert REFERENCE.read_text(encoding="utf-8") == commands_markdown(), (
        "docs/commands.md is out of date: run `python -m newsarchive.reference > docs/commands.md`")


def test_every_option_says_what_it_does():
    silent = [f"{' '.join(path)} {parameter.opts[0]}" for path, command in commands(cli)
              for parameter in command.params
              if isinstance(parameter, click.Option) and not parameter.hidden and not parameter.help]
    assert silent == []


def test_every_command_is_explained_beyond_the_reference():
    guides = (ROOT / "README.md").read_text(encoding="utf-8") + "".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "docs").glob("*.md") if path != REFERENCE)
    unexplained = [" ".join(path) for path, _ in commands(cli) if " ".join(path) not in guides]
    assert unexplained == []
    assert "docs/commands.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_reference_catches_an_undocumented_option():
    @cli.command("probe-command", hidden=False)
    @click.option("--new-option", help="Something new.")
    def probe(new_option):
        """A command added after the reference was made."""

    try:
        assert "--new-option" in commands_markdown()
        assert REFERENCE.read_text(encoding="utf-8") != commands_markdown()
    finally:
        del cli.commands["probe-command"]


def test_the_research_queries_are_one_document():
    """docs/queries.md is what readers open; the package's copy is what Datasette and the tests run."""
    packaged = ROOT / "newsarchive" / "research" / "queries.md"
    assert (ROOT / "docs" / "queries.md").read_text(encoding="utf-8") == packaged.read_text(encoding="utf-8"), (
        "docs/queries.md and newsarchive/research/queries.md differ: edit one, copy it over the other")
