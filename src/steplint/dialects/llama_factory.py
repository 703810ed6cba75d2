"""LLaMA-Factory YAML (`llamafactory-cli train file.yaml`).

The training keys are HF `TrainingArguments` (Seq2Seq variant), so the generic HF reader
(hf_training_args) does the reading; this module adds what only LLaMA-Factory knows: the
sequence length defaults to `cutoff_len` 2048, `stage: pt` switches packing on,
`finetuning_type` / `train_from_scratch` / `stage` decide whether this is pre-training
at all, and `max_samples` caps the dataset that an epoch count runs over.

Keys and defaults: src/llamafactory/hparams/{data,finetuning,model}_args.py, parser.py
and pyproject.toml of hiyouga/LLaMA-Factory at ff6d4d12; formats-hf-modern.md section 5.
"""

from __future__ import annotations

from typing import Optional

from steplint.dialects import hf_training_args
from steplint.dialects.base import ExtractContext, Extraction
from steplint.dialects.config_reader import ConfigReader, never_raises, present
from steplint.documents.nodes import Document, MappingNode
from steplint.recipe import Fact, default_source, fact

NAME = "llama-factory"
DESCRIPTION = "LLaMA-Factory YAML (stage, finetuning_type, cutoff_len + HF TrainingArguments keys)"

FRAMEWORK = "LLaMA-Factory ff6d4d12 (src/llamafactory/hparams)"

DEFAULT_CUTOFF_LEN = 2048  # DataArguments.cutoff_len
# pyproject.toml pins transformers>=4.55.0,<=5.8.0; warmup_ratio is deprecated from 5.0 and removed in 5.15
# (data/framework_keys.json), so within the pin it still works, with a deprecation warning.
TRANSFORMERS_PIN = "transformers>=4.55.0,<=5.8.0"

_DISTINCTIVE = hf_training_args.LLAMA_FACTORY_KEYS  # two of them make a file this dialect's
_MARKERS = _DISTINCTIVE + ("dataset", "lora_target", "lora_rank", "max_samples", "plot_loss",
                           "train_from_scratch", "preprocessing_num_workers")


def detect(doc: Document) -> float:
    if doc.kind not in ("yaml", "json") or not isinstance(doc.root, MappingNode):
        return 0.0
    reader = ConfigReader(doc, FRAMEWORK)
    if present(_DISTINCTIVE, reader) < 2 or _typed(doc.root) < 2:
        return 0.0
    return min(1.0, 0.7 + 0.05 * present(_MARKERS, reader))


# The value types of the distinctive keys (FinetuningArguments / DataArguments): a GPT-2
# vocabulary JSON also has "stage" and "template" keys, with token ids as values.
_KEY_TYPES = {"stage": str, "finetuning_type": str, "cutoff_len": int, "template": str, "dataset_dir": str}


def _typed(root: MappingNode) -> int:
    count = 0
    for key, kind in _KEY_TYPES.items():
        node = root.get(key)
        value = getattr(node, "value", None)
        if isinstance(value, kind) and not isinstance(value, bool):
            count += 1
    return count


@never_raises(NAME, "LLaMA-Factory config")
def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    base = hf_training_args.extract(doc, ctx)
    reader = ConfigReader(doc, FRAMEWORK)
    facts = dict(base.facts)
    notices = list(base.notices)

    start = _init(reader, facts.get("init"))
    if start is not None:  # stage pt, full weights, no model named: LLaMA-Factory itself needs one
        facts["init"] = start
    if "seq_len" not in facts:
        facts["seq_len"] = fact("seq_len", DEFAULT_CUTOFF_LEN, default_source(FRAMEWORK, "cutoff_len not set"))
    stage = reader.text("stage")
    if stage is not None and stage.value == "pt" and reader.flag("packing") is None:
        notices.append("stage pt packs rows into cutoff_len blocks (packing defaults on for pt)")
    samples = reader.integer("max_samples")
    if samples is not None and "train_steps" not in facts:
        notices.append(f"max_samples {samples.value} caps the dataset the epochs run over; train steps still "
                       "depend on the tokenized size")
    if reader.has("warmup_ratio"):
        notices.append(f"warmup_ratio is deprecated from transformers 5.0 and removed in 5.15; LLaMA-Factory pins "
                       f"{TRANSFORMERS_PIN}, within which it still works (5.x warns and reads it as warmup_steps)")
    return Extraction(dialect=NAME, file=doc.path, facts=facts, arch=base.arch, references=base.references,
                      diagnostics=base.diagnostics + tuple(reader.diagnostics), notices=tuple(notices),
                      notes=base.notes)


# FinetuningArguments (hiyouga/LLaMA-Factory ff6d4d12, src/llamafactory/hparams/finetuning_args.py
# lines 460-467): `stage` defaults to "sft" and `finetuning_type` to "lora", so a file that
# names neither trains LoRA adapters on supervised data. ModelArguments.train_from_scratch
# randomly initialises the weights.
_ADAPTERS = ("lora", "oft")


def _init(reader: ConfigReader, generic: Optional[Fact]) -> Optional[Fact]:
    """The run's start as LLaMA-Factory decides it, defaults included."""
    kind = reader.text("finetuning_type")
    stage = reader.text("stage")
    if kind is not None and kind.value in _ADAPTERS:
        return fact("init", "lora", kind.source._replace(note=f"finetuning_type {kind.value}: adapters only"))
    scratch = reader.flag("train_from_scratch")
    if scratch is not None and scratch.value:
        return fact("init", "scratch", scratch.source._replace(note="random initialisation"))
    if kind is None:
        return fact("init", "lora", default_source(FRAMEWORK, "finetuning_type not set: lora adapters"))
    if stage is not None and stage.value != "pt":
        return fact("init", "finetune", stage.source._replace(note=f"stage {stage.value} trains a pretrained model"))
    if stage is None:
        return fact("init", "finetune", default_source(FRAMEWORK, "stage not set: sft (supervised fine-tuning)"))
    model = reader.text("model_name_or_path")
    if model is not None:
        return fact("init", "checkpoint", model.source._replace(
            note=f"stage pt, finetuning_type {kind.value}: continued pre-training of these weights"))
    return generic
