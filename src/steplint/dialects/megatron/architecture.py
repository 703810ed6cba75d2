"""The model a Megatron run builds: ArchSpec from the flags, with Megatron's defaults
(FFN width, GQA only with `--group-query-attention`), MoE (Megatron-LM's and the microsoft
fork's DeepSpeed-MoE), MLA, and `--hybrid-layer-pattern`.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from steplint.arch import ArchSpec, count_facts
from steplint.dialects.base import Extraction
from steplint.dialects.config_reader import FactSheet, Value, as_number, derived
from steplint.dialects.megatron.arguments import MICROSOFT, _Args
from steplint.documents.nodes import ScalarNode
from steplint.recipe import KeyNote, default_source


def _architecture(args: _Args, variant: str, sheet: FactSheet, notes: dict[str, Any]
                  ) -> tuple[Optional[ArchSpec], tuple[int, ...]]:
    """The model, and its experts per MoE layer when they differ (a PR-MoE pyramid)."""
    reader = args.reader
    core = sheet.put_core(args.integer("num_layers"), args.integer("hidden_size"), args.integer("num_attention_heads"))
    if core is None:
        return None, ()
    layers, hidden, heads = core
    h = hidden.value

    head_dim = args.integer("kv_channels") or derived(h // heads.value, "hidden_size / num_attention_heads",
                                                      "hidden_size", "num_attention_heads",
                                                      note="--kv-channels not set")
    sheet.put("head_dim", head_dim)

    # GQA: Megatron-LM reads --num-query-groups only with --group-query-attention
    # (arguments.py); the microsoft fork has --num-key-value-heads; the --yaml-cfg form
    # gives TransformerConfig.num_query_groups (None -> MHA).
    kv: Optional[Value] = None
    if variant == "megatron-deepspeed/microsoft" and args.has("num_key_value_heads"):
        kv = args.integer("num_key_value_heads")
    elif args.layout == "yaml-cfg":
        groups = args.integer("num_query_groups")
        if groups is not None and (args.flag("group_query_attention") or not args.has("group_query_attention")):
            kv = groups
        elif groups is not None:
            _ignored(notes, args, "num_query_groups", "group_query_attention is false: attention stays MHA")
    elif args.flag("group_query_attention"):
        kv = args.integer("num_query_groups") or Value(1, default_source(
            reader.framework, "--num-query-groups defaults to 1 (MQA) when --group-query-attention is given"))
    elif args.has("num_query_groups"):
        _ignored(notes, args, "--num-query-groups", "ignored without --group-query-attention: attention stays MHA")
    if kv is not None:
        sheet.put("num_kv_heads", kv)

    gated, activation = _gating(args, variant)
    ffn = args.integer("ffn_hidden_size")
    if ffn is None and args.has("ffn_hidden_size"):
        return None, ()  # written but unresolved (SL007): N is not guessed
    if ffn is None:
        if gated and variant == "megatron-lm":
            ffn = Value(int((4 * h * 2 / 3) / 64) * 64, default_source(
                reader.framework, "--ffn-hidden-size unset with a gated MLP: int((4h*2/3)/64)*64 (validate_args)"))
        else:
            note = "--ffn-hidden-size unset: 4h" + (" (the fork keeps 4h per branch for GLU)" if gated else "")
            ffn = Value(4 * h, default_source(reader.framework, note))
    sheet.put("ffn_hidden_size", ffn)

    experts = 0
    topk = 0
    expert_width = None
    shared_width = None
    dense_layers = 0
    per_layer = None
    if variant == "megatron-deepspeed/microsoft":
        per_layer = _deepspeed_moe(args, layers.value, sheet)
        num_experts = None
    else:
        num_experts = args.integer("num_experts")
    if per_layer is not None:
        experts, topk, dense_layers = per_layer["experts"], per_layer["topk"], per_layer["dense_layers"]
        if per_layer["residual"]:
            shared_width = ffn.value  # PR-MoE: a dense MLP beside the experts in every MoE layer
    if num_experts is not None and num_experts.value and num_experts.value > 1:
        experts = num_experts.value
        sheet.put("num_experts", num_experts)
        top = args.integer("moe_router_topk") or args.integer("topk")
        if top is None:
            default_top = 1 if variant == "megatron-deepspeed/microsoft" else 2
            top = Value(default_top, default_source(reader.framework, "router top-k not set"))
        topk = top.value
        sheet.put("experts_per_token", top)
        width = args.integer("moe_ffn_hidden_size")
        expert_width = width.value if width else None
        shared = args.integer("moe_shared_expert_intermediate_size")
        shared_width = shared.value if shared else None
        dense_layers = _dense_layers(args, layers.value)

    mla = _latent_attention(args, sheet) if args.flag("multi_latent_attention") else {}
    tied = not args.flag("untie_embeddings_and_output_weights")
    vocab = args.integer("vocab_size") or args.integer("pad_vocab_size_to")
    norm = args.text("normalization")
    try:
        spec = ArchSpec(
            hidden_size=h,
            num_layers=layers.value,
            num_heads=heads.value,
            ffn_hidden_size=ffn.value,
            vocab_size=vocab.value if vocab else 0,
            num_kv_heads=kv.value if kv else None,
            head_dim=head_dim.value,
            gated=gated,
            tied_embeddings=tied,
            num_experts=experts,
            experts_per_token=topk,
            expert_ffn_hidden_size=expert_width,
            shared_experts=1 if shared_width else 0,
            shared_expert_ffn_hidden_size=shared_width,
            num_dense_layers=dense_layers,
            norm="rmsnorm" if norm and str(norm.value).lower() == "rmsnorm" else "layernorm",
            **mla,
        )
    except ValueError:
        return None, ()
    counts: tuple[int, ...] = per_layer["counts"] if per_layer is not None else ()
    return spec, counts if len(set(counts)) > 1 else ()


def _ignored(notes: dict[str, Any], args: _Args, flag: str, reason: str) -> None:
    """A flag the framework accepts without effect."""
    node = args.node(flag.lstrip("-").replace("-", "_"))
    notes["ignored_keys"] = notes.get("ignored_keys", ()) + (KeyNote(flag, reason, getattr(node, "span", None)),)


def _deepspeed_moe(args: _Args, layers: int, sheet: FactSheet) -> Optional[dict[str, Any]]:
    """DeepSpeed-MoE in the microsoft fork (deepspeedai/Megatron-DeepSpeed 4efb479):
    `--num-experts` takes one count or one per MoE layer (nargs='+', default [1]);
    `--expert-interval` (default 2) puts experts in every layer whose 1-based number is a
    multiple of it, so L // interval layers are MoE (megatron/model/transformer.py,
    get_num_experts_per_layer, which asserts a list has exactly that many entries);
    `--topk` defaults to 1; `--mlp-type residual` adds a dense MLP beside the experts (PR-MoE,
    MoE(use_residual=True)). A per-layer list with different counts (PR-MoE pyramids) is
    kept in the result's `counts`; `experts` is then the largest count and N is summed
    layer by layer by `_pyramid_counts`. None when no layer has experts."""
    got = args.integers("num_experts")
    if got is None:
        return None
    counts, source = got
    interval_value = args.integer("expert_interval")
    interval = interval_value.value if interval_value is not None else 2
    if interval < 1 or layers // interval == 0:
        return None
    moe_layers = layers // interval
    if len(counts) == 1:
        counts = counts * moe_layers
    if len(counts) != moe_layers or max(counts) <= 1:
        return None  # the fork asserts on a list of another length; all-1 is a dense model
    top = args.integer("topk") or Value(1, default_source(MICROSOFT, "--topk not set"))
    sheet.put("num_experts", Value(max(counts), source))
    sheet.put("experts_per_token", top)
    mlp_type = args.text("mlp_type")
    return {"experts": max(counts), "topk": top.value, "dense_layers": layers - moe_layers,
            "residual": mlp_type is not None and str(mlp_type.value).lower() == "residual",
            "counts": tuple(counts)}


def _pyramid_counts(spec: ArchSpec, counts: tuple[int, ...], note: str) -> dict[str, Any]:
    """Parameter counts of a model whose MoE layers hold different expert counts. Every
    count is a sum over layers plus a layer-independent part, so the model with groups
    g of k_g layers holding e_g experts counts sum_g count(L layers, k_g MoE layers of e_g)
    - (G - 1) x count(all L layers dense)."""
    from steplint.recipe import derived_source, fact

    groups: dict[int, int] = {}
    for e in counts:
        groups[e] = groups.get(e, 0) + 1
    dense = count_facts(spec._replace(num_experts=0, experts_per_token=0, num_dense_layers=0,
                                      shared_experts=0, shared_expert_ffn_hidden_size=None))
    parts = [count_facts(spec._replace(num_experts=e, num_dense_layers=spec.num_layers - k))
             for e, k in groups.items()]
    out = {}
    for name in dense:
        value = sum(part[name].value for part in parts) - (len(parts) - 1) * dense[name].value
        out[name] = fact(name, value, derived_source(
            "sum over MoE layers of their own expert count (--num-experts per layer)", note=note))
    return out


def _latent_attention(args: _Args, sheet: FactSheet) -> dict[str, Any]:
    """ArchSpec fields of `--multi-latent-attention` (DeepSeek MLA), with Megatron's
    argparse defaults (q_lora_rank None, kv_lora_rank 32, qk_head_dim 128,
    qk_pos_emb_head_dim 64, v_head_dim 128; formats-megatron-deepspeed.md section 1)."""
    def read(dest: str, default: Optional[int]) -> Optional[int]:
        got = args.integer(dest)
        return got.value if got is not None else default

    return {
        "q_lora_rank": read("q_lora_rank", None),
        "kv_lora_rank": read("kv_lora_rank", 32),
        "qk_nope_head_dim": read("qk_head_dim", 128),
        "qk_rope_head_dim": read("qk_pos_emb_head_dim", 64),
        "v_head_dim": read("v_head_dim", 128),
    }


def _gating(args: _Args, variant: str) -> tuple[bool, str]:
    """Whether the MLP is gated, and the activation's name."""
    if args.layout == "yaml-cfg":
        activation = args.text("activation_func")
        if activation is not None:
            name = str(activation.value).lower()
            return name.endswith("glu"), name
        if args.flag("gated_linear_unit") or args.flag("swiglu"):
            return True, "swiglu"
        return False, "gelu"
    glu = args.text("glu_activation")
    if glu is not None:
        return True, str(glu.value)
    if args.flag("swiglu"):
        return True, "swiglu"
    if args.flag("quick_geglu"):
        return True, "quick-geglu"
    if args.flag("squared_relu"):
        return False, "squared-relu"
    return False, "gelu"


