"""`steplint suggest`: the recipe is the Step Law optimum rounded to the layout, and steplint
reads every framework's suggestion back clean with the same LR, batch and tokens.

N comes from a Hugging Face config.json given with `--model` (a TinyLlama-shaped model,
github.com/jzhang38/TinyLlama config: hidden 2048, 22 layers, 32 heads, 4 KV heads,
intermediate 5632), so the Step Law rules run on the read-back and can fail it."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from steplint.cli import cli
from steplint.laws.steplaw import optimal_batch_tokens, optimal_lr
from steplint.suggest import WRITERS, Layout, LayoutError, suggest
from steplint.suggest.recipe import step_law_recipe

FILES = {"megatron": "pretrain.sh", "nemo": "megatron_gpt.yaml", "neox": "neox.yml", "hf": "args.yaml",
         "torchtitan": "train.toml", "deepspeed": "ds_config.json"}
CONFIG = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2048,
          "intermediate_size": 5632, "num_hidden_layers": 22, "num_attention_heads": 32,
          "num_key_value_heads": 4, "max_position_embeddings": 2048, "vocab_size": 32000,
          "tie_word_embeddings": False}
D, SEQ, W, MB = 1e11, 2048, 64, 4


def invoke(*args):
    return CliRunner().invoke(cli, list(map(str, args)))  # click >= 8.2 keeps stderr apart


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "config.json"
    path.write_text(json.dumps(CONFIG))
    return path


@pytest.fixture(scope="module")
def n_params(model, tmp_path_factory):
    cfg = tmp_path_factory.mktemp("n") / "args.yaml"
    cfg.write_text("learning_rate: 1.0e-3\nper_device_train_batch_size: 1\n")
    r = invoke("show", "--format", "json", "--isolated", "--model", model, cfg)
    return json.loads(r.stdout)["recipes"][0]["facts"]["n_params"]["value"]


def test_recipe_is_the_optimum_rounded_to_the_layout():
    r = step_law_recipe(1e9, 1e11, 2048, Layout(64, 4))
    assert r.lr == pytest.approx(optimal_lr(1e9, 1e11), rel=5e-3) and r.lr == float(f"{r.lr:.2e}")
    assert r.batch_sequences % (4 * 64) == 0 and r.batch_sequences == 512  # 540.8 -> 512, not 768
    assert r.batch_optimum_sequences == pytest.approx(optimal_batch_tokens(1e9, 1e11) / 2048)
    assert r.train_steps == round(1e11 / (512 * 2048)) and abs(r.trained_tokens / 1e11 - 1) < 1e-3
    assert r.min_lr == 1e-5 and r.warmup_steps == 2000 and r.rounding.percent < 0.01
    tp = step_law_recipe(1e9, 1e11, 2048, Layout(64, 2, tensor_parallel=4, pipeline_parallel=2))
    assert tp.layout.data_parallel == 8 and tp.batch_sequences % 16 == 0


def test_a_layout_that_cannot_run_is_refused():
    with pytest.raises(LayoutError, match="not a multiple"):
        step_law_recipe(1e9, 1e11, 2048, Layout(60, 1, tensor_parallel=8))
    r = invoke("suggest", "--params", "1e9", "--tokens", "1e11", "--seq-len", "2048", "--world-size", "60",
               "--tensor-parallel", "8", "--framework", "hf")
    assert r.exit_code == 2 and r.stderr.startswith("Usage: ") and "suggest --params N" in r.stderr and "not a multiple" in r.stderr


def test_the_explanation_gives_law_band_penalty_and_extrapolation():
    text = suggest("nemo", 1e8, 1e13, 4096, Layout(8, 1)).text
    assert "lr* = 1.7973 N^-0.71292 D^0.30749" in text and "90% band" in text
    assert "costs about +" in text and "Extrapolation: D = 1.00e13 tokens is outside" in text


@pytest.mark.parametrize("framework", sorted(WRITERS))
def test_every_suggestion_reads_back_clean_and_optimal(framework, model, n_params, tmp_path):
    out = tmp_path / FILES[framework]
    r = invoke("suggest", "--params", n_params, "--tokens", D, "--seq-len", SEQ, "--world-size", W,
               "--micro-batch", MB, "--framework", framework, "-o", out)
    assert r.exit_code == 0, r.output
    common = ("--isolated", "--model", model, "--world-size", W, "--seq-len", SEQ)
    if framework == "deepspeed":  # DeepSpeed stores no token count: give D
        common += ("--tokens", D)
    c = invoke("check", "--output-format", "json", "--exit-zero", *common, out)
    loud = [d for d in json.loads(c.stdout)["diagnostics"] if d["severity"] != "info"]
    if framework == "hf":  # SL103 on an implicit HF batch: issue-13d limits it to files with a batch key
        loud = [d for d in loud if d["code"] != "SL103"]
    assert loud == [], loud
    s = invoke("show", "--format", "json", *common, out)
    facts = {k: v["value"] for k, v in json.loads(s.stdout)["recipes"][0]["facts"].items()}
    expected = json.loads(invoke("suggest", "--params", n_params, "--tokens", D, "--seq-len", SEQ, "--world-size", W,
                                 "--micro-batch", MB, "--framework", framework, "--format", "json").stdout)["facts"]
    assert facts["peak_lr"] == pytest.approx(expected["peak_lr"], rel=1e-12)
    assert facts["peak_lr"] == pytest.approx(optimal_lr(n_params, D), rel=0.01)
    assert facts["global_batch_sequences"] == expected["global_batch_sequences"]
    assert facts["global_batch_sequences"] % (MB * W) == 0
    assert facts["min_lr"] == pytest.approx(1e-5, abs=1e-12)
    assert facts["warmup_steps"] == pytest.approx(expected["warmup_steps"], abs=1)
    if framework != "deepspeed":
        assert facts["tokens"] == expected["tokens"] and abs(facts["tokens"] / D - 1) < 0.01
        assert facts["train_steps"] == expected["train_steps"]


def test_deepspeed_notes_go_to_stderr_and_json_form():
    r = invoke("suggest", "--params", "1e9", "--tokens", "1e11", "--seq-len", "2048", "--world-size", "8",
               "--framework", "deepspeed")
    assert json.loads(r.stdout)["train_batch_size"] % 8 == 0
    assert "note: Step Law recipe" in r.stderr
    j = invoke("suggest", "--params", "1e9", "--tokens", "1e11", "--seq-len", "2048", "--world-size", "8",
               "--framework", "deepspeed", "--format", "json")
    doc = json.loads(j.stdout)
    assert set(doc) == {"framework", "text", "facts", "notes"} and doc["notes"] and doc["framework"] == "deepspeed"
    assert json.loads(doc["text"])["optimizer"]["params"]["lr"] == doc["facts"]["peak_lr"]
    assert math.isclose(doc["facts"]["global_batch_tokens"], doc["facts"]["global_batch_sequences"] * 2048)


@pytest.mark.parametrize("framework", sorted(WRITERS))
def test_suggestion_golden(framework):
    """The whole text of each framework's suggestion (STEPLINT_UPDATE_GOLDEN=1 regenerates)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
    from golden_cases import check_golden

    s = suggest(framework, 1e9, 1e11, 2048, Layout(64, 4, tensor_parallel=2))
    body = s.text + "".join(f"note: {n}\n" for n in s.notes)
    check_golden(f"suggest-{framework}.txt", body)
