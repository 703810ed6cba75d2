import json
import os

import pytest

from catalog_cases import KINDS, config_case
from steplint.diagnostics import Severity
from steplint.resolve import load_recipe
from steplint.rules.base import RuleContext
from steplint.rules.sl602_rope_base import RULE
from steplint.settings import Settings

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


def _through_resolve(tmp_path, seq_len: int, **config):
    """An HF args file plus --model config.json, loaded the way `check` loads them."""
    model = dict(model_type="mistral", hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=4,
                 intermediate_size=128, vocab_size=1000, **config)
    (tmp_path / "config.json").write_text(json.dumps(model))
    (tmp_path / "args.yaml").write_text(f"max_seq_length: {seq_len}\nper_device_train_batch_size: 1\n"
                                        "learning_rate: 1.0e-4\noutput_dir: o\n")
    loaded = load_recipe([str(tmp_path / "args.yaml")], Settings(model=str(tmp_path / "config.json")))
    return list(RULE.check(RuleContext(loaded.recipe, loaded.documents, rule=RULE)))


def test_config_json_rope_theta_and_positions_reach_the_rule(tmp_path):
    [d] = _through_resolve(tmp_path, 16384, rope_theta=10000.0, max_position_embeddings=32768)
    assert d.severity is Severity.INFO and "RoPE base 10,000" in d.message
    assert (os.path.basename(d.file), d.line) == ("args.yaml", 1)
    [d] = _through_resolve(tmp_path, 16384, rope_theta=1e6, max_position_embeddings=8192)
    assert d.severity is Severity.ERROR and "max_position_embeddings 8,192" in d.message


def test_a_sliding_window_shorter_than_the_sequence_exempts_the_base(tmp_path):
    assert _through_resolve(tmp_path, 16384, rope_theta=10000.0, max_position_embeddings=32768,
                            sliding_window=4096) == []
    # a window as long as the sequence attends everywhere; an unused one (Qwen2) does not count
    assert len(_through_resolve(tmp_path, 16384, rope_theta=10000.0, max_position_embeddings=32768,
                                sliding_window=16384)) == 1
    assert len(_through_resolve(tmp_path, 16384, rope_theta=10000.0, max_position_embeddings=32768,
                                sliding_window=4096, use_sliding_window=False)) == 1
