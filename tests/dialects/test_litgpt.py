"""litgpt pretrain YAML: presets and inline model_config, D given in tokens, absolute min LR."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from steplint.dialects import litgpt
from steplint.dialects.base import ExtractContext
from steplint.documents.load import load_document


def load(name: str):
    return load_document(str(FIXTURES / "modern" / name))


def facts(name: str) -> dict:
    return litgpt.extract(load(name), ExtractContext()).facts


def test_detect():
    assert litgpt.detect(load("litgpt_preset.yaml")) >= 0.6
    assert litgpt.detect(load("nanotron_qwen_moe.yaml")) == 0.0


def test_preset_fills_omitted_fields_from_config_defaults():
    cfg = litgpt.preset_config("pythia-14m")
    assert cfg["mlp_class_name"] == "GptNeoxMLP" and cfg["n_layer"] == 6
    assert litgpt.preset_config("no-such-model") is None


def test_preset_with_block_size_sequence_and_token_budget():
    f = facts("litgpt_preset.yaml")
    # pythia-14m: 6 x (4 x 128^2 + 2 x 128 x 512), 2-matrix GptNeoxMLP of 4 x n_embd
    assert f["n_params"].value == 1_179_648
    assert f["vocab_size"].value == 50304  # 50254 padded to a multiple of 128
    assert f["seq_len"].value == 512 and f["seq_len"].source.kind == "default"  # max_seq_length empty
    assert f["tokens"].value == 100_000_000
    assert f["train_steps"].value == 1562  # floor(1e8 / (125 x 512))
    assert f["decay_end_step"].value == 1562 and f["decay_style"].value == "cosine"
    assert f["peak_lr"].value == 1e-3  # optimizer given by name: torch AdamW default
    assert f["min_lr"].value == 6e-5  # "6e-5", a string to PyYAML
    assert f["init"].value == "checkpoint"
    src = f["min_lr"].source
    assert (src.key, src.line, src.column) == ("train.min_lr", 8, 11)
    assert "world_size" not in f  # devices: auto


def test_inline_model_config_wins_and_max_steps_caps_the_run():
    f = facts("litgpt_inline.yaml")
    assert f["n_params"].value == 5_971_968  # 6 x (4 x 288^2 + 3 x 288 x 768)
    assert f["head_dim"].value == 48 and f["head_dim"].source.key == "model_config.head_size"
    assert f["train_steps"].value == 1000 and f["tokens"].value == 1000 * 512 * 256
    assert f["world_size"].value == 8  # devices 4 x num_nodes 2
    assert "grad_accum" not in f  # 512 sequences do not split into 8 ranks x 128
    assert f["peak_lr"].value == pytest.approx(5e-4)
    assert f["min_lr"].value == 0.0 and f["min_lr"].source.kind == "key"


def test_unknown_preset_is_a_notice_not_a_guess():
    doc = load_document("x.yaml", text="model_name: Llama-9-1T\ntrain:\n  global_batch_size: 8\n  max_seq_length: 64\n")
    ex = litgpt.extract(doc, ExtractContext())
    assert "n_params" not in ex.facts
    assert any("Llama-9-1T" in n for n in ex.notices)
    assert ex.facts["train_steps"].value == 3_000_000_000_000 // (8 * 64)  # pretrain default max_tokens


@pytest.mark.parametrize(("preset", "n"), [
    # corpus/hf step_law_N of the same models (docs/param-counting.md)
    ("tiny-llama-1.1b", 968_884_224),
    ("pythia-160m", 84_934_656),
    ("pythia-1.4b", 1_207_959_552),
    ("pythia-6.9b", 6_442_450_944),
])
def test_presets_match_the_hf_oracle(preset, n):
    doc = load_document("p.yaml", text=f"model_name: {preset}\ntrain:\n  max_seq_length: 2048\n")
    assert litgpt.extract(doc, ExtractContext()).facts["n_params"].value == n


def test_accumulation_from_the_world_size():
    ex = litgpt.extract(load("litgpt_preset.yaml"), ExtractContext(world_size=5))  # devices: auto
    assert ex.facts["grad_accum"].value == 5  # 125 / (5 ranks x micro 5)
    assert "world_size" not in ex.facts  # the flag's value is resolve's override, not a file fact


def _preset(name: str):
    doc = load_document("p.yaml", text=f"model_name: {name}\ntrain:\n  global_batch_size: 8\n")
    return litgpt.extract(doc, ExtractContext())


# Presets and the HF config.json of the same released model (hf_config's families are
# checked against transformers itself: tests/fixtures/hf_oracle.json). N, active N and the
# total must agree; the total needs the tie flag of the litgpt YAML to match the HF default.
_HF_TWINS = [
    ("Qwen3-30B-A3B", False, {"model_type": "qwen3_moe", "hidden_size": 2048, "num_hidden_layers": 48,
                              "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128,
                              "moe_intermediate_size": 768, "num_experts": 128, "num_experts_per_tok": 8}),
    ("Qwen3-0.6B", True, {"model_type": "qwen3", "hidden_size": 1024, "num_hidden_layers": 28,  # per-head QK norm
                          "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128,
                          "intermediate_size": 3072, "vocab_size": 151936, "tie_word_embeddings": True}),
    ("Mixtral-8x7B-v0.1", False, {"model_type": "mixtral"}),  # MixtralConfig defaults are Mixtral-8x7B
    ("Llama-2-7b-hf", False, {"model_type": "llama"}),  # LlamaConfig defaults are Llama-2-7B
    ("pythia-160m", False, {"model_type": "gpt_neox", "hidden_size": 768, "num_hidden_layers": 12,  # biases
                            "num_attention_heads": 12, "intermediate_size": 3072, "vocab_size": 50304}),
    ("phi-2", False, {"model_type": "phi", "hidden_size": 2560, "num_hidden_layers": 32,  # shared norm, head bias
                      "num_attention_heads": 32, "intermediate_size": 10240, "vocab_size": 51200}),
    ("Gemma-2-9b", True, {"model_type": "gemma2", "hidden_size": 3584, "num_hidden_layers": 42,  # post norms
                          "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 256,
                          "intermediate_size": 14336, "vocab_size": 256000}),
    ("falcon-7b", True, {"model_type": "falcon", "hidden_size": 4544, "num_attention_heads": 71,  # MQA, 1 norm
                         "num_hidden_layers": 32, "vocab_size": 65024}),
    ("OLMo-1B-hf", True, {"model_type": "olmo", "hidden_size": 2048, "num_hidden_layers": 16,  # LayerNorm, no affine
                          "num_attention_heads": 16, "intermediate_size": 8192, "vocab_size": 50304,
                          "tie_word_embeddings": True}),
]


@pytest.mark.parametrize(("preset", "tied", "hf"), _HF_TWINS, ids=[p for p, _, _ in _HF_TWINS])
def test_generated_presets_count_like_the_hf_config(preset, tied, hf):
    import json

    from steplint.dialects import hf_config

    theirs = hf_config.extract(load_document("config.json", text=json.dumps(hf)), ExtractContext()).facts
    text = f"model_name: {preset}\ntrain:\n  global_batch_size: 8\n" + ("  tie_embeddings: true\n" if tied else "")
    mine = litgpt.extract(load_document("p.yaml", text=text), ExtractContext()).facts
    keys = ("n_params", "n_params_active", "n_params_total")
    assert tuple(mine[k].value for k in keys) == tuple(theirs[k].value for k in keys)


def test_preset_table_is_generated_at_a_pinned_commit():
    import json

    from steplint.resources import data_path

    table = json.loads(data_path("litgpt_presets.json").read_text())
    assert len(table["_commit"]) == 40 and table["_commit"][:8] in table["_source"]
    assert len(table["presets"]) >= 200
    counted = sum("n_params" in _preset(name).facts for name in table["presets"])
    assert counted == len(table["presets"])


def test_inline_deepseek_style_config_is_not_guessed():
    doc = load_document("p.yaml", text="model_config:\n  n_layer: 2\n  n_embd: 64\n  n_head: 4\n"
                                       "  latent_attention: {q_lora_rank: 16}\n")
    ex = litgpt.extract(doc, ExtractContext())
    assert "n_params" not in ex.facts and any("latent_attention" in n for n in ex.notices)
