"""`steplint suggest`: the Step Law recipe written in a framework's own format.

One writer module per framework in a registry (WRITERS), each defining
`render(recipe) -> (text, notes)`: `text` is the file to write, `notes` what a format
without comments (DeepSpeed JSON) cannot carry. The shared explanation (the law, the band,
the rounding penalty, extrapolation notices) is `explanation`. Pure: no I/O here.
"""

from __future__ import annotations

import importlib
from typing import Any

from steplint._namedtuple import NamedTuple

from steplint.quantities import format_quantity
from steplint.suggest.recipe import Layout, LayoutError, Recipe, step_law_recipe

# --framework value -> module in steplint.suggest
WRITERS = {
    "megatron": "megatron",
    "nemo": "nemo",
    "neox": "neox",
    "deepspeed": "deepspeed",
    "hf": "hf",
    "torchtitan": "torchtitan",
}

__all__ = ["WRITERS", "Layout", "LayoutError", "Recipe", "Suggestion", "suggest", "explanation", "facts"]


class Suggestion(NamedTuple):
    framework: str
    text: str
    facts: dict[str, Any]
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"framework": self.framework, "text": self.text, "facts": self.facts, "notes": list(self.notes)}


def yaml_float(value: float) -> str:
    """A literal every YAML 1.1 reader (PyYAML: NeoX, Megatron) takes as a float: a dot and a
    signed exponent (`1.66e-3`, `1.0e-5`), never `1e-5` (architecture.md section 5)."""
    mantissa, exponent = f"{value:.6e}".split("e")
    mantissa = mantissa.rstrip("0")
    mantissa += "0" if mantissa.endswith(".") else ""
    return f"{mantissa}e{int(exponent):+d}"


def _penalty_text(r: Recipe) -> str:
    p = r.rounding
    if p.percent is None:
        return p.message
    bound = "at least" if str(p.kind) == "lower_bound" else "about"
    return f"{bound} +{p.percent:.2g}% of final loss over the best achievable"


def explanation(recipe: Recipe) -> list[str]:
    """The comment lines every writer puts at the top (without the comment marker)."""
    r, lay, b = recipe, recipe.layout, recipe.band
    lines = [
        "Step Law recipe written by `steplint suggest` (arXiv 2503.04715):",
        f"  {r.law_text()}",
        f"  for N = {format_quantity(r.n_params)} non-embedding parameters, D = {format_quantity(r.tokens)} tokens, "
        f"sequences of {r.seq_len} tokens",
        f"Peak LR {yaml_float(r.lr)}: the optimum {format_quantity(r.lr_optimum, 4)} to {3} digits "
        f"({b.level:.0%} band {format_quantity(b.lr_low)}..{format_quantity(b.lr_high)}).",
        f"Global batch {r.batch_sequences} sequences = {format_quantity(r.batch_tokens)} tokens: the optimum is "
        f"{r.batch_optimum_sequences:.1f} sequences ({b.level:.0%} band {format_quantity(b.batch_tokens_low)}.."
        f"{format_quantity(b.batch_tokens_high)} tokens),",
        f"  rounded to a multiple of micro batch {lay.micro_batch} x data parallel {lay.data_parallel} = "
        f"{lay.batch_unit} ({lay.world_size} GPUs = DP {lay.data_parallel} x TP {lay.tensor_parallel} x "
        f"PP {lay.pipeline_parallel}; {r.grad_accum} accumulation step{'s' if r.grad_accum != 1 else ''}).",
        f"Rounding (LR x{r.rounding.lr_ratio:.4f}, batch x{r.rounding.batch_ratio:.4f} of the optimum) costs "
        f"{_penalty_text(r)} (laws/landscape.py).",
        f"Schedule: linear warmup {r.warmup_steps} steps (Step Law: 2,000), cosine decay to {yaml_float(r.min_lr)} "
        f"at step {r.train_steps}.",
        f"{r.train_steps} steps x {r.batch_tokens} tokens = {format_quantity(r.trained_tokens, 4)} tokens "
        f"(D asked: {format_quantity(r.tokens, 4)}).",
    ]
    ratio = r.batch_sequences / r.batch_optimum_sequences
    if ratio > 1.5:
        lines.append(f"The layout's smallest batch (micro x DP = {lay.batch_unit}) is {ratio:.2g}x the optimum: "
                     "a smaller --micro-batch, or fewer GPUs, gets closer (steplint check will say so).")
    if r.notices:
        lines.append("Extrapolation: " + "; ".join(r.notices) + ".")
    else:
        lines.append("N, D and D/N are inside the range Step Law was fitted on.")
    return lines


def facts(recipe: Recipe) -> dict[str, Any]:
    """The recipe as architecture.md section 3 fields (plain values)."""
    r, lay = recipe, recipe.layout
    return {
        "n_params": r.n_params, "tokens": r.trained_tokens, "seq_len": r.seq_len,
        "global_batch_sequences": r.batch_sequences, "global_batch_tokens": r.batch_tokens,
        "train_steps": r.train_steps, "peak_lr": r.lr, "min_lr": r.min_lr, "warmup_steps": r.warmup_steps,
        "decay_style": "cosine", "decay_end_step": r.train_steps, "world_size": lay.world_size,
        "data_parallel": lay.data_parallel, "tensor_parallel": lay.tensor_parallel,
        "pipeline_parallel": lay.pipeline_parallel, "micro_batch": lay.micro_batch, "grad_accum": r.grad_accum,
    }


def suggest(framework: str, n_params: float, tokens: float, seq_len: int, layout: Layout) -> Suggestion:
    """Raises KeyError for an unknown framework, LayoutError / ValueError for bad numbers."""
    writer = importlib.import_module(f"steplint.suggest.{WRITERS[framework]}")
    recipe = step_law_recipe(n_params, tokens, seq_len, layout)
    text, notes = writer.render(recipe)
    return Suggestion(framework, text, facts(recipe), tuple(notes))
