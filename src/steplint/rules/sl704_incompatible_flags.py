"""SL704 incompatible-flags: flag combinations the framework's own parser rejects.

The flags each framework refuses together are the dialects' table (`glue.exclusive`,
dialects/glue.py). Besides it, the rule reports what dialects found while reading a file, in
each file's `Notes.incompatible_flags` (`recipe.FlagClash`: flags, message, file, line, column).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterator, Optional

from steplint.diagnostics import Diagnostic, Severity
from steplint.documents.nodes import MappingNode, ScalarNode
from steplint.rules._support import dialect_of, glue_of, node_source
from steplint.rules.base import Rule, RuleContext, RuleDocs
from steplint.rules.sl703_deprecated_key import normalize_key

if TYPE_CHECKING:
    from steplint.documents.nodes import Document


def _set_flags(doc: Document, wanted: Optional[frozenset[str]] = None) -> dict[str, object]:
    """Normalized key -> node for root keys, plus dotted `a.b` for one nested level; with
    `wanted`, only those names (the others are never asked for)."""
    out: dict[str, object] = {}
    root = doc.root
    if not isinstance(root, MappingNode):
        return out
    heads = None if wanted is None else _heads(wanted)
    for key, value in root.items:
        if isinstance(key.value, str):
            name = normalize_key(key.value)
            if wanted is None or name in wanted:
                out.setdefault(name, value)
            if isinstance(value, MappingNode) and (heads is None or name in heads):
                for sub_key, sub_value in value.items:
                    if isinstance(sub_key.value, str):
                        dotted = f"{name}.{normalize_key(sub_key.value)}"
                        if wanted is None or dotted in wanted:
                            out.setdefault(dotted, sub_value)
    return out


@lru_cache(maxsize=None)
def _heads(wanted: frozenset[str]) -> frozenset[str]:
    """Every text before a dot in a wanted name (`a` and `a.b` of `a.b.c`): a root key
    spelled so has a nested key among the wanted."""
    return frozenset(name[:i] for name in wanted for i, c in enumerate(name) if c == ".")


_WANTED: dict[int, tuple[object, frozenset[str]]] = {}  # id(table) -> (table, the flag names it asks for)


def _wanted(table: tuple[Any, ...]) -> frozenset[str]:
    """Every name a dialect's exclusive-flag table asks for, once per table."""
    known = _WANTED.get(id(table))
    if known is None or known[0] is not table:
        known = _WANTED[id(table)] = (table, frozenset(n for rule in table for n in (*rule.first, *rule.second)))
    return known[1]


def _is_set(node: object) -> bool:
    if node is None:
        return False
    if isinstance(node, ScalarNode):
        value = node.value
        if value is None or value is False:
            return False
        if isinstance(value, str) and value.strip().lower() in ("false", "none", "null", "", "auto"):
            return False  # "auto": the HF Trainer fills it, and never enables both
    return True


def _first_set(flags: dict[str, Any], names: tuple[str, ...]) -> Optional[tuple[str, object]]:
    for name in names:
        if _is_set(flags.get(name)):
            return name, flags[name]
    return None


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    tables = glue_of(ctx.recipe).exclusive
    for path, doc in ctx.documents.items():
        table = tables.get(dialect_of(ctx.recipe, path) or "")
        if not table or getattr(doc, "root", None) is None:
            continue
        flags = _set_flags(doc, _wanted(table))
        for rule in table:
            first, second = _first_set(flags, rule.first), _first_set(flags, rule.second)
            if first and second:
                (name_a, _), (name_b, node_b) = first, second
                yield ctx.diagnostic(
                    f"{name_a} and {name_b} are both set: {rule.message}",
                    at=node_source(path, name_b, node_b),
                )
    yield from _from_dialects(ctx)


def _from_dialects(ctx: RuleContext) -> Iterator[Diagnostic]:
    for path, notes in ctx.recipe.file_notes.items():
        for found in notes.incompatible_flags:
            flags = " and ".join(found.flags)
            message = f"{flags}: {found.message}" if flags else found.message
            diagnostic = ctx.diagnostic(message, file=found.file or path)
            yield diagnostic._replace(line=found.line or 1, column=found.column or 1)


RULE = Rule(
    code="SL704",
    name="incompatible-flags",
    severity=Severity.ERROR,
    summary="Flag combinations or forms the framework's own parser rejects.",
    check=_check,
    formats=("megatron", "deepspeed", "hf-training-args", "axolotl"),
    docs=RuleDocs(
        what=(
            "Reports option pairs the framework refuses at start: Megatron-LM --train-iters with --train-samples, "
            "iteration-based training with sample-based LR flags (and the reverse), --lr-warmup-fraction with "
            "--lr-warmup-iters/-samples, --rampup-batch-size with --train-iters, --global-batch-size with "
            "--step-batch-size-schedule, fp16 with bf16 (Megatron, DeepSpeed, HF); axolotl "
            "gradient_accumulation_steps with batch_size, warmup_steps with warmup_ratio."
        ),
        why=(
            "These are parser or validator errors: the job fails at launch, after it waited for its "
            "allocation. Even NVIDIA's own 175B example script carried a combination its parser rejects "
            "(--global-batch-size with --step-batch-size-schedule; earlier --rampup-batch-size with "
            "--train-iters), so the numbers alone are not enough to lint."
        ),
        evidence=(
            "NVIDIA/Megatron-LM megatron/training/arguments.py validate_args at d98e8a64ddf3",
            "NVIDIA/Megatron-LM examples/gpt3/train_gpt3_175b_distributed.sh (formats-megatron-deepspeed.md §2.6)",
            "https://github.com/NVIDIA/Megatron-LM/pull/7099 (bare asserts)",
            "axolotl src/axolotl/utils/schemas/validation.py at 067b021c8b87",
        ),
        example="--train-iters 500000 --rampup-batch-size 16 16 5859375",
        fix="Keep one of the two options. No automatic fix (which one you meant is a choice).",
    ),
)
