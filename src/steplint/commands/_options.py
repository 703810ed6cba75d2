"""Command-line flags -> Settings, shared by the commands that take the `check` flags
(`check`, `show`, `report`): one place, so the commands do not import each other."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, TypeVar

from steplint.commands._argv import FLAG, Opt, PathType, with_options

if TYPE_CHECKING:
    from steplint.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])  # a click command callback, returned as it came

# The flags that supply facts no file holds, spelled and explained once for every command
# that reads recipes (check, show, report). Data, so `check` reads them without click.
FACT_OPTIONS = (
    Opt(("--world-size",), "Number of GPUs (data x tensor x pipeline x context parallel)."),
    Opt(("--tokens",), "Training tokens D, e.g. 1.4T."),
    Opt(("--seq-len",), "Training sequence length; k is 1024 here (4k = 4096)."),
    Opt(("--params",), "Step Law N (attention + FFN weights) where no file determines it, e.g. 7B or 1.4e9."),
    Opt(("--model",), "A Hugging Face config.json, or the folder holding one, giving the architecture.", path=PathType()),
    Opt(("--config",), "Settings file (pyproject.toml or .steplint.toml).", path=PathType()),
    Opt(("--isolated",), "Ignore every settings file.", kind=FLAG),
)


def fact_options(command: F) -> F:
    """Add the fact-supplying flags (--world-size ... --isolated) to a click command."""
    return with_options(FACT_OPTIONS)(command)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def build_settings(options: Mapping[str, Any], paths: tuple[str, ...]) -> "Settings":
    """Settings from the settings file (unless --isolated), then the command-line flags."""
    from steplint.quantities import parse_quantity
    from steplint.settings import RecipeGroup, Settings, with_cli

    if options["isolated"]:
        base = Settings()
    else:
        base = _discover_settings(options["config"], paths)
    changes: dict[str, Any] = {}
    for flag in ("select", "extend_select", "ignore"):
        values = _split(options[flag])
        if values:
            changes[flag] = values
    if options["world_size"]:
        changes["world_size"] = int(parse_quantity(options["world_size"], what="--world-size", integer=True))
    if options["tokens"]:
        changes["tokens"] = parse_quantity(options["tokens"], what="--tokens")
    if options["seq_len"]:
        changes["seq_len"] = int(parse_quantity(options["seq_len"], what="--seq-len", integer=True, binary=True))
    if options.get("params"):
        changes["params"] = parse_quantity(options["params"], what="--params")
    if options["model"]:
        changes["model"] = model_config(options["model"])
    for flag in ("dialect", "law_file"):
        if options.get(flag):
            changes[flag] = options[flag]
    if options.get("law") and options["law"] != "steplaw":
        changes["law"] = options["law"]
    if options["fail_on"]:
        from steplint.diagnostics import Severity

        changes["fail_on"] = Severity.parse(options["fail_on"])
    if options["recipe"]:
        groups = tuple(RecipeGroup(files=_split((r,)), origin="--recipe") for r in options["recipe"])
        changes["recipes"] = groups
    # flags lie over the settings file; the engine lays them over each file's own (per-file discovery)
    return with_cli(base, changes, discover=not (options["isolated"] or options["config"]))


def recipe_paths(recipes: tuple[str, ...]) -> tuple[str, ...]:
    """The files of `--recipe a,b` options, each once, in the order given."""
    return tuple(dict.fromkeys(_split(recipes)))


def model_config(path: str) -> str:
    """The config.json that `--model` names: the file itself, or `DIR/config.json` (a
    Hugging Face model folder). ValueError (a one-line usage error) when it is neither."""
    if os.path.isdir(path):
        inner = os.path.join(path, "config.json")
        if not os.path.isfile(inner):
            raise ValueError(f"--model {path}: the folder holds no config.json (pass a Hugging Face "
                             "config.json or the folder that holds one)")
        return inner
    if not os.path.isfile(path):
        raise ValueError(f"--model {path}: no such file or directory")
    return path


def _discover_settings(config: Optional[str], paths: tuple[str, ...]) -> "Settings":
    """`--config`, else the nearest `[tool.steplint]` / `.steplint.toml` above the first
    path (steplint.settings); its errors are ValueErrors naming file:line:col."""
    from steplint.settings import load_settings

    return load_settings(config=config, paths=paths)
