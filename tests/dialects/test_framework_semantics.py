"""Framework semantics real configs use (issue 13 item 4), each fixture citing its source:
NeMo's training length is model.data.seq_length; NeMo cosine schedules whose warmup and
constant phase exceed max_steps; Megatron-DeepSpeed --train-tokens, --lr-warmup-tokens,
--expert-interval and per-layer --num-experts; functional-test MODEL_ARGS read as argparse
text; NeoX data-only files in a NeoX recipe; Levanter's train_batch_size -1 sentinel."""

from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import FIXTURES
from steplint.cli import cli
from steplint.resolve import load_recipe
from steplint.settings import Settings

SEM = FIXTURES / "semantics"


def loaded(*names: str, **settings):
    return load_recipe([str(SEM / n) for n in names], Settings(**settings))


def check_json(*args):
    result = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", *args])
    return result.exit_code, json.loads(result.output)["diagnostics"]


def test_nemo_training_length_is_data_seq_length_not_the_position_range():
    r = loaded("nemo_launcher_seq.yaml").recipe
    seq = r.get("seq_len")
    assert seq.value == 2048 and seq.source.key == "model.data.seq_length" and seq.source.line == 20
    assert r.value("max_position_embeddings") == 32768
    assert r.value("tokens") == 100000 * 512 * 2048  # not 16x that with the 32k position range


def test_nemo_warmup_plus_constant_beyond_max_steps_never_gives_a_negative_step():
    r = loaded("nemo_constant_exceeds.yaml").recipe
    assert r.value("warmup_steps") == 200
    assert r.value("decay_end_step") == 201  # peak at step 200, min_lr from step 201 on
    assert all(f.value >= 0 for f in r.facts.values() if isinstance(f.value, (int, float)))
    _, found = check_json(str(SEM / "nemo_constant_exceeds.yaml"))
    [horizon] = [d for d in found if d["code"] == "SL203"]
    assert "ends at step 201" in horizon["message"] and "last 799 steps" in horizon["message"]
    assert "SL204" not in {d["code"] for d in found}  # the warmup does end before the floor
    assert not any("step -" in d["message"] for d in found)


def test_megatron_deepspeed_train_tokens_stop_the_run_before_train_iters():
    r = loaded("mds_moe_pyramid.sh").recipe
    tokens = r.get("tokens")
    assert tokens.value == 300_000_000_000 and tokens.source.key == "--train-tokens"
    assert r.value("train_steps") == -(-300_000_000_000 // (256 * 2048))
    assert r.value("token_budget") == 300_000_000_000


def test_megatron_deepspeed_warmup_in_tokens():
    warmup = loaded("mds_moe_pyramid.sh").recipe.get("warmup_steps")
    assert warmup.value == -(-(375_000_000 // 2048 + (375_000_000 % 2048 > 0)) // 256)
    assert warmup.source.key == "--lr-warmup-tokens"


def test_megatron_deepspeed_per_layer_experts_every_second_layer_with_a_residual_mlp():
    r = loaded("mds_moe_pyramid.sh").recipe
    h, layers, ffn = 1024, 12, 4096
    attention = layers * 4 * h * h
    expert = 2 * h * ffn  # plain (non-gated) MLP: h -> 4h -> h
    moe_layers = [32, 32, 32, 32, 32, 64]  # layers 2, 4, ..., 12
    dense = (layers - len(moe_layers)) * expert
    residual = len(moe_layers) * expert  # PR-MoE: a dense MLP beside the experts
    assert r.value("n_params") == attention + dense + sum(moe_layers) * expert + residual
    assert r.value("n_params_active") == attention + dense + len(moe_layers) * 1 * expert + residual
    assert r.value("num_experts") == 64 and r.value("experts_per_token") == 1


def test_megatron_deepspeed_single_expert_count_and_default_interval_2():
    r = loaded("mds_moe_uniform.sh").recipe
    h, layers = 1024, 24
    expert = 2 * h * 4 * h
    assert r.value("n_params") == layers * 4 * h * h + 12 * expert + 12 * 128 * expert
    assert r.value("n_params_active") == layers * 4 * h * h + 12 * expert + 12 * 2 * expert


def test_functional_test_model_args_are_argparse_text_not_yaml_1_1():
    r = loaded("functional_test_args.yaml")
    assert r.recipe.value("peak_lr") == 1e-4 and r.recipe.value("min_lr") == 1e-5
    assert not [d for d in r.diagnostics if d.code == "SL004"]


def test_neox_data_only_file_joins_the_neox_recipe():
    r = loaded("neox_125M.yml", "neox_local_setup.yml")
    assert r.recipe.dialects == ("neox", "neox")
    assert not [d for d in r.diagnostics if d.code == "SL003"]
    _, found = check_json("--recipe", f"{SEM / 'neox_125M.yml'},{SEM / 'neox_local_setup.yml'}")
    assert "SL003" not in {d["code"] for d in found}


def test_neox_data_only_file_alone_stays_unknown():
    r = loaded("neox_local_setup.yml")
    assert r.recipe.dialects == ("unknown",) and [d.code for d in r.diagnostics] == ["SL003"]


def test_levanter_batch_sentinel_is_per_device_times_data_axis():
    plain = loaded("levanter_batch_sentinel.yaml")
    assert "global_batch_sequences" not in plain.recipe.facts
    assert not [d for d in plain.diagnostics if d.code == "SL004"]
    r = loaded("levanter_batch_sentinel.yaml", world_size=32).recipe
    assert r.value("global_batch_sequences") == 16 * 32
    assert r.value("micro_batch") == 16 and r.value("grad_accum") == 1


def test_nemo_warmup_longer_than_the_run_puts_the_horizon_at_the_run_end():
    from steplint.dialects import nemo
    from steplint.dialects.base import ExtractContext
    from steplint.documents.load import load_document

    # NeMo-Framework-Launcher's 100-step benchmarks (conf/training/gpt3/175b_16k.yaml) warm up
    # for 115 steps with constant_steps 12500: decay_steps = 100 - 12615 < 0
    text = (SEM / "nemo_constant_exceeds.yaml").read_text().replace("max_steps: 1000", "max_steps: 100") \
        .replace("warmup_steps: 200", "warmup_steps: 115").replace("constant_steps: 900", "constant_steps: 12500")
    facts = nemo.extract(load_document("bench.yaml", text=text), ExtractContext()).facts
    assert facts["decay_end_step"].value == 100 and facts["warmup_steps"].value == 115


def test_nanotron_decay_starting_after_the_warmup_is_wsd():
    r = loaded("nanotron_wsd.yaml").recipe
    style = r.get("decay_style")
    assert style.value == "wsd" and style.source.key.endswith("lr_decay_starting_step") and style.source.line == 20
    assert r.value("decay_end_step") == 4198001 + 522000 and r.value("warmup_steps") == 2000


def test_train_iters_from_braced_arithmetic_and_the_token_stop():
    r = loaded("mds_train_tokens_arith.sh").recipe
    assert r.value("tokens") == 300_000_000_000
    assert r.value("train_steps") == -(-300_000_000_000 // (512 * 2048))  # not 3x that from --train-iters
    assert r.value("decay_end_step") == r.value("train_steps")
    h, layers = 2048, 24
    expert = 2 * h * 4 * h
    assert r.value("n_params") == layers * 4 * h * h + 12 * expert + 12 * 128 * expert  # experts every 2nd layer


def test_a_deepspeed_config_the_script_writes_itself_is_no_missing_file():
    r = loaded("mds_train_tokens_arith.sh")
    assert not [d for d in r.diagnostics if d.code == "SL007"]
    assert any("generated by the script" in n for n in r.recipe.notices)


def test_nemo_max_time_makes_d_an_upper_bound():
    from steplint.dialects import nemo
    from steplint.dialects.base import ExtractContext
    from steplint.documents.load import load_document

    text = (SEM / "nemo_launcher_seq.yaml").read_text().replace("  max_steps: 100000",
                                                                "  max_steps: 100000\n  max_time: 05:23:30:00")
    ex = nemo.extract(load_document("launcher.yaml", text=text), ExtractContext())
    assert any("max_time 05:23:30:00" in n and "upper bound" in n for n in ex.notices)
