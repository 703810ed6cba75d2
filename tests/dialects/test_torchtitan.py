"""torchtitan TOML: flavor tables, per-rank batch, WSD schedule and renamed keys."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from steplint.dialects import hf_config, torchtitan
from steplint.dialects.torchtitan_arch import llama3_ffn_width
from steplint.dialects.base import ExtractContext
from steplint.documents.load import load_document


def load(name: str):
    return load_document(str(FIXTURES / "modern" / name))


def values(extraction) -> dict:
    return {name: f.value for name, f in extraction.facts.items()}


def test_detects_torchtitan_toml_only():
    assert torchtitan.detect(load("torchtitan_debug.toml")) >= 0.9
    assert torchtitan.detect(load("olmo_defaults.yaml")) == 0.0


@pytest.mark.parametrize(("dim", "multiple_of", "multiplier", "ffn"), [
    (256, 256, None, 768), (4096, 1024, 1.3, 14336), (8192, 4096, 1.3, 28672), (16384, 4096, 1.2, 53248),
])
def test_llama3_ffn_width_matches_the_flavor_table(dim, multiple_of, multiplier, ffn):
    assert llama3_ffn_width(dim, multiple_of, multiplier) == ffn


def test_extracts_flavor_batch_and_schedule_with_sources():
    ex = torchtitan.extract(load("torchtitan_debug.toml"), ExtractContext())
    got = values(ex)
    assert got["n_params"] == 5_111_808  # debugmodel: 6 x (4 x 256^2 + 3 x 256 x 768)
    assert got["seq_len"] == 2048  # TOML `2_048`
    # explicit shard degree: DP 4, world = 4 x TP 2, no flag needed
    assert (got["data_parallel"], got["world_size"], got["global_batch_sequences"]) == (4, 8, 32)
    assert got["tokens"] == 10 * 32 * 2048
    assert got["decay_style"] == "1-sqrt"
    assert got["min_lr"] == pytest.approx(8e-5, rel=1e-12)  # min_lr_factor is a ratio
    assert (got["warmup_steps"], got["decay_end_step"]) == (2, 10)
    assert ex.notes.decay_steps == 8 and ex.notes.stable_steps == 1
    lr = ex.facts["peak_lr"].source
    assert (lr.kind, lr.key, lr.line, lr.column) == ("key", "optimizer.lr", 11, 6)
    beta2 = ex.facts["adam_beta2"].source
    assert beta2.kind == "default" and "torchtitan v0.2.2" in beta2.framework
    assert "flavor 'debugmodel'" in ex.facts["hidden_size"].source.framework


def test_world_size_comes_from_the_launcher_when_dp_is_all_remaining_ranks():
    doc = load_document("job.toml", text='[model]\nflavor = "8B"\n[training]\nlocal_batch_size = 2\nseq_len = 4096\n')
    assert "global_batch_sequences" not in torchtitan.extract(doc, ExtractContext()).facts
    got = values(torchtitan.extract(doc, ExtractContext(world_size=16)))
    assert got["n_params"] == 6_979_321_856
    assert (got["data_parallel"], got["global_batch_sequences"]) == (16, 32)
    assert got["train_steps"] == 10000 and got["warmup_steps"] == 200  # job_config defaults


def test_old_key_names_and_lr_min_is_a_ratio():
    ex = torchtitan.extract(load("torchtitan_legacy.toml"), ExtractContext(world_size=64))
    got = values(ex)
    assert got["n_params"] == 68_451_041_280
    assert (got["micro_batch"], got["warmup_steps"], got["global_batch_sequences"]) == (2, 100, 64)
    assert got["grad_accum"] == 4  # 64 / (2 x DP 8)
    assert got["min_lr"] == pytest.approx(8e-4 * 2.2e-5)
    assert any("lr_min" in n and "ratio" in n for n in ex.notices)
    assert ex.facts["warmup_steps"].source.key == "training.warmup_steps"


def test_unknown_flavor_leaves_n_unknown_with_a_notice():
    doc = load_document("f.toml", text='[model]\nname = "qwen3"\nflavor = "1000B"\n')
    ex = torchtitan.extract(doc, ExtractContext())
    assert "n_params" not in ex.facts and ex.arch is None
    assert any("qwen3" in n and "--params" in n for n in ex.notices)


def test_model_without_a_counting_rule_leaves_n_unknown():
    doc = load_document("f.toml", text='[model]\nname = "flux"\nflavor = "flux-dev"\n')
    ex = torchtitan.extract(doc, ExtractContext())
    assert "n_params" not in ex.facts and ex.arch is None


def test_qwen3_flavor_of_the_fixture_is_counted():
    ex = torchtitan.extract(load("torchtitan_unknown_flavor.toml"), ExtractContext())
    assert ex.facts["n_params"].value == 1_409_286_144  # 28 x (attention 12.6M + FFN 37.7M)


@pytest.mark.parametrize(("name", "flavor", "n", "n_active"), [
    # formats-hf-modern.md section 6.3; 8B and 16B equal corpus/hf Llama-3-8B and DeepSeek-V2-Lite.
    ("llama3", "8B", 6_979_321_856, 6_979_321_856),
    ("llama3", "70B", 68_451_041_280, 68_451_041_280),
    ("llama3", "405B", 401_646_551_040, 401_646_551_040),
    ("deepseek_v3", "debugmodel", 31_948_800, 27_033_600),
    ("deepseek_v3", "16B", 15_283_519_488, 2_238_185_472),
    ("deepseek_v3", "671B", 669_065_609_216, 35_591_487_488),
    # Qwen3-30B-A3B: the same N and active N as transformers builds (param-counting.md).
    ("qwen3", "30B-A3B", 29_896_998_912, 2_717_908_992),
    # Llama 4 Scout (every layer MoE, 16 experts + 1 shared of 8192) and Maverick (every
    # second layer MoE with 128 experts); active non-embedding 15.1B, "17B active" with embeddings.
    ("llama4", "17bx16e", 105_696_460_800, 15_099_494_400),
    ("llama4", "17bx128e", 398_626_652_160, 15_099_494_400),
    ("gpt_oss", "20b", 19_747_307_520, 3_025_797_120),
])
def test_flavor_table(name, flavor, n, n_active):
    doc = load_document("f.toml", text=f'[model]\nname = "{name}"\nflavor = "{flavor}"\n')
    facts = torchtitan.extract(doc, ExtractContext()).facts
    assert (facts["n_params"].value, facts["n_params_active"].value) == (n, n_active)


def test_precision_from_mixed_precision_param_or_float8_converter():
    plain = load_document("p.toml", text='[model]\nflavor = "8B"\n')
    fp8 = load_document("f.toml", text='[model]\nflavor = "8B"\nconverters = ["float8"]\n')
    got = torchtitan.extract(plain, ExtractContext()).facts["precision"]
    assert got.value == "bf16" and got.source.kind == "default"
    got = torchtitan.extract(fp8, ExtractContext()).facts["precision"]
    assert got.value == "fp8" and got.source.key == "model.converters"


def test_show_json_end_to_end():
    import json

    from click.testing import CliRunner

    from steplint.cli import cli

    result = CliRunner().invoke(cli, ["show", "--format", "json", str(FIXTURES / "modern" / "torchtitan_debug.toml")])
    assert result.exit_code == 0, result.output
    [recipe] = json.loads(result.output)["recipes"]
    assert recipe["dialects"] == ["torchtitan"]
    facts = recipe["facts"]
    assert facts["n_params"]["value"] == 5_111_808 and facts["global_batch_tokens"]["value"] == 32 * 2048
    lr = facts["peak_lr"]["source"]
    assert (lr["kind"], lr["key"], lr["line"], lr["column"]) == ("key", "optimizer.lr", 11, 6)
    assert facts["adam_beta2"]["source"] == {
        "kind": "default", "framework": "torchtitan v0.2.2 (torchtitan/config/job_config.py)",
        "note": "optimizer.beta2 not set"}


# The same model through two doors: a torchtitan flavor and the HF config.json of the
# released checkpoint (hf_config's families are checked against transformers itself).
_HF_TWINS = [
    ("qwen3", "0.6B", {"model_type": "qwen3", "hidden_size": 1024, "num_hidden_layers": 28,
                       "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128,
                       "intermediate_size": 3072, "vocab_size": 151936, "tie_word_embeddings": True}),
    ("qwen3", "30B-A3B", {"model_type": "qwen3_moe", "hidden_size": 2048, "num_hidden_layers": 48,
                          "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128,
                          "intermediate_size": 6144, "moe_intermediate_size": 768, "num_experts": 128,
                          "num_experts_per_tok": 8, "vocab_size": 151936}),
    ("deepseek_v3", "16B", {"model_type": "deepseek_v2", "hidden_size": 2048, "num_hidden_layers": 27,
                            "num_attention_heads": 16, "intermediate_size": 10944, "moe_intermediate_size": 1408,
                            "n_routed_experts": 64, "n_shared_experts": 2, "num_experts_per_tok": 6,
                            "first_k_dense_replace": 1, "kv_lora_rank": 512, "q_lora_rank": None,
                            "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128,
                            "vocab_size": 102400}),
    ("gpt_oss", "20b", {"model_type": "gpt_oss", "num_hidden_layers": 24, "num_local_experts": 32}),
    ("llama4", "17bx16e", {"model_type": "llama4_text"}),  # Llama4TextConfig defaults = Scout
    ("llama4", "17bx128e", {"model_type": "llama4_text", "num_local_experts": 128,
                            "interleave_moe_layer_step": 2}),
]


@pytest.mark.parametrize(("name", "flavor", "hf"), _HF_TWINS, ids=[f"{n}-{f}" for n, f, _ in _HF_TWINS])
def test_flavor_counts_equal_the_hf_config_of_the_same_model(name, flavor, hf):
    import json

    doc = load_document("f.toml", text=f'[model]\nname = "{name}"\nflavor = "{flavor}"\n')
    mine = torchtitan.extract(doc, ExtractContext()).facts
    theirs = hf_config.extract(load_document("config.json", text=json.dumps(hf)), ExtractContext()).facts
    keys = ("n_params", "n_params_active", "n_params_total")
    assert tuple(mine[k].value for k in keys) == tuple(theirs[k].value for k in keys)
