"""`steplint fit`: the Step Law procedure on a sweep (steplint.laws.fit, numpy) and its law file."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

np = pytest.importorskip("numpy", reason="steplint fit needs the fit extra (numpy)")

from click.testing import CliRunner  # noqa: E402

from steplint.cli import cli  # noqa: E402
from steplint.laws import fit as fitting  # noqa: E402
from steplint.laws.lawfile import load_law_file  # noqa: E402
from steplint.laws.steplaw import optimal_lr, using_law  # noqa: E402

DENSE = Path(__file__).resolve().parents[3] / "shared" / "steplaw" / "dense_lr_bs_loss.csv"


def synthetic_sweep(path: Path, *, lr0=2.0, a=-0.7, b=0.3, bs0=0.5, g=0.6, header=("N", "D", "lr", "bs", "smooth loss"),
                    seq_len=2048, unit="sequences") -> Path:
    """A grid whose best runs sit exactly on lr = lr0 N^a D^b, B = bs0 D^g (others 1% worse)."""
    lines = [",".join(header)]
    for n in (1e8, 3e8, 1e9):
        for d in (1e10, 3e10, 1e11):
            lr, bt = lr0 * n**a * d**b, bs0 * d**g
            for k, (f_lr, f_b) in enumerate([(1, 1), (2, 1), (0.5, 1), (1, 2), (1, 0.5)]):
                loss = 2.0 * (1.0 if k == 0 else 1.01)
                batch = bt * f_b / seq_len if unit == "sequences" else bt * f_b
                lines.append(f"{n},{d},{lr * f_lr},{batch},{loss}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_recovers_the_law_a_synthetic_sweep_was_built_from(tmp_path):
    sweep = fitting.read_sweep(str(synthetic_sweep(tmp_path / "s.csv")))
    law = fitting.fit(sweep, fitting.Options(bootstrap=50))
    m = law["mean"]
    assert math.isclose(m["lr_coefN"], -0.7, abs_tol=1e-9) and math.isclose(m["lr_coefD"], 0.3, abs_tol=1e-9)
    assert math.isclose(math.exp(m["lr_intercept"]), 2.0, rel_tol=1e-6)
    assert math.isclose(m["bs_coefD"], 0.6, abs_tol=1e-9) and math.isclose(math.exp(m["bs_intercept"]), 0.5, rel_tol=1e-6)
    assert law["runs"] == {"read": 45, "kept": 9, "groups": 9}
    assert law["fitted_range"]["n_params"] == [1e8, 1e9]


def test_batch_in_tokens_and_a_seq_len_column(tmp_path):
    tokens = fitting.read_sweep(str(synthetic_sweep(tmp_path / "t.csv", unit="tokens")), fitting.Options(batch_unit="tokens"))
    assert math.isclose(fitting.fit(tokens, fitting.Options(bootstrap=0))["mean"]["bs_coefD"], 0.6, abs_tol=1e-9)
    named = synthetic_sweep(tmp_path / "n.csv", header=("n_params", "tokens", "learning_rate", "batch_tokens", "loss"),
                            unit="tokens")
    assert fitting.read_sweep(str(named)).columns["batch_unit"] == "tokens"  # the column says its unit
    path = tmp_path / "seq.csv"
    rows = synthetic_sweep(tmp_path / "x.csv", seq_len=4096).read_text().splitlines()
    path.write_text("\n".join([rows[0] + ",seq_len"] + [r + ",4096" for r in rows[1:]]) + "\n")
    law = fitting.fit(fitting.read_sweep(str(path)), fitting.Options(bootstrap=0))
    assert math.isclose(math.exp(law["mean"]["bs_intercept"]), 0.5, rel_tol=1e-6)
    assert law["fitted_range"]["seq_len"] == [4096.0, 4096.0]


def test_clear_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("N,D,lr\n1,2,3\n")
    with pytest.raises(fitting.FitError, match=r"missing column\(s\) loss .*batch"):
        fitting.read_sweep(str(bad))
    bad.write_text("N,D,lr,bs,loss\n1e9,1e10,-1e-3,256,2.0\n")
    with pytest.raises(fitting.FitError, match=r"bad.csv:2: column 'lr' is '-1e-3'; it must be a positive number"):
        fitting.read_sweep(str(bad))
    bad.write_text("N,D,lr,bs,loss\n1e9,1e10,1e-3,256,2.0\n1e9,1e10,2e-3,256,2.1\n")
    with pytest.raises(fitting.FitError, match="too few"):
        fitting.fit(fitting.read_sweep(str(bad)))


def test_command_writes_a_law_file_every_command_accepts(tmp_path):
    out = tmp_path / "law.json"
    r = CliRunner().invoke(cli, ["fit", str(synthetic_sweep(tmp_path / "s.csv")), "--bootstrap", "20", "--out", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    assert data["provenance"]["input_sha256"] and data["provenance"]["options"]["bootstrap"] == 20
    law = load_law_file(str(out))
    assert math.isclose(optimal_lr(1e9, 1e11, law), 2.0 * 1e9**-0.7 * 1e11**0.3, rel_tol=1e-6)
    r = CliRunner().invoke(cli, ["predict", "--params", "1e9", "--tokens", "1e11", "--law-file", str(out), "--format", "json"])
    assert math.isclose(json.loads(r.output)["lr"], 2.0 * 1e9**-0.7 * 1e11**0.3, rel_tol=1e-6)
    with using_law(law):  # and the context really is scoped
        assert optimal_lr(1e9, 1e11) == optimal_lr(1e9, 1e11, law)
    assert optimal_lr(1e9, 1e11) != optimal_lr(1e9, 1e11, law)


def test_command_errors_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    r = CliRunner().invoke(cli, ["fit", str(bad)])
    assert r.exit_code == 2 and "missing column" in r.output and "Traceback" not in r.output
    assert CliRunner().invoke(cli, ["fit", str(tmp_path / "none.csv")]).exit_code == 2


def test_a_bad_law_file_is_exit_2(tmp_path):
    bad = tmp_path / "law.json"
    bad.write_text('{"mean": {}}')
    r = CliRunner().invoke(cli, ["predict", "--params", "1e9", "--tokens", "1e11", "--law-file", str(bad)])
    assert r.exit_code == 2 and "'mean' needs numbers" in r.output


@pytest.mark.skipif(not DENSE.is_file(), reason="needs ../shared/steplaw/dense_lr_bs_loss.csv (the released grid)")
def test_refit_of_the_released_dense_grid():
    """The released grid is part of the paper's data only: the honest refit differs from the
    published 1004-fit means (docs/laws.md)."""
    law = fitting.fit(fitting.read_sweep(str(DENSE)), fitting.Options(bootstrap=100))
    m = law["mean"]
    assert law["runs"] == {"read": 1911, "kept": 129, "groups": 17}
    assert abs(m["lr_coefN"] - -0.766) < 0.001 and abs(m["lr_coefD"] - 0.197) < 0.001
    assert abs(m["bs_coefD"] - 0.6125) < 0.001 and abs(math.exp(m["bs_intercept"]) - 0.2085) < 0.001
    sd = [math.sqrt(law["covariance"][i][i]) for i in range(5)]
    assert all(0 < sd[i] < 0.1 for i in (1, 2, 4)) and sd[0] > 0 and sd[3] > 0  # slopes tight, intercepts not


def test_fit_without_numpy_says_how_to_install(tmp_path, monkeypatch):
    import sys

    import steplint.laws

    monkeypatch.delitem(sys.modules, "steplint.laws.fit", raising=False)
    monkeypatch.delattr(steplint.laws, "fit", raising=False)
    monkeypatch.setitem(sys.modules, "numpy", None)  # import numpy -> ImportError
    r = CliRunner().invoke(cli, ["fit", str(synthetic_sweep(tmp_path / "s.csv"))])
    assert r.exit_code == 2 and "pip install 'steplint[fit]'" in r.output
