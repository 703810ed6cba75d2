"""SL702 ds-auto-outside-hf: DeepSpeed "auto" values nothing will fill."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.documents.nodes import ScalarNode, walk
from steplint.rules._support import (
    deepspeed_documents,
    glue_of,
    hf_args_documents,
    is_auto,
    node_source,
)
from steplint.rules.base import Rule, RuleContext, RuleDocs

if TYPE_CHECKING:
    from steplint.documents.nodes import Document

def _autos(doc: Document) -> list[tuple[str, ScalarNode]]:
    return [(".".join(str(p) for p in path), node) for path, node in walk(doc.root)
            if isinstance(node, ScalarNode) and is_auto(node)]


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    hf = glue_of(ctx.recipe).hf
    # an HF arguments file, or a framework that launches through the HF Trainer (axolotl)
    under_hf = bool(hf_args_documents(ctx.recipe, ctx.documents)) or bool(hf.launchers & set(ctx.recipe.dialects))
    filled = hf.filled  # the keys HfTrainerDeepSpeedConfig fills (dialects/glue.py)
    for path, doc in deepspeed_documents(ctx.recipe, ctx.documents):
        autos = _autos(doc)
        if not autos:
            continue
        if not under_hf:
            keys = ", ".join(key for key, _ in autos)
            first_key, first = autos[0]
            if len(ctx.recipe.files) <= 1 and all(key in filled for key, _ in autos):
                # A DeepSpeed JSON checked on its own whose "auto" keys are exactly the ones the
                # HF Trainer fills: its launcher is not in view (the HF arguments file names the
                # JSON, not the other way round). The recipe of the launcher that names it
                # reports it; judging it here would contradict that recipe.
                continue
            launchers = sorted({d for f, d in zip(ctx.recipe.files, ctx.recipe.dialects) if f != path} - {"unknown"})
            via = f" (launched by {', '.join(launchers)})" if launchers else ""
            yield ctx.diagnostic(
                f'{len(autos)} "auto" value(s) ({keys}) but no HF TrainingArguments file is part of this recipe{via}: '
                f'only the HF Trainer / accelerate fill "auto", and DeepSpeed fails comparing the string with a number; '
                f"write the numbers, or group the JSON with the HF arguments file that launches it (--recipe)",
                at=node_source(path, first_key, first),
            )
            continue
        for key, node in autos:
            if key not in filled:
                yield ctx.diagnostic(
                    f'{key} is "auto" but the HF Trainer does not fill this key; DeepSpeed receives the string '
                    f'"auto"',
                    at=node_source(path, key, node),
                )


RULE = Rule(
    code="SL702",
    name="ds-auto-outside-hf",
    severity=Severity.ERROR,
    summary='DeepSpeed "auto" values where no HF launch fills them.',
    check=_check,
    formats=("deepspeed",),
    docs=RuleDocs(
        what=(
            'Flags "auto" in a DeepSpeed JSON when the recipe has no HF TrainingArguments file to fill it '
            '(Megatron-DeepSpeed, a plain deepspeed launch), and, under HF, "auto" in keys the Trainer does not '
            "fill (it fills the batch triple, clipping, optimizer lr/betas/eps/weight decay, scheduler warmup and "
            "step counts, fp16/bf16/amp switches and three ZeRO-3 bucket sizes). A DeepSpeed JSON checked on its "
            'own whose "auto" keys are all ones the Trainer fills is not judged: its launcher is not in view, and '
            "the recipe of the launch script or arguments file that names it reports it."
        ),
        why=(
            '"auto" is a placeholder of the HF integration, not a DeepSpeed value. Left unresolved it reaches '
            "DeepSpeed's config code or zero.Init and fails with a str/int comparison at start, after the job "
            "got its GPUs."
        ),
        evidence=(
            "https://github.com/huggingface/transformers/issues/27830",
            "https://github.com/CarperAI/trlx/issues/376",
            "https://github.com/huggingface/accelerate/issues/1644",
            "transformers/integrations/deepspeed.py (the keys HfTrainerDeepSpeedConfig fills)",
        ),
        example="""{"train_micro_batch_size_per_gpu": "auto"}   # launched with deepspeed pretrain_gpt.py""",
        fix=(
            "Write the numbers, or group the DeepSpeed JSON with the HF arguments file that fills it "
            "(--recipe args.yaml,ds.json or [[tool.steplint.recipes]]). No automatic fix."
        ),
    ),
)
