import pytest

from catalog_cases import KINDS, config_case
from steplint.diagnostics import Severity
from steplint.rules.sl504_grad_clip import RULE


@pytest.mark.parametrize("kind", KINDS)
def test_clipping_disabled_warns(kind):
    [d] = config_case(kind, {"train": {"max_grad_norm": 0}}, {"grad_clip": "train.max_grad_norm"}).run(RULE)
    assert d.severity is Severity.WARNING and "clipping is disabled (0)" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_clip_at_one_is_clean(kind):
    assert config_case(kind, {"train": {"max_grad_norm": 1.0}}, {"grad_clip": "train.max_grad_norm"}).run(RULE) == []


def test_null_clip_warns():
    [d] = config_case("yaml", {"train": {"x": 1}}, {}, grad_clip=None).run(RULE)
    assert "unset (null)" in d.message
