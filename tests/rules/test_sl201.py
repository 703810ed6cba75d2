import pytest

from catalog_cases import files_case
from steplint.diagnostics import Applicability
from steplint.rules.sl201_hf_min_lr_kwargs import RULE

YAML = "learning_rate: 3.0e-4\nlr_scheduler_type: {sched}\n{kwargs}output_dir: out\n"
JSON = '{{\n  "learning_rate": 3e-4,\n  "lr_scheduler_type": "{sched}",\n{kwargs}  "output_dir": "out"\n}}\n'


def _case(kind, sched, kwargs):
    if kind == "yaml":
        block = "" if kwargs is None else "lr_scheduler_kwargs:\n" + "".join(f"  {k}: {v}\n" for k, v in kwargs.items())
        text, path = YAML.format(sched=sched, kwargs=block), "args.yaml"
    else:
        inner = ", ".join(f'"{k}": {v}' for k, v in (kwargs or {}).items())
        block = "" if kwargs is None else f'  "lr_scheduler_kwargs": {{{inner}}},\n'
        text, path = JSON.format(sched=sched, kwargs=block), "args.json"
    return files_case({path: ("hf-training-args", text)})


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_eta_min_instead_of_min_lr(kind):
    [d] = _case(kind, "cosine_with_min_lr", {"eta_min": "1.0e-5"}).run(RULE)
    assert "needs exactly one of min_lr" in d.message and "eta_min is not read" in d.message
    assert d.fix is None  # renaming needs the user (the fixer only changes values it can verify)


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_missing_floor_gets_step_law_floor_inserted(kind):
    [d] = _case(kind, "cosine_with_min_lr", {"num_cycles": "0.5"}).run(RULE)
    assert d.fix.applicability is Applicability.SAFE
    assert d.fix.expect[0].key == "lr_scheduler_kwargs.min_lr" and d.fix.expect[0].value == 1e-5
    assert "min_lr" in d.fix.edits[0].replacement


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_no_kwargs_at_all(kind):
    [d] = _case(kind, "cosine_with_min_lr", None).run(RULE)
    assert d.line == (2 if kind == "yaml" else 3)  # at lr_scheduler_type


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_both_floors(kind):
    [d] = _case(kind, "cosine_with_min_lr", {"min_lr": "1.0e-5", "min_lr_rate": "0.1"}).run(RULE)
    assert "sets both min_lr" in d.message


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_unknown_kwarg_for_plain_cosine(kind):
    [d] = _case(kind, "cosine", {"eta_min": "1.0e-5"}).run(RULE)
    assert "'eta_min' is not a parameter of the cosine schedule (accepted: num_cycles)" in d.message


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_correct_kwargs_are_clean(kind):
    assert _case(kind, "cosine_with_min_lr", {"min_lr": "1.0e-5"}).run(RULE) == []
    assert _case(kind, "cosine_with_min_lr", {"min_lr_rate": "0.1"}).run(RULE) == []
    assert _case(kind, "linear", None).run(RULE) == []


def test_kwargs_as_a_json_string_like_the_hf_cli():
    c = files_case({"args.yaml": ("hf-training-args",
                                  "lr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs: '{\"min_lr\": 1e-5}'\n")})
    assert c.run(RULE) == []
