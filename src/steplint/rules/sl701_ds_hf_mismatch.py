"""SL701 ds-hf-mismatch: explicit DeepSpeed values the HF Trainer refuses at start."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterator, Optional

from steplint.diagnostics import Diagnostic, Location, Severity
from steplint.documents.nodes import ScalarNode, SequenceNode, lookup
from steplint.rules._support import (
    deepspeed_documents,
    glue_of,
    hf_args_documents,
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
    from steplint.documents.nodes import Document, Node



def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)


def _hf_value(hf_doc: Document, key: str, default: float) -> tuple[float, Optional[ScalarNode]]:
    node = scalar(hf_doc, key)
    value = number(node)
    return (default, None) if value is None else (value, node)


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    hf_docs = hf_args_documents(ctx.recipe, ctx.documents)
    if not hf_docs:
        return
    hf_path, hf_doc = hf_docs[0]
    # The pairs HfTrainerDeepSpeedConfig compares (the dialects own the key names).
    glue = glue_of(ctx.recipe)
    hf, ds = glue.hf, glue.deepspeed
    world = ctx.recipe.value("world_size")
    for path, doc in deepspeed_documents(ctx.recipe, ctx.documents):
        for ds_key, hf_key, default in hf.pairs:
            node = scalar(doc, ds_key)
            ds_value = number(node)
            if node is None or is_auto(node) or ds_value is None:
                continue
            hf_value, hf_node = _hf_value(hf_doc, hf_key, default)
            if not _same(ds_value, hf_value):
                yield _mismatch(ctx, path, ds_key, node, ds_value, hf_path, hf_key, hf_node, hf_value)
        yield from _betas(ctx, path, doc, hf_path, hf_doc)
        node = scalar(doc, ds.train)
        if world and node is not None and number(node) is not None and not is_auto(node):
            micro, _ = _hf_value(hf_doc, *hf.micro)
            accum, _ = _hf_value(hf_doc, *hf.accumulation)
            expected = world * micro * accum
            if number(node) != expected:
                yield _mismatch(ctx, path, ds.train, node, number(node), hf_path,
                                f"world size × {hf.micro[0]} × {hf.accumulation[0]}",
                                scalar(hf_doc, hf.micro[0]), expected)


def _betas(ctx: RuleContext, path: str, doc: Document, hf_path: str, hf_doc: Document) -> Iterator[Diagnostic]:
    glue = glue_of(ctx.recipe)
    node = lookup(doc.root, glue.deepspeed.betas)
    if not isinstance(node, SequenceNode) or len(node) != 2:
        return
    values = [number(item) if isinstance(item, ScalarNode) else None for item in node]
    first, second = values
    if first is None or second is None:
        return
    beta1, _ = _hf_value(hf_doc, *glue.hf.beta1)
    beta2, _ = _hf_value(hf_doc, *glue.hf.beta2)
    if not (_same(first, beta1) and _same(second, beta2)):
        yield _mismatch(ctx, path, glue.deepspeed.betas, node, values, hf_path,
                        f"{glue.hf.beta1[0]}/{glue.hf.beta2[0]}", None, [beta1, beta2])


def _mismatch(ctx: RuleContext, path: str, ds_key: str, node: Node, ds_value: Any, hf_path: str, hf_key: str,
              hf_node: Optional[ScalarNode], hf_value: Any) -> Diagnostic:
    """Blamed in the TrainingArguments file (at the argument, or at its `deepspeed:` key when
    the argument is left at its default): that is the file people check, and the DeepSpeed
    JSON it names is loaded with it but only reported when passed itself."""
    origin = "" if hf_node is not None else " (its default)"
    blame = hf_node or scalar(_doc(ctx, hf_path), glue_of(ctx.recipe).hf.deepspeed)
    at = node_source(hf_path, hf_key, blame) if blame is not None else node_source(path, ds_key, node)
    related = (Location(path, node.span.start.line, node.span.start.column, f"DeepSpeed sets {ds_key} here"),)
    return ctx.diagnostic(
        f"TrainingArguments {hf_key} = {_show(hf_value)}{origin} but {path.rsplit('/', 1)[-1]} sets {ds_key} = "
        f"{_show(ds_value)}; the HF Trainer refuses to start on the mismatch (use \"auto\" in the DeepSpeed JSON "
        f"to take the HF value)",
        at=at, related=related, fix=_auto_fix(_doc(ctx, path), node, ds_key),
    )


def _doc(ctx: RuleContext, path: str) -> Optional[Document]:
    return ctx.documents.get(path)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(human(v) for v in value) + "]"
    return human(value)


def _auto_fix(doc: Optional[Document], node: Node, key: str) -> Optional[Fix]:
    return node_fix(doc, key, node, "auto", f'set {key} to "auto" so the HF Trainer fills it')


RULE = Rule(
    code="SL701",
    name="ds-hf-mismatch",
    severity=Severity.ERROR,
    summary="DeepSpeed JSON values that differ from the paired HF TrainingArguments (the Trainer rejects them).",
    check=_check,
    fix_applicability="safe",
    formats=("deepspeed", "hf-training-args", "llama-factory"),
    docs=RuleDocs(
        what=(
            "When a recipe has HF TrainingArguments and a DeepSpeed JSON, compares every explicit (non-\"auto\") "
            "DeepSpeed value the Trainer cross-checks with its TrainingArguments counterpart (or the HF default "
            "when the argument is not set): micro batch, accumulation, train_batch_size (with a world size), "
            "gradient clipping, optimizer lr / betas / eps / weight decay, scheduler warmup_max_lr."
        ),
        why=(
            "HfTrainerDeepSpeedConfig raises 'Please correct the following DeepSpeed config values that "
            "mismatch TrainingArguments values' when the Trainer starts, after model loading on every GPU. "
            "Users rarely know which keys may be \"auto\" (micro batch 1 vs 8, train batch 32 vs 4 in the "
            "linked issues)."
        ),
        evidence=(
            "https://github.com/huggingface/transformers/issues/27830",
            "https://github.com/CarperAI/trlx/issues/376",
            "https://github.com/huggingface/accelerate/issues/1644",
            "https://github.com/Roblox/FAI-RL/pull/70",
            "https://github.com/stanford-crfm/mistral/pull/101",
            "transformers/integrations/deepspeed.py HfTrainerDeepSpeedConfig.trainer_config_process",
        ),
        example="""# args.yaml: per_device_train_batch_size: 8\n# ds_config.json: {"train_micro_batch_size_per_gpu": 1}""",
        fix=(
            '--fix replaces the DeepSpeed value with "auto" (safe: the run then uses the TrainingArguments value, '
            "which is what the Trainer requires anyway)."
        ),
    ),
)
