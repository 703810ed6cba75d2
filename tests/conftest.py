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
