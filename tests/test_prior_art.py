"""prior-art.md section 3, rows 1-8: each real misconfiguration, reproduced with the issue's
own numbers in tests/fixtures/prior_art/, is caught end to end by `steplint check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from steplint.cli import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "prior_art"

# row, fixture folder, extra flags, (code, file, line, message fragment)
CASES = [
    (1, "row1_openrlhf_346", ["--world-size", "7"],
     ("SL101", "ds_config.json", 2, "256 ≠ micro batch 2 × accumulation 18 × world size 7 = 252")),
    (2, "row2_transformers_27830", [],
     ("SL701", "args.yaml", 4, "per_device_train_batch_size = 8 but ds_config.json sets train_micro_batch_size_per_gpu = 1")),
    (2, "row2_trlx_376", [],
     ("SL702", "ds_config.json", 2, "no HF TrainingArguments file is part of this recipe")),
    (3, "row3_open_muse_144", [],
     ("SL201", "args.yaml", 6, "'eta_min' is not a parameter of the cosine schedule")),
    (4, "row4_megatron_bridge_5756", [],
     ("SL202", "train.sh", 8, "min LR 3.0e-5 is above the peak LR 5.0e-6")),
    (5, "row5_megatron_lm_2258", [],
     ("SL203", "train.sh", None, "the last 5,000 steps (5.0% of the run) train at the floor LR")),
    (5, "row5_areal_1289", [],
     ("SL203", "train.sh", 7, "decay ends at step 198 but the run has 220 steps")),
    (6, "row6_prime_rl_968", [],
     ("SL204", "args.yaml", 6, "warmup (20 steps) is as long as the run (20 steps)")),
    (7, "row7_llm_foundry_262", [],
     ("SL102", "train.sh", 6, "holds 1,000,000 = 2e9 tokens per step at seq_len 2,000")),
    (8, "row8_libai_345", ["--world-size", "2"],
     ("SL103", "ds_config.json", None, "the global batch (32 sequences")),
]


def _check(folder: str, flags: list[str]) -> tuple[int, list[dict]]:
    files = sorted(str(p) for p in (FIXTURES / folder).iterdir())
    result = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", *flags, *files])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)["diagnostics"]


@pytest.mark.parametrize(("row", "folder", "flags", "expected"), CASES, ids=[c[1] for c in CASES])
def test_real_misconfiguration_is_caught(row, folder, flags, expected):
    code, file, line, fragment = expected
    exit_code, found = _check(folder, flags)
    hits = [d for d in found if d["code"] == code and Path(d["file"]).name == file and fragment in d["message"]]
    assert hits, f"row {row}: {code} not reported; got {[(d['code'], d['message']) for d in found]}"
    if line is not None:
        assert hits[0]["line"] == line
    assert exit_code == 1  # every one of these fails the run (warning or error)


def test_each_row_has_a_fixture():
    assert {c[0] for c in CASES} == set(range(1, 9))
