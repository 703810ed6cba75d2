"""Hugging Face `TrainingArguments` as YAML or JSON (TRL / alignment-handbook / open-r1
recipes, LLaMA-Factory files, run_clm `.json` argument files).

Keys and defaults are transformers' `training_args.py` (v4 and v5 lines), schedules its
`optimization.py`, both summarized in docs/formats-hf-modern.md section 2; the sequence
length keys belong to the training script (run_clm `block_size`, TRL `max_seq_length` /
`max_length`, LLaMA-Factory `cutoff_len`), section 2.1 and 5 there.

What a file of this kind never holds: the world size (it comes from the launcher) and,
when the run is given in epochs, the number of steps (it needs the dataset). Those stay
missing; resolve.py derives the rest once they are supplied.
"""

from __future__ import annotations

import math
import os
from types import MappingProxyType
from typing import Any, Optional

from steplint.arch import ArchSpec, count_facts
from steplint.dialects.base import ExtractContext, Extraction, Reference, root_names
from steplint.dialects.config_reader import ConfigReader, DottedPath
from steplint.documents.findings import loader_diagnostic
from steplint.documents.nodes import Document, MappingNode, Node, ScalarNode, to_python
from steplint.documents.values import read_number, unusable_number
from steplint.recipe import Fact, ModelRef, Notes, Source, default_source, derived_source, fact, key_source

NAME = "hf-training-args"
DESCRIPTION = "Hugging Face TrainingArguments YAML/JSON (TRL, alignment-handbook, LLaMA-Factory, run_clm)"

TRANSFORMERS = "transformers TrainingArguments"

# Keys only TrainingArguments-style files carry (DeepSpeed shares gradient_accumulation_steps,
# axolotl learning_rate; these two never appear elsewhere).
_DISTINCTIVE = ("per_device_train_batch_size", "lr_scheduler_type")
_COMMON = frozenset({
    "learning_rate", "per_device_train_batch_size", "gradient_accumulation_steps", "num_train_epochs",
    "max_steps", "lr_scheduler_type", "lr_scheduler_kwargs", "warmup_ratio", "warmup_steps", "output_dir",
    "weight_decay", "adam_beta1", "adam_beta2", "adam_epsilon", "max_grad_norm", "logging_steps", "save_steps",
    "save_strategy", "eval_strategy", "evaluation_strategy", "bf16", "fp16", "gradient_checkpointing", "optim",
    "do_train", "report_to", "seed", "per_device_eval_batch_size", "overwrite_output_dir", "model_name_or_path",
})

# lr_scheduler_type -> steplint decay style (architecture.md section 3). transformers
# SchedulerType values; reduce_lr_on_plateau has no static shape.
DECAY_STYLES = MappingProxyType({
    "linear": "linear",
    "cosine": "cosine",
    "cosine_with_restarts": "cosine",
    "cosine_with_min_lr": "cosine",
    "cosine_warmup_with_min_lr": "cosine",
    "polynomial": "polynomial",
    "constant": "constant",
    "constant_with_warmup": "constant",
    "inverse_sqrt": "inverse-sqrt",
    "warmup_stable_decay": "wsd",
})
# Schedules that decay to 0 at the last step with no floor argument (optimization.py).
_TO_ZERO = ("linear", "cosine", "cosine_with_restarts")

# Training-script sequence length keys, most specific first.
SEQ_LEN_KEYS = ("max_seq_length", "max_length", "block_size", "cutoff_len", "model_max_length")

# TRL post-training arguments (huggingface/trl f2cd577: trl/trainer/sft_config.py
# completion_only_loss / assistant_only_loss, supervised loss on completions or assistant turns;
# grpo_config.py num_generations / max_completion_length, RL on sampled completions): with hub
# weights they fine-tune, not continue pre-training.
_POST_TRAINING_KEYS = (
    ("assistant_only_loss", "supervised chat fine-tuning (TRL SFTConfig)"),
    ("completion_only_loss", "supervised fine-tuning on completions (TRL SFTConfig)"),
    ("num_generations", "RL fine-tuning (TRL GRPOConfig)"),
    ("max_completion_length", "preference / RL fine-tuning (TRL)"),
)
# Stages of LLaMA-Factory that start from a trained model and are not pre-training.
_FINETUNE_STAGES = ("sft", "rm", "ppo", "dpo", "kto")

