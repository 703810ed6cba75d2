"""litgpt pretrain YAML (`config_hub/pretrain/*.yaml`), parsed by litgpt with jsonargparse.

The architecture is a preset name (`model_name`, looked up in data/litgpt_presets.json)
or an inline `model_config` mapping; either way fields left out take litgpt.Config's
defaults. The batch is global (`train.global_batch_size` sequences), so the world size is
not needed for B, and D is usually given directly (`train.max_tokens`). The LR decays by
cosine from the peak to the absolute `train.min_lr` at the last iteration.

Keys and defaults: litgpt/pretrain.py `setup` and litgpt/args.py TrainArgs @ 92627d71,
litgpt/config.py @ 26857050; formats-hf-modern.md section 8.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Optional

from steplint.dialects.base import ExtractContext, Extraction, root_names
from steplint.dialects.config_reader import (
    CASTS_STRINGS, ConfigReader, FactSheet, Value, derived, never_raises, present, whole, finish,
)
from steplint.documents.nodes import Document, MappingNode, ScalarNode, to_python
from steplint.recipe import default_source
from steplint.resources import load_data_json

if TYPE_CHECKING:
    from steplint.arch import ArchSpec

NAME = "litgpt"
DESCRIPTION = "litgpt pretrain YAML (model_name / model_config, train.*, optimizer.init_args)"

FRAMEWORK = "litgpt 92627d71 (litgpt/pretrain.py setup defaults)"

# pretrain.py `setup` default TrainArgs (differ from the TrainArgs class defaults).
DEFAULT_GLOBAL_BATCH = 512
DEFAULT_MICRO_BATCH = 4
DEFAULT_MAX_TOKENS = 3_000_000_000_000
DEFAULT_WARMUP_STEPS = 2000
DEFAULT_MIN_LR = 4e-5
DEFAULT_MAX_NORM = 1.0
DEFAULT_LR = 1e-3  # torch.optim.AdamW default when the optimizer is given by name only
DEFAULT_NUM_NODES = 1

GATED_MLPS = ("LLaMAMLP", "GemmaMLP", "LLaMAMoE")
# litgpt.Config fields that are sizes (whole numbers).
SHAPE_FIELDS = ("n_layer", "n_embd", "n_head", "n_query_groups", "head_size", "intermediate_size", "vocab_size",
                "padded_vocab_size", "padding_multiple", "block_size", "n_expert", "n_expert_per_token",
                "moe_intermediate_size")
PRECISIONS = {"bf16-mixed": "bf16", "bf16-true": "bf16", "16-mixed": "fp16", "16-true": "fp16",
              "32-true": "fp32", "transformer-engine": "fp8"}

_MARKERS = (
    "model_name", "model_config", "train.global_batch_size", "train.micro_batch_size", "train.max_tokens",
    "train.lr_warmup_steps", "train.min_lr", "optimizer.class_path", "devices", "out_dir", "num_nodes",
)


def detect(doc: Document) -> float:
    if doc.kind not in ("yaml", "json"):
        return 0.0
    if "train" not in root_names(doc):  # no lookup: it cannot be a mapping below
        return 0.0
    reader = ConfigReader(doc, FRAMEWORK)
    if not isinstance(reader.node("train"), MappingNode):
        return 0.0
    if not (reader.has("model_name") or reader.has("model_config")):
        # finetune/{lora,full,adapter}.py `setup(checkpoint_dir, ...)`: config_hub/finetune/*.yaml
        return min(0.9, 0.3 + 0.08 * present(_MARKERS, reader)) if reader.is_set("checkpoint_dir") else 0.0
    return min(0.95, 0.3 + 0.08 * present(_MARKERS, reader))


@never_raises(NAME, "litgpt config")
def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    reader = ConfigReader(doc, FRAMEWORK, loader=CASTS_STRINGS)
    sheet = FactSheet()
    notices: list[str] = []
    spec, block_size = _architecture(reader, sheet, notices)
    _batch(reader, sheet, ctx, block_size)
    _schedule(reader, sheet, notices)
    _optimizer(reader, sheet)
    return finish(NAME, doc, reader, sheet, arch=spec, notices=notices)


def preset_config(name: str) -> Optional[dict[str, Any]]:
    """litgpt.Config fields of a preset, with the class defaults filled in (None if unknown)."""
    table = load_data_json("litgpt_presets.json")
    preset = table["presets"].get(name)
    if preset is None:
        return None
    return {**table["config_defaults"], **preset}


def _finish_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """Config.__post_init__'s derived fields: head size, KV groups, padded vocab, FFN width."""
    cfg = dict(cfg)
    if cfg.get("head_size") is None:
        cfg["head_size"] = cfg["n_embd"] // cfg["n_head"]
    if cfg.get("n_query_groups") is None:
        cfg["n_query_groups"] = cfg["n_head"]
    if cfg.get("padded_vocab_size") is None:
        multiple = cfg["padding_multiple"]
        cfg["padded_vocab_size"] = multiple * math.ceil(cfg["vocab_size"] / multiple)
    if cfg.get("intermediate_size") is None:
        cfg["intermediate_size"] = 4 * cfg["n_embd"]
    return cfg


