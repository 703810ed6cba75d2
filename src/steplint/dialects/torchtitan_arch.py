"""torchtitan flavors (data/torchtitan_flavors.json) as ArchSpecs, with the model code's rules.

Every rule below is read in pytorch/torchtitan at tag v0.2.2 (73a0e697), the release
whose TOML `[model] name` + `flavor` the dialect reads:

* llama3 (models/llama3/model/model.py): head_dim = dim / n_heads; FeedForward width
  int(2 * 4dim / 3), times ffn_dim_multiplier, rounded up to multiple_of; untied output.
* llama4 (models/llama4/model/model.py TransformerBlock): layer i is MoE when
  (i + 1) % interleave_moe_layer_step == 0, its expert width int(2 * 4dim / 3) times the
  multiplier, divided by (top_k + num_shared_experts) when auto_scale_hidden_dim, then
  rounded up to multiple_of; other layers take the llama3 FeedForward; no QK norm tensors
  (L2 norm); untied output.
* qwen3 (models/qwen3/model/model.py): explicit head_dim, per-head q/k RMSNorm when
  qk_norm; dense FFN of hidden_dim, or (moe_enabled) MoE on every layer with experts of
  moe_inter_dim; enable_weight_tying ties the output.
* deepseek_v3 (models/deepseek_v3/model/model.py): MLA; the first n_dense_layers use a
  dense FFN of inter_dim, the rest MoE with experts of moe_inter_dim.
* gpt_oss (models/gpt_oss/model/model.py, moe.py): head_dim attention with biases and one
  attention-sink scalar per head; every layer MoE with gated experts of moe_inter_dim
  carrying biases; untied output.
* MoE (models/moe/moe.py MoE): num_experts routed experts, top_k per token, one shared
  FeedForward of hidden_dim * num_shared_experts (the same tensors as that many shared
  experts), a router Linear(dim, num_experts, bias=gate_bias).
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Optional

from steplint.arch import ArchSpec


class UnknownFlavor(ValueError):
    """A flavor whose structure steplint does not count exactly."""


def llama3_ffn_width(dim: int, multiple_of: int, ffn_dim_multiplier: Optional[float]) -> int:
    """FFN width of a llama3 flavor, as torchtitan's FeedForward computes it: 2/3 of 4*dim,
    times the multiplier, rounded up to a multiple of `multiple_of`."""
    hidden = int(2 * (4 * dim) / 3)
    if ffn_dim_multiplier is not None:
        hidden = int(ffn_dim_multiplier * hidden)
    return multiple_of * math.ceil(hidden / multiple_of)


def _moe(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    moe = entry.get("moe_args")
    if not isinstance(moe, Mapping):
        raise UnknownFlavor("moe_args is not a plain MoEArgs table")
    return moe


def _moe_fields(moe: Mapping[str, Any], width: int) -> dict[str, Any]:
    shared = int(moe.get("num_shared_experts") or 0)
    return dict(num_experts=int(moe["num_experts"]), experts_per_token=int(moe["top_k"]),
                expert_ffn_hidden_size=width, shared_experts=shared,
                shared_expert_ffn_hidden_size=width if shared else None, router_bias=bool(moe.get("gate_bias")))


def _llama3(e: Mapping[str, Any]) -> ArchSpec:
    return ArchSpec(hidden_size=e["dim"], num_layers=e["n_layers"], num_heads=e["n_heads"],
                    num_kv_heads=e.get("n_kv_heads"),
                    ffn_hidden_size=llama3_ffn_width(e["dim"], e["multiple_of"], e.get("ffn_dim_multiplier")),
                    vocab_size=e["vocab_size"])


def _llama4(e: Mapping[str, Any]) -> ArchSpec:
    moe = _moe(e)
    dim, layers, step = e["dim"], e["n_layers"], int(e.get("interleave_moe_layer_step") or 1)
    hidden = int(2 * (4 * dim) / 3)
    if e.get("ffn_dim_multiplier") is not None:
        hidden = int(e["ffn_dim_multiplier"] * hidden)
    if e.get("auto_scale_hidden_dim", True):
        hidden = int(hidden / (moe["top_k"] + (moe.get("num_shared_experts") or 0)))
    hidden += -hidden % e["multiple_of"]
    sparse = sum(1 for i in range(layers) if (i + 1) % step == 0)
    return ArchSpec(hidden_size=dim, num_layers=layers, num_heads=e["n_heads"], num_kv_heads=e.get("n_kv_heads"),
                    ffn_hidden_size=llama3_ffn_width(dim, e["multiple_of"], e.get("ffn_dim_multiplier")),
                    vocab_size=e["vocab_size"], num_dense_layers=layers - sparse, **_moe_fields(moe, hidden))


def _qwen3(e: Mapping[str, Any]) -> ArchSpec:
    fields: dict[str, Any] = dict(
        hidden_size=e["dim"], num_layers=e["n_layers"], num_heads=e["n_heads"], num_kv_heads=e.get("n_kv_heads"),
        head_dim=e["head_dim"], ffn_hidden_size=e["hidden_dim"], vocab_size=e["vocab_size"],
        qk_norm="head" if e.get("qk_norm") else "none", tied_embeddings=bool(e.get("enable_weight_tying")))
    if e.get("moe_enabled"):
        fields.update(_moe_fields(_moe(e), e["moe_inter_dim"]))
    return ArchSpec(**fields)


def _deepseek_v3(e: Mapping[str, Any]) -> ArchSpec:
    moe = _moe(e)
    return ArchSpec(hidden_size=e["dim"], num_layers=e["n_layers"], num_heads=e["n_heads"],
                    ffn_hidden_size=e["inter_dim"], vocab_size=e["vocab_size"],
                    num_dense_layers=e["n_dense_layers"], q_lora_rank=e["q_lora_rank"],
                    kv_lora_rank=e["kv_lora_rank"], qk_nope_head_dim=e["qk_nope_head_dim"],
                    qk_rope_head_dim=e["qk_rope_head_dim"], v_head_dim=e["v_head_dim"],
                    **_moe_fields(moe, e["moe_inter_dim"]))


def _gpt_oss(e: Mapping[str, Any]) -> ArchSpec:
    return ArchSpec(hidden_size=e["dim"], num_layers=e["n_layers"], num_heads=e["n_heads"],
                    num_kv_heads=e["n_kv_heads"], head_dim=e["head_dim"], ffn_hidden_size=e["moe_inter_dim"],
                    vocab_size=e["vocab_size"], qkv_bias=True, out_bias=True, mlp_bias=True,
                    other_params=e["n_layers"] * e["n_heads"],  # attention sinks
                    **_moe_fields(_moe(e), e["moe_inter_dim"]))


_BUILDERS = {"llama3": _llama3, "llama4": _llama4, "qwen3": _qwen3, "deepseek_v3": _deepseek_v3,
             "gpt_oss": _gpt_oss}


def flavor_spec(name: str, entry: Mapping[str, Any]) -> ArchSpec:
    """The ArchSpec of flavor `entry` of model `name`; UnknownFlavor when not counted exactly."""
    build = _BUILDERS.get(name)
    if build is None:
        raise UnknownFlavor(f"torchtitan model {name!r} has no counting rule in steplint")
    try:
        return build(entry)
    except (KeyError, TypeError) as exc:
        raise UnknownFlavor(f"torchtitan {name} flavor lacks {exc}") from None
