"""The explicit list of dialect modules, and picking one for a document.

Each entry is a module name in `steplint.dialects`; modules are imported on first use so
a run over HF files never imports the Megatron reader. To add a framework, write
`dialects/<name>.py` (contract in `base.py`; a large one may be a package, as `megatron/` is)
and add its module name here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Optional, cast

from steplint.dialects.base import Dialect
from steplint.documents.nodes import Document

if TYPE_CHECKING:  # mypy checks every module against the Dialect protocol (nothing at run time)
    from steplint.dialects import (axolotl, deepspeed, hf_config, hf_training_args, levanter, litgpt,
                                   llama_factory, maxtext, megatron, nanotron, nemo, neox, olmo, torchtitan)

    _CHECKED: tuple[Dialect, ...] = (hf_config, hf_training_args, megatron, nemo, neox, deepspeed, torchtitan,
                                     olmo, litgpt, nanotron, axolotl, llama_factory, maxtext, levanter)

# Order breaks ties between equal detection scores: the more specific format first.
DIALECT_MODULES: tuple[str, ...] = (
    "hf_config",
    "hf_training_args",
    "megatron",
    "nemo",
    "neox",
    "deepspeed",
    "torchtitan",
    "olmo",
    "litgpt",
    "nanotron",
    "axolotl",
    "llama_factory",
    "maxtext",
    "levanter",
)

# A score below this is "not this framework" (detect returns 0..1).
MIN_SCORE = 0.25


_LOADED: dict[str, Dialect] = {}  # module name -> module: import_module's lookup cost ~20 us, 14 times per file


def load_dialect(module_name: str) -> Dialect:
    module = _LOADED.get(module_name)
    if module is None:
        module = _LOADED[module_name] = cast(Dialect, importlib.import_module(f"steplint.dialects.{module_name}"))
    return module


def all_dialects() -> list[Dialect]:
    return [load_dialect(name) for name in DIALECT_MODULES]


def dialect_names() -> list[str]:
    """The values `--dialect` accepts (each module's NAME)."""
    return [module.NAME for module in all_dialects()]


def get_dialect(name: str) -> Dialect:
    """The dialect whose NAME (or module name) is `name`; ValueError for an unknown one."""
    wanted = name.strip().lower().replace("_", "-")
    for module_name in DIALECT_MODULES:
        if module_name.replace("_", "-") == wanted:
            return load_dialect(module_name)
    for module in all_dialects():
        if module.NAME.lower() == wanted:
            return module
    raise ValueError(f"unknown dialect {name!r} (choose from {', '.join(sorted(dialect_names()))})")


def detect_dialect(doc: Document, forced: Optional[str] = None) -> Optional[Dialect]:
    """The dialect module for `doc`, or None when no dialect recognises it.

    With `forced` (`--dialect NAME`), that dialect if it finds anything it knows in the
    document, else None (the caller reports SL003 as an error then). Raises ValueError for
    an unknown forced name. Without it, the highest score wins; a certain match (1.0)
    stops the scan, so an HF file never imports the other frameworks' readers.
    """
    if doc.root is None:
        return None
    if forced:
        module = get_dialect(forced)
        return module if module.detect(doc) > 0 else None
    best: Optional[Dialect] = None
    best_score = MIN_SCORE
    for name in DIALECT_MODULES:
        module = load_dialect(name)
        score = module.detect(doc)
        if score > best_score:
            best, best_score = module, score
            if score >= 1.0:
                break
    return best
