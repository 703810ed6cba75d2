import pytest

from catalog_cases import KINDS, config_case, with_facts
from rule_recipes import Case
from steplint.diagnostics import Applicability, Severity
from steplint.recipe import Recipe, derived_source, fact, key_source, override_source
from steplint.rules.sl103_batch_divisibility import RULE

KEYS = {"global_batch_sequences": "train.global_batch_size", "micro_batch": "train.micro_batch_size"}


@pytest.mark.parametrize("kind", KINDS)
def test_batch_not_divisible_by_micro_times_dp_is_an_error_with_unsafe_fix(kind):
    c = config_case(kind, {"train": {"global_batch_size": 1000, "micro_batch_size": 4}}, KEYS,
                    data_parallel=16, seq_len=2048)
    [d] = c.run(RULE)
    assert d.severity is Severity.ERROR
    assert "1,000 is not divisible by micro batch 4 × data parallel 16 = 64" in d.message
    assert "960 or 1,024" in d.message
    assert d.fix.applicability is Applicability.UNSAFE
    assert d.fix.expect[0].value == 960 and d.fix.edits[0].replacement == "960"


@pytest.mark.parametrize("kind", KINDS)
def test_divisible_batch_is_clean(kind):
    c = config_case(kind, {"train": {"global_batch_size": 1024, "micro_batch_size": 4}}, KEYS, data_parallel=16)
    assert c.run(RULE) == []


def test_interleaved_pipeline_needs_microbatches_multiple_of_pp():
    c = config_case("yaml", {"train": {"global_batch_size": 384, "micro_batch_size": 4}}, KEYS,
                    data_parallel=16, pipeline_parallel=4, virtual_pipeline_parallel=2)
    [d] = c.run(RULE)  # 384 / (4 * 16) = 6 micro batches, not a multiple of 4
    assert "6 micro batches per step" in d.message and "pipeline parallel 4" in d.message


def _implicit(dp_source):
    batch = fact("global_batch_sequences", 64, derived_source("micro_batch * grad_accum * data_parallel",
                                                              "micro_batch", "grad_accum", "data_parallel"))
    facts = {"global_batch_sequences": batch, "micro_batch": fact("micro_batch", 4, key_source("a.yaml", "m", None)),
             "data_parallel": fact("data_parallel", 16, dp_source)}
    return Case(Recipe(files=("a.yaml",), dialects=("test",), facts=facts), {})


def test_batch_that_follows_the_cluster_size_warns():
    [d] = _implicit(override_source("--world-size")).run(RULE)
    assert d.severity is Severity.WARNING and "follows the number of GPUs" in d.message


def test_batch_from_a_data_parallel_size_written_in_the_file_is_pinned():
    assert _implicit(key_source("a.yaml", "parallelism.dp", None)).run(RULE) == []


def test_no_data_parallel_no_check():
    c = with_facts(config_case("yaml", {"train": {"global_batch_size": 1000, "micro_batch_size": 4}}, KEYS))
    assert c.run(RULE) == []


def test_data_parallel_derived_from_sizes_written_in_the_file_is_pinned():
    # NeMo: world size = trainer.devices x trainer.num_nodes (derived from the file's keys)
    dp = derived_source("world_size / (tensor_parallel x pipeline_parallel)", "world_size", "tensor_parallel")
    c = _implicit(dp)
    from_file = fact("world_size", 16, derived_source("trainer.devices x trainer.num_nodes"))
    pinned = Case(Recipe(files=("a.yaml",), dialects=("test",), facts=dict(c.recipe.facts, world_size=from_file)), {})
    assert pinned.run(RULE) == []
    flag = fact("world_size", 16, override_source("--world-size"))
    floating = Case(Recipe(files=("a.yaml",), dialects=("test",), facts=dict(c.recipe.facts, world_size=flag)), {})
    assert len(floating.run(RULE)) == 1


def _implicit_in(*dialects: str) -> Case:
    c = _implicit(override_source("--world-size"))
    return Case(c.recipe._replace(files=tuple(f"f{i}" for i in range(len(dialects))), dialects=dialects), {})


def test_implicit_batch_warns_only_where_a_key_could_pin_it():
    # HF TrainingArguments (and LLaMA-Factory, axolotl, MaxText) have no global batch key:
    # the batch is always per device x accumulation x devices, so the warning is not actionable.
    for dialects in (("hf-training-args",), ("hf-config", "hf-training-args", "deepspeed"), ("llama-factory",),
                     ("axolotl", "deepspeed"), ("maxtext",)):
        assert _implicit_in(*dialects).run(RULE) == [], dialects
    for dialects in (("megatron",), ("neox",), ("deepspeed",), ("levanter",), ("hf-training-args", "megatron")):
        assert len(_implicit_in(*dialects).run(RULE)) == 1, dialects


def test_hf_arguments_with_world_size_end_to_end_do_not_warn():
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from steplint.cli import cli

    path = Path(__file__).resolve().parents[1] / "fixtures" / "hf" / "pretrain.yaml"
    result = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", "--world-size", "8",
                                      "--select", "SL103", str(path)])
    assert json.loads(result.output)["diagnostics"] == []
