"""What `steplint check` imports for one YAML file, bounded without timing anything.

Start-up imports are most of a one-file run (budget: architecture.md section 7, measured by
bench/check.py), so a module that slips onto this path is a regression even when no single
timing would notice it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OPTIMAL = str(REPO / "tests" / "fixtures" / "check" / "optimal.yaml")  # Megatron YAML, no fixable finding

# Imported only by the command, format or file kind that needs them.
NOT_FOR_A_YAML_CHECK = (
    "numpy", "jsonschema", "tomlkit", "tomllib", "tomli", "importlib.metadata", "importlib.resources",
    "pkgutil", "difflib",
    "steplint.report.json", "steplint.report.sarif", "steplint.report.github", "steplint.report.gitlab",
    "steplint.report.junit", "steplint.fixing", "steplint.documents.edits", "steplint.literals", "steplint.atomic",
    "steplint.documents.shell", "steplint.documents.json_loader", "steplint.documents.toml_loader",
    "steplint.interpolation", "steplint.rules.docs_text",
    "steplint.commands.show", "steplint.commands.predict", "steplint.commands.explain", "steplint.commands.rules",
    # other laws, fitting and pictures (issue 17): the plot and fit extras never load on check
    "matplotlib", "steplint.laws.fit", "steplint.plot", "steplint.picture", "steplint.svg", "steplint.htmlreport",
    "steplint.commands.fit", "steplint.commands.report", "steplint.laws.registry", "steplint.laws.deepseek",
    "steplint.laws.lawfile", "steplint.rules._other_law",
    # settings discovery walks with os.path: pathlib (and its urllib.parse) only for a found file
    "pathlib", "urllib", "urllib.parse",
    # values are NamedTuples: a frozen dataclass costs ~0.6 ms to define on Python 3.11
    "dataclasses",
)
# Proof that the run really linted the file (else an early exit would pass the test).
MUST_RUN = ("yaml", "steplint.documents.yaml_loader", "steplint.dialects.megatron",
            "steplint.rules.sl704_incompatible_flags", "steplint.report.text")


# Stdlib modules a site hook (a .pth file) may import before steplint starts: the probe
# forgets them, so an import by steplint still shows.
SITE_MAY_IMPORT = ("pathlib", "urllib", "urllib.parse")


def imported_by_check(*args: str, entry: bool = False) -> tuple[int, set[str]]:
    """The exit code, and the modules the run added to what the interpreter had at start
    (site hooks of the environment running the tests are not steplint's). `entry`: run it
    as the console script does (steplint.entry, which reads a plain argv without click)."""
    run = ("from steplint.entry import fast_check\ncode = fast_check(sys.argv[1:])\n" if entry else
           "from steplint.cli import cli\n"
           "try:\n    cli(prog_name='steplint')\n    code = 0\nexcept SystemExit as exit:\n    code = exit.code\n")
    code = (
        "import json, sys\n"
        f"for name in {list(SITE_MAY_IMPORT)!r}:\n    sys.modules.pop(name, None)\n"
        "before = set(sys.modules)\n"
        f"sys.argv = ['steplint', 'check', *{list(args)!r}]\n"
        + run +
        "print(json.dumps([code, sorted(set(sys.modules) - before)]))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                       env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    code, modules = json.loads(r.stdout.strip().splitlines()[-1])
    return code, set(modules)


def test_yaml_check_imports_only_what_it_uses():
    code, modules = imported_by_check("--isolated", OPTIMAL)
    assert code == 0
    assert not modules & set(NOT_FOR_A_YAML_CHECK), sorted(modules & set(NOT_FOR_A_YAML_CHECK))
    assert set(MUST_RUN) <= modules, sorted(set(MUST_RUN) - modules)


# click and what it imports (architecture.md section 7: about as much CPU as the rest of the run)
CLICK = ("click", "inspect", "ast", "dis", "tokenize", "uuid", "platform", "steplint.cli")


def test_the_console_script_checks_a_yaml_file_without_click():
    code, modules = imported_by_check("--isolated", OPTIMAL, entry=True)
    assert code == 0
    assert not modules & set(CLICK + NOT_FOR_A_YAML_CHECK), sorted(modules & set(CLICK + NOT_FOR_A_YAML_CHECK))
    assert set(MUST_RUN) <= modules, sorted(set(MUST_RUN) - modules)


def test_the_console_script_leaves_help_to_click():
    """The other side: what the reader does not take exactly goes to click (here: None)."""
    code, modules = imported_by_check("--isolated", "--help", OPTIMAL, entry=True)
    assert code is None and "steplint.commands.check" in modules


def test_discovery_without_a_settings_file_imports_no_pathlib(tmp_path):
    """As perf-check runs it: no --isolated, so settings discovery walks up from the file."""
    config = tmp_path / "optimal.yaml"
    config.write_text(Path(OPTIMAL).read_text(encoding="utf-8"), encoding="utf-8")
    code, modules = imported_by_check(str(config))
    assert code == 0
    assert not modules & set(NOT_FOR_A_YAML_CHECK), sorted(modules & set(NOT_FOR_A_YAML_CHECK))


def test_a_found_settings_file_still_reads(tmp_path):
    """The other side of the bound: discovery that finds a file goes on to read it."""
    config = tmp_path / "optimal.yaml"
    config.write_text(Path(OPTIMAL).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / ".steplint.toml").write_text("select = [\"SL0\"\n", encoding="utf-8")  # unclosed array
    code, modules = imported_by_check(str(config))
    assert code == 2 and "pathlib" in modules


def test_the_bound_is_not_vacuous():
    """The same probe sees the modules a JSON report does import."""
    code, modules = imported_by_check("--isolated", "--output-format", "json", OPTIMAL)
    assert code == 0 and "steplint.report.json" in modules


# With another law or a refitted law file, check still loads neither numpy nor matplotlib.
HEAVY = ("numpy", "matplotlib", "steplint.laws.fit", "steplint.plot", "steplint.picture", "steplint.htmlreport")


def test_check_against_another_law_stays_light():
    code, modules = imported_by_check("--isolated", "--law", "deepseek", OPTIMAL)
    assert code == 0
    assert "steplint.rules._other_law" in modules and "steplint.laws.deepseek" in modules  # it really judged
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_check_with_a_law_file_stays_light(tmp_path):
    law = tmp_path / "law.json"
    law.write_text((REPO / "data" / "steplaw.json").read_text(encoding="utf-8"), encoding="utf-8")
    code, modules = imported_by_check("--isolated", "--law-file", str(law), OPTIMAL)
    assert code == 0 and "steplint.laws.lawfile" in modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
