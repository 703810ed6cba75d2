import pytest

from catalog_cases import KINDS, config_case
from steplint.diagnostics import Severity
from steplint.rules.sl102_batch_units import RULE


@pytest.mark.parametrize("kind", KINDS)
def test_tokens_in_a_sequences_key_warns_with_both_units(kind):
    c = config_case(kind, {"training": {"global_batch_size": 4194304}},
                    {"global_batch_sequences": "training.global_batch_size"}, seq_len=2048)
    [d] = c.run(RULE)
    assert d.severity is Severity.WARNING
    assert "4,194,304" in d.message and "8.59e9 tokens per step" in d.message
    assert d.line == (2 if kind != "json" else 3)


@pytest.mark.parametrize("kind", KINDS)
def test_sequences_in_a_tokens_key_warns(kind):
    c = config_case(kind, {"train": {"global_batch_tokens": 1024}},
                    {"global_batch_tokens": "train.global_batch_tokens"}, seq_len=4096)
    [d] = c.run(RULE)
    assert "counted in tokens but holds 1,024" in d.message and "0.25 sequences" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_plausible_batches_are_clean(kind):
    c = config_case(kind, {"training": {"global_batch_size": 1024, "tokens": 2097152}},
                    {"global_batch_sequences": "training.global_batch_size",
                     "global_batch_tokens": "training.tokens"}, seq_len=2048)
    assert c.run(RULE) == []


def test_threshold_is_an_option():
    c = config_case("yaml", {"t": {"gbs": 5000}}, {"global_batch_sequences": "t.gbs"})
    assert c.run(RULE) == []
    from steplint.rules.base import RuleContext
    from steplint.settings import Settings
    ctx = RuleContext(recipe=c.recipe, documents=c.documents, rule=RULE,
                      settings=Settings(rule_options={"SL102": {"tokens_threshold": 4096}}))
    assert len(list(RULE.check(ctx))) == 1
