"""SL601 shape-alignment: matrix dimensions that miss Tensor Core tile sizes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules._applicability import is_pretraining
from steplint.rules._support import dialect_of, human
from steplint.rules.base import Option, Rule, RuleContext, RuleDocs

if TYPE_CHECKING:
    from steplint.recipe import Fact, Recipe

# Dialects whose vocab key is not the padded embedding size steplint would want to change:
# a released checkpoint's config.json (fixed by the tokenizer and weights), and Megatron,
# NeMo and GPT-NeoX, which pad the vocab themselves (--make-vocab-size-divisible-by 128).
_VOCAB_NOT_PADDED_HERE = frozenset({"hf-config", "megatron", "nemo", "neox"})


def _vocab_is_chosen_here(recipe: Recipe, fact: Fact) -> bool:
    return fact.source.kind == "key" and dialect_of(recipe, fact.source.file or "") not in _VOCAB_NOT_PADDED_HERE


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    if not is_pretraining(recipe):
        return
    multiple = ctx.option("multiple")
    for name, label in (("vocab_size", "vocab size"), ("hidden_size", "hidden size"), ("ffn_hidden_size", "FFN width")):
        fact = recipe.get(name)
        if fact is None or not isinstance(fact.value, int) or fact.value % multiple == 0:
            continue
        if name == "vocab_size" and not _vocab_is_chosen_here(recipe, fact):
            continue
        padded = -(-fact.value // multiple) * multiple
        yield ctx.diagnostic(
            f"{label} {human(fact.value)} is not a multiple of {multiple} (next: {human(padded)}); "
            f"matrix multiplies on it miss Tensor Core tiles",
            at=fact,
        )
    head_dim = recipe.get("head_dim")
    step = ctx.option("head_dim_multiple")
    if head_dim is not None and isinstance(head_dim.value, int) and head_dim.value % step:
        yield ctx.diagnostic(
            f"head_dim {head_dim.value} is not a multiple of {step}; fused attention kernels "
            f"(FlashAttention) and Tensor Cores want 64, 128 or 256",
            at=head_dim,
        )


RULE = Rule(
    code="SL601",
    name="shape-alignment",
    severity=Severity.INFO,
    summary="Vocab, hidden or FFN size not a multiple of 64; odd head_dim.",
    check=_check,
    options={"multiple": Option(64, "integer", 1, help="vocab, hidden and FFN sizes should be multiples of it"),
             "head_dim_multiple": Option(8, "integer", 1, help="head_dim should be a multiple of it")},
    docs=RuleDocs(
        what=(
            "In pre-training configs, reports a vocab size, hidden size or FFN width that is not a multiple "
            "of 64, and a head_dim that is not a multiple of 8. The vocab is only checked where the key is "
            "the padded embedding size the user chooses (not a released checkpoint's config.json, and not "
            "Megatron/NeMo/NeoX, which pad it themselves)."
        ),
        why=(
            "GPU matrix multiplies run fastest when dimensions are multiples of the Tensor Core tile "
            "(NVIDIA's matrix multiplication guide). Padding GPT-2's vocab from 50,257 to 50,304 gave about "
            "4% throughput in nanoPALM; TF's Transformer padded 33,708 to 33,712 and saved ~35 ms per step."
        ),
        evidence=(
            "https://docs.nvidia.com/deeplearning/performance/dl-performance-matrix-multiplication/index.html",
            "https://github.com/RobertRiachi/nanoPALM/pull/6",
            "https://github.com/rasbt/LLMs-from-scratch/pull/582",
            "https://github.com/tensorflow/models/pull/7407",
            "https://github.com/NVIDIA/DeepLearningExamples/issues/534",
        ),
        example="vocab_size: 50257   # pad to 50304",
        fix="Round the dimension up to the next multiple of 64 (vocab: pad the embedding). No automatic fix.",
        suppress="Change the multiple with [tool.steplint.rules.SL601] multiple = 128.",
    ),
)
