"""Megatron-LM / Megatron-DeepSpeed: scripts, functional-test YAML, --yaml-cfg; ramp-up replay."""

from __future__ import annotations

import pytest

from dialects.configs_corpus import check_entry, entries
from conftest import FIXTURES
from steplint.dialects import megatron
from steplint.dialects.base import ExtractContext
from steplint.dialects.megatron import RampUp
from steplint.documents.load import load_document


def extract(name: str, world_size=None):
    doc = load_document(str(FIXTURES / "megatron" / name))
    assert megatron.detect(doc) >= 0.9
    return megatron.extract(doc, ExtractContext(world_size=world_size))


def values(extraction) -> dict:
    return {name: f.value for name, f in extraction.facts.items()}


@pytest.mark.corpus
@pytest.mark.parametrize("rel", entries("megatron"))
def test_corpus_values(rel):
    check_entry(rel)


def test_swiglu_without_ffn_uses_the_floor_to_64_rule_and_gqa_flag_alone_is_mqa():
    ex = extract("swiglu_mqa.sh")
    v = values(ex)
    assert v["ffn_hidden_size"] == int((4 * 4096 * 2 / 3) / 64) * 64 == 10880
    assert ex.facts["ffn_hidden_size"].source.kind == "default"
    assert v["num_kv_heads"] == 1 and ex.arch.num_kv_heads == 1
    assert ex.arch.tied_embeddings is False  # --untie-embeddings-and-output-weights
    assert v["n_params"] == 32 * (4096 * 4096 * 2 + 2 * 4096 * 128 + 3 * 4096 * 10880)


def test_script_values_come_from_variables_arithmetic_and_the_last_repeated_flag():
    v = values(extract("swiglu_mqa.sh"))
    assert v["train_steps"] == 10_000  # TRAIN_ITERS=10_000
    assert v["peak_lr"] == 6e-4  # --lr twice: argparse keeps the last
    assert v["min_lr"] == 3e-5  # --min-lr=3.0e-5
    assert v["world_size"] == 16  # torchrun --nproc_per_node $GPUS_PER_NODE --nnodes $NNODES
    assert v["tensor_parallel"] == 2


def test_warmup_fraction_is_a_fraction_of_the_decay_span():
    ex = extract("swiglu_mqa.sh")
    assert values(ex)["warmup_steps"] == 80  # 0.01 x lr-decay-iters 8000, not x train-iters
    assert values(ex)["decay_end_step"] == 8000
    assert "decay span" in ex.facts["warmup_steps"].source.formula


def test_gelu_default_4h_and_query_groups_ignored_without_the_gqa_flag():
    ex = extract("gelu_groups_ignored.sh")
    assert values(ex)["ffn_hidden_size"] == 4 * 2048
    assert "num_kv_heads" not in ex.facts and ex.arch.num_kv_heads is None
    assert ex.notes.ignored_keys[0].key == "--num-query-groups"
    # no global batch: sample-based steps need the world size
    assert "train_steps" not in ex.facts and values(ex)["tokens"] == 1_000_000 * 2048


