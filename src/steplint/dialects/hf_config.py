"""Hugging Face `config.json`: the architecture of a transformers model.

Only this module knows HF key names and class defaults. A missing key means the class
default of its `model_type`, and those differ (tie_word_embeddings is true for GPT-2,
Gemma and Falcon, false for Llama); `null` is not the same as absent for DeepSeek's
`q_lora_rank`. Defaults below are the `__init__` defaults of transformers'
`models/<type>/configuration_<type>.py` (read at the commits listed in
docs/formats-hf-modern.md section 0, summarized in its section 3.2); structural facts
(gated or plain MLP, which linears carry biases, norm type and count) come from the
matching `modeling_<type>.py` and were checked against the tensor counts in
corpus/hf/expected.json (transformers 5.23.0).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, Mapping, NamedTuple, Optional

from steplint.arch import ArchSpec, count_facts
from steplint.dialects.base import ExtractContext, Extraction
from steplint.documents.nodes import Document, MappingNode, ScalarNode, to_python
from steplint.documents.values import unusable_number
from steplint.recipe import Fact, Source, default_source, derived_source, fact, key_source

NAME = "hf-config"
DESCRIPTION = "Hugging Face model config.json (architecture: N, active N, total parameters)"

_ABSENT = object()


class Family(NamedTuple):
    """What a model_type means beyond its keys: class defaults and block structure (a table
    row: a NamedTuple, as detection imports this module on every run)."""

    config_class: str  # transformers class whose defaults apply
    defaults: Mapping[str, Any]
    gated: bool = True
    norm: str = "rmsnorm"
    norms_per_layer: int = 2
    qk_norm: str = "none"
    tied: bool = False  # default of tie_word_embeddings
    qkv_bias: bool = False  # built in, whatever the keys say (Qwen2)
    moe: str = ""  # "", "mixtral", "qwen", "deepseek"
    shape: Optional[Callable[[dict, "Family"], dict]] = None  # family-specific ArchSpec fields


def _falcon_shape(cfg: dict, fam: Family) -> dict:
    # modeling_falcon.py: new_decoder_architecture uses num_kv_heads and two norms
    # (ln_attn, ln_mlp) unless num_ln_in_parallel_attn == 1; otherwise multi_query forces
    # one KV head and a parallel block has a single input_layernorm.
    new_arch = bool(cfg.get("new_decoder_architecture"))
    heads = cfg["num_attention_heads"]
    if new_arch:
        kv = cfg.get("num_key_value_heads") or heads
        norms = 1 if cfg.get("num_ln_in_parallel_attn") == 1 else 2
    else:
        kv = 1 if cfg.get("multi_query", True) else heads
        norms = 1 if cfg.get("parallel_attn", True) else 2
    bias = bool(cfg.get("bias", False))
    return dict(num_kv_heads=kv, norms_per_layer=norms, qkv_bias=bias, out_bias=bias, mlp_bias=bias,
                parallel_attention=bool(cfg.get("parallel_attn", True)))


def _gpt_neox_shape(cfg: dict, fam: Family) -> dict:
    # GPTNeoXAttention: fused qkv and dense carry `attention_bias` (default true); the MLP
    # always has biases; two LayerNorms per layer even with use_parallel_residual.
    bias = bool(cfg.get("attention_bias", True))
    return dict(qkv_bias=bias, out_bias=bias, mlp_bias=True,
                parallel_attention=bool(cfg.get("use_parallel_residual", True)))


def _gpt2_shape(cfg: dict, fam: Family) -> dict:
    # GPT2: Conv1D layers with biases everywhere, a learned position table of n_positions.
    return dict(qkv_bias=True, out_bias=True, mlp_bias=True,
                learned_position_embeddings=int(cfg.get("n_positions", 1024)))


def _phi_shape(cfg: dict, fam: Family) -> dict:
    # PhiDecoderLayer: parallel block with one LayerNorm; every linear and the LM head
    # carry biases; optional per-head q/k LayerNorm.
    return dict(qkv_bias=True, out_bias=True, mlp_bias=True, lm_head_bias=True, parallel_attention=True,
                qk_norm="head" if cfg.get("qk_layernorm") else "none")


def _llama_shape(cfg: dict, fam: Family) -> dict:
    # LlamaAttention: `attention_bias` puts biases on q, k, v and o; `mlp_bias` on the MLP.
    bias = bool(cfg.get("attention_bias", False))
    return dict(qkv_bias=bias or fam.qkv_bias, out_bias=bias, mlp_bias=bool(cfg.get("mlp_bias", False)))


_LLAMA_DEFAULTS = {
    "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
    "num_attention_heads": 32, "num_key_value_heads": None, "head_dim": None,
    "max_position_embeddings": 2048, "rope_theta": 10000.0,
}


def _d(base: Mapping[str, Any], **changes: Any) -> Mapping[str, Any]:
    out = dict(base)
    out.update(changes)
    return MappingProxyType(out)


# model_type -> Family. Defaults: transformers configuration_<type>.py (formats-hf-modern.md §3.2).
FAMILIES: Mapping[str, Family] = MappingProxyType({
    "llama": Family("LlamaConfig", _d(_LLAMA_DEFAULTS), shape=_llama_shape),
    "mistral": Family("MistralConfig", _d(_LLAMA_DEFAULTS, intermediate_size=14336, num_key_value_heads=8,
                                          max_position_embeddings=131072), shape=_llama_shape),
    "mixtral": Family("MixtralConfig", _d(_LLAMA_DEFAULTS, intermediate_size=14336, num_key_value_heads=8,
                                          max_position_embeddings=131072, rope_theta=1e6,
                                          num_local_experts=8, num_experts_per_tok=2), moe="mixtral"),
    "qwen2": Family("Qwen2Config", _d(_LLAMA_DEFAULTS, vocab_size=151936, intermediate_size=22016,
                                      max_position_embeddings=32768), qkv_bias=True, shape=_llama_shape),
    "qwen2_moe": Family("Qwen2MoeConfig", _d(_LLAMA_DEFAULTS, vocab_size=151936, hidden_size=2048,
                                              intermediate_size=5632, num_hidden_layers=24,
                                              num_attention_heads=16, num_key_value_heads=16,
                                              max_position_embeddings=32768, num_experts=60,
                                              num_experts_per_tok=4, moe_intermediate_size=1408,
                                              shared_expert_intermediate_size=5632, decoder_sparse_step=1,
                                              mlp_only_layers=()), qkv_bias=True, moe="qwen"),
    "qwen3": Family("Qwen3Config", _d(_LLAMA_DEFAULTS, vocab_size=151936, intermediate_size=22016,
                                      head_dim=128, max_position_embeddings=32768),
                    qk_norm="head", shape=_llama_shape),
    "qwen3_moe": Family("Qwen3MoeConfig", _d(_LLAMA_DEFAULTS, vocab_size=151936, hidden_size=2048,
                                              intermediate_size=6144, num_hidden_layers=24,
                                              num_key_value_heads=4, max_position_embeddings=32768,
                                              num_experts=128, num_experts_per_tok=8, moe_intermediate_size=768,
                                              decoder_sparse_step=1, mlp_only_layers=()),
                        qk_norm="head", moe="qwen"),
    "deepseek_v2": Family("DeepseekV2Config", _d(_LLAMA_DEFAULTS, vocab_size=102400, num_hidden_layers=30,
                                                  moe_intermediate_size=1407, n_routed_experts=None,
                                                  n_shared_experts=None, num_experts_per_tok=None,
                                                  first_k_dense_replace=0, moe_layer_freq=1, q_lora_rank=1536,
                                                  kv_lora_rank=512, qk_nope_head_dim=128, qk_rope_head_dim=64,
                                                  v_head_dim=128), moe="deepseek"),
    "deepseek_v3": Family("DeepseekV3Config", _d(_LLAMA_DEFAULTS, vocab_size=129280, hidden_size=7168,
                                                  intermediate_size=18432, num_hidden_layers=61,
                                                  num_attention_heads=128, num_key_value_heads=128,
                                                  max_position_embeddings=4096, moe_intermediate_size=2048,
                                                  n_routed_experts=256, n_shared_experts=1,
                                                  num_experts_per_tok=8, first_k_dense_replace=3,
                                                  moe_layer_freq=1, q_lora_rank=1536, kv_lora_rank=512,
                                                  qk_nope_head_dim=128, qk_rope_head_dim=64, v_head_dim=128),
                          moe="deepseek"),
    "gemma": Family("GemmaConfig", _d(_LLAMA_DEFAULTS, vocab_size=256000, hidden_size=3072,
                                      intermediate_size=24576, num_hidden_layers=28, num_attention_heads=16,
                                      num_key_value_heads=16, head_dim=256, max_position_embeddings=8192),
                    tied=True, shape=_llama_shape),
    # Gemma2DecoderLayer: input, post-attention, pre- and post-feedforward norms.
    "gemma2": Family("Gemma2Config", _d(_LLAMA_DEFAULTS, vocab_size=256000, hidden_size=2304,
                                        intermediate_size=9216, num_hidden_layers=26, num_attention_heads=8,
                                        num_key_value_heads=4, head_dim=256, max_position_embeddings=8192),
                     tied=True, norms_per_layer=4, shape=_llama_shape),
    "phi": Family("PhiConfig", _d(_LLAMA_DEFAULTS, vocab_size=51200, hidden_size=2048, intermediate_size=8192,
                                  num_hidden_layers=24), gated=False, norm="layernorm", norms_per_layer=1,
                  shape=_phi_shape),
    "phi3": Family("Phi3Config", _d(_LLAMA_DEFAULTS, vocab_size=32064, hidden_size=3072, intermediate_size=8192,
                                    max_position_embeddings=4096)),
    "falcon": Family("FalconConfig", _d(_LLAMA_DEFAULTS, vocab_size=65024, hidden_size=4544,
                                        intermediate_size=None, num_attention_heads=71),
                     gated=False, norm="layernorm", tied=True, shape=_falcon_shape),
    "gpt_neox": Family("GPTNeoXConfig", _d(_LLAMA_DEFAULTS, vocab_size=50432, hidden_size=6144,
                                           intermediate_size=24576, num_hidden_layers=44, num_attention_heads=64,
                                           rope_theta=10000.0), gated=False, norm="layernorm",
                       shape=_gpt_neox_shape),
    "gpt2": Family("GPT2Config", _d(_LLAMA_DEFAULTS, vocab_size=50257, hidden_size=768, intermediate_size=None,
                                    num_hidden_layers=12, num_attention_heads=12, max_position_embeddings=1024,
                                    n_positions=1024, rope_theta=None),
                   gated=False, norm="layernorm", tied=True, shape=_gpt2_shape),
    # OLMo-1 (`allenai/OLMo-*-hf`): LayerNorm without affine parameters.
    "olmo": Family("OlmoConfig", _d(_LLAMA_DEFAULTS, vocab_size=50304), norm="none", shape=_llama_shape),
    "olmo2": Family("Olmo2Config", _d(_LLAMA_DEFAULTS, vocab_size=50304), qk_norm="full", shape=_llama_shape),
    "olmoe": Family("OlmoeConfig", _d(_LLAMA_DEFAULTS, vocab_size=50304, hidden_size=2048, intermediate_size=2048,
                                      num_hidden_layers=16, num_attention_heads=16, max_position_embeddings=4096,
                                      num_experts=64, num_experts_per_tok=8), qk_norm="full", moe="mixtral"),
})

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
    keys = set(root.keys())
    if keys & set(_TRAINING_KEYS):
        return 0.0
    has_dims = bool(keys & set(_DIMENSION_KEYS)) and bool(keys & set(_LAYER_KEYS))
    model_type = root.get("model_type")
    known = isinstance(model_type, ScalarNode) and model_type.value in FAMILIES
    if has_dims and (known or "architectures" in keys):
        return 1.0
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
        self.sources: dict = {}  # canonical key -> Source

    def raw(self, key: str) -> tuple[Any, Optional[str], Optional[ScalarNode]]:
        root = self.doc.root
        assert isinstance(root, MappingNode)
        for spelling in ALIASES.get(key, (key,)):
            node = root.get(spelling)
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


def spec_from_config(cfg: Mapping[str, Any], model_type: Optional[str] = None) -> tuple[ArchSpec, tuple[str, ...]]:
    """ArchSpec from a plain config mapping (e.g. run_clm's `model_type` + overrides).

    Returns the spec and notices. Raises ValueError when a required dimension is missing.
    """
    mt = model_type or cfg.get("model_type")
    family = FAMILIES.get(mt) if isinstance(mt, str) else None
    notices: list[str] = []
    if family is None:
        family = _GENERIC
        notices.append(f"model_type {mt!r} is not one steplint knows: counted as a Llama-style block "
                       "(gated MLP, RMSNorm, no biases) from its generic keys")
    flat = _canonical(cfg, family)
    return _build_spec(flat, family), tuple(notices)


_GENERIC = Family("PretrainedConfig (generic keys)", _d(_LLAMA_DEFAULTS), shape=_llama_shape)


def _canonical(cfg: Mapping[str, Any], family: Family) -> dict:
    """Canonical key -> value with class defaults filled in (null counts as absent except
    for q_lora_rank, where null means 'no query compression')."""
    out = dict(family.defaults)
    for key in set(out) | set(ALIASES) | set(cfg):
        for spelling in ALIASES.get(key, (key,)):
            if spelling in cfg:
                value = cfg[spelling]
                if value is not None or key == "q_lora_rank":
                    out[key] = value
                break
    return out


def _build_spec(c: dict, family: Family) -> ArchSpec:
    hidden = _int(c.get("hidden_size"))
    layers = _int(c.get("num_hidden_layers"))
    heads = _int(c.get("num_attention_heads"))
    if not (hidden and layers and heads):
        missing = [k for k, v in (("hidden_size", hidden), ("num_hidden_layers", layers),
                                   ("num_attention_heads", heads)) if not v]
        raise ValueError(f"missing or not a positive integer: {', '.join(missing)}")
    ffn = _int(c.get("intermediate_size")) or 4 * hidden  # GPT-2 n_inner / Falcon ffn_hidden_size null -> 4h
    tied = c.get("tie_word_embeddings")
    fields: dict[str, Any] = dict(
        hidden_size=hidden, num_layers=layers, num_heads=heads, ffn_hidden_size=ffn,
        vocab_size=_int(c.get("vocab_size")) or 0,
        num_kv_heads=_int(c.get("num_key_value_heads")),
        head_dim=_int(c.get("head_dim")),
        gated=family.gated, norm=family.norm, norms_per_layer=family.norms_per_layer, qk_norm=family.qk_norm,
        tied_embeddings=family.tied if tied is None else bool(tied),
        qkv_bias=family.qkv_bias,
    )
    if family.shape is not None:
        fields.update(family.shape(dict(c, num_attention_heads=heads), family))
    if family.moe == "mixtral":
        # Mixtral and OLMoE: every layer is sparse; intermediate_size is the expert width.
        fields.update(num_experts=_int(c.get("num_local_experts") or c.get("num_experts")) or 0,
                      experts_per_token=_int(c.get("num_experts_per_tok")) or 0, expert_ffn_hidden_size=ffn)
    elif family.moe == "qwen":
        # Qwen2/3-MoE: layer i is sparse when i not in mlp_only_layers and
        # (i + 1) % decoder_sparse_step == 0; one optional shared expert with a sigmoid gate.
        step = _int(c.get("decoder_sparse_step")) or 1
        dense_only = set(c.get("mlp_only_layers") or ())
        sparse = sum(1 for i in range(layers) if i not in dense_only and (i + 1) % step == 0)
        shared_width = _int(c.get("shared_expert_intermediate_size")) or 0
        fields.update(num_experts=_int(c.get("num_experts")) or 0,
                      experts_per_token=_int(c.get("num_experts_per_tok")) or 0,
                      expert_ffn_hidden_size=_int(c.get("moe_intermediate_size")),
                      num_dense_layers=layers - sparse,
                      shared_experts=1 if shared_width else 0,
                      shared_expert_ffn_hidden_size=shared_width or None,
                      shared_expert_gate=bool(shared_width))
    elif family.moe == "deepseek":
        # DeepSeek-V2/V3: layer i is sparse when i >= first_k_dense_replace and
        # i % moe_layer_freq == 0; n_shared_experts experts of moe_intermediate_size;
        # num_experts_per_tok None makes every layer dense (DeepseekV2Config).
        routed = _int(c.get("n_routed_experts")) or 0
        top_k = _int(c.get("num_experts_per_tok")) or 0
        first = _int(c.get("first_k_dense_replace")) or 0
        freq = _int(c.get("moe_layer_freq")) or 1
        sparse = sum(1 for i in range(layers) if i >= first and i % freq == 0) if routed and top_k else 0
        fields.update(num_experts=routed if sparse else 0, experts_per_token=top_k if sparse else 0,
                      expert_ffn_hidden_size=_int(c.get("moe_intermediate_size")),
                      shared_experts=(_int(c.get("n_shared_experts")) or 0) if sparse else 0,
                      num_dense_layers=layers - sparse,
                      q_lora_rank=_int(c.get("q_lora_rank")), kv_lora_rank=_int(c.get("kv_lora_rank")),
                      qk_nope_head_dim=_int(c.get("qk_nope_head_dim")) or 0,
                      qk_rope_head_dim=_int(c.get("qk_rope_head_dim")) or 0,
                      v_head_dim=_int(c.get("v_head_dim")) or 0, head_dim=None)
    return ArchSpec(**fields)


def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    root = doc.root
    if not isinstance(root, MappingNode):
        return Extraction(dialect=NAME, file=doc.path)
    mt_node = root.get("model_type")
    model_type = mt_node.value if isinstance(mt_node, ScalarNode) else None
    family = FAMILIES.get(model_type) if isinstance(model_type, str) else None
    notices: list[str] = []
    if family is None:
        family = _GENERIC
        notices.append(f"{doc.path}: model_type {model_type!r} is not one steplint knows; N counted as a "
                       "Llama-style block (gated MLP, RMSNorm, no biases) from generic keys")
    framework = f"transformers {family.config_class}"
    reader = _Reader(doc, family, framework)
    cfg = {k: v for k, v in ((k.value, to_python(v)) for k, v in root.items)}
    canonical = _canonical(cfg, family)
    try:
        spec = _build_spec(canonical, family)
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
    tie_node = root.get("tie_word_embeddings")
    extras: dict[str, Any] = {
        "model_type": model_type,
        "tie_word_embeddings": spec.tied_embeddings,
        "tie_word_embeddings_source": (key_source(doc.path, "tie_word_embeddings", tie_node.span)
                                       if isinstance(tie_node, ScalarNode)
                                       else default_source(framework, f"tie_word_embeddings absent: {family.tied}")),
    }
    window = _sliding_window(cfg)
    if window is not None:
        extras["sliding_window"] = window
    return Extraction(dialect=NAME, file=doc.path, facts=facts, arch=spec, notices=tuple(notices),
                      extras=MappingProxyType(extras))


def _sliding_window(cfg: dict) -> Optional[int]:
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
