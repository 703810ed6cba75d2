import pytest

from catalog_cases import KINDS, config_case
from steplint.rules.sl502_adam_eps import RULE


@pytest.mark.parametrize("kind", KINDS)
def test_large_eps_is_info(kind):
    [d] = config_case(kind, {"optim": {"eps": 1e-5}}, {"adam_eps": "optim.eps"}).run(RULE)
    assert "Adam eps 1e-5 is ≥ 1e-6" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_usual_eps_is_clean(kind):
    assert config_case(kind, {"optim": {"eps": 1e-8}}, {"adam_eps": "optim.eps"}).run(RULE) == []
