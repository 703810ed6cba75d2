"""The thin click layer. Each subcommand lives in `steplint.commands.<name>` and is imported
only when invoked, so `steplint predict` never pays for the linter's imports."""

from __future__ import annotations

import gc
import importlib
import os
import sys

import click

from steplint import __version__

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


def main() -> None:
    """The console script and `python -m steplint`: run the CLI, then end the process.

    A one-file `check` is mostly start-up, so two costs of a short-lived interpreter are
    skipped (architecture.md section 7; bench/check.py measures them, about 15 ms of ~95):
    the cyclic collector's passes over the objects the imports create (gen-0 threshold
    raised, as mypy does), and the teardown that frees every module and object at exit
    (streams flushed, then `os._exit`, as mypy's `hard_exit`). Nothing steplint writes is
    left to a finalizer: reports and fixed files are closed (and fsynced) before this.
    In-process callers (tests, CliRunner) use `cli` and keep a normal exit.
    """
    gc.set_threshold(100_000, 50, 100)
    try:
        cli(prog_name="steplint")
        code = 0
    except SystemExit as exit:
        code = exit_status(exit.code)
    hard_exit(code)


def exit_status(code: object) -> int:
    """What the interpreter would exit with for `SystemExit(code)`: None is 0, an int is
    itself, anything else is printed to stderr and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def hard_exit(code: int) -> None:
    """Flush stdout and stderr, then leave without the interpreter's teardown. A reader
    that closed the pipe early (`steplint check | head`) does not turn into a traceback.
    A stream the process was started without (fd closed, pythonw) is None: skipped."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # EPIPE, or a stream already closed
            pass
    os._exit(code)
