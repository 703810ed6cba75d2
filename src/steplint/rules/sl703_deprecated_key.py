"""SL703 deprecated-key: keys renamed or removed in the target framework version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Optional

from steplint.diagnostics import Diagnostic, Severity
from steplint.documents.nodes import MappingNode
from steplint.resources import load_data_json
from steplint.rules._support import dialect_of, node_source
from steplint.rules.base import Rule, RuleContext, RuleDocs

if TYPE_CHECKING:
    from steplint.documents.nodes import Node

_LATEST = (10**9,)


def version_tuple(version: Optional[str]) -> tuple[Any, ...]:
    """'5.2' -> (5, 2); 'latest' or None -> newer than any release."""
    if not version or str(version).lower() == "latest":
        return _LATEST
    parts = []
    for piece in str(version).lstrip("v").split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts) or _LATEST


def normalize_key(key: str) -> str:
    """Megatron/NeoX spell flags with dashes (`--lr-decay-iters`, `lr-decay-iters`)."""
    normalized = _NORMALIZED.get(key)
    if normalized is None:
        if len(_NORMALIZED) >= 4096:  # bounded: a hostile file may hold many distinct keys
            _NORMALIZED.clear()
        normalized = _NORMALIZED[key] = key.lstrip("-").replace("-", "_")
    return normalized


# Flag spellings seen so far (SL703 and SL704 read every root key of every Megatron file: the
# same few hundred flag names, config after config).
_NORMALIZED: dict[str, str] = {}


def _keys(node: Optional[Node], prefix: str = "") -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(normalized dotted key, (key node, value node)) for every mapping key."""
    if isinstance(node, MappingNode):
        for key, value in node.items:
            if not isinstance(key.value, str):
                continue
            dotted = f"{prefix}{normalize_key(key.value)}"
            yield dotted, (key, value)
            yield from _keys(value, dotted + ".")


def _present(node: Node, wanted: frozenset[str], heads: frozenset[str], prefix: str,
             out: dict[str, tuple[Any, ...]]) -> None:
    """What `dict(_keys(node))` holds for the `wanted` keys (the later of repeated keys wins,
    in the same depth-first order), without visiting subtrees that hold none of them (`heads`:
    every text before a dot of a wanted key)."""
    if isinstance(node, MappingNode):
        for key, value in node.items:
            if not isinstance(key.value, str):
                continue
            dotted = f"{prefix}{normalize_key(key.value)}"
            if dotted in wanted:
                out[dotted] = (key, value)
            if dotted in heads:
                _present(value, wanted, heads, dotted + ".", out)


_WANTED: dict[str, tuple[frozenset[str], frozenset[str]]] = {}  # framework -> (its keys, their heads)


def _wanted(name: str, table: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    known = _WANTED.get(name)
    if known is None:
        keys = frozenset(entry["key"] for entry in table["keys"])
        heads = frozenset(key[:i] for key in keys for i, c in enumerate(key) if c == ".")
        known = _WANTED[name] = (keys, heads)
    return known


def _framework(dialect: Optional[str]) -> Optional[tuple[str, dict[str, Any]]]:
    for name, table in load_data_json("framework_keys.json")["frameworks"].items():
        if dialect in table["dialects"]:
            return name, table
    return None


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    targets = dict(getattr(ctx.settings, "target_versions", None) or {})
    for path, doc in ctx.documents.items():
        found = _framework(dialect_of(ctx.recipe, path))
        if found is None or not isinstance(getattr(doc, "root", None), MappingNode):
            continue
        name, table = found
        variant = ctx.recipe.notes_of(path).variant
        if variant and table.get("variants") and not variant.startswith(tuple(table["variants"])):
            continue  # e.g. the Megatron-DeepSpeed forks keep Megatron-LM's old flag names
        pinned = name in targets
        target = targets.get(name, table["default_version"])
        wanted = version_tuple(target)
        present: dict[str, tuple[Any, ...]] = {}
        _present(doc.root, *_wanted(name, table), "", present)
        for entry in table["keys"]:
            pair = present.get(entry["key"])
            if pair is None:
                continue
            key_node = pair[0]
            deprecated, removed = entry.get("deprecated"), entry.get("removed")
            if deprecated and wanted < version_tuple(deprecated):
                continue
            state = (f"removed in {name} {removed}" if removed and wanted >= version_tuple(removed)
                     else f"deprecated since {name} {deprecated}" if deprecated else "renamed")
            # Which version the run uses is the evidence: without a pinned target, steplint only
            # knows the key is gone from the newest release it describes, and a repository on an
            # older release is fine; so a notice that says how to make it a verdict.
            unpinned = ("" if pinned else f"; steplint assumes the newest {name} it describes: set "
                        f"[tool.steplint.target-version] {name} = \"X.Y\" to judge the version you run")
            yield ctx.diagnostic(
                f"{entry['key']} is {state} (target {name} {target}): use {entry['replacement']}; {entry['note']}"
                + unpinned,
                at=node_source(path, entry["key"], key_node),
                severity=None if pinned else Severity.INFO,
            )


RULE = Rule(
    code="SL703",
    name="deprecated-key",
    severity=Severity.WARNING,
    summary="Renamed or deprecated keys for the target framework version (settable).",
    check=_check,
    docs=RuleDocs(
        what=(
            "Looks up every key of a file in data/framework_keys.json, the renames and removals steplint knows "
            "for transformers, torchtitan, MaxText, DeepSpeed and Megatron-LM, and reports the ones that are "
            "deprecated or gone at the target version. Target versions default to the newest version steplint "
            "describes (transformers 5.25, torchtitan 0.2.2) and are set in the settings table "
            "[tool.steplint.target-version] (e.g. transformers = \"4.46\"). A warning needs a pinned "
            "target version: against the default one the finding is info, because a repository on an "
            "older release may use the old key correctly."
        ),
        why=(
            "A renamed key is either rejected at start (transformers 5.15 reports warmup_ratio as a field "
            "that does not exist) or, worse, silently ignored, so the run uses the default instead "
            "(torchtitan's old [training] batch_size or lr_min). Configs copied from older examples carry "
            "the old names for years."
        ),
        evidence=(
            "https://github.com/huggingface/transformers/pull/41326",
            "https://github.com/pytorch/torchtitan/pull/1238",
            "https://github.com/pytorch/torchtitan/pull/1471",
            "https://github.com/pytorch/torchtitan/pull/938",
            "formats-hf-modern.md §12.10 (schema drift by version)",
        ),
        example="warmup_ratio: 0.03   # transformers >= 5.15: use warmup_steps: 0.03",
        fix=(
            "Rename the key (or move it to its new table) as the message says. No automatic fix yet: the fixer "
            "verifies that only the edited values change, and a rename removes a key."
        ),
        suppress="Pin versions in [tool.steplint.target-version], e.g. transformers = \"4.46\".",
    ),
)
