"""SL101 ds-batch-triple: DeepSpeed's train = micro x accumulation x world size."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from steplint.diagnostics import Applicability, Diagnostic, Severity
from steplint.rules._support import (
    deepspeed_documents,
    glue_of,
    human,
    is_auto,
    node_source,
    number,
    scalar,
)
from steplint.rules._fixes import node_fix
from steplint.rules.base import Rule, RuleContext, RuleDocs

if TYPE_CHECKING:
    from steplint.diagnostics import Fix
    from steplint.documents.nodes import Document, ScalarNode


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    keys = glue_of(ctx.recipe).deepspeed  # the dialect's names of the batch triple
    train_key, micro_key, accum_key = keys.train, keys.micro, keys.accumulation
    world = ctx.recipe.value("world_size")
    for path, doc in deepspeed_documents(ctx.recipe, ctx.documents):
        nodes = {key: scalar(doc, key) for key in (train_key, micro_key, accum_key)}
        if any(is_auto(node) for node in nodes.values()):
            continue  # filled by the HF Trainer (SL701/SL702 judge the "auto" values)
        train, micro, accum = (number(nodes[k]) for k in (train_key, micro_key, accum_key))
        if train is None or (micro is None and accum is None):
            continue  # DeepSpeed fills two missing members itself, always consistently
        if any(v is not None and (v <= 0 or v != int(v)) for v in (train, micro, accum)) \
                or (world is not None and world <= 0):
            continue  # a batch member that is not a positive whole number is a bad value, not arithmetic to check
        blame = nodes[train_key]
        at = node_source(path, train_key, blame)
        if micro is not None and accum is not None:
            per_rank = micro * accum
            if world:
                if train != per_rank * world:
                    yield ctx.diagnostic(
                        f"{train_key} {human(train)} ≠ micro batch {human(micro)} × accumulation {human(accum)} × "
                        f"world size {human(world)} = {human(per_rank * world)}; DeepSpeed stops at start "
                        f"with 'Check batch related parameters'",
                        at=at, fix=_fix_accumulation(doc, accum_key, nodes[accum_key], train, micro, world),
                    )
            elif train % per_rank == 0:
                yield ctx.diagnostic(
                    f"{train_key} {human(train)} = micro batch {human(micro)} × accumulation {human(accum)} × world size "
                    f"{human(train // per_rank)}: this file only runs on {human(train // per_rank)} GPUs (data-parallel "
                    f"ranks); DeepSpeed stops at start on any other count",
                    at=at, severity=Severity.INFO,
                )
            else:
                yield ctx.diagnostic(
                    f"{train_key} {human(train)} is not a multiple of micro batch {human(micro)} × accumulation "
                    f"{human(accum)} = {human(per_rank)}: no world size satisfies DeepSpeed's "
                    f"train = micro × accumulation × world size (implied world size {train / per_rank:.3g})",
                    at=at,
                )
            continue
        given, given_key = (micro, micro_key) if micro is not None else (accum, accum_key)
        assert given is not None  # (one of them is set: checked above)
        divisor = given * (world or 1)
        if train % divisor or train < divisor:
            where = f" × world size {human(world)}" if world else ""
            yield ctx.diagnostic(
                f"{train_key} {human(train)} is not divisible by {given_key} {human(given)}{where}; DeepSpeed fills "
                f"the missing member by integer division and then fails its own "
                f"train = micro × accumulation × world size check",
                at=at,
            )


def _fix_accumulation(doc: Document, accum_key: str, accum_node: Optional[ScalarNode], train: float, micro: float,
                      world: float) -> Optional[Fix]:
    """Recompute accumulation (the member people rarely pin on purpose) when it divides out."""
    if accum_node is None or train % (micro * world):
        return None
    accum = train // (micro * world)
    return node_fix(
        doc, accum_key, accum_node, int(accum),
        f"set {accum_key} to {accum} so that {train} = {micro} × {accum} × {world}", Applicability.UNSAFE,
    )


RULE = Rule(
    code="SL101",
    name="ds-batch-triple",
    severity=Severity.ERROR,
    summary="DeepSpeed train_batch_size ≠ micro batch × gradient accumulation × world size.",
    check=_check,
    fix_applicability="unsafe",
    formats=("deepspeed",),
    docs=RuleDocs(
        what=(
            "Reads train_batch_size, train_micro_batch_size_per_gpu and gradient_accumulation_steps "
            "of a DeepSpeed JSON. With a world size (--world-size or settings) it checks "
            "train = micro × accumulation × world size exactly. Without one it checks that some whole "
            "world size satisfies it (train must be a multiple of micro × accumulation) and, when one does, "
            "states that the file only runs on that many data-parallel ranks (info). When one member is left "
            "out, DeepSpeed fills it by integer division, so the given members must divide train_batch_size."
        ),
        why=(
            "DeepSpeed asserts the identity when the engine starts, after the job has waited in the "
            "queue and the cluster is allocated; a wrong triple costs a whole launch. The values are "
            "often copied from a run on another number of GPUs (256 ≠ 2 × 18 × 7 in OpenRLHF#346)."
        ),
        evidence=(
            "https://github.com/deepspeedai/DeepSpeed/issues/6914",
            "https://github.com/OpenRLHF/OpenRLHF/issues/346",
            "https://github.com/hiyouga/LlamaFactory/issues/2574",
            "https://github.com/bigcode-project/starcoder/issues/77",
            "https://github.com/deepspeedai/DeepSpeed/issues/17",
            "deepspeed/runtime/config.py (_batch_assertion) at edaa72212672",
        ),
        example=(
            """{"train_batch_size": 256, "train_micro_batch_size_per_gpu": 2, "gradient_accumulation_steps": 18}\n"""
            "# steplint check --world-size 7 ds_config.json"
        ),
        fix=(
            "Recompute the member you did not mean to pin, usually gradient_accumulation_steps = "
            "train / (micro × world size); under the HF Trainer set the three to \"auto\". "
            "--unsafe-fixes recomputes gradient_accumulation_steps when the world size is known "
            "and it divides out (it changes the run if train_batch_size was the wrong one)."
        ),
    ),
)
