"""load_recipe: references, merging with conflicts, overrides, derivations, missing facts."""

from __future__ import annotations

import json
import os

import pytest

from conftest import FIXTURES, shared_path
from steplint.resolve import load_recipe
from steplint.settings import RecipeGroup, Settings

HF = FIXTURES / "hf"
PRETRAIN = str(HF / "pretrain.yaml")


def test_follows_deepspeed_and_local_model_references():
    loaded = load_recipe([PRETRAIN], Settings(world_size=16))
    r = loaded.recipe
    assert [os.path.basename(f) for f in r.files] == ["pretrain.yaml", "ds_zero2.json", "config.json"]
    assert r.dialects[0] == "hf-training-args" and r.dialects[2] == "hf-config"
    assert set(loaded.documents) == set(r.files)
    assert r.arch is not None and r.arch.hidden_size == 256
    assert loaded.diagnostics == ()


def test_generic_derivations_with_their_formula():
    r = load_recipe([PRETRAIN], Settings(world_size=16)).recipe
    v = {name: f.value for name, f in r.facts.items()}
    assert v["data_parallel"] == 16
    assert v["global_batch_sequences"] == 8 * 4 * 16
    assert v["global_batch_tokens"] == 512 * 1024
    assert v["tokens"] == 5000 * 512 * 1024
    assert v["decay_end_step"] == 5000
    src = r.facts["global_batch_sequences"].source
    assert (src.kind, src.formula) == ("derived", "micro_batch x grad_accum x data_parallel")
    assert r.facts["world_size"].source.kind == "override"
    assert r.missing == ()


def test_without_world_size_the_batch_is_missing_and_says_what_supplies_it():
    r = load_recipe([PRETRAIN], Settings()).recipe
    missing = {m.field: m.supply for m in r.missing}
    assert set(missing) == {"global_batch_sequences", "global_batch_tokens", "tokens", "world_size"}
    assert "--world-size" in missing["world_size"]


