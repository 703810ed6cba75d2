"""The library API: the one pipeline every command runs (plan -> load -> rules -> report).

    from steplint.api import lint, load_recipes
    from steplint.settings import Settings

    report = lint(["configs/gpt.yaml"], Settings())     # steplint.report.Report
    for loaded in load_recipes(["configs/"], Settings()):  # steplint.resolve.LoadedRecipe
        print(loaded.recipe.files, loaded.recipe.value("peak_lr"))

`check` (and `--fix`) and `report` stream `outcomes`; `show` reads `load_recipes`; a library
user calls `lint`. Each recipe is loaded with its own settings (per-file discovery:
architecture.md section 5) and nothing is kept after the caller moves on. Heavy modules are
imported inside the functions: `steplint check` imports this module on its start-up path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator, Mapping, Optional

if TYPE_CHECKING:
    from steplint.engine import RecipeOutcome
    from steplint.diagnostics import Diagnostic
    from steplint.grouping import RecipePlan
    from steplint.recipe import Recipe
    from steplint.report import Report
    from steplint.resolve import LoadedRecipe
    from steplint.laws.steplaw import Placement
    from steplint.selection import Selection
    from steplint.settings import Settings


def plan(paths: Iterable[str], settings: "Settings") -> list["RecipePlan"]:
    """Which files form which recipe: directories expanded (settings' include/exclude),
    then `--recipe` / settings groups, else one recipe per file. MissingPathError for a
    path that is gone."""
    from steplint.files import expand
    from steplint.grouping import plan_recipes

    return list(plan_recipes(list(expand(tuple(paths), settings)), settings))


def recipe_settings(settings: "Settings", recipe_plan: "RecipePlan") -> "Settings":
    """The settings of one recipe: its first passed file's settings file, flags on top."""
    from steplint.settings import for_path

    return for_path(settings, (recipe_plan.reported or recipe_plan.files)[0])


def load_plan(recipe_plan: "RecipePlan", settings: "Settings",
              texts: Optional[Mapping[str, str]] = None) -> "LoadedRecipe":
    """One planned recipe read and resolved (`texts`: path -> text read instead of the file)."""
    from steplint.resolve import load_recipe

    return load_recipe(recipe_plan.files, settings, texts=texts)


def load_recipes(paths: Iterable[str], settings: "Settings") -> Iterator["LoadedRecipe"]:
    """Every recipe of `paths`, loaded one at a time, each with its own settings."""
    for recipe_plan in plan(paths, settings):
        yield load_plan(recipe_plan, recipe_settings(settings, recipe_plan))


def selection_for(settings: "Settings") -> "Selection":
    """The rules `settings` selects (select / extend-select / ignore / per-file ignores)."""
    from steplint.rules.registry import all_rules
    from steplint.selection import Selection

    return Selection.from_settings(settings, all_rules())


def outcomes(files: Iterable[str], settings: "Settings", selection: Optional["Selection"] = None, *,
             stdin: Optional[tuple[str, str]] = None) -> Iterator["RecipeOutcome"]:
    """The streaming form `check`, `--fix` and `report` run: one RecipeOutcome per recipe
    (its findings and documents, so a fixer can work before the next recipe is loaded).
    `files` are already expanded (steplint.files.expand)."""
    from steplint.engine import lint as run

    return run(list(files), settings, selection if selection is not None else selection_for(settings), stdin=stdin)


def lint(paths: Iterable[str], settings: "Settings") -> "Report":
    """Lint `paths` (files or directories) and return what `check` would report, without
    fixing or printing. Raises engine.RuleCrash / LoadCrash on an internal error."""
    from steplint import __version__
    from steplint.files import expand
    from steplint.report import Report

    files = list(expand(tuple(paths), settings))
    found = [d for outcome in outcomes(files, settings) for d in outcome.diagnostics]
    return Report(
        diagnostics=tuple(sorted(dict.fromkeys(found), key=lambda d: d.sort_key)),
        files_checked=len(files),
        fail_on=settings.fail_on,
        version=__version__,
    )


def rule_findings(loaded: "LoadedRecipe", settings: "Settings", code: str) -> list["Diagnostic"]:
    """One rule's own findings on a loaded recipe, before selection and suppression: what
    `show` lists beside the facts (SL701's HF/DeepSpeed disagreements, with both places)."""
    from steplint.rules.base import RuleContext
    from steplint.rules.registry import get_rule

    rule = get_rule(code)
    if rule is None or rule.check is None:
        raise ValueError(f"no rule {code!r}")
    return list(rule.check(RuleContext(loaded.recipe, loaded.documents, settings, rule)))


def steplaw_placement(recipe: "Recipe", *, lr: Optional[float] = None,
                      batch_tokens: Optional[float] = None) -> Optional["Placement"]:
    """Where `recipe` sits on the Step Law, from the same (N, D), sequence length and active N
    the rules use (None when N or D is unknown); `lr` and `batch_tokens` place a choice."""
    from steplint.rules._steplaw_position import law_inputs, place

    if law_inputs(recipe) is None:
        return None
    return place(recipe, lr=lr, batch_tokens=batch_tokens)


def steplaw_exclusions(recipe: "Recipe") -> tuple[str, ...]:
    """Why Step Law does not apply to `recipe` (empty when it does): the reasons SL305 gives."""
    from steplint.rules._applicability import steplaw_exclusions as exclusions

    return exclusions(recipe)