def _architecture(reader: ConfigReader, sheet: FactSheet, notices: list[str]
                  ) -> tuple[Optional[ArchSpec], Optional[Value]]:
    from steplint.arch import ArchSpec

    defaults = load_data_json("litgpt_presets.json")["config_defaults"]
    inline = reader.node("model_config")
    name = reader.text("model_name")
    if isinstance(inline, MappingNode):
        # model_config wins over model_name (litgpt pretrain.setup).
        given = {k: v for k, v in (to_python(inline) or {}).items() if v is not None}
        for key in SHAPE_FIELDS:
            if key in given:  # a bad size is SL004 at its key, and the Config default applies
                got = reader.integer(f"model_config.{key}")
                if got is not None and got.value < (0 if key in ("n_expert", "n_expert_per_token") else 1):
                    got = reader.count(f"model_config.{key}")
                if got is None:
                    del given[key]
                else:
                    given[key] = got.value
        cfg = {**defaults, **given}
        origin = "litgpt model_config (litgpt.Config defaults for omitted fields)"

        def source(key: str) -> Any:
            return reader.source(f"model_config.{key}") if key in given else default_source(
                "litgpt 26857050 litgpt/config.py Config", f"model_config.{key} not set")
    elif name is not None:
        preset = preset_config(name.value)
        if preset is None:
            notices.append(f"litgpt preset {name.value!r} is not in steplint's preset table "
                           "(data/litgpt_presets.json); N is unknown: pass --params N or --model with a config.json")
            return None, None
        cfg = preset
        origin = f"litgpt 26857050 litgpt/config.py preset {name.value!r}"

        def source(key: str) -> Any:
            return default_source(origin)
    else:
        return None, None

    unmodelled = [k for k in ("latent_attention", "n_shared_expert", "first_k_dense_replace") if cfg.get(k)]
    if unmodelled:  # DeepSeek-style attention or MoE layout: not counted rather than guessed
        notices.append(f"litgpt config sets {', '.join(unmodelled)}, which steplint does not count exactly; "
                       "N is unknown: pass --params N or --model with a config.json")
        return None, None
    try:
        cfg = _finish_config(cfg)
        mlp = str(cfg.get("mlp_class_name"))
        spec = ArchSpec(
            hidden_size=cfg["n_embd"], num_layers=cfg["n_layer"], num_heads=cfg["n_head"],
            num_kv_heads=cfg["n_query_groups"], head_dim=cfg["head_size"],
            ffn_hidden_size=cfg["intermediate_size"], vocab_size=cfg["padded_vocab_size"],
            gated=mlp in GATED_MLPS, tied_embeddings=_tied(reader),
            num_experts=cfg.get("n_expert") or 0, experts_per_token=cfg.get("n_expert_per_token") or 0,
            expert_ffn_hidden_size=cfg.get("moe_intermediate_size"),
            qkv_bias=bool(cfg.get("bias") or cfg.get("attn_bias")), out_bias=bool(cfg.get("bias")),
            mlp_bias=bool(cfg.get("bias")), lm_head_bias=bool(cfg.get("lm_head_bias")),
            norm=_norm(cfg, name.value if name is not None and not isinstance(inline, MappingNode) else None),
            norms_per_layer=_norms_per_layer(cfg),
            qk_norm=("full" if cfg.get("norm_qk_type") == "olmo2" else "head") if cfg.get("norm_qk") else "none",
        )
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        notices.append(f"cannot read the litgpt architecture: {exc}")
        return None, None
    for field_name, key, value in (
        ("hidden_size", "n_embd", spec.hidden_size), ("num_layers", "n_layer", spec.num_layers),
        ("num_attention_heads", "n_head", spec.num_heads), ("num_kv_heads", "n_query_groups", spec.kv_heads),
        ("head_dim", "head_size", spec.head_size), ("ffn_hidden_size", "intermediate_size", spec.ffn_hidden_size),
        ("vocab_size", "padded_vocab_size", spec.vocab_size),
    ):
        sheet.put(field_name, Value(value, source(key)))
    sheet.put_param_counts(spec, origin)
    return spec, Value(cfg["block_size"], source("block_size"))


