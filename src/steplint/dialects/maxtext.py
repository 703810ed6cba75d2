"""MaxText YAML: `configs/base.yml` defaults, a model file `configs/models/<name>.yml`,
and a user file with overrides, merged in that order by MaxText's pyconfig.

A model file alone (the usual thing to lint) holds only architecture keys: every training
value is then a base.yml default, and the global batch is per chip
(`per_device_batch_size`) times a device count that no file holds. The schedule fractions
(`warmup_steps_fraction`, `learning_rate_final_fraction`) are ratios of the schedule
length and of the peak LR.

Defaults and model tables: data/maxtext_models.json (base.yml and models/*.yml at
e591f30c); schedule: src/maxtext/utils/maxtext_utils.py `create_learning_rate_schedule`;
formats-hf-modern.md section 10.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from steplint.dialects.base import ExtractContext, Extraction, root_names
from steplint.dialects.config_reader import ConfigReader, FactSheet, Value, as_number, derived, never_raises, finish
from steplint.documents.nodes import Document, MappingNode, to_python
from steplint.recipe import Notes, Source, default_source
from steplint.resources import load_data_json

if TYPE_CHECKING:
    from steplint.arch import ArchSpec

NAME = "maxtext"
DESCRIPTION = "MaxText YAML (base.yml keys: base_emb_dim, per_device_batch_size, learning_rate_schedule_steps)"

FRAMEWORK = "MaxText e591f30c (src/maxtext/configs/base.yml)"

ARCH_KEYS = (
    "base_emb_dim", "base_num_decoder_layers", "base_num_query_heads", "base_num_kv_heads", "head_dim",
    "base_mlp_dim", "mlp_activations", "vocab_size", "logits_via_embedding", "num_experts",
    "num_experts_per_tok", "base_moe_mlp_dim", "shared_experts", "first_num_dense_layers", "attention_type",
    "q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim",
    "decoder_block", "interleave_moe_layer_step", "use_indexer", "moe_expert_input_dim", "use_qk_norm",
    "attention_bias", "use_post_attn_norm", "use_post_ffw_norm",
)
NON_NUMERIC_ARCH_KEYS = ("mlp_activations", "logits_via_embedding", "attention_type", "decoder_block", "use_indexer",
                         "use_qk_norm", "attention_bias", "use_post_attn_norm", "use_post_ffw_norm")
# learning_rate_final_fraction was cosine_learning_rate_final_fraction until ~2026-01
# (present at 351eebc2, 2026-01-15; renamed with the WSD schedule).
FINAL_FRACTION_KEYS = ("learning_rate_final_fraction", "cosine_learning_rate_final_fraction")

_UNIQUE = frozenset((
    "base_emb_dim", "base_num_decoder_layers", "base_num_query_heads", "base_mlp_dim", "per_device_batch_size",
    "decoder_block", "max_target_length", "warmup_steps_fraction", "learning_rate_schedule_steps",
    "ici_fsdp_parallelism", "dcn_data_parallelism", "logits_via_embedding", "base_config",
))


def detect(doc: Document) -> float:
    if doc.kind not in ("yaml", "json") or not isinstance(doc.root, MappingNode):
        return 0.0
    hits = len(_UNIQUE & root_names(doc))  # MaxText keys are all top-level
    return 0.0 if hits < 2 else min(0.95, 0.4 + 0.1 * hits)


class _Layers:
    """One key through MaxText's layers: the user's file, the model file `model_name`
    selects (which wins for architecture keys unless override_model_config), base.yml."""

    def __init__(self, reader: ConfigReader, notices: list[str]):
        self.reader = reader
        table = load_data_json("maxtext_models.json")
        self.base = table["base"]
        self.model: dict[str, Any] = {}
        self.model_name: Optional[str] = None
        name = reader.text("model_name")
        if name is not None and name.value != "default":
            self.model_name = name.value
            self.model = table["models"].get(name.value, {})
            if not self.model:
                notices.append(f"MaxText model {name.value!r} is not in steplint's model table "
                               "(data/maxtext_models.json); N is unknown: pass --model with a config.json")
        override = reader.flag("override_model_config")
        self.model_wins = not (override is not None and override.value)

    def get(self, key: str) -> Optional[Value]:
        mine = self._from_file(key)
        model = None
        if key in self.model:
            model = Value(self.model[key], default_source(
                f"MaxText e591f30c configs/models/{self.model_name}.yml"))
        if model is not None and (self.model_wins or mine is None):
            return model
        if mine is not None:
            return mine
        if key in self.base:
            return Value(self.base[key], default_source(FRAMEWORK, f"{key} not set"))
        return None

    def _from_file(self, key: str) -> Optional[Value]:
        node = self.reader.node(key)
        if node is None:
            return None
        raw = to_python(node)
        if raw is None:
            return None
        number = as_number(raw) if isinstance(raw, str) else None
        return Value(number if number is not None else raw, self.reader.source(key))

    def number(self, key: str, *, positive: bool = False) -> Optional[Value]:
        """A finite number (> 0 with `positive`; -1 sentinels pass through as read)."""
        got = self.get(key)
        if got is None:
            return None
        if got.source.kind == "key":
            checked = self.reader.positive(key) if positive else self.reader.number(key)
            return None if checked is None else Value(checked.value, got.source)
        number = as_number(got.value)
        return None if number is None else Value(number, got.source)


@never_raises(NAME, "MaxText config")
def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    reader = ConfigReader(doc, FRAMEWORK, loader="omegaconf")  # pyconfig merges the YAML with OmegaConf
    notices: list[str] = []
    layers = _Layers(reader, notices)
    sheet = FactSheet()
    notes: dict[str, Any] = {}
    spec = _architecture(layers, sheet, notices, notes)
    _batch(layers, sheet, ctx)
    _schedule(layers, sheet, notices, notes)
    _optimizer(layers, reader, sheet, notices)
    return finish(NAME, doc, reader, sheet, arch=spec, notices=notices, notes=Notes(**notes))


def _architecture(layers: _Layers, sheet: FactSheet, notices: list[str], notes: dict[str, Any]) -> Optional[ArchSpec]:
    from steplint.arch import ArchSpec
    from steplint.dialects import maxtext_arch

    if layers.model_name is not None and not layers.model:
        return None
    values = {key: layers.get(key) for key in ARCH_KEYS}
    block = str(values["decoder_block"].value) if values["decoder_block"] is not None else "llama2"
    if block in maxtext_arch.NOT_TRANSFORMER:
        notes["not_transformer"] = f"MaxText decoder_block {block!r}: {maxtext_arch.NOT_TRANSFORMER[block]}"
        notices.append(f"decoder_block {block!r} is a {maxtext_arch.NOT_TRANSFORMER[block]}, not a transformer: "
                       "N is not counted")
        return None
    if block not in maxtext_arch.COUNTED or (values["use_indexer"] is not None and values["use_indexer"].value
                                            is True):
        what = "with use_indexer" if block in maxtext_arch.COUNTED else "has a layer structure that"
        notices.append(f"MaxText decoder_block {block!r} {what} steplint does not count exactly; N is unknown: "
                       "pass --params N or --model with a config.json")
        return None
    scale = layers.number("global_parameter_scale")
    if scale is not None and scale.value != 1:
        notices.append(f"global_parameter_scale {scale.value} rescales every dimension; steplint reads "
                       "scale 1 only, so N is unknown: pass --model with a config.json")
        return None

    # Each numeric key read once (a bad value in the file is one SL004 at its key).
    numbers = {key: layers.number(key) for key in ARCH_KEYS if key not in NON_NUMERIC_ARCH_KEYS}

    def num(key: str) -> Any:
        got = numbers[key]
        return int(got.value) if got is not None else None

    def raw(key: str) -> Any:
        got = values[key]
        return None if got is None else got.value

    def source_of(key: str) -> Optional[Source]:
        got = values[key]
        return None if got is None else got.source

    def at(key: str, value: Any) -> Optional[Value]:
        """`value` placed at `key` (None, so nothing is put, where no layer sets the key)."""
        source = source_of(key)
        return None if source is None else Value(value, source)

    activations = values["mlp_activations"].value if values["mlp_activations"] else ["silu", "linear"]
    experts = num("num_experts") or 1
    fields: dict[str, Any] = dict(
        hidden_size=num("base_emb_dim"), num_layers=num("base_num_decoder_layers"),
        num_heads=num("base_num_query_heads"), num_kv_heads=num("base_num_kv_heads"),
        head_dim=num("head_dim"), ffn_hidden_size=num("base_mlp_dim"), vocab_size=num("vocab_size"),
        gated=isinstance(activations, list) and len(activations) == 2,
        tied_embeddings=bool(raw("logits_via_embedding")),
    )
    fields.update(maxtext_arch.total_fields(block, {k: raw(k) for k in ("use_qk_norm", "attention_bias", "use_post_attn_norm",
                                                               "use_post_ffw_norm")}))
    per_block = maxtext_arch.COUNTED[block]
    if per_block != 1 and fields["num_layers"]:
        fields["num_layers"] *= per_block  # gemma2: one decoder layer = local + global layer
    if experts > 1:
        moe_input = num("moe_expert_input_dim")
        if moe_input is not None and moe_input > 0 and moe_input != fields["hidden_size"]:
            notices.append("moe_expert_input_dim differs from base_emb_dim: steplint does not count that MoE "
                           "exactly; N is unknown: pass --params N or --model with a config.json")
            return None
        moe_width = num("base_moe_mlp_dim")
        dense = num("first_num_dense_layers") or 0
        if block == "llama4" and fields["num_layers"]:
            dense = fields["num_layers"] - maxtext_arch.moe_layer_count(fields["num_layers"],
                                                                        num("interleave_moe_layer_step") or 1)
        fields.update(num_experts=experts, experts_per_token=num("num_experts_per_tok") or 1,
                      expert_ffn_hidden_size=moe_width if moe_width and moe_width > 0 else None,
                      shared_experts=num("shared_experts") or 0, num_dense_layers=dense)
    if str(raw("attention_type")) == "mla":
        fields.update(head_dim=None, q_lora_rank=num("q_lora_rank"), kv_lora_rank=num("kv_lora_rank"),
                      qk_nope_head_dim=num("qk_nope_head_dim"), qk_rope_head_dim=num("qk_rope_head_dim"),
                      v_head_dim=num("v_head_dim"))
    try:
        spec = ArchSpec(**fields)
        sheet.put_param_counts(spec, f"MaxText configs/models/{layers.model_name}.yml" if layers.model_name
                               else "MaxText base_* architecture keys")
        if block in maxtext_arch.TOTAL_NOT_COUNTED:
            sheet.facts.pop("n_params_total", None)
    except (TypeError, ValueError) as exc:
        notices.append(f"cannot read the MaxText architecture: {exc}")
        return None
    for field_name, key in (("hidden_size", "base_emb_dim"), ("num_attention_heads", "base_num_query_heads"),
                            ("ffn_hidden_size", "base_mlp_dim"), ("vocab_size", "vocab_size")):
        sheet.put(field_name, at(key, num(key)))
    if per_block == 1:
        sheet.put("num_layers", at("base_num_decoder_layers", spec.num_layers))
    else:
        sheet.put("num_layers", derived(spec.num_layers, f"{per_block} x base_num_decoder_layers",
                                        note=f"a {block} decoder layer holds {per_block} transformer layers",
                                        at=source_of("base_num_decoder_layers")))
    if not spec.is_mla:
        sheet.put("num_kv_heads", at("base_num_kv_heads", spec.kv_heads))
        sheet.put("head_dim", at("head_dim", spec.head_size))
    if spec.is_moe:
        sheet.put("num_experts", at("num_experts", spec.num_experts))
        sheet.put("experts_per_token", at("num_experts_per_tok", spec.experts_per_token))
    return spec


def _batch(layers: _Layers, sheet: FactSheet, ctx: ExtractContext) -> None:
    seq = layers.number("max_target_length", positive=True)
    sheet.put("seq_len", seq and Value(int(seq.value), seq.source))
    per_device = layers.number("per_device_batch_size", positive=True)
    accum = layers.number("gradient_accumulation_steps", positive=True)
    sheet.put("grad_accum", accum and Value(int(accum.value), accum.source))
    if per_device is not None:
        if float(per_device.value).is_integer():
            sheet.put("micro_batch", Value(int(per_device.value), per_device.source))
    if ctx.world_size and per_device is not None and accum is not None:
        # pyconfig: global batch = int(num_devices * per_device_batch_size) * accumulation.
        sheet.put("global_batch_sequences", derived(
            int(ctx.world_size * per_device.value) * int(accum.value),
            "int(world_size * per_device_batch_size) * gradient_accumulation_steps",
            "world_size", "grad_accum", note="per_device_batch_size is per chip"))


def _schedule(layers: _Layers, sheet: FactSheet, notices: list[str], notes: dict[str, Any]) -> None:
    steps = layers.number("steps")
    schedule = layers.number("learning_rate_schedule_steps")
    if steps is not None and steps.value == -1 and schedule is not None and schedule.value > 0:
        steps = derived(int(schedule.value), "learning_rate_schedule_steps (steps -1)")
    if steps is not None and steps.value > 0:
        steps = Value(int(steps.value), steps.source)
        sheet.put("train_steps", steps)
    if schedule is None or schedule.value == -1:
        schedule = steps and derived(steps.value, "steps (learning_rate_schedule_steps -1)", "train_steps")
    if schedule is None or schedule.value <= 0:
        return
    horizon = int(schedule.value)
    if steps is not None and steps.value > horizon:
        notices.append(f"the LR schedule ends at step {horizon} and is 0 for the remaining "
                       f"{steps.value - horizon} steps (learning_rate_schedule_steps < steps)")

    fraction = layers.number("warmup_steps_fraction")
    if fraction is not None:
        sheet.put("warmup_steps", derived(int(horizon * fraction.value),
                                          "int(schedule steps * warmup_steps_fraction)", "train_steps",
                                          note=f"warmup_steps_fraction {fraction.value}", at=fraction.source))
    # make_cos_schedule runs over (horizon - warmup) steps and reaches the floor on its
    # last index, one step before the horizon.
    sheet.put("decay_end_step", derived(horizon - 1, "schedule steps - 1 (the floor on the last step)",
                                        "train_steps", at=schedule.source))
    kind = layers.get("lr_schedule_type")
    kind_value = str(kind.value) if kind is not None else "cosine"
    notes["scheduler"] = kind_value
    if kind is not None and kind_value == "wsd":
        decay = layers.number("wsd_decay_steps_fraction")
        if decay is not None:
            notes["decay_steps"] = int(horizon * decay.value)
        sheet.put("decay_style", Value("wsd", kind.source))
    elif kind is not None:
        sheet.put("decay_style", Value(kind_value, kind.source))

    peak = layers.number("learning_rate", positive=True)
    sheet.put("peak_lr", peak)
    final_key = next((k for k in FINAL_FRACTION_KEYS if layers.reader.is_set(k)), FINAL_FRACTION_KEYS[0])
    final = layers.number(final_key)
    if peak is not None and final is not None:
        sheet.put("min_lr", derived(peak.value * final.value, f"learning_rate * {final_key}", "peak_lr",
                                    note=f"{final_key} {final.value} is a ratio", at=final.source))


def _optimizer(layers: _Layers, reader: ConfigReader, sheet: FactSheet, notices: list[str]) -> None:
    sheet.put("optimizer", layers.get("opt_type"))
    for field_name, key in (("adam_beta1", "adam_b1"), ("adam_beta2", "adam_b2"), ("adam_eps", "adam_eps"),
                            ("weight_decay", "adam_weight_decay"), ("grad_clip", "gradient_clipping_threshold")):
        sheet.put(field_name, layers.number(key))
    dataset = reader.text("dataset_type")
    if dataset is not None and dataset.value == "c4_mlperf":
        notices.append("dataset_type c4_mlperf: MaxText recomputes learning_rate, its schedule steps and "
                       "warmup from the global batch, so the file's LR is not the LR used")
    loaded = reader.text("load_parameters_path")
    if loaded is not None and loaded.value:
        sheet.put("init", Value("checkpoint", loaded.source))
    else:
        sheet.put("init", reader.default("scratch", "no load_parameters_path: random init"))