# Keys only LLaMA-Factory's argument classes define (hparams/finetuning_args.py, data_args.py):
# one makes the file OmegaConf-read, two make it llama_factory's (detect scores below it).
LLAMA_FACTORY_KEYS = ("stage", "finetuning_type", "cutoff_len", "template", "dataset_dir")
_BELOW_LLAMA_FACTORY = 0.6  # llama_factory.detect gives at least 0.8 to such a file


def detect(doc: Document) -> float:
    root = doc.root
    if not isinstance(root, MappingNode):
        return 0.0
    keys = root_names(doc)
    hits = len(keys & _COMMON)
    if not keys.isdisjoint(_DISTINCTIVE):
        score = 0.5 + 0.5 * min(1.0, hits / 6)
    else:
        score = 0.3 if hits >= 4 and "learning_rate" in keys and "output_dir" in keys else 0.0
    if len(keys) > 2000:  # a tokenizer vocabulary (token -> id), not arguments
        return 0.0
    if len(keys.intersection(LLAMA_FACTORY_KEYS)) >= 2:  # LLaMA-Factory's own reader adds its defaults
        score = min(score, _BELOW_LLAMA_FACTORY)
    return score


class HfArgumentNames(DottedPath):
    """ConfigReader keys for an arguments file: top-level names, named bare in SL004.
    HfArgumentParser hands each value to its field's type, so a mapping or an OmegaConf
    `${...}` where a number belongs is SL004 too (as that type would refuse it), and a flag
    is only a YAML/JSON boolean."""

    def label(self, key: str) -> str:
        return key

    def usable(self, reader: ConfigReader, name: str, key: str, kind: str) -> bool:
        node = reader.node(key)
        if kind == "flag":
            return isinstance(node, ScalarNode) and isinstance(node.value, bool)
        if kind != "number" or node is None or (
                isinstance(node, ScalarNode) and not (isinstance(node.value, str) and "${" in node.value)):
            return True
        value, problem = read_number(node, reader.loader)
        problem = problem or unusable_number(value)
        if problem:
            reader.diagnostics.append(loader_diagnostic(reader.doc, "SL004", f"{key}: {problem}", node))
        return False


class _Args:
    """The arguments file through the shared ConfigReader, values unwrapped (this module
    pairs them with `source`)."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.reader = ConfigReader(doc, TRANSFORMERS, loader=_reader(doc), keys=HfArgumentNames())
        self.diagnostics = self.reader.diagnostics

    def node(self, key: str) -> Optional[Node]:
        """The node at `key`, None when absent or empty (an empty YAML value means "the default")."""
        return self.reader.node(key) if self.reader.is_set(key) else None

    def source(self, key: str, note: Optional[str] = None) -> Source:
        return self.reader.source(key, note)

    def number(self, key: str) -> Optional[float]:
        """The number at `key` as the file's own loader reads it; a value it would read as
        something else (PyYAML: `1e-4` is a string) is SL004 but still used."""
        got = self.reader.read(key, "number")
        return None if got is None else got.value

    def text(self, key: str) -> Optional[str]:
        got = self.reader.read(key, "text")
        return None if got is None else str(got.value)

    def flag(self, key: str) -> Optional[bool]:
        got = self.reader.read(key, "flag")
        return None if got is None else bool(got.value)

    def bad(self, node: Node, message: str) -> None:
        self.diagnostics.append(loader_diagnostic(self.doc, "SL004", message, node))


def _reader(doc: Document) -> str:
    """Which loader reads the file: JSON for `.json`; LLaMA-Factory loads its YAML with
    OmegaConf (hparams/parser.py `read_args`), which takes `1e-4` as a float; TRL and
    HfArgumentParser use PyYAML's safe_load (YAML 1.1)."""
    if doc.kind == "json":
        return "json"
    root = doc.root
    if isinstance(root, MappingNode) and any(k in root for k in LLAMA_FACTORY_KEYS):
        return "omegaconf"
    return "yaml11"


