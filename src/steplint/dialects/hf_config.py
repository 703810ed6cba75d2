"""Hugging Face `config.json`: the architecture of a transformers model.

Only this module and its family table (hf_families.py) know HF key names and class
defaults. A missing key means the class default of its `model_type`, and those differ
(tie_word_embeddings is true for GPT-2, Gemma and Falcon, false for Llama); `null` is not
the same as absent for DeepSeek's `q_lora_rank`. Every family is checked against the
tensors transformers builds (tests/fixtures/hf_oracle.json).

Never a guess: a `model_type` without a row leaves N unknown (SL005 says how to supply
it), and a recurrent or hybrid model_type (Mamba, RWKV, Jamba...) is marked as outside
Step Law (SL305) with no transformer count.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping, Optional

from steplint.arch import ArchSpec, count_facts
from steplint.dialects.base import ExtractContext, Extraction, root_names
from steplint.dialects.hf_families import FAMILIES, LLAMA, NOT_TRANSFORMER, Family
from steplint.documents.nodes import Document, MappingNode, ScalarNode, to_python
from steplint.documents.values import unusable_number
from steplint.recipe import NO_NOTES, Fact, Notes, Source, default_source, derived_source, fact, key_source

NAME = "hf-config"
DESCRIPTION = "Hugging Face model config.json (architecture: N, active N, total parameters)"

_ABSENT = object()


# Canonical key -> spellings seen in config.json files (legacy GPT-2/Falcon names).
ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "hidden_size": ("hidden_size", "n_embd", "d_model"),
    "num_hidden_layers": ("num_hidden_layers", "n_layer", "n_layers", "num_layers"),
    "num_attention_heads": ("num_attention_heads", "n_head", "n_heads"),
    "num_key_value_heads": ("num_key_value_heads", "num_kv_heads", "n_head_kv", "n_kv_heads"),
    "intermediate_size": ("intermediate_size", "n_inner", "ffn_hidden_size", "ffn_dim"),
    "max_position_embeddings": ("max_position_embeddings", "n_positions", "n_ctx", "max_seq_len"),
    "rope_theta": ("rope_theta", "rotary_emb_base"),
    "num_local_experts": ("num_local_experts",),
})

_DIMENSION_KEYS = ("hidden_size", "n_embd", "d_model")
_LAYER_KEYS = ("num_hidden_layers", "n_layer", "n_layers", "num_layers")
# Keys of a training-args file that also carries `model_type` (run_clm): never a config.json.
_TRAINING_KEYS = ("learning_rate", "per_device_train_batch_size", "output_dir", "num_train_epochs")

# Recipe fields reported from the config (architecture extensions of recipe.FIELD_UNITS).
_FIELD_KEYS = {
    "hidden_size": "hidden_size",
    "num_layers": "num_hidden_layers",
    "num_attention_heads": "num_attention_heads",
    "num_kv_heads": "num_key_value_heads",
    "head_dim": "head_dim",
    "ffn_hidden_size": "intermediate_size",
    "vocab_size": "vocab_size",
    "max_position_embeddings": "max_position_embeddings",
    "rope_theta": "rope_theta",
}


def detect(doc: Document) -> float:
    root = doc.root
    if not isinstance(root, MappingNode):
        return 0.0
    keys = root_names(doc)  # string keys only: every name asked for below is a string
    if not keys.isdisjoint(_TRAINING_KEYS):
        return 0.0
    has_dims = not keys.isdisjoint(_DIMENSION_KEYS) and not keys.isdisjoint(_LAYER_KEYS)
    model_type = root.get("model_type")
    known = isinstance(model_type, ScalarNode) and model_type.value in FAMILIES
    if has_dims and (known or "architectures" in keys):
        return 1.0
    if (isinstance(model_type, ScalarNode) and model_type.value in TEXT_CONFIG_OF
            and isinstance(root.get("text_config"), MappingNode)):
        return 1.0  # a multimodal config whose language model is a family steplint counts
    if has_dims and "model_type" in keys:
        return 0.9
    if has_dims and "vocab_size" in keys:
        return 0.5
    return 0.0


class _Reader:
    """Reads canonical keys with their source: the file's key, else the class default.
    A plain class: private work state, and every run defines it (detection imports this
    module first), where a dataclass costs about half a millisecond."""

    def __init__(self, doc: Document, family: Family, framework: str):
        self.doc = doc
        self.family = family
        self.framework = framework
        self.sources: dict[str, Any] = {}  # canonical key -> Source

    def raw(self, key: str) -> tuple[Any, Optional[str], Optional[ScalarNode]]:
        for spelling in _spellings(self.family, key):
            node: Any = self.doc.root
            for part in spelling.split("."):  # DBRX nests: attn_config.kv_n_heads
                node = node.get(part) if isinstance(node, MappingNode) else None
            if node is not None:
                if isinstance(node, ScalarNode):
                    return node.value, spelling, node
                return to_python(node), spelling, None
        return _ABSENT, None, None

    def get(self, key: str) -> Any:
        """The value at `key` (null means the default, as transformers' __init__ treats it)."""
        value, spelling, node = self.raw(key)
        if value is not _ABSENT and value is not None:
            self.sources[key] = key_source(self.doc.path, spelling or key, node.span if node else None)
            return value
        default = self.family.defaults.get(key)
        self.sources[key] = default_source(self.framework, f"{key} absent: class default {default!r}")
        return default


def _int(value: Any) -> Optional[int]:
    if isinstance(value, bool) or value is None or unusable_number(value) is not None:
        return None  # NaN, inf, or past 2**63: no model has that many of anything
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


# Multimodal model_types whose config.json nests a language model of a counted family in
# `text_config` (transformers v5.25.0: Gemma3Config -> Gemma3TextConfig, Llama4Config ->
# Llama4TextConfig; the *ForConditionalGeneration model holds that language model).
TEXT_CONFIG_OF: Mapping[str, str] = MappingProxyType({"gemma3": "gemma3_text", "llama4": "llama4_text"})


def _text_config_family(family: Family, root: MappingNode) -> Family:
    """`family` reading every key under text_config first (then the top level)."""
    text = root.get("text_config")
    names = set(family.defaults) | set(ALIASES) | set(family.keys)
    if isinstance(text, MappingNode):
        names |= {k for k in text.keys() if isinstance(k, str)}
    keys = {name: tuple(f"text_config.{s}" for s in _spellings(family, name)) + family.keys.get(name, ())
            for name in names}
    return family._replace(keys=MappingProxyType(keys), config_class=f"{family.config_class} (text_config)")


class UnknownArchitecture(ValueError):
    """The model_type has no family row, or is not a transformer: N is not counted."""


def spec_from_config(cfg: Mapping[str, Any], model_type: Optional[str] = None) -> tuple[ArchSpec, tuple[str, ...]]:
    """ArchSpec from a plain config mapping (e.g. run_clm's `model_type` + overrides).

    Returns the spec and notices. Raises ValueError when a required dimension is missing,
    UnknownArchitecture (a ValueError) when the model_type is not one steplint counts.
    """
    mt = model_type or cfg.get("model_type")
    family = FAMILIES.get(mt) if isinstance(mt, str) else None
    if family is None:
        raise UnknownArchitecture(_unknown_text(mt))
    return _build_spec(_canonical(cfg, family), family), ()


def _unknown_text(model_type: Any) -> str:
    if isinstance(model_type, str) and model_type in NOT_TRANSFORMER:
        return (f"model_type {model_type!r} is a {NOT_TRANSFORMER[model_type]}, not a transformer: "
                "N is not counted")
    what = f"model_type {model_type!r} is" if model_type else "a config without model_type is"
    return f"{what} not one steplint knows; N is not counted (no guessed block structure)"


def _spellings(family: Family, key: str) -> tuple[str, ...]:
    return family.keys.get(key, ()) + ALIASES.get(key, (key,))


def _lookup(cfg: Mapping[str, Any], spelling: str) -> Any:
    """cfg[spelling], where a dotted spelling walks nested mappings (DBRX attn_config)."""
    value: Any = cfg
    for part in spelling.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _ABSENT
        value = value[part]
    return value


def _canonical(cfg: Mapping[str, Any], family: Family) -> dict[str, Any]:
    """Canonical key -> value with class defaults filled in (null counts as absent except
    for q_lora_rank, where null means 'no query compression')."""
    out = dict(family.defaults)
    for key in set(out) | set(ALIASES) | set(family.keys) | set(cfg):
        for spelling in _spellings(family, key):
            value = _lookup(cfg, spelling)
            if value is not _ABSENT:
                if value is not None or key == "q_lora_rank":
                    out[key] = value
                break
    return out


def _flag(c: dict[str, Any], flag: Any) -> bool:
    return bool(c.get(flag)) if isinstance(flag, str) else bool(flag)


def _layer_list(value: Any) -> set[int]:
    return {v for v in value if isinstance(v, int)} if isinstance(value, (list, tuple)) else set()


def _build_spec(c: dict[str, Any], family: Family) -> ArchSpec:
    hidden = _int(c.get("hidden_size"))
    layers = _int(c.get("num_hidden_layers"))
    heads = _int(c.get("num_attention_heads"))
    if not (hidden and layers and heads):
        missing = [k for k, v in (("hidden_size", hidden), ("num_hidden_layers", layers),
                                   ("num_attention_heads", heads)) if not v]
        raise ValueError(f"missing or not a positive integer: {', '.join(missing)}")
    # intermediate_size null or absent with no class default: 4 x hidden (GPT-2 n_inner,
    # Falcon ffn_hidden_size, GPT-J, GPT-Neo, BLOOM build 4h MLPs).
    ffn = _int(c.get("intermediate_size")) or 4 * hidden
    tied = c.get("tie_word_embeddings")
    qk_norm = family.qk_norm
    if family.qk_norm_key and not c.get(family.qk_norm_key):
        qk_norm = "none"
    fields: dict[str, Any] = dict(
        hidden_size=hidden, num_layers=layers, num_heads=heads, ffn_hidden_size=ffn,
        vocab_size=_int(c.get("vocab_size")) or 0,
        num_kv_heads=_int(c.get("num_key_value_heads")),
        head_dim=_int(c.get("head_dim")),
        gated=_flag(c, family.gated), norm=family.norm, norms_per_layer=family.norms_per_layer,
        final_norm=family.final_norm, qk_norm=qk_norm,
        tied_embeddings=family.tied if tied is None else bool(tied),
        qkv_bias=_flag(c, family.qkv_bias), out_bias=_flag(c, family.out_bias),
        mlp_bias=_flag(c, family.mlp_bias), lm_head_bias=_flag(c, family.lm_head_bias),
    )
    hooked = dict(c, num_attention_heads=heads, hidden_size=hidden, intermediate_size=ffn)
    if family.shape is not None:
        fields.update(family.shape(hooked, family))
    moe = family.moe
    if moe in ("mixtral", "granite-shared"):
        # Mixtral, OLMoE, PhiMoE, GraniteMoE: every layer is sparse; intermediate_size is
        # the expert width. GraniteMoeShared adds one shared MLP of shared_intermediate_size.
        fields.update(num_experts=_int(c.get("num_local_experts") or c.get("num_experts")) or 0,
                      experts_per_token=_int(c.get("num_experts_per_tok")) or 0, expert_ffn_hidden_size=ffn)
        shared_width = _int(c.get("shared_intermediate_size")) or 0 if moe == "granite-shared" else 0
        if shared_width:
            fields.update(shared_experts=1, shared_expert_ffn_hidden_size=shared_width)
    elif moe == "llama4":
        # Llama4TextConfig: moe_layers (default every interleave_moe_layer_step-th layer,
        # from step - 1) hold num_local_experts experts of intermediate_size plus one shared
        # expert of the same width; the other layers a dense MLP of intermediate_size_mlp.
        step = _int(c.get("interleave_moe_layer_step")) or 1
        moe_layers = _layer_list(c.get("moe_layers")) if c.get("moe_layers") is not None else set(
            range(step - 1, layers, step))
        sparse = len({i for i in moe_layers if 0 <= i < layers})
        fields.update(ffn_hidden_size=_int(c.get("intermediate_size_mlp")) or ffn,
                      num_experts=_int(c.get("num_local_experts")) or 0,
                      experts_per_token=_int(c.get("num_experts_per_tok")) or 0, expert_ffn_hidden_size=ffn,
                      shared_experts=1, num_dense_layers=layers - sparse)
    elif moe == "qwen":
        # Qwen2/3-MoE: layer i is sparse when i not in mlp_only_layers and
        # (i + 1) % decoder_sparse_step == 0; one optional shared expert with a sigmoid gate.
        step = _int(c.get("decoder_sparse_step")) or 1
        dense_only = _layer_list(c.get("mlp_only_layers"))
        sparse = sum(1 for i in range(layers) if i not in dense_only and (i + 1) % step == 0)
        shared_width = _int(c.get("shared_expert_intermediate_size")) or 0
        fields.update(num_experts=_int(c.get("num_experts")) or 0,
                      experts_per_token=_int(c.get("num_experts_per_tok")) or 0,
                      expert_ffn_hidden_size=_int(c.get("moe_intermediate_size")),
                      num_dense_layers=layers - sparse,
                      shared_experts=1 if shared_width else 0,
                      shared_expert_ffn_hidden_size=shared_width or None,
                      shared_expert_gate=bool(shared_width))
    elif moe in ("deepseek", "mla-dense", "deepseek-gqa"):
        # DeepSeek-V2/V3, GLM-4.5, dots.llm1 (transformers v5.25.0 modeling_deepseek_v2.py
        # DeepseekV2DecoderLayer): layer i is MoE when i >= first_k_dense_replace (moe_layer_freq
        # is not read there, while DeepSeek's own remote code reads it: any value but 1 is not
        # counted), with n_routed_experts + n_shared_experts experts of moe_intermediate_size;
        # n_routed_experts null builds dense layers. MiniCPM3: the same MLA over dense layers.
        routed = (_int(c.get("n_routed_experts")) or 0) if moe != "mla-dense" else 0
        top_k = _int(c.get("num_experts_per_tok")) or 0
        first = _int(c.get("first_k_dense_replace")) or 0
        sparse = max(0, layers - first) if routed else 0
        if sparse and not top_k:
            raise UnknownArchitecture("a config with n_routed_experts and no num_experts_per_tok builds experts "
                                      "it cannot route; N is not counted")
        if sparse and (_int(c.get("moe_layer_freq")) or 1) != 1:
            raise UnknownArchitecture("moe_layer_freq other than 1 (read by DeepSeek's remote code, not by "
                                      "transformers) is not counted")
        fields.update(num_experts=routed if sparse else 0, experts_per_token=top_k if sparse else 0,
                      expert_ffn_hidden_size=_int(c.get("moe_intermediate_size")),
                      shared_experts=(_int(c.get("n_shared_experts")) or 0) if sparse else 0,
                      num_dense_layers=layers - sparse)
        if moe != "deepseek-gqa":
            fields.update(q_lora_rank=_int(c.get("q_lora_rank")), kv_lora_rank=_int(c.get("kv_lora_rank")),
                          qk_nope_head_dim=_int(c.get("qk_nope_head_dim")) or 0,
                          qk_rope_head_dim=_int(c.get("qk_rope_head_dim")) or 0,
                          v_head_dim=_int(c.get("v_head_dim")) or 0, head_dim=None, num_kv_heads=None)
    return ArchSpec(**fields)


def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    root = doc.root
    if not isinstance(root, MappingNode):
        return Extraction(dialect=NAME, file=doc.path)
    mt_node = root.get("model_type")
    model_type = mt_node.value if isinstance(mt_node, ScalarNode) else None
    family = FAMILIES.get(model_type) if isinstance(model_type, str) else None
    notices: list[str] = []
    nested = isinstance(model_type, str) and model_type in TEXT_CONFIG_OF and isinstance(
        root.get("text_config"), MappingNode)
    if nested:
        family = _text_config_family(FAMILIES[TEXT_CONFIG_OF[str(model_type)]], root)
        notices.append(f"{doc.path}: model_type {model_type!r}: N counts the language model in text_config; "
                       "the vision tower and projector are not counted, so there is no total")
    if family is None:
        return _uncounted(doc, root, model_type)
    framework = f"transformers {family.config_class}"
    reader = _Reader(doc, family, framework)
    cfg = {k: v for k, v in ((k.value, to_python(v)) for k, v in root.items)}
    canonical = _canonical(cfg, family)
    try:
        spec = _build_spec(canonical, family)
    except UnknownArchitecture as exc:  # a family hook refuses a variant it cannot count exactly
        return _uncounted(doc, root, model_type, str(exc))
    except (ValueError, TypeError) as exc:
        from steplint.diagnostics import Diagnostic, Severity

        diag = Diagnostic("SL004", "bad-value", Severity.ERROR, f"cannot read the architecture: {exc}",
                          doc.path, root.span.start.line, root.span.start.column)
        return Extraction(dialect=NAME, file=doc.path, diagnostics=(diag,), notices=tuple(notices))

    facts: dict[str, Fact] = {}
    for field_name, key in _FIELD_KEYS.items():
        value = reader.get(key)
        if field_name == "ffn_hidden_size":
            value = spec.ffn_hidden_size
            if reader.sources[key].kind == "default":
                reader.sources[key] = default_source(framework, "intermediate_size absent or null: 4 x hidden")
        elif field_name == "num_kv_heads":
            value = spec.kv_heads if not spec.is_mla else spec.num_heads
            if reader.sources[key].kind == "default":
                reader.sources[key] = default_source(framework, "no KV-head key: as many as query heads")
        elif field_name == "head_dim":
            if spec.is_mla:
                continue  # DeepSeek's head_dim attribute is the rope width, not a head size
            value = spec.head_size
            if reader.sources[key].kind == "default":
                reader.sources[key] = derived_source("hidden_size / num_attention_heads",
                                                     "hidden_size", "num_attention_heads")
        if value is None:
            continue
        facts[field_name] = fact(field_name, value, reader.sources[key])
    if spec.is_moe:
        facts["num_experts"] = fact("num_experts", spec.num_experts,
                                    _source_of(root, doc, ("num_local_experts", "num_experts", "n_routed_experts"),
                                               framework))
        facts["experts_per_token"] = fact("experts_per_token", spec.experts_per_token,
                                          _source_of(root, doc, ("num_experts_per_tok",), framework))

    facts.update(count_facts(spec))
    if nested:
        del facts["n_params_total"]
    tie_node = root.get("tie_word_embeddings")
    notes = Notes(tied_embeddings_source=(
        key_source(doc.path, "tie_word_embeddings", tie_node.span) if isinstance(tie_node, ScalarNode)
        else default_source(framework, f"tie_word_embeddings absent: {family.tied}")),
        sliding_window=_sliding_window(cfg))
    return Extraction(dialect=NAME, file=doc.path, facts=facts, arch=spec, notices=tuple(notices), notes=notes)


def _sliding_window(cfg: dict[str, Any]) -> Optional[int]:
    """The attention window when the config turns one on (SL602 exempts such models from
    its RoPE-base check): `sliding_window` in Mistral v0.1, Gemma 2/3, Phi-3 configs, unless
    `use_sliding_window` is false, as Qwen2/Qwen3 configs ship a window they do not use."""
    window = cfg.get("sliding_window")
    if cfg.get("use_sliding_window") is False or isinstance(window, bool) or not isinstance(window, int):
        return None
    return window if window > 0 else None


def _source_of(root: MappingNode, doc: Document, keys: tuple[str, ...], framework: str) -> Source:
    for key in keys:
        node = root.get(key)
        if isinstance(node, ScalarNode) and node.value is not None:
            return key_source(doc.path, key, node.span)
    return default_source(framework, f"{keys[0]} absent")


def _uncounted(doc: Document, root: MappingNode, model_type: Any, reason: str = "") -> Extraction:
    """A config whose block structure steplint does not know (or which is not a
    transformer): the dimensions it states, with their keys, and no N. Never a guess."""
    generic = Family("PretrainedConfig", LLAMA)
    reader = _Reader(doc, generic, "transformers")
    facts: dict[str, Fact] = {}
    for field_name, key in _FIELD_KEYS.items():
        value, spelling, node = reader.raw(key)
        number = _int(value) if field_name != "rope_theta" else value
        if value is _ABSENT or number is None or isinstance(value, bool):
            continue
        facts[field_name] = fact(field_name, number, key_source(doc.path, spelling or key,
                                                                 node.span if node else None))
    notes = NO_NOTES
    notices = [f"{doc.path}: {reason or _unknown_text(model_type)}"]
    if isinstance(model_type, str) and model_type in NOT_TRANSFORMER:
        notes = Notes(not_transformer=f"model_type {model_type!r}: {NOT_TRANSFORMER[model_type]}")
    else:
        notices[0] += "; supply N with --params N or [tool.steplint] params"
    return Extraction(dialect=NAME, file=doc.path, facts=facts, notices=tuple(notices), notes=notes)
