"""Architecture spec and exact parameter counts, framework-free.

`ArchSpec` describes a decoder-only transformer in plain numbers. Dialects (HF
`config.json`, Megatron flags, NeoX YAML, flavor tables, ...) translate their own keys
into it; nothing here knows a key name. `count_params` turns it into three counts:

* `n_params`: Step Law N (arXiv 2503.04715): attention projection weights plus FFN
  weights (dense MLPs, every routed expert, shared experts). No embeddings, LM head,
  norms, biases, routers or position tables. Recomputing N this way reproduces the `N`,
  `Nattn` and `Na` columns of the released step-law CSVs (docs/param-counting.md).
* `n_params_active`: the same with only top-k routed experts per MoE layer (= n_params
  for dense models).
* `n_params_total`: every parameter tensor, counted once (a tied head is not counted
  again); checked against the tensor count transformers 5.23 builds for the 24 configs of
  corpus/hf (docs/param-counting.md).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping, Optional

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import EMPTY_MAPPING
from steplint.recipe import Fact, derived_source, fact

NORM_TYPES = ("layernorm", "rmsnorm", "none")
QK_NORM_TYPES = ("none", "head", "full", "full_nobias")


class _ArchFields(NamedTuple):
    """ArchSpec's fields (ArchSpec adds the checks and the derived sizes)."""

    hidden_size: int
    num_layers: int
    num_heads: int
    ffn_hidden_size: int
    vocab_size: int = 0
    num_kv_heads: Optional[int] = None  # None: = num_heads (MHA)
    head_dim: Optional[int] = None  # None: hidden_size // num_heads
    gated: bool = True
    tied_embeddings: bool = False
    # MoE
    num_experts: int = 0
    experts_per_token: int = 0
    expert_ffn_hidden_size: Optional[int] = None  # None: ffn_hidden_size
    shared_experts: int = 0
    shared_expert_ffn_hidden_size: Optional[int] = None  # None: expert_ffn_hidden_size
    shared_expert_gate: bool = False  # Qwen-MoE: a 1 x hidden sigmoid gate per layer
    num_dense_layers: int = 0  # layers of an MoE model that keep a dense MLP
    router_bias: bool = False
    # MLA (DeepSeek-V2/V3): used when kv_lora_rank is set
    q_lora_rank: Optional[int] = None  # None or 0: queries are not compressed
    kv_lora_rank: Optional[int] = None
    qk_nope_head_dim: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0
    # Biases (total count only)
    qkv_bias: bool = False
    out_bias: bool = False
    mlp_bias: bool = False
    lm_head_bias: bool = False
    # Norms (total count only): "layernorm" has weight + bias, "rmsnorm" weight only,
    # "none" is non-parametric (OLMo-1).
    norm: str = "rmsnorm"
    norms_per_layer: int = 2  # 1 for single-norm parallel blocks (Falcon-7B, Phi-2)
    final_norm: bool = True
    qk_norm: str = "none"  # "head": per-head width (Qwen3); "full": over all heads (OLMoE);
    # "full_nobias": over all heads, weight only even under LayerNorm (StableLM per-head norms)
    parallel_attention: bool = False  # documents the block shape; does not change counts
    learned_position_embeddings: int = 0  # rows of a learned position table (GPT-2)
    embedding_width: Optional[int] = None  # None: hidden_size (OPT-350m embeds at 512, projects to 1024)
    # Tensors outside every part above, counted in the total only (OPT's project_in/out,
    # BLOOM's embedding LayerNorm); the dialect that sets it says what they are.
    other_params: int = 0


