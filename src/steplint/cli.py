"""The thin click layer. Each subcommand lives in `steplint.commands.<name>` and is imported
only when invoked, so `steplint predict` never pays for the linter's imports. The console
script is steplint.entry.main, which runs a plain `steplint check` without this layer."""

from __future__ import annotations

import importlib

import click

from steplint import __version__
from steplint.entry import exit_status as exit_status, hard_exit as hard_exit, main as main  # the console entry

# name -> module in steplint.commands defining `command` (a click.Command)
COMMANDS = {
    "check": "check",
    "show": "show",
    "predict": "predict",
    "explain": "explain",
    "rules": "rules",
    "suggest": "suggest",
    "init": "init",
    "fit": "fit",
    "report": "report",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> "click.Command | None":
        module = COMMANDS.get(name)
        if module is None:
            return None
        command: click.Command = importlib.import_module(f"steplint.commands.{module}").command
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="steplint", message="%(prog)s %(version)s")
def cli() -> None:
    """Lint LLM pre-training configs against the Step Law scaling law."""
