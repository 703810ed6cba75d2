"""`steplint init`: write the starting settings (steplint.init_settings), print the pre-commit
snippet. Exit 0 when written or already there, 2 for usage errors or a write that failed."""

from __future__ import annotations

import os
from typing import Optional

import click

from steplint.commands._types import Quantity


@click.command("init", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--world-size", type=Quantity(integer=True), help="GPUs of the run.")
@click.option("--tokens", help="Training tokens D, e.g. 1.4T.")
@click.option("--seq-len", type=Quantity(integer=True, binary=True), help="Training sequence length (4k = 4096).")
def command(world_size: Optional[float], tokens: Optional[str], seq_len: Optional[float]) -> None:
    """Write [tool.steplint] into pyproject.toml (or a new .steplint.toml), never over existing settings."""
    from steplint.init_settings import plan_init, precommit_snippet
    from steplint.quantities import parse_quantity

    if tokens is not None:
        try:
            parse_quantity(tokens, what="--tokens")
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--tokens")
    existing: dict[str, str] = {}
    for name in ("pyproject.toml", ".steplint.toml"):
        if os.path.exists(name):
            try:
                with open(name, encoding="utf-8") as fh:
                    existing[name] = fh.read()
            except (OSError, UnicodeDecodeError) as error:
                click.echo(f"steplint: {name}: cannot read: {getattr(error, 'strerror', None) or error}", err=True)
                raise click.exceptions.Exit(2)
    plan = plan_init(existing, None if world_size is None else int(world_size), tokens,
                     None if seq_len is None else int(seq_len))
    if plan.path is not None and plan.text is not None:
        from steplint.atomic import write_atomic

        try:
            write_atomic(plan.path, plan.text)
        except OSError as error:
            click.echo(f"steplint: {plan.path}: cannot write: {error.strerror or error}", err=True)
            raise click.exceptions.Exit(2)
    click.echo(plan.reason + ".")
    click.echo("\nTo run steplint on every commit, add to .pre-commit-config.yaml:\n")
    click.echo(precommit_snippet(), nl=False)
