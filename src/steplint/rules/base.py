"""The rule model: one module per rule, each defining `RULE = Rule(...)`.

A rule sees the resolved Recipe (and the Documents, for glue checks) and yields
Diagnostics that point at the span of the fact they blame, optionally with a Fix.
Input rules (SL001-SL007) are produced upstream by loaders, dialects and the resolver;
their modules carry docs only (`check=None`).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import EMPTY_MAPPING, Diagnostic, Fix, Location, Severity
from steplint.recipe import Fact, Recipe, Source


class RuleDocs(NamedTuple):
    """What `steplint explain` prints and docs/rules.md is generated from."""

    what: str  # what it checks
    why: str  # why it matters, with the expected cost where known
    evidence: tuple[str, ...] = ()  # issue links, papers behind the threshold
    example: str = ""  # a config snippet that triggers it
    fix: str = ""  # how to fix; whether --fix does it and how safe that is
    suppress: str = ""  # extra notes on suppression (the generic syntax is added)


class Option(NamedTuple):
    """One rule option, typed as yamllint's `CONF` types its rules' options: settings are
    checked against it when read (a wrong type or range is a settings error at its
    file:line:col, exit 2), so a rule never sees `max_fraction = "lots"`."""

    default: Any
    kind: str  # "number" (int or float), "integer" or "string"
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    exclusive_minimum: bool = False  # minimum itself is not allowed (a fraction > 0)
    choices: tuple[Any, ...] = ()  # allowed strings, when the set is closed
    help: str = ""

    def problem(self, value: Any) -> str:
        """Why `value` is not allowed ("" when it is)."""
        if self.kind in ("number", "integer"):
            wanted = int if self.kind == "integer" else (int, float)
            if isinstance(value, bool) or not isinstance(value, wanted):
                return f"should be {'a whole number' if self.kind == 'integer' else 'a number'}, not {value!r}"
            if value != value or value in (float("inf"), float("-inf")):
                return f"should be a finite number, not {value!r}"
            if self.minimum is not None and (value < self.minimum or self.exclusive_minimum and value == self.minimum):
                return f"should be {'greater than' if self.exclusive_minimum else 'at least'} {self.minimum:g}, not {value!r}"
            if self.maximum is not None and value > self.maximum:
                return f"should be at most {self.maximum:g}, not {value!r}"
            return ""
        if not isinstance(value, str):
            return f"should be a string, not {value!r}"
        if self.choices and value.lower() not in self.choices:
            return f"should be one of {', '.join(map(repr, self.choices))}, not {value!r}"
        return ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"default": self.default, "type": self.kind}
        for name in ("minimum", "maximum", "exclusive_minimum", "choices", "help"):
            value = getattr(self, name)
            if value not in (None, False, (), ""):
                out[name] = list(value) if isinstance(value, tuple) else value
        return out


def option_default(value: Any) -> Any:
    """The default of a declared option (an Option, or a bare default of an untyped one)."""
    return value.default if isinstance(value, Option) else value


class Rule(NamedTuple):
    code: str  # "SL301": stable
    name: str  # "steplaw-recipe": kebab-case
    severity: Severity  # default; rules "by penalty" pick per finding, overrides win
    summary: str  # one line
    docs: RuleDocs
    check: Optional[Callable[["RuleContext"], Iterable[Diagnostic]]] = None
    fix_applicability: Optional[str] = None  # "safe" | "unsafe" | None
    formats: tuple[str, ...] = ()  # dialect names it applies to ("" = all)
    options: Mapping[str, Any] = EMPTY_MAPPING  # name -> Option (type, range, default); settings override

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "summary": self.summary,
            "fix": self.fix_applicability,
            "formats": list(self.formats),
            "options": {k: option_default(v) for k, v in self.options.items()},
            "option_types": {k: v.to_json() for k, v in self.options.items() if isinstance(v, Option)},
            "docs": {
                "what": self.docs.what,
                "why": self.docs.why,
                "evidence": list(self.docs.evidence),
                "example": self.docs.example,
                "fix": self.docs.fix,
                "suppress": self.docs.suppress,
            },
        }


class RuleContext(NamedTuple):
    """Everything a rule's `check` may look at. `documents` maps path -> Document."""

    recipe: Recipe
    documents: Mapping[str, Any]
    settings: Any = None
    rule: Optional[Rule] = None

    def option(self, name: str) -> Any:
        """The rule's option, from settings (`[tool.steplint.rules.CODE]`) or its default."""
        assert self.rule is not None
        overrides = getattr(self.settings, "rule_options", None)
        if not overrides:
            return option_default(self.rule.options.get(name))
        for key in (self.rule.code, self.rule.name):
            if key in overrides and name in overrides[key]:
                return overrides[key][name]
        return option_default(self.rule.options.get(name))

    def _blame_file(self) -> str:
        """The recipe's first file that is not the --model config: findings are reported
        for the files passed to `check` only, and the model file comes first in a recipe."""
        files = self.recipe.files
        if not files:
            return "-"
        model = getattr(self.settings, "model", None)
        if model and len(files) > 1:
            import os.path

            skip = {os.path.realpath(model), os.path.realpath(os.path.join(model, "config.json"))}
            return next((f for f in files if os.path.realpath(f) not in skip), files[0])
        return files[0]

    def diagnostic(
        self,
        message: str,
        at: Fact | Source | None = None,
        *,
        severity: Optional[Severity] = None,
        fix: Optional[Fix] = None,
        related: tuple[Location, ...] = (),
        file: Optional[str] = None,
    ) -> Diagnostic:
        """A Diagnostic of this rule at the span of `at` (a Fact or its Source): a key, or
        a derivation that names the key it was computed from (a min LR from a ratio key).
        Facts with no span (defaults, plain derivations) are blamed at the first file of
        the recipe, line 1, unless `file` is given."""
        assert self.rule is not None
        src = at.source if isinstance(at, Fact) else at
        line = column = 1
        end_line = end_column = 0
        path = file or self._blame_file()
        if src is not None and src.kind in ("key", "derived") and src.span is not None:
            path = src.file or path
            line, column = src.span.start.line, src.span.start.column
            end_line, end_column = src.span.end.line, src.span.end.column
        rule = self.rule
        # Diagnostic's fields in order (code, name, severity, message, file, line, column,
        # end_line, end_column, fix, related): positional, as this runs for every finding
        return Diagnostic(rule.code, rule.name, rule.severity if severity is None else severity, message, path,
                          line, column, end_line, end_column, fix, related)
