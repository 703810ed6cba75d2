"""Find the shipped `data/` and `schemas/` files.

In a wheel they live inside the package (`steplint/_data`, `steplint/_schemas`, mapped by
pyproject's force-include); in a source checkout or an editable install they are the
top-level `data/` and `schemas/` folders of the repository.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

# os.path, not pathlib: rules read data files on every `check`, and pathlib's import is
# start-up time the one-file budget (architecture.md section 7) cannot spare.
_PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))
_REPO_ROOT = os.path.dirname(os.path.dirname(_PACKAGE_DIR))


def _file(packaged: str, top_level: str, name: str) -> str:
    inside = os.path.join(_PACKAGE_DIR, packaged)
    folder = inside if os.path.isdir(inside) else os.path.join(_REPO_ROOT, top_level)
    return os.path.join(folder, name)


def data_path(name: str) -> "Path":
    """Path of a file shipped in `data/`."""
    from pathlib import Path

    return Path(_file("_data", "data", name))


def schema_path(name: str) -> "Path":
    """Path of a JSON Schema shipped in `schemas/`."""
    from pathlib import Path

    return Path(_file("_schemas", "schemas", name))


@lru_cache(maxsize=None)
def load_data_json(name: str) -> dict[str, Any]:
    """A `data/*.json` file, parsed once per process (json is imported here: most runs
    never read one, and the import is start-up time). Its values are what the file holds:
    each reader knows its file's shape."""
    import json

    with open(_file("_data", "data", name), encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    import json

    with open(_file("_schemas", "schemas", name), encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema
