"""What each HF `model_type` means: class defaults and block structure, as table rows.

One row per decoder-only causal-LM family; one generic reader (hf_config._build_spec)
turns a config plus its row into an ArchSpec, and arch.count_params counts it. A row
says, from transformers' own files (v5.25.0, https://github.com/huggingface/transformers/
tree/v5.25.0/src/transformers/models/<type>/: `configuration_<type>.py` for the defaults,
`modeling_<type>.py` for the structure):

* `defaults`: the config class's field defaults for the keys steplint reads;
* `keys`: the family's own spellings of canonical keys (GPT-2 `n_embd`, DBRX
  `attn_config.kv_n_heads`), tried before the generic aliases;
* `gated` (gate/up/down vs up/down MLP), `norm` ("layernorm" has weight and bias;
  a weight-only LayerNorm counts as "rmsnorm"), norms per layer, QK norm;
* which projections carry biases: True/False, or the config key that decides it;
* `tied`: the class default of tie_word_embeddings;
* `moe`: how expert layers are laid out ("mixtral", "qwen", "deepseek", "dbrx", "llama4").

Every row is checked against the tensors transformers builds (tests/fixtures/
hf_oracle.json, written by scripts/hf_oracle.py on the meta device).

`NOT_TRANSFORMER` lists the recurrent and hybrid model_types (state-space, linear
attention, RWKV, short convolutions): Step Law was fitted on transformers only.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, Mapping, Optional, Union

from steplint._namedtuple import NamedTuple

Flag = Union[bool, str]  # a fixed fact, or the config key that decides it


class Family(NamedTuple):
    config_class: str
    defaults: Mapping[str, Any]
    gated: Flag = True
    norm: str = "rmsnorm"
    norms_per_layer: int = 2
    final_norm: bool = True
    qk_norm: str = "none"  # "head" / "full" (see ArchSpec)
    qk_norm_key: str = ""  # config key that turns qk_norm on (default off)
    tied: bool = False
    qkv_bias: Flag = "attention_bias"
    out_bias: Flag = "attention_bias"
    mlp_bias: Flag = "mlp_bias"
    lm_head_bias: Flag = False
    moe: str = ""
    keys: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    shape: Optional[Callable[[dict[str, Any], "Family"], dict[str, Any]]] = None  # the rest, family-specific


def _refuse(what: str) -> Exception:
    from steplint.dialects.hf_config import UnknownArchitecture

    return UnknownArchitecture(f"{what} is not a variant steplint counts exactly; N is not counted")


def _d(base: Mapping[str, Any], **changes: Any) -> Mapping[str, Any]:
    out = dict(base)
    out.update(changes)
    return MappingProxyType(out)


def _k(**keys: Union[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({k: (v,) if isinstance(v, str) else v for k, v in keys.items()})


LLAMA = _d({
    "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
    "num_attention_heads": 32, "num_key_value_heads": None, "head_dim": None,
    "max_position_embeddings": 2048, "rope_theta": 10000.0, "attention_bias": False, "mlp_bias": False,
})
_NO_BIAS: dict[str, Any] = dict(qkv_bias=False, out_bias=False, mlp_bias=False)
_GPT2_KEYS = _k(hidden_size="n_embd", num_hidden_layers="n_layer", num_attention_heads="n_head",
                intermediate_size="n_inner", max_position_embeddings="n_positions")


def _falcon_shape(c: dict[str, Any], fam: Family) -> dict[str, Any]:
    # modeling_falcon.py: new_decoder_architecture uses num_kv_heads and two norms
    # (ln_attn, ln_mlp) unless num_ln_in_parallel_attn == 1; otherwise multi_query forces
    # one KV head and a parallel block has a single input_layernorm.
    heads = c["num_attention_heads"]
    if c.get("new_decoder_architecture"):
        kv = c.get("num_key_value_heads") or heads
        norms = 1 if c.get("num_ln_in_parallel_attn") == 1 else 2
    else:
        kv = 1 if c.get("multi_query", True) else heads
        norms = 1 if c.get("parallel_attn", True) else 2
    return dict(num_kv_heads=kv, norms_per_layer=norms, parallel_attention=bool(c.get("parallel_attn", True)))


def _gpt_neox_shape(c: dict[str, Any], fam: Family) -> dict[str, Any]:
    return dict(parallel_attention=bool(c.get("use_parallel_residual", True)))


def _learned_positions(c: dict[str, Any], fam: Family) -> dict[str, Any]:
    # GPT-2, GPT-Neo, GPT-BigCode: a learned position table of max_position_embeddings rows.
    return dict(learned_position_embeddings=int(c.get("max_position_embeddings") or 0))


def _gpt_bigcode_shape(c: dict[str, Any], fam: Family) -> dict[str, Any]:
    # GPTBigCodeAttention: multi_query (default true) gives one K/V head in the fused c_attn.
    return dict(num_kv_heads=1 if c.get("multi_query", True) else None, **_learned_positions(c, fam))


def _phi_shape(c: dict[str, Any], fam: Family) -> dict[str, Any]:
    # PhiAttention: optional per-head q/k LayerNorm (qk_layernorm); parallel block.
    return dict(qk_norm="head" if c.get("qk_layernorm") else "none", parallel_attention=True)


def _bloom_shape(c: dict[str, Any], fam: Family) -> dict[str, Any]:
    # BloomModel: word_embeddings_layernorm (a LayerNorm of width h) after the embedding.
    return dict(other_params=2 * c["hidden_size"])


def _opt_shape(c: dict[str, Any], fam: Family) -> dict[str, Any]:
    # OPTLearnedPositionalEmbedding has max_position_embeddings + 2 rows (offset 2);
    # project_in/project_out (no bias) when word_embed_proj_dim != hidden_size, and the
    # embedding itself is then word_embed_proj_dim wide; final_layer_norm only when
    # do_layer_norm_before and not _remove_final_layer_norm.
    h = c["hidden_size"]
    proj = c.get("word_embed_proj_dim") or h
    before = c.get("do_layer_norm_before", True)
    other = 2 * proj * h if proj != h else 0
    if not c.get("layer_norm_elementwise_affine", True):
        raise _refuse("OPT with layer_norm_elementwise_affine false")
    return dict(learned_position_embeddings=int(c.get("max_position_embeddings") or 0) + 2,
                embedding_width=proj, other_params=other,
                final_norm=bool(before and not c.get("_remove_final_layer_norm")))


def _mpt_shape(c: dict[str, Any], fam: Family) -> dict[str, Any]:
    # MptAttention: fused Wqkv (MHA); MptMLP: up_proj h -> 4h, down_proj back.
    # transformers' MptMLP builds 4 x hidden whatever expansion_ratio says: another ratio
    # is a checkpoint transformers cannot load, so it is not counted.
    if c.get("expansion_ratio", 4) != 4:
        raise _refuse(f"MPT with expansion_ratio {c.get('expansion_ratio')!r} (transformers builds 4)")
    # Every MptBlock linear is bias-free and its LayerNorms drop the bias, whatever
    # no_bias says; no_bias false describes llm-foundry tensors transformers does not build.
    if c.get("no_bias", True) is False:
        raise _refuse("MPT with no_bias false (transformers builds no biases)")
    return dict(ffn_hidden_size=4 * c["hidden_size"])


def _stablelm_shape(c: dict[str, Any], fam: Family) -> dict[str, Any]:
    # StableLmDecoderLayer: use_parallel_residual drops post_attention_layernorm;
    # qk_layernorm is one LayerNorm (no bias) of head_dim per head (full width).
    parallel = bool(c.get("use_parallel_residual"))
    return dict(norms_per_layer=1 if parallel else 2, parallel_attention=parallel,
                qk_norm="full_nobias" if c.get("qk_layernorm") else "none")


def _dbrx_shape(c: dict[str, Any], fam: Family) -> dict[str, Any]:
    # DbrxExperts: gated w1/v1/w2 of ffn_hidden_size per expert, every layer sparse;
    # DbrxRouter a bias-free Linear; LayerNorms without bias.
    return dict(num_experts=int(c.get("moe_num_experts") or 0), experts_per_token=int(c.get("moe_top_k") or 0),
                expert_ffn_hidden_size=int(c["intermediate_size"]))




def _helium_shape(c: dict[str, Any], fam: Family) -> dict[str, Any]:
    # HeliumAttention's o_proj is hidden x hidden: only heads x head_dim == hidden runs.
    if c.get("head_dim") and c["head_dim"] * c["num_attention_heads"] != c["hidden_size"]:
        raise _refuse("Helium with heads x head_dim != hidden_size")
    return {}


def _gpt_oss_shape(c: dict[str, Any], fam: Family) -> dict[str, Any]:
    # GptOssAttention: one learned sink per head; GptOssTopKRouter has a bias; experts
    # (gate_up and down projections) carry biases.
    return dict(other_params=c["num_hidden_layers"] * c["num_attention_heads"], router_bias=True)


FAMILIES: Mapping[str, Family] = MappingProxyType({
    "llama": Family("LlamaConfig", LLAMA),
    "mistral": Family("MistralConfig", _d(LLAMA, intermediate_size=14336, num_key_value_heads=8,
                                          max_position_embeddings=131072)),
    "ministral": Family("MinistralConfig", _d(LLAMA, intermediate_size=14336, num_key_value_heads=8,
                                              max_position_embeddings=131072)),
    "mixtral": Family("MixtralConfig", _d(LLAMA, intermediate_size=14336, num_key_value_heads=8,
                                          max_position_embeddings=131072, rope_theta=1e6,
                                          num_local_experts=8, num_experts_per_tok=2), moe="mixtral", **_NO_BIAS),
    "qwen2": Family("Qwen2Config", _d(LLAMA, vocab_size=151936, intermediate_size=22016,
                                      max_position_embeddings=32768), qkv_bias=True, out_bias=False, mlp_bias=False),
    "qwen2_moe": Family("Qwen2MoeConfig", _d(LLAMA, vocab_size=151936, hidden_size=2048, intermediate_size=5632,
                                              num_hidden_layers=24, num_attention_heads=16, num_key_value_heads=16,
                                              max_position_embeddings=32768, num_experts=60, num_experts_per_tok=4,
                                              moe_intermediate_size=1408, shared_expert_intermediate_size=5632,
                                              decoder_sparse_step=1, mlp_only_layers=()),
                        qkv_bias=True, out_bias=False, mlp_bias=False, moe="qwen"),
    "qwen3": Family("Qwen3Config", _d(LLAMA, vocab_size=151936, intermediate_size=22016, head_dim=128,
                                      max_position_embeddings=32768), qk_norm="head"),
    "qwen3_moe": Family("Qwen3MoeConfig", _d(LLAMA, vocab_size=151936, hidden_size=2048, intermediate_size=6144,
                                              num_hidden_layers=24, num_key_value_heads=4,
                                              max_position_embeddings=32768, num_experts=128,
                                              num_experts_per_tok=8, moe_intermediate_size=768,
                                              decoder_sparse_step=1, mlp_only_layers=()),
                        qk_norm="head", moe="qwen", mlp_bias=False),
    "deepseek_v2": Family("DeepseekV2Config", _d(LLAMA, vocab_size=102400, n_routed_experts=64, n_shared_experts=2,
                                                  num_experts_per_tok=None, moe_intermediate_size=1407,
                                                  first_k_dense_replace=0, moe_layer_freq=1, q_lora_rank=1536,
                                                  kv_lora_rank=512, qk_nope_head_dim=128, qk_rope_head_dim=64,
                                                  v_head_dim=128), moe="deepseek", **_NO_BIAS),
    "deepseek_v3": Family("DeepseekV3Config", _d(LLAMA, vocab_size=129280, hidden_size=7168,
                                                  intermediate_size=18432, num_hidden_layers=61,
                                                  num_attention_heads=128, num_key_value_heads=128,
                                                  max_position_embeddings=4096, moe_intermediate_size=2048,
                                                  n_routed_experts=256, n_shared_experts=1, num_experts_per_tok=8,
                                                  first_k_dense_replace=3, moe_layer_freq=1, q_lora_rank=1536,
                                                  kv_lora_rank=512, qk_nope_head_dim=128, qk_rope_head_dim=64,
                                                  v_head_dim=128), moe="deepseek", **_NO_BIAS),
    "minicpm3": Family("MiniCPM3Config", _d(LLAMA, vocab_size=73448, hidden_size=2560, intermediate_size=6400,
                                            num_hidden_layers=62, num_attention_heads=40, q_lora_rank=768,
                                            kv_lora_rank=256, qk_nope_head_dim=64, qk_rope_head_dim=32,
                                            v_head_dim=64), moe="mla-dense", tied=True),
    "gemma": Family("GemmaConfig", _d(LLAMA, vocab_size=256000, hidden_size=3072, intermediate_size=24576,
                                      num_hidden_layers=28, num_attention_heads=16, num_key_value_heads=16,
                                      head_dim=256, max_position_embeddings=8192), tied=True),
    # Gemma2/3 decoder layers: input, post-attention, pre- and post-feedforward norms.
    "gemma2": Family("Gemma2Config", _d(LLAMA, vocab_size=256000, hidden_size=2304, intermediate_size=9216,
                                        num_hidden_layers=26, num_attention_heads=8, num_key_value_heads=4,
                                        head_dim=256, max_position_embeddings=8192), tied=True, norms_per_layer=4),
    "gemma3_text": Family("Gemma3TextConfig", _d(LLAMA, vocab_size=262208, hidden_size=2304,
                                                 intermediate_size=9216, num_hidden_layers=26,
                                                 num_attention_heads=8, num_key_value_heads=4, head_dim=256,
                                                 max_position_embeddings=131072),
                          tied=True, norms_per_layer=4, qk_norm="head"),
    "phi": Family("PhiConfig", _d(LLAMA, vocab_size=51200, hidden_size=2048, intermediate_size=8192,
                                  num_hidden_layers=24), gated=False, norm="layernorm", norms_per_layer=1,
                  qkv_bias=True, out_bias=True, mlp_bias=True, lm_head_bias=True, shape=_phi_shape),
    "phi3": Family("Phi3Config", _d(LLAMA, vocab_size=32064, hidden_size=3072, intermediate_size=8192,
                                    max_position_embeddings=4096), **_NO_BIAS),
    "phimoe": Family("PhimoeConfig", _d(LLAMA, vocab_size=32064, intermediate_size=6400, num_key_value_heads=8,
                                        num_local_experts=16, num_experts_per_tok=2, attention_bias=False),
                     norm="layernorm", moe="mixtral", qkv_bias="attention_bias", mlp_bias=False,
                     lm_head_bias="lm_head_bias"),
    "falcon": Family("FalconConfig", _d(LLAMA, vocab_size=65024, hidden_size=4544, intermediate_size=None,
                                        num_attention_heads=71, bias=False),
                     gated=False, norm="layernorm", tied=True, qkv_bias="bias", out_bias="bias", mlp_bias="bias",
                     keys=_k(num_key_value_heads=("num_kv_heads", "n_head_kv"),
                             intermediate_size="ffn_hidden_size"),
                     shape=_falcon_shape),
    # GPTNeoXAttention: fused qkv and dense carry `attention_bias` (default true); the MLP
    # always has biases; two LayerNorms per layer even with use_parallel_residual.
    "gpt_neox": Family("GPTNeoXConfig", _d(LLAMA, vocab_size=50432, hidden_size=6144, intermediate_size=24576,
                                           num_hidden_layers=44, num_attention_heads=64, attention_bias=True),
                       gated=False, norm="layernorm", mlp_bias=True, shape=_gpt_neox_shape),
    # GPT-2: Conv1D layers with biases everywhere, a learned position table of n_positions.
    "gpt2": Family("GPT2Config", _d(LLAMA, vocab_size=50257, hidden_size=768, intermediate_size=None,
                                    num_hidden_layers=12, num_attention_heads=12, max_position_embeddings=1024,
                                    rope_theta=None),
                   gated=False, norm="layernorm", tied=True, qkv_bias=True, out_bias=True, mlp_bias=True,
                   keys=_GPT2_KEYS, shape=_learned_positions),
    # GPT-J: q/k/v/out without bias, fc_in/fc_out with bias, one ln_1 (parallel block),
    # LM head with bias, untied.
    "gptj": Family("GPTJConfig", _d(LLAMA, vocab_size=50400, hidden_size=4096, intermediate_size=None,
                                    num_hidden_layers=28, num_attention_heads=16, max_position_embeddings=2048),
                   gated=False, norm="layernorm", norms_per_layer=1, qkv_bias=False, out_bias=False, mlp_bias=True,
                   lm_head_bias=True, keys=_GPT2_KEYS),
    # GPT-Neo: q/k/v without bias, out_proj and the MLP with bias, learned positions, tied.
    "gpt_neo": Family("GPTNeoConfig", _d(LLAMA, vocab_size=50257, hidden_size=2048, intermediate_size=None,
                                         num_hidden_layers=24, num_attention_heads=16),
                      gated=False, norm="layernorm", tied=True, qkv_bias=False, out_bias=True, mlp_bias=True,
                      keys=_k(num_hidden_layers="num_layers", num_attention_heads="num_heads"),
                      shape=_learned_positions),
    "gpt_bigcode": Family("GPTBigCodeConfig", _d(LLAMA, vocab_size=50257, hidden_size=768, intermediate_size=None,
                                                 num_hidden_layers=12, num_attention_heads=12,
                                                 max_position_embeddings=1024),
                          gated=False, norm="layernorm", tied=True, qkv_bias=True, out_bias=True, mlp_bias=True,
                          keys=_GPT2_KEYS, shape=_gpt_bigcode_shape),
    # Starcoder2: c_fc/c_proj MLP and q/k/v/o all biased by use_bias (default true), LayerNorm.
    "starcoder2": Family("Starcoder2Config", _d(LLAMA, vocab_size=49152, hidden_size=3072, intermediate_size=12288,
                                                num_hidden_layers=30, num_attention_heads=24,
                                                num_key_value_heads=2, max_position_embeddings=4096,
                                                use_bias=True),
                         gated=False, norm="layernorm", tied=True, qkv_bias="use_bias", out_bias="use_bias",
                         mlp_bias="use_bias"),
    # BLOOM: fused query_key_value and dense with bias, 4h MLP with bias, LayerNorms, tied.
    "bloom": Family("BloomConfig", _d(LLAMA, vocab_size=250880, hidden_size=64, intermediate_size=None,
                                      num_hidden_layers=2, num_attention_heads=8),
                    gated=False, norm="layernorm", tied=True, qkv_bias=True, out_bias=True, mlp_bias=True,
                    keys=_k(num_hidden_layers="n_layer", num_attention_heads="n_head"), shape=_bloom_shape),
    "opt": Family("OPTConfig", _d(LLAMA, vocab_size=50272, hidden_size=768, intermediate_size=3072,
                                  num_hidden_layers=12, num_attention_heads=12, enable_bias=True),
                  gated=False, norm="layernorm", tied=True, qkv_bias="enable_bias", out_bias="enable_bias",
                  mlp_bias="enable_bias", keys=_k(intermediate_size="ffn_dim"), shape=_opt_shape),
    "mpt": Family("MptConfig", _d(LLAMA, vocab_size=50368, hidden_size=2048, num_hidden_layers=24,
                                  num_attention_heads=16, max_position_embeddings=2048),
                  gated=False, norm="rmsnorm", tied=True, **_NO_BIAS,
                  keys=_k(hidden_size="d_model", num_hidden_layers="n_layers", num_attention_heads="n_heads",
                          max_position_embeddings="max_seq_len"),
                  shape=_mpt_shape),
    "stablelm": Family("StableLmConfig", _d(LLAMA, vocab_size=50304, hidden_size=2560, intermediate_size=6912,
                                            num_key_value_heads=32, max_position_embeddings=4096,
                                            use_qkv_bias=False),
                       norm="layernorm", qkv_bias="use_qkv_bias", out_bias=False, mlp_bias=False,
                       shape=_stablelm_shape),
    # Persimmon: fused qkv and dense with bias, relu^2 MLP with bias, per-head q/k LayerNorm.
    "persimmon": Family("PersimmonConfig", _d(LLAMA, vocab_size=262144, hidden_size=4096, intermediate_size=16384,
                                              num_hidden_layers=36, num_attention_heads=64,
                                              max_position_embeddings=16384, qk_layernorm=True),
                        gated=False, norm="layernorm", qkv_bias=True, out_bias=True, mlp_bias=True,
                        qk_norm="head", qk_norm_key="qk_layernorm"),
    # Cohere: one weight-only LayerNorm per layer (parallel block); use_qk_norm adds
    # (heads, head_dim)-shaped q/k norms: full width.
    "cohere": Family("CohereConfig", _d(LLAMA, vocab_size=256000, hidden_size=8192, intermediate_size=22528,
                                        num_hidden_layers=40, num_attention_heads=64, max_position_embeddings=8192),
                     norms_per_layer=1, tied=True, qk_norm="full", qk_norm_key="use_qk_norm", mlp_bias=False),
    "cohere2": Family("Cohere2Config", _d(LLAMA, vocab_size=256000, hidden_size=8192, intermediate_size=22528,
                                          num_hidden_layers=40, num_attention_heads=64,
                                          max_position_embeddings=8192),
                      norms_per_layer=1, tied=True, mlp_bias=False),
    "granite": Family("GraniteConfig", LLAMA),
    "granitemoe": Family("GraniteMoeConfig", _d(LLAMA, num_local_experts=8, num_experts_per_tok=2),
                         moe="mixtral", mlp_bias=False),
    "granitemoeshared": Family("GraniteMoeSharedConfig", _d(LLAMA, num_local_experts=8, num_experts_per_tok=2,
                                                            shared_intermediate_size=0),
                               moe="granite-shared", mlp_bias=False),
    # Nemotron: LayerNorm1P (weight and bias), relu^2 MLP (up, down) without a gate.
    "nemotron": Family("NemotronConfig", _d(LLAMA, vocab_size=256000, hidden_size=6144, intermediate_size=24576,
                                            num_attention_heads=48), gated=False, norm="layernorm"),
    # OLMo-1: LayerNorm without affine parameters.
    "olmo": Family("OlmoConfig", _d(LLAMA, vocab_size=50304), norm="none", mlp_bias=False),
    # OLMo-2/3: post-attention and post-feedforward RMSNorms, q/k norm over all heads.
    "olmo2": Family("Olmo2Config", _d(LLAMA, vocab_size=50304), qk_norm="full", mlp_bias=False),
    "olmo3": Family("Olmo3Config", _d(LLAMA, vocab_size=50304), qk_norm="full", mlp_bias=False),
    "olmoe": Family("OlmoeConfig", _d(LLAMA, vocab_size=50304, hidden_size=2048, intermediate_size=2048,
                                      num_hidden_layers=16, num_attention_heads=16, max_position_embeddings=4096,
                                      num_experts=64, num_experts_per_tok=8),
                    qk_norm="full", moe="mixtral", mlp_bias=False),
    "dbrx": Family("DbrxConfig", _d(LLAMA, vocab_size=32000, hidden_size=2048, num_hidden_layers=24,
                                    num_attention_heads=16, max_position_embeddings=2048, num_key_value_heads=1,
                                    intermediate_size=3584, moe_num_experts=4, moe_top_k=1),
                   norm="rmsnorm", moe="dbrx", **_NO_BIAS,
                   keys=_k(hidden_size="d_model", num_hidden_layers="n_layers", num_attention_heads="n_heads",
                           max_position_embeddings="max_seq_len", num_key_value_heads="attn_config.kv_n_heads",
                           intermediate_size="ffn_config.ffn_hidden_size",
                           moe_num_experts="ffn_config.moe_num_experts", moe_top_k="ffn_config.moe_top_k"),
                   shape=_dbrx_shape),
    "helium": Family("HeliumConfig", _d(LLAMA, vocab_size=48000, hidden_size=2560, intermediate_size=7040,
                                        num_hidden_layers=24, num_attention_heads=20, num_key_value_heads=20,
                                        head_dim=128), shape=_helium_shape),
    "glm": Family("GlmConfig", _d(LLAMA, vocab_size=151552, hidden_size=4096, intermediate_size=13696,
                                  num_hidden_layers=40, num_key_value_heads=2, head_dim=128, attention_bias=True),
                  qkv_bias="attention_bias", out_bias=False, mlp_bias=False),
    "glm4": Family("Glm4Config", _d(LLAMA, vocab_size=151552, hidden_size=4096, intermediate_size=13696,
                                    num_hidden_layers=40, num_key_value_heads=2, head_dim=128, attention_bias=True),
                   norms_per_layer=4, qkv_bias="attention_bias", out_bias=False, mlp_bias=False),
    "smollm3": Family("SmolLM3Config", _d(LLAMA, vocab_size=128256, hidden_size=2048, intermediate_size=11008,
                                          num_hidden_layers=36, num_attention_heads=16, num_key_value_heads=4,
                                          max_position_embeddings=32768), tied=True),
    "exaone4": Family("Exaone4Config", _d(LLAMA, vocab_size=102400, hidden_size=4096, intermediate_size=16384,
                                          num_key_value_heads=32), qk_norm="head", mlp_bias=False),
    "seed_oss": Family("SeedOssConfig", _d(LLAMA, vocab_size=155136, hidden_size=4096, intermediate_size=27648,
                                           num_hidden_layers=64, num_attention_heads=80, num_key_value_heads=8,
                                           head_dim=128, attention_bias=True),
                       qkv_bias="attention_bias", out_bias="attention_out_bias"),
    "ernie4_5": Family("Ernie4_5Config", _d(LLAMA, vocab_size=103424, hidden_size=1024, intermediate_size=3072,
                                            num_hidden_layers=18, num_attention_heads=16, num_key_value_heads=2,
                                            head_dim=128, use_bias=False), tied=True, qkv_bias="use_bias", out_bias="use_bias",
                       mlp_bias="use_bias"),
    "hunyuan_v1_dense": Family("HunYuanDenseV1Config", _d(LLAMA, vocab_size=290943), qk_norm="head"),
    # Arcee: relu^2 MLP (up, down), no gate.
    "arcee": Family("ArceeConfig", _d(LLAMA, vocab_size=32000, hidden_size=2560, intermediate_size=18432,
                                      num_hidden_layers=32, num_attention_heads=32), gated=False),
    "internlm3": Family("InternLM3Config", _d(LLAMA, vocab_size=128512, hidden_size=4096, intermediate_size=10240,
                                              num_hidden_layers=48, num_attention_heads=32, num_key_value_heads=2,
                                              head_dim=128, bias=False, qkv_bias=False),
                        qkv_bias="qkv_bias", out_bias="bias", mlp_bias="bias"),
    "gpt_oss": Family("GptOssConfig", _d(LLAMA, vocab_size=201088, hidden_size=2880, intermediate_size=2880,
                                         num_hidden_layers=36, num_attention_heads=64, num_key_value_heads=8,
                                         head_dim=64, max_position_embeddings=131072, num_local_experts=128,
                                         num_experts_per_tok=4, attention_bias=True),
                      moe="mixtral", mlp_bias=True, shape=_gpt_oss_shape),
    # Llama 4 text model (Llama4ForCausalLM): L2 QK norm without weights.
    "llama4_text": Family("Llama4TextConfig", _d(LLAMA, vocab_size=202048, hidden_size=5120, intermediate_size=8192,
                                                 intermediate_size_mlp=16384, num_hidden_layers=48,
                                                 num_attention_heads=40, num_key_value_heads=8, head_dim=128,
                                                 max_position_embeddings=131072, num_local_experts=16,
                                                 num_experts_per_tok=1, interleave_moe_layer_step=1),
                          moe="llama4", mlp_bias=False),
    # GLM-4.5 (Glm4MoeConfig): DeepSeek-style MoE layout (first_k_dense_replace dense layers,
    # n_routed_experts + n_shared_experts of moe_intermediate_size) under GQA attention with
    # q/k/v biases (attention_bias) and an optional per-head QK norm.
    "glm4_moe": Family("Glm4MoeConfig", _d(LLAMA, vocab_size=151552, hidden_size=4096, intermediate_size=10944,
                                           num_hidden_layers=46, num_attention_heads=96, num_key_value_heads=8,
                                           max_position_embeddings=131072, moe_intermediate_size=1408,
                                           num_experts_per_tok=8, n_shared_experts=1, n_routed_experts=128,
                                           first_k_dense_replace=1),
                       qkv_bias="attention_bias", out_bias=False, mlp_bias=False, qk_norm="head",
                       qk_norm_key="use_qk_norm", moe="deepseek-gqa"),
    "dots1": Family("Dots1Config", _d(LLAMA, vocab_size=152064, hidden_size=4608, intermediate_size=10944,
                                      num_hidden_layers=62, num_attention_heads=32, num_key_value_heads=32,
                                      moe_intermediate_size=1408, n_shared_experts=None, n_routed_experts=None,
                                      num_experts_per_tok=None, first_k_dense_replace=0),
                    qk_norm="head", mlp_bias=False, moe="deepseek-gqa"),
})

# model_type -> what it is, for the recurrent and hybrid families of transformers
# v5.25.0 (the mixer class named is the one in modeling_<type>.py that is not attention).
NOT_TRANSFORMER: Mapping[str, str] = MappingProxyType({
    "mamba": "Mamba state-space model (MambaMixer)",
    "mamba2": "Mamba-2 state-space model (Mamba2Mixer)",
    "falcon_mamba": "Falcon-Mamba state-space model (FalconMambaMixer)",
    "rwkv": "RWKV recurrent model (RwkvLinearAttention)",
    "xlstm": "xLSTM recurrent model (mLSTM blocks)",
    "recurrent_gemma": "RecurrentGemma / Griffin hybrid (RecurrentGemmaRecurrentBlock)",
    "jamba": "Jamba attention/Mamba hybrid (JambaMambaMixer layers)",
    "zamba": "Zamba Mamba/shared-attention hybrid (ZambaMambaMixer)",
    "zamba2": "Zamba2 Mamba-2/shared-attention hybrid (Zamba2MambaMixer)",
    "bamba": "Bamba attention/Mamba-2 hybrid (BambaMixer)",
    "falcon_h1": "Falcon-H1 parallel attention/Mamba-2 hybrid (FalconH1Mixer)",
    "granitemoehybrid": "Granite-4 attention/Mamba-2 hybrid (GraniteMoeHybridMambaLayer)",
    "nemotron_h": "Nemotron-H attention/Mamba-2 hybrid (NemotronHMamba2Mixer)",
    "lfm2": "LFM2 short-convolution/attention hybrid (Lfm2ShortConv)",
    "lfm2_moe": "LFM2-MoE short-convolution/attention hybrid (Lfm2MoeShortConv)",
    "qwen3_next": "Qwen3-Next linear-attention hybrid (Qwen3NextGatedDeltaNet)",
    "kimi_linear": "Kimi-Linear linear-attention hybrid (KimiLinearAttention)",
    "olmo_hybrid": "OLMo hybrid linear-attention model (OlmoHybridGatedDeltaNet)",
    "minimax": "MiniMax lightning (linear) attention hybrid (layer_types)",
})
