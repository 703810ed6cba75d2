"""Which rules run, which findings a file keeps, and at what severity.

Selectors are codes (`SL302`), code prefixes (`SL3`, `SL`), rule names (`steplaw-lr`) or
`ALL`, as in ruff's `select`/`extend-select`/`ignore` (../shared/docs/ux-and-style.md 2.2).
"""

from __future__ import annotations

import fnmatch
import os
import re
from typing import TYPE_CHECKING, Iterable, Mapping, Optional

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules.base import Rule

if TYPE_CHECKING:
    from steplint.settings import Settings

_CODE_PREFIX = re.compile(r"^SL\d{0,3}$", re.IGNORECASE)


class SelectorError(ValueError):
    """A selector that names no rule; the CLI turns it into exit 2."""


def matches(rule: Rule, selector: str) -> bool:
    sel = selector.strip()
    if sel.upper() == "ALL":
        return True
    if _CODE_PREFIX.match(sel):
        return rule.code.upper().startswith(sel.upper())
    return rule.name == sel.lower()


def check_selectors(selectors: Iterable[str], rules: Iterable[Rule], where: str) -> None:
    rules = tuple(rules)
    for sel in selectors:
        if not any(matches(r, sel) for r in rules):
            raise SelectorError(f"{where}: {sel!r} matches no rule (see `steplint rules`)")


def selected_codes(rules: Iterable[Rule], select: Optional[Iterable[str]], extend_select: Iterable[str], ignore: Iterable[str]) -> frozenset[str]:
    """Codes that run: `select` (default ALL) plus `extend_select`, minus `ignore`."""
    base = tuple(select) if select is not None else ("ALL",)
    chosen = tuple(base) + tuple(extend_select)
    ignored = tuple(ignore)
    return frozenset(
        r.code for r in rules
        if any(matches(r, s) for s in chosen) and not any(matches(r, s) for s in ignored)
    )


def _relative(path: str, root: Optional[str]) -> str:
    absolute = os.path.abspath(path)
    if root:
        rel = os.path.relpath(absolute, os.path.abspath(root))
        if not rel.startswith(".."):
            return rel.replace(os.sep, "/")
    return absolute.replace(os.sep, "/")


def _glob_hits(pattern: str, rel: str) -> bool:
    if "/" not in pattern:
        return fnmatch.fnmatchcase(rel.rsplit("/", 1)[-1], pattern) or fnmatch.fnmatchcase(rel, pattern)
    return fnmatch.fnmatchcase(rel, pattern.lstrip("/")) or fnmatch.fnmatchcase(rel, pattern)


def per_file_ignores(path: str, table: Mapping[str, Iterable[str]], root: Optional[str]) -> tuple[str, ...]:
    """Selectors ignored for `path` by `per-file-ignores` globs (relative to the settings
    file's folder; a leading `!` applies the entry to files the glob does NOT match)."""
    if not table:
        return ()
    rel = _relative(path, root)
    out: list[str] = []
    for pattern, selectors in table.items():
        negated = pattern.startswith("!")
        hit = _glob_hits(pattern[1:] if negated else pattern, rel)
        if hit != negated:
            out.extend(selectors)
    return tuple(out)


class Selection(NamedTuple):
    """The settings' selection, resolved once per run against the registered rules."""

    rules: tuple[Rule, ...]
    codes: frozenset[str]
    severity: Mapping[str, Severity]  # code -> overridden level
    per_file: Mapping[str, tuple[str, ...]]
    root: Optional[str]

    @classmethod
    def from_settings(cls, settings: "Settings", rules: Iterable[Rule]) -> "Selection":
        rules = tuple(rules)
        for where, sels in (("--select", settings.select or ()), ("--extend-select", settings.extend_select), ("--ignore", settings.ignore)):
            check_selectors(sels, rules, where)
        for pattern, sels in (settings.per_file_ignores or {}).items():
            check_selectors(sels, rules, f"per-file-ignores {pattern!r}")
        severity: dict[str, Severity] = {}
        for sel, level in (settings.severity or {}).items():
            check_selectors((sel,), rules, "severity")
            for r in rules:
                if matches(r, sel):
                    severity[r.code] = Severity.parse(level) if isinstance(level, str) else Severity(level)
        codes = selected_codes(rules, settings.select, settings.extend_select, settings.ignore)
        return cls(rules, codes, severity, dict(settings.per_file_ignores or {}), settings.root)

    def rule_runs(self, rule: Rule) -> bool:
        return rule.code in self.codes

    def keeps(self, diagnostic: Diagnostic) -> bool:
        if diagnostic.code not in self.codes:
            return False
        ignored = per_file_ignores(diagnostic.file, self.per_file, self.root)
        return not any(_code_matches(diagnostic, s) for s in ignored)

    def level(self, diagnostic: Diagnostic) -> Severity:
        return self.severity.get(diagnostic.code, diagnostic.severity)


def _code_matches(diagnostic: Diagnostic, selector: str) -> bool:
    sel = selector.strip()
    if sel.upper() == "ALL":
        return True
    if _CODE_PREFIX.match(sel):
        return diagnostic.code.upper().startswith(sel.upper())
    return diagnostic.name == sel.lower()
