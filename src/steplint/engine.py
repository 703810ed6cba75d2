"""The lint run: plan recipes, load one at a time, run the rules, filter, and stream results.

    for outcome in lint(paths, settings, Selection.from_settings(settings, all_rules())): ...

Each `RecipeOutcome` carries the diagnostics to report for the files that were passed
(after severity overrides, selection, per-file ignores and inline suppression, plus SL008)
and the documents, so `check --fix` can fix before the next recipe is loaded; nothing is
kept after the caller moves on (peak memory stays at one recipe's trees).

The pure core is `lint_loaded(loaded, passed, ...)`; everything that touches disk or the
other layers is in `lint()` and `_load()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Optional

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import EMPTY_MAPPING, Diagnostic
from steplint.files import file_key
from steplint.rules.base import Rule, RuleContext
from steplint.selection import Selection, matches
from steplint import suppression

if TYPE_CHECKING:  # annotations only (the check path imports this module)
    from steplint.documents.nodes import Document
    from steplint.grouping import RecipePlan
    from steplint.recipe import Recipe
    from steplint.resolve import LoadedRecipe
    from steplint.settings import Settings


class RuleCrash(Exception):
    """A rule raised: reported as `steplint: internal error in rule X on FILE: ...`, exit 2."""

    def __init__(self, rule: Rule, file: str, error: BaseException):
        super().__init__(f"internal error in rule {rule.code} ({rule.name}) on {file}: {type(error).__name__}: {error}")
        self.rule, self.file, self.error = rule, file, error


class LoadCrash(Exception):
    """Loading, a dialect or the resolver raised on a recipe: exit 2 naming the files."""

    def __init__(self, files: Iterable[str], error: BaseException):
        names = ", ".join(files)
        super().__init__(f"internal error while reading {names}: {type(error).__name__}: {error}")
        self.error = error


class RecipeOutcome(NamedTuple):
    """One recipe's findings and what was loaded for it (the fixer re-lints from it)."""

    files: tuple[str, ...]  # every file of the recipe
    passed: tuple[str, ...]  # those named on the command line (findings are reported for these)
    diagnostics: list[Diagnostic]
    documents: Mapping[str, "Document"] = EMPTY_MAPPING
    recipe: Optional["Recipe"] = None
    inputs: tuple[str, ...] = ()  # the plan's files, which `relint` loads again
    settings: Optional["Settings"] = None  # the recipe's own (per-file discovery), which `relint` uses again
    selection: Optional[Selection] = None


def run_rules(recipe: "Recipe", documents: Mapping[str, "Document"], settings: "Settings",
              selection: Selection) -> list[Diagnostic]:
    """Every selected rule's findings on one recipe. A rule that raises becomes RuleCrash."""
    found: list[Diagnostic] = []
    for rule, check in _runnable(selection, getattr(settings, "law", "steplaw") or "steplaw"):
        try:
            found.extend(check(_context(RuleContext, (recipe, documents, settings, rule))))
        except Exception as error:  # noqa: BLE001 - a crash must name the rule and file
            raise RuleCrash(rule, recipe.files[0] if recipe.files else "-", error) from error
    return found


Check = Callable[[RuleContext], Iterable[Diagnostic]]
_context = tuple.__new__  # RuleContext from its four fields, without namedtuple's keyword __new__
# The last selection's runnable (rule, check) pairs: a run lints every recipe with the same
# selection (one per settings file at most), so which rules run is worked out once, not per
# recipe (by identity; the entry keeps the selection alive, so the identity cannot be reused).
_RUNNABLE: list[tuple[Selection, str, tuple[tuple[Rule, Check], ...]]] = []


def _runnable(selection: Selection, law: str) -> tuple[tuple[Rule, Check], ...]:
    """The selected rules that have a check, in the selection's order, each with the check to
    call: `--law NAME` judges SL302/SL303 against that law (at most info)."""
    for cached, cached_law, pairs in _RUNNABLE:
        if cached is selection and cached_law == law:
            return pairs
    out: list[tuple[Rule, Check]] = []
    for rule in selection.rules:
        if rule.check is None or not selection.rule_runs(rule):
            continue
        check: Check = rule.check
        if law != "steplaw" and rule.code in ("SL302", "SL303"):
            from steplint.rules._other_law import checker

            check = checker(rule, law)
        out.append((rule, check))
    pairs = tuple(out)
    _RUNNABLE[:] = [(selection, law, pairs)]
    return pairs


