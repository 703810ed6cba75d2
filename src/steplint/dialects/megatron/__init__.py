"""Megatron-LM and Megatron-DeepSpeed: launch scripts, functional-test YAML, `--yaml-cfg` YAML.

All three forms carry the same argparse options, so they are read through one view
(`_Args`, argparse dest name -> where the form writes it) and interpreted once. What this
module knows that nothing else does:

* defaults of Megatron-LM's `arguments.py` (NVIDIA/Megatron-LM d98e8a6, 2026-08) and of the
  bigscience Megatron-DeepSpeed fork (8387ae1): FFN width (4h, or int((4h*2/3)/64)*64 with
  `--swiglu` in Megatron-LM, but 4h for the forks' GLU), GQA only with
  `--group-query-attention`, LR decay style `linear`, min LR 0;
* the scheduler counts *samples* (docs/formats-megatron-deepspeed.md section 2.4), so
  sample-based values and any batch ramp-up (`--rampup-batch-size START INC SAMPLES`) are
  replayed here to give optimizer steps (`RampUp`, also used by the NeMo dialect);
* flag combinations Megatron's own parser rejects (section 2.5/2.6), recorded in
  `Notes.incompatible_flags` for SL704.

Notes: `variant` (megatron-lm, megatron-deepspeed/bigscience|microsoft), `scheduler` (raw
decay style), `rampup` (start, increment, samples, final, completes, last_batch),
`incompatible_flags`, `ignored_keys` (accepted but without effect, e.g. --num-query-groups
without --group-query-attention), `ignored_blocks` (the forks pass their own optimizer and
scheduler, so those blocks of the DeepSpeed JSON are dead text), `objective`.

The package: `arguments` (the one view of the flags), `architecture`, `schedule` (steps,
tokens, LR, optimizer), `rampup`, `launch` (parallelism, world size, referenced files)
and `init` (where the weights start); this module detects and assembles.
"""

from __future__ import annotations

from typing import Any

from steplint.arch import count_facts, describe
from steplint.dialects.base import ExtractContext, Extraction, root_names
from steplint.dialects.config_reader import FactSheet
from steplint.dialects.megatron.architecture import _architecture, _hybrid_pattern, _pyramid_counts, moe_layer_count
from steplint.dialects.megatron.arguments import BIGSCIENCE, MEGATRON_LM, MICROSOFT, _Args, _layout
from steplint.dialects.megatron.launch import _parallelism, _references
from steplint.dialects.megatron.rampup import MAX_RAMP_STAGES, RampUp
from steplint.dialects.megatron.schedule import _optimizer, _training
from steplint.documents.nodes import Document, MappingNode, ScalarNode
from steplint.recipe import FlagClash, Notes

# What other dialects and the tests import from here.
__all__ = ("NAME", "DESCRIPTION", "detect", "extract", "RampUp", "MAX_RAMP_STAGES", "moe_layer_count",
           "MEGATRON_LM", "BIGSCIENCE", "MICROSOFT")

NAME = "megatron"
DESCRIPTION = "Megatron-LM / Megatron-DeepSpeed launch scripts, functional-test YAML and --yaml-cfg YAML"

# Flags only the Megatron-DeepSpeed forks have (section 3).
_DEEPSPEED_FORK_FLAGS = ("--deepspeed", "--deepspeed_config", "--deepspeed-config", "--zero-stage")
_BIGSCIENCE_FLAGS = ("--glu-activation", "--pad-vocab-size-to", "--embed-layernorm", "--train-tokens",
                     "--lr-decay-tokens", "--abort-on-unmet-fused-kernel-constraints")
_MICROSOFT_FLAGS = ("--num-key-value-heads", "--topk", "--expert-interval", "--mlp-type", "--lr-warmup-tokens")


