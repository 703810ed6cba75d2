"""`steplint show`: the recipe steplint derives from the files, where each number came from,
what is missing, and how it sits against the Step Law optimum.

Text is a table for people; `--format json` is the pinned shape of architecture.md
section 3 (schemas/show.schema.json). Exit codes (section 5): 0 printed, 1 an input had an
error-level input finding (SL001, SL002, SL004), 2 usage error or a missing path.
"""

from __future__ import annotations

import json
import math
import os
from typing import TYPE_CHECKING, Any, Iterable, Optional

import click

from steplint.commands._options import fact_options

from steplint import __version__
from steplint.commands._laws import law_file_option, law_option, laws_json, laws_text, names_for, read_law_file
from steplint.commands._placement import placement_json
from steplint.commands._usage import UsageLineErrors

if TYPE_CHECKING:
    from steplint.diagnostics import Diagnostic
    from steplint.laws.registry import Comparison
    from steplint.recipe import Recipe
    from steplint.resolve import LoadedRecipe
    from steplint.settings import Settings

EXIT_OK, EXIT_INPUT_ERROR, EXIT_USAGE = 0, 1, 2
INPUT_ERRORS = ("SL001", "SL002", "SL004")


def _fail(message: str) -> click.exceptions.Exit:
    click.echo(f"steplint: {message}", err=True)
    return click.exceptions.Exit(EXIT_USAGE)