def moe_layer_count(layers: int, every: int) -> int:
    """Layers i in [0, layers) with i % every == 0 (Megatron, NeMo and NeoX all place
    experts this way, 0-indexed): ceil(layers / every)."""
    return -(-layers // every)


_FREQ_TERM = r"\[\s*([01])\s*\]\s*\*\s*(\d+)"  # compiled (and cached by re) on first use


def _dense_layers(args: _Args, layers: int) -> int:
    """Layers without experts from --moe-layer-freq: an int N (layer i is MoE when
    i % N == 0) or a list expression such as `([0]*3+[1]*58)`."""
    node = args.node("moe_layer_freq")
    if not isinstance(node, ScalarNode):
        return 0
    number = as_number(node.value)
    if number is not None and number >= 1:
        freq = int(number)
        return layers - moe_layer_count(layers, freq)
    text = str(node.value)
    terms = re.findall(_FREQ_TERM, text)
    if terms:  # Megatron asserts the pattern has num_layers entries; never more dense than layers
        return min(layers, sum(int(count) for bit, count in terms if bit == "0"))
    bits = re.findall(r"[01]", text)
    return bits.count("0") if len(bits) == layers else 0



def _hybrid_pattern(args: "_Args", out: Extraction) -> Extraction:
    """--hybrid-layer-pattern (formerly --hybrid-override-pattern) lists every layer and
    overrides --num-layers (NVIDIA/Megatron-LM d98e8a64, megatron/training/arguments.py);
    its symbols (megatron/core/models/hybrid/hybrid_layer_allocation.py Symbols): M Mamba,
    G gated delta net, * D + attention, - MLP, E MoE. With M or G the model is a hybrid
    (SL305); without, a transformer laid out layer by layer, which steplint does not count."""
    from steplint.dialects import nontransformer

    dest = next((d for d in ("hybrid_layer_pattern", "hybrid_override_pattern") if args.has(d)), None)
    if dest is None:
        return out
    value = args.text(dest)
    pattern = str(value.value) if value is not None else ""
    flag = "--" + dest.replace("_", "-")
    readable = bool(pattern) and set(pattern) <= set("MG*D+-E|/")
    recurrent = [name for symbol, name in (("M", "Mamba"), ("G", "gated delta net")) if symbol in pattern]
    if readable and recurrent:
        return nontransformer.mark(out, f"Megatron {flag} with {' and '.join(recurrent)} layers")
    facts = {k: v for k, v in out.facts.items() if not k.startswith("n_params")}
    what = "lays the model out layer by layer" if readable else f"is {pattern!r}, which steplint cannot read,"
    notice = (f"{out.file}: {flag} {what} (--num-layers is ignored); steplint does not count such patterns, "
              "so N is unknown: pass --params N")
    return out._replace(facts=facts, arch=None, notices=tuple(out.notices) + (notice,))