def finalize(diagnostics: Iterable[Diagnostic], documents: Mapping[str, "Document"], passed: Iterable[str],
             selection: Selection, key_of: Optional[Callable[[str], str]] = None) -> list[Diagnostic]:
    """Severity overrides, selection, per-file ignores and inline suppression, for the
    passed files only; SL008 for suppressions that suppressed nothing. Sorted. `key_of` is
    files.file_key, memoised by the caller (`lint` keeps one memo for the run)."""
    key_of = key_of or _file_keys()
    passed_keys = {key_of(p): p for p in passed}
    by_file: dict[str, list[Diagnostic]] = {k: [] for k in passed_keys}
    for d in diagnostics:
        key = key_of(d.file)
        if key in by_file:
            by_file[key].append(d)
    docs_by_key = {key_of(p): doc for p, doc in documents.items()}
    rules = selection.rules

    def known(selector: str) -> bool:
        return any(matches(r, selector) for r in rules)

    def runs(selector: str) -> bool:
        return any(matches(r, selector) and selection.rule_runs(r) for r in rules)

    out: list[Diagnostic] = []
    for key, found in by_file.items():
        level_fixed = [_with_level(d, selection) for d in found if selection.keeps(d)]
        doc = docs_by_key.get(key)
        directives = suppression.directives(doc)
        kept, unused = suppression.apply(level_fixed, directives, passed_keys[key], known=known, runs=runs,
                                         text=getattr(doc, "text", None))
        out.extend(kept)
        out.extend(_with_level(d, selection) for d in unused if selection.keeps(d))
    out.sort(key=lambda d: d.sort_key)
    return out


def _file_keys(memo: Optional[dict[str, str]] = None) -> Callable[[str], str]:
    """files.file_key with a memo: a recipe's findings name few files, many times. `lint`
    passes one memo for the run, seeded with the command-line paths' keys it computes anyway."""
    if memo is None:
        memo = {}

    def key_of(path: str) -> str:
        key = memo.get(path)
        if key is None:
            key = memo[path] = file_key(path)
        return key

    return key_of


def _with_level(d: Diagnostic, selection: Selection) -> Diagnostic:
    level = selection.level(d)
    if level == d.severity:
        return d
    return d._replace(severity=level)


def lint_loaded(loaded: "LoadedRecipe", passed: Iterable[str], settings: "Settings",
                selection: Selection, key_of: Optional[Callable[[str], str]] = None) -> RecipeOutcome:
    """The pure core: one loaded recipe in, its reportable findings out."""
    recipe, documents = loaded.recipe, loaded.documents
    upstream = list(loaded.diagnostics)
    for doc in documents.values():
        upstream.extend(getattr(doc, "diagnostics", ()) or ())
    found = upstream + (run_rules(recipe, documents, settings, selection) if recipe is not None else [])
    passed = tuple(passed)
    unique = [_tame(d) for d in dict.fromkeys(found)]  # a loader finding may arrive via document and resolver
    reported = finalize(unique, documents, passed, selection, key_of)
    if (getattr(settings, "law", "steplaw") or "steplaw") != "steplaw":  # another law: at most info
        from steplint.diagnostics import Severity

        reported = [d._replace(severity=Severity.INFO) if d.code in ("SL302", "SL303") else d for d in reported]
    return RecipeOutcome(
        files=tuple(getattr(recipe, "files", ()) or documents.keys()),
        passed=passed,
        diagnostics=reported,
        documents=documents,
        recipe=recipe,
    )


_LONG_WORD = 200  # characters of one unbroken run a finding may quote from a file (paths fit)
_LONG_MESSAGE = 1000


def _tame(d: Diagnostic) -> Diagnostic:
    """`d` with its messages safe to print in a CI log: a value quoted from a file appears
    as a short excerpt (a hostile file may hold a megabyte-long string) and control
    characters are escaped. Rules quote values freely; this is the one place that bounds
    them, so no rule can forget to. The related locations' and the fix's messages quote
    values too (an SL006 conflict names both files' values: fuzz campaign seed 15, input 59828)."""
    message = _tame_text(d.message)
    related = tuple(r if _tame_text(r.message) == r.message else r._replace(message=_tame_text(r.message))
                    for r in d.related)
    fix = d.fix
    if fix is not None and _tame_text(fix.message) != fix.message:
        fix = fix._replace(message=_tame_text(fix.message))
    if message == d.message and related == d.related and fix is d.fix:
        return d
    return d._replace(message=message, related=related, fix=fix)


def _tame_text(message: str) -> str:
    spaced = message.replace("\n", " ")
    if spaced.isprintable() and (len(message) <= _LONG_WORD
                                 or len(message) <= _LONG_MESSAGE and not _may_hold_long_run(spaced)):
        return message  # nothing to escape, no run to cut, short enough
    import re

    tamed = message
    if not tamed.replace("\n", " ").isprintable():  # escaped first: `\u2028` joins two runs into one
        tamed = "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in tamed)
    tamed = re.sub(r"\S{%d,}" % (_LONG_WORD + 1), lambda m: m.group(0)[:_LONG_WORD - 3] + "...", tamed)
    if len(tamed) > _LONG_MESSAGE:
        tamed = tamed[:_LONG_MESSAGE - 3] + "..."
    return tamed


def _may_hold_long_run(spaced: str) -> bool:
    """False when printable `spaced` (no whitespace but " ") holds no run of more than
    _LONG_WORD characters without a space: such a run would contain a whole block of
    _LONG_WORD // 2 characters starting at a multiple of it, and every such block has a space
    here. A few substring tests, where the regex below walks every character."""
    step = _LONG_WORD // 2
    return any(" " not in spaced[start:start + step] for start in range(0, len(spaced) - step + 1, step))


def lint(paths: Iterable[str], settings: "Settings", selection: Selection, *,
         stdin: Optional[tuple[str, str]] = None) -> Iterator[RecipeOutcome]:
    """Stream one outcome per recipe. `stdin` is (filename, text) for the `-` path."""
    files = [stdin[0] if p == "-" and stdin else p for p in paths]
    memo = {p: file_key(p) for p in files}  # file_key is pure: one memo for the run
    passed_keys = set(memo.values())
    key_of = _file_keys(memo)
    reported: set[int] = set()
    scoped: dict[Optional[str], tuple["Settings", Selection]] = {}
    for group in _plan(files, settings):
        own, own_selection = _scoped(group, settings, selection, scoped)
        try:
            loaded = _load(group, own, stdin)
        except Exception as error:  # noqa: BLE001 - a crash must name the files, not print a traceback
            raise LoadCrash(group.files, error) from error
        passed = tuple(p for p in _group_files(group, loaded) if key_of(p) in passed_keys)
        outcome = lint_loaded(loaded, passed, own, own_selection, key_of)
        # a file that belongs to two recipes (one DeepSpeed JSON, two launchers) reports once
        fresh = []
        for d in outcome.diagnostics:
            # a hash, not the tuple: over 10,000 files the marks alone were megabytes
            mark = hash((key_of(d.file), d.line, d.column, d.code, d.message))
            if mark not in reported:
                reported.add(mark)
                fresh.append(d)
        yield outcome._replace(diagnostics=fresh, inputs=tuple(group.files), settings=own, selection=own_selection)


def relint(outcome: RecipeOutcome, texts: Mapping[str, str], settings: "Settings",
           selection: Selection) -> RecipeOutcome:
    """`outcome`'s recipe again with `texts` (path -> text) read instead of those files:
    what `check --fix` runs between fix passes (ruff's re-lint loop). The recipe's own
    settings and selection, when `lint` found them, win over the run's."""
    from steplint.resolve import load_recipe

    settings = outcome.settings or settings
    selection = outcome.selection or selection
    try:
        loaded = load_recipe(outcome.inputs or outcome.files, settings, texts=texts)
    except Exception as error:  # noqa: BLE001 - as in lint(): name the files, no traceback
        raise LoadCrash(outcome.files, error) from error
    return lint_loaded(loaded, outcome.passed, settings, selection)._replace(
        inputs=outcome.inputs, settings=settings, selection=selection)


# ---------------------------------------------------------------------------------------
# the edges: grouping (steplint.grouping) and loading (steplint.resolve)


def _plan(files: list[str], settings: "Settings") -> Iterable["RecipePlan"]:
    """RecipePlans (steplint.grouping): each path alone, or the declared group it is in."""
    from steplint.grouping import plan_recipes

    return plan_recipes(files, settings)


def _scoped(group: "RecipePlan", settings: "Settings", selection: Selection,
            cache: dict[Optional[str], tuple["Settings", Selection]]) -> tuple["Settings", Selection]:
    """The settings and selection of one recipe: its first passed file's settings file
    (architecture.md section 5), command-line flags on top; built once per settings file."""
    if not getattr(settings, "discover", False):
        return settings, selection
    from steplint.settings import SettingsError, for_path

    own = for_path(settings, (group.reported or group.files)[0])
    if own is settings:
        return settings, selection
    if own.config_file not in cache:
        try:
            cache[own.config_file] = (own, Selection.from_settings(own, selection.rules))
        except ValueError as error:  # a selector naming no rule: a settings error, exit 2
            raise SettingsError(f"{own.config_file}: {error}") from None
    return cache[own.config_file]


def _group_files(group: "RecipePlan", loaded: "LoadedRecipe") -> tuple[str, ...]:
    """Every file of the recipe: the plan's and those the resolver followed."""
    docs = tuple(getattr(loaded, "documents", {}) or ())
    return tuple(dict.fromkeys(tuple(group.files) + docs))


def _load(group: "RecipePlan", settings: "Settings", stdin: Optional[tuple[str, str]]) -> "LoadedRecipe":
    """One recipe as the library loads it (steplint.api); the `-` path reads the stdin text under its name."""
    from steplint.api import load_plan

    texts = {stdin[0]: stdin[1]} if stdin is not None and stdin[0] in group.files else None
    return load_plan(group, settings, texts=texts)
