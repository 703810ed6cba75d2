"""`steplint report PATHS... -o report.html`: lint PATHS as `check` does and write one
self-contained HTML page (steplint.htmlreport) with every recipe's facts, findings,
penalty and landscape. Exit codes: 0 written, 2 usage error, missing path, bad law file."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable

import click

from steplint.commands._options import fact_options

from steplint import __version__
from steplint.commands._laws import law_file_option, read_law_file

if TYPE_CHECKING:
    from steplint.engine import RecipeOutcome
    from steplint.htmlreport import RecipeView


def _fail(message: str) -> click.exceptions.Exit:
    click.echo(f"steplint: {message}", err=True)
    return click.exceptions.Exit(2)


@click.command("report", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), required=True, help="The HTML file to write.")
@click.option("--recipe", multiple=True, help="Files that form one recipe: a.yaml,b.json (repeatable).")
@click.option("--dialect", help="Read every file as this framework.")
@fact_options
@click.option("--select", multiple=True, help="Only these rules (comma-separated codes, names, prefixes).")
@click.option("--extend-select", multiple=True, help="Rules to add to the selection.")
@click.option("--ignore", multiple=True, help="Rules to leave out.")
@law_file_option()
@click.option("--title", default="steplint report", show_default=True, help="Heading of the page.")
def command(paths: tuple[str, ...], output: str, **options: Any) -> None:
    """Write a static HTML page (no network) for a repository scan: per recipe its facts
    with provenance, findings by severity, expected penalty and loss landscape."""
    for path in paths:
        if not os.path.exists(path):
            raise _fail(f"{path}: no such file or directory")
    from steplint.commands._options import build_settings
    from steplint.api import outcomes, selection_for
    from steplint.engine import LoadCrash, RuleCrash
    from steplint.files import MissingPathError, expand
    from steplint.htmlreport import page, view
    from steplint.laws.steplaw import using_law
    from steplint.settings import SettingsError

    try:
        settings = build_settings(dict(options, fail_on=None, law="steplaw"), paths)
        selection = selection_for(settings)
        files = list(expand(paths, settings))
    except (ValueError, OSError, MissingPathError) as error:
        raise _fail(str(error)) from None
    views: list[RecipeView] = []
    with using_law(read_law_file(options.get("law_file"))):
        try:
            for outcome in outcomes(files, settings, selection):
                views.append(_view(outcome, view))
        except (RuleCrash, LoadCrash, SettingsError) as error:
            raise _fail(str(error)) from None
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(page(views, options["title"], __version__))
    except OSError as error:
        raise _fail(f"{output}: cannot write: {error.strerror or error}") from None
    click.echo(f"wrote {output}: {len(views)} recipe{'s' * (len(views) != 1)}", err=True)


def _view(outcome: "RecipeOutcome", view: Callable[..., "RecipeView"]) -> "RecipeView":
    """The page's view of one recipe: its landscape SVG and the Step Law penalty of its LR and batch."""
    from steplint import picture, svg

    pic = picture.for_recipe(outcome.recipe) if outcome.recipe is not None else None
    if pic is None:
        return view(outcome, base=os.getcwd())
    return view(outcome, svg.render(pic), pic.recipe_percent, pic.recipe_message, base=os.getcwd())