@click.command("show", cls=UsageLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--recipe", multiple=True, help="Files that form one recipe: a.yaml,b.json (repeatable).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output form.")
@fact_options
@click.option("--dialect", help="Read the given files as this framework.")
@law_option()
@law_file_option()
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Draw the loss-penalty landscape of the (first) recipe to FILE.png or FILE.svg (needs steplint[plot]).")
def command(paths: tuple[str, ...], **options: Any) -> None:
    """Show the recipe derived from PATHS: every fact with its source, what is missing,
    and the Step Law optimum, band and expected loss penalty."""
    try:
        code = run(paths, options)
    except click.exceptions.Exit:
        raise
    except Exception as error:  # noqa: BLE001 - the command boundary: never a traceback
        raise _fail(f"internal error: {type(error).__name__}: {error}") from None
    raise click.exceptions.Exit(code)


def run(paths: tuple[str, ...], options: dict[str, Any]) -> int:
    from steplint.commands._options import recipe_paths

    paths = paths or recipe_paths(options["recipe"])  # `--recipe a,b` alone shows that recipe
    if not paths:
        raise _fail("give the files to show (PATHS or --recipe a,b)")
    for path in paths + ((options["model"],) if options["model"] else ()):
        if not os.path.exists(path):
            raise _fail(f"{path}: no such file or directory")
    from steplint.api import load_recipes
    from steplint.files import MissingPathError
    from steplint.settings import SettingsError

    settings = _settings(paths, options)
    if settings.model:
        from steplint.resolve import model_problem

        problem = model_problem(settings.model, settings.max_file_size)
        if problem:
            raise _fail(problem)
    try:  # the library pipeline: each recipe reads its own settings file (per-file discovery), flags on top
        loaded = list(load_recipes(paths, settings))
    except (MissingPathError, SettingsError) as error:
        raise _fail(str(error)) from None
    from steplint.engine import _tame  # findings quote only an excerpt of a value, as in `check`

    diagnostics = [_tame(d) for d in
                   _unique([d for item in loaded for d in item.diagnostics] + _trainer_mismatches(loaded, settings))]
    if options["plot"] and not options["plot"].lower().endswith((".png", ".svg")):
        raise _fail(f"--plot {options['plot']}: the file name must end in .png or .svg")
    law = options.get("law") or "steplaw"
    from steplint.laws.steplaw import using_law

    with using_law(read_law_file(options.get("law_file"))):
        if options["output_format"] == "json":
            click.echo(json.dumps(show_json(loaded, diagnostics, law), indent=2))
        else:
            click.echo(show_text(loaded, diagnostics, law))
        if options["plot"]:
            _plot(loaded, options["plot"])
    return EXIT_INPUT_ERROR if any(d.code in INPUT_ERRORS for d in diagnostics) else EXIT_OK


def _plot(loaded: list["LoadedRecipe"], path: str) -> None:
    """Draw the first recipe with N and D known; exit 2 with a clear line when it cannot."""
    from steplint.plot import PlotUnavailable, landscape_for_recipe, render

    for item in loaded:
        picture = landscape_for_recipe(item.recipe)
        if picture is not None:
            try:
                render(picture, path)
            except PlotUnavailable as error:
                raise _fail(str(error)) from None
            click.echo(f"wrote {path}", err=True)
            return
    raise _fail("--plot: no recipe with both N and D known, nothing to draw")


def _settings(paths: tuple[str, ...], options: dict[str, Any]) -> "Settings":
    from steplint.commands._options import build_settings

    try:
        settings = build_settings(dict(options, select=(), extend_select=(), ignore=(), fail_on=None), paths)
    except (ValueError, OSError) as error:
        raise _fail(str(error)) from None
    if settings.dialect:
        from steplint.dialects.registry import get_dialect

        try:
            get_dialect(settings.dialect)
        except ValueError as error:
            raise _fail(str(error)) from None
    return settings


def _trainer_mismatches(loaded: list["LoadedRecipe"], settings: "Settings") -> list["Diagnostic"]:
    """SL701: HF arguments vs the DeepSpeed values the Trainer cross-checks. resolve leaves
    those file disagreements to this rule (one finding per problem, architecture.md
    section 4), so `show` runs it to list them with both locations, as it lists SL006."""
    paired = [item for item in loaded if "deepspeed" in item.recipe.dialects]
    if not paired:
        return []
    from steplint.api import rule_findings

    return [d for item in paired for d in rule_findings(item, settings, "SL701")]


def _unique(diagnostics: Iterable["Diagnostic"]) -> list["Diagnostic"]:
    seen: set[tuple[str, int, int, str, str]] = set()
    out: list[Diagnostic] = []
    for d in diagnostics:
        mark = (os.path.realpath(d.file), d.line, d.column, d.code, d.message)
        if mark not in seen:
            seen.add(mark)
            out.append(d)
    return sorted(out, key=lambda d: d.sort_key)


# ---------------------------------------------------------------------------------------
# Step Law placement


def steplaw_placement(recipe: "Recipe") -> tuple[Optional[dict[str, Any]], Optional[dict[str, Any]], tuple[str, ...]]:
    """(steplaw block, penalty block, reasons it does not apply) for one recipe.

    The blocks are None when N or D is unknown. The penalty needs the peak LR or the
    global batch in tokens; a value the recipe lacks is taken at its optimum."""
    from steplint.api import steplaw_exclusions, steplaw_placement

    exclusions = steplaw_exclusions(recipe)
    # the rules' own guards: a negative or non-finite LR or batch has no place on the law (SL004 says why)
    p = steplaw_placement(recipe, lr=_finite_positive(recipe.value("peak_lr")),
                          batch_tokens=_finite_positive(recipe.value("global_batch_tokens")))
    if p is None:
        return None, None, exclusions
    block = placement_json(p)
    block.pop("steplint", None)
    block["applies"] = not exclusions
    block["exclusions"] = list(exclusions)
    penalty = block.pop("position")
    return block, penalty, exclusions


def _finite_positive(value: object) -> Optional[float]:
    """`value` itself (an int stays an int: the JSON prints it so) when it is a positive
    finite number, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer of 400 digits
        return None
    return value if 0 < number < math.inf else None


# ---------------------------------------------------------------------------------------
# JSON


def other_laws(recipe: "Recipe", law: str) -> Optional[tuple["Comparison", ...]]:
    """The `--law` comparison rows for a recipe (None for plain Step Law)."""
    if law == "steplaw":
        return None
    from steplint.laws.registry import compare, inputs_from_recipe

    return compare(inputs_from_recipe(recipe), names=names_for(law))


def recipe_json(loaded: "LoadedRecipe", law: str = "steplaw") -> dict[str, Any]:
    recipe = loaded.recipe
    steplaw, penalty, _ = steplaw_placement(recipe)
    out: dict[str, Any] = {
        "files": list(recipe.files),
        "dialects": list(recipe.dialects),
        "facts": recipe.facts_json(),
        "missing": [m.to_json() for m in recipe.missing],
        "steplaw": steplaw,
        "penalty": penalty,
        "notices": list(recipe.notices),
    }
    rows = other_laws(recipe, law)
    if rows is not None:
        seq_len = recipe.value("seq_len")
        out["laws"] = laws_json(rows, int(seq_len) if seq_len else None)
    return out


def show_json(loaded: list["LoadedRecipe"], diagnostics: list["Diagnostic"], law: str = "steplaw") -> dict[str, Any]:
    return {
        "steplint": __version__,
        "recipes": [recipe_json(item, law) for item in loaded],
        "diagnostics": [d.to_json() for d in diagnostics],
    }


# ---------------------------------------------------------------------------------------
# text


def _recipe_text(loaded: "LoadedRecipe", law: str = "steplaw") -> list[str]:
    from steplint.quantities import format_quantity as q

    recipe = loaded.recipe
    named = [f"{f} ({d})" for f, d in zip(recipe.files, recipe.dialects, strict=True)]
    lines = ["recipe: " + " + ".join(named)]
    if recipe.arch is not None:
        from steplint.arch import describe

        lines.append(f"  architecture: {describe(recipe.arch)}")
    rows = recipe.fact_rows()
    if rows:
        w_name = max(len(r[0]) for r in rows)
        w_value = max(len(r[1]) for r in rows)
        w_unit = max(len(r[2]) for r in rows)
        lines.append(f"  {'fact'.ljust(w_name)}  {'value'.rjust(w_value)}  {'unit'.ljust(w_unit)}  source")
        lines += [f"  {n.ljust(w_name)}  {v.rjust(w_value)}  {u.ljust(w_unit)}  {s}" for n, v, u, s in rows]
    if recipe.missing:
        lines.append("  missing (and what supplies it):")
        width = max(len(m.field) for m in recipe.missing)
        lines += [f"    {m.field.ljust(width)}  {m.supply}" for m in recipe.missing]
    steplaw, penalty, exclusions = steplaw_placement(recipe)
    if steplaw is None:
        lines.append("  Step Law: needs n_params and tokens (see missing)")
    else:
        band, pct = steplaw["band"], f"{steplaw['band']['level'] * 100:g}%"
        lines.append(f"  Step Law optimum for N = {q(steplaw['n_params'])}, D = {q(steplaw['tokens'])} tokens:")
        lines.append(f"    peak LR       {q(steplaw['lr'], 4)}  ({pct} band {q(band['lr_low'])} to "
                     f"{q(band['lr_high'])}), cosine to a fixed {q(steplaw['min_lr'], 1)} floor")
        lines.append(f"    global batch  {q(steplaw['batch_tokens'], 4)} tokens = "
                     f"{steplaw['batch_sequences']:.1f} sequences of {steplaw['seq_len']}  ({pct} band "
                     f"{q(band['batch_tokens_low'])} to {q(band['batch_tokens_high'])} tokens)")
        if penalty is not None:
            # the band is the uncertainty of the fitted mean, not a tolerance (architecture.md section 4):
            # placements are worded against where the grids' best runs sat (steplint.laws.verdict)
            from steplint.laws.verdict import default_tolerance

            tol = default_tolerance()
            if penalty["lr_ratio"] is not None:
                lines.append(f"    this recipe's peak LR is {penalty['lr_ratio']:.3g}x the optimum (the grids' best runs: "
                             f"{tol.lr_low:.2g}-{tol.lr_high:.2g}x)")
            if penalty["batch_ratio"] is not None:
                lines.append(f"    this recipe's batch is {penalty['batch_ratio']:.3g}x the optimum (the grids' best runs: "
                             f"{tol.batch_low:.2g}-{tol.batch_high:.2g}x)")
            lines.append(f"    {penalty['penalty']['message']}")
        lines += [f"    notice: {n}" for n in steplaw["notices"]]
    law_rows = other_laws(recipe, law)
    if law_rows is not None:
        seq_len = recipe.value("seq_len")
        lines.append("  laws side by side (only Step Law's verdicts are calibrated):")
        lines += laws_text(law_rows, int(seq_len) if seq_len else None, indent="    ")
    if exclusions:
        lines.append("  Step Law does not apply: " + "; ".join(exclusions))
    lines += [f"  notice: {n}" for n in recipe.notices]
    return lines


def show_text(loaded: list["LoadedRecipe"], diagnostics: list["Diagnostic"], law: str = "steplaw") -> str:
    from steplint.report.text import line

    out: list[str] = []
    for item in loaded:
        out += _recipe_text(item, law) + [""]
    for d in diagnostics:  # a conflict names its other side too (SL006, SL701)
        out.append(line(d))
        out += [f"    {r.file}:{r.line}:{r.column}: {r.message or 'also here'}" for r in d.related]
    missing = sum(len(item.recipe.missing) for item in loaded)
    files = sum(len(item.recipe.files) for item in loaded)
    out.append(f"{len(loaded)} recipe{'s' * (len(loaded) != 1)} from {files} file{'s' * (files != 1)}, "
               f"{missing} missing fact{'s' * (missing != 1)}, {len(diagnostics)} "
               f"finding{'s' * (len(diagnostics) != 1)}")
    return "\n".join(out)
