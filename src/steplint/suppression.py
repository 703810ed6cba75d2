"""Inline suppression: `# steplint: ignore[SL302, steplaw-lr]` and `ignore-file[...]`.

A trailing comment covers its own line; a comment on a line of its own covers the next
line that is not itself a comment (so several directives can stack above one key); in a
shell script it covers that line's whole command, continuation lines (a trailing backslash)
included, since no comment can sit inside a continued command (as ruff's own-line
`# ruff: ignore` covers the logical statement below it).
`ignore-file[...]` anywhere covers the whole file. JSON has no comments: per-file ignores
in the settings do that job there. Unused directives become SL008.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity

if TYPE_CHECKING:
    from steplint.documents.nodes import Document

_DIRECTIVE = re.compile(r"steplint:\s*(ignore-file|ignore)\s*\[([^\]]*)\]", re.IGNORECASE)
_COMMENT_KINDS = ("yaml", "toml", "shell")


class Directive(NamedTuple):
    """One `steplint: ignore[...]` comment. A NamedTuple (immutable too): this module is
    on every run's start-up path, and defining one costs ~0.07 ms against a dataclass's ~0.4."""

    selectors: tuple[str, ...]
    line: int  # where the comment is
    column: int
    target: Optional[int]  # first covered line; None for ignore-file
    last: Optional[int] = None  # last covered line (a continued shell command); None: target
    alone: bool = False  # the comment holds this directive and nothing else (SL008 may delete it)
    own_line: bool = False
    bracket: tuple[int, int] = (0, 0)  # the selectors' text, as columns within the line (1-based, end exclusive)


def _continued_to(lines: list[str], line: int) -> int:
    """The last line of the shell command that starts at `line` (1-based): lines ending in
    an unescaped backslash continue on the next."""
    while line <= len(lines):
        stripped = lines[line - 1].rstrip("\r\n")
        trailing = len(stripped) - len(stripped.rstrip("\\"))
        if trailing % 2 == 0:
            break
        line += 1
    return min(line, len(lines))


# The characters re.IGNORECASE matches to a letter of `steplint` besides its two ASCII cases
# (Python's re case-insensitive equivalences: long s, dotted and dotless i); a test checks
# every code point of the running Python against the pattern.
_FOLD = str.maketrans({"\u017f": "s", "\u0130": "i", "\u0131": "i"})


def _may_hold_directive(text: str) -> bool:
    """False only when `_DIRECTIVE` cannot match in `text`: it needs a literal `[` and
    `steplint` in some case. Scanning with the case-insensitive regex costs about a tenth
    of a millisecond per file of comments; these two substring tests a few microseconds."""
    if "[" not in text:
        return False
    folded = text.lower() if text.isascii() else text.translate(_FOLD).lower()
    return "steplint" in folded


def directives(document: Optional["Document"]) -> tuple[Directive, ...]:
    if document is None or document.kind not in _COMMENT_KINDS:
        return ()
    # The loaders' comments are slices of the text (never a `#` inside a quoted string or
    # block scalar), so a text that cannot hold a directive has none, and its comments need
    # not be looked at: one pass over one string instead of one object per comment.
    if not _may_hold_directive(document.text):
        return ()
    comments = document.comments
    # Most files hold no directive: one search over all comment texts (joined, so a match
    # may only appear where none is, never the reverse) saves the per-comment work.
    if not comments:
        return ()
    joined = "\n".join([c.text for c in comments])
    if not _may_hold_directive(joined) or not _DIRECTIVE.search(joined):
        return ()
    own_lines = {c.line for c in comments if c.own_line}
    # lines as positions count them: at "\n" only (splitlines would also break at NEL, U+2028)
    text_lines = document.text.split("\n") if document.kind == "shell" else []
    found = []
    for comment in comments:
        line, own = comment.line, comment.own_line
        matches = list(_DIRECTIVE.finditer(comment.text))
        for m in matches:
            selectors = tuple(s.strip() for s in m.group(2).split(",") if s.strip())
            last = None
            if m.group(1).lower() == "ignore-file":
                target = None
            elif own:
                target = line + 1
                while target in own_lines:
                    target += 1
                if text_lines:
                    last = _continued_to(text_lines, target)
            else:
                target = line
            alone = len(matches) == 1 and comment.text.strip() == m.group(0).strip()
            start = comment.column + 1 + m.start(2)  # the column of the first selector character
            found.append(Directive(selectors, line, comment.column, target, last, alone, own,
                                   (start, start + len(m.group(2)))))
    return tuple(found)


def covers(directive: Directive, line: int) -> bool:
    if directive.target is None:
        return True
    return directive.target <= line <= (directive.last or directive.target)


def _hits(selector: str, diagnostic: Diagnostic) -> bool:
    s = selector.strip()
    return diagnostic.code.upper().startswith(s.upper()) if s[:2].upper() == "SL" else diagnostic.name == s.lower()


def apply(diagnostics: Iterable[Diagnostic], found: tuple[Directive, ...], file: str, *,
          known: Callable[[str], bool], runs: Callable[[str], bool],
          text: Optional[str] = None) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(kept diagnostics, SL008 findings) for one file.

    `known(selector)` says whether a selector names any rule; `runs(selector)` whether one of
    the rules it names ran, so a directive for a rule the user turned off is not "unused".
    Parse errors (SL001) cannot be suppressed inline, as in yamllint. With the file's `text`,
    each SL008 carries a safe fix that removes what suppresses nothing."""
    used: set[tuple[int, str]] = set()
    kept = []
    for d in diagnostics:
        hit = None
        if d.code != "SL001":
            for i, directive in enumerate(found):
                if not covers(directive, d.line):
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
                fix=removal(directive, s, file, text) if text is not None else None,
            ))
    return kept, unused


def removal(directive: Directive, selector: str, file: str, text: str) -> Optional[Fix]:
    """The edit that drops `selector` from its directive: the selector alone when others stay,
    the whole comment when it held only this directive (its line too, when on a line of its
    own). None when the comment says more than the directive (the user's words are kept)."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    if directive.line > len(starts) - 1:
        return None
    line_start = starts[directive.line - 1]
    line_text = text[line_start:starts[directive.line]]
    body = line_text.rstrip("\r\n")
    others = [x for x in directive.selectors if x != selector]
    if others:
        start, end = (line_start + c - 1 for c in directive.bracket)
        edit = Edit(file, start, end, ", ".join(others), directive.line, directive.bracket[0], directive.line, directive.bracket[1])
        return Fix(Applicability.SAFE, f"Remove `{selector}` from the suppression", (edit,))
    if not directive.alone:
        return None
    hash_at = line_start + directive.column - 1
    if directive.own_line:
        start, end = line_start, starts[directive.line]
    else:
        start, end = line_start + len(body[: directive.column - 1].rstrip(" \t")), line_start + len(body)
    if start >= end or text[hash_at:hash_at + 1] != "#":
        return None
    edit = Edit(file, start, end, "", directive.line, 1, directive.line, len(body) + 1)
    return Fix(Applicability.SAFE, "Remove the unused suppression comment", (edit,))
