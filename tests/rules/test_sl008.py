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


@pytest.mark.parametrize("line, fixed", [
    ("lr: 1.29e-3  # steplint: ignore[SL302]\n", "lr: 1.29e-3\n"),  # the whole trailing comment goes
    ("lr: 1.29e-3  # steplint: ignore[SL302, SL301]\n", "lr: 1.29e-3  # steplint: ignore[SL301]\n"),
    ("# steplint: ignore[SL302]\nlr: 1.29e-3\n", "lr: 1.29e-3\n"),  # an own-line comment takes its line
    ("lr: 1.29e-3  # keep me  # steplint: ignore[SL302]\n", None),  # the user's words stay: no fix
])
def test_safe_fix_removes_only_what_suppresses_nothing(tmp_path, line, fixed):
    from click.testing import CliRunner

    from steplint.cli import cli

    base = CONFIG.format(lr="1.29e-3", comment="").replace("lr: 1.29e-3\n", "")
    path = tmp_path / "c.yaml"
    path.write_text(base + line)
    r = CliRunner().invoke(cli, ["check", "--isolated", "--select", "SL302,SL008", "--fix", str(path)])
    if fixed is None:
        assert path.read_text() == base + line and r.exit_code == 1
    else:
        assert path.read_text() == base + fixed, r.output
        assert r.exit_code == 0, r.output
