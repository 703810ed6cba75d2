"""`steplint check`: lint configs, report in a CI's format, optionally fix.

Exit codes (architecture.md section 5): 0 clean or all fixed; 1 findings at or above the
threshold remain, or `--diff` would change something; 2 usage, settings or internal error,
or a missing path. `--exit-zero` turns 1 into 0, never 2.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Mapping, Optional, TextIO

from steplint import __version__
from steplint.commands._argv import FLAG, MULTIPLE, Opt, PathType, read_args, with_options
from steplint.commands._options import FACT_OPTIONS, build_settings, recipe_paths
from steplint.report import REPORTERS

if TYPE_CHECKING:  # annotations only: nothing more is imported on the check path
    import click

    from steplint.diagnostics import Diagnostic, Fix, Severity
    from steplint.documents.nodes import Document
    from steplint.engine import RecipeOutcome
    from steplint.fixing import FixResult
    from steplint.report import RuleMeta, Summary
    from steplint.selection import Selection
    from steplint.settings import Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

Stdin = Optional[tuple[str, str]]  # (filename, text) of the `-` path

# The command's options, declared once: click builds `command` from them (help, CliRunner,
# every error message) and `read_argv` reads a plain command line from them without click.
OPTIONS = (
    Opt(("--fix",), "Apply safe fixes in place.", kind=FLAG),
    Opt(("--unsafe-fixes",), "With --fix or --diff, also apply unsafe fixes (they change the run).", kind=FLAG),
    Opt(("--diff",), "Print the fixes as a unified diff instead of writing them; exit 1 if any.", kind=FLAG),
    Opt(("--show-fixes",), "List the findings that were fixed.", kind=FLAG),
    Opt(("--exit-non-zero-on-fix",), "Exit 1 when anything was fixed, even if nothing remains.", kind=FLAG),
    Opt(("--output-format", "--format", "output_format"), "Report format.", choices=tuple(sorted(REPORTERS)),
        default="text", show_default=True),
    Opt(("-o", "--output-file"), "Write the report to this file.", path=PathType(dir_okay=False, writable=True)),
    Opt(("--select",), "Only these rules (codes, names, prefixes such as SL3; comma-separated).", kind=MULTIPLE),
    Opt(("--extend-select",), "Rules to add to the selection.", kind=MULTIPLE),
    Opt(("--ignore",), "Rules to leave out.", kind=MULTIPLE),
    Opt(("--fail-on",), "Lowest severity that fails the run [default: warning].", choices=("error", "warning", "info")),
    Opt(("--exit-zero",), "Exit 0 even with findings (2 still means an error).", kind=FLAG),
    Opt(("--statistics",), "Count findings per rule.", kind=FLAG),
    Opt(("--recipe",), "Files that form one recipe: a.yaml,b.json (repeatable).", kind=MULTIPLE),
    Opt(("--dialect",), "Read every file as this framework (SL003 becomes an error for files that are not)."),
    *FACT_OPTIONS,
    Opt(("--show-settings",), "Print the resolved settings and exit.", kind=FLAG),
    Opt(("--stdin-filename",), "The name of the file read from `-` (for dialect detection and reports)."),
    Opt(("--color",), "Colour the text report.", choices=("auto", "always", "never"), default="auto", show_default=True),
    Opt(("-q", "--quiet"), "Print the findings only, without the summary line.", kind=FLAG),
    Opt(("--show-files",), "List the files that would be checked, and exit.", kind=FLAG),
    Opt(("--add-ignore",), "Write `# steplint: ignore[CODE]` for every current finding (YAML, TOML, shell).", kind=FLAG),
    Opt(("--law",), "Law SL302/SL303 judge against; another than Step Law gives info findings only.",
        choices=("steplaw", "deepseek", "porian", "kaplan", "minicpm"), default="steplaw", show_default=True),
    Opt(("--law-file",), "A refitted law (as `steplint fit` writes) in place of Step Law.", path=PathType(dir_okay=False)),
)


class CheckExit(Exception):
    """Ends the command with this exit code (the message, if any, is already printed)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def echo(message: str, err: bool = False, nl: bool = True) -> None:
    """Write as click.echo does. Under click (CliRunner, `steplint check --help` ...) it is
    click.echo itself; on the fast path, which never imports click, the same bytes for a
    plain text stream: a newline, ANSI codes stripped unless the stream is a terminal
    (click's `should_strip_ansi`), a flush after each message. `read_argv` leaves Windows
    and streams click would re-wrap (no or an ASCII encoding) to click."""
    click = sys.modules.get("click")
    if click is not None:
        click.echo(message, err=err, nl=nl)
        return
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    out = message + "\n" if nl else message
    if not out:
        stream.flush()
        return
    if "\x1b" in out and not _isatty(stream):
        import re

        out = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", out)  # click._compat._ansi_re
    stream.write(out)
    stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except Exception:  # noqa: BLE001 - as click.utils.isatty: a stream that cannot say is no terminal
        return False


