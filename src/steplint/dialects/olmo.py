"""OLMo (allenai/OLMo legacy trainer) YAML configs, loaded by OLMo with OmegaConf.

Three OLMo conventions change the numbers: `mlp_hidden_size` / `mlp_ratio` give the
*fused* SwiGLU width (the real gated width is half of it), `max_duration` is steps, tokens
(`2e12T`) or epochs (`2ep`), and the schedule floor `alpha_f` is a ratio of the peak that
defaults to 0.1 (warmup starts at 10% of the peak unless `warmup_min_lr` is set).

Keys and defaults: olmo/config.py, olmo/optim.py and olmo/train.py of allenai/OLMo at
59a53e3f (2025-09-04); formats-hf-modern.md section 7.1.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Optional

from steplint.dialects.base import ExtractContext, Extraction, root_names
from steplint.dialects.config_reader import (
    ConfigReader, FactSheet, Value, as_number, derived, never_raises, present, whole, finish,
)
from steplint.documents.nodes import Document
from steplint.documents.values import unusable_number
from steplint.recipe import Notes

if TYPE_CHECKING:
    from steplint.arch import ArchSpec

NAME = "olmo"
DESCRIPTION = "OLMo legacy trainer YAML (model.d_model, max_duration, scheduler.alpha_f)"

FRAMEWORK = "OLMo 59a53e3f (olmo/config.py)"

# olmo/config.py ModelConfig / TrainConfig / OptimizerConfig / SchedulerConfig defaults.
DEFAULT_D_MODEL, DEFAULT_N_LAYERS, DEFAULT_N_HEADS = 768, 12, 12
DEFAULT_MLP_RATIO = 4
DEFAULT_ACTIVATION = "swiglu"
DEFAULT_EMBEDDING_SIZE, DEFAULT_VOCAB_SIZE = 50304, 50257
DEFAULT_WEIGHT_TYING = True
DEFAULT_INCLUDE_BIAS = True
DEFAULT_SEQ_LEN = 1024
DEFAULT_GLOBAL_BATCH = 512
DEFAULT_MICROBATCH = 16
DEFAULT_MAX_DURATION = 10000
DEFAULT_OPTIMIZER, DEFAULT_LR, DEFAULT_WEIGHT_DECAY, DEFAULT_EPS = "lionw", 1e-4, 0.01, 1e-5
DEFAULT_BETAS = (0.9, 0.95)
DEFAULT_SCHEDULER = "cosine_with_warmup"
DEFAULT_T_WARMUP = 100
DEFAULT_ALPHA_F = 0.1

# OLMo scheduler names -> steplint decay_style; schedules that decay to alpha_f * lr.
DECAY_STYLES = {
    "cosine_with_warmup": "cosine",
    "linear_with_warmup": "linear",
    "inverse_sqrt_with_warmup": "inverse-sqrt",
    "constant": "constant",
    "constant_with_warmup": "constant",
    "cosine_linear_envelope": "cosine",
}
FLOORED = ("cosine_with_warmup", "linear_with_warmup", "cosine_linear_envelope")
PRECISIONS = {"amp_bf16": "bf16", "amp_fp16": "fp16", "fp32": "fp32"}
GATED_ACTIVATIONS = ("swiglu",)

_MARKERS = (
    "model.d_model", "model.n_layers", "model.n_heads", "max_duration", "global_train_batch_size",
    "device_train_microbatch_size", "scheduler.t_warmup", "scheduler.alpha_f", "optimizer.learning_rate",
    "model.mlp_hidden_size", "model.mlp_ratio", "model.weight_tying",
)


def detect(doc: Document) -> float:
    if doc.kind not in ("yaml", "json"):
        return 0.0
    names = root_names(doc)
    if "model" not in names and "global_train_batch_size" not in names:  # neither below can be there
        return 0.0
    reader = ConfigReader(doc, FRAMEWORK)
    if not (reader.has("model.d_model") or reader.has("global_train_batch_size")):
        return 0.0
    if reader.has("train_module") or reader.has("model.block"):
        return 0.0  # an OLMo-core config tree: real FFN widths, token batches; not this trainer
    return min(0.95, 0.2 + 0.1 * present(_MARKERS, reader))


@never_raises(NAME, "OLMo config")
def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    reader = ConfigReader(doc, FRAMEWORK, loader="omegaconf")  # OLMo loads its YAML with OmegaConf
    sheet = FactSheet()
    notices: list[str] = []
    spec = _architecture(reader, sheet, notices)
    _batch(reader, sheet, ctx)
    schedule_steps = _duration(reader, sheet, notices)
    notes = _schedule(reader, sheet, schedule_steps)
    _optimizer(reader, sheet)
    return finish(NAME, doc, reader, sheet, arch=spec, notices=notices, notes=notes)


def _architecture(reader: ConfigReader, sheet: FactSheet, notices: list[str]) -> Optional[ArchSpec]:
    from steplint.arch import ArchSpec

    d_model = sheet.put("hidden_size", reader.count_or_default("model.d_model", DEFAULT_D_MODEL))
    layers = sheet.put("num_layers", reader.count_or_default("model.n_layers", DEFAULT_N_LAYERS))
    heads = sheet.put("num_attention_heads", reader.count_or_default("model.n_heads", DEFAULT_N_HEADS))

    kv = reader.count("model.n_kv_heads")
    mqa = reader.flag("model.multi_query_attention")
    if kv is not None and mqa is not None and mqa.value and kv.value != 1:
        # olmo/config.py effective_n_kv_heads: multi_query_attention means one KV head.
        reader.rejected(("model.n_kv_heads", "model.multi_query_attention"),
                        f"OLMo refuses n_kv_heads {kv.value} with multi_query_attention true", "model.n_kv_heads")
    if kv is None:
        if mqa is not None and mqa.value:
            kv = Value(1, mqa.source)
        else:
            kv = reader.default(heads.value, "n_kv_heads absent and multi_query_attention off: as many as heads")
    sheet.put("num_kv_heads", kv)

    activation = reader.text_or_default("model.activation_type", DEFAULT_ACTIVATION)
    gated = activation.value.lower() in GATED_ACTIVATIONS
    fused = reader.count("model.mlp_hidden_size")
    if fused is None:
        ratio = reader.positive_or_default("model.mlp_ratio", DEFAULT_MLP_RATIO)
        fused = derived(int(ratio.value * d_model.value), "mlp_ratio * d_model", note=f"mlp_ratio {ratio.value}")
    if gated:
        # ff_proj holds both SwiGLU branches: the gated width is half of it (HF -hf configs
        # carry the halved intermediate_size, e.g. 22016 -> 11008 for OLMo-7B).
        ffn = derived(fused.value // 2, "mlp_hidden_size / 2 (fused SwiGLU width)", note=f"{fused.value} fused",
                      at=fused.source)
    else:
        ffn = fused
    sheet.put("ffn_hidden_size", ffn)

    vocab = reader.count("model.embedding_size") or reader.count("model.vocab_size") or reader.default(
        DEFAULT_EMBEDDING_SIZE, "embedding_size not set")
    sheet.put("vocab_size", vocab)
    tied = reader.flag("model.weight_tying") or reader.default(DEFAULT_WEIGHT_TYING)
    include_bias = reader.flag("model.include_bias") or reader.default(DEFAULT_INCLUDE_BIAS)
    affine = reader.flag("model.layer_norm_with_affine")
    norm_bias = reader.flag("model.bias_for_layer_norm")
    if affine is not None and not affine.value:
        norm = "none"
    elif (norm_bias.value if norm_bias is not None else include_bias.value):
        norm = "layernorm"
    else:
        norm = "rmsnorm"  # weight only
    try:
        spec = ArchSpec(
            hidden_size=d_model.value, num_layers=layers.value, num_heads=heads.value, num_kv_heads=kv.value,
            ffn_hidden_size=ffn.value, vocab_size=vocab.value, gated=gated, tied_embeddings=bool(tied.value),
            qkv_bias=bool(include_bias.value), out_bias=bool(include_bias.value),
            mlp_bias=bool(include_bias.value), norm=norm,
        )
    except ValueError as exc:
        notices.append(f"cannot count the OLMo architecture: {exc}")
        return None
    sheet.put_param_counts(spec, "OLMo model.* keys (olmo/model.py block layout)")
    return spec


def _batch(reader: ConfigReader, sheet: FactSheet, ctx: ExtractContext) -> None:
    sheet.put("seq_len", reader.count_or_default("model.max_sequence_length", DEFAULT_SEQ_LEN))
    # global_train_batch_size counts sequences across all ranks; the world size only splits it.
    global_batch = sheet.put("global_batch_sequences", reader.count_or_default(
        "global_train_batch_size", DEFAULT_GLOBAL_BATCH))
    micro = sheet.put("micro_batch", reader.count_or_default(
        "device_train_microbatch_size", DEFAULT_MICROBATCH))
    if ctx.world_size and global_batch.value % ctx.world_size == 0:
        per_device = global_batch.value // ctx.world_size
        if per_device % micro.value == 0:
            sheet.put("grad_accum", derived(
                per_device // micro.value, "global_train_batch_size / world_size / device_train_microbatch_size",
                "global_batch_sequences", "world_size", "micro_batch"))


def parse_duration(raw: Any) -> Optional[tuple[str, float]]:
    """OLMo `max_duration`: a number or `"…"` is steps, `"…T"` tokens, `"…ep"` epochs."""
    if isinstance(raw, str):
        text = raw.strip()
        for suffix, unit in (("ep", "epochs"), ("T", "tokens")):
            if text.endswith(suffix):
                value = as_number(text[: -len(suffix)])
                return None if value is None else (unit, value)
    value = as_number(raw)
    return None if value is None else ("steps", value)


def _duration(reader: ConfigReader, sheet: FactSheet, notices: list[str]) -> Optional[int]:
    """The run length from max_duration (and stop_at); the steps the LR schedule spans."""
    tokens_per_step = sheet.value("global_batch_sequences") * sheet.value("seq_len")
    raw = reader.raw("max_duration") or reader.default(DEFAULT_MAX_DURATION)
    parsed = parse_duration(raw.value)
    if parsed is None or unusable_number(parsed[1]) is not None or parsed[1] < 0:
        reader.report("max_duration", "steps, tokens (`2e12T`) or epochs (`2ep`)")
        return None
    unit, amount = parsed
    schedule_steps: Optional[int] = None
    if unit == "steps":
        schedule_steps = int(amount)
        sheet.put("train_steps", Value(schedule_steps, raw.source))
    elif unit == "tokens":
        # a declared budget (SL402 holds it against steps x batch, e.g. a t_max set apart)
        sheet.put("token_budget", Value(whole(amount), raw.source))
        # olmo/train.py max_steps: ceil(tokens / tokens per step); the last step overshoots.
        schedule_steps = math.ceil(amount / tokens_per_step)
        sheet.put("train_steps", derived(
            schedule_steps, "ceil(max_duration tokens / (global_batch_sequences * seq_len))",
            "global_batch_sequences", "seq_len", at=raw.source))
        sheet.put("tokens", Value(whole(amount), raw.source))
    else:
        notices.append(f"max_duration {raw.value!r} counts epochs: train steps and tokens depend on the "
                       "dataset size (pass --tokens)")

    stop_at = reader.count("stop_at")
    if stop_at is not None and (schedule_steps is None or stop_at.value < schedule_steps):
        # The run stops early; the LR schedule still follows max_duration / t_max.
        sheet.put("train_steps", stop_at)
        sheet.facts.pop("tokens", None)
    return schedule_steps


def _schedule(reader: ConfigReader, sheet: FactSheet, schedule_steps: Optional[int]) -> Notes:
    peak = sheet.put("peak_lr", reader.positive_or_default("optimizer.learning_rate", DEFAULT_LR))
    name = reader.text_or_default("scheduler.name", DEFAULT_SCHEDULER)
    sheet.put("decay_style", Value(DECAY_STYLES.get(name.value, name.value), name.source))
    units = reader.text_or_default("scheduler.units", "steps").value
    tokens_per_step = sheet.value("global_batch_sequences") * sheet.value("seq_len")

    def in_steps(value: Value, key: str) -> Value:
        if units != "tokens":
            return value
        return derived(math.ceil(value.value / tokens_per_step),
                       f"ceil({key} tokens / (global_batch_sequences * seq_len))",
                       "global_batch_sequences", "seq_len", note="scheduler.units: tokens", at=value.source)

    warmup = reader.number_or_default("scheduler.t_warmup", DEFAULT_T_WARMUP)
    sheet.put("warmup_steps", in_steps(Value(whole(warmup.value), warmup.source), "t_warmup"))
    warmup_min = reader.number("scheduler.warmup_min_lr")
    notes = Notes(scheduler=str(name.value),
                  warmup_start_lr=warmup_min.value if warmup_min is not None else 0.1 * peak.value)

    if name.value in ("constant", "constant_with_warmup"):
        sheet.put("min_lr", derived(peak.value, "peak_lr (constant schedule)", "peak_lr"))
        return notes
    if name.value in FLOORED:
        alpha = reader.fraction_or_default("scheduler.alpha_f", DEFAULT_ALPHA_F)
        sheet.put("min_lr", derived(peak.value * alpha.value, "peak_lr * alpha_f", "peak_lr",
                                    note=f"alpha_f {alpha.value} is a ratio", at=alpha.source))
    t_max = reader.number("scheduler.t_max")
    if t_max is not None:
        sheet.put("decay_end_step", in_steps(Value(whole(t_max.value), t_max.source), "t_max"))
    elif schedule_steps is not None:
        sheet.put("decay_end_step", derived(
            schedule_steps, "max_duration in steps (t_max not set)", "train_steps",
            note="the schedule follows max_duration, not stop_at"))
    return notes


def _optimizer(reader: ConfigReader, sheet: FactSheet) -> None:
    sheet.put("optimizer", reader.text_or_default("optimizer.name", DEFAULT_OPTIMIZER))
    sheet.put("adam_beta1", reader.number_or_default("optimizer.betas.0", DEFAULT_BETAS[0], "betas not set"))
    sheet.put("adam_beta2", reader.number_or_default("optimizer.betas.1", DEFAULT_BETAS[1], "betas not set"))
    sheet.put("adam_eps", reader.number_or_default("optimizer.eps", DEFAULT_EPS))
    sheet.put("weight_decay", reader.number_or_default("optimizer.weight_decay", DEFAULT_WEIGHT_DECAY))
    sheet.put("grad_clip", reader.number("max_grad_norm") or reader.default(
        0.0, "max_grad_norm not set: no clipping"))
    precision = reader.text("precision")
    if precision is not None and precision.value in PRECISIONS:
        sheet.put("precision", Value(PRECISIONS[precision.value], precision.source))
    _init(reader, sheet)


def _init(reader: ConfigReader, sheet: FactSheet) -> None:
    """Where the run starts. scripts/train.py (allenai/OLMo 59a53e3f, lines 351-357) restores
    `load_path` before the first step; olmo/config.py documents it as "a training checkpoint to
    restore/resume from. If not set, then training begins from scratch". What is restored
    decides: `reset_optimizer_state` / `reset_trainer_state` keep only the weights, and
    `restore_dataloader: false` sets the step and the tokens seen back to 0 (olmo/train.py
    load_trainer_state, lines 376-380), so the schedule in this file starts afresh on trained
    weights: every annealing, micro-annealing and stage-2 config of configs/ does that. A
    `load_path` that restores the step continues the run it came from (a resume)."""
    load = reader.text("load_path")
    if load is None or not str(load.value).strip():
        sheet.put("init", reader.default("scratch", "load_path not set: weights from init_fn"))
        return
    for key in ("reset_optimizer_state", "reset_trainer_state"):
        reset = reader.flag(key)
        if reset is not None and reset.value is True:
            sheet.put("init", Value("checkpoint", reader.source(key, f"weights from load_path {load.value}")))
            return
    restore = reader.flag("restore_dataloader")
    if restore is not None and restore.value is False:
        sheet.put("init", Value("checkpoint", reader.source(
            "load_path", "restore_dataloader: false starts this file's schedule at step 0 on these weights")))
        return
    sheet.put("init", reader.default("scratch", "load_path restores the step and the optimizer: the run resumes"))
