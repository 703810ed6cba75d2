"""The thin click layer. Each subcommand lives in `steplint.commands.<name>` and is imported
only when invoked, so `steplint predict` never pays for the linter's imports."""

from __future__ import annotations

import importlib

import click

from steplint import __version__

# name -> module in steplint.commands defining `command` (a click.Command)
COMMANDS = {
    "check": "check",
    "show": "show",
    "predict": "predict",
    "explain": "explain",
    "rules": "rules",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str):
        module = COMMANDS.get(name)
        if module is None:
            return None
        return importlib.import_module(f"steplint.commands.{module}").command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="steplint", message="%(prog)s %(version)s")
def cli() -> None:
    """Lint LLM pre-training configs against the Step Law scaling law."""


def main() -> None:
    cli(prog_name="steplint")
