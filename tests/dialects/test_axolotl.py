"""axolotl YAML: renamed HF keys, ratio floor, automatic warmup, how the weights start."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from steplint.dialects import axolotl, hf_training_args
from steplint.dialects.base import ExtractContext
from steplint.documents.load import load_document


def load(name: str):
    return load_document(str(FIXTURES / "modern" / name))


def test_detect_beats_the_generic_hf_reader():
    doc = load("axolotl_lora.yaml")
    assert axolotl.detect(doc) > hf_training_args.detect(doc)
    assert axolotl.detect(load("llama_factory_sft.yaml")) == 0.0


def test_lora_run_with_ratio_floor_and_automatic_warmup():
    ex = axolotl.extract(load("axolotl_lora.yaml"), ExtractContext(world_size=4))
    f = {k: v.value for k, v in ex.facts.items()}
    assert f["init"] == "lora"
    assert f["grad_accum"] == 8  # batch_size 16 // micro_batch_size 2
    assert f["global_batch_sequences"] == 2 * 8 * 4 and f["global_batch_tokens"] == 64 * 2048
    assert f["min_lr"] == pytest.approx(2e-5)  # cosine_min_lr_ratio 0.1 x 2e-4
    assert f["warmup_steps"] == 100  # min(int(0.03 x 5000), 100)
    assert ex.facts["warmup_steps"].source.kind == "derived"
    assert f["decay_end_step"] == 5000 and f["precision"] == "bf16"
    assert ex.facts["adam_beta2"].value == 0.999 and "transformers" in ex.facts["adam_beta2"].source.framework
    assert [r.role for r in ex.references] == ["model"] and ex.notes.model_ref.hub_id is False
    src = ex.facts["peak_lr"].source
    assert (src.key, src.line, src.column) == ("learning_rate", 7, 16)


def test_epochs_leave_steps_to_the_dataset_and_reinit_is_scratch():
    ex = axolotl.extract(load("axolotl_epochs.yaml"), ExtractContext())
    f = ex.facts
    assert "train_steps" not in f and "warmup_steps" not in f and "global_batch_sequences" not in f
    assert ex.notes.warmup_ratio.value == 0.05  # resolve finishes it once steps are known
    assert f["init"].value == "scratch" and f["init"].source.key == "reinit_weights"
    assert f["seq_len"].value == 512 and f["seq_len"].source.kind == "default"
    assert f["decay_style"].value == "linear" and f["min_lr"].value == 0.0
    assert any("epoch" in n for n in ex.notices)


def test_streaming_pretraining_needs_max_steps():
    text = ("base_model: org/model\nsequence_len: 512\nmicro_batch_size: 1\nlearning_rate: 1.0e-4\n"
            "pretraining_dataset:\n  - path: org/data\n")
    ex = axolotl.extract(load_document("a.yaml", text=text), ExtractContext())
    [found] = ex.notes.incompatible_flags
    assert found.flags == ("pretraining_dataset",) and found.line == 6
    assert ex.facts["init"].value == "checkpoint"
    assert axolotl.extract(load("axolotl_lora.yaml"), ExtractContext()).notes.incompatible_flags == ()
