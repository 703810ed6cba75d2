"""Recurrent and hybrid architectures in every dialect that has a marker for them: Step Law
does not apply (SL305 with its own reason), and no transformer N is counted from the
generic keys (which would count Mamba blocks as attention + MLP)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from steplint.cli import cli

HYBRID = FIXTURES / "hybrid"


def check(path):
    r = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", str(path)])
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.output)["diagnostics"]


def show(path):
    r = CliRunner().invoke(cli, ["show", "--isolated", "--format", "json", str(path)])
    assert r.exit_code == 0, r.output
    [recipe] = json.loads(r.output)["recipes"]
    return recipe


@pytest.mark.parametrize(("name", "dialect", "reason"), [
    ("neox_mamba.yml", "neox", "attention_config with mamba layers"),
    ("nanotron_mamba.yaml", "nanotron", "is_mamba_config"),
    ("nemo_mamba.yaml", "nemo", "Mamba-2 / hybrid"),
    ("nemo_griffin.yaml", "nemo", "Griffin"),
    ("nemo_hyena.yaml", "nemo", "Hyena long-convolution"),
    ("megatron_hybrid.yaml", "megatron", "--hybrid-layer-pattern with Mamba layers"),
    # state-spaces/mamba-130m-hf config.json (https://huggingface.co/state-spaces/mamba-130m-hf)
    ("mamba_config.json", "hf-config", "model_type 'mamba'"),
])
def test_sl305_names_the_architecture_and_n_is_not_counted(name, dialect, reason):
    recipe = show(HYBRID / name)
    assert recipe["dialects"] == [dialect]
    assert not {"n_params", "n_params_active", "n_params_total"} & set(recipe["facts"])
    found = check(HYBRID / name)
    sl305 = [d for d in found if d["code"] == "SL305"]
    assert len(sl305) == 1 and reason in sl305[0]["message"] and "not a transformer" in sl305[0]["message"]
    assert not [d for d in found if d["code"] in ("SL301", "SL302", "SL303")]
    # SL005 does not ask for an N that does not exist for this model
    assert not any("n_params" in d["message"] for d in found if d["code"] == "SL005")


@pytest.mark.parametrize("name", ["neox_attention.yml"])
def test_attention_layers_stay_transformers(name):
    recipe = show(HYBRID / name)
    assert recipe["facts"]["n_params"]["value"] == 12 * (4 * 512 * 512 + 2 * 512 * 4 * 512)
    assert not [d for d in check(HYBRID / name) if d["code"] == "SL305"]


def test_attention_only_layer_pattern_is_not_counted_from_num_layers():
    recipe = show(HYBRID / "megatron_pattern_attention.yaml")
    assert "n_params" not in recipe["facts"]
    assert any("--hybrid-layer-pattern" in n and "--params" in n for n in recipe["notices"])
    assert not [d for d in check(HYBRID / "megatron_pattern_attention.yaml") if d["code"] == "SL305"]


def test_sl305_from_a_model_file_is_reported_on_the_checked_file():
    # `check train.yaml --model config.json`: only train.yaml is reported, so a finding with
    # no key of its own is blamed there, not on the --model file (which would drop it).
    train = FIXTURES / "check" / "off_optimum.yaml"
    r = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", "--model",
                                 str(HYBRID / "mamba_config.json"), str(train)])
    found = json.loads(r.output)["diagnostics"]
    [sl305] = [d for d in found if d["code"] == "SL305"]
    assert sl305["file"] == str(train) and "mamba" in sl305["message"]
    assert not [d for d in found if d["code"] in ("SL302", "SL303")]
