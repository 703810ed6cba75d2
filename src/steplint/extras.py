"""Optional dependencies: what a command needs beyond the light install, and the message
when it is absent (pyproject.toml [project.optional-dependencies]).

`steplint check`, `show`, `predict`, `suggest`, `init`, `explain` and `rules` run on
PyYAML and click alone; `fit` needs numpy (`steplint[fit]`), `show --plot` matplotlib
(`steplint[plot]`). A command imports through `require`, so a missing extra is one line
and exit 2, never an ImportError traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# importable module -> the extra that installs it
EXTRAS = {"numpy": "fit", "matplotlib": "plot"}


class MissingExtra(ImportError):
    """A command needs an optional dependency that is not installed."""


def missing_message(module: str, what: str) -> str:
    extra = EXTRAS.get(module.split(".")[0], "test")
    return (f"{what} needs {module.split('.')[0]}, which the light install leaves out: "
            f"pip install 'steplint[{extra}]'")


def require(module: str, what: str) -> ModuleType:
    """Import `module` for `what` (e.g. "steplint fit"), or raise MissingExtra with the
    install command."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingExtra(missing_message(module, what)) from error


def require_for_click(module: str, what: str) -> ModuleType:
    """`require` at a click command's boundary: a one-line error, exit 2."""
    import click

    try:
        return require(module, what)
    except MissingExtra as error:
        click.echo(f"steplint: {error}", err=True)
        raise click.exceptions.Exit(2)
