"""Each law's numbers worked out by hand, for one (N, D) and for one full config.

(N, D) = (1e9, 1e11), nothing else known:
- DeepSeek: M = 6N = 6e9 (approximate), C = 6e20; lr = 0.3118 * 6e20^-0.125 = 7.881e-4,
  B = 0.2920 * 6e20^0.3271 = 1.828e6 tokens.
- Porian: N' = N (approximate); lr = 3.7e9^... = 3.7 * 1e9^-0.36 = 2.129e-3, B = 0.7576 * 1e9^0.703 = 1.609e6.
- Kaplan: lr = 0.003239 - 0.0001395 ln 1e9 = 0.003239 - 0.0028909 = 3.481e-4; its own loss
  L = ((8.8e13/1e9)^0.8 + 5.4e13/1e11)^0.095 = (9033.5 + 540)^0.095 = 2.3888 nats,
  B_crit = 2e8 / 2.3888^(1/0.21) = 3.164e6 tokens.
- MiniCPM: nothing without a loss; with L = 2.5: B = 1.21e9 / 2.5^6.24 = 3.978e6.

Full config: examples/megatron_gpt_800m.yaml, L = 16, d = 2048, FFN 8192 (plain MLP), seq 2048,
512 sequences x 25,000 steps: N = 16 (4 d^2 + 2 d 8192) = 805,306,368; D = 26,214,400,000.
- DeepSeek: M = 6N + 12 L d seq = 4,831,838,208 + 805,306,368 = 5,637,144,576;
  C = M D = 1.4777e20; lr = 9.390e-4, B = 1.1557e6 tokens (exact: no approximation).
- Porian with a GPT-2 vocabulary of 50,257: N' = N + 50,257 * 2048 = 908,232,704;
  lr = 3.7 N'^-0.36 = 2.2042e-3, B = 0.7576 N'^0.703 = 1.5033e6.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from steplint.laws import deepseek, kaplan, minicpm, porian
from steplint.laws.common import LawInputs
from steplint.laws.registry import NAMES, compare, evaluate, spread
from steplint.laws.steplaw import optimal_batch_tokens, optimal_lr

REPO = Path(__file__).resolve().parents[2]
POINT = LawInputs(n_params=1e9, tokens=1e11)
CONFIG_N, CONFIG_D = 16 * (4 * 2048**2 + 2 * 2048 * 8192), 25000 * 512 * 2048
CONFIG = LawInputs(n_params=CONFIG_N, tokens=CONFIG_D, seq_len=2048, num_layers=16, hidden_size=2048)


def close(a, b, rel=5e-4):
    return a is not None and math.isclose(a, b, rel_tol=rel)


def test_deepseek_at_a_point_is_6n_and_marked_approximate():
    v = deepseek.evaluate(POINT)
    assert v.inputs["M"] == 6e9 and v.inputs["C"] == 6e20
    assert close(v.lr, 7.881e-4) and close(v.batch_tokens, 1.828e6)
    assert v.approximate and "M = 6N" in v.note


def test_deepseek_lr_prefactor_is_the_papers_not_the_misprint():
    assert deepseek.LR_PREFACTOR == 0.3118  # Step Law's Table 1 prints 0.3188


def test_porian_at_a_point():
    v = porian.evaluate(POINT)
    assert close(v.lr, 2.129e-3) and close(v.batch_tokens, 1.609e6) and v.approximate


def test_kaplan_at_a_point():
    v = kaplan.evaluate(POINT)
    assert close(v.lr, 3.481e-4)
    assert close(v.inputs["loss"], 2.3888) and close(v.batch_tokens, 3.164e6)
    assert v.approximate


def test_kaplan_lr_has_no_answer_where_the_formula_goes_negative():
    v = kaplan.evaluate(LawInputs(n_params=2e10, tokens=1e12))
    assert v.lr is None and "negative" in v.note


def test_kaplan_with_a_given_loss_is_not_approximate():
    v = kaplan.evaluate(POINT._replace(loss=2.0))
    assert close(v.batch_tokens, 2e8 / 2.0 ** (1 / 0.21)) and not v.approximate


def test_minicpm_needs_a_loss():
    assert not minicpm.evaluate(POINT).evaluated
    assert "target loss" in minicpm.evaluate(POINT).note
    v = minicpm.evaluate(POINT._replace(loss=2.5))
    assert v.lr is None and close(v.batch_tokens, 3.978e6)


def test_full_config_deepseek_uses_the_attention_term():
    assert CONFIG_N == 805_306_368 and CONFIG_D == 26_214_400_000
    v = deepseek.evaluate(CONFIG)
    assert v.inputs["M"] == 5_637_144_576
    assert close(v.inputs["C"], 1.4777e20) and close(v.lr, 9.390e-4) and close(v.batch_tokens, 1.1557e6)
    assert not v.approximate


def test_full_config_porian_adds_the_output_layer():
    v = porian.evaluate(CONFIG._replace(vocab_size=50257))
    assert v.inputs["N_porian"] == 908_232_704
    assert close(v.lr, 2.2042e-3) and close(v.batch_tokens, 1.5033e6) and not v.approximate


def test_compare_gives_every_law_and_ratios_to_step_law():
    rows = compare(POINT)
    assert [r.value.law for r in rows] == list(NAMES)
    base = rows[0].value
    assert base.law == "steplaw" and rows[0].ratio_lr == 1.0
    assert close(base.lr, optimal_lr(1e9, 1e11), 1e-12) and close(base.batch_tokens, optimal_batch_tokens(1e9, 1e11), 1e-12)
    ds = rows[1]
    assert close(ds.ratio_lr, 7.881e-4 / base.lr) and close(ds.ratio_batch, 1.828e6 / base.batch_tokens)
    assert rows[-1].ratio_lr is None  # MiniCPM: no value
    js = ds.to_json(2048)
    assert set(js) >= {"law", "lr", "batch_tokens", "batch_sequences", "ratio_lr", "ratio_batch", "inputs", "note"}
    assert close(js["batch_sequences"], 1.828e6 / 2048)


def test_unknown_law_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown law"):
        evaluate("chinchilla", POINT)


def test_spread_spans_the_laws_with_an_optimum():
    s = spread(1e9, 1e11)
    assert s.names == ("steplaw", "deepseek", "porian", "kaplan")
    assert close(s.lr_min, 3.481e-4) and close(s.lr_max, 2.129e-3)  # Kaplan .. Porian
    # the batch leaves out Kaplan's critical batch (not an optimum): Step Law .. DeepSeek
    assert close(s.batch_min, optimal_batch_tokens(1e9, 1e11), 1e-9) and close(s.batch_max, 1.828e6)
    assert "between" in s.text()


def test_spread_uses_the_shape_when_given_and_none_without_n():
    with_shape = spread(CONFIG_N, CONFIG_D, 2048, 16, 2048, vocab_size=50257)
    without = spread(CONFIG_N, CONFIG_D)
    assert close(with_shape.lr_max, 2.2042e-3)  # Porian with the output layer counted
    assert close(without.lr_max, 3.7 * CONFIG_N ** -0.36)  # Porian with N' = N
    assert spread(None, 1e11) is None and spread(1e9, 0) is None


def test_cli_choices_match_the_registry():
    from steplint.commands._laws import LAW_CHOICES

    assert LAW_CHOICES == NAMES


class _Recipe:
    """The one method of steplint.recipe.Recipe the laws read."""

    def __init__(self, **values):
        self.values = values

    def value(self, name):
        return self.values.get(name)


def test_spread_for_a_recipe_reads_its_shape():
    from steplint.laws.registry import inputs_from_recipe, spread_for_recipe

    recipe = _Recipe(n_params=CONFIG_N, tokens=CONFIG_D, seq_len=2048, num_layers=16, hidden_size=2048,
                     vocab_size=50257, peak_lr=3e-4)
    assert inputs_from_recipe(recipe) == CONFIG._replace(vocab_size=50257)
    assert spread_for_recipe(recipe) == spread(CONFIG_N, CONFIG_D, 2048, 16, 2048, vocab_size=50257)
    assert spread_for_recipe(_Recipe(tokens=1e11)) is None
    assert inputs_from_recipe(_Recipe(n_params=-1, tokens="x")).n_params is None  # never a bad value


def test_check_offers_the_same_law_names():
    from steplint.commands.check import command

    [option] = [p for p in command.params if p.name == "law"]
    assert tuple(option.type.choices) == NAMES
