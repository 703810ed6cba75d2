"""`steplint init`: the starting `[tool.steplint]` section and the pre-commit snippet, as text.

Pure: `plan_init` looks at what exists in a folder (given as the texts of its settings
files) and returns what to write where, or why nothing is written; the command does the I/O.
Where (architecture.md section 5): into `pyproject.toml` when the folder has one, else a
new `.steplint.toml`; never over an existing steplint section or settings file.
"""

from __future__ import annotations

import re
from typing import Mapping, Optional

from steplint._namedtuple import NamedTuple

from steplint import __version__

_TOOL_TABLE = re.compile(r"^\s*\[\[?\s*tool\s*\.\s*steplint\b", re.M)
_DOTTED = re.compile(r"^\s*tool\s*\.\s*steplint\s*[.=]", re.M)
_TOOL_INLINE = re.compile(r"^\s*\[\s*tool\s*\]", re.M)

HOOKS_REPO = "https://github.com/steplint/steplint"


class InitPlan(NamedTuple):
    path: Optional[str]  # the file to write (None: nothing to write)
    text: Optional[str]  # its whole new text
    reason: str  # what was done, or why nothing was


def section(world_size: Optional[int], tokens: Optional[str], seq_len: Optional[int], *, top_level: bool) -> str:
    """The settings as TOML; facts not given are written commented out, to fill in."""
    def fact(key: str, value: object, example: str, what: str) -> str:
        if value is None:
            return f"# {key} = {example}  # {what}"
        shown = f'"{value}"' if isinstance(value, str) else str(value)
        return f"{key} = {shown}  # {what}"

    header = [] if top_level else ["[tool.steplint]"]
    return "\n".join(header + [
        "# Written by `steplint init`. The facts a config file does not hold; `steplint show FILE`",
        "# says which a file lacks. Rules: `steplint rules`; docs/rules.md explains each.",
        fact("world-size", world_size, "64", "GPUs of the run: data x tensor x pipeline x context parallel"),
        fact("tokens", tokens, '"1.4T"', "training tokens D"),
        fact("seq-len", seq_len, "2048", "training sequence length"),
        "# Start with the framework and Step Law rules; add SL4-SL6 (budget, optimizer, shape) later.",
        'select = ["SL0", "SL1", "SL2", "SL3", "SL7"]',
        'fail-on = "warning"',
    ]) + "\n"


def has_steplint_section(pyproject_text: str) -> bool:
    return bool(_TOOL_TABLE.search(pyproject_text) or _DOTTED.search(pyproject_text))


def plan_init(existing: Mapping[str, str], world_size: Optional[int] = None, tokens: Optional[str] = None,
              seq_len: Optional[int] = None) -> InitPlan:
    """`existing`: {"pyproject.toml": text, ".steplint.toml": text} for the files present."""
    if ".steplint.toml" in existing:
        return InitPlan(None, None, ".steplint.toml exists: steplint's settings are already there (nothing written)")
    if "pyproject.toml" in existing:
        text = existing["pyproject.toml"]
        if has_steplint_section(text):
            return InitPlan(None, None, "pyproject.toml already has a [tool.steplint] section (nothing written)")
        if _TOOL_INLINE.search(text) and re.search(r"^\s*\[\s*tool\s*\]\s*$[\s\S]*?^\s*steplint\s*=", text, re.M):
            return InitPlan(None, None, "pyproject.toml already sets tool.steplint (nothing written)")
        sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        new = text + sep + section(world_size, tokens, seq_len, top_level=False)
        return InitPlan("pyproject.toml", new, "added [tool.steplint] to pyproject.toml")
    return InitPlan(".steplint.toml", section(world_size, tokens, seq_len, top_level=True), "wrote .steplint.toml")


def precommit_snippet(rev: str = f"v{__version__}") -> str:
    return (
        "# .pre-commit-config.yaml\n"
        "repos:\n"
        f"  - repo: {HOOKS_REPO}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: steplint        # check; `steplint-fix` applies the safe fixes\n"
    )
