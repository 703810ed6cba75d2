"""Drive one fuzz case through everything a user can reach: load, every dialect (by
detection), every rule, every reporter, `show`, and `check --fix --unsafe-fixes`, in
process (a subprocess per input would make 100,000 inputs take hours).

The property (issue 15 item 1): no internal error (no exception escapes the commands'
own handling, no `internal error` message), a defined exit code (0, 1 or 2), and no file
changed unless a fix was reported.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import time
from typing import NamedTuple, Optional

from steplint.report import REPORTERS

FORMATS = tuple(sorted(REPORTERS))


class Hang(BaseException):
    """Raised by the campaign's SIGALRM in an input over its time limit. A BaseException,
    so neither the commands' own `except Exception` nor run_case counts it as an error."""


class Outcome(NamedTuple):
    ok: bool
    problem: str = ""
    seconds: float = 0.0


def _defaults(command) -> dict:
    """The options a command gets with no flags, as click fills them."""
    params = command.make_context(command.name, [], resilient_parsing=True).params
    return {k: v for k, v in params.items() if k != "paths"}


_CHECK: Optional[dict] = None
_SHOW: Optional[dict] = None


def _options():
    global _CHECK, _SHOW
    if _CHECK is None:
        from steplint.commands import check, show

        _CHECK, _SHOW = _defaults(check.command), _defaults(show.command)
    return _CHECK, _SHOW


_OUT = io.StringIO()


def _call(run, paths, options) -> tuple[int, str]:
    """A command's `run` in process: its exit code and what it printed. Exceptions other
    than the commands' own exits are internal errors: they propagate to the caller."""
    import click

    out = _OUT  # one buffer for every call: click caches a text wrapper per stdout object
    out.seek(0)  # it has seen (keyed weakly, valued strongly), so a fresh StringIO per call
    out.truncate()  # kept every output alive: the campaign process grew ~2 KB per input
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = run(tuple(paths), options)
        except click.exceptions.Exit as exit_:
            code = exit_.exit_code
    return code, out.getvalue()


def run_case(case: dict, folder: str, index: int) -> Outcome:
    """Write the case's files into `folder` (emptied first) and run the commands on them."""
    from steplint import report as report_module
    from steplint.commands import check, show

    for name in os.listdir(folder):
        os.unlink(os.path.join(folder, name))
    paths = []
    for name, data in case.items():
        path = os.path.join(folder, name)
        with open(path, "wb") as fh:
            fh.write(data)
        paths.append(path)
    check_defaults, show_defaults = _options()
    seen: list = []
    real_render = report_module.render

    def render(name, report):
        seen.append(report)
        return real_render(name, report)

    start = time.perf_counter()
    try:
        report_module.render = render
        # every reporter over the run, and a lint-only pass
        fmt = FORMATS[index % len(FORMATS)]
        code, text = _call(check.run, paths, dict(check_defaults, isolated=True, output_format=fmt))
        problem = _judge(code, text, "check")
        if problem:
            return Outcome(False, problem, time.perf_counter() - start)
        problem = _quotes(seen)
        if problem:
            return Outcome(False, problem, time.perf_counter() - start)
        for other in FORMATS:  # the same findings through the other reporters, without re-linting
            if seen and other != fmt:
                real_render(other, seen[-1])
        if index % 3 == 0:
            code, text = _call(show.run, paths, dict(show_defaults, isolated=True,
                                                     output_format="json" if index % 2 else "text"))
            problem = _judge(code, text, "show")
            if problem:
                return Outcome(False, problem, time.perf_counter() - start)
        before = {p: open(p, "rb").read() for p in paths}
        seen.clear()
        code, text = _call(check.run, paths, dict(check_defaults, isolated=True, fix=True, unsafe_fixes=index % 2 == 0,
                                                  output_format="json"))
        problem = _judge(code, text, "check --fix")
        if problem:
            return Outcome(False, problem, time.perf_counter() - start)
        problem = _quotes(seen)
        if problem:
            return Outcome(False, f"check --fix: {problem}", time.perf_counter() - start)
        fixed = bool(seen and seen[-1].fixed)
        changed = [p for p in paths if open(p, "rb").read() != before[p]]
        if changed and not fixed:
            return Outcome(False, f"--fix changed {os.path.basename(changed[0])} but reported no fix",
                           time.perf_counter() - start)
    except BaseException as error:  # noqa: BLE001 - the finding of a fuzz run
        if isinstance(error, (KeyboardInterrupt, Hang)):
            raise
        import traceback

        where = traceback.extract_tb(error.__traceback__)[-1]
        return Outcome(False, f"{type(error).__name__}: {str(error)[:200]} at {where.filename}:{where.lineno}",
                       time.perf_counter() - start)
    finally:
        report_module.render = real_render
    return Outcome(True, "", time.perf_counter() - start)


def _judge(code: int, text: str, what: str) -> str:
    if code not in (0, 1, 2):
        return f"{what}: exit code {code}"
    if "internal error" in text or "Traceback" in text:
        line = next(l for l in text.splitlines() if "internal error" in l or "Traceback" in l)
        return f"{what}: {line[:300]}"
    if code == 2:
        return f"{what}: exit 2 without a usage problem: {text.strip()[:300]}"
    if what != "show":  # `show` prints facts, findings are one line each
        for line in text.splitlines():
            if len(line) > _LONGEST_LINE and "x" * 200 in line or "\x00" in line:
                return f"{what}: a finding quotes a long or raw value: {line[:120]!r}..."
    return ""


# Findings quote a short, escaped excerpt of a string value, never the whole of it: the
# generators write 5,000-character strings, which no output line may carry whole.
_LONGEST_LINE = 1500
# ... and, checked on the findings themselves (every reporter's source): no unbroken run of
# more than 200 characters (engine.py's excerpt bound) and nothing unprintable, in a
# finding's message, its related locations' messages or its fix's message.
_LONG_RUN = re.compile(r"\S{201,}")


def _quotes(seen: list) -> str:
    for report in seen:
        for d in tuple(report.diagnostics) + tuple(report.fixed):
            texts = [d.message] + [r.message for r in d.related] + ([d.fix.message] if d.fix else [])
            for text in texts:
                if _LONG_RUN.search(text) or not text.replace("\n", " ").isprintable():
                    return f"{d.code} quotes a long or raw value: {text[:120]!r}..."
    return ""
