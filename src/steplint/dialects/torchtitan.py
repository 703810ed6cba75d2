"""torchtitan TOML job configs (the TOML era, up to tag v0.2.2).

The architecture is given by name (`[model] name` + `flavor`) and lives in torchtitan's
Python flavor tables, which steplint ships as data/torchtitan_flavors.json. The batch is
per data-parallel rank (`local_batch_size`) and the data-parallel degree is usually
"all ranks left" (`data_parallel_shard_degree = -1`), so the global batch needs the world
size unless `global_batch_size` or an explicit shard degree says it.

Keys, defaults and schedule semantics: torchtitan/config/job_config.py and
components/lr_scheduler.py at tag v0.2.2 (73a0e697, 2026-02-20); renamed keys from the
commits cited in formats-hf-modern.md section 6.2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from steplint.dialects.base import ExtractContext, Extraction
from steplint.dialects.config_reader import ConfigReader, FactSheet, Value, derived, never_raises, present, finish
from steplint.documents.nodes import Document, to_python
from steplint.recipe import Notes, default_source
from steplint.resources import load_data_json

if TYPE_CHECKING:
    from steplint.arch import ArchSpec

NAME = "torchtitan"
DESCRIPTION = "torchtitan TOML job config ([model] flavor, [training], [lr_scheduler]; up to v0.2.2)"

FRAMEWORK = "torchtitan v0.2.2 (torchtitan/config/job_config.py)"

# job_config.py @ v0.2.2 defaults for the keys steplint reads.
DEFAULT_MODEL = "llama3"
DEFAULT_FLAVOR = "debugmodel"
DEFAULT_LR = 8e-4
DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, DEFAULT_WEIGHT_DECAY = 0.9, 0.95, 1e-8, 0.1
DEFAULT_OPTIMIZER = "AdamW"
DEFAULT_WARMUP_STEPS = 200
DEFAULT_DECAY_TYPE = "linear"
DEFAULT_MIN_LR_FACTOR = 0.0
DEFAULT_LOCAL_BATCH = 8
DEFAULT_SEQ_LEN = 2048
DEFAULT_STEPS = 10000
DEFAULT_MAX_NORM = 1.0

PRECISIONS = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32"}  # training.mixed_precision_param
# torchtitan decay_type -> steplint decay_style (architecture.md section 3).
DECAY_STYLES = {"linear": "linear", "cosine": "cosine", "sqrt": "1-sqrt"}

# Keys that moved: current name first, then the older spellings it replaced.
# `[training] batch_size` became `local_batch_size` (#1238, 2025-06-05); parallelism keys
# moved from [training] to [parallelism] (#767, 2025-04-18); `[training] warmup_steps`
# moved to [lr_scheduler] (#938, 2025-03-11); `lr_min` became `min_lr_factor`
# (#1471, 2025-07-31) and was a ratio under both names.
LOCAL_BATCH_KEYS = ("training.local_batch_size", "training.batch_size")
WARMUP_KEYS = ("lr_scheduler.warmup_steps", "training.warmup_steps")
MIN_LR_FACTOR_KEYS = ("lr_scheduler.min_lr_factor", "lr_scheduler.lr_min")
PARALLEL_KEYS = {
    "tensor_parallel": "tensor_parallel_degree",
    "pipeline_parallel": "pipeline_parallel_degree",
    "context_parallel": "context_parallel_degree",
    "expert_parallel": "expert_parallel_degree",
}

_MARKERS = (
    "model.name", "model.flavor", "training.steps", "training.local_batch_size",
    "training.batch_size", "training.seq_len", "lr_scheduler", "parallelism",
    "job.dump_folder", "optimizer.lr",
)


def detect(doc: Document) -> float:
    if doc.kind != "toml":
        return 0.0
    reader = ConfigReader(doc, FRAMEWORK)
    if not reader.has("model.flavor") and not reader.has("job.dump_folder"):
        return 0.0
    return min(0.95, 0.3 + 0.1 * present(_MARKERS, reader))


@never_raises(NAME, "torchtitan TOML")
def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    reader = ConfigReader(doc, FRAMEWORK)
    sheet = FactSheet()
    notices: list[str] = []
    notes: dict[str, Any] = {}

    spec = _architecture(reader, sheet, notices)
    _batch(reader, sheet, ctx)
    _schedule(reader, sheet, notices, notes)
    _optimizer(reader, sheet)
    return finish(NAME, doc, reader, sheet, arch=spec, notices=notices, notes=Notes(**notes))


# -- architecture ---------------------------------------------------------------------------


def _architecture(reader: ConfigReader, sheet: FactSheet, notices: list[str]) -> Optional[ArchSpec]:
    from steplint.dialects.torchtitan_arch import UnknownFlavor, flavor_spec

    name = reader.text_or_default("model.name", DEFAULT_MODEL)
    flavor = reader.text_or_default("model.flavor", DEFAULT_FLAVOR)
    flavors = load_data_json("torchtitan_flavors.json")
    entry = flavors.get(name.value, {}).get(flavor.value)
    if not isinstance(entry, dict):
        notices.append(
            f"torchtitan model {name.value!r} flavor {flavor.value!r} is not in steplint's flavor "
            "table (data/torchtitan_flavors.json); N is unknown: pass --params N or --model with a config.json")
        return None
    try:
        spec = flavor_spec(name.value, entry)
    except (UnknownFlavor, ValueError) as exc:
        notices.append(f"torchtitan model {name.value!r} flavor {flavor.value!r}: {exc}; N is unknown: "
                       "pass --params N or --model with a config.json")
        return None
    origin = f"torchtitan v0.2.2 models/{name.value}/__init__.py flavor {flavor.value!r}"

    def table(value: Any) -> Value:
        return Value(value, default_source(origin))

    if spec.is_moe:
        sheet.put("num_experts", table(spec.num_experts))
        sheet.put("experts_per_token", table(spec.experts_per_token))
    if not spec.is_mla:
        sheet.put("num_kv_heads", table(spec.kv_heads))
    sheet.put("hidden_size", table(spec.hidden_size))
    sheet.put("num_layers", table(spec.num_layers))
    sheet.put("num_attention_heads", table(spec.num_heads))
    sheet.put("ffn_hidden_size", table(spec.ffn_hidden_size))
    sheet.put("vocab_size", table(spec.vocab_size))
    sheet.put_param_counts(spec, origin)
    return spec


# -- batch and parallelism ---------------------------------------------------------------


def _degree(reader: ConfigReader, key: str, default: int, *, all_remaining_ok: bool = False,
            older: tuple[str, ...] = ()) -> Value:
    """A parallel degree (>= 1); -1 ("every rank left") where torchtitan allows it."""
    found = reader.first_set(f"parallelism.{key}", f"training.{key}", *older)
    got = reader.integer(found) if found else None
    if found and got is not None and not (all_remaining_ok and got.value == -1):
        got = reader.count(found)
    return got or reader.default(default, f"{key} not set")


def _batch(reader: ConfigReader, sheet: FactSheet, ctx: ExtractContext) -> None:
    sheet.put("seq_len", reader.count_or_default("training.seq_len", DEFAULT_SEQ_LEN))
    local_key = reader.first_set(*LOCAL_BATCH_KEYS)
    local = (reader.count(local_key) if local_key else None) or reader.default(
        DEFAULT_LOCAL_BATCH, "training.local_batch_size not set")
    sheet.put("micro_batch", local)

    degrees = {field: _degree(reader, key, 1) for field, key in PARALLEL_KEYS.items()}
    for field, value in degrees.items():
        sheet.put(field, value)
    tp, pp, cp = (degrees[f].value for f in ("tensor_parallel", "pipeline_parallel", "context_parallel"))
    replicate = _degree(reader, "data_parallel_replicate_degree", 1)
    shard = _degree(reader, "data_parallel_shard_degree", -1, all_remaining_ok=True,
                    older=("training.data_parallel_degree",))  # the name until early 2025

    data_parallel: Optional[Value] = None
    if shard.value > 0:
        data_parallel = derived(
            replicate.value * shard.value,
            "data_parallel_replicate_degree * data_parallel_shard_degree")
        if ctx.world_size is None:
            sheet.put("world_size", derived(
                data_parallel.value * tp * pp * cp,
                "data_parallel * tensor_parallel * pipeline_parallel * context_parallel",
                "data_parallel", "tensor_parallel", "pipeline_parallel", "context_parallel"))
    elif ctx.world_size is not None and ctx.world_size % (tp * pp * cp) == 0:
        # shard degree -1: every rank left after TP, PP and CP is a data-parallel rank.
        data_parallel = derived(
            ctx.world_size // (tp * pp * cp),
            "world_size / (tensor_parallel * pipeline_parallel * context_parallel)",
            "world_size", "tensor_parallel", "pipeline_parallel", "context_parallel",
            note="data_parallel_shard_degree -1 takes every remaining rank")
    sheet.put("data_parallel", data_parallel)

    global_batch = reader.integer("training.global_batch_size")
    if global_batch is not None and global_batch.value != -1:
        global_batch = reader.count("training.global_batch_size")
    if global_batch is not None and global_batch.value > 0:
        sheet.put("global_batch_sequences", global_batch)
        if data_parallel is not None and global_batch.value % (local.value * data_parallel.value) == 0:
            sheet.put("grad_accum", derived(
                global_batch.value // (local.value * data_parallel.value),
                "global_batch_sequences / (micro_batch * data_parallel)",
                "global_batch_sequences", "micro_batch", "data_parallel"))
    else:
        # global_batch_size -1 (the default): one micro-batch per DP rank, no accumulation.
        sheet.put("grad_accum", reader.default(1, "global_batch_size -1: no gradient accumulation"))
        if data_parallel is not None:
            sheet.put("global_batch_sequences", derived(
                local.value * data_parallel.value, "micro_batch * data_parallel",
                "micro_batch", "data_parallel", at=local.source))


# -- LR schedule ------------------------------------------------------------------------------


def _schedule(reader: ConfigReader, sheet: FactSheet, notices: list[str], notes: dict[str, Any]) -> None:
    steps = sheet.put("train_steps", reader.count_or_default("training.steps", DEFAULT_STEPS))
    warmup_key = reader.first_set(*WARMUP_KEYS)
    warmup = (reader.integer(warmup_key) if warmup_key else None) or reader.default(
        DEFAULT_WARMUP_STEPS, "lr_scheduler.warmup_steps not set")
    sheet.put("warmup_steps", warmup)

    horizon = reader.count("lr_scheduler.total_steps") or steps
    decay_ratio = reader.fraction("lr_scheduler.decay_ratio")
    room = max(0, horizon.value - warmup.value)
    if decay_ratio is not None:
        decay_steps = min(round(horizon.value * decay_ratio.value), room)
    else:
        decay_steps = room
    notes["decay_steps"] = decay_steps
    # v0.2.2 lr_scheduler.py: stable = total + 1 - warmup - decay (one virtual step keeps the
    # last LR off zero); the stable phase takes what warmup and decay leave, so the floor
    # is reached at the horizon whatever the decay ratio.
    notes["stable_steps"] = max(0, horizon.value + 1 - warmup.value - decay_steps)
    sheet.put("decay_end_step", derived(
        horizon.value, "lr_scheduler.total_steps (default training.steps)",
        "train_steps", note="warmup + stable + decay steps end at the schedule horizon", at=horizon.source))

    decay_type = reader.text_or_default("lr_scheduler.decay_type", DEFAULT_DECAY_TYPE)
    notes["scheduler"] = decay_type.value
    sheet.put("decay_style", Value(DECAY_STYLES.get(decay_type.value, decay_type.value), decay_type.source))

    peak = sheet.put("peak_lr", reader.positive_or_default("optimizer.lr", DEFAULT_LR))
    factor_key = reader.first_set(*MIN_LR_FACTOR_KEYS)
    factor = (reader.fraction(factor_key) if factor_key else None) or reader.default(
        DEFAULT_MIN_LR_FACTOR, "lr_scheduler.min_lr_factor not set")
    if factor_key == "lr_scheduler.lr_min":
        notices.append(
            f"`lr_min = {factor.value}` is a ratio of the peak LR (renamed min_lr_factor in "
            f"torchtitan #1471), so the floor is {peak.value * factor.value:.3g}, not {factor.value}")
    sheet.put("min_lr", derived(
        peak.value * factor.value, f"peak_lr * {factor_key or 'min_lr_factor'}", "peak_lr",
        note=f"min_lr_factor {factor.value} is a ratio", at=factor.source))


def _optimizer(reader: ConfigReader, sheet: FactSheet) -> None:
    sheet.put("optimizer", reader.text_or_default("optimizer.name", DEFAULT_OPTIMIZER))
    sheet.put("adam_beta1", reader.number_or_default("optimizer.beta1", DEFAULT_BETA1))
    sheet.put("adam_beta2", reader.number_or_default("optimizer.beta2", DEFAULT_BETA2))
    sheet.put("adam_eps", reader.number_or_default("optimizer.eps", DEFAULT_EPS))
    sheet.put("weight_decay", reader.number_or_default("optimizer.weight_decay", DEFAULT_WEIGHT_DECAY))
    sheet.put("grad_clip", reader.number_or_default("training.max_norm", DEFAULT_MAX_NORM))
    converters = reader.node("model.converters")
    if converters is not None and "float8" in (to_python(converters) or ()):
        sheet.put("precision", Value("fp8", reader.source("model.converters")))
    else:
        param = reader.text_or_default("training.mixed_precision_param", "bfloat16")
        precision = PRECISIONS.get(param.value)
        sheet.put("precision", Value(precision, param.source) if precision else None)
    initial = reader.text("checkpoint.initial_load_path")
    if initial is not None:
        sheet.put("init", Value("checkpoint", initial.source))
    else:
        sheet.put("init", reader.default("scratch", "no checkpoint.initial_load_path: random init"))
