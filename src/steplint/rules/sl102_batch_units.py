"""SL102 batch-units: a batch key holding a value implausible for its unit."""

from __future__ import annotations

from typing import Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules._support import human
from steplint.rules.base import Option, Rule, RuleContext, RuleDocs


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    threshold = ctx.option("tokens_threshold")
    recipe = ctx.recipe
    seq_len = recipe.value("seq_len")
    for name, unit in (("global_batch_sequences", "sequences"), ("micro_batch", "sequences")):
        fact = recipe.get(name)
        if fact is None or fact.source.kind != "key" or not isinstance(fact.value, (int, float)):
            continue
        if fact.value >= threshold:
            as_tokens = f" = {human(fact.value * seq_len)} tokens per step at seq_len {human(seq_len)}" if seq_len else ""
            yield ctx.diagnostic(
                f"{fact.source.key} is counted in {unit} but holds {human(fact.value)}{as_tokens}; "
                f"a value ≥ {human(threshold)} looks like a token count (divide by the sequence length)",
                at=fact,
            )
    tokens = recipe.get("global_batch_tokens")
    if tokens is not None and tokens.source.kind == "key" and isinstance(tokens.value, (int, float)):
        if tokens.value < threshold:
            as_sequences = f" = {tokens.value / seq_len:.3g} sequences of {human(seq_len)}" if seq_len else ""
            yield ctx.diagnostic(
                f"{tokens.source.key} is counted in tokens but holds {human(tokens.value)}{as_sequences}; "
                f"a value < {human(threshold)} looks like a sequence count (multiply by the sequence length)",
                at=tokens,
            )


RULE = Rule(
    code="SL102",
    name="batch-units",
    severity=Severity.WARNING,
    summary="A batch key holds a value implausible for its unit (tokens in a sequences key, or the reverse).",
    check=_check,
    options={"tokens_threshold": Option(65536, "integer", 1, help="a sequences key above this looks like tokens")},
    docs=RuleDocs(
        what=(
            "Frameworks count the batch in different units: sequences per device (HF, axolotl, "
            "MaxText, nanotron), global sequences (Megatron --global-batch-size, OLMo, litgpt, "
            "torchtitan global_batch_size) or tokens (OLMo-core global_batch_size, newer torchtitan). "
            "A sequences key holding ≥ 65,536, or a tokens key holding < 65,536, is flagged with "
            "both readings. `steplint show` always prints the global batch in sequences and tokens."
        ),
        why=(
            "A tokens value in a sequences key multiplies the batch by the sequence length "
            "(2,048× at seq 2048): the run either does not fit in memory or, with accumulation, "
            "takes thousands of times fewer optimizer steps than planned. Step Law's batch is in "
            "tokens (B* = 0.58·D^0.571) and is 32k-8.4M tokens in its grids, while real global "
            "batches in sequences are at most a few thousand, so 65,536 separates the two units."
        ),
        evidence=(
            "https://github.com/mosaicml/llm-foundry/issues/262",
            "https://github.com/step-law/steplaw/issues/2",
            "https://github.com/THUDM/slime/issues/39",
            "https://github.com/NVIDIA-NeMo/Speech/issues/10905",
            "https://github.com/RUCKBReasoning/codes/issues/11",
            "https://github.com/RUCAIBox/LLMSurvey/issues/23",
            "Step Law grids: 32,768-8,388,608 tokens per batch (arXiv 2503.04715; steplaw.md §3.4)",
        ),
        example=(
            "# Megatron args YAML: global_batch_size counts sequences\n"
            "global_batch_size: 4194304   # meant 4M tokens\nseq_length: 2048"
        ),
        fix="Divide by the sequence length (4,194,304 tokens / 2,048 = 2,048 sequences). No automatic fix.",
        suppress="Set the threshold with [tool.steplint.rules.SL102] tokens_threshold = N.",
    ),
)
