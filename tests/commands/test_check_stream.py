"""The streamed text report (`check` with the default text form, printed recipe by recipe
from running counts) says what the report rendered whole at the end says (`-o FILE`),
summary included: the two paths share text.summary_line, fed a Summary either way."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from steplint.cli import cli

REPO = Path(__file__).resolve().parents[2]
CASES = [
    [str(REPO / "tests" / "fixtures" / "check" / "off_optimum.yaml")],
    [str(REPO / "tests" / "fixtures" / "check" / "optimal.yaml")],
    [str(REPO / "examples"), str(REPO / "tests" / "fixtures" / "check")],
]


@pytest.mark.parametrize("paths", CASES)
@pytest.mark.parametrize("flags", [[], ["--unsafe-fixes"], ["--fail-on", "error"], ["--fail-on", "info"]])
def test_streamed_text_equals_the_whole_report(tmp_path, paths, flags):
    out = tmp_path / "report.txt"
    args = ["check", "--isolated", "--color", "never", *flags, *paths]
    streamed = CliRunner().invoke(cli, args)
    whole = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert streamed.exit_code == whole.exit_code, streamed.output
    assert streamed.output.splitlines()[-1].startswith(("Found ", "All checks passed"))
    assert streamed.output == out.read_text(encoding="utf-8")


def test_streamed_summary_counts_running_findings(tmp_path):
    """The summary of the stream counts what it printed (a changed count would fail here)."""
    r = CliRunner().invoke(cli, ["check", "--isolated", "--color", "never", str(REPO / "examples")])
    lines = r.output.splitlines()
    found = [line for line in lines if ": SL" in line]
    assert found and lines[-1].startswith(f"Found {len(found)} problem")
