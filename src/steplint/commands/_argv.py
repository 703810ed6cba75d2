"""Options declared once, as data: click builds its options from them, and a one-file
`steplint check` reads its argv with `read_args` without importing click at all.

Why: click's import (inspect, ast, dis, tokenize, uuid, platform ...) costs about as much
CPU as the whole rest of a one-file check (architecture.md section 7; bench/check.py). The
reader is not a second parser: it knows only the plain forms (`--long`, `--long=value`,
`--long value`, an exact short flag `-q`/`-o value`, positional paths anywhere) and returns
None for anything else (help, `--`, unknown or combined flags, a bad choice, a value that
looks like a flag, a path click's `Path` type would refuse), so click parses it and prints
its usual messages. tests/commands/test_argv.py checks with hypothesis that whenever it does
not defer, its result equals click's own parse (`command.make_context(...).params`).
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, TypeVar

from steplint._namedtuple import NamedTuple

if TYPE_CHECKING:
    import click

F = TypeVar("F", bound=Callable[..., Any])

FLAG, VALUE, MULTIPLE = "flag", "value", "multiple"


class Opt(NamedTuple):
    """One click option, as data: `decls` are click's declarations (the flags, then the
    parameter name when it is not derived from the first long flag)."""

    decls: tuple[str, ...]
    help: str
    kind: str = VALUE  # FLAG (is_flag), VALUE (one string) or MULTIPLE (repeatable)
    choices: Optional[tuple[str, ...]] = None  # click.Choice
    default: Optional[str] = None
    show_default: bool = False
    path: Optional[PathType] = None  # a click.Path


class PathType(NamedTuple):
    """The click.Path options steplint uses (the others keep click's defaults: exists=False,
    file_okay, readable, allow_dash=False, no resolving)."""

    dir_okay: bool = True
    writable: bool = False


def dest(opt: Opt) -> str:
    """The parameter name click gives the option: a bare declaration, else the first
    `--` flag (click sorts by prefix length, stably), else the first flag."""
    for decl in opt.decls:
        if not decl.startswith("-"):
            return decl
    flags = sorted(opt.decls, key=lambda d: -len(d) + len(d.lstrip("-")))
    return flags[0].lstrip("-").replace("-", "_").lower()


def click_option(opt: Opt) -> Callable[[F], F]:
    """The click.option decorator the declaration stands for (only the keywords it sets,
    so every other attribute keeps click's own default)."""
    import click

    kwargs: dict[str, Any] = {"help": opt.help}
    if opt.kind == FLAG:
        kwargs["is_flag"] = True
    elif opt.kind == MULTIPLE:
        kwargs["multiple"] = True
    if opt.choices is not None:
        kwargs["type"] = click.Choice(opt.choices)
    elif opt.path is not None:
        kwargs["type"] = click.Path(dir_okay=opt.path.dir_okay, writable=opt.path.writable)
    if opt.default is not None:
        kwargs["default"] = opt.default
    if opt.show_default:
        kwargs["show_default"] = True
    decorator: Callable[[F], F] = click.option(*opt.decls, **kwargs)
    return decorator


def with_options(options: Sequence[Opt]) -> Callable[[F], F]:
    """Apply the options to a click callback, first option first in `--help`."""

    def apply(command: F) -> F:
        for opt in reversed(options):
            command = click_option(opt)(command)
        return command

    return apply


def path_ok(value: str, path: PathType) -> bool:
    """Whether click.Path.convert keeps `value` as it is, without an error: a missing path
    is kept (exists=False); an existing one must pass its type and permission checks."""
    try:
        st = os.stat(value)
    except OSError:
        return True
    except ValueError:  # a NUL in the path: click lets that escape, so it decides
        return False
    if not path.dir_okay and stat.S_ISDIR(st.st_mode):
        return False
    if not os.access(value, os.R_OK):  # readable=True
        return False
    return not (path.writable and not os.access(value, os.W_OK))


def read_args(options: Sequence[Opt], args: Sequence[str], positional_path: PathType = PathType()
              ) -> Optional[tuple[tuple[str, ...], dict[str, Any]]]:
    """(positional paths, {parameter: value}) as click would parse `args` for a command of
    one `nargs=-1` Path argument and these options, or None: let click parse them."""
    by_flag = {decl: opt for opt in options for decl in opt.decls if decl.startswith("-")}
    values: dict[str, Any] = {}
    for opt in options:
        values[dest(opt)] = False if opt.kind == FLAG else [] if opt.kind == MULTIPLE else opt.default
    paths: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "-" or not arg.startswith("-"):
            if not path_ok(arg, positional_path):
                return None
            paths.append(arg)
            continue
        inline: Optional[str] = None
        if arg.startswith("--"):
            name, eq, rest = arg.partition("=")
            if eq:
                inline = rest
        elif len(arg) == 2:
            name = arg
        else:  # -qo, -ofile, -o=file: click's short-option rules
            return None
        found = by_flag.get(name)
        if found is None:
            return None  # unknown, `--`, help
        opt = found
        key = dest(opt)
        if opt.kind == FLAG:
            if inline is not None:
                return None
            values[key] = True
            continue
        if inline is None:
            if i >= len(args) or args[i].startswith("-"):
                return None
            value = args[i]
            i += 1
        else:
            value = inline
        if opt.choices is not None and value not in opt.choices:
            return None
        if opt.path is not None and not path_ok(value, opt.path):
            return None
        if opt.kind == MULTIPLE:
            values[key].append(value)
        else:
            values[key] = value
    for opt in options:
        if opt.kind == MULTIPLE:
            values[dest(opt)] = tuple(values[dest(opt)])
    return tuple(paths), values

