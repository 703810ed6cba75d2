"""`steplint check` end to end through the click command (in-process), plus one real
subprocess for start-up imports and tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from steplint.cli import cli
from steplint.resources import schema_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "check"
REPO = Path(__file__).resolve().parents[2]
OFF = str(FIXTURES / "off_optimum.yaml")
OPTIMAL = str(FIXTURES / "optimal.yaml")


def check(*args, input=None, env=None):
    return CliRunner().invoke(cli, ["check", "--isolated", *args], input=input, env=env)


def findings(result):
    return [(d["code"], d["line"], d["column"], d["severity"]) for d in json.loads(result.output)["diagnostics"]]


def test_off_optimum_config_fails_with_positions():
    r = check(OFF, "--output-format", "json")
    assert r.exit_code == 1, r.output
    found = findings(r)
    # batch 2.03x the law's: the best LR at that batch is 1.49e-3, so the 3.0e-4 LR (0.20x of it)
    # costs +1.6% (an error by itself), capped at warning because the floor is peak/10 (which moves
    # the optimum to a smaller LR, Fig. 6); the batch itself, with the LR at its best, +0.36% (info)
    assert ("SL303", 8, 20, "info") in found
    assert ("SL302", 12, 5, "warning") in found
    assert ("SL301", 13, 9, "warning") in found


def test_config_at_the_optimum_passes():
    r = check(OPTIMAL, "--select", "SL2,SL3")
    assert r.exit_code == 0, r.output
    assert r.output == "All checks passed (1 file checked).\n"


def test_json_output_validates_against_the_shipped_schema():
    r = check(OFF, OPTIMAL, "--format", "json")
    jsonschema.validate(json.loads(r.output), json.loads(schema_path("check.schema.json").read_text()))


def test_text_lines_and_summary():
    r = check(OFF, "--select", "SL302")
    assert r.output.splitlines()[0].startswith(f"{OFF}:12:5: SL302 warning [steplaw-lr] peak LR 3.0e-4 is 0.20x the best LR "
                                               "1.49e-3 at this recipe's batch (2.03x the law's) and 0.23x the Step Law optimum 1.29e-3")
    assert r.output.splitlines()[0].endswith("(a peak/10 floor moved the optimum to a smaller LR and a larger batch, Fig. 6), "
                                             "so this is at most a warning")
    assert r.output.splitlines()[-1] == "Found 1 problem (1 warning) in 1 file checked. 1 more with `--fix --unsafe-fixes`."


@pytest.mark.parametrize("args, code", [
    (("--select", "SL302", "--exit-zero"), 0),
    (("--select", "SL302", "--fail-on", "error"), 0),
    (("--select", "SL402", "--fail-on", "info"), 1),
    (("--select", "SL402"), 0),
    (("--ignore", "SL3,SL4,SL5,SL6,SL7,SL1,SL2"), 0),
])
def test_threshold_and_exit_zero(args, code):
    assert check(OFF, *args).exit_code == code


def test_severity_override_from_selection_is_not_possible_without_settings_but_selection_is():
    r = check(OFF, "--select", "steplaw-recipe", "--output-format", "json")
    assert [c for c, *_ in findings(r)] == ["SL301"]


@pytest.mark.parametrize("args, message", [
    (("nope.yaml",), "nope.yaml: no such file or directory"),
    ((OFF, "--select", "SL999"), "'SL999' matches no rule"),
    ((OFF, "--world-size", "many"), "--world-size 'many' is not a number"),
])
def test_usage_errors_exit_2_with_one_line(args, message):
    r = check(*args, "--exit-zero")
    assert r.exit_code == 2
    assert message in r.output and "Traceback" not in r.output


def test_unrelated_files_never_fail_unless_a_dialect_is_forced(tmp_path):
    (tmp_path / "package.json").write_text('{"name": "web", "dependencies": {}}\n')
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    (wf / "ci.yml").write_text("on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n")
    paths = [str(tmp_path / "package.json"), str(wf / "ci.yml")]
    r = check(*paths, "--output-format", "json")
    assert r.exit_code == 0
    assert {(c, s) for c, _, _, s in findings(r)} == {("SL003", "info")}
    forced = check(str(tmp_path / "package.json"), "--dialect", "megatron", "--output-format", "json")
    assert forced.exit_code == 1 and ("SL003", 1, 1, "error") in findings(forced)


def test_directories_are_walked(tmp_path):
    shutil.copy(OFF, tmp_path / "a.yaml")
    (tmp_path / "notes.txt").write_text("lr: 1")
    r = check(str(tmp_path), "--select", "SL302", "--output-format", "json")
    assert [d["file"] for d in json.loads(r.output)["diagnostics"]] == [str(tmp_path / "a.yaml")]


def test_stdin_with_a_filename():
    r = check("-", "--stdin-filename", "configs/run.yaml", "--select", "SL301", input=Path(OFF).read_text())
    assert r.exit_code == 1
    assert r.output.startswith("configs/run.yaml:13:9: SL301 warning [steplaw-recipe]")


def test_output_file_and_statistics(tmp_path):
    out = tmp_path / "report.txt"
    r = check(OFF, "--select", "SL3", "--statistics", "-o", str(out))
    assert r.exit_code == 1 and r.output == ""
    lines = out.read_text().splitlines()
    assert "1\tSL301\tsteplaw-recipe" in lines and lines[-1].startswith("Found 3 problems")


def test_inline_suppression_and_unused_suppression(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(Path(OFF).read_text()
                   .replace("lr: 3.0e-4  # the GPT-3 1.3B value", "lr: 3.0e-4  # steplint: ignore[steplaw-lr]")
                   .replace("weight_decay: 0.1", "weight_decay: 0.1  # steplint: ignore[SL302]"))
    r = check(str(cfg), "--select", "SL3,SL008", "--output-format", "json")
    found = findings(r)
    assert not any(c == "SL302" for c, *_ in found)
    assert ("SL008", 17, 20, "warning") in found


def test_color(monkeypatch):
    assert "\x1b[" in check(OFF, "--select", "SL302", "--color", "always").output
    assert "\x1b[" not in check(OFF, "--select", "SL302").output  # not a terminal
    assert "\x1b[" in check(OFF, "--select", "SL302", env={"FORCE_COLOR": "1", "NO_COLOR": ""}).output
    assert "\x1b[" not in check(OFF, "--select", "SL302", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).output
    assert "\x1b[" not in check(OFF, "--select", "SL302", "--output-format", "json", "--color", "always").output


def test_show_settings():
    r = check(OFF, "--show-settings", "--select", "SL3", "--world-size", "64", "--tokens", "1.4T")
    settings = json.loads(r.output)
    assert settings["select"] == ["SL3"] and settings["world_size"] == 64 and settings["tokens"] == 1.4e12


def test_seq_len_4k_is_4096_while_tokens_stay_decimal():
    settings = json.loads(check(OFF, "--show-settings", "--seq-len", "4k", "--tokens", "4k").output)
    assert (settings["seq_len"], settings["tokens"]) == (4096, 4000)
    assert "4k = 4096" in " ".join(check("--help").output.split())  # help text wraps


def test_a_crashing_rule_is_exit_2_naming_rule_and_file(monkeypatch):
    from steplint.diagnostics import Severity
    from steplint.rules import registry
    from steplint.rules.base import Rule, RuleDocs

    def boom(ctx):
        raise KeyError("hidden_size")

    rules = registry.all_rules() + (Rule("SL999", "boom", Severity.ERROR, "crashes", RuleDocs("w", "y"), check=boom),)
    monkeypatch.setattr(registry, "all_rules", lambda: rules)
    r = check(OFF)
    assert r.exit_code == 2
    assert r.output.strip() == f"steplint: internal error in rule SL999 (boom) on {OFF}: KeyError: 'hidden_size'"


def test_hostile_input_is_a_finding_not_a_traceback(tmp_path):
    bad = tmp_path / "tag.yaml"
    bad.write_text("lr: !!python/object/apply:os.system ['echo pwned']\n")
    r = subprocess.run([sys.executable, "-m", "steplint", "check", "--isolated", str(bad)],
                       capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert r.returncode == 1 and "SL001" in r.stdout and "Traceback" not in r.stdout + r.stderr
    assert "pwned" not in r.stdout.replace(str(bad), "")


def test_check_start_up_imports_no_numpy_jsonschema_or_metadata():
    """pre-commit may start the hook many times: the check path stays light (architecture.md 7)."""
    code = (
        "import sys\n"
        "from steplint.cli import cli\n"
        f"sys.argv = ['steplint', 'check', '--isolated', {OFF!r}]\n"
        "try:\n    cli(prog_name='steplint')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('numpy', 'jsonschema', 'importlib.metadata') if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout + r.stderr


def test_settings_file_selection_severity_and_per_file_ignores(tmp_path):
    shutil.copy(OFF, tmp_path / "a.yaml")
    shutil.copy(OFF, tmp_path / "b.yaml")
    (tmp_path / ".steplint.toml").write_text(
        'select = ["SL3"]\nignore = ["steplaw-batch"]\nfail-on = "error"\n'
        '[severity]\nSL302 = "error"\n[per-file-ignores]\n"b.yaml" = ["SL302"]\n')
    r = CliRunner().invoke(cli, ["check", "--output-format", "json", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")])
    got = sorted((Path(d["file"]).name, d["code"], d["severity"]) for d in json.loads(r.output)["diagnostics"])
    assert got == [("a.yaml", "SL301", "warning"), ("a.yaml", "SL302", "error"), ("b.yaml", "SL301", "warning")]
    assert r.exit_code == 1  # the SL302 error fails a run whose threshold is error
    isolated = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", str(tmp_path / "a.yaml")])
    assert any(d["code"] == "SL303" for d in json.loads(isolated.output)["diagnostics"])


def test_bad_settings_are_exit_2_with_a_position(tmp_path):
    shutil.copy(OFF, tmp_path / "a.yaml")
    (tmp_path / ".steplint.toml").write_text('select = ["SL3"]\nfail-on = "sometimes"\n')
    r = CliRunner().invoke(cli, ["check", str(tmp_path / "a.yaml")])
    assert r.exit_code == 2 and ".steplint.toml:2:" in r.output and "Traceback" not in r.output
