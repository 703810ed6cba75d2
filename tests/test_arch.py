"""count_params: hand-computed shapes, and exact equality with the transformers oracle."""

from __future__ import annotations

import json

import pytest

from conftest import shared_path
from steplint.arch import ArchSpec, count_params, describe


def test_dense_mha_gated_is_l_times_4h2_plus_3h_ffn():
    # Llama-2-7B shape: Step Law's own N = L (4h^2 + 3 h ffn)
    spec = ArchSpec(hidden_size=4096, num_layers=32, num_heads=32, ffn_hidden_size=11008, vocab_size=32000)
    counts = count_params(spec)
    assert counts.n_params == 32 * (4 * 4096**2 + 3 * 4096 * 11008) == 6_476_005_376
    assert counts.n_params_active == counts.n_params
    # + RMSNorms (2 per layer + final) + untied embedding and head
    assert counts.n_params_total == counts.n_params + 65 * 4096 + 2 * 32000 * 4096


def test_gqa_and_explicit_head_dim():
    # 32 query heads of 128 on h=2048 (Qwen3-style), 4 KV heads
    spec = ArchSpec(hidden_size=2048, num_layers=1, num_heads=32, num_kv_heads=4, head_dim=128,
                    ffn_hidden_size=1000)
    attn = 2048 * 4096 + 2 * 2048 * 512 + 4096 * 2048
    assert count_params(spec).breakdown["attention"] == attn


def test_plain_mlp_has_two_matrices_and_biases_count_only_in_total():
    spec = ArchSpec(hidden_size=8, num_layers=2, num_heads=2, ffn_hidden_size=32, gated=False,
                    qkv_bias=True, out_bias=True, mlp_bias=True, norm="layernorm", vocab_size=10,
                    tied_embeddings=True, learned_position_embeddings=16)
    c = count_params(spec)
    assert c.n_params == 2 * (4 * 64 + 2 * 8 * 32)
    assert c.breakdown["biases"] == 2 * (3 * 8 + 8 + 32 + 8)
    assert c.breakdown["norms"] == 2 * 2 * 16 + 16
    assert c.breakdown["output_head"] == 0
    assert c.n_params_total == c.n_params + c.breakdown["biases"] + c.breakdown["norms"] + 16 * 8 + 10 * 8


def test_moe_counts_all_experts_and_active_top_k_with_shared_and_dense_layers():
    spec = ArchSpec(hidden_size=16, num_layers=4, num_heads=2, ffn_hidden_size=64, num_experts=8,
                    experts_per_token=2, expert_ffn_hidden_size=8, shared_experts=2, num_dense_layers=1)
    c = count_params(spec)
    mlp = lambda w: 3 * 16 * w  # noqa: E731
    attn = 4 * 4 * 16 * 16
    assert c.n_params == attn + mlp(64) + 3 * (8 + 2) * mlp(8)
    assert c.n_params_active == attn + mlp(64) + 3 * (2 + 2) * mlp(8)
    assert c.breakdown["router"] == 3 * 8 * 16


def test_mla_with_and_without_query_compression():
    base = dict(hidden_size=2048, num_layers=1, num_heads=16, ffn_hidden_size=10, kv_lora_rank=512,
                qk_nope_head_dim=128, qk_rope_head_dim=64, v_head_dim=128)
    plain = count_params(ArchSpec(**base)).breakdown["attention"]
    assert plain == 2048 * 16 * 192 + 2048 * 576 + 512 * 16 * 256 + 16 * 128 * 2048 == 13_762_560
    compressed = count_params(ArchSpec(**base, q_lora_rank=1536)).breakdown["attention"]
    assert compressed - plain == 2048 * 1536 + 1536 * 16 * 192 - 2048 * 16 * 192


def test_invalid_spec_is_refused():
    with pytest.raises(ValueError):
        ArchSpec(hidden_size=8, num_layers=1, num_heads=2, ffn_hidden_size=8, norm="batchnorm")
    with pytest.raises(ValueError):
        ArchSpec(hidden_size=0, num_layers=1, num_heads=2, ffn_hidden_size=8)
    with pytest.raises(ValueError, match="not divisible"):
        ArchSpec(hidden_size=1000, num_layers=1, num_heads=12, ffn_hidden_size=8)
    with pytest.raises(ValueError, match="KV heads"):
        ArchSpec(hidden_size=64, num_layers=1, num_heads=8, num_kv_heads=3, ffn_hidden_size=8)


def test_describe_names_the_shape():
    spec = ArchSpec(hidden_size=4096, num_layers=32, num_heads=32, num_kv_heads=8, ffn_hidden_size=14336,
                    num_experts=8, experts_per_token=2, vocab_size=32000)
    assert describe(spec) == "32L h4096 32/8 heads x128 ffn14336 gated MoE 8e top-2 width 14336 vocab 32000 untied"


@pytest.mark.corpus
def test_every_corpus_config_counts_exactly_like_the_oracle():
    from steplint.dialects.hf_config import spec_from_config

    folder = shared_path("corpus", "hf")
    expected = json.loads((folder / "expected.json").read_text())
    assert len(expected) == 24
    for name, e in expected.items():
        spec, _ = spec_from_config(json.loads((folder / name).read_text()))
        c = count_params(spec)
        active = e["moe"]["step_law_Na"] if e.get("moe") else e["step_law_N"]
        assert (c.n_params, c.n_params_active, c.n_params_total) == (e["step_law_N"], active, e["total"]), name
        b = e["non_embedding_breakdown"]
        assert c.breakdown["attention"] == b["attention"], name
        assert c.breakdown["norms"] == b["norms"], name
        assert c.breakdown["biases"] == b["biases"], name
        assert c.breakdown["router"] == b["router"], name
        assert c.breakdown["input_embedding"] == e["input_embedding"], name
        assert c.breakdown["output_head"] == e["output_head"], name
