"""`steplint check --fix` end to end: the fix loop to a fixed point, refused fixes made
visible, write failures, --diff, --exit-non-zero-on-fix, stdin, and idempotency on
every corpus config (ux-and-style.md section 6: fix(fix(x)) == fix(x))."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import shared_path
from steplint.cli import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "check"
OFF = FIXTURES / "off_optimum.yaml"
SUFFIXES = {".yaml", ".yml", ".json", ".toml", ".sh", ".bash", ".slurm"}


def check(*args, input=None):
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    return runner.invoke(cli, ["check", "--isolated", *args], input=input)


def copy_off(tmp_path, text=None) -> Path:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(text if text is not None else OFF.read_text())
    return cfg


def test_fix_writes_safe_fixes_and_the_rerun_is_clean(tmp_path):
    cfg = copy_off(tmp_path)
    r = check(str(cfg), "--select", "SL301", "--fix", "--show-fixes")
    assert r.exit_code == 0, r.output
    assert "Set min LR to 1.0e-5" in r.output and r.output.rstrip().endswith("1 fixed.")
    assert "min_lr: 1.0e-5\n" in cfg.read_text() and "lr: 3.0e-4  # the GPT-3 1.3B value" in cfg.read_text()
    assert check(str(cfg), "--select", "SL301").exit_code == 0
    assert check(str(cfg), "--select", "SL301", "--fix", "--exit-non-zero-on-fix").exit_code == 0  # nothing left to fix


def test_unsafe_fixes_and_diff(tmp_path):
    cfg = copy_off(tmp_path)
    before = cfg.read_text()
    r = check(str(cfg), "--select", "SL3", "--diff", "--unsafe-fixes")
    assert r.exit_code == 1
    assert "\n-lr: 3.0e-4  # the GPT-3 1.3B value\n" in r.output
    assert "\n+lr: 1.29e-3  # the GPT-3 1.3B value\n" in r.output
    assert "+global_batch_size: 252" in r.output and "+min_lr: 1.0e-5" in r.output
    assert cfg.read_text() == before
    r = check(str(cfg), "--select", "SL3", "--fix", "--unsafe-fixes")
    assert r.exit_code == 0, r.output


def test_fix_on_stdin_prints_the_fixed_text_and_reports_on_stderr():
    r = check("-", "--stdin-filename", "x.yaml", "--fix", "--select", "SL301", input=OFF.read_text())
    assert r.exit_code == 0
    assert "min_lr: 1.0e-5\n" in r.stdout and "lr: 3.0e-4  # the GPT-3 1.3B value" in r.stdout
    assert "1 fixed." in r.stderr


def test_unsafe_fixes_in_one_run_reach_a_fixed_point_and_keep_the_token_budget(tmp_path):
    cfg = copy_off(tmp_path)
    r = check(str(cfg), "--fix", "--unsafe-fixes", "--show-fixes")
    assert r.exit_code == 0, r.output + r.stderr
    text = cfg.read_text()
    values = {k.strip(): v.split("#")[0].strip() for k, v in (line.split(":", 1) for line in text.splitlines()) if v.strip()}
    batch, steps = int(values["global_batch_size"]), int(values["train_iters"])
    assert batch != 512 and abs(steps * batch - 25000 * 512) <= batch / 2  # D = 25000 x 512 x 2048 tokens kept
    assert values["lr_decay_iters"] == str(steps)  # the horizon still ends with the run
    assert "train for" in r.stdout  # --show-fixes says the run length changed too
    again = check(str(cfg), "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix")
    assert again.exit_code == 0, again.output + again.stderr
    assert cfg.read_text() == text


def test_overlapping_fixes_on_one_batch_are_both_applied_in_one_run(tmp_path):
    # SL103 (not a multiple of micro 4 x DP 8) and SL303 (2x the optimum) both rewrite the batch:
    # the second waits for a re-lint of the first's text, in the same run
    cfg = copy_off(tmp_path, OFF.read_text().replace("global_batch_size: 512", "global_batch_size: 510"))
    flags = ("--world-size", "8", "--select", "SL103,SL303", "--fix", "--unsafe-fixes", "--show-fixes")
    r = check(str(cfg), *flags)
    assert r.exit_code == 0, r.output + r.stderr
    assert "SL103 [batch-divisibility] set the global batch to 480" in r.stdout and "2 fixed." in r.stdout
    assert "global_batch_size: 256\n" in cfg.read_text()
    text = cfg.read_text()
    assert check(str(cfg), *flags, "--exit-non-zero-on-fix").exit_code == 0 and cfg.read_text() == text


def test_a_refused_fix_is_shown_with_its_position_and_reason_and_still_counts(tmp_path):
    # the floor is a shared anchor: rewriting it would also change `eval_floor`
    cfg = copy_off(tmp_path, OFF.read_text().replace("min_lr: 3.0e-5", "min_lr: &floor 3.0e-5\neval_floor: *floor"))
    before = cfg.read_text()
    r = check(str(cfg), "--select", "SL301", "--fix")
    assert r.exit_code == 1
    assert f"{cfg}:13:9: fix for SL301 not applied: " in r.stderr and "eval_floor" in r.stderr
    assert "SL301" in r.stdout  # still a remaining finding
    assert cfg.read_text() == before


def test_a_write_failure_is_one_line_and_exit_2(tmp_path, monkeypatch):
    import steplint.atomic

    def refuse(path, text, bom=False, **_):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(steplint.atomic, "write_atomic", refuse)
    cfg = copy_off(tmp_path)
    r = check(str(cfg), "--select", "SL301", "--fix")
    assert r.exit_code == 2
    assert r.stderr == f"steplint: {cfg}: cannot write the fixed file: Permission denied (the file is unchanged)\n"


def test_diff_writes_nothing_and_exits_1_only_when_something_would_change(tmp_path):
    cfg = copy_off(tmp_path)
    before = cfg.read_text()
    r = check(str(cfg), "--select", "SL301", "--diff")
    assert r.exit_code == 1 and "+min_lr: 1.0e-5\n" in r.stdout and cfg.read_text() == before
    assert check(str(cfg), "--select", "SL301", "--fix").exit_code == 0
    clean = check(str(cfg), "--select", "SL301", "--diff")
    assert clean.exit_code == 0 and clean.stdout == ""


def test_exit_non_zero_on_fix_even_when_nothing_remains(tmp_path):
    cfg = copy_off(tmp_path)
    assert check(str(cfg), "--select", "SL301", "--fix", "--exit-non-zero-on-fix").exit_code == 1
    assert check(str(cfg), "--select", "SL301", "--fix", "--exit-non-zero-on-fix").exit_code == 0


def test_fix_on_stdin_prints_the_text_even_when_nothing_was_fixed():
    text = OFF.read_text().replace("min_lr: 3.0e-5", "min_lr: 1.0e-5")
    r = check("-", "--stdin-filename", "x.yaml", "--fix", "--select", "SL301", input=text)
    assert r.exit_code == 0 and r.stdout == text


def _corpus_copy(tmp_path) -> list[str]:
    dst = tmp_path / "corpus"
    shutil.copytree(shared_path("corpus"), dst)
    for path in dst.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)  # the shared corpus is read-only
    return sorted(str(p) for p in dst.rglob("*") if p.suffix in SUFFIXES and p.name != "expected.json")


def _snapshot(files):
    return {f: Path(f).read_bytes() for f in files}


@pytest.mark.corpus
@pytest.mark.parametrize("flags", [("--fix",), ("--fix", "--unsafe-fixes")])
def test_fix_twice_on_every_corpus_config_changes_nothing_the_second_time(tmp_path, flags):
    files = _corpus_copy(tmp_path)
    original = _snapshot(files)
    first = check(*files, *flags, "--exit-zero")
    assert first.exit_code == 0, first.output + first.stderr
    fixed = _snapshot(files)
    assert fixed != original  # the corpus has fixable findings: this test can fail
    second = check(*files, *flags, "--exit-zero")
    assert second.exit_code == 0, second.output + second.stderr
    assert _snapshot(files) == fixed
