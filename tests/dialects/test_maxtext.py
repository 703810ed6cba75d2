"""MaxText: base.yml defaults under a model file, model_name lookup, per-chip batch."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from steplint.dialects import maxtext
from steplint.dialects.base import ExtractContext
from steplint.documents.load import load_document


def load(name: str):
    return load_document(str(FIXTURES / "modern" / name))


def test_detect():
    assert maxtext.detect(load("maxtext_user.yml")) >= 0.6
    assert maxtext.detect(load("axolotl_lora.yaml")) == 0.0


def test_model_file_alone_uses_base_defaults():
    doc = load_document("m.yml", text="base_emb_dim: 4096\nbase_num_query_heads: 32\nbase_num_kv_heads: 32\n"
                                      "base_mlp_dim: 11008\nbase_num_decoder_layers: 32\nhead_dim: 128\n")
    ex = maxtext.extract(doc, ExtractContext())
    f = {k: v.value for k, v in ex.facts.items()}
    assert f["n_params"] == 6_476_005_376
    assert (f["train_steps"], f["warmup_steps"], f["decay_end_step"]) == (150_001, 15_000, 150_000)
    assert f["peak_lr"] == 3e-5 and f["min_lr"] == pytest.approx(3e-6)
    assert "global_batch_sequences" not in f  # per chip: the device count is not in any file
    assert ex.facts["peak_lr"].source.kind == "default" and "base.yml" in ex.facts["peak_lr"].source.framework
    f8 = maxtext.extract(doc, ExtractContext(world_size=8)).facts
    assert f8["global_batch_sequences"].value == 96  # int(8 x 12.0) x 1


def test_user_file_with_model_name_wsd_and_old_floor_key():
    ex = maxtext.extract(load("maxtext_user.yml"), ExtractContext(world_size=4))
    f = {k: v.value for k, v in ex.facts.items()}
    assert (f["n_params"], f["n_params_active"]) == (15_283_519_488, 2_238_185_472)  # deepseek2-16b, MLA + MoE
    assert ex.facts["n_params"].source.note == "MaxText configs/models/deepseek2-16b.yml"
    assert f["global_batch_sequences"] == int(4 * 2) * 4 and f["seq_len"] == 4096
    assert f["train_steps"] == 2000
    assert (f["warmup_steps"], f["decay_end_step"]) == (50, 999)  # schedule is 1000 steps
    assert f["decay_style"] == "wsd" and ex.notes.decay_steps == 100
    assert f["peak_lr"] == pytest.approx(1e-4) and f["min_lr"] == pytest.approx(2e-5)
    assert any("0 for the remaining 1000 steps" in n for n in ex.notices)
    assert any("c4_mlperf" in n for n in ex.notices)
    src = ex.facts["peak_lr"].source
    assert (src.kind, src.key, src.line) == ("key", "learning_rate", 9)


def test_unknown_model_name():
    doc = load_document("u.yml", text="model_name: gemma9-1t\nper_device_batch_size: 1\nmax_target_length: 8\n")
    ex = maxtext.extract(doc, ExtractContext())
    assert "n_params" not in ex.facts and any("gemma9-1t" in n for n in ex.notices)


@pytest.mark.parametrize(("model", "n", "n_active"), [
    # Same shapes as corpus/hf (step_law_N of the transformers oracle, docs/param-counting.md).
    ("llama2-7b", 6_476_005_376, 6_476_005_376),
    ("llama2-70b", 68_451_041_280, 68_451_041_280),
    ("llama3-8b", 6_979_321_856, 6_979_321_856),
    ("mistral-7b", 6_979_321_856, 6_979_321_856),
    ("mixtral-8x7b", 46_439_333_888, 12_616_466_432),
    ("deepseek2-16b", 15_283_519_488, 2_238_185_472),
])
def test_model_table_matches_the_hf_oracle(model, n, n_active):
    doc = load_document("u.yml", text=f"model_name: {model}\nper_device_batch_size: 1\n")
    facts = maxtext.extract(doc, ExtractContext()).facts
    assert (facts["n_params"].value, facts["n_params_active"].value) == (n, n_active)


def _model(name: str, extra: str = ""):
    doc = load_document("u.yml", text=f"model_name: {name}\nper_device_batch_size: 1\n{extra}")
    return maxtext.extract(doc, ExtractContext())


def _hf(cfg: dict):
    import json

    from steplint.dialects import hf_config

    return hf_config.extract(load_document("config.json", text=json.dumps(cfg)), ExtractContext()).facts


def test_gemma2_decoder_layer_is_a_local_global_pair():
    # configs/models/gemma2-9b.yml says 21 layers: MaxText's Gemma2DecoderLayer holds a local
    # and a global layer. Gemma-2-9B has 42 (its HF config.json); N must equal the HF count.
    ex = _model("gemma2-9b")
    assert ex.facts["num_layers"].value == 42 and ex.facts["num_layers"].source.kind == "derived"
    hf = _hf({"model_type": "gemma2", "hidden_size": 3584, "num_hidden_layers": 42, "num_attention_heads": 16,
              "num_key_value_heads": 8, "head_dim": 256, "intermediate_size": 14336, "vocab_size": 256000})
    assert ex.facts["n_params"].value == hf["n_params"].value == 8_323_596_288


def test_a_user_file_with_decoder_block_gemma2_doubles_its_own_layer_count():
    doc = load_document("u.yml", text="decoder_block: gemma2\nbase_emb_dim: 256\nbase_num_query_heads: 4\n"
                                      "base_num_kv_heads: 4\nhead_dim: 64\nbase_mlp_dim: 512\n"
                                      "base_num_decoder_layers: 3\nper_device_batch_size: 1\n")
    f = maxtext.extract(doc, ExtractContext()).facts
    assert f["num_layers"].value == 6
    assert f["n_params"].value == 6 * (4 * 256 * 256 + 3 * 256 * 512)


def test_llama4_interleaves_moe_layers_like_torchtitan():
    from steplint.dialects import torchtitan

    for maxtext_name, flavor in (("llama4-17b-16e", "17bx16e"), ("llama4-17b-128e", "17bx128e")):
        mine = _model(maxtext_name).facts
        doc = load_document("f.toml", text=f'[model]\nname = "llama4"\nflavor = "{flavor}"\n')
        theirs = torchtitan.extract(doc, ExtractContext()).facts
        assert (mine["n_params"].value, mine["n_params_active"].value) == (
            theirs["n_params"].value, theirs["n_params_active"].value), maxtext_name


def test_qwen3_next_is_a_hybrid_not_a_transformer():
    ex = _model("qwen3-next-80b-a3b")
    assert "n_params" not in ex.facts
    assert "qwen3_next" in ex.notes.not_transformer


def test_gpt_oss_n_is_the_one_transformers_builds_and_no_total():
    f = _model("gpt-oss-20b").facts
    hf = _hf({"model_type": "gpt_oss", "num_hidden_layers": 24, "num_local_experts": 32})
    assert (f["n_params"].value, f["n_params_active"].value) == (hf["n_params"].value, hf["n_params_active"].value)
    assert "n_params_total" not in f  # biases and attention sinks are outside the MaxText count


@pytest.mark.parametrize("name", ["deepseek3.2-671b", "gemma4-31b", "envy-test"])
def test_blocks_steplint_does_not_model_leave_n_unknown(name):
    ex = _model(name)
    assert "n_params" not in ex.facts and ex.arch is None
    assert any("--params" in n for n in ex.notices)


def test_every_model_file_is_counted_refused_or_marked_hybrid():
    import json

    from steplint.resources import data_path

    table = json.loads(data_path("maxtext_models.json").read_text())
    assert len(table["models"]) >= 70 and len(table["_commit"]) == 40
    for name in table["models"]:
        ex = _model(name)
        assert ("n_params" in ex.facts) != bool(ex.notices), name


# MaxText model files and the HF config.json of the same released model: N, active N and
# total agree (hf_config's families are checked against transformers itself).
_HF_TWINS = [
    ("llama2-7b", {"model_type": "llama"}),
    ("mixtral-8x7b", {"model_type": "mixtral"}),
    ("qwen3-30b-a3b", {"model_type": "qwen3_moe", "hidden_size": 2048, "num_hidden_layers": 48,
                       "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128,
                       "moe_intermediate_size": 768, "num_experts": 128, "num_experts_per_tok": 8}),
    ("qwen3-0.6b", {"model_type": "qwen3", "hidden_size": 1024, "num_hidden_layers": 28, "num_attention_heads": 16,
                    "num_key_value_heads": 8, "head_dim": 128, "intermediate_size": 3072, "vocab_size": 151936,
                    "tie_word_embeddings": True}),
    ("qwen2.5-7b", {"model_type": "qwen2", "hidden_size": 3584, "num_hidden_layers": 28, "num_attention_heads": 28,
                    "num_key_value_heads": 4, "intermediate_size": 18944, "vocab_size": 152064}),
    ("gemma2-9b", {"model_type": "gemma2", "hidden_size": 3584, "num_hidden_layers": 42, "num_attention_heads": 16,
                   "num_key_value_heads": 8, "head_dim": 256, "intermediate_size": 14336, "vocab_size": 256128}),
    ("gemma3-12b", {"model_type": "gemma3_text", "hidden_size": 3840, "num_hidden_layers": 48,
                    "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 256, "intermediate_size": 15360,
                    "vocab_size": 262144}),
    ("deepseek2-16b", {"model_type": "deepseek_v2", "hidden_size": 2048, "num_hidden_layers": 27,
                       "num_attention_heads": 16, "intermediate_size": 10944, "moe_intermediate_size": 1408,
                       "n_routed_experts": 64, "n_shared_experts": 2, "num_experts_per_tok": 6,
                       "first_k_dense_replace": 1, "kv_lora_rank": 512, "q_lora_rank": None,
                       "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "vocab_size": 102400}),
]


@pytest.mark.parametrize(("name", "hf"), _HF_TWINS, ids=[n for n, _ in _HF_TWINS])
def test_model_files_count_like_the_hf_config(name, hf):
    mine, theirs = _model(name).facts, _hf(hf)
    keys = ("n_params", "n_params_active", "n_params_total")
    assert tuple(mine[k].value for k in keys) == tuple(theirs[k].value for k in keys)