def read_argv(args: list[str]) -> Optional[tuple[tuple[str, ...], dict[str, Any]]]:
    """`steplint check ARGS` parsed without click, or None when click must parse them (see
    steplint.commands._argv), print them, or complete them (`_STEPLINT_COMPLETE`)."""
    if sys.platform == "win32" or "_STEPLINT_COMPLETE" in os.environ:
        return None
    for stream in (sys.stdout, sys.stderr):
        if stream is None or not _plain_text_stream(stream):
            return None
    return read_args(OPTIONS, args)


def _plain_text_stream(stream: TextIO) -> bool:
    """A stream click.echo writes to as it is (click._compat._force_correct_text_stream):
    text, with errors set and an encoding that is not ASCII."""
    import codecs

    encoding = getattr(stream, "encoding", None)
    if not isinstance(encoding, str) or getattr(stream, "errors", None) is None:
        return False
    try:
        return codecs.lookup(encoding).name != "ascii"
    except LookupError:
        return False


def use_color(choice: str, stream: TextIO) -> bool:
    """--color always/never win; `auto` honours NO_COLOR (https://no-color.org) and
    FORCE_COLOR (https://force-color.org), else colours only a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def fail(message: str) -> CheckExit:
    echo(f"steplint: {message}", err=True)
    return CheckExit(EXIT_ERROR)


def show_settings(settings: "Settings") -> str:
    """The resolved Settings as JSON (what `--show-settings` prints)."""
    import json

    def plain(value: Any) -> object:
        if hasattr(value, "_asdict"):  # a value type (NamedTuple): its fields by name
            return plain(value._asdict())
        if hasattr(value, "items"):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value if not hasattr(value, "name") or isinstance(value, bool) else str(value)
        return str(value)

    return json.dumps(plain(settings), indent=2) + "\n"


def _callback(paths: tuple[str, ...], **options: Any) -> None:
    """Lint training configs against the frameworks' rules and the Step Law optimum."""
    import click

    raise click.exceptions.Exit(execute(paths, options))


def _build_command() -> "click.Command":
    import click

    callback = with_options(OPTIONS)(_callback)
    callback = click.argument("paths", nargs=-1, type=click.Path())(callback)
    built: click.Command = click.command("check", context_settings={"help_option_names": ["-h", "--help"]})(callback)
    return built


def __getattr__(name: str) -> Any:
    """`command`, the click command (built from OPTIONS on first use, so a check that never
    needs click never imports it)."""
    if name != "command":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    built = _build_command()
    globals()["command"] = built
    return built


def execute(paths: tuple[str, ...], options: dict[str, Any]) -> int:
    """The command's exit code: `run`, with the boundary where nothing is a traceback."""
    try:
        return run(paths, options)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - the command boundary: never a traceback
        from steplint.engine import LoadCrash, RuleCrash
        from steplint.settings import SettingsError

        if isinstance(error, (RuleCrash, LoadCrash, SettingsError)):
            return fail(str(error)).code
        return fail(f"internal error: {type(error).__name__}: {error}").code


def run(paths: tuple[str, ...], options: dict[str, Any]) -> int:
    """The exit code of a check; an exception is an internal error (the fuzz campaign
    calls this to see them)."""
    try:
        return _run(paths, options)
    except CheckExit as exit:
        return exit.code


