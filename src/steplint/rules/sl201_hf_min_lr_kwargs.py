"""SL201 hf-min-lr-kwargs: HF scheduler kwargs the scheduler function would refuse."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Optional

from steplint.diagnostics import Applicability, Diagnostic, Expectation, Fix, Severity
from steplint.documents.nodes import MappingNode, ScalarNode
from steplint.rules._support import glue_of, hf_args_documents, node_source
from steplint.rules.base import Rule, RuleContext, RuleDocs

if TYPE_CHECKING:
    from steplint.documents.nodes import Document, Node
    from steplint.glue import HfScheduler

# The kwargs each HF schedule accepts, and the key names, are the HF dialect's
# (`glue.hf_scheduler`, dialects/glue.py, from transformers/optimization.py).
# Step Law's fixed floor (arXiv 2503.04715; steplaw.md section 4.1).
STEPLAW_MIN_LR = 1e-5

def _kwargs(doc: Document, kwargs_key: str) -> tuple[Optional[dict[str, Any]], Optional[MappingNode]]:
    """lr_scheduler_kwargs as a dict (a mapping, or the JSON string the HF CLI takes)."""
    node = doc.root.get(kwargs_key) if isinstance(doc.root, MappingNode) else None
    if isinstance(node, MappingNode):
        return {k.value: v for k, v in node.items}, node
    if isinstance(node, ScalarNode) and isinstance(node.value, str) and node.value.strip():
        import json  # only for a JSON-string value: not on every run's start-up path

        try:
            parsed = json.loads(node.value)
        except ValueError:
            return None, None
        return (parsed, None) if isinstance(parsed, dict) else (None, None)
    return {}, None


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    hf = glue_of(ctx.recipe).hf_scheduler
    for path, doc in hf_args_documents(ctx.recipe, ctx.documents):
        if not isinstance(doc.root, MappingNode):
            continue
        type_node = doc.root.get(hf.type_key)
        if not isinstance(type_node, ScalarNode) or not isinstance(type_node.value, str):
            continue
        scheduler = type_node.value.strip().lower()
        accepted = hf.accepted.get(scheduler)
        if accepted is None:
            continue
        kwargs, mapping = _kwargs(doc, hf.kwargs_key)
        if kwargs is None:
            continue
        kwargs_node = doc.root.get(hf.kwargs_key)
        at_kwargs = node_source(path, hf.kwargs_key, kwargs_node or type_node)
        unknown = sorted(k for k in kwargs if k not in accepted)
        if scheduler in hf.min_lr_schedulers:
            floors = [k for k in hf.floors if k in kwargs]
            if not floors:
                alias = next((a for a in hf.floor_aliases if a in kwargs), None)
                yield ctx.diagnostic(
                    f"lr_scheduler_type {scheduler} needs exactly one of min_lr (absolute) or min_lr_rate "
                    f"(ratio to peak) in lr_scheduler_kwargs"
                    + (f"; {alias} is not read (it is a torch CosineAnnealingLR name)" if alias else "")
                    + "; the Trainer raises when it builds the scheduler",
                    at=node_source(path, hf.type_key, type_node) if kwargs_node is None else at_kwargs,
                    fix=None if alias or unknown else _insert_floor_fix(path, doc, kwargs_node, hf),
                )
                unknown = [k for k in unknown if k != alias]
            elif len(floors) == 2:
                yield ctx.diagnostic(
                    f"lr_scheduler_kwargs sets both min_lr ({kwargs[floors[0]]!r}) and min_lr_rate "
                    f"({kwargs[floors[1]]!r}); {scheduler} takes exactly one and raises otherwise",
                    at=at_kwargs,
                )
        for key in unknown:
            node = _key_node(mapping, key)
            yield ctx.diagnostic(
                f"lr_scheduler_kwargs key {key!r} is not a parameter of the {scheduler} schedule "
                f"(accepted: {', '.join(sorted(accepted)) or 'none'}); the scheduler function raises TypeError",
                at=node_source(path, f"{hf.kwargs_key}.{key}", node) if node is not None else at_kwargs,
            )


def _key_node(mapping: Optional[MappingNode], key: str) -> Optional[ScalarNode]:
    if mapping is None:
        return None
    pair = mapping.get_pair(key)
    return pair[0] if pair else None


def _insert_floor_fix(path: str, doc: Document, kwargs_node: Optional[Node], hf: HfScheduler) -> Optional[Fix]:
    """Add Step Law's floor, `min_lr: 1.0e-5`, into an existing lr_scheduler_kwargs mapping
    when nothing else in it is wrong, so the scheduler then builds. (Creating the mapping
    is not offered: the fixer verifies new values key by key, not whole new tables.)"""
    if not isinstance(kwargs_node, MappingNode):
        return None
    from steplint.documents.edits import insert_key_edit  # the edit builders stay off the start-up path
    from steplint.literals import format_value

    try:
        edit = insert_key_edit(doc, kwargs_node, hf.floors[0], format_value(STEPLAW_MIN_LR, kind=doc.kind))
    except ValueError:
        return None
    return Fix(Applicability.SAFE, "set min_lr: 1.0e-5 (Step Law's floor) in lr_scheduler_kwargs", (edit,),
               (Expectation(path, f"{hf.kwargs_key}.{hf.floors[0]}", STEPLAW_MIN_LR),))


RULE = Rule(
    code="SL201",
    name="hf-min-lr-kwargs",
    severity=Severity.ERROR,
    summary="cosine_with_min_lr without min_lr / min_lr_rate, or lr_scheduler_kwargs the schedule does not take.",
    check=_check,
    fix_applicability="safe",
    formats=("hf-training-args",),
    docs=RuleDocs(
        what=(
            "For Hugging Face TrainingArguments files (and front ends that pass them through, such as "
            "TRL or LLaMA-Factory YAML): `cosine_with_min_lr` and `cosine_warmup_with_min_lr` need exactly "
            "one of `min_lr` (absolute) or `min_lr_rate` (ratio to the peak) in `lr_scheduler_kwargs`; "
            "every schedule rejects kwargs it does not define, such as `eta_min`."
        ),
        why=(
            "The Trainer only finds out when it builds the scheduler, after the model is loaded on every "
            "GPU: 'One of min_lr or min_lr_rate should be set through the lr_scheduler_kwargs', or a "
            "TypeError for an unknown kwarg. Wrappers that drop the kwargs reproduce the failure. "
            "Plain `cosine` silently decays to 0 instead of Step Law's 1e-5 floor (see SL301)."
        ),
        evidence=(
            "https://github.com/hiyouga/LlamaFactory/pull/4006",
            "https://github.com/hiyouga/LlamaFactory/issues/7284",
            "https://github.com/modelscope/ms-swift/issues/8172",
            "https://github.com/modelscope/ms-swift/issues/5754",
            "https://github.com/huggingface/open-muse/issues/144",
            "https://github.com/snowflakedb/ArcticTraining/pull/284",
            "transformers/optimization.py get_cosine_with_min_lr_schedule_with_warmup (PR #29341)",
        ),
        example="lr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs:\n  eta_min: 1.0e-5",
        fix=(
            "Add `min_lr: 1.0e-5` (Step Law's floor) or `min_lr_rate: 0.1` under lr_scheduler_kwargs, and "
            "rename a torch-style `eta_min` to `min_lr`. --fix adds `min_lr: 1.0e-5` when an lr_scheduler_kwargs "
            "mapping has no floor and nothing else wrong (safe: the run cannot start without a floor, and 1e-5 is the floor "
            "Step Law's optimum assumes)."
        ),
    ),
)
