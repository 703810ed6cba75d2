"""Dev-only: count parameters the way transformers builds them, for tests/fixtures/hf_oracle.json.

Never on the check path and never installed by CI (the PyPI torch wheel pulls gigabytes of
CUDA libraries): `pip install -e '.[dev]'` in a throwaway virtualenv, then

    python scripts/hf_oracle.py            # writes tests/fixtures/hf_oracle.json
    python scripts/hf_oracle.py --check    # compares with steplint's counts, writes nothing

For every case below (a SMALL generated config in the family's own key names) it builds
`AutoModelForCausalLM.from_config(AutoConfig.for_model(model_type, **config))` on the meta
device (no weights allocated) and walks the parameters, each distinct tensor once (a tied
head is reached twice, counted once). Each tensor is classified by its module and name,
independently of steplint's formulas:

* input_embedding / output_head: `get_input_embeddings()` / `get_output_embeddings()`;
  other `nn.Embedding` tables are position embeddings.
* norms: every parameter of a module whose class name contains "Norm".
* biases: every parameter whose own name contains "bias" (projection and MLP biases,
  DeepSeek's e_score_correction_bias), outside norms.
* router: parameters of a module named `gate`, `router` or `shared_expert_gate`, or whose
  class name contains "Router" (a per-expert score row is routing, not FFN).
* routed experts: a parameter under an `experts` module (fused [E, ...] tensors in
  transformers 5, or a ModuleList); active = numel x top_k / E.
* shared experts: under a `shared_expert`/`shared_experts`/`shared_mlp` module.
* attention: 2-D+ weights under a module whose path has `attn` or `attention`.
* mlp: 2-D+ weights under `mlp`, `ffn`, `feed_forward`, `block_sparse_moe` or named
  fc1/fc2 (OPT).
* other: anything else (printed; OPT's embedding projections, GPT-OSS attention sinks).

Step Law N (steplaw.md): attention + mlp + routed experts + shared experts; active N the
same with routed experts scaled to top-k; total: every tensor.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "hf_oracle.json"

# Small configs, in each family's own key names (keys not given take the class default,
# which steplint must know too).
_B = {"hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 3, "num_attention_heads": 4,
      "num_key_value_heads": 2, "vocab_size": 128, "max_position_embeddings": 64}
_MHA = {k: v for k, v in _B.items() if k != "num_key_value_heads"}
_GPT2 = {"n_embd": 64, "n_layer": 3, "n_head": 4, "vocab_size": 128, "n_positions": 32}
_ROPE = {"rope_parameters": {"rope_type": "default", "rope_theta": 10000.0}}
_MOE = {"num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 32}


def _mla(**extra):
    return dict(_MHA, moe_intermediate_size=32, n_routed_experts=4, n_shared_experts=2, num_experts_per_tok=2,
                first_k_dense_replace=1, kv_lora_rank=16, qk_nope_head_dim=8, qk_rope_head_dim=8,
                v_head_dim=8, **extra)


CASES: list[tuple[str, str, dict]] = [
    ("llama", "llama", dict(_B)),
    ("llama-biases-tied", "llama", dict(_B, attention_bias=True, mlp_bias=True, tie_word_embeddings=True,
                                         head_dim=24)),
    ("mistral", "mistral", dict(_B)),
    ("ministral", "ministral", dict(_B, head_dim=16, **_ROPE)),
    ("mixtral", "mixtral", dict(_B, num_local_experts=4, num_experts_per_tok=2)),
    ("qwen2", "qwen2", dict(_B)),
    ("qwen2-tied", "qwen2", dict(_B, tie_word_embeddings=True)),
    ("qwen2_moe", "qwen2_moe", dict(_B, **_MOE, shared_expert_intermediate_size=48)),
    ("qwen2_moe-sparse-step", "qwen2_moe", dict(_B, **_MOE, shared_expert_intermediate_size=48,
                                                 decoder_sparse_step=2, mlp_only_layers=[2])),
    ("qwen3", "qwen3", dict(_B, head_dim=24)),
    ("qwen3_moe", "qwen3_moe", dict(_B, **_MOE, head_dim=24)),
    ("qwen3_moe-dense-layers", "qwen3_moe", dict(_B, **_MOE, head_dim=24, mlp_only_layers=[0])),
    ("deepseek_v2", "deepseek_v2", _mla(q_lora_rank=None)),
    ("deepseek_v2-q-lora", "deepseek_v2", _mla(q_lora_rank=24)),
    ("deepseek_v3", "deepseek_v3", _mla(q_lora_rank=24)),
    ("gemma", "gemma", dict(_B, head_dim=16)),
    ("gemma2", "gemma2", dict(_B, head_dim=24)),
    ("gemma3_text", "gemma3_text", dict(_B, head_dim=24)),
    ("phi", "phi", dict(_MHA)),
    ("phi-qk-layernorm", "phi", dict(_MHA, qk_layernorm=True, tie_word_embeddings=True)),
    ("phi3", "phi3", dict(_B, pad_token_id=None)),
    ("falcon", "falcon", {"hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 3,
                          "vocab_size": 128}),
    ("falcon-new-decoder", "falcon", {"hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 3,
                                      "vocab_size": 128, "new_decoder_architecture": True, "num_kv_heads": 2}),
    ("falcon-sequential-bias", "falcon", {"hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 3,
                                          "vocab_size": 128, "parallel_attn": False, "multi_query": False,
                                          "bias": True, "ffn_hidden_size": 96}),
    ("gpt_neox", "gpt_neox", dict(_MHA)),
    ("gpt_neox-no-attention-bias", "gpt_neox", dict(_MHA, attention_bias=False, use_parallel_residual=False)),
    ("gpt2", "gpt2", dict(_GPT2)),
    ("gpt2-n-inner", "gpt2", dict(_GPT2, n_inner=96)),
    ("gptj", "gptj", dict(_GPT2, rotary_dim=8)),
    ("gpt_neo", "gpt_neo", {"hidden_size": 64, "num_layers": 2, "num_heads": 4, "vocab_size": 128,
                            "max_position_embeddings": 32, "attention_types": [[["global", "local"], 1]]}),
    ("gpt_bigcode", "gpt_bigcode", dict(_GPT2)),
    ("gpt_bigcode-mha", "gpt_bigcode", dict(_GPT2, multi_query=False, n_inner=96)),
    ("starcoder2", "starcoder2", dict(_B)),
    ("starcoder2-no-bias", "starcoder2", dict(_B, use_bias=False, tie_word_embeddings=False)),
    ("bloom", "bloom", {"hidden_size": 64, "n_layer": 3, "n_head": 4, "vocab_size": 128}),
    ("opt", "opt", {"hidden_size": 64, "num_hidden_layers": 3, "ffn_dim": 96, "num_attention_heads": 4,
                    "vocab_size": 128, "max_position_embeddings": 32}),
    ("opt-350m-style", "opt", {"hidden_size": 64, "num_hidden_layers": 3, "ffn_dim": 96,
                               "num_attention_heads": 4, "vocab_size": 128, "max_position_embeddings": 32,
                               "word_embed_proj_dim": 32, "do_layer_norm_before": False}),
    ("mpt", "mpt", {"d_model": 64, "n_heads": 4, "n_layers": 3, "vocab_size": 128, "max_seq_len": 32}),
    ("mpt-untied", "mpt", {"d_model": 64, "n_heads": 4, "n_layers": 3, "vocab_size": 128, "max_seq_len": 32,
                           "tie_word_embeddings": False}),
    ("stablelm", "stablelm", dict(_B)),
    ("stablelm-qk-norm-parallel", "stablelm", dict(_B, qk_layernorm=True, use_qkv_bias=True,
                                                   use_parallel_residual=True)),
    ("persimmon", "persimmon", dict(_MHA)),
    ("cohere", "cohere", dict(_B)),
    ("cohere-qk-norm", "cohere", dict(_B, use_qk_norm=True)),
    ("cohere2", "cohere2", dict(_B)),
    ("granite", "granite", dict(_B)),
    ("granitemoe", "granitemoe", dict(_B, num_local_experts=4, num_experts_per_tok=2)),
    ("granitemoeshared", "granitemoeshared", dict(_B, num_local_experts=4, num_experts_per_tok=2,
                                                   shared_intermediate_size=48)),
    ("nemotron", "nemotron", dict(_B)),
    ("olmo", "olmo", dict(_B)),
    ("olmo2", "olmo2", dict(_B)),
    ("olmo3", "olmo3", dict(_B)),
    ("olmoe", "olmoe", dict(_B, num_experts=4, num_experts_per_tok=2)),
    ("dbrx", "dbrx", {"d_model": 64, "n_heads": 4, "n_layers": 3, "vocab_size": 128, "max_seq_len": 32,
                      "attn_config": {"kv_n_heads": 2, "rope_theta": 10000.0},
                      "ffn_config": {"ffn_hidden_size": 32, "moe_num_experts": 4, "moe_top_k": 2}}),
    ("helium", "helium", dict(_B, head_dim=16)),
    ("glm", "glm", dict(_B, pad_token_id=None)),
    ("glm4", "glm4", dict(_B, pad_token_id=None)),
    ("smollm3", "smollm3", dict(_B, pad_token_id=None)),
    ("exaone4", "exaone4", dict(_B)),
    ("phimoe", "phimoe", dict(_B, num_local_experts=4, num_experts_per_tok=2)),
    ("seed_oss", "seed_oss", dict(_B)),
    ("ernie4_5", "ernie4_5", dict(_B)),
    ("hunyuan_v1_dense", "hunyuan_v1_dense", dict(_B, head_dim=16, **_ROPE)),
    ("arcee", "arcee", dict(_B)),
    ("internlm3", "internlm3", dict(_B)),
    ("gpt_oss", "gpt_oss", dict(_B, head_dim=16, num_local_experts=4, num_experts_per_tok=2)),
    ("gpt_oss-20b", "gpt_oss", {"num_hidden_layers": 24, "num_local_experts": 32}),  # meta device: free
    ("llama4_text", "llama4_text", dict(_B, head_dim=16, intermediate_size_mlp=80, num_local_experts=4,
                                        num_experts_per_tok=1, interleave_moe_layer_step=2)),
    ("llama4_text-every-layer", "llama4_text", dict(_B, head_dim=16, intermediate_size_mlp=80,
                                                    num_local_experts=4, num_experts_per_tok=2)),
    ("glm4_moe", "glm4_moe", dict(_B, pad_token_id=None, moe_intermediate_size=32, n_routed_experts=4,
                                  n_shared_experts=1, num_experts_per_tok=2, first_k_dense_replace=1)),
    ("glm4_moe-qk-norm-bias", "glm4_moe", dict(_B, pad_token_id=None, moe_intermediate_size=32,
                                               n_routed_experts=4, n_shared_experts=2, num_experts_per_tok=2,
                                               first_k_dense_replace=0, use_qk_norm=True, attention_bias=True)),
    ("dots1", "dots1", dict(_B, moe_intermediate_size=32, n_routed_experts=4, n_shared_experts=1,
                            num_experts_per_tok=2, first_k_dense_replace=1)),
    ("minicpm3", "minicpm3", dict(_MHA, q_lora_rank=24, kv_lora_rank=16, qk_nope_head_dim=8, qk_rope_head_dim=8,
                                  v_head_dim=8)),
]

# Every family once more with its class defaults only (`{}`): full-size models, free on the
# meta device, that check the default of every key steplint fills in for a missing one.
_DEFAULT_TYPES = (
    "llama", "mistral", "ministral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "deepseek_v2",
    "deepseek_v3", "minicpm3", "gemma", "gemma2", "gemma3_text", "phi", "phi3", "phimoe", "falcon", "gpt_neox",
    "gpt2", "gptj", "gpt_neo", "gpt_bigcode", "starcoder2", "bloom", "opt", "mpt", "stablelm", "persimmon",
    "cohere", "cohere2", "granite", "granitemoe", "granitemoeshared", "nemotron", "olmo", "olmo2", "olmo3",
    "olmoe", "dbrx", "helium", "glm", "glm4", "smollm3", "exaone4", "seed_oss", "ernie4_5", "hunyuan_v1_dense",
    "arcee", "internlm3", "gpt_oss", "llama4_text", "glm4_moe", "dots1",
)
# ... plus the keys without which transformers cannot build the class defaults.
_NEEDS = {"ministral": {"head_dim": 128}, "hunyuan_v1_dense": {"head_dim": 128}, "nemotron": {"num_key_value_heads": 48},
          "dbrx": {"attn_config": {"rope_theta": 10000.0}}, "deepseek_v2": {"num_experts_per_tok": 6},
          "glm4_moe": {"head_dim": 128},
          "dots1": {"n_routed_experts": 128, "n_shared_experts": 2, "num_experts_per_tok": 6,
                    "first_k_dense_replace": 1}}
CASES += [(f"{t}-class-defaults", t, dict(_NEEDS.get(t, {}))) for t in _DEFAULT_TYPES]

_ROUTER_NAMES = {"gate", "router", "shared_expert_gate"}
_SHARED = ("shared_expert", "shared_experts", "shared_mlp")
_MLP = re.compile(r"(^|\.)(mlp|ffn|feed_forward|block_sparse_moe|fc1|fc2)(\.|$)")
_ATTN = re.compile(r"attn|attention")


def _top_k_and_experts(cfg) -> tuple[int, int]:
    def first(*names):
        for obj in (cfg, getattr(cfg, "ffn_config", None)):
            for name in names:
                value = getattr(obj, name, None) if obj is not None else None
                if isinstance(value, int) and value:
                    return value
        return 0

    return (first("num_experts_per_tok", "moe_top_k", "top_k"),
            first("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"))


def oracle(model_type: str, config: dict) -> dict:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = AutoConfig.for_model(model_type, **config)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(cfg)
    top_k, n_experts = _top_k_and_experts(cfg)
    inp = model.get_input_embeddings()
    out = model.get_output_embeddings()
    parts = dict.fromkeys(("attention", "mlp", "routed_experts", "routed_experts_active", "shared_experts",
                           "router", "norms", "biases", "position_embedding", "input_embedding",
                           "output_head", "other"), 0)
    seen: set[int] = set()
    others = []
    for mod_name, module in model.named_modules():
        cls = type(module).__name__
        for p_name, p in module.named_parameters(recurse=False):
            if id(p) in seen:
                continue
            seen.add(id(p))
            n = p.numel()
            path = f"{mod_name}.{p_name}"
            last = mod_name.rsplit(".", 1)[-1]
            if inp is not None and p is inp.weight:
                parts["input_embedding"] += n
            elif out is not None and (p is out.weight or p is getattr(out, "bias", None)):
                parts["output_head"] += n
            elif isinstance(module, torch.nn.Embedding):
                parts["position_embedding"] += n
            elif "Norm" in cls or "norm" in cls:
                parts["norms"] += n
            elif "bias" in p_name:
                parts["biases"] += n
            elif last in _ROUTER_NAMES or "Router" in cls or ".router." in f"{mod_name}.":
                parts["router"] += n
            elif re.search(r"(^|\.)experts(\.|$)", mod_name) and not any(s in mod_name for s in _SHARED):
                parts["routed_experts"] += n
                assert n * top_k % n_experts == 0, path
                parts["routed_experts_active"] += n * top_k // n_experts
            elif any(s in mod_name for s in _SHARED):
                parts["shared_experts"] += n
            elif p.dim() >= 2 and _ATTN.search(mod_name):
                parts["attention"] += n
            elif p.dim() >= 2 and _MLP.search(mod_name):
                parts["mlp"] += n
            else:
                parts["other"] += n
                others.append(f"{path} {tuple(p.shape)}")
    total = sum(parts.values()) - parts["routed_experts_active"]
    assert total == sum(p.numel() for p in model.parameters()), model_type
    n = parts["attention"] + parts["mlp"] + parts["routed_experts"] + parts["shared_experts"]
    active = parts["attention"] + parts["mlp"] + parts["routed_experts_active"] + parts["shared_experts"]
    return {"n_params": n, "n_params_active": active, "n_params_total": total,
            "breakdown": parts, "other_tensors": others, "class": type(model).__name__}


def _steplint_counts(model_type: str, config: dict) -> tuple:
    sys.path.insert(0, str(ROOT / "src"))
    from steplint.dialects import hf_config
    from steplint.dialects.base import ExtractContext
    from steplint.documents.load import load_document

    text = json.dumps(dict(config, model_type=model_type))
    ex = hf_config.extract(load_document("config.json", text=text), ExtractContext())
    return tuple(ex.facts[k].value if k in ex.facts else None
                 for k in ("n_params", "n_params_active", "n_params_total"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with steplint; write nothing")
    ap.add_argument("--only", help="comma-separated case names")
    args = ap.parse_args(argv)
    import torch
    import transformers

    only = set(args.only.split(",")) if args.only else None
    results, bad = [], 0
    for name, model_type, config in CASES:
        if only and name not in only:
            continue
        try:
            got = oracle(model_type, config)
        except Exception as exc:  # a family this transformers cannot build: say so, keep going
            print(f"{name}: cannot build: {type(exc).__name__}: {exc}", file=sys.stderr)
            bad += 1
            continue
        if got["other_tensors"]:
            print(f"{name}: other tensors: {got['other_tensors']}", file=sys.stderr)
        case = {"name": name, "model_type": model_type, "config": config, "class": got["class"],
                **{k: got[k] for k in ("n_params", "n_params_active", "n_params_total")},
                "breakdown": got["breakdown"]}
        results.append(case)
        if args.check:
            mine = _steplint_counts(model_type, config)
            want = (got["n_params"], got["n_params_active"], got["n_params_total"])
            status = "ok" if mine == want else "DIFF"
            bad += status != "ok"
            print(f"{status:4} {name:28} oracle {want} steplint {mine}"
                  + ("" if status == "ok" else f"\n     {got['breakdown']}"))
    if not args.check:
        FIXTURE.write_text(json.dumps({
            "_about": "Exact parameter counts of small generated HF configs, as transformers builds them on "
                      "the meta device (scripts/hf_oracle.py; classification rules in its docstring). "
                      "tests/dialects/test_hf_oracle.py compares steplint's counts with these.",
            "_environment": {"torch": torch.__version__, "transformers": transformers.__version__,
                             "transformers_source": f"https://github.com/huggingface/transformers/tree/"
                                                    f"v{transformers.__version__} (PyPI wheel)",
                             "python": sys.version.split()[0]},
            "cases": results,
        }, indent=1) + "\n")
        print(f"wrote {FIXTURE} ({len(results)} cases)")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
