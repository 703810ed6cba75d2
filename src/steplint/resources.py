"""Find the shipped `data/` and `schemas/` files.

In a wheel they live inside the package (`steplint/_data`, `steplint/_schemas`, mapped by
pyproject's force-include); in a source checkout or an editable install they are the
top-level `data/` and `schemas/` folders of the repository.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = _PACKAGE_DIR.parent.parent


def _folder(packaged: str, top_level: str) -> Path:
    inside = _PACKAGE_DIR / packaged
    if inside.is_dir():
        return inside
    return _REPO_ROOT / top_level


def data_path(name: str) -> Path:
    """Path of a file shipped in `data/`."""
    return _folder("_data", "data") / name


def schema_path(name: str) -> Path:
    """Path of a JSON Schema shipped in `schemas/`."""
    return _folder("_schemas", "schemas") / name


@lru_cache(maxsize=None)
def load_data_json(name: str) -> dict:
    """A `data/*.json` file, parsed once per process (json is imported here: most runs
    never read one, and the import is start-up time)."""
    import json

    with open(data_path(name), encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    import json

    with open(schema_path(name), encoding="utf-8") as fh:
        return json.load(fh)
