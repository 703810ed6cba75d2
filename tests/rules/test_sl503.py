import pytest

from catalog_cases import KINDS, config_case
from steplint.rules.sl503_weight_decay import RULE


@pytest.mark.parametrize("kind", KINDS)
def test_zero_weight_decay_in_pretraining_is_info(kind):
    [d] = config_case(kind, {"optim": {"weight_decay": 0.0}}, {"weight_decay": "optim.weight_decay"}).run(RULE)
    assert "weight decay is 0 in pre-training" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_nonzero_or_finetuning_is_clean(kind):
    assert config_case(kind, {"optim": {"weight_decay": 0.1}}, {"weight_decay": "optim.weight_decay"}).run(RULE) == []
    assert config_case(kind, {"optim": {"weight_decay": 0.0}}, {"weight_decay": "optim.weight_decay"},
                       init="finetune").run(RULE) == []