def _whole(value: float) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    if not isinstance(doc.root, MappingNode):
        return Extraction(dialect=NAME, file=doc.path)
    a = _Args(doc)
    facts: dict[str, Fact] = {}
    notes: dict[str, Any] = {}
    notices: list[str] = []

    def put(field_name: str, key: str, value: Any, default: Any, default_note: str) -> None:
        if value is not None:
            facts[field_name] = fact(field_name, _whole(value), a.source(key))
        elif default is not None:
            facts[field_name] = fact(field_name, default, default_source(TRANSFORMERS, default_note))

    # optimizer and its hyperparameters (TrainingArguments defaults)
    peak = a.number("learning_rate")
    put("peak_lr", "learning_rate", peak, 5e-5, "learning_rate absent: 5e-5")
    put("adam_beta1", "adam_beta1", a.number("adam_beta1"), 0.9, "adam_beta1 absent: 0.9")
    put("adam_beta2", "adam_beta2", a.number("adam_beta2"), 0.999, "adam_beta2 absent: 0.999")
    put("adam_eps", "adam_epsilon", a.number("adam_epsilon"), 1e-8, "adam_epsilon absent: 1e-8")
    put("weight_decay", "weight_decay", a.number("weight_decay"), 0.0, "weight_decay absent: 0.0")
    put("grad_clip", "max_grad_norm", a.number("max_grad_norm"), 1.0, "max_grad_norm absent: 1.0")
    put("optimizer", "optim", a.text("optim"), "adamw_torch",
        "optim absent: adamw_torch (v5 with torch >= 2.8: adamw_torch_fused)")

    # batch
    put("micro_batch", "per_device_train_batch_size", a.number("per_device_train_batch_size"), 8,
        "per_device_train_batch_size absent: 8")
    put("grad_accum", "gradient_accumulation_steps", a.number("gradient_accumulation_steps"), 1,
        "gradient_accumulation_steps absent: 1")
    if a.flag("auto_find_batch_size"):
        notices.append(f"{doc.path}: auto_find_batch_size may halve the per-device batch at run time")

    # sequence length (a key of the training script, not of TrainingArguments)
    for key in SEQ_LEN_KEYS:
        value = a.number(key)
        if value is not None:
            facts["seq_len"] = fact("seq_len", _whole(value), a.source(key))
            break

    # length of the run
    max_steps = a.number("max_steps")
    if max_steps is not None and max_steps > 0:
        facts["train_steps"] = fact("train_steps", _whole(max_steps), a.source("max_steps"))
    else:
        epochs = a.number("num_train_epochs")
        src = a.source("num_train_epochs") if epochs is not None else default_source(
            TRANSFORMERS, "num_train_epochs absent: 3.0")
        notes["epochs"] = fact("", 3.0 if epochs is None else _whole(epochs), src)
        notices.append(f"{doc.path}: the run is {3.0 if epochs is None else _whole(epochs)} epoch(s) "
                       "(max_steps <= 0): its steps and tokens depend on the dataset size; set max_steps "
                       "or pass --tokens")

    _schedule(a, facts, notes, notices, peak)
    _warmup(a, facts, notes)
    _precision(a, facts)
    _init(a, facts)
    references = _references(a, notes, notices)
    arch = _scratch_arch(a, facts, notices)
    recurrent = _recurrent_model_type(a)
    if recurrent:
        notes["not_transformer"] = recurrent

    return Extraction(dialect=NAME, file=doc.path, facts=facts, arch=arch, references=references,
                      diagnostics=tuple(a.diagnostics), notices=tuple(notices), notes=Notes(**notes))


def _scheduler_kwargs(a: _Args) -> tuple[dict[str, Any], Optional[MappingNode]]:
    """lr_scheduler_kwargs as a dict (TrainingArguments also accepts a JSON string)."""
    node = a.node("lr_scheduler_kwargs")
    if node is None:
        return {}, None
    if isinstance(node, MappingNode):
        return to_python(node), node
    if isinstance(node, ScalarNode) and isinstance(node.value, str):
        import json  # only for a JSON-string value: not on every run's start-up path

        try:
            value = json.loads(node.value)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value, None
    a.bad(node, "lr_scheduler_kwargs must be a mapping (or a JSON object string)")
    return {}, None


