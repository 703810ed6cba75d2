"""`steplint predict`: the Step Law optimum for (N, D), its band, and where a chosen LR/batch sits.

Kept lean on purpose: this is the quick-answer path (the budget is 10x `python -c pass`), so it
imports only click, json and the pure-Python law modules; no numpy, no jsonschema.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Optional

import click

from steplint.commands._laws import law_file_option, law_option, laws_json, laws_text, names_for, read_law_file
# shared with `show`, `suggest`, `init` and `fit` (commands do not import each other); re-exported
from steplint.commands._placement import STEPLAW_MIN_LR, placement_json, verdict_json  # noqa: F401
from steplint.commands._types import Probability, Quantity
from steplint.commands._usage import UsageLineErrors
from steplint.quantities import format_quantity

if TYPE_CHECKING:
    from steplint.laws.steplaw import Placement
    from steplint.laws.verdict import Verdict


def placement_text(p: "Placement", v: Optional["Verdict"] = None) -> str:
    band, pct, q = p.band, f"{p.band.level * 100:g}%", format_quantity
    lines = [
        f"Step Law optimum for N = {q(p.n_params)} parameters, D = {q(p.tokens)} tokens:",
        f"  peak LR       {q(p.lr, 4)}  ({pct} band {q(band.lr_low)} to {q(band.lr_high)}), "
        f"decaying to a fixed {q(STEPLAW_MIN_LR, 1)} floor",
        f"  global batch  {q(p.batch_tokens, 4)} tokens = {p.batch_sequences:.1f} sequences of {p.seq_len}  "
        f"({pct} band {q(band.batch_tokens_low)} to {q(band.batch_tokens_high)} tokens)",
    ]
    lines += [f"notice: {notice}" for notice in p.notices]
    pos = p.position
    if pos is not None and v is not None:
        from steplint.laws.verdict import default_tolerance

        tol = default_tolerance()
        lines.append("your choice:")
        if pos.lr is not None:
            best = (f"; the best LR at this batch is {q(v.conditional_lr, 4)}"
                    if pos.batch_tokens is not None and abs(v.conditional_lr / v.lr_opt - 1) > 0.005 else "")
            lines.append(f"  peak LR       {q(pos.lr, 4)} = {pos.lr_ratio:.3g}x the optimum{best}")
        if pos.batch_tokens is not None:
            lines.append(f"  global batch  {q(pos.batch_tokens, 4)} tokens = {pos.batch_ratio:.3g}x the optimum")
        assumed = [name for name, given in (("LR at its best for the batch", pos.lr), ("batch at its optimum", pos.batch_tokens))
                   if given is None]
        suffix = f" (with the {assumed[0]})" if assumed else ""
        lines.append(f"  {v.total.message}{suffix}")
        if pos.lr is not None and v.lr_part is not None:
            lines.append(f"    of which the LR adds +{v.lr_part:.2f}% and the batch costs +{v.batch_part:.2f}%")
        lines.append(f"  verdict: {v.severity or 'none'} (as `check` would report it: SL302 {v.lr_severity or 'none'}, "
                     f"SL303 {v.batch_severity or 'none'})" + (f"; {v.cap_reason}" if v.cap_reason else ""))
        lines.append(f"  for scale: {tol.both_text()};")
        lines.append(f"    the {pct} band above is only the uncertainty of the fitted mean, not a tolerance")
    return "\n".join(lines)


@click.command("predict", cls=UsageLineErrors, options_metavar="--params N --tokens D [OPTIONS]")
@click.option("--params", "n_params", type=Quantity(), required=True, metavar="N",
              help="Non-embedding parameters (Step Law N; total for MoE), e.g. 7e9 or 7B.")
@click.option("--tokens", type=Quantity(), required=True, metavar="D", help="Training tokens, e.g. 1.4T.")
@click.option("--seq-len", type=Quantity(integer=True, binary=True), default="2048", show_default=True,
              help="Sequence length, to express the batch in sequences; k is 1024 here (4k = 4096).")
@click.option("--level", type=Probability(), default="0.9", show_default=True,
              help="Band level: 0.9 is the 5th to 95th percentile of the bootstrap fits.")
@click.option("--lr", type=Quantity(), default=None, help="A peak LR to place against the optimum.")
@click.option("--batch-tokens", type=Quantity(), default=None, help="A global batch in tokens to place.")
@click.option("--batch-sequences", type=Quantity(integer=True), default=None,
              help="A global batch in sequences to place (x seq-len tokens).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output form.")
@law_option()
@law_file_option()
@click.option("--loss", type=Quantity(), default=None,
              help="A target final loss in nats, for the laws written in loss (Kaplan, MiniCPM).")
def command(n_params: float, tokens: float, seq_len: float, level: float, lr: Optional[float],
            batch_tokens: Optional[float], batch_sequences: Optional[float], output_format: str, law: str,
            law_file: Optional[str], loss: Optional[float]) -> None:
    """Optimal peak LR and global batch for N parameters and D tokens (Step Law, arXiv 2503.04715)."""
    if batch_tokens is not None and batch_sequences is not None:
        raise click.UsageError("use either --batch-tokens or --batch-sequences, not both")
    if batch_sequences is not None:
        batch_tokens = float(batch_sequences * seq_len)

    from steplint.laws.steplaw import place, using_law
    from steplint.laws.verdict import verdict

    with using_law(read_law_file(law_file)):
        p = place(n_params, tokens, lr=lr, batch_tokens=batch_tokens, level=level, seq_len=int(seq_len))
        v = verdict(n_params, tokens, lr, batch_tokens) if p.position is not None else None
        rows = None
        if law != "steplaw":
            from steplint.laws.common import LawInputs
            from steplint.laws.registry import compare

            rows = compare(LawInputs(n_params=n_params, tokens=tokens, seq_len=int(seq_len), loss=loss),
                           names=names_for(law))
    if output_format == "json":
        out = placement_json(p, v)
        if rows is not None:
            out["laws"] = laws_json(rows, int(seq_len))
        click.echo(json.dumps(out, indent=2))
    else:
        text = placement_text(p, v)
        if rows is not None:
            text += "\nlaws side by side (only Step Law's verdicts are calibrated):\n" + "\n".join(laws_text(rows, int(seq_len)))
        click.echo(text)
