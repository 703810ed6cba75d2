"""The console script and `python -m steplint`: run the CLI, then end the process.

A one-file `check` is mostly start-up (architecture.md section 7; bench/check.py), so a
plain `steplint check ...` command line is read from the check command's own option
declarations without importing click (steplint.commands._argv, about as much CPU as the
rest of the run); anything else, or anything that reader does not take exactly, goes to the
click layer in steplint.cli.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Optional


def main() -> None:
    """Run the command line, then leave.

    Two costs of a short-lived interpreter are skipped (bench/check.py measures them, about
    15 ms of ~95): the cyclic collector's passes over the objects the imports create (gen-0
    threshold raised, as mypy does), and the teardown that frees every module and object at
    exit (streams flushed, then `os._exit`, as mypy's `hard_exit`). Nothing steplint writes is
    left to a finalizer: reports and fixed files are closed (and fsynced) before this.
    In-process callers (tests, CliRunner) use `steplint.cli.cli` and keep a normal exit.
    """
    gc.set_threshold(100_000, 50, 100)
    code = fast_check(sys.argv[1:])
    if code is None:
        from steplint.cli import cli

        try:
            cli(prog_name="steplint")
            code = 0
        except SystemExit as exit:
            code = exit_status(exit.code)
    hard_exit(code)


def fast_check(args: list[str]) -> Optional[int]:
    """The exit code of `steplint check ARGS` run without click, or None: click runs it."""
    if not args or args[0] != "check":
        return None
    from steplint.commands import check

    parsed = check.read_argv(args[1:])
    if parsed is None:
        return None
    try:
        return check.execute(*parsed)
    except OSError as error:  # as click's main: a closed pipe while reporting an error is exit 1
        import errno

        if error.errno != errno.EPIPE:
            raise
        return 1


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
