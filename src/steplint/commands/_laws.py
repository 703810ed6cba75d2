"""What `predict`, `show`, `check` and `report` share for other laws: the `--law` and
`--law-file` options, reading the law file (exit 2 with one line on a bad file), and the
side-by-side table. The numbers come from steplint.laws.registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, TypeVar

import click

if TYPE_CHECKING:
    from steplint.laws.registry import Comparison
    from steplint.laws.steplaw import StepLaw

F = TypeVar("F", bound=Callable[..., Any])

LAW_CHOICES = ("steplaw", "deepseek", "porian", "kaplan", "minicpm")  # = laws.registry.NAMES (tested)


def law_option(allow_all: bool = True) -> Callable[[F], F]:
    choices = LAW_CHOICES + (("all",) if allow_all else ())
    return click.option("--law", type=click.Choice(choices), default="steplaw", show_default=True,
                        help="Law to judge against" + (" or `all` to list every law side by side." if allow_all else
                                                       " (other laws: findings at most info)."))


def law_file_option() -> Callable[[F], F]:
    return click.option("--law-file", type=click.Path(dir_okay=False), default=None,
                        help="A refitted law (JSON with the keys of data/steplaw.json, as `steplint fit` writes) "
                             "used in place of the published Step Law.")


def read_law_file(path: Optional[str]) -> Optional["StepLaw"]:
    """The StepLaw of `--law-file`, or None; a bad file ends the command with exit 2."""
    if not path:
        return None
    from steplint.laws.lawfile import load_law_file

    try:
        return load_law_file(path)
    except ValueError as error:
        click.echo(f"steplint: {error}", err=True)
        raise click.exceptions.Exit(2) from None


def names_for(law: str) -> tuple[str, ...]:
    """The laws a `--law` value lists: all of them, or Step Law and the one named."""
    from steplint.laws.registry import NAMES, STEPLAW

    if law == "all":
        return NAMES
    return (STEPLAW,) if law == STEPLAW else (STEPLAW, law)


def laws_json(rows: Iterable["Comparison"], seq_len: Optional[int]) -> list[dict[str, object]]:
    return [row.to_json(seq_len) for row in rows]


def laws_text(rows: Iterable["Comparison"], seq_len: Optional[int], indent: str = "  ") -> list[str]:
    """One line per law: LR, batch in tokens and sequences, ratios to Step Law, the note."""
    from steplint.quantities import format_quantity as q

    def cell(value: Optional[float], fmt: Callable[[float], str]) -> str:
        return fmt(value) if value is not None else "-"

    table = [("law", "peak LR", "batch tokens", "sequences", "LR/SL", "batch/SL", "note")]
    for row in rows:
        v = row.value
        seqs = v.batch_tokens / seq_len if v.batch_tokens is not None and seq_len else None
        table.append((v.title, cell(v.lr, lambda x: q(x, 4)), cell(v.batch_tokens, lambda x: q(x, 4)),
                      cell(seqs, lambda x: f"{x:.1f}"), cell(row.ratio_lr, lambda x: f"{x:.2f}x"),
                      cell(row.ratio_batch, lambda x: f"{x:.2f}x"), v.note))
    widths = [max(len(r[i]) for r in table) for i in range(6)]
    return [indent + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r[:6], widths)))
            + "  " + r[6] for r in table]
