"""What a MaxText `decoder_block` means for the parameter count.

MaxText picks the layer class from `decoder_block` (src/maxtext/layers/decoders.py
`_get_decoder_layer`, AI-Hypercomputer/maxtext @ e591f30c) and scans it
`base_num_decoder_layers` times. Read in that commit:

* gemma2 (src/maxtext/models/gemma2.py Gemma2DecoderLayer): ONE decoder layer holds a
  local-attention block and a global-attention block, each with its own MLP, so the
  model has 2 x base_num_decoder_layers transformer layers (configs/models/gemma2-9b.yml:
  "half of the real number of layers because we merge [local_attention,
  global_attention] into one layer"). Every other block is one transformer layer per
  decoder layer; the scannable blocks (llama4, gpt_oss, olmo3, qwen3_next) scan
  num_decoder_layers / inhomogeneous_layer_cycle_interval blocks of that many layers.
* llama4 (src/maxtext/models/llama4.py determine_is_moe_layer): layer i is MoE when
  (i + 1) % interleave_moe_layer_step == 0, RoutedAndSharedMoE (layers/moe.py) with
  experts of moe_mlp_dim and `shared_experts` x moe_mlp_dim shared width; other layers
  an MlpBlock of mlp_dim.
* deepseek: MLA, first_num_dense_layers dense, the rest RoutedAndSharedMoE; `use_indexer`
  (DeepSeek-3.2 sparse attention) adds an indexer whose tensors steplint does not count.
* qwen3_next, qwen3_5 (src/maxtext/models/qwen3.py, qwen3_5.py): Gated DeltaNet linear
  attention mixed with full attention: not a transformer in Step Law's sense.

Blocks not listed in COUNTED (deepseek4, envy, gemma4, gemma4_small, olmo3,
qwen3_custom_moe, simple, simple_mlp, default) have layer structures steplint does not
model exactly: N stays unknown.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

# decoder_block -> transformer layers per scanned decoder layer.
COUNTED: Mapping[str, int] = MappingProxyType({
    "llama2": 1, "mistral": 1, "mixtral": 1, "gemma": 1, "gemma2": 2, "gemma3": 1, "qwen2": 1, "qwen3": 1,
    "qwen3_moe": 1, "deepseek": 1, "llama4": 1, "gpt3": 1, "gpt_oss": 1,
})

# Blocks whose N is exact but whose total is not (tensors outside ArchSpec's parts): gpt_oss
# (src/maxtext/models/gpt_oss.py: Attention with attention_bias and one sink per head,
# RoutedMoE on every layer with mlp_bias / routed_bias; N = the same attention + expert
# weights transformers and torchtitan build for GPT-OSS, 19,747,307,520 for gpt-oss-20b).
TOTAL_NOT_COUNTED = frozenset(("gpt_oss",))

NOT_TRANSFORMER: Mapping[str, str] = MappingProxyType({
    "qwen3_next": "Qwen3-Next Gated DeltaNet / attention hybrid (src/maxtext/models/qwen3.py)",
    "qwen3_5": "Qwen3.5 Gated DeltaNet / attention hybrid (src/maxtext/models/qwen3_5.py)",
})


def moe_layer_count(layers: int, interleave_step: int) -> int:
    """llama4's determine_is_moe_layer: (i + 1) % step == 0."""
    step = interleave_step if interleave_step and interleave_step > 0 else 0
    return sum(1 for i in range(layers) if step and (i + 1) % step == 0)


def total_fields(block: str, flags: dict[str, Any]) -> dict[str, Any]:
    """ArchSpec fields that only change the total, from the block's model code:
    layers/attentions.py Attention (use_qk_norm: a head_dim RMSNorm on q and on k, not for
    llama4; attention_bias: q/k/v/o biases, no o bias for qwen2), models/gemma3.py (QK norm
    always on), models/gemma2.py and gemma3.py (use_post_attn_norm / use_post_ffw_norm add
    a norm after attention / after the MLP)."""
    out: dict[str, Any] = {}
    if (flags.get("use_qk_norm") is True or block == "gemma3") and block != "llama4":
        out["qk_norm"] = "head"
    if flags.get("attention_bias") is True:
        out.update(qkv_bias=True, out_bias=block != "qwen2")
    if block in ("gemma2", "gemma3"):
        out["norms_per_layer"] = 2 + (flags.get("use_post_attn_norm") is True) + (flags.get("use_post_ffw_norm") is True)
    return out