def _schedule(a: _Args, facts: dict[str, Fact], notes: dict[str, Any], notices: list[str], peak: Optional[float]) -> None:
    sched = a.text("lr_scheduler_type")
    sched_src = a.source("lr_scheduler_type") if sched else default_source(TRANSFORMERS,
                                                                         "lr_scheduler_type absent: linear")
    sched = sched or "linear"
    kwargs, kwargs_node = _scheduler_kwargs(a)
    notes["scheduler"] = sched
    style = DECAY_STYLES.get(sched)
    if style is None:
        notices.append(f"{a.doc.path}: lr_scheduler_type {sched!r} has no fixed shape steplint can check")
        return
    facts["decay_style"] = fact("decay_style", style, sched_src)
    peak_name = "peak_lr"

    def kwarg_source(name: str, note: Optional[str] = None) -> Source:
        node = kwargs_node.get(name) if kwargs_node is not None else None
        key = f"lr_scheduler_kwargs.{name}"
        if node is not None:
            return key_source(a.doc.path, key, node.span, note)
        return key_source(a.doc.path, "lr_scheduler_kwargs", a.source("lr_scheduler_kwargs").span, note)

    peak_value = peak if peak is not None else 5e-5
    if sched in _TO_ZERO:
        facts["min_lr"] = fact("min_lr", 0.0, default_source(f"transformers {sched} schedule",
                                                             "decays to 0 at the last step"))
    elif sched in ("constant", "constant_with_warmup"):
        facts["min_lr"] = fact("min_lr", peak_value, derived_source("peak_lr (constant schedule)", peak_name))
    elif sched == "polynomial":
        if "lr_end" in kwargs and isinstance(kwargs["lr_end"], (int, float)):
            facts["min_lr"] = fact("min_lr", kwargs["lr_end"], kwarg_source("lr_end"))
        else:
            facts["min_lr"] = fact("min_lr", 1e-7, default_source("transformers polynomial schedule",
                                                                  "lr_end absent: 1e-7"))
    elif sched in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        # exactly one of min_lr (absolute) and min_lr_rate (ratio to peak); SL201 checks the rest
        if isinstance(kwargs.get("min_lr"), (int, float)) and not isinstance(kwargs.get("min_lr"), bool):
            facts["min_lr"] = fact("min_lr", kwargs["min_lr"], kwarg_source("min_lr"))
        elif isinstance(kwargs.get("min_lr_rate"), (int, float)) and not isinstance(kwargs.get("min_lr_rate"), bool):
            rate = kwargs["min_lr_rate"]
            src = kwarg_source("min_lr_rate")
            facts["min_lr"] = fact("min_lr", rate * peak_value, Source(
                kind="derived", formula=f"lr_scheduler_kwargs.min_lr_rate {rate} x peak_lr", inputs=(peak_name,),
                file=src.file, key=src.key, span=src.span, note="a ratio to the peak LR"))
    elif sched == "warmup_stable_decay":
        ratio = kwargs.get("min_lr_ratio", 0.0)
        if isinstance(ratio, (int, float)) and not isinstance(ratio, bool):
            src = kwarg_source("min_lr_ratio") if "min_lr_ratio" in kwargs else default_source(
                "transformers warmup_stable_decay", "min_lr_ratio absent: 0")
            facts["min_lr"] = fact("min_lr", ratio * peak_value, Source(
                kind="derived", formula=f"min_lr_ratio {ratio} x peak_lr", inputs=(peak_name,),
                file=src.file, key=src.key, span=src.span, note="a ratio to the peak LR"))
        stable = kwargs.get("num_stable_steps")
        decay = kwargs.get("num_decay_steps")
        if isinstance(decay, int) and isinstance(stable, int):
            notes["decay_after_warmup"] = stable + decay  # resolve adds the warmup


def _warmup(a: _Args, facts: dict[str, Fact], notes: dict[str, Any]) -> None:
    """warmup_steps >= 1 is a step count; v5 reads a value in (0, 1) as a fraction of the
    total steps; warmup_ratio (v4; deprecated in 5.0, removed in 5.15) applies only while warmup_steps is 0 (the
    v4 rule; 5.0-5.14 let it override warmup_steps)."""
    steps = a.number("warmup_steps")
    ratio = a.number("warmup_ratio")
    if steps is not None and steps >= 1:
        facts["warmup_steps"] = fact("warmup_steps", math.ceil(steps), a.source("warmup_steps"))
    elif steps is not None and 0 < steps < 1:
        notes["warmup_ratio"] = fact("", steps, a.source("warmup_steps", "v5: a fraction of the total steps"))
    elif ratio is not None and ratio > 0:
        notes["warmup_ratio"] = fact("", ratio, a.source("warmup_ratio", "deprecated in transformers 5.0, removed in 5.15"))
    else:
        src = a.source("warmup_steps") if steps is not None else default_source(
            TRANSFORMERS, "warmup_steps and warmup_ratio absent: no warmup")
        facts["warmup_steps"] = fact("warmup_steps", 0, src)


def _precision(a: _Args, facts: dict[str, Fact]) -> None:
    for key in ("bf16", "fp16"):
        if a.flag(key):
            facts["precision"] = fact("precision", key, a.source(key))
            return
    facts["precision"] = fact("precision", "fp32", default_source(TRANSFORMERS, "bf16 and fp16 off: fp32"))


