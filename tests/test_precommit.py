"""The hooks under the real `pre-commit`, in a temporary git repository.

The manifest tests are fast. The integration test clones this checkout's committed HEAD
(so it runs what a user would install, not the dirty tree), points a
`.pre-commit-config.yaml` at the clone, and runs pre-commit with its own PRE_COMMIT_HOME:
the check hook fails on a NeMo config whose floor is peak/10 (SL301), the fix hook
rewrites the floor to a YAML 1.1 float 1e-5 keeping every other byte, and the next runs
of both hooks pass. Installing the hook environment needs the package index (pre-commit
installs hooks once, then runs them offline); set STEPLINT_PRE_COMMIT_HOME to reuse one.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, REPO_ROOT

MANIFEST = REPO_ROOT / ".pre-commit-hooks.yaml"
NEMO = FIXTURES / "fix" / "nemo_gpt_1b.yaml"
FILES = r"\.(ya?ml|json|toml|sh|bash|slurm)$"  # architecture.md section 5


def _hooks() -> dict:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}


def test_manifest_declares_the_pinned_hooks():
    hooks = _hooks()
    assert set(hooks) == {"steplint", "steplint-fix"}
    assert hooks["steplint"]["entry"] == "steplint check"
    assert hooks["steplint-fix"]["entry"] == "steplint check --fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types"] == ["text"] and "types_or" not in hook
        assert hook["files"] == FILES
        assert hook["require_serial"] is False
        assert not hook.get("additional_dependencies")  # nothing fetched beyond the package


@pytest.mark.parametrize(
    "name, selected",
    [("conf/nemo.yaml", True), ("a.yml", True), ("ds_config.json", True), ("train.toml", True),
     ("launch.sh", True), ("run.bash", True), ("job.slurm", True), ("setup.py", False),
     ("README.md", False), ("yaml.txt", False), ("config.yaml.bak", False)],
)
def test_manifest_selects_configs_and_launch_scripts(name: str, selected: bool):
    """pre-commit matches `files` with re.search on the repo-relative path, then ANDs the
    identify tags; every selected name here is a text file, and `.slurm` (no identify tag of
    its own) gets through only because the filter is `text` plus the pattern."""
    assert bool(re.search(_hooks()["steplint"]["files"], name)) is selected


def _run(args: list[str], cwd: Path, env: dict, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _pre_commit() -> list[str]:
    exe = shutil.which("pre-commit")
    if exe:
        return [exe]
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    return [sys.executable, "-m", "pre_commit"]


def _write_config(work: Path, repo: Path, sha: str, hook: str) -> None:
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {repo}\n  rev: {sha}\n  hooks:\n  - id: {hook}\n"
    )


@pytest.mark.slow
def test_real_pre_commit_fails_fixes_and_passes(tmp_path: Path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pre_commit = _pre_commit()
    env = dict(
        os.environ,
        PRE_COMMIT_HOME=os.environ.get("STEPLINT_PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home")),
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid",
        PRE_COMMIT_COLOR="never",
    )
    env.pop("PYTHONPATH", None)  # the hook must run the installed package, not src/
    clone = tmp_path / "steplint"
    _run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], tmp_path, env).check_returncode()
    sha = _run(["git", "rev-parse", "HEAD"], clone, env).stdout.strip()

    work = tmp_path / "project"
    work.mkdir()
    _run(["git", "init", "--quiet"], work, env).check_returncode()
    config = work / "nemo_gpt_1b.yaml"
    original = NEMO.read_text()
    config.write_text(original)
    (work / "notes.yaml").write_text("# not a training config\ntitle: meeting notes\n")  # SL003 is info
    (work / "package.json").write_text('{"name": "web", "version": "1.0.0"}\n')

    _write_config(work, clone, sha, "steplint")
    _run(["git", "add", "-A"], work, env).check_returncode()
    check = _run([*pre_commit, "run", "--all-files"], work, env)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "SL301" in check.stdout, check.stdout
    assert config.read_text() == original  # the check hook writes nothing

    _write_config(work, clone, sha, "steplint-fix")
    _run(["git", "add", "-A"], work, env).check_returncode()
    fix = _run([*pre_commit, "run", "--all-files"], work, env)
    assert fix.returncode == 1 and "files were modified by this hook" in fix.stdout, fix.stdout + fix.stderr
    fixed = config.read_text()
    floor = yaml.safe_load(fixed)["model"]["optim"]["sched"]["min_lr"]
    assert isinstance(floor, float) and floor == 1e-5, fixed
    changed = [line for line in difflib.unified_diff(original.splitlines(), fixed.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-      min_lr: 1.5e-4  # 10% of peak", "+      min_lr: 1.0e-5  # 10% of peak"]

    _run(["git", "add", "-A"], work, env).check_returncode()
    again = _run([*pre_commit, "run", "--all-files"], work, env)
    assert again.returncode == 0, again.stdout + again.stderr
    _write_config(work, clone, sha, "steplint")
    _run(["git", "add", "-A"], work, env).check_returncode()
    final = _run([*pre_commit, "run", "--all-files"], work, env)
    assert final.returncode == 0, final.stdout + final.stderr
    assert config.read_text() == fixed