def _run(paths: tuple[str, ...], options: dict[str, Any]) -> int:
    from steplint.files import MissingPathError, expand

    # `--recipe a,b` alone checks the recipe's own files, not the working directory
    paths = paths or recipe_paths(options["recipe"]) or (".",)
    try:
        settings = build_settings(options, paths)
    except (ValueError, OSError) as error:
        raise fail(str(error))
    if options["show_settings"]:
        echo(show_settings(settings), nl=False)
        return EXIT_CLEAN
    if settings.model:
        from steplint.resolve import model_problem

        problem = model_problem(settings.model, settings.max_file_size)
        if problem:
            raise fail(problem)

    from steplint.rules.registry import all_rules
    from steplint.selection import Selection, SelectorError

    try:
        selection = Selection.from_settings(settings, all_rules())
    except (SelectorError, ValueError) as error:
        raise fail(str(error))
    # A path that is missing or unreadable is said on its own line and makes the exit 2, but
    # every other path is still checked (one typo must not hide the findings of the rest).
    usable: list[str] = []
    problems: list[str] = []
    for path in paths:
        problem = path_problem(path)
        if problem:
            problems.append(problem)
        else:
            usable.append(path)
    for problem in problems:
        echo(f"steplint: {problem}", err=True)
    stdin = None
    if "-" in usable:
        stdin = (options["stdin_filename"] or "-", sys.stdin.read())
    try:
        files = list(expand(usable, settings))
    except MissingPathError as error:  # removed between the check and the walk
        raise fail(str(error))
    if options["show_files"]:
        for f in files:
            echo(f)
        return EXIT_ERROR if problems else EXIT_CLEAN
    if not files and usable:
        echo(f"steplint: no config files found in {', '.join(usable)} (looked for {', '.join(_SUFFIXES)})", err=True)
    code = _lint_with_law(files, settings, selection, stdin, options) if files or not problems else EXIT_CLEAN
    return EXIT_ERROR if problems else code


_SUFFIXES = ("*.yaml", "*.yml", "*.json", "*.toml", "*.sh", "*.bash", "*.slurm")


def path_problem(path: str) -> Optional[str]:
    """Why a command-line path cannot be checked, or None (`-` is stdin)."""
    if path == "-":
        return None
    if not os.path.exists(path):
        return f"{path}: no such file or directory"
    if not os.access(path, os.R_OK | (os.X_OK if os.path.isdir(path) else 0)):
        return f"{path}: permission denied"
    return None


def _lint_with_law(files: list[str], settings: "Settings", selection: "Selection", stdin: Stdin,
                   options: dict[str, Any]) -> int:
    """Lint under the law `--law-file` names, or the shipped Step Law."""
    if not options.get("law_file"):
        return _lint_and_report(files, settings, selection, stdin, options)
    from steplint.laws.lawfile import load_law_file
    from steplint.laws.steplaw import using_law

    try:  # as commands._laws.read_law_file, which ends a click command
        law = load_law_file(options["law_file"])
    except ValueError as error:
        raise fail(str(error)) from None
    with using_law(law):
        return _lint_and_report(files, settings, selection, stdin, options)


def _rule_table() -> tuple["RuleMeta", ...]:
    from steplint.rules.docs_text import rule_table

    return rule_table()


def _lint_and_report(files: list[str], settings: "Settings", selection: "Selection", stdin: Stdin,
                     options: dict[str, Any]) -> int:
    from steplint.api import outcomes
    from steplint.report import Report, needs_rules, render

    if options["add_ignore"]:
        return _add_ignore(files, settings, selection, stdin, options)

    fixing = options["fix"] or options["diff"]
    if options["output_format"] == "text" and not (fixing or options["statistics"] or options["output_file"]):
        return _stream_text(files, settings, selection, stdin, options)
    remaining: list[Diagnostic] = []
    fixed: list[Diagnostic] = []
    hidden_unsafe = 0
    diffs: list[str] = []
    fixed_stdin: Optional[str] = None
    sources: dict[str, Optional[str]] = {}
    full = options["output_format"] == "full"
    for outcome in outcomes(files, settings, selection, stdin=stdin):
        if full:  # the source lines the `full` form shows (the texts as linted)
            sources.update((d.file, _text(outcome, d.file)) for d in outcome.diagnostics if d.file not in sources)
        if fixing and any(d.fix for d in outcome.diagnostics):
            result = _fix(outcome, settings, selection, options, stdin)
            hidden_unsafe += result.hidden_unsafe
            fixed.extend(a.diagnostic for a in result.applied)
            remaining.extend(result.remaining if result.remaining is not None else outcome.diagnostics)
            if options["diff"]:
                diffs.extend(_diffs(outcome, result))
            elif stdin is not None and stdin[0] in result.texts:
                fixed_stdin = result.texts[stdin[0]]
        else:
            hidden_unsafe += sum(1 for d in outcome.diagnostics if d.fix and str(d.fix.applicability) == "unsafe")
            remaining.extend(outcome.diagnostics)
    # a file in two recipes is fixed with the first; its findings left are reported once
    remaining = sorted(dict.fromkeys(remaining), key=lambda d: d.sort_key)
    out_file = options["output_file"]
    report = Report(
        diagnostics=tuple(remaining),
        files_checked=len(files),
        fail_on=settings.fail_on,
        fixed=tuple(fixed) if not options["diff"] else (),
        hidden_unsafe=0 if options["unsafe_fixes"] else hidden_unsafe,
        statistics=options["statistics"],
        show_fixes=options["show_fixes"],
        color=options["output_format"] in ("text", "full") and not out_file and use_color(options["color"], sys.stdout),
        version=__version__,
        quiet=options["quiet"],
        sources={k: v for k, v in sources.items() if v is not None},
        rules=_rule_table() if needs_rules(options["output_format"]) else (),
    )
    text = render(options["output_format"], report)
    stdin_fix = stdin is not None and options["fix"] and not options["diff"]
    if options["diff"]:
        sys.stdout.write("".join(diffs))
        sys.stderr.write(text)
    elif out_file:
        with open(out_file, "w", encoding="utf-8") as fh:
            fh.write(text)
    elif stdin_fix:  # stdout carries the (fixed) text, as ruff does for editors
        sys.stderr.write(text)
    else:
        sys.stdout.write(text)
    if stdin is not None and stdin_fix:
        sys.stdout.write(fixed_stdin if fixed_stdin is not None else stdin[1])
    failing = report.failing() > 0 or (options["diff"] and bool(diffs))
    if options["exit_non_zero_on_fix"] and fixed:
        failing = True
    if options.get("_write_failed"):
        return EXIT_ERROR  # a fixed file could not be written (or was edited meanwhile)
    return EXIT_FINDINGS if failing and not options["exit_zero"] else EXIT_CLEAN


