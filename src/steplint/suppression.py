"""Inline suppression: `# steplint: ignore[SL302, steplaw-lr]` and `ignore-file[...]`.

A trailing comment covers its own line; a comment on a line of its own covers the next
line that is not itself a comment (so several directives can stack above one key).
`ignore-file[...]` anywhere covers the whole file. JSON has no comments: per-file ignores
in the settings do that job there. Unused directives become SL008.
"""

from __future__ import annotations

import re
from typing import Iterable, NamedTuple, Optional

from steplint.diagnostics import Diagnostic, Severity

_DIRECTIVE = re.compile(r"steplint:\s*(ignore-file|ignore)\s*\[([^\]]*)\]", re.IGNORECASE)
_COMMENT_KINDS = ("yaml", "toml", "shell")


class Directive(NamedTuple):
    """One `steplint: ignore[...]` comment. A NamedTuple (immutable too): this module is
    on every run's start-up path, and defining one costs ~0.07 ms against a dataclass's ~0.4."""

    selectors: tuple[str, ...]
    line: int  # where the comment is
    column: int
    target: Optional[int]  # covered line; None for ignore-file


def directives(document) -> tuple[Directive, ...]:
    if document is None or document.kind not in _COMMENT_KINDS:
        return ()
    # The loaders' comments (never a `#` inside a quoted string or block scalar).
    comments = document.comments
    own_lines = {c.line for c in comments if c.own_line}
    found = []
    for comment in comments:
        line, own = comment.line, comment.own_line
        for m in _DIRECTIVE.finditer(comment.text):
            selectors = tuple(s.strip() for s in m.group(2).split(",") if s.strip())
            if m.group(1).lower() == "ignore-file":
                target = None
            elif own:
                target = line + 1
                while target in own_lines:
                    target += 1
            else:
                target = line
            found.append(Directive(selectors, line, comment.column, target))
    return tuple(found)


def _hits(selector: str, diagnostic: Diagnostic) -> bool:
    s = selector.strip()
    return diagnostic.code.upper().startswith(s.upper()) if s[:2].upper() == "SL" else diagnostic.name == s.lower()


def apply(diagnostics: Iterable[Diagnostic], found: tuple[Directive, ...], file: str, *, known, runs) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(kept diagnostics, SL008 findings) for one file.

    `known(selector)` says whether a selector names any rule; `runs(selector)` whether one of
    the rules it names ran, so a directive for a rule the user turned off is not "unused".
    Parse errors (SL001) cannot be suppressed inline, as in yamllint."""
    used: set[tuple[int, str]] = set()
    kept = []
    for d in diagnostics:
        hit = None
        if d.code != "SL001":
            for i, directive in enumerate(found):
                if directive.target is not None and directive.target != d.line:
                    continue
                hit = next((s for s in directive.selectors if _hits(s, d)), None)
                if hit is not None:
                    used.add((i, hit))
                    break
        if hit is None:
            kept.append(d)
    unused = []
    for i, directive in enumerate(found):
        for s in directive.selectors:
            if (i, s) in used:
                continue
            if not known(s):
                message = f"`steplint: ignore[{s}]` names no rule"
            elif runs(s):
                message = f"`steplint: ignore[{s}]` suppressed nothing" + ("" if directive.target is None else f" on line {directive.target}")
            else:
                continue
            unused.append(Diagnostic(
                code="SL008", name="unused-suppression", severity=Severity.WARNING,
                message=message, file=file, line=directive.line, column=directive.column,
            ))
    return kept, unused
