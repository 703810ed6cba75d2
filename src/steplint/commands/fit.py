"""`steplint fit SWEEP.csv`: refit Step Law on your own LR x batch sweep (steplint.laws.fit)
and write a law file that `--law-file` accepts in check, show, predict and report.

Exit codes: 0 written, 2 bad input (unreadable CSV, missing columns, too few groups,
non-positive values) or numpy missing (`pip install 'steplint[fit]'`)."""

from __future__ import annotations

import json
import math
import os
import sys
from typing import Iterable, Iterator, Optional, TypeVar

import click

from steplint import __version__
from steplint.commands._usage import UsageLineErrors


T = TypeVar("T")


def _fail(message: str) -> click.exceptions.Exit:
    click.echo(f"steplint: {message}", err=True)
    return click.exceptions.Exit(2)


@click.command("fit", cls=UsageLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("sweep", type=click.Path(dir_okay=False))
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False), default=None,
              help="Write the law file here (default: print it).")
@click.option("--bootstrap", type=click.IntRange(min=0, max=100_000), default=1000, show_default=True,
              help="Bootstrap resamples for the covariance.")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the bootstrap.")
@click.option("--threshold", type=click.FloatRange(min=0, min_open=True, max=1), default=0.0025, show_default=True,
              help="Keep runs within this fraction of their (N, D) group's best smoothed loss.")
@click.option("--seq-len", type=click.IntRange(min=1), default=2048, show_default=True,
              help="Tokens per sequence, for a batch in sequences without a seq_len column.")
@click.option("--batch-unit", type=click.Choice(["sequences", "tokens"]), default="sequences", show_default=True,
              help="Unit of a `bs` / `batch_size` column (batch_tokens / batch_sequences columns say theirs).")
def command(sweep: str, out: Optional[str], bootstrap: int, seed: int, threshold: float, seq_len: int,
            batch_unit: str) -> None:
    """Refit the Step Law (lr = c N^a D^b, B = d D^g) on SWEEP.csv: per (N, D) group keep the runs
    within --threshold of the best smoothed loss, least squares in log space, bootstrap covariance."""
    if not os.path.exists(sweep):
        raise _fail(f"{sweep}: no such file")
    try:
        from steplint.laws import fit as fitting
    except ImportError:
        raise _fail("`steplint fit` needs numpy: pip install 'steplint[fit]'") from None
    options = fitting.Options(bootstrap=bootstrap, seed=seed, threshold=threshold, seq_len=seq_len,
                              batch_unit=batch_unit)
    try:
        data = fitting.read_sweep(sweep, options)
        with click.progressbar(length=bootstrap, label="bootstrap", file=sys.stderr) as bar:
            def progress(items: Iterable[T]) -> Iterator[T]:
                for item in items:
                    yield item
                    bar.update(1)
            law = fitting.fit(data, options, progress=progress, source=sweep)
    except fitting.FitError as error:
        raise _fail(str(error)) from None
    law["provenance"] = {
        "tool": f"steplint {__version__} fit",
        "procedure": "Step Law fit_tool.py (arXiv 2503.04715): near-optimal runs per (N, D), OLS in log space, bootstrap",
        "input": os.path.basename(sweep),
        "input_sha256": fitting.file_sha256(sweep),
        "columns": data.columns,
        "options": options._asdict(),
    }
    text = json.dumps(law, indent=2) + "\n"
    mean = law["mean"]
    summary = (f"lr = {math.exp(mean['lr_intercept']):.4g} N^{mean['lr_coefN']:.3f} D^{mean['lr_coefD']:.3f}; "
               f"B = {math.exp(mean['bs_intercept']):.4g} D^{mean['bs_coefD']:.3f} tokens "
               f"({law['runs']['kept']} of {law['runs']['read']} runs kept in {law['runs']['groups']} groups)")
    if out:
        try:
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as error:
            raise _fail(f"{out}: cannot write: {error.strerror or error}") from None
        click.echo(f"{summary}\nwrote {out}", err=True)
    else:
        click.echo(text, nl=False)
        click.echo(summary, err=True)
