"""axolotl YAML: its own pydantic schema whose values end up in HF TrainingArguments.

axolotl renames the HF keys (`micro_batch_size`, `num_epochs`, `lr_scheduler`,
`sequence_len`), gives the floor as a ratio (`cosine_min_lr_ratio`, cosine only; without
it the cosine decays to 0), picks a warmup silently when none is set
(min(3% of the steps, 100)), and names the architecture by reference (`base_model`, a hub
id or a local folder). The global batch is per GPU, so it needs the world size
(`WORLD_SIZE` at launch). Streaming and `pretraining_dataset` runs must set `max_steps`.

Keys and defaults: src/axolotl/utils/schemas/{config,training,validation}.py,
utils/config/__init__.py (normalize_config), core/builders/base.py and
core/trainers/mixins/scheduler.py of axolotl-ai-cloud/axolotl at 067b021c;
formats-hf-modern.md section 4. Schedule shapes are transformers' (hf_training_args).
"""

from __future__ import annotations

import math
import os
from typing import Any, Optional

from steplint.dialects.base import ExtractContext, Extraction, Reference
from steplint.dialects.config_reader import (
    CASTS_STRINGS, ConfigReader, FactSheet, Value, derived, never_raises, present, finish,
)
from steplint.dialects.hf_training_args import DECAY_STYLES
from steplint.documents.nodes import Document, MappingNode, ScalarNode
from steplint.recipe import ModelRef, Notes, Source, default_source, key_source

NAME = "axolotl"
DESCRIPTION = "axolotl YAML (base_model, sequence_len, micro_batch_size, num_epochs, lr_scheduler)"

FRAMEWORK = "axolotl 067b021c (src/axolotl/utils/schemas)"
TRANSFORMERS = "transformers TrainingArguments (axolotl passes None through)"

DEFAULT_SEQ_LEN = 512
DEFAULT_MICRO_BATCH = 1
DEFAULT_GRAD_ACCUM = 1
DEFAULT_EPOCHS = 1.0
DEFAULT_SCHEDULER = "cosine"
DEFAULT_OPTIMIZER = "adamw_torch_fused"
DEFAULT_WEIGHT_DECAY = 0.0
# None in axolotl -> TrainingArguments defaults.
HF_DEFAULTS = {"adam_beta1": 0.9, "adam_beta2": 0.999, "adam_epsilon": 1e-8, "max_grad_norm": 1.0}
# Warmup when neither warmup_steps nor warmup_ratio is set (core/builders/base.py).
AUTO_WARMUP_FRACTION, AUTO_WARMUP_CAP = 0.03, 100
# Schedules that decay to a floor at the last step: cosine (to cosine_min_lr_ratio or 0), linear (to 0).
_TO_FLOOR = ("cosine", "linear", "cosine_with_restarts")
LORA_ADAPTERS = ("lora", "qlora")

_DISTINCTIVE = ("base_model", "sequence_len", "micro_batch_size", "num_epochs")
_MARKERS = _DISTINCTIVE + ("sample_packing", "lr_scheduler", "pretraining_dataset", "datasets", "adapter",
                           "special_tokens", "wandb_project", "val_set_size", "cosine_min_lr_ratio")


def detect(doc: Document) -> float:
    if doc.kind not in ("yaml", "json") or not isinstance(doc.root, MappingNode):
        return 0.0
    reader = ConfigReader(doc, FRAMEWORK)
    distinctive = present(_DISTINCTIVE, reader)
    if distinctive < 2:
        return 0.0
    return min(1.0, 0.6 + 0.05 * present(_MARKERS, reader))


@never_raises(NAME, "axolotl config")
def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    reader = ConfigReader(doc, FRAMEWORK, loader=CASTS_STRINGS)
    sheet = FactSheet()
    notices: list[str] = []
    notes: dict[str, Any] = {}
    references = _references(reader, notes)
    _batch(reader, sheet, ctx, notices)
    _schedule(reader, sheet, notices, notes)
    _optimizer(reader, sheet)
    _init(reader, sheet)
    return finish(NAME, doc, reader, sheet, references=references, notices=notices, notes=Notes(**notes))


