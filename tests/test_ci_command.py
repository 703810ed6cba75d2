"""The README's test command is the one CI runs (`.ci/run`), and both type-check before
the tests (issue 14: `mypy`, strict on src/steplint, before pytest)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _test_command(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if "python -m pytest" in line and "pip install" in line]
    assert len(lines) == 1, lines
    return lines[0]


def test_readme_and_ci_run_the_same_command():
    readme = _test_command((REPO / "README.md").read_text(encoding="utf-8"))
    ci = _test_command((REPO / ".ci" / "run").read_text(encoding="utf-8"))
    assert readme == ci


def test_the_command_runs_mypy_before_pytest():
    steps = [s.strip() for s in _test_command((REPO / ".ci" / "run").read_text(encoding="utf-8")).split("&&")]
    assert "mypy" in steps and re.match(r"python -m pytest", steps[-1])
    assert steps.index("mypy") < len(steps) - 1
