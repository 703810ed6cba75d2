"""Shared test fixtures.

`shared_dir` is the read-only ../shared folder beside the checkout (docs, corpus, the
public Step Law data). It is absent in a user's clone: tests that need it skip with a
clear reason. STEPLINT_SHARED overrides the location.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("STEPLINT_SHARED", REPO_ROOT.parent / "shared")).resolve()
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the calling test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only beside the project's own checkout and CI)")
    return path


@pytest.fixture
def shared_dir() -> Path:
    return shared_path()


def load_script(name: str):
    """A module of `scripts/` (not a package), loaded from its file for tests to call."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_json_close(fresh, shipped, *, rel: float, abs_tol: float, where: str = "$") -> None:
    """Same structure and strings as `shipped`; floats equal within `rel` (or `abs_tol`).
    Used to compare a regenerated data file with the one the package ships."""
    if isinstance(shipped, dict):
        assert fresh.keys() == shipped.keys(), where
        for key in shipped:
            assert_json_close(fresh[key], shipped[key], rel=rel, abs_tol=abs_tol, where=f"{where}.{key}")
    elif isinstance(shipped, list):
        assert len(fresh) == len(shipped), where
        for i, (a, b) in enumerate(zip(fresh, shipped)):
            assert_json_close(a, b, rel=rel, abs_tol=abs_tol, where=f"{where}[{i}]")
    elif isinstance(shipped, float):
        assert fresh == pytest.approx(shipped, rel=rel, abs=abs_tol), where
    else:
        assert fresh == shipped, where
