"""Usage errors as two lines: the usage line, then `Error: ...` (exit 2).

click's default adds a "Try ... for help" line and a blank line; a one-shot calculator
(`predict`, `suggest`) is better served by the usage line alone, which names the required
options (set through the command's `options_metavar`), and the error.
"""

from __future__ import annotations

from typing import IO, Any, Optional

import click


class _UsageError(click.UsageError):
    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage

    def show(self, file: Optional[IO[Any]] = None) -> None:
        click.echo(self.usage, err=True)
        click.echo(f"Error: {self.format_message()}", err=True)


class UsageLineErrors(click.Command):
    def make_context(self, info_name: Optional[str], args: list[str], parent: Optional[click.Context] = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as err:
            raise self._with_usage(err) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as err:
            raise self._with_usage(err, ctx) from None

    def _with_usage(self, err: click.UsageError, ctx: "click.Context | None" = None) -> click.UsageError:
        if isinstance(err, _UsageError):
            return err
        ctx = ctx or err.ctx
        if ctx is not None:
            usage = ctx.get_usage()
        else:
            usage = f"Usage: steplint {self.name} {self.options_metavar}"
        return _UsageError(err.format_message(), usage.rstrip())
