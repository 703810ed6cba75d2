"""Which files a `check` call looks at: named files as given, directories walked.

Walking keeps files with a config extension, skips hidden folders and the default
excludes (as ruff does: https://docs.astral.sh/ruff/settings/#exclude), honours
`.gitignore` files on the way down (a small subset of git's pattern language: `*`, `?`,
`**`, leading `/`, trailing `/`, `!` negation), and the `exclude`/`extend-exclude` globs
of the settings. Files named explicitly are always checked, as pre-commit expects.
"""

from __future__ import annotations

import fnmatch
import os
import re
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from steplint._namedtuple import NamedTuple

if TYPE_CHECKING:
    from steplint.settings import Settings

CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".sh", ".bash", ".slurm")
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", "build", "dist", "site-packages",
)


class MissingPathError(FileNotFoundError):
    """A path on the command line does not exist (exit 2)."""


class _IgnoreRule(NamedTuple):
    """One gitignore-style line, translated to a regex. A NamedTuple (immutable too): this
    module is on every run's start-up path, and defining one costs ~0.07 ms against ~0.4."""

    regex: re.Pattern[str]
    negated: bool
    dir_only: bool


def _gitignore_regex(pattern: str) -> str:
    """Translate one gitignore pattern (already stripped of `!` and trailing `/`)."""
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.lstrip("/")
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    body = "".join(out)
    return ("^" if anchored else "^(?:.*/)?") + body + "$"


def parse_gitignore(text: str) -> tuple[_IgnoreRule, ...]:
    rules = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        dir_only = line.endswith("/")
        line = line.rstrip("/")
        if line:
            rules.append(_IgnoreRule(re.compile(_gitignore_regex(line)), negated, dir_only))
    return tuple(rules)


def _ignored(rel: str, is_dir: bool, layers: list[tuple[str, tuple[_IgnoreRule, ...]]]) -> bool:
    """Last matching rule wins, deeper .gitignore files after shallower ones."""
    verdict = False
    for base, rules in layers:
        if base and not rel.startswith(base + "/"):
            continue
        sub = rel[len(base) + 1:] if base else rel
        for rule in rules:
            if rule.dir_only and not is_dir:
                continue
            if rule.regex.match(sub):
                verdict = not rule.negated
    return verdict


def _excluded(rel: str, name: str, patterns: Iterable[str]) -> bool:
    for p in patterns:
        p = p.rstrip("/")
        if fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(rel, p.lstrip("./")):
            return True
    return False


def walk(directory: str, *, exclude: Iterable[str] = DEFAULT_EXCLUDE, respect_gitignore: bool = True) -> Iterator[str]:
    """Config files below `directory`, sorted per folder, as paths joined onto `directory`."""
    exclude = tuple(exclude)
    layers: list[tuple[str, tuple[_IgnoreRule, ...]]] = []
    for current, dirs, files in os.walk(directory):
        rel_dir = os.path.relpath(current, directory).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        if respect_gitignore and ".gitignore" in files:
            try:
                with open(os.path.join(current, ".gitignore"), encoding="utf-8", errors="replace") as fh:
                    layers.append((rel_dir, parse_gitignore(fh.read())))
            except OSError:
                pass
        here = [(b, r) for b, r in layers if not b or rel_dir == b or rel_dir.startswith(b + "/")]

        def rel(name: str) -> str:
            return f"{rel_dir}/{name}" if rel_dir else name

        dirs[:] = sorted(
            d for d in dirs
            if not d.startswith(".") and not _excluded(rel(d), d, exclude)
            and not (respect_gitignore and _ignored(rel(d), True, here))
        )
        for name in sorted(files):
            if not name.endswith(CONFIG_SUFFIXES) or _excluded(rel(name), name, exclude):
                continue
            if respect_gitignore and _ignored(rel(name), False, here):
                continue
            yield os.path.join(current, name)


def expand(paths: Iterable[str], settings: Optional["Settings"] = None) -> Iterator[str]:
    """Files to check, in command-line order; `-` is passed through for stdin.
    Raises MissingPathError for a path that does not exist."""
    exclude = tuple(getattr(settings, "exclude", ()) or DEFAULT_EXCLUDE) + tuple(getattr(settings, "extend_exclude", ()) or ())
    respect = getattr(settings, "respect_gitignore", True)
    seen: set[str] = set()
    for path in paths:
        if path == "-":
            yield path
            continue
        if os.path.isdir(path):
            found: Iterable[str] = walk(path, exclude=exclude, respect_gitignore=respect)
        elif os.path.exists(path):
            found = (path,)
        else:
            raise MissingPathError(f"{path}: no such file or directory")
        for f in found:
            key = os.path.normcase(os.path.abspath(f))
            if key not in seen:
                seen.add(key)
                yield f


def file_key(path: Optional[str]) -> str:
    """One spelling per file, to compare paths from the command line and from loaders."""
    return os.path.normcase(os.path.abspath(path or ""))
