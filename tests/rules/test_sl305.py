import pytest

from catalog_cases import KINDS, config_case
from steplint.diagnostics import Severity
from steplint.rules._applicability import steplaw_applies
from steplint.rules.sl305_steplaw_not_applicable import RULE


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("key", "value", "reason"), [
    ("init", "lora", "LoRA"),
    ("init", "checkpoint", "continued pre-training"),
    ("optimizer", "lion", "optimizer 'lion' is not AdamW"),
    ("parametrization", "mup", "μP"),
])
def test_one_notice_at_the_key_that_makes_it_inapplicable(kind, key, value, reason):
    c = config_case(kind, {"run": {key: value}}, {key: f"run.{key}"})
    [d] = c.run(RULE)
    assert d.severity is Severity.INFO and reason in d.message and "SL301-SL303" in d.message
    assert d.line == (3 if kind == "json" else 2)
    assert not steplaw_applies(c.recipe)


@pytest.mark.parametrize("kind", KINDS)
def test_adamw_from_scratch_is_applicable(kind):
    c = config_case(kind, {"run": {"optimizer": "adamw_torch_fused", "init": "scratch"}},
                    {"optimizer": "run.optimizer", "init": "run.init"})
    assert c.run(RULE) == [] and steplaw_applies(c.recipe)


@pytest.mark.parametrize("name", ["mcore_distributed_optim", "fused_adam", "AdamW", "paged_adamw_8bit"])
def test_adam_spellings_and_unknown_names_keep_step_law(name):
    c = config_case("yaml", {"run": {"optimizer": name}}, {"optimizer": "run.optimizer"})
    assert c.run(RULE) == []


@pytest.mark.parametrize("name", ["Muon", "lion_8bit", "adafactor", "schedule_free_adamw", "ademamix"])
def test_other_optimizers_are_outside_step_law(name):
    c = config_case("yaml", {"run": {"optimizer": name}}, {"optimizer": "run.optimizer"})
    assert len(c.run(RULE)) == 1