def _norm(cfg: dict[str, Any], preset: Optional[str]) -> str:
    """Config.norm_class (@ 26857050): RMSNorm, or torch.nn.LayerNorm, without affine
    parameters when the config's name contains "OLMo" (OLMo's non-parametric LayerNorm)."""
    if cfg.get("norm_class_name", "LayerNorm") != "LayerNorm":
        return "rmsnorm"
    return "none" if "OLMo" in str(cfg.get("name") or preset or "") else "layernorm"


def _norms_per_layer(cfg: dict[str, Any]) -> int:
    """litgpt/model.py Block (@ 26857050): norm_1 unless disabled, norm_2 unless disabled or
    shared with norm_1 (shared_attention_norm), optional post-attention and post-MLP norms."""
    norms = int(cfg.get("norm_1", True)) + int(bool(cfg.get("norm_2", True)) and not cfg.get("shared_attention_norm"))
    return norms + int(bool(cfg.get("post_attention_norm"))) + int(bool(cfg.get("post_mlp_norm")))


def _tied(reader: ConfigReader) -> bool:
    tied = reader.flag("train.tie_embeddings")
    return bool(tied.value) if tied is not None else False  # null / absent: not tied


def _batch(reader: ConfigReader, sheet: FactSheet, ctx: ExtractContext, block_size: Optional[Value]) -> None:
    seq = reader.count("train.max_seq_length")
    if seq is None and block_size is not None:
        seq = Value(block_size.value, default_source(
            FRAMEWORK, "train.max_seq_length not set: the model's block_size"))
    sheet.put("seq_len", seq)
    batch = sheet.put("global_batch_sequences", reader.count_or_default("train.global_batch_size",
                                                                        DEFAULT_GLOBAL_BATCH))
    micro = sheet.put("micro_batch", reader.count_or_default("train.micro_batch_size", DEFAULT_MICRO_BATCH))
    devices = reader.raw("devices")
    nodes = reader.count_or_default("num_nodes", DEFAULT_NUM_NODES)
    world = ctx.world_size
    if devices is not None and isinstance(devices.value, int) and not isinstance(devices.value, bool) \
            and devices.value > 0:
        world = devices.value * nodes.value
        sheet.put("world_size", derived(world, "devices * num_nodes", at=devices.source))
    if world and batch.value % (world * micro.value) == 0:
        # pretrain.py: gradient_accumulation_iters = global_batch_size // devices // micro_batch_size
        sheet.put("grad_accum", derived(batch.value // (world * micro.value),
                                        "global_batch_size / (world_size * micro_batch_size)",
                                        "global_batch_sequences", "world_size", "micro_batch"))


