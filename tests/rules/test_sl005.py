import pytest

from rule_recipes import case, where
from steplint.diagnostics import Severity
from steplint.recipe import SUPPLY, Missing, Recipe
from steplint.rules.sl005_missing_fact import RULE

TEXTS = {"yaml": "lr: 3.0e-4\n", "json": '{"lr": 3.0e-4}\n', "toml": "lr = 3.0e-4\n"}


def _with_missing(c, *fields):
    r = c.recipe
    c.recipe = Recipe(files=r.files, dialects=r.dialects, facts=r.facts,
                      missing=tuple(Missing(f, SUPPLY[f]) for f in fields))
    return c


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_missing_facts_are_one_info_saying_what_supplies_each(kind):
    c = _with_missing(case(TEXTS[kind], kind, {"peak_lr": "lr"}), "world_size", "tokens")
    found = c.run(RULE)
    assert [where(d) for d in found] == [("SL005", 1, 1)]
    assert found[0].severity is Severity.INFO
    message = found[0].message
    assert "(world_size, tokens)" in message
    assert message.endswith("(world_size, tokens): give --world-size, --tokens or see `steplint show` for every way")
    assert len(message) < 140  # one short line: the details belong to `show`


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_nothing_missing_is_clean(kind):
    assert case(TEXTS[kind], kind, {"peak_lr": "lr"}).run(RULE) == []


def test_unknown_format_gets_no_missing_facts():
    c = _with_missing(case(TEXTS["yaml"], "yaml", {"peak_lr": "lr"}), "tokens")
    r = c.recipe
    c.recipe = Recipe(files=r.files, dialects=("unknown",), facts=r.facts, missing=r.missing)
    assert c.run(RULE) == []