def _text(outcome: "RecipeOutcome", path: str) -> Optional[str]:
    from steplint.files import file_key

    key = file_key(path)
    for p, doc in outcome.documents.items():
        if file_key(p) == key:
            text: Optional[str] = getattr(doc, "text", None)
            return text
    return None


def _add_ignore(files: list[str], settings: "Settings", selection: "Selection", stdin: Stdin,
                options: dict[str, Any]) -> int:
    """`--add-ignore`: suppress today's findings inline (steplint.baseline plans each file,
    this writes them). Exit 0: the next run is clean but for the files named for
    per-file ignores."""
    from steplint import baseline
    from steplint.atomic import write_atomic
    from steplint.api import outcomes

    if stdin is not None:
        raise fail("--add-ignore edits files in place; it cannot read `-` (stdin)")
    plans = [plan for outcome in outcomes(files, settings, selection) for plan in baseline.plan_outcome(outcome)]
    written = 0
    for plan in plans:
        if plan.text is None:
            continue
        try:
            write_atomic(plan.path, plan.text, bom=plan.bom)
        except OSError as error:
            raise fail(f"{plan.path}: cannot write: {error.strerror or error} (the file is unchanged)")
        written += 1
    added = sum(p.added for p in plans)
    echo(f"Added {added} suppression{'' if added == 1 else 's'} in {written} file{'' if written == 1 else 's'}.")
    left = [(p.path, p.leftover) for p in plans if p.leftover]
    if left:
        echo("Not suppressible inline (JSON has no comments; parse errors and SL008 never are); "
                   "add to [tool.steplint] in pyproject.toml or .steplint.toml:")
        echo(baseline.settings_snippet(left), nl=False)
    return EXIT_CLEAN


class _Tally:
    """Running counts of the findings already printed, so a run over 10,000 files keeps no
    finding after printing it: peak memory stays at one recipe's trees and findings
    (issue 15 item 2). The text summary is rendered from its `summary()`."""

    def __init__(self, fail_on: "Severity") -> None:
        from collections import Counter

        self.fail_on = fail_on
        self.severities: Counter[str] = Counter()
        self.failing = self.fixable = self.hidden_unsafe = self.total = 0

    def add(self, d: "Diagnostic") -> None:
        self.total += 1
        self.severities[str(d.severity)] += 1
        self.failing += d.severity >= self.fail_on
        if d.fix is not None:
            safe = str(d.fix.applicability) == "safe"
            self.fixable += safe
            self.hidden_unsafe += not safe

    def summary(self, files_checked: int, hidden_unsafe: int) -> "Summary":
        from steplint.report import Summary

        return Summary(files_checked=files_checked, problems=self.total, counts=self.severities,
                       failing=self.failing, fixable=self.fixable, fixed=0, hidden_unsafe=hidden_unsafe,
                       fail_on=self.fail_on)