def test_sample_based_schedule_without_ramp_with_world_size_gives_steps():
    v = values(extract("gelu_groups_ignored.sh", world_size=16))
    assert v["global_batch_sequences"] == 4 * 16
    assert v["train_steps"] == 1_000_000 // 64
    assert v["warmup_steps"] == -(-10_000 // 64) and v["decay_end_step"] == -(-900_000 // 64)


def test_moe_with_shared_experts_and_a_dense_first_layer():
    ex = extract("moe_shared_rampup.sh")
    v = values(ex)
    h, layers, moe = 2048, 28, 27
    attention = layers * 4 * h * h
    dense = 1 * 3 * h * 10944
    routed = moe * 64 * 3 * h * 1408
    shared = moe * 3 * h * 2816
    assert v["n_params"] == attention + dense + routed + shared
    assert v["n_params_active"] == attention + dense + moe * 6 * 3 * h * 1408 + shared


def test_ramp_up_that_never_completes_is_recorded_and_replayed():
    ex = extract("moe_shared_rampup.sh")
    ramp = ex.notes.rampup
    assert ramp is not None and ramp.completes is False and ramp.last_batch == 512
    v = values(ex)
    assert v["global_batch_sequences"] == 1024  # the configured final value
    assert v["tokens"] == 20_000_000 * 4096
    # warmup 500k samples all at batch 256: ceil(500000 / 256)
    assert v["warmup_steps"] == -(-500_000 // 256)
    assert "rampup 256 +256" in ex.facts["train_steps"].source.formula


def test_rampup_arithmetic_matches_megatron_stage_by_stage():
    ramp = RampUp(start=32, increment=32, samples=65_324_160, final=128)
    assert ramp.batch_at(0) == 32 and ramp.batch_at(21_774_720) == 64 and ramp.batch_at(65_324_161) == 128
    assert ramp.steps_to_consume(81_381) == 2544
    assert ramp.consumed_after(ramp.steps_to_consume(1_000_000)) >= 1_000_000
    assert ramp.consumed_after(ramp.steps_to_consume(1_000_000) - 1) < 1_000_000
    # brute force on a small ramp
    small = RampUp(4, 4, 100, 16)
    consumed = steps = 0
    while consumed <= 100 and consumed <= 1000:
        consumed += small.batch_at(consumed)
        steps += 1
    steps += (1000 - consumed) // 16
    assert small.train_iters(1000) == steps


def test_flag_combinations_the_parser_rejects_are_recorded_for_sl704():
    ex = extract("rejected_flags.sh")
    flags = [item.flags for item in ex.notes.incompatible_flags]
    assert ("--rampup-batch-size", "--train-iters") in flags
    assert ("--step-batch-size-schedule", "--global-batch-size") in flags
    assert all(item.line > 1 for item in ex.notes.incompatible_flags)


def test_iteration_schedule_with_ramp_counts_samples():
    v = values(extract("rejected_flags.sh"))
    ramp = RampUp(32, 32, 1_000_000, 256)
    assert v["warmup_steps"] == ramp.steps_to_consume(200 * 256)
    assert v["tokens"] == ramp.consumed_after(20_000) * 1024


def test_bigscience_glu_keeps_4h_and_reads_the_heredoc_deepspeed_json():
    ex = extract("bigscience_glu.slurm")
    assert ex.notes.variant == "megatron-deepspeed/bigscience"
    assert values(ex)["ffn_hidden_size"] == 4 * 1024 and ex.arch.gated
    assert values(ex)["world_size"] == 32  # 4 nodes x gpu:8
    (ref,) = ex.references
    assert ref.role == "deepspeed" and '"train_batch_size": 256' in ref.text and ref.path.endswith(".json")
    assert ex.notes.ignored_blocks == ("optimizer", "scheduler")


def test_heredoc_config_joins_the_recipe_through_resolve():
    from steplint.resolve import load_recipe

    loaded = load_recipe([str(FIXTURES / "megatron" / "bigscience_glu.slurm")])
    assert loaded.recipe.dialects == ("megatron", "deepspeed")
    assert not [d for d in loaded.diagnostics if d.code == "SL006"]


def test_functional_test_yaml_ramp_string_and_unresolved_env_placeholders():
    ex = extract("functional_test.yaml")
    assert ex.notes.rampup.start == 384 and ex.notes.rampup.completes is False
    assert values(ex)["num_kv_heads"] == 8
    (sl007,) = [d for d in ex.diagnostics if d.code == "SL007"]
    assert "--tensor-model-parallel-size" in sl007.message and sl007.line == 23
    assert "tensor_parallel" not in ex.facts  # unresolved: not defaulted to 1


def test_yaml_number_pyyaml_reads_as_string_is_sl004(tmp_path):
    path = tmp_path / "cfg.yaml"
    path.write_text("language_model:\n  num_layers: 2\n  hidden_size: 64\n  num_attention_heads: 4\n"
                    "model_parallel:\n  tensor_model_parallel_size: 1\nlr: 1e-4\nmicro_batch_size: 1\n"
                    "lr_decay_style: cosine\n")
    doc = load_document(str(path))
    ex = megatron.extract(doc, ExtractContext())
    assert values(ex)["peak_lr"] == 1e-4
    assert [d.code for d in ex.diagnostics] == ["SL004"]


def test_unrelated_yaml_is_not_megatron(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 1\n")
    assert megatron.detect(load_document(str(path))) == 0.0


def test_multi_latent_attention_counts_the_compressed_projections(tmp_path):
    path = tmp_path / "mla.sh"
    path.write_text("python pretrain_gpt.py --num-layers 2 --hidden-size 1024 --num-attention-heads 8 "
                    "--multi-latent-attention --kv-lora-rank 512 --q-lora-rank 1536 --ffn-hidden-size 4096 "
                    "--swiglu --use-checkpoint-args\n")
    ex = megatron.extract(load_document(str(path)), ExtractContext())
    h, heads, q, c = 1024, 8, 1536, 512  # qk 128, rope 64, v 128: Megatron's defaults
    attention = (q * h + q * heads * 192) + (h * (c + 64) + c * heads * 256) + heads * 128 * h
    assert values(ex)["n_params"] == 2 * (attention + 3 * h * 4096)
    assert ex.notices and "--use-checkpoint-args" in ex.notices[0]


def test_yaml_cfg_named_by_a_script_is_followed(tmp_path):
    (tmp_path / "model.yaml").write_text("language_model:\n  num_layers: 2\n")
    path = tmp_path / "run.sh"
    path.write_text("torchrun pretrain_gpt.py --yaml-cfg model.yaml --micro-batch-size 1 --lr 1e-4\n")
    ex = megatron.extract(load_document(str(path)), ExtractContext())
    (ref,) = ex.references
    assert ref.role == "include" and ref.path == str(tmp_path / "model.yaml")


def test_ramp_ups_megatron_would_reject_or_too_fine_to_replay_are_not_used():
    assert RampUp.of(0, 16, 1000, 64) is None and RampUp.of(16, 0, 1000, 64) is None
    assert RampUp.of(64, 16, 1000, 64) is None
    assert RampUp.of(1, 1, 10**9, 10**12) is None
    assert RampUp.of(16, 16, 1000, 64) == RampUp(16, 16, 1000, 64)


def test_train_tokens_is_a_token_budget_and_lr_decay_tokens_a_decay_horizon():
    ex = extract("bigscience_train_tokens.sh")
    v = values(ex)
    assert v["token_budget"] == 300_000_000_000 and ex.facts["token_budget"].unit == "tokens"
    assert (ex.facts["token_budget"].source.line, ex.facts["token_budget"].source.column) == (7, 20)
    # 52,428,800,000 tokens / 2048 per sequence / 512 sequences per step
    assert v["decay_end_step"] == 50_000 and v["train_steps"] == 100_000
    assert ex.facts["decay_end_step"].source.line == 9  # blamed at --lr-decay-tokens


def test_lr_decay_tokens_replays_a_ramp(tmp_path):
    path = tmp_path / "ramp.sh"
    path.write_text("python pretrain_gpt.py --num-layers 2 --hidden-size 64 --num-attention-heads 4 "
                    "--seq-length 1000 --micro-batch-size 1 --global-batch-size 64 --train-samples 100000 "
                    "--rampup-batch-size 16 16 3000 --lr 1e-4 --lr-decay-tokens 10000000\n")
    ex = megatron.extract(load_document(str(path)), ExtractContext())
    assert values(ex)["decay_end_step"] == RampUp.of(16, 16, 3000, 64).steps_to_consume(10_000)


@pytest.mark.parametrize("text", [
    "--rampup-batch-size 16 16 1" + "0" * 400, "--rampup-batch-size 16 16 1e400", "--num-layers 1" + "0" * 5000,
    "--moe-layer-freq ([0]*1" + "0" * 400 + "+[1]*1)", "--train-tokens 1" + "0" * 400,
])
def test_huge_numbers_are_left_out_not_raised(tmp_path, text):
    path = tmp_path / "huge.sh"
    path.write_text("python pretrain_gpt.py --num-layers 2 --hidden-size 64 --num-attention-heads 4 --num-experts 4 "
                    f"--seq-length 128 --micro-batch-size 1 --global-batch-size 64 --train-samples 100000 {text}\n")
    ex = megatron.extract(load_document(str(path)), ExtractContext())
    assert all(abs(f.value) < 2**63 for f in ex.facts.values() if isinstance(f.value, (int, float)))


def test_a_huge_gpu_count_gives_no_world_size(tmp_path):
    text = (FIXTURES / "megatron" / "swiglu_mqa.sh").read_text()
    path = tmp_path / "run.sh"
    path.write_text(text.replace("GPUS_PER_NODE=8", "GPUS_PER_NODE=1" + "0" * 400, 1))
    assert "GPUS_PER_NODE=1000" in path.read_text()
    assert "world_size" not in megatron.extract(load_document(str(path)), ExtractContext()).facts