class ArchSpec(_ArchFields):
    """A decoder-only transformer, in framework-neutral terms.

    Attention: `num_heads` query heads and `num_kv_heads` key/value heads of width
    `head_dim` (which need not be hidden_size / num_heads: Qwen3, Gemma). MQA is
    num_kv_heads = 1, GQA 1 < kv < heads. MLA (DeepSeek-V2/V3) is selected by
    `kv_lora_rank`; it then uses the `qk_*`/`v_head_dim`/`q_lora_rank` fields instead.

    FFN: `ffn_hidden_size` is the width of one dense MLP branch; `gated` means three
    matrices (SwiGLU/GeGLU: gate, up, down), else two (GELU MLP).

    MoE (num_experts > 0): every layer except `num_dense_layers` replaces its dense MLP by
    `num_experts` routed experts of width `expert_ffn_hidden_size` (top `experts_per_token`
    of them per token) plus `shared_experts` always-on experts, each of width
    `shared_expert_ffn_hidden_size` (a single wide shared expert is shared_experts=1 with
    its own width). Dense layers use `ffn_hidden_size`.

    Only `n_params_total` uses the remaining fields (biases, norms, router, embeddings).
    """

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> ArchSpec:  # the checks (`_replace` copies without them)
        self = super().__new__(cls, *args, **kwargs)
        if self.norm not in NORM_TYPES:
            raise ValueError(f"norm must be one of {NORM_TYPES}, not {self.norm!r}")
        if self.qk_norm not in QK_NORM_TYPES:
            raise ValueError(f"qk_norm must be one of {QK_NORM_TYPES}, not {self.qk_norm!r}")
        for name in ("hidden_size", "num_layers", "num_heads"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.head_dim is None and not self.kv_lora_rank and self.hidden_size % self.num_heads:
            raise ValueError(f"hidden size {self.hidden_size} is not divisible by {self.num_heads} heads "
                             "and no head_dim is given")
        if self.num_kv_heads and self.num_heads % self.num_kv_heads:
            raise ValueError(f"{self.num_heads} query heads are not divisible into {self.num_kv_heads} KV heads")
        return self

    @property
    def kv_heads(self) -> int:
        return self.num_kv_heads or self.num_heads

    @property
    def head_size(self) -> int:
        return self.head_dim or self.hidden_size // self.num_heads

    @property
    def is_moe(self) -> bool:
        return self.num_experts > 0

    @property
    def is_mla(self) -> bool:
        return bool(self.kv_lora_rank)

    @property
    def moe_layers(self) -> int:
        return max(0, self.num_layers - self.num_dense_layers) if self.is_moe else 0


class ParamCount(NamedTuple):
    n_params: int
    n_params_active: int
    n_params_total: int
    # Parts, all in scalars: attention, dense_mlp, routed_experts, routed_experts_active,
    # shared_experts, router, norms, biases, position_embedding, input_embedding,
    # output_head.
    breakdown: Mapping[str, int] = EMPTY_MAPPING


def _attention_weights(s: ArchSpec) -> int:
    """Projection weights of one attention block (no biases, no norms)."""
    h = s.hidden_size
    if s.is_mla:
        kv_rank = s.kv_lora_rank or 0  # set: is_mla
        qk_head = s.qk_nope_head_dim + s.qk_rope_head_dim
        if s.q_lora_rank:
            q = h * s.q_lora_rank + s.q_lora_rank * s.num_heads * qk_head
        else:
            q = h * s.num_heads * qk_head
        kv = h * (kv_rank + s.qk_rope_head_dim) + kv_rank * s.num_heads * (
            s.qk_nope_head_dim + s.v_head_dim
        )
        return q + kv + s.num_heads * s.v_head_dim * h
    q_width = s.num_heads * s.head_size
    kv_width = s.kv_heads * s.head_size
    return h * q_width + 2 * h * kv_width + q_width * h


def _attention_biases(s: ArchSpec) -> int:
    if s.is_mla:
        return 0  # DeepSeek MLA projections carry no biases (attention_bias false)
    out = 0
    if s.qkv_bias:
        out += (s.num_heads + 2 * s.kv_heads) * s.head_size
    if s.out_bias:
        out += s.hidden_size
    return out


def _norm_size(s: ArchSpec, width: int) -> int:
    return {"layernorm": 2 * width, "rmsnorm": width, "none": 0}[s.norm]


def _layer_norms(s: ArchSpec) -> int:
    out = s.norms_per_layer * _norm_size(s, s.hidden_size)
    if s.qk_norm == "head":
        out += 2 * _norm_size(s, s.head_size)
    elif s.qk_norm == "full":
        out += _norm_size(s, s.num_heads * s.head_size) + _norm_size(s, s.kv_heads * s.head_size)
    elif s.qk_norm == "full_nobias":
        out += (s.num_heads + s.kv_heads) * s.head_size
    if s.is_mla:
        out += _norm_size(s, s.kv_lora_rank or 0)  # set: is_mla
        if s.q_lora_rank:
            out += _norm_size(s, s.q_lora_rank)
    return out


def _mlp(s: ArchSpec, width: int) -> int:
    return (3 if s.gated else 2) * s.hidden_size * width


def _mlp_biases(s: ArchSpec, width: int) -> int:
    if not s.mlp_bias:
        return 0
    return (2 if s.gated else 1) * width + s.hidden_size


def count_params(spec: ArchSpec) -> ParamCount:
    """Exact counts for `spec` (see the module docstring for what each one includes)."""
    s = spec
    h = s.hidden_size
    attention = s.num_layers * _attention_weights(s)

    dense_layers = s.num_dense_layers if s.is_moe else s.num_layers
    moe_layers = s.moe_layers
    dense_mlp = dense_layers * _mlp(s, s.ffn_hidden_size)
    expert_width = s.expert_ffn_hidden_size or s.ffn_hidden_size
    shared_width = s.shared_expert_ffn_hidden_size or expert_width
    routed = moe_layers * s.num_experts * _mlp(s, expert_width)
    routed_active = moe_layers * s.experts_per_token * _mlp(s, expert_width)
    shared = moe_layers * s.shared_experts * _mlp(s, shared_width)
    router = moe_layers * (s.num_experts * h + (s.num_experts if s.router_bias else 0))
    if s.shared_expert_gate and s.shared_experts:
        router += moe_layers * h

    biases = s.num_layers * _attention_biases(s)
    biases += dense_layers * _mlp_biases(s, s.ffn_hidden_size)
    biases += moe_layers * (
        s.num_experts * _mlp_biases(s, expert_width) + s.shared_experts * _mlp_biases(s, shared_width)
    )
    norms = s.num_layers * _layer_norms(s) + (_norm_size(s, h) if s.final_norm else 0)
    width = s.embedding_width or h
    position = s.learned_position_embeddings * h
    input_embedding = s.vocab_size * width
    output_head = 0 if s.tied_embeddings else s.vocab_size * width
    if s.lm_head_bias:
        output_head += s.vocab_size

    n_params = attention + dense_mlp + routed + shared
    n_active = attention + dense_mlp + routed_active + shared
    total = n_params + router + biases + norms + position + input_embedding + output_head + s.other_params
    breakdown = {
        "attention": attention,
        "dense_mlp": dense_mlp,
        "routed_experts": routed,
        "routed_experts_active": routed_active,
        "shared_experts": shared,
        "router": router,
        "norms": norms,
        "biases": biases,
        "position_embedding": position,
        "input_embedding": input_embedding,
        "output_head": output_head,
        "other": s.other_params,
    }
    return ParamCount(n_params, n_active, total, MappingProxyType(breakdown))


def describe(spec: ArchSpec) -> str:
    """A short human summary: `32L h4096 32/8 heads x128 ffn14336 gated MoE 8e top-2`."""
    s = spec
    parts = [f"{s.num_layers}L", f"h{s.hidden_size}"]
    if s.is_mla:
        parts.append(f"{s.num_heads} heads MLA kv_lora{s.kv_lora_rank} q_lora{s.q_lora_rank or 0}")
    else:
        parts.append(f"{s.num_heads}/{s.kv_heads} heads x{s.head_size}")
    parts.append(f"ffn{s.ffn_hidden_size} {'gated' if s.gated else 'plain'}")
    if s.is_moe:
        moe = f"MoE {s.num_experts}e top-{s.experts_per_token} width {s.expert_ffn_hidden_size or s.ffn_hidden_size}"
        if s.shared_experts:
            moe += f" + {s.shared_experts} shared"
        if s.num_dense_layers:
            moe += f", {s.num_dense_layers} dense layer{'s' * (s.num_dense_layers != 1)}"
        parts.append(moe)
    parts.append(f"vocab {s.vocab_size} {'tied' if s.tied_embeddings else 'untied'}")
    return " ".join(parts)


def count_facts(spec: ArchSpec, note: Optional[str] = None, *, total: bool = True) -> dict[str, Fact]:
    """n_params / n_params_active / n_params_total as derived recipe Facts, each with the
    formula (its parts in scalars) that `steplint show` prints. `total=False` leaves the total
    out (a dialect whose vocabulary comes from the tokenizer) without formatting its formula."""
    counts = count_params(spec)
    b = counts.breakdown
    inputs: tuple[str, ...] = ("hidden_size", "num_layers", "num_attention_heads", "num_kv_heads", "head_dim", "ffn_hidden_size")
    if spec.is_moe:
        inputs += ("num_experts", "experts_per_token")
    n_terms = [f"attention {b['attention']:,}"]
    if b["dense_mlp"]:
        n_terms.append(f"dense MLP {b['dense_mlp']:,}")
    if spec.is_moe:
        n_terms.append(f"routed experts {b['routed_experts']:,}")
        if b["shared_experts"]:
            n_terms.append(f"shared experts {b['shared_experts']:,}")
    active_terms = [t if not t.startswith("routed") else f"top-{spec.experts_per_token} of "
                    f"{spec.num_experts} routed experts {b['routed_experts_active']:,}" for t in n_terms]
    out = {
        "n_params": fact("n_params", counts.n_params,
                         derived_source(" + ".join(n_terms), *inputs,
                                        note=note or "Step Law N: attention + FFN weights; no embeddings, "
                                                     "norms, biases or router")),
        "n_params_active": fact("n_params_active", counts.n_params_active,
                                derived_source(" + ".join(active_terms), *inputs, note=note)),
    }
    if total:
        total_terms = ["n_params"] + [f"{k.replace('_', ' ')} {b[k]:,}" for k in
                                      ("router", "norms", "biases", "position_embedding", "input_embedding",
                                       "output_head", "other") if b[k]]
        tied = "tied head counted once" if spec.tied_embeddings else "untied head"
        out["n_params_total"] = fact("n_params_total", counts.n_params_total,
                                     derived_source(" + ".join(total_terms) + f" ({tied})", "n_params", "vocab_size",
                                                    note=note))
    return out
