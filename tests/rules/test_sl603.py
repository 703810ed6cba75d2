import pytest

from catalog_cases import KINDS, config_case
from steplint.diagnostics import Severity
from steplint.rules.sl603_heads_parallel import RULE

KEYS = {"num_attention_heads": "model.heads", "num_kv_heads": "model.kv_heads", "tensor_parallel": "par.tp"}


def _case(kind, heads, kv, tp):
    return config_case(kind, {"model": {"heads": heads, "kv_heads": kv}, "par": {"tp": tp}}, KEYS)


@pytest.mark.parametrize("kind", KINDS)
def test_heads_not_divisible_by_tp(kind):
    [d] = _case(kind, 12, 12, 8).run(RULE)[:1]
    assert d.severity is Severity.ERROR and "12 attention heads do not divide over tensor parallel size 8" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_kv_groups_not_divisible_by_tp(kind):
    [d] = _case(kind, 32, 4, 8).run(RULE)
    assert "4 KV heads (query groups)" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_divisible_heads_are_clean(kind):
    assert _case(kind, 32, 8, 8).run(RULE) == []
