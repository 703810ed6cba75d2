import pytest

from rule_recipes import case, where
from steplint.diagnostics import Applicability, Severity
from steplint.fixing import apply_fixes
from steplint.rules.sl303_steplaw_batch import RULE, rounded_batch

# D = 1e11: the optimum is 1.107e6 tokens = 540.8 sequences of 2048 (steplaw.md 2.4).
LAW = {"n_params": 1.07e9, "tokens": 1e11, "seq_len": 2048, "data_parallel": 4}
TEXTS = {
    "yaml": "train_batch_size: {gbs}\ntrain_micro_batch_size_per_gpu: 4\ngradient_accumulation_steps: {ga}\n",
    "json": '{{\n  "train_batch_size": {gbs},\n  "train_micro_batch_size_per_gpu": 4,\n  "gradient_accumulation_steps": {ga}\n}}\n',
    "toml": "train_batch_size = {gbs}\ntrain_micro_batch_size_per_gpu = 4\ngradient_accumulation_steps = {ga}\n",
}
KEYS = {"global_batch_sequences": "train_batch_size", "micro_batch": "train_micro_batch_size_per_gpu",
        "grad_accum": "gradient_accumulation_steps"}
BATCH_AT = {"yaml": (1, 19), "json": (2, 23), "toml": (1, 20)}


def _case(kind, gbs, ga):
    return case(TEXTS[kind].format(gbs=gbs, ga=ga), kind, KEYS, global_batch_tokens=gbs * 2048, **LAW)


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_quarter_of_the_optimal_batch_is_a_warning_with_a_consistent_fix(kind):
    # 0.24x: with the LR at its best for that batch the batch costs +1.20% (warning: 0.85% to 1.45%)
    c = _case(kind, 128, 8)
    [d] = c.run(RULE)
    assert where(d) == ("SL303", *BATCH_AT[kind])
    assert d.severity is Severity.WARNING
    assert "the batch costs about +1.20% of final loss" in d.message
    assert d.message.startswith("global batch 2.62e5 tokens is 0.24x the Step Law optimum 1.11e6 for N=1.07e9, D=1.0e11")
    assert d.fix.applicability is Applicability.UNSAFE
    result = apply_fixes([d], c.documents, unsafe=True)
    [(_, text)] = result.texts.items()
    # 540.8 sequences rounded to a multiple of micro 4 x DP 4: 544 = 4 x 34 x 4
    assert "544" in text and "34" in text and "128" not in text


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_batch_near_the_optimum_is_clean(kind):
    assert _case(kind, 544, 34).run(RULE) == []


def test_unsafe_fix_is_not_applied_without_unsafe():
    c = _case("yaml", 128, 8)
    [d] = c.run(RULE)
    assert apply_fixes([d], c.documents).texts == {}


@pytest.mark.parametrize("target, micro, dp, expected", [
    (540.8, 4, 4, (544, 34)),
    (540.8, None, None, (541, 541)),
    (3.0, 4, 8, (32, 1)),  # never below one step of micro x DP
])
def test_rounded_batch(target, micro, dp, expected):
    assert rounded_batch(target, micro, dp) == expected


def test_silent_for_continued_pretraining():
    c = case(TEXTS["yaml"].format(gbs=128, ga=8), "yaml", KEYS, global_batch_tokens=128 * 2048, init="checkpoint", **LAW)
    assert c.run(RULE) == []


RUN = ("train_batch_size: 128\ntrain_micro_batch_size_per_gpu: 4\ngradient_accumulation_steps: 8\n"
       "train_iters: {steps}\nlr_warmup_iters: 2000\nlr_decay_iters: 90000\n")
RUN_KEYS = {**KEYS, "train_steps": "train_iters", "warmup_steps": "lr_warmup_iters", "decay_end_step": "lr_decay_iters"}


def test_a_run_in_steps_keeps_its_token_budget():
    # D = 100000 steps x 128 x 2048 = 2.62e10 tokens, which the new batch must keep
    law = {**LAW, "tokens": 100000 * 128 * 2048}
    c = case(RUN.format(steps=100000), "yaml", RUN_KEYS, global_batch_tokens=128 * 2048, **law)
    [d] = c.run(RULE)
    assert len(d.fix.edits) == 5 and "train for" in d.fix.message
    [(_, text)] = apply_fixes([d], c.documents, unsafe=True).texts.items()
    values = dict(line.split(": ") for line in text.splitlines())
    batch, steps = int(values["train_batch_size"]), int(values["train_iters"])
    assert batch != 128 and batch % 16 == 0 and int(values["gradient_accumulation_steps"]) == batch // 16
    assert abs(steps * batch * 2048 - law["tokens"]) <= batch * 2048 / 2  # D kept to half a step
    # warmup and decay horizon keep their share of the run
    assert int(values["lr_warmup_iters"]) == round(2000 * steps / 100000)
    assert int(values["lr_decay_iters"]) == round(90000 * steps / 100000)


def test_a_run_length_that_cannot_be_rewritten_gets_no_batch_fix_and_says_why():
    law = {**LAW, "tokens": 100000 * 128 * 2048}
    c = case(RUN.format(steps="100k"), "yaml", RUN_KEYS, global_batch_tokens=128 * 2048, **law)
    [d] = c.run(RULE)
    assert d.fix is None
    assert "no batch fix: the run length train_iters (cfg.yaml) is not a number steplint can rewrite" in d.message


def test_joint_fix_moves_batch_and_lr_together_and_lowers_the_predicted_penalty():
    # batch 128 x 2048 (0.24x) and LR 3.0e-4: the batch costs +1.20% (warning). The fix writes the
    # joint optimum: 544 sequences (a multiple of micro 4 x DP 4, 1.006x the law's) and the best LR at that batch, 1.59e-3
    from steplint.laws.verdict import verdict

    text = "train_batch_size: 128\ntrain_micro_batch_size_per_gpu: 4\ngradient_accumulation_steps: 8\nlr: 3.0e-4\n"
    c = case(text, "yaml", {**KEYS, "peak_lr": "lr"}, global_batch_tokens=128 * 2048, **LAW)
    [d] = c.run(RULE)
    assert d.severity is Severity.WARNING
    assert "and the peak LR to 1.59e-3, the best LR at that batch" in d.fix.message
    [(_, fixed)] = apply_fixes([d], c.documents, unsafe=True).texts.items()
    assert "train_batch_size: 544" in fixed and "lr: 1.59e-3" in fixed.replace("0.00159", "1.59e-3")
    before, after = verdict(1.07e9, 1e11, 3.0e-4, 128 * 2048), verdict(1.07e9, 1e11, 1.59e-3, 544 * 2048)
    assert before.total.percent == pytest.approx(1.20, abs=0.01) and after.total.percent < 0.01
