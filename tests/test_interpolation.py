"""OmegaConf-style `${...}` resolution without eval."""

from __future__ import annotations

import pytest

from steplint.documents.load import load_document
from steplint.interpolation import Interpolator


def interp(text: str, tmp_path) -> Interpolator:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return Interpolator(load_document(str(path)).root)


def test_absolute_relative_and_chained_references(tmp_path):
    i = interp("model:\n  h: 1024\n  f: ${.h}\n  data:\n    seq: ${..s}\n  s: ${top}\ntop: 2048\n", tmp_path)
    assert i.get("model.f").value == 1024
    got = i.get("model.data.seq")
    assert got.value == 2048 and got.key == "top" and got.node.span.start.line == 7
    assert got.via == ("model.data.seq", "model.s")


def test_resolvers_multiply_and_sum_with_nested_references(tmp_path):
    i = interp("m:\n  h: 64\n  f: ${multiply:4, ${.h}}\n  n: ${sum:${.h},-1}\n  g: ${multiply:${.f},2}\n", tmp_path)
    assert i.get("m.f").value == 256 and i.get("m.f").formula == "multiply(4, m.h)"
    assert i.get("m.n").value == 63
    assert i.get("m.g").value == 512


def test_omegaconf_types_exponent_without_dot_as_float(tmp_path):
    i = interp("lr: 1e-4\nquoted: '1e-4'\nx: ${lr}\n", tmp_path)
    assert i.get("lr").value == 1e-4 and i.get("x").value == 1e-4
    assert i.get("quoted").value == "1e-4"


def test_string_concatenation(tmp_path):
    assert interp("a: run\nb: ${a}/logs\n", tmp_path).get("b").value == "run/logs"


@pytest.mark.parametrize("text", [
    "x: ${missing.key}\n",
    "x: ${gpu_name:}\n",
    "x: ${oc.env:HOME}\n",
    "x: ${y}\ny: ${x}\n",
    "x: ${...up}\n",
    "x: ${multiply:a,b,c}\n",
])
def test_what_cannot_be_resolved_is_an_error_not_a_guess(tmp_path, text):
    got = interp(text, tmp_path).get("x")
    assert got is not None and not got.ok and got.value is None and got.error


def test_absent_key_is_none(tmp_path):
    assert interp("a: 1\n", tmp_path).get("b") is None


def test_deep_nesting_is_unresolved_not_a_crash(tmp_path):
    text = "x: '" + "${sum:1," * 100 + "1" + "}" * 100 + "'\n"
    got = interp(text, tmp_path).get("x")
    assert got is not None and not got.ok


def test_a_launcher_group_file_resolves_its_own_package():
    """NeMo-Framework-Launcher composes conf/peft/llama/sft.yaml under `peft` (Hydra's default
    package for a config group), so `${peft.model.data.seq_length}` is this file's own key; a
    file with no package keeps the reference unresolved."""
    text = "model:\n  encoder_seq_length: ${peft.model.data.seq_length}\n  data:\n    seq_length: 2048\n"
    doc = load_document("sft.yaml", text=text)
    assert Interpolator(doc.root, package="peft").get("model.encoder_seq_length").value == 2048
    assert not Interpolator(doc.root).get("model.encoder_seq_length").ok
    assert not Interpolator(doc.root, package="training").get("model.encoder_seq_length").ok


def test_launcher_package_from_the_path():
    from steplint.dialects.nemo import launcher_package

    assert launcher_package("launcher_scripts/conf/peft/llama/sft.yaml") == "peft"
    assert launcher_package("conf/training/gpt3/5b.yaml") == "training"
    assert launcher_package("examples/nlp/language_modeling/conf/megatron_gpt_config.yaml") is None
