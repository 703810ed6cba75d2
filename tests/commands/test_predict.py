"""`steplint predict`: numbers, JSON contract, bad input, and a lean import set."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import steplint
from conftest import REPO_ROOT, shared_path
from steplint.resources import schema_path

PACKAGE_PARENT = str(Path(steplint.__file__).resolve().parents[1])


def run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=PACKAGE_PARENT)
    return subprocess.run([sys.executable, "-m", "steplint", "predict", *args],
                          capture_output=True, text=True, env=env, timeout=60)


def predict_json(*args: str) -> dict:
    r = run(*args, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def validator():
    import jsonschema

    schema = json.loads(schema_path("predict.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_json_matches_reference_predictions_and_band():
    with open(shared_path("steplaw", "reference_predictions.csv"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        doc = predict_json("--params", row["N"], "--tokens", row["D"], "--seq-len", row["seq_len"])
        assert doc["lr"] == pytest.approx(float(row["lr_mean_model"]), rel=1e-9)
        assert doc["batch_tokens"] == pytest.approx(float(row["bs_tokens_mean_model"]), rel=1e-9)
        assert doc["batch_sequences"] == pytest.approx(float(row["bs_sequences"]), rel=1e-9)
        band = doc["band"]
        assert band["level"] == 0.9
        assert band["lr_low"] == pytest.approx(float(row["lr_p5"]), rel=0.03)
        assert band["lr_high"] == pytest.approx(float(row["lr_p95"]), rel=0.03)
        assert band["batch_tokens_low"] == pytest.approx(float(row["bs_p5"]), rel=0.03)
        assert band["batch_tokens_high"] == pytest.approx(float(row["bs_p95"]), rel=0.03)


def test_full_precision_not_rounded():
    doc = predict_json("--params", "60M", "--tokens", "2B")
    assert doc["batch_sequences"] != round(doc["batch_sequences"])
    assert doc["batch_sequences"] == pytest.approx(57.94064731493139, rel=1e-12)


@pytest.mark.parametrize("extra", [
    [],
    ["--lr", "3e-4"],
    ["--batch-tokens", "4M"],
    ["--lr", "1e-2", "--batch-sequences", "256"],
    ["--lr", "1e-6", "--batch-tokens", "1e9", "--level", "0.5"],
])
def test_json_output_validates_against_schema(validator, extra):
    doc = predict_json("--params", "7B", "--tokens", "1.4T", *extra)
    validator.validate(doc)
    assert doc["steplint"] == steplint.__version__
    assert (doc["position"] is None) == (not extra)


def test_position_block():
    doc = predict_json("--params", "1e9", "--tokens", "1e11", "--lr", "1e-2", "--batch-sequences", "256")
    pos = doc["position"]
    assert pos["lr_ratio"] == pytest.approx(1e-2 / doc["lr"], rel=1e-12)
    assert pos["batch_tokens"] == 256 * 2048
    assert pos["batch_ratio"] == pytest.approx(256 * 2048 / doc["batch_tokens"], rel=1e-12)
    assert pos["penalty"]["kind"] == "divergence_risk" and pos["penalty"]["percent"] is None
    assert doc["in_fitted_range"] is True and doc["notices"] == []


def test_text_output_names_optimum_band_notices_and_penalty():
    r = run("--params", "7e9", "--tokens", "1.4e12", "--lr", "3e-4", "--batch-tokens", "1M")
    assert r.returncode == 0 and r.stderr == ""
    out = r.stdout
    assert "9.347e-4" in out and "2439.9 sequences" in out and "90% band" in out
    assert "notice: N = 7.00e9 is outside the fitted range" in out
    assert "0.321x the optimum" in out and "expected final loss" in out


def test_human_suffixes_equal_plain_numbers():
    assert predict_json("--params", "7B", "--tokens", "1.4T") == predict_json("--params", "7e9", "--tokens", "1.4e12")


@pytest.mark.parametrize("args, needle", [
    (["--params", "-1", "--tokens", "1e9"], "'-1' must be a positive finite number"),
    (["--params", "0", "--tokens", "1e9"], "'0' must be a positive finite number"),
    (["--params", "nan", "--tokens", "1e9"], "'nan' must be a positive finite number"),
    (["--params", "inf", "--tokens", "1e9"], "'inf' must be a positive finite number"),
    (["--params", "7X", "--tokens", "1e9"], "'7X' is not a number"),
    (["--tokens", "1e9"], "Missing option '--params'"),
    (["--params", "7B"], "Missing option '--tokens'"),
    (["--params", "7B", "--tokens", "1T", "--batch-tokens", "1M", "--batch-sequences", "512"], "not both"),
    (["--params", "7B", "--tokens", "1T", "--level", "1.5"], "strictly between 0 and 1"),
    (["--params", "7B", "--tokens", "1T", "--level", "nan"], "strictly between 0 and 1"),
    (["--params", "7B", "--tokens", "1T", "--seq-len", "2.5"], "whole number"),
    (["--params", "7B", "--tokens", "1T", "--lr", "-3e-4"], "must be a positive finite number"),
    (["--params", "7B", "--tokens", "1T", "--format", "xml"], "'xml' is not one of"),
])
def test_bad_input_is_the_usage_line_and_one_error_line_exit_2(args, needle):
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 2, r.stderr
    assert lines[0] == "Usage: steplint predict --params N --tokens D [OPTIONS]"
    assert lines[1].startswith("Error: ") and needle in lines[1]
    assert "Traceback" not in r.stderr


def test_predict_imports_neither_numpy_nor_jsonschema():
    code = (
        "import sys\n"
        "from steplint.cli import cli\n"
        "try:\n"
        "    cli.main(['predict', '--params', '7e9', '--tokens', '1.4e12', '--lr', '3e-4', '--format', 'json'],"
        " prog_name='steplint', standalone_mode=False)\n"
        "finally:\n"
        "    print(sorted(sys.modules), file=sys.stderr)\n"
    )
    env = dict(os.environ, PYTHONPATH=PACKAGE_PARENT)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["position"]["lr"] == 3e-4  # the command really ran
    modules = set(eval(r.stderr.strip().splitlines()[-1]))
    assert "steplint.laws.steplaw" in modules
    for heavy in ("numpy", "jsonschema", "importlib.metadata", "yaml"):
        assert heavy not in modules, heavy


def test_seq_len_4k_is_4096_and_counts_stay_decimal():
    doc = predict_json("--params", "1B", "--tokens", "100B", "--seq-len", "4k")
    assert doc["seq_len"] == 4096
    assert doc["batch_sequences"] == pytest.approx(doc["batch_tokens"] / 4096, rel=1e-12)
    assert "4k = 4096" in " ".join(run("--help").stdout.split())


@pytest.mark.parametrize("args, severity", [
    # in range: LR 0.20x at a 0.95x batch costs +0.96% -> warning (as SL302 would say)
    (("--params", "1e9", "--tokens", "1e11", "--lr", "3.3e-4", "--batch-tokens", "1048576"), "warning"),
    # the same point, LR 5x the optimum: divergence risk -> error
    (("--params", "1e9", "--tokens", "1e11", "--lr", "8.3e-3"), "error"),
    # one grid step off (1.41x): near-optimal -> no verdict
    (("--params", "1e9", "--tokens", "1e11", "--lr", "2.35e-3"), None),
    # D/N 3.7e3, D 11x past the fit: the extrapolated optimum is only a notice
    (("--params", "2.99e8", "--tokens", "1.1e12", "--lr", "2.5e-4", "--batch-tokens", "524288"), "info"),
])
def test_position_severity_is_the_verdict_check_gives(args, severity):
    from steplint.laws.verdict import verdict

    pos = predict_json(*args)["position"]
    assert pos["severity"] == severity
    n, d = float(args[1]), float(args[3])
    lr = float(args[args.index("--lr") + 1])
    batch = float(args[args.index("--batch-tokens") + 1]) if "--batch-tokens" in args else None
    assert verdict(n, d, lr, batch).severity == severity  # one function for check and predict


def test_text_gives_the_verdict_and_words_the_band_as_uncertainty():
    r = run("--params", "1e9", "--tokens", "1e11", "--lr", "3.3e-4", "--batch-tokens", "1048576")
    assert "verdict: warning (as `check` would report it: SL302 warning, SL303 none)" in r.stdout
    assert "the 90% band above is only the uncertainty of the fitted mean, not a tolerance" in r.stdout
    assert "outside the band" not in r.stdout
