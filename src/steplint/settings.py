"""Settings: one frozen value filled from `[tool.steplint]` / `.steplint.toml` and the CLI.

The CLI layer builds it; the core only reads it. Discovery, the settings file format
(schemas/settings.schema.json) and its validation live here too.

Discovery (architecture.md section 5): `--config FILE`, else the nearest `.steplint.toml`
or `pyproject.toml` with a `[tool.steplint]` table, walking up from the checked file (or
the working directory); `--isolated` reads none. Validation runs on every `check`, so it
does not import jsonschema (start-up budget, architecture.md section 7): `validate`
interprets the subset of JSON Schema that schemas/settings.schema.json uses, and a test
checks that it agrees with jsonschema. Errors name file:line:col and the key.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence, Union

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import EMPTY_MAPPING, Severity

if TYPE_CHECKING:  # pathlib costs ~3 ms to import: only a found settings file is a Path
    from pathlib import Path

    from steplint.documents.nodes import Node

SETTINGS_SCHEMA = "settings.schema.json"
# Looked for in each folder, in this order (ruff's order: dedicated file first).
SETTINGS_FILES = (".steplint.toml", "pyproject.toml")


class RecipeGroup(NamedTuple):
    """Files that form one recipe (`--recipe a,b` or `[[tool.steplint.recipes]]`), plus
    facts no file holds (world size, tokens, ...)."""

    files: tuple[str, ...]
    facts: Mapping[str, Any] = EMPTY_MAPPING
    origin: str = ""  # settings file or "--recipe"


class Settings(NamedTuple):
    # where they came from
    config_file: Optional[str] = None
    root: Optional[str] = None  # folder of the settings file; globs are relative to it
    # facts no file holds
    world_size: Optional[int] = None
    tokens: Optional[float] = None
    seq_len: Optional[int] = None
    params: Optional[float] = None  # Step Law N where no file determines it (--params)
    model: Optional[str] = None
    recipes: tuple[RecipeGroup, ...] = ()
    dialect: Optional[str] = None
    # the law SL302/SL303 judge against (`--law`; others give info only) and a refitted
    # Step Law (`--law-file`, steplint.laws.lawfile); command line only
    law: str = "steplaw"
    law_file: Optional[str] = None
    # rule selection
    select: Optional[tuple[str, ...]] = None  # None: the default set (all rules)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = EMPTY_MAPPING
    severity: Mapping[str, Severity] = EMPTY_MAPPING  # code or name -> level
    fail_on: Severity = Severity.WARNING
    rule_options: Mapping[str, Mapping[str, Any]] = EMPTY_MAPPING
    # files
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    max_file_size: int = 10 * 1024 * 1024
    # framework versions for deprecation checks (SL703): framework -> version string
    target_versions: Mapping[str, str] = EMPTY_MAPPING
    # the command line's part (Settings field -> value, see `with_cli`), kept so the engine
    # can lay it over the settings file it discovers for each recipe (`for_path`)
    cli: Mapping[str, Any] = EMPTY_MAPPING
    discover: bool = False  # True unless --config or --isolated: each file finds its own


_FIELD_NAMES = frozenset(Settings._fields) - {"cli", "discover"}


class SettingsError(ValueError):
    """Bad settings: the message is one line, `file:line:col: what is wrong`."""


# ---------------------------------------------------------------------------------------
# Validation: the subset of JSON Schema that settings.schema.json uses


# Where a value sits in the settings table: its keys, and 0-based indexes into arrays.
KeyPath = tuple[Union[str, int], ...]


class Problem(NamedTuple):  # a private record: cheaper to define than a dataclass on every run
    path: KeyPath
    message: str
    node: Optional[Node] = None  # the document node to point at, when known


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


def validate(value: Any, schema: Mapping[str, Any], *, node: Optional[Node] = None,
             root_schema: Optional[Mapping[str, Any]] = None, path: KeyPath = ()) -> list[Problem]:
    """Problems of `value` (plain TOML data) against `schema`: type, enum, minimum,
    exclusiveMinimum, minLength, pattern, properties, additionalProperties, required,
    items, minItems and local `$ref`. `node` is the matching document node, so problems
    can point at a line."""
    root_schema = root_schema or schema
    if "$ref" in schema:
        target: Any = root_schema
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    problems: list[Problem] = []
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else list(types)
        if not any(_TYPES[t](value) for t in allowed):
            return [Problem(path, f"should be {' or '.join(_TYPE_WORDS[t] for t in allowed)}, "
                                  f"not {_describe(value)}", node)]
    if "enum" in schema and value not in schema["enum"]:
        return [Problem(path, f"should be one of {', '.join(map(repr, schema['enum']))}, not {_describe(value)}", node)]
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(Problem(path, f"should be at least {schema['minimum']}, not {value!r}", node))
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            problems.append(Problem(path, f"should be greater than {schema['exclusiveMinimum']}, not {value!r}", node))
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            problems.append(Problem(path, "should not be empty", node))
        elif "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(Problem(path, f"{value!r} is not a number (use e.g. 2048, 1.4e12, \"1.4T\")", node))
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            problems.append(Problem(path, f"should have at least {schema['minItems']} item(s)", node))
        items = schema.get("items")
        if items is not None:
            for i, item in enumerate(value):
                problems += validate(item, items, node=_child(node, i), root_schema=root_schema, path=path + (i,))
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key not in value:
                problems.append(Problem(path, f"needs `{key}`", node))
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            child = _child(node, key)
            if key in properties:
                problems += validate(item, properties[key], node=child, root_schema=root_schema, path=path + (key,))
            elif extra is False:
                problems.append(Problem(path + (key,), _unknown_key(key, properties), _key_node(node, key)))
            elif isinstance(extra, Mapping):
                problems += validate(item, extra, node=child, root_schema=root_schema, path=path + (key,))
    return problems


_TYPE_WORDS = {"object": "a table", "array": "an array", "string": "a string", "boolean": "true or false",
               "integer": "a whole number", "number": "a number"}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def _unknown_key(key: str, known: Iterable[str]) -> str:
    import difflib  # only once a key is wrong

    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    if "_" in key and key.replace("_", "-") in known:
        hint = f"; keys are kebab-case: `{key.replace('_', '-')}`"
    return f"unknown key `{key}`{hint}"


def _child(node: Optional[Node], key: Union[str, int]) -> Optional[Node]:
    from steplint.documents.nodes import MappingNode, SequenceNode

    if isinstance(node, MappingNode) and isinstance(key, str):  # TOML keys are strings
        return node.get(key)
    if isinstance(node, SequenceNode) and isinstance(key, int) and key < len(node.items):
        return node.items[key]
    return None


def _key_node(node: Optional[Node], key: str) -> Optional[Node]:
    from steplint.documents.nodes import MappingNode

    if isinstance(node, MappingNode):
        pair = node.get_pair(key)
        if pair is not None:
            return pair[0]
    return node


# ---------------------------------------------------------------------------------------
# Discovery and loading


def find_settings_file(start: "str | os.PathLike[str]") -> Optional[Path]:
    """The nearest `.steplint.toml`, or `pyproject.toml` with `[tool.steplint]`, in `start`
    or a folder above it. Walks with os.path so a run without a settings file never imports
    pathlib (start-up budget, architecture.md section 7)."""
    start = os.fspath(start)
    folder = os.path.realpath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        for name in SETTINGS_FILES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_tool_table(candidate)):
                from pathlib import Path

                return Path(candidate)
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_tool_table(pyproject: str) -> bool:
    try:
        with open(pyproject, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return False
    return re.search(r"^\s*\[\[?\s*tool\s*\.\s*steplint\b", text, re.M) is not None \
        or re.search(r"^\s*tool\s*\.\s*steplint\s*[.=]", text, re.M) is not None


def load_settings(config: Optional[str] = None, isolated: bool = False, start: "Optional[str | os.PathLike[str]]" = None,
                  cli_overrides: Optional[Mapping[str, Any]] = None, *, paths: Sequence[str] = ()) -> Settings:
    """Settings from `config` (a pyproject.toml or .steplint.toml), else discovered from
    `start` (default: the folder of the first path, else the working directory), then
    `cli_overrides` (Settings field names) on top. `isolated` reads no file.

    Raises SettingsError (a ValueError) with file:line:col for bad or unknown keys."""
    if isolated:
        base = Settings()
    elif config:
        if not os.path.isfile(config):
            raise SettingsError(f"{config}: settings file not found")
        from pathlib import Path

        base = read_settings_file(Path(config))
    else:
        if start is None:
            first = next((p for p in paths if p and p != "-"), None)
            start = first if first and os.path.exists(first) else os.getcwd()
        found = find_settings_file(start)
        base = read_settings_file(found) if found is not None else Settings()
    overrides = {k: v for k, v in (cli_overrides or {}).items() if v is not None}
    unknown = set(overrides) - _FIELD_NAMES
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return base._replace(**overrides) if overrides else base


@lru_cache(maxsize=256)
def _settings_in(folder: str) -> Settings:
    found = find_settings_file(folder)
    return read_settings_file(found) if found is not None else Settings()


def settings_for(path: str) -> Settings:
    """The settings that apply to `path` by discovery (nearest settings file above it);
    cached per folder, for runs over trees with several settings files."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    return _settings_in(folder)


def with_cli(base: Settings, cli: Mapping[str, Any], *, discover: bool = False) -> Settings:
    """`base` (a settings file's) with the command line's values on top: flags always win.
    `select` replaces; `extend_select` and `ignore` add to the file's; `--recipe` groups
    come before the file's groups (the first group holding a path wins); the rest replace.
    None values are flags not given."""
    given = {k: v for k, v in cli.items() if v is not None}
    unknown = set(given) - _FIELD_NAMES
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    changes = dict(given)
    for name in ("extend_select", "ignore"):
        if name in given:
            changes[name] = tuple(getattr(base, name)) + tuple(given[name])
    if "recipes" in given:
        changes["recipes"] = tuple(given["recipes"]) + tuple(base.recipes)
    return base._replace(**changes, cli=dict(given), discover=discover)


def for_path(run: Settings, path: str) -> Settings:
    """The settings for a recipe whose (first passed) file is `path`: with `discover`, the
    nearest settings file above it (architecture.md section 5: per file, not per run) with
    the run's command-line values laid over it; else `run` itself (--config, --isolated)."""
    if not run.discover:
        return run
    found = settings_for(path)
    if found.config_file == run.config_file:
        return run
    return with_cli(found, run.cli, discover=True)


def read_settings_file(path: Path) -> Settings:
    """Parse, validate and convert one settings file."""
    from steplint.documents.load import load_document
    from steplint.documents.nodes import MappingNode, lookup, to_python
    from steplint.resources import load_schema

    shown = os.path.relpath(path) if not str(path).startswith("..") else str(path)
    doc = load_document(str(path), kind="toml")
    failures = [d for d in doc.diagnostics if d.code in ("SL001", "SL002")]
    if doc.root is None and not failures:  # an empty file: no settings, but it is found first
        return Settings(config_file=str(path), root=str(path.parent))
    if doc.root is None or failures:
        d = failures[0] if failures else None
        where = f"{shown}:{d.line}:{d.column}" if d else shown
        raise SettingsError(f"{where}: {d.message if d else 'cannot be read as TOML'}")
    is_pyproject = path.name == "pyproject.toml"
    table = lookup(doc.root, "tool.steplint") if is_pyproject else doc.root
    prefix = ("tool", "steplint") if is_pyproject else ()
    if table is None:
        return Settings(config_file=str(path), root=str(path.parent))
    if not isinstance(table, MappingNode):
        raise SettingsError(f"{shown}:{table.span.start.line}:{table.span.start.column}: `[tool.steplint]` should be a table")
    nested = lookup(table, "tool.steplint") if not is_pyproject else None
    if nested is not None:  # `[tool.steplint]` is pyproject.toml's table; elsewhere keys are top-level
        span = nested.span
        raise SettingsError(
            f"{shown}:{span.start.line}:{span.start.column}: `[tool.steplint]` is read only in pyproject.toml; "
            f"in {path.name} write its keys at the top level (drop the `[tool.steplint]` header, and "
            f"`[tool.steplint.X]` becomes `[X]`), or name the file pyproject.toml")
    data = to_python(table)
    problems = validate(data, load_schema(SETTINGS_SCHEMA), node=table)
    if problems:
        first = problems[0]
        span = getattr(first.node, "span", None) or table.span
        key = spell_key(prefix + tuple(first.path))
        if first.message.startswith("unknown key `"):  # the leaf alone: say where it is
            what = "unknown key `" + key + first.message[len("unknown key `") + len(str(first.path[-1])):]
        else:
            what = f"`{key}` {first.message}" if key else first.message
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SettingsError(f"{shown}:{span.start.line}:{span.start.column}: {what}{more}")
    option_problems = rule_option_problems(data.get("rules") or {}, _child(table, "rules"), prefix)
    if option_problems:
        first = option_problems[0]
        span = getattr(first.node, "span", None) or table.span
        more = f" (and {len(option_problems) - 1} more)" if len(option_problems) > 1 else ""
        raise SettingsError(f"{shown}:{span.start.line}:{span.start.column}: {first.message}{more}")
    return _to_settings(data, path)


def rule_option_problems(rules: Mapping[str, Any], node: Optional[Node] = None,
                         key_prefix: KeyPath = ()) -> list[Problem]:
    """Problems of the `rules` table (rule code or name -> its options) against the options
    each rule declares (rules/base.py `Option`): an unknown rule, an unknown option, a
    wrong type or a value out of range. `node` is the table's document node (for lines)."""
    from steplint.rules.base import Option
    from steplint.rules.registry import get_rule

    problems: list[Problem] = []
    for key, options in rules.items():
        rule = get_rule(str(key))
        rule_node = _child(node, key)
        if rule is None:
            problems.append(Problem(("rules", key), f"`{spell_key(key_prefix + ('rules', key))}`: no rule has this code or name",
                                    _key_node(node, key)))
            continue
        if not isinstance(options, dict):
            continue  # the schema says it should be a table
        declared = rule.options
        for name, value in options.items():
            where = f"`{spell_key(key_prefix + ('rules', key, name))}`"
            spec = declared.get(str(name).replace("-", "_"))  # kebab-case spellings too
            if spec is None:
                known = ", ".join(f"`{n}`" for n in declared) or "none"
                problems.append(Problem(("rules", key, name),
                                        f"{where}: {rule.code} has no option `{name}` (its options: {known})",
                                        _key_node(rule_node, name)))
                continue
            if isinstance(spec, Option):
                why = spec.problem(value)
                if why:
                    problems.append(Problem(("rules", key, name), f"{where} {why}", _child(rule_node, name)))
    return problems


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def spell_key(path: KeyPath) -> str:
    """A settings key in full, as TOML writes it: `tool.steplint.per-file-ignores."a.json"`,
    and an item of an array of tables as `recipes[1]` (1-based: the first `[[...]]` is 1)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            text = str(part) if _BARE_KEY.match(str(part)) else '"' + str(part).replace('"', '\\"') + '"'
            out += ("." if out else "") + text
    return out


def _to_settings(data: Mapping[str, Any], path: Path) -> Settings:
    from steplint.quantities import parse_quantity

    root = path.parent

    def local(p: str) -> str:
        return p if os.path.isabs(p) else os.path.normpath(os.path.join(root, p))

    def count(value: Any, what: str, binary: bool = False) -> int:
        return value if isinstance(value, int) else int(parse_quantity(value, what=what, integer=True, binary=binary))

    def facts_of(table: Mapping[str, Any], where: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "world-size" in table:
            out["world-size"] = table["world-size"]
        if "tokens" in table:
            out["tokens"] = parse_quantity(table["tokens"], what=f"{where}tokens")
        if "params" in table:
            out["params"] = parse_quantity(table["params"], what=f"{where}params")
        if "seq-len" in table:
            # sequence lengths are binary: a "4k" context is 4096 tokens, as for --seq-len
            out["seq-len"] = count(table["seq-len"], f"{where}seq-len", binary=True)
        if "model" in table:
            out["model"] = local(table["model"])
        return out

    try:
        top = facts_of(data, "")
        changes: dict[str, Any] = {
            "config_file": str(path),
            "root": str(root),
            "world_size": top.get("world-size"),
            "tokens": top.get("tokens"),
            "seq_len": top.get("seq-len"),
            "params": top.get("params"),
            "model": top.get("model"),
            "dialect": data.get("dialect"),
            "recipes": tuple(
                RecipeGroup(files=tuple(local(f) for f in group["files"]), facts=facts_of(group, "recipes "),
                            origin=str(path))
                for group in data.get("recipes", ())
            ),
            "extend_select": tuple(data.get("extend-select", ())),
            "ignore": tuple(data.get("ignore", ())),
            "per_file_ignores": {glob: tuple(codes) for glob, codes in data.get("per-file-ignores", {}).items()},
            "severity": {code: Severity.parse(level) for code, level in data.get("severity", {}).items()},
            "rule_options": {code: {str(k).replace("-", "_"): v for k, v in options.items()}
                             for code, options in data.get("rules", {}).items()},
            "exclude": tuple(data.get("exclude", ())),
            "extend_exclude": tuple(data.get("extend-exclude", ())),
            "target_versions": dict(data.get("target-version", {})),
        }
        if "select" in data:
            changes["select"] = tuple(data["select"])
        if "fail-on" in data:
            changes["fail_on"] = Severity.parse(data["fail-on"])
        if "respect-gitignore" in data:
            changes["respect_gitignore"] = data["respect-gitignore"]
        if "max-file-size" in data:
            changes["max_file_size"] = count(data["max-file-size"], "max-file-size")
    except ValueError as error:
        raise SettingsError(f"{path}: {error}") from None
    return Settings(**changes)
