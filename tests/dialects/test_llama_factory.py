"""LLaMA-Factory YAML: the HF reader plus cutoff_len default, stage and finetuning type."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, shared_path
from steplint.dialects import hf_training_args, llama_factory
from steplint.dialects.registry import detect_dialect
from steplint.dialects.base import ExtractContext
from steplint.documents.load import load_document


def load(name: str):
    return load_document(str(FIXTURES / "modern" / name))


def test_detect():
    assert llama_factory.detect(load("llama_factory_sft.yaml")) >= 0.85
    assert llama_factory.detect(load("axolotl_lora.yaml")) == 0.0


def test_sft_with_default_cutoff_len():
    ex = llama_factory.extract(load("llama_factory_sft.yaml"), ExtractContext())
    assert ex.dialect == "llama-factory"
    f = {k: v.value for k, v in ex.facts.items()}
    assert f["seq_len"] == 2048 and "LLaMA-Factory" in ex.facts["seq_len"].source.framework
    assert f["init"] == "finetune"  # stage sft
    assert (f["micro_batch"], f["grad_accum"], f["train_steps"], f["warmup_steps"]) == (2, 4, 300, 30)
    assert f["peak_lr"] == 1e-5 and f["min_lr"] == 0.0
    src = ex.facts["train_steps"].source
    assert (src.key, src.line, src.column) == ("max_steps", 9, 12)
    assert "global_batch_sequences" not in ex.facts  # per device: the launcher sets the world size


def test_lora_pretraining_and_removed_warmup_ratio():
    text = ("model_name_or_path: Qwen/Qwen3-4B\nstage: pt\nfinetuning_type: lora\ncutoff_len: 1024\n"
            "per_device_train_batch_size: 1\nlearning_rate: 1.0e-4\nnum_train_epochs: 3.0\nwarmup_ratio: 0.1\n")
    ex = llama_factory.extract(load_document("lf.yaml", text=text), ExtractContext())
    assert ex.facts["init"].value == "lora" and ex.facts["seq_len"].value == 1024
    assert "train_steps" not in ex.facts and "warmup_steps" not in ex.facts
    assert any("packing" in n for n in ex.notices)
    assert any("warmup_ratio is deprecated from transformers 5.0 and removed in 5.15" in n for n in ex.notices)


def test_auto_detection_picks_llama_factory_over_the_hf_reader():
    doc = load("llama_factory_sft.yaml")
    assert hf_training_args.detect(doc) < llama_factory.detect(doc)
    assert detect_dialect(doc).NAME == "llama-factory"
    plain = load_document("args.yaml", text="per_device_train_batch_size: 8\nlr_scheduler_type: cosine\n"
                                            "learning_rate: 1.0e-4\ntemplate: llama3\n")  # one LF key: HF's
    assert detect_dialect(plain).NAME == "hf-training-args"


@pytest.mark.corpus
def test_corpus_llama_factory_files_are_detected_as_such():
    folder = shared_path("corpus", "hf-args")
    paths = sorted(folder.glob("llamafactory-*/*.yaml"))
    if not paths:
        pytest.skip("no LLaMA-Factory files in the corpus")
    assert [detect_dialect(load_document(str(p))).NAME for p in paths] == ["llama-factory"] * len(paths)


def test_pretraining_without_a_model_leaves_init_unset():
    """stage pt, full weights and no model_name_or_path: no `init` fact rather than an empty
    one (a None fact broke `show --format json`; found by the fuzz campaign)."""
    text = "stage: pt\nfinetuning_type: full\nper_device_train_batch_size: 4\nlearning_rate: 3.0e-04\nmax_steps: 1000\n"
    ex = llama_factory.extract(load_document("lf.yaml", text=text), ExtractContext())
    assert all(v is not None for v in ex.facts.values())
