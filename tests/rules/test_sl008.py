import pytest

from upstream_check import check_text

CONFIG = "language_model:\n  num_layers: 16\n  hidden_size: 2048\n  num_attention_heads: 16\n  ffn_hidden_size: 8192\n" \
         "global_batch_size: 252\nseq_length: 2048\ntrain_iters: 50800\nlr: {lr}{comment}\nmin_lr: 1.0e-5\nlr_decay_style: cosine\n"
TOML = 'lr = 1.0e-4{comment}\n'


@pytest.mark.parametrize("lr, comment, expected", [
    ("1.29e-3", "  # steplint: ignore[SL302]", [("SL008", 9, 14, "warning")]),  # nothing to suppress
    ("3.0e-4", "  # steplint: ignore[SL302]", []),  # suppressed a real finding
    ("1.29e-3", "  # steplint: ignore[SL3O2]", [("SL008", 9, 14, "warning")]),  # a typo names no rule
    ("1.29e-3", "", []),
])
def test_yaml(tmp_path, lr, comment, expected):
    _, found = check_text(tmp_path, "c.yaml", CONFIG.format(lr=lr, comment=comment), "--select", "SL302,SL008")
    assert found == expected


def test_toml(tmp_path):
    _, found = check_text(tmp_path, "c.toml", TOML.format(comment="  # steplint: ignore[SL302]"), "--select", "SL008,SL302")
    assert found == [("SL008", 1, 14, "warning")]
    _, found = check_text(tmp_path, "c.toml", TOML.format(comment=""), "--select", "SL008,SL302")
    assert found == []


def test_ignoring_sl008_turns_it_off(tmp_path):
    _, found = check_text(tmp_path, "c.yaml", CONFIG.format(lr="1.29e-3", comment="  # steplint: ignore[SL302]"),
                          "--select", "SL302")
    assert found == []
