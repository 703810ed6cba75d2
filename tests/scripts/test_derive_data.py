"""scripts/derive_data.py regenerates data/steplaw.json exactly (to 1e-12 relative)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO_ROOT, assert_json_close, load_script, shared_path


def test_regenerates_shipped_data(tmp_path: Path):
    shared = shared_path("steplaw").parent
    out = tmp_path / "steplaw.json"
    assert load_script("derive_data").main(["--shared", str(shared), "--output", str(out)]) == 0
    shipped = json.loads((REPO_ROOT / "data" / "steplaw.json").read_text())
    assert_json_close(json.loads(out.read_text()), shipped, rel=1e-12, abs_tol=1e-300)


def test_shipped_data_is_self_consistent():
    data = json.loads((REPO_ROOT / "data" / "steplaw.json").read_text())
    assert data["n_fits"] == 1000
    cov = data["covariance"]
    assert len(cov) == 5 and all(len(row) == 5 for row in cov)
    assert all(cov[i][j] == cov[j][i] for i in range(5) for j in range(5))
    assert all(cov[i][i] > 0 for i in range(5))
    # steplaw.md 2.3: corr(bs_intercept, bs_coefD) = -0.999
    corr = cov[3][4] / (cov[3][3] * cov[4][4]) ** 0.5
    assert corr == pytest.approx(-0.999, abs=0.001)
    assert data["provenance"]["commit"] == "32a8f4c" and "2503.04715" in data["provenance"]["paper"]
    low, high = data["fitted_range"]["n_params"]
    assert low == 5.9e7 and high == 1073741824.0


def test_missing_shared_folder_is_a_clean_error(tmp_path: Path, capsys):
    assert load_script("derive_data").main(["--shared", str(tmp_path), "--output", str(tmp_path / "x.json")]) == 2
    assert "not found" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