def _references(reader: ConfigReader, notes: dict[str, Any]) -> tuple[Reference, ...]:
    """The model config (base_model_config, else base_model) and a DeepSpeed JSON path.

    Like HF's model_name_or_path, a name is a local folder when one exists; otherwise a
    hub id (`org/name`) whose config.json resolve may find in its table."""
    refs: list[Reference] = []
    folder = os.path.dirname(reader.doc.path)
    for key in ("base_model_config", "base_model"):
        name = reader.text(key)
        if name is None or not name.value.strip():
            continue
        local = os.path.join(folder, os.path.expanduser(name.value.strip()))
        notes["model_ref"] = ModelRef(key, name.value, not os.path.exists(local) and name.value.count("/") == 1
                                      and not name.value.startswith((".", "/", "~")))
        refs.append(Reference(path=local, role="model", key=key, span=name.source.span))
        break
    deepspeed = reader.node("deepspeed")
    if isinstance(deepspeed, ScalarNode) and isinstance(deepspeed.value, str) and deepspeed.value.strip():
        refs.append(Reference(path=os.path.join(folder, deepspeed.value.strip()), role="deepspeed",
                              key="deepspeed", span=deepspeed.span))
    return tuple(refs)


def _batch(reader: ConfigReader, sheet: FactSheet, ctx: ExtractContext, notices: list[str]) -> None:
    sheet.put("seq_len", reader.count_or_default("sequence_len", DEFAULT_SEQ_LEN))
    micro = sheet.put("micro_batch", reader.count_or_default("micro_batch_size", DEFAULT_MICRO_BATCH))
    accum = reader.count("gradient_accumulation_steps")
    batch_size = reader.count("batch_size")
    if accum is None and batch_size is not None:
        accum = derived(batch_size.value // micro.value, "batch_size // micro_batch_size", "micro_batch")
    sheet.put("grad_accum", accum or reader.default(DEFAULT_GRAD_ACCUM, "gradient_accumulation_steps not set"))
    if ctx.world_size:
        sheet.put("global_batch_sequences", derived(
            micro.value * sheet.value("grad_accum") * ctx.world_size,
            "micro_batch_size * gradient_accumulation_steps * world_size", "micro_batch", "grad_accum",
            "world_size"))
    packing = reader.flag("sample_packing")
    if packing is not None and packing.value:
        notices.append("sample_packing: rows are packed into sequence_len blocks, so tokens are an upper bound "
                       "(padding and the pack fill rate are unknown)")


def _schedule(reader: ConfigReader, sheet: FactSheet, notices: list[str], notes: dict[str, Any]) -> None:
    steps = reader.integer("max_steps")
    if steps is not None and steps.value > 0:
        sheet.put("train_steps", steps)
    else:
        steps = None
        epochs = reader.number_or_default("num_epochs", DEFAULT_EPOCHS)
        notices.append(f"the run is {epochs.value} epoch(s) (no max_steps): its steps and tokens depend on the "
                       "dataset size; set max_steps or pass --tokens")
        streaming = reader.flag("streaming")
        for key in ("pretraining_dataset", "streaming"):
            if reader.has(key) and (key != "streaming" or (streaming is not None and streaming.value)):
                # validation.py check_pretraining_w_max_steps / check_streaming_w_max_steps
                reader.rejected((key,), "axolotl requires max_steps with pretraining_dataset or streaming "
                                "(the dataset has no length)", key)
                break
    total = steps.value if steps is not None else None

    peak = sheet.put("peak_lr", reader.positive("learning_rate"))
    name = reader.text_or_default("lr_scheduler", DEFAULT_SCHEDULER)
    notes["scheduler"] = str(name.value)
    style = DECAY_STYLES.get(name.value)
    if style is not None:
        sheet.put("decay_style", Value(style, name.source))
    else:
        notices.append(f"lr_scheduler {name.value!r} has no fixed shape steplint can check")

    if name.value in _TO_FLOOR:
        ratio = reader.fraction("cosine_min_lr_ratio") if name.value == "cosine" else None
        if ratio is not None and peak is not None:
            sheet.put("min_lr", derived(peak.value * ratio.value, "learning_rate * cosine_min_lr_ratio",
                                        "peak_lr", note=f"cosine_min_lr_ratio {ratio.value} is a ratio",
                                        at=ratio.source))
        else:
            sheet.put("min_lr", reader.default(0.0, f"{name.value} without cosine_min_lr_ratio decays to 0"))
        if steps is not None and total is not None:
            hold = reader.fraction("cosine_constant_lr_ratio") if name.value == "cosine" else None
            if hold is not None:
                sheet.put("decay_end_step", derived(int(hold.value * total), "cosine_constant_lr_ratio * train_steps",
                                                    "train_steps", note="then held at the floor", at=hold.source))
            else:
                sheet.put("decay_end_step", derived(total, "train_steps (decays over the whole run)", "train_steps",
                                                    at=steps.source))
    elif name.value in ("constant", "constant_with_warmup") and peak is not None:
        sheet.put("min_lr", derived(peak.value, "peak_lr (constant schedule)", "peak_lr"))
    _warmup(reader, sheet, total, notes)


def _warmup(reader: ConfigReader, sheet: FactSheet, total: Optional[int], notes: dict[str, Any]) -> None:
    steps = reader.integer("warmup_steps")
    ratio = reader.fraction("warmup_ratio")
    if steps is not None:
        sheet.put("warmup_steps", steps)
    elif ratio is not None:
        # resolve.py turns this into steps once the train steps are known (--tokens).
        notes["warmup_ratio"] = ratio.fact("")
        if total is not None:
            # transformers get_warmup_steps: ceil(total steps x ratio).
            sheet.put("warmup_steps", derived(math.ceil(total * ratio.value), "ceil(train_steps * warmup_ratio)",
                                              "train_steps", note=f"warmup_ratio {ratio.value}", at=ratio.source))
    elif total is not None:
        sheet.put("warmup_steps", derived(
            min(int(AUTO_WARMUP_FRACTION * total), AUTO_WARMUP_CAP), "min(int(0.03 * train_steps), 100)",
            "train_steps", note="axolotl's warmup when neither warmup_steps nor warmup_ratio is set"))


def _optimizer(reader: ConfigReader, sheet: FactSheet) -> None:
    sheet.put("optimizer", reader.text_or_default("optimizer", DEFAULT_OPTIMIZER))
    sheet.put("weight_decay", reader.number_or_default("weight_decay", DEFAULT_WEIGHT_DECAY))
    for field_name, key in (("adam_beta1", "adam_beta1"), ("adam_beta2", "adam_beta2"),
                            ("adam_eps", "adam_epsilon"), ("grad_clip", "max_grad_norm")):
        sheet.put(field_name, reader.number(key) or Value(
            HF_DEFAULTS[key], default_source(TRANSFORMERS, f"{key} not set: {HF_DEFAULTS[key]}")))
    for key, precision in (("bf16", "bf16"), ("fp16", "fp16")):
        flag = reader.raw(key)
        if flag is not None and flag.value is True:
            sheet.put("precision", Value(precision, flag.source))
            break


def _init(reader: ConfigReader, sheet: FactSheet) -> None:
    """LoRA adapters, a fresh model (reinit_weights), continued pre-training on raw text
    (pretraining_dataset) or fine-tuning (datasets) of the base_model weights."""
    adapter = reader.text("adapter")
    if adapter is not None and adapter.value in LORA_ADAPTERS:
        sheet.put("init", Value("lora", adapter.source))
    elif (reinit := reader.flag("reinit_weights")) is not None and reinit.value:
        sheet.put("init", Value("scratch", reinit.source))
    elif reader.has("pretraining_dataset"):
        sheet.put("init", Value("checkpoint", _at_key(reader, "pretraining_dataset",
                                                      "continued pre-training from base_model's weights")))
    elif reader.has("datasets"):
        sheet.put("init", Value("finetune", _at_key(reader, "datasets", "fine-tuning base_model's weights")))
    elif reader.has("base_model"):
        sheet.put("init", Value("checkpoint", reader.source("base_model", "starts from the pretrained weights")))


def _at_key(reader: ConfigReader, key: str, note: str) -> Source:
    """The source of a top-level key whose value is a list or mapping, at the key itself (a
    collection's own span starts at its first entry, a line below)."""
    root = reader.doc.root
    pair = root.get_pair(key) if isinstance(root, MappingNode) else None
    if pair is None:
        return reader.source(key, note)
    return key_source(reader.doc.path, key, pair[0].span, note)