def test_tokens_give_train_steps_and_warmup_from_a_ratio():
    path = str(HF / "sft_lr_string.yaml")
    r = load_recipe([path], Settings(world_size=8, tokens=2**30)).recipe
    v = {name: f.value for name, f in r.facts.items()}
    assert v["global_batch_tokens"] == 4 * 8 * 4096
    assert v["train_steps"] == 2**30 // (4 * 8 * 4096)
    assert v["warmup_steps"] == -(-v["train_steps"] * 5 // 100)  # ceil(0.05 x steps)
    assert v["init"] == "lora"


def test_overrides_win_over_file_keys():
    r = load_recipe([PRETRAIN], Settings(seq_len=2048)).recipe
    f = r.facts["seq_len"]
    assert (f.value, f.source.kind, f.source.setting) == (2048, "override", "--seq-len")


def test_recipe_group_facts_are_overrides():
    group = RecipeGroup(files=(PRETRAIN,), facts={"world-size": 4}, origin="pyproject.toml")
    r = load_recipe([PRETRAIN], Settings(recipes=(group,))).recipe
    assert r.facts["world_size"].value == 4 and r.facts["world_size"].source.kind == "override"


def test_two_files_disagreeing_is_sl006_with_both_locations():
    loaded = load_recipe([str(HF / "other_lr.yaml"), PRETRAIN], Settings())
    [d] = [d for d in loaded.diagnostics if d.code == "SL006"]
    assert (os.path.basename(d.file), d.line, d.column) == ("pretrain.yaml", 7, 16)
    assert [(os.path.basename(x.file), x.line, x.column) for x in d.related] == [("other_lr.yaml", 2, 16)]
    assert loaded.recipe.facts["peak_lr"].value == 3e-4  # the first file given wins
    [c] = [c for c in loaded.recipe.conflicts if c.field == "peak_lr"]
    assert (c.value, c.other_value, c.dialect) == (3e-4, 6e-4, "hf-training-args")


def test_missing_referenced_files_are_sl007_at_the_key():
    loaded = load_recipe([str(HF / "missing_ds.yaml")], Settings())
    found = sorted((d.code, d.line, d.column) for d in loaded.diagnostics)
    assert found == [("SL007", 2, 12), ("SL007", 3, 21)]


def test_a_hub_id_is_a_notice_not_a_finding():
    loaded = load_recipe([str(HF / "sft_lr_string.yaml")], Settings())
    assert not [d for d in loaded.diagnostics if d.code == "SL007"]
    assert any("org/some-model" in n and "--model" in n for n in loaded.recipe.notices)
    assert "n_params" in {m.field for m in loaded.recipe.missing}


def test_model_setting_supplies_the_architecture():
    model = str(HF / "tiny-llama" / "config.json")
    r = load_recipe([str(HF / "sft_lr_string.yaml")], Settings(model=model)).recipe
    assert r.facts["n_params"].value == 4 * (2 * 256 * 256 + 2 * 256 * 64 + 3 * 256 * 768)


def test_unknown_files_are_sl003_info_and_an_error_when_a_dialect_is_forced():
    [d] = load_recipe([str(HF / "notes.yaml")], Settings()).diagnostics
    assert (d.code, str(d.severity)) == ("SL003", "info")
    [d] = load_recipe([str(HF / "notes.yaml")], Settings(dialect="hf-training-args")).diagnostics
    assert (d.code, str(d.severity)) == ("SL003", "error")
    assert "--dialect hf-training-args" in d.message


def test_unreadable_input_keeps_its_loader_finding(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("learning_rate: [1, 2\n")
    loaded = load_recipe([str(bad)], Settings())
    assert [d.code for d in loaded.diagnostics] == ["SL001"]
    assert loaded.recipe.dialects == ("unknown",)


def test_reported_limits_diagnostics_to_given_files():
    loaded = load_recipe([str(HF / "missing_ds.yaml")], Settings(), reported=[PRETRAIN])
    assert loaded.diagnostics == ()


def test_texts_replace_the_file_content():
    text = "per_device_train_batch_size: 2\nlearning_rate: 2.0e-4\noutput_dir: o\n"
    r = load_recipe(["stdin.yaml"], Settings(), texts={"stdin.yaml": text}).recipe
    assert r.facts["peak_lr"].value == 2e-4


@pytest.mark.corpus
def test_hf_args_corpus_derives_every_expected_value():
    root = shared_path("corpus", "hf-args")
    expected = json.loads((root / "expected.json").read_text())
    names = {"N": "n_params", "N_active": "n_params_active", "tokens_D": "tokens", "decay_steps": "decay_end_step"}
    for rel, e in expected.items():
        ref = (e.get("model_ref") or {}).get("config_json")
        model = str(root.parent / ref.split()[0]) if ref else None
        r = load_recipe([str(root / rel)], Settings(model=model)).recipe
        for key in ("N", "N_active", "tokens_D", "global_batch_sequences", "seq_len", "global_batch_tokens",
                    "peak_lr", "min_lr", "warmup_steps", "decay_style", "decay_steps", "train_steps"):
            want = e.get(key)
            if want is not None:
                got = r.value(names.get(key, key))
                assert got == pytest.approx(want, rel=1e-9) if isinstance(want, float) else got == want, (rel, key)
        missing = {m.field for m in r.missing}
        assert set(e["needs"]) <= missing, (rel, set(e["needs"]) - missing)
        if e.get("init"):
            assert r.value("init") == e["init"], rel
        if e.get("if_world_size"):
            ws = e["if_world_size"]
            r8 = load_recipe([str(root / rel)], Settings(model=model, world_size=ws["world_size"])).recipe
            assert r8.value("global_batch_sequences") == ws["global_batch_sequences"], rel
            assert r8.value("global_batch_tokens") == ws["global_batch_tokens"], rel


def test_hf_vs_deepspeed_disagreement_is_recorded_for_sl701_not_sl006(tmp_path):
    (tmp_path / "args.yaml").write_text("per_device_train_batch_size: 8\ndeepspeed: ds.json\noutput_dir: o\n")
    (tmp_path / "ds.json").write_text('{"train_micro_batch_size_per_gpu": 4, "gradient_accumulation_steps": "auto"}')
    loaded = load_recipe([str(tmp_path / "args.yaml")], Settings())
    assert not [d for d in loaded.diagnostics if d.code == "SL006"]
    [c] = loaded.recipe.conflicts
    assert (c.field, c.value, c.other_value) == ("micro_batch", 8, 4)
    assert {c.dialect, c.other_dialect} == {"hf-training-args", "deepspeed"}
    assert c.other_source.line == 1


def test_hf_vs_deepspeed_keys_sl701_does_not_check_are_sl006(tmp_path):
    # micro batch: the Trainer's cross-check (SL701's); warmup steps: SL006's, once
    (tmp_path / "args.yaml").write_text("warmup_steps: 100\nper_device_train_batch_size: 8\ndeepspeed: ds.json\n"
                                        "output_dir: o\n")
    (tmp_path / "ds.json").write_text('{"train_micro_batch_size_per_gpu": 4,\n'
                                      ' "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 50}}}\n')
    loaded = load_recipe([str(tmp_path / "args.yaml")], Settings())
    [d] = [d for d in loaded.diagnostics if d.code == "SL006"]
    assert (os.path.basename(d.file), d.line) == ("ds.json", 2) and "warmup_steps is 50" in d.message
    assert [(os.path.basename(r.file), r.line) for r in d.related] == [("args.yaml", 1)]
    assert sorted(c.field for c in loaded.recipe.conflicts) == ["micro_batch", "warmup_steps"]


def test_llama_factory_vs_deepspeed_is_sl701s_too(tmp_path):
    (tmp_path / "lf.yaml").write_text("stage: pt\nfinetuning_type: full\ncutoff_len: 1024\n"
                                      "per_device_train_batch_size: 8\ndeepspeed: ds.json\n")
    (tmp_path / "ds.json").write_text('{"train_micro_batch_size_per_gpu": 4}')
    loaded = load_recipe([str(tmp_path / "lf.yaml")], Settings())
    assert loaded.recipe.dialects == ("llama-factory", "deepspeed")
    assert not [d for d in loaded.diagnostics if d.code == "SL006"]
    [c] = loaded.recipe.conflicts
    assert c.field == "micro_batch"


def test_a_batch_in_tokens_gives_the_batch_in_sequences():
    from steplint.diagnostics import Mark, Span
    from steplint.recipe import Notes, fact, key_source
    from steplint.resolve import _derive

    span = Span(Mark(1, 1, 0), Mark(1, 2, 1))
    facts = {"global_batch_tokens": fact("global_batch_tokens", 4_194_304, key_source("a.yaml", "batch", span)),
             "seq_len": fact("seq_len", 4096, key_source("a.yaml", "seq", span))}
    derived = _derive(facts, None, Notes(), None)
    assert derived["global_batch_sequences"].value == 1024
    assert derived["global_batch_sequences"].source.formula == "global_batch_tokens / seq_len"
