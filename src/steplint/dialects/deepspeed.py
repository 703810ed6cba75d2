"""DeepSpeed JSON: the batch triple, precision, and the optimizer and scheduler blocks.

A DeepSpeed config never holds the model, the sequence length or the run length; it is
one part of a recipe (HF Trainer, Megatron-DeepSpeed, a custom loop). What is specific
here (docs/formats-megatron-deepspeed.md section 5; microsoft/DeepSpeed 38327e0
`runtime/config.py`, `runtime/lr_schedules.py`):

* which LR is the peak: WarmupLR / WarmupDecayLR use `warmup_max_lr` and ignore the
  optimizer's `lr`; WarmupCosineLR is relative to the optimizer's `lr` (its floor is
  `lr * cos_min_ratio`); without a scheduler the LR is the optimizer's, constant;
* scheduler defaults (warmup 1000 steps, logarithmic warmup, WarmupLR max 0.001);
* missing batch values are filled from the data-parallel size, so they are left to the
  resolver (grad_accum defaults to 1 only where DeepSpeed fixes it without DP);
* `"auto"` values (filled by the HF Trainer, unusable elsewhere) are recorded with their
  spans in `Notes.auto_keys`, never read as numbers.

Notes: `auto_keys`, `scheduler` (the class name), `warmup_type`, `ignored_lr` (the
optimizer LR WarmupLR ignores), `incompatible_flags` (scheduler params the class does not take).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from steplint.dialects.base import ExtractContext, Extraction, root_names
from steplint.dialects.config_reader import ConfigReader, FactSheet, Value, as_number, derived
from steplint.documents.nodes import Document, MappingNode, Node, ScalarNode, SequenceNode, walk
from steplint.recipe import FlagClash, KeyNote, Notes, default_source

NAME = "deepspeed"
DESCRIPTION = "DeepSpeed JSON config (batch triple, optimizer, scheduler)"
FRAMEWORK = "DeepSpeed runtime/config.py + lr_schedules.py @38327e0"

_BATCH_KEYS = ("train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps")
_DS_KEYS = _BATCH_KEYS + ("zero_optimization", "fp16", "bf16", "gradient_clipping", "steps_per_print",
                          "wall_clock_breakdown", "zero_allow_untested_optimizer")
# A DeepSpeed config never holds the model or the run length: these keys make it a
# training file of another framework (NeoX puts DeepSpeed keys at the top level of its
# own YAML, NeMo has trainer/model).
_FOREIGN_KEYS = ("num_layers", "num-layers", "hidden_size", "hidden-size", "train_iters", "train-iters",
                 "lr_decay_iters", "lr-decay-iters", "seq_length", "seq-length", "model", "trainer")
_Read = Callable[[str], Optional[Value]]

SCHEDULERS = ("WarmupLR", "WarmupDecayLR", "WarmupCosineLR", "OneCycle", "LRRangeTest")
# lr_schedules.py: WarmupLR/WarmupDecayLR defaults; WarmupCosineLR defaults
_WARMUP_DEFAULTS = {"warmup_min_lr": 0.0, "warmup_max_lr": 0.001, "warmup_num_steps": 1000}
_COSINE_DEFAULTS = {"warmup_min_ratio": 0.0, "warmup_num_steps": 1000, "cos_min_ratio": 0.0001}
_COSINE_PARAMS = ("total_num_steps", "warmup_min_ratio", "warmup_num_steps", "cos_min_ratio",
                  "warmup_type", "last_batch_iteration")


def detect(doc: Document) -> float:
    root = doc.root
    if not isinstance(root, MappingNode):
        return 0.0
    names = root_names(doc)  # (set operations: each key tuple here lists a name once)
    if not names.isdisjoint(_FOREIGN_KEYS):
        return 0.0
    batch = len(names.intersection(_BATCH_KEYS))
    scheduler = root.get("scheduler")
    kind = scheduler.get("type") if isinstance(scheduler, MappingNode) else None
    typed = isinstance(kind, ScalarNode) and kind.value in SCHEDULERS
    others = len(names.intersection(_DS_KEYS[3:]))
    if batch:
        return 0.9 if doc.kind == "json" else 0.7
    if typed or others >= 2:
        return 0.6
    return 0.0


def _is_auto(node: Optional[Node]) -> bool:
    return isinstance(node, ScalarNode) and isinstance(node.value, str) and node.value.strip().lower() == "auto"


def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    reader = ConfigReader(doc, FRAMEWORK)
    sheet = FactSheet()
    autos = tuple(
        KeyNote(".".join(str(p) for p in path), "auto", node.span)
        for path, node in walk(doc.root) if _is_auto(node)
    )
    auto_keys = {a.key for a in autos}
    notes: dict[str, Any] = {"auto_keys": autos}

    def number(key: str) -> Optional[Value]:
        return None if key in auto_keys else reader.number(key)

    def integer(key: str) -> Optional[Value]:
        return None if key in auto_keys else reader.integer(key)

    def count(key: str) -> Optional[Value]:
        return None if key in auto_keys else reader.count(key)

    # DeepSpeed asserts each of the three "has to be greater than 0" (runtime/config.py
    # _batch_assertion): a zero or negative one is SL004 and left out
    sheet.put("global_batch_sequences", count("train_batch_size"))
    sheet.put("micro_batch", count("train_micro_batch_size_per_gpu"))
    accum = sheet.put("grad_accum", count("gradient_accumulation_steps"))
    given = {k for k in _BATCH_KEYS if reader.is_set(k)}
    if accum is None and not ({"train_batch_size", "train_micro_batch_size_per_gpu"} <= given) \
            and "gradient_accumulation_steps" not in auto_keys and given - auto_keys:
        # DeepSpeed sets gradient_accumulation_steps = 1 when only one of train /
        # micro is given (config.py _set_batch_related_parameters)
        sheet.put("grad_accum", Value(1, default_source(
            FRAMEWORK, "gradient_accumulation_steps unset with only one of train / micro batch")))

    tp = integer("tensor_parallel.autotp_size")
    if tp is not None:
        sheet.put("tensor_parallel", tp)
    sheet.put("grad_clip", number("gradient_clipping"))
    _precision(reader, sheet, auto_keys)
    integer("zero_optimization.stage")  # read for its SL004 (a stage that is no integer)

    opt_type = reader.text("optimizer.type")
    if opt_type is not None:
        sheet.put("optimizer", Value(str(opt_type.value).lower(), opt_type.source))
        if "optimizer.params.betas" not in auto_keys:
            put_betas(reader, "optimizer.params.betas", sheet)
        sheet.put("adam_eps", number("optimizer.params.eps"))
        sheet.put("weight_decay", number("optimizer.params.weight_decay"))
    _scheduler(reader, sheet, notes, number, integer, auto_keys)
    return Extraction(dialect=NAME, file=doc.path, facts=dict(sheet.facts), diagnostics=tuple(reader.diagnostics),
                      notes=Notes(**notes))


def put_betas(reader: ConfigReader, dotted: str, sheet: FactSheet) -> None:
    """`"betas": [0.9, 0.95]` of a DeepSpeed optimizer block (NeoX uses the same block)."""
    node = reader.node(dotted)
    if not isinstance(node, SequenceNode) or len(node.items) != 2:
        return
    values = [as_number(item.value) if isinstance(item, ScalarNode) else None for item in node.items]
    if all(v is not None for v in values):
        source = reader.source(dotted)
        sheet.put("adam_beta1", Value(values[0], source))
        sheet.put("adam_beta2", Value(values[1], source))


def _precision(reader: ConfigReader, sheet: FactSheet, auto_keys: set[str]) -> None:
    for block, name in (("bf16", "bf16"), ("fp16", "fp16")):
        enabled = reader.flag(f"{block}.enabled")
        if enabled is not None and enabled.value:
            # NeoX-style `"fp16": {"type": "bfloat16"}` is bf16
            kind = reader.text(f"{block}.type")
            value = "bf16" if kind is not None and "bfloat16" in str(kind.value) else name
            sheet.put("precision", Value(value, enabled.source))
            return


def _scheduler(reader: ConfigReader, sheet: FactSheet, notes: dict[str, Any], number: _Read, integer: _Read,
               auto_keys: set[str]) -> None:
    kind = reader.text("scheduler.type")
    opt_lr = number("optimizer.params.lr")
    if kind is None:
        if opt_lr is not None:
            # no scheduler block: DeepSpeed keeps the optimizer's LR (unless the client
            # passes its own scheduler, which the file cannot show)
            sheet.put("peak_lr", opt_lr)
        return
    name = str(kind.value)
    params_node = reader.node("scheduler.params")
    params = {str(k.value): v for k, v in params_node.items} if isinstance(params_node, MappingNode) else {}
    notes["scheduler"] = name

    def param(key: str, default: Any, note: str = "") -> Optional[Value]:
        dotted = f"scheduler.params.{key}"
        if dotted in auto_keys:
            return None
        got = number(dotted)
        if got is not None:
            return got
        if reader.is_set(dotted):
            return None  # not a number: SL004 already raised
        return Value(default, default_source(FRAMEWORK, note or f"{name} {key} not set"))

    warmup_type = reader.text("scheduler.params.warmup_type")
    notes["warmup_type"] = str(warmup_type.value) if warmup_type else "log"
    if name in ("WarmupLR", "WarmupDecayLR"):
        if opt_lr is not None:
            notes["ignored_lr"] = opt_lr.value
        sheet.put("peak_lr", param("warmup_max_lr", _WARMUP_DEFAULTS["warmup_max_lr"]))
        warmup = param("warmup_num_steps", _WARMUP_DEFAULTS["warmup_num_steps"])
        if warmup is not None:
            sheet.put("warmup_steps", Value(max(2, int(warmup.value)), warmup.source))
        if name == "WarmupLR":
            sheet.put("decay_style", Value("constant", kind.source))
        else:
            sheet.put("decay_style", Value("linear", kind.source))
            sheet.put("min_lr", param("warmup_min_lr", _WARMUP_DEFAULTS["warmup_min_lr"],
                                      "WarmupDecayLR decays to warmup_min_lr (default 0)"))
            total = integer("scheduler.params.total_num_steps")
            sheet.put("decay_end_step", total)
    elif name == "WarmupCosineLR":
        wrong = [k for k in params if k not in _COSINE_PARAMS]
        if wrong:
            notes["incompatible_flags"] = (FlagClash(
                tuple(f"scheduler.params.{k}" for k in wrong),
                f"WarmupCosineLR does not take {', '.join(wrong)}: a TypeError when DeepSpeed starts",
                reader.doc.path, params[wrong[0]].span.start.line, params[wrong[0]].span.start.column),)
        sheet.put("decay_style", Value("cosine", kind.source))
        if opt_lr is not None:
            sheet.put("peak_lr", opt_lr)
            ratio = param("cos_min_ratio", _COSINE_DEFAULTS["cos_min_ratio"])
            if ratio is not None:
                sheet.put("min_lr", derived(opt_lr.value * ratio.value, "optimizer lr x cos_min_ratio",
                                            "peak_lr", note=f"cos_min_ratio {ratio.value}"))
        warmup = param("warmup_num_steps", _COSINE_DEFAULTS["warmup_num_steps"])
        if warmup is not None:
            sheet.put("warmup_steps", Value(max(2, int(warmup.value)), warmup.source))
        sheet.put("decay_end_step", integer("scheduler.params.total_num_steps"))
    elif name == "OneCycle":
        sheet.put("peak_lr", number("scheduler.params.cycle_max_lr"))
        sheet.put("min_lr", number("scheduler.params.cycle_min_lr"))
