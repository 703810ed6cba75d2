"""SL602 rope-base: RoPE base and position table vs the training sequence length."""

from __future__ import annotations

from typing import Iterator, Union

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules._support import human
from steplint.rules.base import Option, Rule, RuleContext, RuleDocs


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    seq = recipe.get("seq_len")
    if seq is None or not isinstance(seq.value, (int, float)):
        return
    max_pos = recipe.value("max_position_embeddings")
    if isinstance(max_pos, (int, float)) and seq.value > max_pos:
        yield ctx.diagnostic(
            f"sequence length {human(seq.value)} exceeds max_position_embeddings {human(max_pos)}; Megatron asserts "
            f"this at start, learned position tables index out of range, and RoPE models train on positions "
            f"the config says they do not have",
            at=seq, severity=Severity.ERROR,
        )
        return
    theta = recipe.value("rope_theta")
    if _windowed(recipe.notes.sliding_window, seq.value):
        return
    if isinstance(theta, (int, float)) and seq.value > ctx.option("long_seq_len") and theta <= ctx.option("min_theta"):
        yield ctx.diagnostic(
            f"RoPE base {human(theta)} with sequence length {human(seq.value)}: the base bounds the context a model "
            f"can retrieve from (Men et al. 2024); long-context models use 500,000-1,000,000 (Llama 3, Qwen2)",
            at=seq, severity=Severity.INFO,
        )


def _windowed(window: Union[int, bool, None], seq_len: float) -> bool:
    """Whether attention is windowed shorter than the sequence (a dialect's `sliding_window`
    extra: the window size, or True when only known to be on); a window as long as the
    sequence attends to every position, so the RoPE base matters again."""
    if window is True:
        return True
    return isinstance(window, (int, float)) and not isinstance(window, bool) and 0 < window < seq_len


RULE = Rule(
    code="SL602",
    name="rope-base",
    severity=Severity.INFO,
    summary="RoPE base small for the sequence length (info); seq_len > max positions (error).",
    check=_check,
    options={"long_seq_len": Option(8192, "integer", 1, help="sequence length from which a small RoPE base is noted"),
             "min_theta": Option(10000, "number", 0.0, exclusive_minimum=True, help="RoPE base at or below this is small")},
    docs=RuleDocs(
        what=(
            "Error when the training sequence length exceeds max_position_embeddings. Info when the "
            "sequence is longer than 8,192 and rope_theta is 10,000 or less, unless attention uses a sliding "
            "window shorter than the sequence (Mistral v0.1, Gemma 2/3; Qwen2's unused window does not count)."
        ),
        why=(
            "Megatron-LM asserts max_position_embeddings ≥ seq_length, so the error costs a launch. "
            "Men et al. show the RoPE base has a lower bound that grows with the target context: below it "
            "the model keeps a low perplexity but loses long-range retrieval. Llama 3 (8,192 positions) "
            "uses 500,000 and Qwen2 (32,768) 1,000,000; Llama 2 (4,096) uses 10,000."
        ),
        evidence=(
            "Men et al. 2024, arXiv 2405.14591 (Base of RoPE Bounds Context Length)",
            "https://github.com/hiyouga/LlamaFactory/issues/9524",
            "https://github.com/alex-hh/profam/issues/149",
            "https://github.com/QwenLM/Qwen3/issues/778",
            "Megatron-LM megatron/training/arguments.py (max_position_embeddings ≥ seq_length)",
        ),
        example="seq_length: 16384\nmax_position_embeddings: 16384\nrotary_base: 10000",
        fix="Raise rope_theta (e.g. 500,000) or max_position_embeddings. No automatic fix.",
        suppress="Thresholds: [tool.steplint.rules.SL602] long_seq_len, min_theta.",
    ),
)
