import pytest

from catalog_cases import KINDS, config_case
from rule_recipes import Case
from steplint.diagnostics import Severity
from steplint.recipe import Recipe
from steplint.rules.sl601_shape_alignment import RULE

KEYS = {"vocab_size": "model.vocab_size", "hidden_size": "model.hidden_size", "ffn_hidden_size": "model.ffn",
        "head_dim": "model.head_dim"}


def _case(kind, vocab=50304, hidden=2048, ffn=5632, head_dim=64, dialect="test"):
    c = config_case(kind, {"model": {"vocab_size": vocab, "hidden_size": hidden, "ffn": ffn, "head_dim": head_dim}}, KEYS)
    return Case(Recipe(files=c.recipe.files, dialects=(dialect,), facts=c.recipe.facts), c.documents)


@pytest.mark.parametrize("kind", KINDS)
def test_gpt2_vocab_is_not_a_multiple_of_64(kind):
    [d] = _case(kind, vocab=50257).run(RULE)
    assert d.severity is Severity.INFO and "vocab size 50,257 is not a multiple of 64 (next: 50,304)" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_hidden_ffn_and_head_dim(kind):
    found = _case(kind, hidden=2050, ffn=5600, head_dim=100).run(RULE)
    assert [d.message.split(" ")[0] for d in found] == ["hidden", "FFN", "head_dim"]


@pytest.mark.parametrize("kind", KINDS)
def test_aligned_shapes_are_clean(kind):
    assert _case(kind).run(RULE) == []


def test_released_checkpoint_vocab_is_not_flagged():
    assert _case("json", vocab=50257, dialect="hf-config").run(RULE) == []
