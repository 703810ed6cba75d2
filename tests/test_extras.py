"""The light install: the default commands never import an optional dependency, and a
command that needs one says which extra to install."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from steplint.extras import MissingExtra, require, require_for_click


def test_a_missing_extra_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "numpy", None)  # as if not installed: import raises ImportError
    with pytest.raises(MissingExtra, match=r"steplint fit needs numpy.*pip install 'steplint\[fit\]'"):
        require("numpy", "steplint fit")
    with pytest.raises(click.exceptions.Exit) as exit_info:
        require_for_click("numpy", "steplint fit")
    assert exit_info.value.exit_code == 2


def test_an_installed_module_is_returned():
    assert require("json", "x").dumps([]) == "[]"


@pytest.mark.parametrize("args", [
    ["check", "--isolated", "examples/megatron_gpt_800m.yaml"],
    ["predict", "--params", "1e9", "--tokens", "1e11"],
    ["suggest", "--params", "1e9", "--tokens", "1e11", "--seq-len", "2048", "--world-size", "8", "--framework", "nemo"],
    ["rules"],
])
def test_default_commands_import_no_optional_dependency(args):
    from pathlib import Path

    code = (
        "import sys\n"
        "from steplint.cli import cli\n"
        "try:\n"
        f"    cli.main({args!r}, prog_name='steplint')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('numpy', 'jsonschema', 'matplotlib') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=Path(__file__).resolve().parents[1], timeout=60)
    assert "HEAVY []" in r.stderr, r.stderr[-300:]
