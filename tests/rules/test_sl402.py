import pytest

from catalog_cases import KINDS, config_case
from steplint.diagnostics import Severity
from steplint.rules.base import RuleContext
from steplint.rules.sl402_token_budget import RULE, flops_per_token
from steplint.settings import Settings


def _case(kind, budget, **values):
    return config_case(kind, {"data": {"train_tokens": budget}}, {"token_budget": "data.train_tokens"}, **values)


@pytest.mark.parametrize("kind", KINDS)
def test_budget_that_steps_times_batch_do_not_reach_warns(kind):
    c = _case(kind, 300000000000, train_steps=100000, global_batch_tokens=1048576)
    [d] = c.run(RULE)
    assert d.severity is Severity.WARNING
    assert "declared token budget is 3e11 but 100,000 steps × 1,048,576 tokens per step = 1.05e11" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_matching_budget_is_clean(kind):
    c = _case(kind, 104857600000, train_steps=100000, global_batch_tokens=1048576)
    assert c.run(RULE) == []


@pytest.mark.parametrize("kind", KINDS)
def test_compute_and_gpu_hours_are_info(kind):
    # Step Law's 1B/100B test point: h 2048, 16 layers, seq 2048
    c = _case(kind, 100000000000, tokens=100000000000, n_params=1073741824, num_layers=16, hidden_size=2048,
              seq_len=2048)
    [d] = c.run(RULE)
    assert d.severity is Severity.INFO
    six_nd = 6 * 1073741824 * 1e11
    m_d = (6 * 1073741824 + 12 * 16 * 2048 * 2048) * 1e11
    assert f"6ND = {six_nd:.3g}".replace("e+", "e") in d.message
    assert f"M·D = {m_d:.3g}".replace("e+", "e") in d.message
    hours = m_d / (989.4e12 * 0.4 * 3600)
    assert f"≈{round(hours):,} NVIDIA H100 SXM GPU-hours at 40% MFU" in d.message


def test_gpu_and_mfu_are_options():
    c = _case("yaml", 1e11, tokens=1e11, n_params=1e9)
    ctx = RuleContext(recipe=c.recipe, documents=c.documents, rule=RULE,
                      settings=Settings(rule_options={"token-budget": {"gpu": "a100", "mfu": 0.5}}))
    [d] = RULE.check(ctx)
    assert "NVIDIA A100" in d.message and "50% MFU" in d.message
    assert f"≈{round(6e20 / (312e12 * 0.5 * 3600)):,}" in d.message


def test_moe_compute_uses_active_parameters():
    c = _case("yaml", 1e10, n_params=7e9, n_params_active=1e9)
    assert flops_per_token(c.recipe) == (6e9, None)


def test_tiny_runs_show_under_one_gpu_hour():
    [d] = _case("yaml", 1e8, tokens=1e8, n_params=1e7).run(RULE)
    assert "≈<1 NVIDIA H100 SXM GPU-hours" in d.message


def test_unknown_gpu_is_named():
    c = _case("yaml", 1e11, tokens=1e11, n_params=1e9)
    ctx = RuleContext(recipe=c.recipe, documents=c.documents, rule=RULE,
                      settings=Settings(rule_options={"SL402": {"gpu": "tpu-v9"}}))
    [d] = RULE.check(ctx)
    assert "unknown gpu 'tpu-v9'" in d.message and "h100-sxm" in d.message


def test_tokens_flag_is_a_declared_budget():
    from catalog_cases import with_facts
    c = with_facts(config_case("toml", {"training": {"steps": 1000}}, {"train_steps": "training.steps"},
                               global_batch_tokens=1048576), tokens=2e12)
    found = c.run(RULE)
    assert any(d.severity is Severity.WARNING and "budget is 2e12 but 1,000 steps" in d.message for d in found)


def test_megatron_deepspeed_train_tokens_end_to_end(tmp_path):
    """bigscience's --train-tokens reaches SL402 through dialect, resolve and check."""
    import json

    from click.testing import CliRunner

    from conftest import FIXTURES
    from steplint.cli import cli

    script = str(FIXTURES / "megatron" / "bigscience_train_tokens.sh")
    result = CliRunner().invoke(cli, ["check", "--isolated", "--select", "SL402", "--output-format", "json", script])
    [d] = [d for d in json.loads(result.output)["diagnostics"] if d["severity"] == "warning"]
    assert (d["code"], d["line"], d["column"], d["end_column"]) == ("SL402", 7, 20, 35)
    assert "budget is 3e11 but 100,000 steps × 1,048,576 tokens per step = 1.05e11 (0.35× the budget)" in d["message"]
    assert result.exit_code == 1
    # the same run with a budget that steps x batch meet: only the compute line (info)
    met = tmp_path / "met.sh"
    met.write_text(open(script).read().replace("300_000_000_000", "104_857_600_000"))
    result = CliRunner().invoke(cli, ["check", "--isolated", "--select", "SL402", "--output-format", "json", str(met)])
    assert [d["severity"] for d in json.loads(result.output)["diagnostics"]] == ["info"] and result.exit_code == 0
