"""nanotron YAML configs (`examples/*.yaml`), loaded by nanotron with PyYAML + dacite.

nanotron is the one modern stack whose file holds everything: the global batch is
`micro_batch_size x batch_accumulation_per_replica x parallelism.dp`, the world size is
dp x tp x pp. Two defaults surprise: without `min_decay_lr` the floor *is* the peak (no
decay at all), and `lr_decay_steps` is independent of `train_steps`, so the LR can reach
its floor long before the run ends. PyYAML keeps the last of duplicated keys, and so does
this reader.

Keys and defaults: src/nanotron/config/{config,models_config}.py and
src/nanotron/helpers.py (`lr_scheduler_builder`) of huggingface/nanotron at 2411b022;
formats-hf-modern.md section 9.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from steplint.dialects.base import ExtractContext, Extraction, root_names
from steplint.dialects.config_reader import ConfigReader, FactSheet, Value, derived, never_raises, present, finish
from steplint.documents.nodes import Document, MappingNode, ScalarNode, SequenceNode
from steplint.recipe import Notes

if TYPE_CHECKING:
    from steplint.arch import ArchSpec

NAME = "nanotron"
DESCRIPTION = "nanotron YAML (model.model_config, tokens.*, parallelism.dp, learning_rate_scheduler)"

FRAMEWORK = "nanotron 2411b022 (src/nanotron/config)"

MODEL = "model.model_config"
SCHEDULER = "optimizer.learning_rate_scheduler"
# models_config.py LlamaConfig defaults (the Llama-2-7B shape), also used for Qwen2Config.
DEFAULT_SHAPE = {"num_hidden_layers": 32, "hidden_size": 4096, "intermediate_size": 11008,
                 "num_attention_heads": 32, "vocab_size": 32000}
DEFAULT_TIED = False
# models_config.py Qwen2 MoEConfig defaults (Qwen1.5-MoE widths even for tiny models).
DEFAULT_MOE = {"num_experts": 8, "top_k": 2, "moe_intermediate_size": 1408,
               "shared_expert_intermediate_size": 5632, "enable_shared_expert": False}
DEFAULT_WARMUP_STEPS = 0
DEFAULT_DECAY_STYLE = "linear"
DECAY_STYLES = {"linear": "linear", "cosine": "cosine", "1-sqrt": "1-sqrt"}
PRECISIONS = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32"}

_MARKERS = (
    "tokens.sequence_length", "tokens.micro_batch_size", "tokens.batch_accumulation_per_replica",
    "tokens.train_steps", "parallelism.dp", "parallelism.tp", SCHEDULER, MODEL, "general.project",
    "checkpoints.checkpoints_path",
)


def detect(doc: Document) -> float:
    if doc.kind not in ("yaml", "json"):
        return 0.0
    if "tokens" not in root_names(doc):  # no lookup: it cannot be a mapping below
        return 0.0
    reader = ConfigReader(doc, FRAMEWORK, last_duplicate_wins=True)
    if not isinstance(reader.node("tokens"), MappingNode) or not (
            reader.has("parallelism") or reader.has(SCHEDULER)):
        return 0.0
    return min(0.95, 0.3 + 0.07 * present(_MARKERS, reader))


@never_raises(NAME, "nanotron config")
def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    # PyYAML safe_load, then dacite: `3e-4` stays a string and fails the float field.
    reader = ConfigReader(doc, FRAMEWORK, loader="yaml11", last_duplicate_wins=True)
    sheet = FactSheet()
    notices: list[str] = []
    notes: dict[str, Any] = {}
    spec = _architecture(reader, sheet, notices)
    _batch(reader, sheet)
    _schedule(reader, sheet, notes)
    _optimizer(reader, sheet)
    out = finish(NAME, doc, reader, sheet, arch=spec, notices=notices, notes=Notes(**notes))
    # examples/mamba/config.py MambaModelConfig (huggingface/nanotron 2411b022): the flag
    # examples/mamba/trainer.py checks to build Mamba blocks instead of LLaMA ones.
    mamba = reader.flag("model.model_config.is_mamba_config")
    if mamba is not None and mamba.value:
        from steplint.dialects import nontransformer

        out = nontransformer.mark(out, "nanotron Mamba model (model.model_config.is_mamba_config)")
    return out


def _architecture(reader: ConfigReader, sheet: FactSheet, notices: list[str]) -> Optional[ArchSpec]:
    from steplint.arch import ArchSpec

    if not isinstance(reader.node(MODEL), MappingNode):
        return None

    def dim(key: str, field_name: Optional[str] = None) -> Value:
        got = reader.count_or_default(f"{MODEL}.{key}", DEFAULT_SHAPE[key], f"{key} not set")
        if field_name:
            sheet.put(field_name, got)
        return got

    hidden = dim("hidden_size", "hidden_size")
    layers = dim("num_hidden_layers", "num_layers")
    heads = dim("num_attention_heads", "num_attention_heads")
    ffn = dim("intermediate_size", "ffn_hidden_size")
    vocab = dim("vocab_size", "vocab_size")
    kv = reader.count(f"{MODEL}.num_key_value_heads") or reader.default(
        heads.value, "num_key_value_heads null: as many as heads")
    sheet.put("num_kv_heads", kv)
    tied = reader.flag(f"{MODEL}.tie_word_embeddings")
    fields = dict(hidden_size=hidden.value, num_layers=layers.value, num_heads=heads.value,
                  num_kv_heads=kv.value, ffn_hidden_size=ffn.value, vocab_size=vocab.value,
                  tied_embeddings=bool(tied.value) if tied is not None else DEFAULT_TIED)

    moe = f"{MODEL}.moe_config"
    if isinstance(reader.node(moe), MappingNode):
        fields.update(_qwen2_moe(reader, moe, layers.value))
    elif reader.is_set(f"{MODEL}.moe_num_experts"):
        # llamoe: every layer sparse, intermediate_size is the expert width.
        experts = reader.integer(f"{MODEL}.moe_num_experts")
        if experts is None:  # not a whole number: SL004 at the key; a dense count would be wrong
            return None
        fields.update(num_experts=experts.value,
                      experts_per_token=reader.integer_or_default(f"{MODEL}.num_experts_per_tok", 1).value,
                      expert_ffn_hidden_size=ffn.value)
    try:
        spec = ArchSpec(**fields)
    except ValueError as exc:
        notices.append(f"cannot read the nanotron architecture: {exc}")
        return None
    if spec.is_moe:
        sheet.put("num_experts", Value(spec.num_experts, reader.source(f"{moe}.num_experts")))
        sheet.put("experts_per_token", Value(spec.experts_per_token, reader.source(f"{moe}.top_k")))
    sheet.put_param_counts(spec, "nanotron model.model_config keys")
    return spec


def _qwen2_moe(reader: ConfigReader, moe: str, layers: int) -> dict[str, Any]:
    def get(key: str) -> Any:
        return reader.count_or_default(f"{moe}.{key}", DEFAULT_MOE[key]).value

    shared = reader.flag(f"{moe}.enable_shared_expert")
    shared_on = bool(shared.value) if shared is not None else DEFAULT_MOE["enable_shared_expert"]
    sparse_layers = reader.node(f"{moe}.layers")
    listed = [item.value for item in sparse_layers if isinstance(item, ScalarNode)] if isinstance(sparse_layers, SequenceNode) else [-1]
    sparse = layers if -1 in listed else len(set(listed))
    return dict(
        num_experts=get("num_experts"), experts_per_token=get("top_k"),
        expert_ffn_hidden_size=get("moe_intermediate_size"),
        shared_experts=1 if shared_on else 0,
        shared_expert_ffn_hidden_size=get("shared_expert_intermediate_size") if shared_on else None,
        num_dense_layers=layers - sparse,
    )


def _batch(reader: ConfigReader, sheet: FactSheet) -> None:
    sheet.put("seq_len", reader.count("tokens.sequence_length"))
    micro = sheet.put("micro_batch", reader.count("tokens.micro_batch_size"))
    accum = sheet.put("grad_accum", reader.count("tokens.batch_accumulation_per_replica"))
    dp = sheet.put("data_parallel", reader.count("parallelism.dp"))
    tp = sheet.put("tensor_parallel", reader.count_or_default("parallelism.tp", 1))
    pp = sheet.put("pipeline_parallel", reader.count_or_default("parallelism.pp", 1))
    sheet.put("expert_parallel", reader.count("parallelism.expert_parallel_size"))
    if dp is not None:
        sheet.put("world_size", derived(dp.value * tp.value * pp.value, "dp * tp * pp",
                                        "data_parallel", "tensor_parallel", "pipeline_parallel"))
    if micro is not None and accum is not None and dp is not None:
        sheet.put("global_batch_sequences", derived(
            micro.value * accum.value * dp.value, "micro_batch_size * batch_accumulation_per_replica * dp",
            "micro_batch", "grad_accum", "data_parallel", at=micro.source))


def _schedule(reader: ConfigReader, sheet: FactSheet, notes: dict[str, Any]) -> None:
    steps = sheet.put("train_steps", reader.count("tokens.train_steps"))
    peak = sheet.put("peak_lr", reader.positive(f"{SCHEDULER}.learning_rate"))
    warmup = sheet.put("warmup_steps", reader.integer_or_default(
        f"{SCHEDULER}.lr_warmup_steps", DEFAULT_WARMUP_STEPS))
    if reader.has(SCHEDULER) and not reader.is_set(f"{SCHEDULER}.lr_warmup_style"):
        # config.py LRSchedulerArgs.__post_init__ rejects None before its "linear" default applies.
        reader.rejected((f"{SCHEDULER}.lr_warmup_style",), "nanotron requires lr_warmup_style "
                        "(linear or constant); its config validation fails at start without it", SCHEDULER)
    style = reader.text_or_default(f"{SCHEDULER}.lr_decay_style", DEFAULT_DECAY_STYLE)
    notes["scheduler"] = style.value
    sheet.put("decay_style", Value(DECAY_STYLES.get(style.value, style.value), style.source))

    given_start = reader.integer(f"{SCHEDULER}.lr_decay_starting_step")
    start = given_start or derived(
        warmup.value, "lr_warmup_steps (lr_decay_starting_step null)", "warmup_steps")
    if given_start is not None and given_start.value > warmup.value and style.value in DECAY_STYLES:
        # helpers.py lr_lambda (huggingface/nanotron 2411b02): the LR "stays constant at lr if
        # lr_decay_starting_step is set and larger than lr_warmup_steps", then decays: a
        # warmup-stable-decay schedule (SmolLM3's stage1_8T.yaml decays from step 4,198,001)
        sheet.put("decay_style", Value("wsd", given_start.source._replace(
            note=f"stable until lr_decay_starting_step, then {style.value} decay")))
    decay = reader.integer(f"{SCHEDULER}.lr_decay_steps")
    if decay is None and steps is not None:
        decay = derived(steps.value - start.value, "train_steps - lr_decay_starting_step", "train_steps")
    if decay is not None:
        notes["decay_steps"] = decay.value
        sheet.put("decay_end_step", derived(
            start.value + decay.value, "lr_decay_starting_step + lr_decay_steps", "warmup_steps",
            note="after it the LR stays at min_decay_lr", at=decay.source))

    floor = reader.number(f"{SCHEDULER}.min_decay_lr")
    if floor is None and peak is not None:
        floor = derived(peak.value, "learning_rate (min_decay_lr null: no decay)", "peak_lr", at=peak.source)
    sheet.put("min_lr", floor)


def _optimizer(reader: ConfigReader, sheet: FactSheet) -> None:
    factory = "optimizer.optimizer_factory"
    sheet.put("optimizer", reader.text(f"{factory}.name"))
    sheet.put("adam_beta1", reader.number(f"{factory}.adam_beta1"))
    sheet.put("adam_beta2", reader.number(f"{factory}.adam_beta2"))
    sheet.put("adam_eps", reader.number(f"{factory}.adam_eps"))
    sheet.put("weight_decay", reader.number("optimizer.weight_decay"))
    sheet.put("grad_clip", reader.number("optimizer.clip_grad"))
    dtype = reader.text("model.dtype")
    if dtype is not None and dtype.value in PRECISIONS:
        sheet.put("precision", Value(PRECISIONS[dtype.value], dtype.source))
    _init(reader, sheet)


def _init(reader: ConfigReader, sheet: FactSheet) -> None:
    """Where the weights start (huggingface/nanotron 2411b02): `model.init_method.path` is an
    ExistingCheckpointInit (src/nanotron/config/config.py); `checkpoints.resume_checkpoint_path`
    is "a specific checkpoint path" that serialize/main.py loads when it holds one (else "Initializing
    from scratch"), with the optimizer and LR scheduler unless `checkpoints.load_optimizer` /
    `load_lr_scheduler` are false (trainer.py lines 215-240). Restoring the optimizer, the
    scheduler and the step continues a run whose schedule this file describes (SmolLM3's
    stage 2 and 3 resume stage 1's WSD run so); weights without the optimizer or the
    scheduler are a warm start from a checkpoint (SmolLM's finemath continual pre-training)."""
    pretrained = reader.text("model.init_method.path")
    if pretrained is not None:
        sheet.put("init", Value("checkpoint", pretrained.source))
        return
    resume = reader.text("checkpoints.resume_checkpoint_path")
    if resume is not None and str(resume.value).strip():
        for key in ("checkpoints.load_optimizer", "checkpoints.load_lr_scheduler"):
            loaded = reader.flag(key)
            if loaded is not None and loaded.value is False:
                sheet.put("init", Value("checkpoint", reader.source(
                    key, f"weights from {resume.value} without its {key.rsplit('_', 1)[-1]} state")))
                return
    sheet.put("init", reader.default("scratch", "no init_method.path, and any resume_checkpoint_path restores the "
                                                "optimizer and LR scheduler: random init, or a run continued"))