def detect(doc: Document) -> float:
    layout = _layout(doc)
    if layout is None:
        return 0.0
    root = doc.root
    assert isinstance(root, MappingNode)
    if layout == "script":
        program = root.get("program")
        name = str(program.value).rsplit("/", 1)[-1] if isinstance(program, ScalarNode) else ""
        architecture = sum(1 for flag in ("--num-layers", "--hidden-size", "--micro-batch-size",
                                          "--global-batch-size", "--lr-decay-style") if flag in root)
        if name.startswith("pretrain_") and architecture:
            return 0.95
        return 0.6 if architecture >= 3 else 0.0
    if layout == "test-yaml":
        return 0.95
    flat = len(root_names(doc).intersection(("lr_decay_style", "micro_batch_size", "train_samples", "train_iters",
                                             "use_legacy_models")))
    return 0.9 if isinstance(root.get("model_parallel"), MappingNode) or flat >= 2 else 0.5



def _variant(doc: Document, args: _Args) -> tuple[str, str]:
    if args.layout != "script":
        return "megatron-lm", MEGATRON_LM
    root = doc.root
    assert isinstance(root, MappingNode)
    if any(flag in root for flag in _DEEPSPEED_FORK_FLAGS + _BIGSCIENCE_FLAGS + _MICROSOFT_FLAGS):
        # DeepSpeed-MoE (`--num-experts` as a list) exists only in the microsoft fork
        if any(flag in root for flag in _MICROSOFT_FLAGS + ("--num-experts",)):
            return "megatron-deepspeed/microsoft", MICROSOFT
        return "megatron-deepspeed/bigscience", BIGSCIENCE
    return "megatron-lm", MEGATRON_LM


def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    layout = _layout(doc) or "script"
    probe = _Args(doc, layout, MEGATRON_LM)
    variant, framework = _variant(doc, probe)
    args = _Args(doc, layout, framework)
    sheet = FactSheet()
    notes: dict[str, Any] = {"variant": variant}
    incompatible: list[FlagClash] = []

    spec, pyramid = _architecture(args, variant, sheet, notes)
    if spec is not None:
        # without a vocabulary no n_params_total: the vocabulary comes from the tokenizer
        if pyramid:
            counts = _pyramid_counts(spec, pyramid, f"{variant} {describe(spec)}")
            if not spec.vocab_size:
                counts.pop("n_params_total")
        else:
            counts = count_facts(spec, note=f"{variant} {describe(spec)}", total=bool(spec.vocab_size))
        sheet.facts.update(counts)

    _parallelism(doc, args, sheet, ctx)
    _training(args, sheet, notes, incompatible, ctx)
    _optimizer(args, sheet)

    references = _references(doc, args, variant)
    if variant.startswith("megatron-deepspeed") and any(r.role == "deepspeed" for r in references):
        notes["ignored_blocks"] = ("optimizer", "scheduler")
    notices: tuple[str, ...] = ()
    if args.flag("use_checkpoint_args"):
        notices = (f"{doc.path}: --use-checkpoint-args loads the architecture from the checkpoint; "
                   "the flags in the file may not be what runs",)
    notices += tuple(args.generated)
    if incompatible:
        notes["incompatible_flags"] = tuple(incompatible)
    # Knowledge distillation (microsoft/Megatron-DeepSpeed f4157be, megatron/arguments.py
    # l.1552-1562: --mos "mixture of students", --kd, --load-teacher): the loss is a teacher's
    # distribution, not the next-token loss Step Law was fitted on.
    if args.flag("mos") or args.flag("kd") or args.has("load_teacher"):  # flags only that fork has
        notes["objective"] = "knowledge distillation from a teacher (--mos / --kd / --load-teacher)"
    out = Extraction(
        dialect=NAME,
        file=doc.path,
        facts=dict(sheet.facts),
        arch=spec,
        references=references,
        diagnostics=tuple(args.diagnostics) + tuple(args.reader.diagnostics),
        notices=notices,
        notes=Notes(**notes),
    )
    return _hybrid_pattern(args, out)
