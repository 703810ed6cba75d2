"""SL603 heads-parallel: attention heads must split evenly over tensor-parallel ranks."""

from __future__ import annotations

from typing import Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules.base import Rule, RuleContext, RuleDocs


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    tp = recipe.value("tensor_parallel")
    if not isinstance(tp, int) or tp <= 1:
        return
    for name, label in (("num_attention_heads", "attention heads"), ("num_kv_heads", "KV heads (query groups)")):
        fact = recipe.get(name)
        if fact is None or not isinstance(fact.value, int) or fact.value % tp == 0:
            continue
        yield ctx.diagnostic(
            f"{fact.value} {label} do not divide over tensor parallel size {tp}; Megatron-LM and nanotron "
            f"assert this at start (each rank holds a whole number of heads)",
            at=fact if fact.source.kind == "key" else recipe.get("tensor_parallel"),
        )


RULE = Rule(
    code="SL603",
    name="heads-parallel",
    severity=Severity.ERROR,
    summary="Attention heads or KV groups not divisible by the tensor-parallel size.",
    check=_check,
    docs=RuleDocs(
        what=(
            "Checks that the number of attention heads and of KV heads (query groups) is a multiple of the "
            "tensor-parallel size."
        ),
        why=(
            "Tensor parallelism splits attention by heads; Megatron-LM (num_attention_heads and "
            "num_query_groups % tensor_model_parallel_size) and nanotron (config validation) assert it "
            "when the job starts, after the cluster is allocated."
        ),
        evidence=(
            "Megatron-LM megatron/training/arguments.py and core transformer config at d98e8a64ddf3",
            "nanotron src/nanotron/config/config.py at 2411b022a75f (heads and KV heads divisible by TP)",
        ),
        example="--num-attention-heads 12 --tensor-model-parallel-size 8",
        fix="Choose a tensor-parallel size that divides both head counts. No automatic fix.",
    ),
)
