"""Settings: one frozen value filled from `[tool.steplint]` / `.steplint.toml` and the CLI.

The CLI layer builds it; the core only reads it. Discovery, the settings file format
(schemas/settings.schema.json) and its validation live here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from steplint.diagnostics import Severity


@dataclass(frozen=True)
class RecipeGroup:
    """Files that form one recipe (`--recipe a,b` or `[[tool.steplint.recipes]]`), plus
    facts no file holds (world size, tokens, ...)."""

    files: tuple[str, ...]
    facts: Mapping[str, Any] = field(default_factory=dict)
    origin: str = ""  # settings file or "--recipe"


@dataclass(frozen=True)
class Settings:
    # where they came from
    config_file: Optional[str] = None
    root: Optional[str] = None  # folder of the settings file; globs are relative to it
    # facts no file holds
    world_size: Optional[int] = None
    tokens: Optional[float] = None
    seq_len: Optional[int] = None
    model: Optional[str] = None
    recipes: tuple[RecipeGroup, ...] = ()
    dialect: Optional[str] = None
    # rule selection
    select: Optional[tuple[str, ...]] = None  # None: the default set (all rules)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    severity: Mapping[str, Severity] = field(default_factory=dict)  # code or name -> level
    fail_on: Severity = Severity.WARNING
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # files
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    max_file_size: int = 10 * 1024 * 1024
    # framework versions for deprecation checks (SL703): framework -> version string
    target_versions: Mapping[str, str] = field(default_factory=dict)