def _init(a: _Args, facts: dict[str, Fact]) -> None:
    """How the weights start: LoRA adapters, fine-tuning, continued pre-training or scratch.

    LLaMA-Factory: `finetuning_type: lora`, `stage: sft|rm|ppo|dpo|kto`, `train_from_scratch`;
    TRL: `use_peft` / `lora_r`; chat recipes carry a `chat_template`; any other file that
    loads `model_name_or_path` continues training a pretrained checkpoint (run_clm, TRL
    SFT on raw text as in alignment-handbook's gpt2-nl cpt recipe).
    """
    def put(value: str, key: str, note: str) -> None:
        facts["init"] = fact("init", value, a.source(key, note))

    if a.text("finetuning_type") == "lora":
        return put("lora", "finetuning_type", "LoRA adapters only")
    for key in ("use_peft", "lora_r", "lora_rank"):
        node = a.node(key)
        if isinstance(node, ScalarNode) and node.value not in (False, 0):
            return put("lora", key, "LoRA adapters only")
    if a.flag("train_from_scratch"):
        return put("scratch", "train_from_scratch", "random initialisation")
    stage = a.text("stage")
    if stage in _FINETUNE_STAGES:
        return put("finetune", "stage", f"LLaMA-Factory stage {stage}")
    if a.node("chat_template") is not None:
        return put("finetune", "chat_template", "chat fine-tuning of a pretrained model")
    if a.text("model_name_or_path"):
        for key, what in _POST_TRAINING_KEYS:
            if a.node(key) is not None:
                return put("finetune", key, f"{what} of the pretrained weights")
    if a.text("model_name_or_path"):
        return put("checkpoint", "model_name_or_path", "starts from the pretrained weights")
    if a.text("model_type") or a.text("config_name"):
        key = "config_name" if a.text("config_name") else "model_type"
        return put("scratch", key, "a config without weights: random initialisation")
    return None


def _references(a: _Args, notes: dict[str, Any], notices: list[str]) -> tuple[Reference, ...]:
    refs: list[Reference] = []
    folder = os.path.dirname(a.doc.path)
    ds = a.node("deepspeed")
    if isinstance(ds, ScalarNode) and isinstance(ds.value, str) and ds.value.strip():
        refs.append(Reference(path=os.path.join(folder, ds.value.strip()), role="deepspeed", key="deepspeed",
                              span=ds.span))
    for key in ("config_name", "model_name_or_path"):
        name = a.text(key)
        if not name:
            continue
        node = a.node(key)
        notes["model_ref"] = ModelRef(key, str(name))
        refs.append(Reference(path=os.path.join(folder, os.path.expanduser(name)), role="model", key=key,
                              span=node.span if node is not None else None))
        break
    return tuple(refs)


def _recurrent_model_type(a: _Args) -> Optional[str]:
    """run_clm's `model_type` naming a recurrent or hybrid model (Mamba, RWKV, Jamba...)."""
    from steplint.dialects.hf_families import NOT_TRANSFORMER

    model_type = a.text("model_type")
    if model_type is not None and model_type in NOT_TRANSFORMER and not a.text("model_name_or_path"):
        return f"model_type {model_type!r}: {NOT_TRANSFORMER[model_type]}"
    return None


def _scratch_arch(a: _Args, facts: dict[str, Fact], notices: list[str]) -> Optional[ArchSpec]:
    """run_clm from scratch: `model_type` (+ `config_overrides` "k=v,k=v") builds the class
    defaults, so N is known without any config.json."""
    model_type = a.text("model_type")
    if not model_type or a.text("model_name_or_path") or a.text("config_name"):
        return None
    import json

    from steplint.dialects import hf_config

    cfg: dict[str, Any] = {"model_type": model_type}
    for item in (a.text("config_overrides") or "").split(","):
        if "=" in item:
            k, v = item.split("=", 1)
            try:
                cfg[k.strip()] = json.loads(v.strip())
            except ValueError:
                cfg[k.strip()] = v.strip()
    try:
        spec, spec_notices = hf_config.spec_from_config(cfg)
    except hf_config.UnknownArchitecture as exc:  # no guessed block structure: N stays unknown
        notices.append(f"{a.doc.path}: {exc}; supply N with --params N or [tool.steplint] params")
        return None
    except (ValueError, TypeError):
        return None
    notices.extend(f"{a.doc.path}: {n}" for n in spec_notices)
    note = f"class defaults of model_type {model_type}" + (" + config_overrides" if len(cfg) > 1 else "")
    facts.update(count_facts(spec, note=note))
    return spec
