import pytest

from catalog_cases import KINDS, config_case
from steplint.diagnostics import Severity
from steplint.rules.sl602_rope_base import RULE

KEYS = {"seq_len": "model.seq_length"}


@pytest.mark.parametrize("kind", KINDS)
def test_sequence_longer_than_position_table_is_an_error(kind):
    c = config_case(kind, {"model": {"seq_length": 8192}}, KEYS, max_position_embeddings=4096)
    [d] = c.run(RULE)
    assert d.severity is Severity.ERROR and "8,192 exceeds max_position_embeddings 4,096" in d.message
    assert d.line == (3 if kind == "json" else 2)


@pytest.mark.parametrize("kind", KINDS)
def test_small_rope_base_for_long_context_is_info(kind):
    c = config_case(kind, {"model": {"seq_length": 16384}}, KEYS, max_position_embeddings=16384, rope_theta=10000.0)
    [d] = c.run(RULE)
    assert d.severity is Severity.INFO and "RoPE base 10,000 with sequence length 16,384" in d.message


@pytest.mark.parametrize("kind", KINDS)
def test_llama3_style_base_is_clean(kind):
    c = config_case(kind, {"model": {"seq_length": 16384}}, KEYS, max_position_embeddings=16384, rope_theta=500000.0)
    assert c.run(RULE) == []