def _schedule(reader: ConfigReader, sheet: FactSheet, notices: list[str]) -> None:
    batch, seq = sheet.value("global_batch_sequences"), sheet.value("seq_len")
    max_tokens = reader.positive("train.max_tokens")
    max_steps = reader.count("train.max_steps")
    if max_tokens is None and max_steps is None and not reader.is_set("train.epochs"):
        max_tokens = reader.default(DEFAULT_MAX_TOKENS, "train.max_tokens not set")
    steps: Optional[Value] = None
    if max_tokens is not None:
        sheet.put("tokens", Value(whole(max_tokens.value), max_tokens.source))
        if seq is not None:
            # The loop runs max_tokens // (micro * seq) micro-iterations per rank; the last
            # partial accumulation is dropped, so optimizer steps = floor(D / (B * seq)).
            steps = derived(int(max_tokens.value // (batch * seq)),
                            "floor(max_tokens / (global_batch_sequences * seq_len))",
                            "tokens", "global_batch_sequences", "seq_len", at=max_tokens.source)
    if max_steps is not None and (steps is None or max_steps.value < steps.value):
        steps = max_steps
        sheet.facts.pop("tokens", None)
    if steps is None and reader.is_set("train.epochs"):
        notices.append("train.epochs: train steps and tokens depend on the dataset size (pass --tokens)")
    sheet.put("train_steps", steps)

    warmup = reader.integer("train.lr_warmup_steps")
    if warmup is None and reader.is_set("train.lr_warmup_fraction"):
        notices.append("train.lr_warmup_fraction is a fraction of one epoch: warmup steps depend on the dataset")
    elif warmup is None:
        warmup = reader.default(DEFAULT_WARMUP_STEPS, "train.lr_warmup_steps not set")
    sheet.put("warmup_steps", warmup)
    sheet.put("decay_style", reader.default("cosine", "pretrain.py get_lr: cosine from the peak to min_lr"))
    sheet.put("min_lr", reader.number_or_default("train.min_lr", DEFAULT_MIN_LR))
    if steps is not None:
        sheet.put("decay_end_step", derived(steps.value, "train_steps (the cosine ends at the last iteration)",
                                            "train_steps", at=steps.source))


def _optimizer(reader: ConfigReader, sheet: FactSheet) -> None:
    optimizer = reader.node("optimizer")
    if isinstance(optimizer, ScalarNode) and optimizer.value is not None:
        sheet.put("optimizer", reader.text("optimizer"))
        sheet.put("peak_lr", reader.default(DEFAULT_LR, "optimizer given by name: its default lr"))
    else:
        class_path = reader.text("optimizer.class_path")
        if class_path is not None:
            sheet.put("optimizer", Value(class_path.value.rsplit(".", 1)[-1], class_path.source))
        sheet.put("peak_lr", reader.positive("optimizer.init_args.lr") or reader.default(
            DEFAULT_LR, "optimizer.init_args.lr not set"))
        sheet.put("weight_decay", reader.number("optimizer.init_args.weight_decay"))
        sheet.put("adam_beta1", reader.number("optimizer.init_args.betas.0"))
        sheet.put("adam_beta2", reader.number("optimizer.init_args.betas.1"))
        sheet.put("adam_eps", reader.number("optimizer.init_args.eps"))
    sheet.put("grad_clip", reader.number_or_default("train.max_norm", DEFAULT_MAX_NORM))
    precision = reader.text("precision")
    if precision is not None and precision.value in PRECISIONS:
        sheet.put("precision", Value(PRECISIONS[precision.value], precision.source))
    # pretrain.py (Lightning-AI/litgpt 26857050) initialises from `initial_checkpoint_dir` when
    # given; the finetune scripts (litgpt/finetune/lora.py, full.py, adapter.py) all start from
    # the trained weights in `checkpoint_dir`, lora.py with `lora_r` / `lora_alpha` adapters.
    initial = reader.text("initial_checkpoint_dir")
    base = reader.text("checkpoint_dir")
    if initial is not None:
        sheet.put("init", Value("checkpoint", initial.source))
    elif base is not None and not (reader.has("model_name") or reader.has("model_config")):
        lora = next((k for k in ("lora_r", "lora_alpha", "lora_query") if reader.is_set(k)), None)
        if lora is not None:
            sheet.put("init", Value("lora", reader.source(lora, f"LoRA adapters on {base.value}")))
        else:
            sheet.put("init", Value("finetune", base.source._replace(note="litgpt finetune of these weights")))
    else:
        sheet.put("init", reader.default("scratch", "no initial_checkpoint_dir: random init"))
