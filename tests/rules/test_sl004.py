from pathlib import Path

import pytest

from upstream_check import check_text

MEGATRON = (Path(__file__).resolve().parents[1] / "fixtures" / "check" / "off_optimum.yaml").read_text()
DEEPSPEED = '{{"train_batch_size": 64, "train_micro_batch_size_per_gpu": 4, "optimizer": {{"type": "AdamW", "params": {{"lr": {lr}}}}}}}\n'


def test_yaml_number_pyyaml_reads_as_a_string(tmp_path):
    code, found = check_text(tmp_path, "m.yaml", MEGATRON.replace("lr: 3.0e-4  # the GPT-3 1.3B value", "lr: 3e-4"), "--select", "SL004")
    assert code == 1 and found == [("SL004", 12, 5, "error")]


def test_json_value_of_the_wrong_type(tmp_path):
    code, found = check_text(tmp_path, "ds.json", DEEPSPEED.format(lr='"fast"'), "--select", "SL004")
    text = DEEPSPEED.format(lr='"fast"')
    assert code == 1 and found == [("SL004", 1, text.index('"fast"') + 1, "error")]  # column 111


@pytest.mark.parametrize("name, text", [("m.yaml", MEGATRON), ("ds.json", DEEPSPEED.format(lr="1e-4"))])
def test_well_typed_values_are_clean(tmp_path, name, text):
    assert check_text(tmp_path, name, text, "--select", "SL004") == (0, [])
