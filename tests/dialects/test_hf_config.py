"""HF config.json dialect: detection, class defaults, legacy keys, provenance of each fact."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, shared_path
from steplint.dialects import hf_config
from steplint.dialects.base import ExtractContext
from steplint.documents.load import load_document


def extract_text(text: str, path: str = "config.json"):
    return hf_config.extract(load_document(path, text=text), ExtractContext())


def test_detects_configs_and_nothing_else():
    assert hf_config.detect(load_document(str(FIXTURES / "hf" / "tiny-llama" / "config.json"))) == 1.0
    assert hf_config.detect(load_document(str(FIXTURES / "hf" / "pretrain.yaml"))) == 0.0
    assert hf_config.detect(load_document(str(FIXTURES / "hf" / "ds_zero2.json"))) == 0.0
    assert hf_config.detect(load_document(str(FIXTURES / "hf" / "notes.yaml"))) == 0.0


def test_every_fact_points_at_its_key():
    path = str(FIXTURES / "hf" / "tiny-llama" / "config.json")
    ex = hf_config.extract(load_document(path), ExtractContext())
    where = {name: (f.source.key, f.source.line, f.source.column) for name, f in ex.facts.items()
             if f.source.kind == "key"}
    assert where == {
        "hidden_size": ("hidden_size", 4, 18),
        "ffn_hidden_size": ("intermediate_size", 5, 24),
        "num_layers": ("num_hidden_layers", 6, 24),
        "num_attention_heads": ("num_attention_heads", 7, 26),
        "num_kv_heads": ("num_key_value_heads", 8, 26),
        "max_position_embeddings": ("max_position_embeddings", 9, 30),
        "rope_theta": ("rope_theta", 10, 17),
        "vocab_size": ("vocab_size", 12, 17),
    }
    assert ex.facts["head_dim"].value == 32 and ex.facts["head_dim"].source.kind == "derived"
    # 4 layers x (attention 256*256*2 + 2*256*64 + FFN 3*256*768)
    assert ex.facts["n_params"].value == 4 * (2 * 256 * 256 + 2 * 256 * 64 + 3 * 256 * 768)
    assert ex.arch.tied_embeddings is True


def test_missing_tie_key_takes_the_class_default():
    gemma = {"model_type": "gemma", "hidden_size": 2048, "num_hidden_layers": 18, "num_attention_heads": 8,
             "num_key_value_heads": 1, "head_dim": 256, "intermediate_size": 16384, "vocab_size": 256000}
    ex = extract_text(json.dumps(gemma))
    assert ex.arch.tied_embeddings is True
    assert ex.notes.tied_embeddings_source.kind == "default"
    llama = dict(gemma, model_type="llama")
    assert extract_text(json.dumps(llama)).arch.tied_embeddings is False
    # Gemma-2B totals 2,506,172,416 only because the head is tied (3.03B when counted twice)
    assert ex.facts["n_params_total"].value == 2_506_172_416


def test_q_lora_rank_null_is_not_absent():
    cfg = {"model_type": "deepseek_v2", "hidden_size": 2048, "num_hidden_layers": 27, "num_attention_heads": 16,
           "intermediate_size": 10944, "moe_intermediate_size": 1408, "n_routed_experts": 64,
           "n_shared_experts": 2, "num_experts_per_tok": 6, "first_k_dense_replace": 1, "kv_lora_rank": 512,
           "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "vocab_size": 102400,
           "q_lora_rank": None}
    with_null = extract_text(json.dumps(cfg)).facts["n_params"].value
    absent = extract_text(json.dumps({k: v for k, v in cfg.items() if k != "q_lora_rank"})).facts["n_params"].value
    assert with_null == 15_283_519_488
    assert absent - with_null == 27 * (2048 * 1536 + 1536 * 16 * 192 - 2048 * 16 * 192)


def test_deepseek_without_top_k_is_not_counted():
    # transformers v5.25 builds the experts whenever n_routed_experts is set (layer >=
    # first_k_dense_replace) but cannot route without num_experts_per_tok: N is not guessed.
    cfg = {"model_type": "deepseek_v2", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2,
           "intermediate_size": 128, "n_routed_experts": 8, "kv_lora_rank": 16, "q_lora_rank": None,
           "qk_nope_head_dim": 8, "qk_rope_head_dim": 8, "v_head_dim": 8}
    ex = extract_text(json.dumps(cfg))
    assert "n_params" not in ex.facts and "num_experts_per_tok" in ex.notices[0]
    dense = extract_text(json.dumps(dict(cfg, first_k_dense_replace=2)))  # every layer below the first MoE one
    assert not dense.arch.is_moe and dense.facts["n_params"].value == dense.facts["n_params_active"].value


def test_deepseek_moe_layer_freq_other_than_one_is_not_counted():
    cfg = {"model_type": "deepseek_v3", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 2,
           "n_routed_experts": 8, "num_experts_per_tok": 2, "moe_layer_freq": 2, "first_k_dense_replace": 0}
    assert "n_params" not in extract_text(json.dumps(cfg)).facts


def test_multimodal_config_counts_its_text_model_without_a_total():
    text = {"hidden_size": 64, "num_hidden_layers": 2, "intermediate_size": 96, "vocab_size": 100}
    top = {"model_type": "gemma3", "architectures": ["Gemma3ForConditionalGeneration"],
           "text_config": dict(text, model_type="gemma3_text"), "vision_config": {"hidden_size": 32}}
    doc = load_document("config.json", text=json.dumps(top))
    assert hf_config.detect(doc) == 1.0
    ex = hf_config.extract(doc, ExtractContext())
    alone = extract_text(json.dumps(dict(text, model_type="gemma3_text")))
    assert ex.facts["n_params"].value == alone.facts["n_params"].value  # Gemma3TextConfig defaults for the rest
    assert ex.facts["hidden_size"].source.key == "text_config.hidden_size"
    assert "n_params_total" not in ex.facts and "vision" in ex.notices[0]


def test_legacy_falcon_keys_and_multi_query():
    cfg = {"model_type": "falcon", "hidden_size": 4544, "n_head": 71, "n_layer": 32, "multi_query": True,
           "parallel_attn": True, "bias": False, "vocab_size": 65024}
    ex = extract_text(json.dumps(cfg))
    assert ex.facts["num_layers"].source.key == "n_layer"
    assert ex.facts["num_kv_heads"].value == 1
    assert ex.facts["ffn_hidden_size"].value == 4 * 4544
    assert ex.facts["n_params"].value == 6_625_951_744


def test_falcon_new_decoder_architecture_reads_the_legacy_kv_key():
    cfg = {"model_type": "falcon", "hidden_size": 8192, "n_head": 128, "n_head_kv": 8, "n_layer": 60,
           "new_decoder_architecture": True, "parallel_attn": True, "bias": False, "vocab_size": 65024}
    ex = extract_text(json.dumps(cfg))
    assert ex.facts["num_kv_heads"].value == 8 and ex.facts["num_kv_heads"].source.key == "n_head_kv"
    assert ex.arch.norms_per_layer == 2
    per_layer = 2 * 8192 * 8192 + 2 * 8192 * 8 * 64 + 2 * 8192 * 4 * 8192
    assert ex.facts["n_params"].value == 60 * per_layer


def test_unknown_model_type_leaves_n_unknown():
    ex = hf_config.extract(load_document(str(FIXTURES / "hf" / "unknown-model" / "config.json")), ExtractContext())
    assert ex.arch is None
    assert not {"n_params", "n_params_active", "n_params_total"} & set(ex.facts)
    # the dimensions the file states are still facts, each at its key
    assert ex.facts["hidden_size"].value == 128 and ex.facts["hidden_size"].source.key == "hidden_size"
    (notice,) = ex.notices
    assert "acme_lm" in notice and "not counted" in notice and "--params" in notice
    assert "Llama" not in notice
    assert not ex.notes.not_transformer


def test_config_without_model_type_is_not_guessed():
    ex = extract_text(json.dumps({"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                                  "vocab_size": 100, "architectures": ["AcmeForCausalLM"]}))
    assert ex.arch is None and "n_params" not in ex.facts


@pytest.mark.parametrize("model_type", ["mamba", "mamba2", "rwkv", "jamba", "zamba2", "falcon_mamba",
                                        "nemotron_h", "qwen3_next"])
def test_recurrent_and_hybrid_model_types_are_not_transformers(model_type):
    ex = extract_text(json.dumps({"model_type": model_type, "hidden_size": 64, "num_hidden_layers": 2,
                                  "num_attention_heads": 4, "vocab_size": 100}))
    assert ex.arch is None and "n_params" not in ex.facts
    assert model_type in ex.notes.not_transformer
    assert "not a transformer" in ex.notices[0]


def test_run_clm_style_spec_refuses_unknown_types():
    with pytest.raises(hf_config.UnknownArchitecture):
        hf_config.spec_from_config({"model_type": "acme_lm", "hidden_size": 64, "num_hidden_layers": 2,
                                    "num_attention_heads": 4})
    with pytest.raises(hf_config.UnknownArchitecture, match="not a transformer"):
        hf_config.spec_from_config({"model_type": "mamba", "hidden_size": 64, "num_hidden_layers": 2,
                                    "num_attention_heads": 4})


@pytest.mark.parametrize("cfg", [
    {"model_type": "mpt", "d_model": 64, "n_heads": 4, "n_layers": 2, "expansion_ratio": 3},  # transformers: 4h
    {"model_type": "mpt", "d_model": 64, "n_heads": 4, "n_layers": 2, "no_bias": False},
    {"model_type": "helium", "hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 2, "head_dim": 32},
])
def test_variants_transformers_cannot_build_are_not_counted(cfg):
    ex = extract_text(json.dumps(cfg))
    assert "n_params" not in ex.facts and not ex.diagnostics
    assert "not a variant steplint counts exactly" in ex.notices[0]


def test_dbrx_nested_keys_have_their_sources():
    cfg = {"model_type": "dbrx", "d_model": 64, "n_heads": 4, "n_layers": 2, "vocab_size": 100,
           "attn_config": {"kv_n_heads": 2}, "ffn_config": {"ffn_hidden_size": 32, "moe_num_experts": 4,
                                                            "moe_top_k": 2}}
    ex = extract_text(json.dumps(cfg))
    assert ex.facts["num_kv_heads"].value == 2 and ex.facts["num_kv_heads"].source.key == "attn_config.kv_n_heads"
    assert ex.arch.num_experts == 4 and ex.arch.experts_per_token == 2 and ex.arch.expert_ffn_hidden_size == 32


def test_missing_dimensions_is_a_bad_value_not_a_crash():
    ex = extract_text(json.dumps({"model_type": "llama", "hidden_size": "big", "num_hidden_layers": 2}))
    assert [d.code for d in ex.diagnostics] == ["SL004"]


@pytest.mark.corpus
def test_corpus_configs_extract_exact_counts():
    folder = shared_path("corpus", "hf")
    expected = json.loads((folder / "expected.json").read_text())
    for name, e in expected.items():
        ex = hf_config.extract(load_document(str(folder / name)), ExtractContext())
        active = e["moe"]["step_law_Na"] if e.get("moe") else e["step_law_N"]
        got = tuple(ex.facts[k].value for k in ("n_params", "n_params_active", "n_params_total"))
        assert got == (e["step_law_N"], active, e["total"]), name
        assert ex.arch.tied_embeddings is e["tied_embeddings"], name


_SMALL = {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4,
          "intermediate_size": 128,
          "vocab_size": 1000}


@pytest.mark.parametrize("extra, window", [
    ({"model_type": "mistral", "sliding_window": 4096}, 4096),  # Mistral 7B v0.1
    ({"model_type": "mistral", "sliding_window": None}, None),  # v0.2 and later
    ({"model_type": "qwen2", "sliding_window": 32768, "use_sliding_window": False}, None),  # shipped, unused
    ({"model_type": "qwen2", "sliding_window": 4096, "use_sliding_window": True}, 4096),
    ({"model_type": "llama"}, None),
])
def test_sliding_window_extra_only_when_the_config_turns_it_on(extra, window):
    ex = extract_text(json.dumps(dict(_SMALL, **extra)))
    assert ex.notes.sliding_window == window


@pytest.mark.corpus
def test_corpus_sliding_windows():
    folder = shared_path("corpus", "hf")
    windows = {name: extract_text((folder / name).read_text(), str(folder / name)).notes.sliding_window
               for name in ("mistral-7b-v0.1.json", "qwen2-7b.json", "mixtral-8x7b-v0.1.json")}
    assert windows == {"mistral-7b-v0.1.json": 4096, "qwen2-7b.json": None, "mixtral-8x7b-v0.1.json": None}