def _stream_text(files: list[str], settings: "Settings", selection: "Selection", stdin: Stdin,
                 options: dict[str, Any]) -> int:
    """`check` with the text report, printed recipe by recipe as the engine yields them
    (each recipe's findings sorted; recipes in the order of the paths), with the summary
    rendered from running counts. Nothing of a recipe is kept after it is printed."""
    from steplint.engine import lint
    from steplint.report.text import line, summary_line

    color = use_color(options["color"], sys.stdout)
    tally = _Tally(settings.fail_on)
    out = sys.stdout
    gone = False

    def write(text: str) -> None:
        """A reader that closed the pipe (`| head`) stops the printing, not the run: the
        exit code still says what was found, as with the report written at the end."""
        nonlocal gone
        if gone:
            return
        try:
            out.write(text)
        except BrokenPipeError:
            gone = True
            try:  # later flushes (at exit) go nowhere instead of raising again
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, out.fileno())
            except (OSError, ValueError, AttributeError):
                pass

    for outcome in lint(files, settings, selection, stdin=stdin):
        lines = []
        for d in sorted(outcome.diagnostics, key=lambda d: d.sort_key):
            tally.add(d)
            lines.append(line(d, color) + "\n")
        if lines:
            write("".join(lines))  # one write per recipe
        del outcome
    if not options["quiet"]:
        hidden = 0 if options["unsafe_fixes"] else tally.hidden_unsafe
        write(summary_line(tally.summary(len(files), hidden)) + "\n")
    return EXIT_FINDINGS if tally.failing and not options["exit_zero"] else EXIT_CLEAN


def _fix(outcome: "RecipeOutcome", settings: "Settings", selection: "Selection", options: dict[str, Any],
         stdin: Stdin) -> "FixResult":
    """Fix one recipe to a fixed point (the engine re-lints the new texts between passes),
    say on stderr which fixes were refused and why, and write the files unless this is
    `--diff` or stdin. Returns the FixResult; its `remaining` are the findings left."""
    from steplint import engine
    from steplint.fixing import FixWriteError, apply_fixes, write_fixes

    given = {stdin[0]: stdin[1]} if stdin is not None and stdin[0] in outcome.documents else {}

    def relint(documents: Mapping[str, "Document"]) -> list["Diagnostic"]:
        texts = dict(given)
        texts.update((p, d.text) for p, d in documents.items() if d is not outcome.documents.get(p))
        return engine.relint(outcome, texts, settings, selection).diagnostics

    result = apply_fixes(outcome.diagnostics, outcome.documents, unsafe=options["unsafe_fixes"], relint=relint)
    for refused in result.refused:
        d = refused.diagnostic
        echo(f"{d.file}:{d.line}:{d.column}: fix for {d.code} not applied: {refused.reason}", err=True)
    if not options["diff"]:
        on_disk = {p: t for p, t in result.texts.items() if p not in given}  # stdin's text goes to stdout
        try:
            write_fixes(result._replace(texts=on_disk), outcome.documents)
        except FixWriteError as error:
            # those files keep their text (a concurrent edit wins): exit 2, the other files proceed
            echo("\n".join(f"steplint: {line}" for line in str(error).splitlines()), err=True)
            options["_write_failed"] = True
            result = _unwritten(result, outcome, set(error.failed))
    return result


def _unwritten(result: "FixResult", outcome: "RecipeOutcome", failed: set[str]) -> "FixResult":
    """The FixResult as if the files in `failed` had not been fixed: their findings are
    the ones first reported, nothing of theirs counts as fixed."""
    from steplint.fixing import FixResult

    def touches(fix: "Fix") -> bool:
        return any(e.file in failed for e in fix.edits)

    kept = [d for d in (result.remaining if result.remaining is not None else outcome.diagnostics) if d.file not in failed]
    kept += [d for d in outcome.diagnostics if d.file in failed]
    return FixResult(
        texts={p: t for p, t in result.texts.items() if p not in failed},
        documents={p: d for p, d in result.documents.items() if p not in failed},
        applied=tuple(a for a in result.applied if not touches(a.fix)),
        refused=result.refused, hidden_unsafe=result.hidden_unsafe, converged=result.converged,
        passes=result.passes, remaining=tuple(kept),
    )


def _diffs(outcome: "RecipeOutcome", result: "FixResult") -> list[str]:
    from steplint.fixing import unified_diff

    return [unified_diff(path, outcome.documents[path].text, new) for path, new in result.texts.items()]
