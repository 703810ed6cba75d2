"""action.yml's steps run as a script against a fixture repository, as a GitHub runner would:
each `run:` block in bash, with the `${{ inputs.* }}` / `${{ github.action_path }}` the step
maps into its env resolved from the inputs we pass (and the declared defaults).

The install step really installs this checkout into a fresh virtual environment (pip builds
the wheel), so the test is marked slow; it needs the network or a warm pip cache."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "action_repo"
_EXPR = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def steps(inputs: dict) -> list[tuple[str, dict]]:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    values = {f"inputs.{k}": str(v.get("default", "")) for k, v in action["inputs"].items()}
    values.update({f"inputs.{k}": v for k, v in inputs.items()})
    values["github.action_path"] = str(REPO)

    def resolve(text: str) -> str:
        return _EXPR.sub(lambda m: values[m.group(1)], str(text))

    out = []
    for step in action["runs"]["steps"]:
        assert step.get("shell") == "bash" and "${{" not in step["run"], "inputs reach scripts through env only"
        out.append((step["run"], {k: resolve(v) for k, v in (step.get("env") or {}).items()}))
    return out


def fast_python(tmp_path) -> str:
    """The `python` input: an interpreter wrapper whose `-m venv DIR` skips ensurepip (the
    slow half of the install step) when the base interpreter has pip, which the venv then
    borrows; pip still builds and installs this checkout into the fresh environment."""
    base = getattr(sys, "_base_executable", sys.executable)
    wrapper = tmp_path / "python"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'if [ "$1 $2" = "-m venv" ] && "{base}" -m pip --version >/dev/null 2>&1; then\n'
        f'  exec "{base}" -m venv --without-pip --system-site-packages "$3"\n'
        "fi\n"
        f'exec "{base}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def run_action(tmp_path, install: bool = True, **inputs) -> list[subprocess.CompletedProcess]:
    repo = tmp_path / "repo"
    if not repo.exists():
        shutil.copytree(FIXTURE, repo)
    env = dict(os.environ, RUNNER_TEMP=str(tmp_path / "runner"), GITHUB_ACTIONS="true")
    env.pop("VIRTUAL_ENV", None)
    (tmp_path / "runner").mkdir(exist_ok=True)
    done = []
    for script, step_env in steps({"python": fast_python(tmp_path), **inputs})[0 if install else 1:]:
        r = subprocess.run(["bash", "-c", script], cwd=repo, env={**env, **step_env},
                           capture_output=True, text=True, timeout=600)
        done.append(r)
        if r.returncode != 0:
            break
    return done


@pytest.mark.slow
def test_action_annotates_findings_fails_the_step_and_writes_sarif(tmp_path):
    install, check = run_action(tmp_path, paths="configs", args="--world-size 8", **{"sarif-file": "steplint.sarif"})
    assert install.returncode == 0 and "steplint" in install.stdout, install.stderr[-500:]
    assert check.returncode == 1, check.stderr
    annotations = [ln for ln in check.stdout.splitlines() if ln.startswith("::")]
    assert any(ln.startswith("::warning file=configs/gpt.yaml,line=") and "SL302" in ln for ln in annotations)
    assert any("file=configs/ds_config.json" in ln and "SL101" in ln for ln in annotations)
    sarif = json.loads((tmp_path / "repo" / "steplint.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert all(r["helpUri"].startswith("https://") for r in sarif["runs"][0]["tool"]["driver"]["rules"])
    # a clean selection passes the step (the same installed environment)
    again = run_action(tmp_path, install=False, paths="configs/gpt.yaml", args="--select SL1")
    assert again[-1].returncode == 0 and "All checks passed" in again[-1].stdout


def test_the_steps_take_inputs_through_env_only():
    for script, env in steps({"paths": "a b", "args": "--x", "sarif-file": "", "python": "python3"}):
        assert "STEPLINT_" in script and all(k.startswith("STEPLINT_") for k in env)
