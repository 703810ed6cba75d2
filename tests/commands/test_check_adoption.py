"""What a team meets on day one: missing paths, empty walks, --show-files, -q, `full`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from steplint.cli import cli

OFF = str(Path(__file__).resolve().parents[1] / "fixtures" / "check" / "off_optimum.yaml")


def check(*args):
    return CliRunner().invoke(cli, ["check", "--isolated", "--color", "never", *map(str, args)])


def test_a_missing_path_is_reported_and_the_others_still_checked(tmp_path):
    r = check(tmp_path / "nothere.yaml", OFF)
    assert r.exit_code == 2
    assert "nothere.yaml: no such file or directory" in r.output
    assert "SL302" in r.output and "Found" in r.output


def test_only_missing_paths_exit_2_without_a_report(tmp_path):
    r = check(tmp_path / "a.yaml")
    assert r.exit_code == 2 and "Found" not in r.output and "All checks" not in r.output


def test_an_empty_walk_says_no_config_was_found(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    r = check(tmp_path)
    assert r.exit_code == 0 and "no config files found" in r.output


def test_show_files_lists_and_exits(tmp_path):
    (tmp_path / "a.yaml").write_text("lr: 1\n")
    (tmp_path / "b.txt").write_text("x")
    r = check("--show-files", tmp_path)
    assert r.exit_code == 0 and r.output.splitlines() == [str(tmp_path / "a.yaml")]


def test_quiet_prints_findings_only():
    r = check("-q", "--select", "SL302", OFF)
    assert r.exit_code == 1 and len(r.output.splitlines()) == 1 and " SL302 warning " in r.output


def test_full_output_shows_the_source_line_with_a_caret():
    r = check("--output-format", "full", "--select", "SL302", OFF)
    lines = r.output.splitlines()
    assert lines[2].startswith("12 | ") and "lr:" in lines[2]
    assert lines[3].strip().startswith("|") and "^" in lines[3]
