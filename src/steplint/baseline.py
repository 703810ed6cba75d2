"""`check --add-ignore`: silence today's findings with inline `# steplint: ignore[CODE]`.

What a team runs once when it switches steplint on in an existing repository (ruff's
`--add-noqa`). For each finding line of a YAML, TOML or shell file, the directive goes at
the end of that line; where the syntax forbids a comment there (inside a multi-line string,
after a shell line continuation) it goes on a line of its own above, and for a continued
shell command above the command's first line (steplint.suppression covers the whole
command). A finding on line 1 that no line comment can cover (a whole-recipe finding on a
comment line) gets `ignore-file[CODE]` at the top. Every placement is re-parsed: the file must read exactly the same values and the
new directive must cover the finding, or the next placement is tried. Files that take no
comment (JSON) or where nothing fits are listed for `per-file-ignores` instead.

Pure: `plan_file` takes a document and its findings and returns the new text; the command
writes it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from steplint._namedtuple import NamedTuple

from steplint import suppression
from steplint.diagnostics import Diagnostic

if TYPE_CHECKING:
    from steplint.documents.nodes import Document
    from steplint.engine import RecipeOutcome

_COMMENT_KINDS = ("yaml", "toml", "shell")
# SL001: a file that does not parse has no comments steplint can read; SL008: cannot be
# suppressed inline (its rule docs). Both go to per-file ignores.
_NOT_INLINE = ("SL001", "SL008")


class FilePlan(NamedTuple):
    """The outcome for one file: its new text (None when unchanged), how many directives were
    written, and the codes left for per-file ignores."""

    path: str
    text: Optional[str]
    added: int
    leftover: tuple[str, ...]
    bom: bool = False


def _directive(codes: Iterable[str]) -> str:
    return f"steplint: ignore[{', '.join(sorted(set(codes)))}]"


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _newline_of(line: str, default: str) -> str:
    return line[len(line.rstrip("\r\n")):] or default


def _continues(line: str) -> bool:
    body = line.rstrip("\r\n")
    return (len(body) - len(body.rstrip("\\"))) % 2 == 1


def _command_start(lines: list[str], index: int) -> int:
    """The first line (0-based) of the shell command that line `index` belongs to."""
    while index > 0 and _continues(lines[index - 1]):
        index -= 1
    return index


def candidates(document: "Document", line: int, codes: tuple[str, ...]) -> Iterator[tuple[str, int]]:
    """(new text, line number the finding has in it), best placement first."""
    lines = _lines(document.text)
    if not 1 <= line <= len(lines):
        return
    newline = document.newline or "\n"
    i = line - 1
    body = lines[i].rstrip("\r\n")
    directive = _directive(codes)
    ends_continued = document.kind == "shell" and _continues(lines[i])
    if not ends_continued:
        trailing = body + ("  # " if body.strip() else "# ") + directive + _newline_of(lines[i], newline)
        yield "".join(lines[:i] + [trailing] + lines[i + 1:]), line
    starts = [i]
    if document.kind == "shell":
        start = _command_start(lines, i)
        if start != i:
            starts = [start]  # a comment line inside a continued command would end it
    for start in starts:
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip(" \t"))]
        above = f"{indent}# {directive}{newline}"
        yield "".join(lines[:start] + [above] + lines[start:]), line + 1
    if line == 1:  # where whole-recipe findings point (e.g. SL402 at 1:1, often a comment line)
        at = 1 if lines[0].startswith("#!") else 0
        whole = f"# steplint: ignore-file[{', '.join(codes)}]{newline}"
        yield "".join(lines[:at] + [whole] + lines[at:]), line + (1 if at == 0 else 0)


def _placed(document: "Document", new_text: str, line: int, codes: tuple[str, ...]) -> bool:
    """The new text reads the same values and has a directive naming `codes` over `line`."""
    from steplint.fixing import default_reparse, verify

    new = default_reparse(document.path, new_text, document)
    if verify(document, new, ()):
        return False
    return any(suppression.covers(d, line) and set(codes) <= set(d.selectors)
               for d in suppression.directives(new))


def plan_file(document: Optional["Document"], diagnostics: Iterable[Diagnostic]) -> FilePlan:
    """Suppress every finding of one file inline, bottom line first (so the line numbers
    of the lines above stay valid while inserting)."""
    found = list(diagnostics)
    path = document.path if document is not None else (found[0].file if found else "")
    if document is None or document.kind not in _COMMENT_KINDS or not getattr(document, "ok", True):
        return FilePlan(path, None, 0, tuple(sorted({d.code for d in found})))
    by_line: dict[int, set[str]] = {}
    leftover = set()
    # In a shell script, the findings on the continued lines of one command share the one
    # directive above the command (it covers the command whole): one line, not one per finding.
    lines = _lines(document.text) if document.kind == "shell" else []
    group_of: dict[int, int] = {}
    for d in found:
        if d.code in _NOT_INLINE:
            leftover.add(d.code)
            continue
        line = d.line
        if lines and 1 <= line <= len(lines) and _continues(lines[line - 1]):
            line = group_of.setdefault(_command_start(lines, line - 1), line)
        by_line.setdefault(line, set()).add(d.code)
    current = document
    added = 0
    for line in sorted(by_line, reverse=True):
        codes = tuple(sorted(by_line[line]))
        for text, new_line in candidates(current, line, codes):
            if _placed(current, text, new_line, codes):
                current = _reread(current, text)
                added += 1
                break
        else:
            leftover.update(codes)
    new_text: Optional[str] = current.text if added else None
    return FilePlan(path, new_text, added, tuple(sorted(leftover)), bool(getattr(document, "bom", False)))


def _reread(document: "Document", text: str) -> "Document":
    from steplint.fixing import default_reparse

    return default_reparse(document.path, text, document)


def plan_outcome(outcome: "RecipeOutcome") -> list[FilePlan]:
    """One FilePlan per passed file of a lint outcome that has findings."""
    from steplint.files import file_key

    docs = {file_key(p): d for p, d in outcome.documents.items()}
    by_file: dict[str, list[Diagnostic]] = {}
    for d in outcome.diagnostics:
        by_file.setdefault(d.file, []).append(d)
    return [plan_file(docs.get(file_key(f)), ds) for f, ds in by_file.items()]


def settings_snippet(per_file: Iterable[tuple[str, tuple[str, ...]]]) -> str:
    """The `[tool.steplint.per-file-ignores]` table for the files left over (paths relative
    to the working directory: put it in the settings file there, or adjust the globs)."""
    out = ["[tool.steplint.per-file-ignores]"]
    for path, codes in per_file:
        rel = os.path.relpath(path).replace(os.sep, "/")
        quoted = ", ".join(f'"{c}"' for c in codes)
        out.append(f'"{rel}" = [{quoted}]')
    return "\n".join(out) + "\n"
