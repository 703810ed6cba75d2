"""Applying fixes: surgical text edits on loader spans, verified by re-parsing.

A config rewritten by dump-and-reload loses comments, key order, quoting and anchors, so
a fix here is only ever a list of `Edit`s (replace `text[start:end]`, offsets into the
decoded text without BOM). The fixer splices them into the original text, re-parses the
result the way the framework reads it, and keeps the new text only when the edited keys
now read as intended and nothing else in the tree moved. This mirrors ruff's fix loop
(sort, skip overlaps, re-lint, repeat with a cap: `crates/ruff_linter/src/linter.rs`)
plus the verification the pinned contract asks for (architecture.md sections 2 and 8).

The API `commands/check.py` calls (pure; no file is written here):

    result = apply_fixes(diagnostics, documents, unsafe=False, reparse=None,
                         relint=None, read_value=None, max_passes=10)
        diagnostics  Diagnostics of this run; those with a `fix` are candidates. Safe fixes
                     are applied; unsafe ones only with `unsafe=True` (else counted in
                     `result.hidden_unsafe`, for ruff's "N hidden fixes" hint).
        documents    path -> Document as loaded (the edits' offsets index `.text`).
        reparse      (path, new_text, old_document) -> Document. Default: the loader's
                     `load_document(path, text=new_text)` with the original kind.
        relint       (documents) -> Iterable[Diagnostic]: every finding of the run on the
                     current documents (path -> Document, the fixed ones re-parsed). Given,
                     the fixer loops to a fixed point, re-linting after each pass that
                     changed something (fixes skipped for overlapping, or revealed by an
                     earlier fix, come back with fresh offsets); absent, it does one pass.
        read_value   (document, node) -> value as the framework reads a scalar node
                     (e.g. OmegaConf for NeMo). Default: the loader's value (`node.value`,
                     PyYAML's YAML 1.1 for YAML, the strictest reading; a launch script's
                     word as argparse's `float`/`int` turns it into a number).
    result.texts      path -> new text, only files that changed.
    result.documents  path -> the re-parsed final Document of each changed file (its `bom`
                      is what `write_fixes` re-adds).
    result.applied    AppliedFix(diagnostic, fix, pass_number): what `--show-fixes` lists.
    result.refused    RefusedFix(diagnostic, fix, reason): fixes not applied, and why.
    result.converged  False when `max_passes` ran out with fixes still pending.
    result.remaining  with `relint`: the findings of the final texts (what is left to
                      report); None without it.

    write_fixes(result, originals) -> list[str]   atomic writes of changed files (steplint.atomic),
                                          each refused when the file changed since it was read;
                                          FixWriteError (an OSError) names the files, one line each
    unified_diff(path, old, new) -> str   for `--diff` (writes nothing)

Edit builders for rules (`replace_value_edit`, `insert_key_edit`, `splice`) live in
`steplint.documents.edits`, next to the documents they edit: rules build fixes with them
and never import this module.

Verification, per file and pass: the new text parses with no loader finding it did not
have before (a duplicate key, a bad value); every `Expectation` of an applied
fix reads as its value (type included: a float stays a float, so YAML `1e-5`, a string
under PyYAML, fails); every other value of the tree equals the old one (aliases of an
edited anchor count as "other", so editing a shared anchor is refused). A file that fails
keeps the text it had before that pass and takes no further fixes; its fixes of that pass
are refused with the reason. A fix with edits in several files is all-or-nothing.
Findings proposing identical edits (SL103 and SL303 on one batch) are fixed together.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Mapping, Optional

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import EMPTY_MAPPING, Applicability, Diagnostic, Edit, Expectation, Fix
from steplint.documents.nodes import Document, Node, ScalarNode, lookup, to_python
from steplint.documents.edits import splice

Reparse = Callable[[str, str, Document], Document]
Relint = Callable[[Mapping[str, Document]], Iterable[Diagnostic]]
ReadValue = Callable[[Document, Node], Any]


class AppliedFix(NamedTuple):
    diagnostic: Diagnostic
    fix: Fix
    pass_number: int


class RefusedFix(NamedTuple):
    diagnostic: Diagnostic
    fix: Fix
    reason: str


class FixResult(NamedTuple):
    texts: Mapping[str, str] = EMPTY_MAPPING
    documents: Mapping[str, Document] = EMPTY_MAPPING
    applied: tuple[AppliedFix, ...] = ()
    refused: tuple[RefusedFix, ...] = ()
    hidden_unsafe: int = 0
    converged: bool = True
    passes: int = 0
    remaining: Optional[tuple[Diagnostic, ...]] = None

    @property
    def changed(self) -> bool:
        return bool(self.texts)


# ---------------------------------------------------------------------------------------
# the fix loop


def apply_fixes(
    diagnostics: Iterable[Diagnostic],
    documents: Mapping[str, Document],
    *,
    unsafe: bool = False,
    reparse: Optional[Reparse] = None,
    relint: Optional[Relint] = None,
    read_value: Optional[ReadValue] = None,
    max_passes: int = 10,
) -> FixResult:
    """Apply the diagnostics' fixes to the documents' texts (see the module docstring)."""
    reparse = reparse or default_reparse
    read_value = read_value or _loader_value
    current: dict[str, Document] = dict(documents)
    frozen: set[str] = set()  # files that failed verification: no further fixes
    applied: list[AppliedFix] = []
    refused: list[RefusedFix] = []
    hidden_unsafe = 0
    pending = list(diagnostics)
    remaining: Optional[list[Diagnostic]] = list(pending) if relint is not None else None
    passes = 0
    converged = True

    while True:
        candidates, twins, hidden, skipped = _candidates(pending, current, frozen, unsafe)
        refused.extend(skipped)
        if passes == 0:
            hidden_unsafe = hidden
        if not candidates:
            break
        if passes >= max_passes:
            converged = False
            refused.extend(
                RefusedFix(d, _fix_of(d), f"fixes did not converge after {max_passes} passes (a rule keeps rewriting its own fix)")
                for d in candidates
            )
            break
        passes += 1
        accepted, deferred = _select_non_overlapping(candidates)
        outcome = _apply_pass(accepted, current, reparse, read_value)
        for diag, reason in outcome.refused:
            refused.extend(RefusedFix(d, _fix_of(d), reason) for d in [diag, *twins.get(id(diag), ())])
        frozen |= outcome.failed_files
        # a twin (another finding proposing the very same edits) is fixed by the same edits
        applied.extend(AppliedFix(d, _fix_of(d), passes) for diag in outcome.applied for d in [diag, *twins.get(id(diag), ())])
        current.update(outcome.documents)
        if relint is None:
            refused.extend(
                RefusedFix(d, _fix_of(d), "overlaps another fix applied in this run; run --fix again")
                for diag in deferred for d in [diag, *twins.get(id(diag), ())]
            )
            break
        if outcome.applied:  # the texts moved: every finding again, with fresh offsets
            remaining = list(relint(current))
            pending = remaining
        else:  # nothing changed: the deferred fixes' offsets still hold
            pending = deferred

    texts = {p: d.text for p, d in current.items() if p in documents and d.text != documents[p].text}
    return FixResult(
        texts=texts,
        documents={p: current[p] for p in texts},
        applied=tuple(applied),
        refused=_once(refused),
        hidden_unsafe=hidden_unsafe,
        converged=converged,
        passes=passes,
        remaining=None if remaining is None else tuple(remaining),
    )


def _once(refused: Iterable[RefusedFix]) -> tuple[RefusedFix, ...]:
    """One refusal per finding: a finding re-linted after every pass is refused each time
    (its file failed verification), but it is one finding with one reason."""
    seen: dict[tuple[str, str, int, int, str], RefusedFix] = {}
    for r in refused:
        d = r.diagnostic
        seen.setdefault((d.code, d.file, d.line, d.column, d.message), r)
    return tuple(seen.values())


def _files_of(fix: Fix) -> set[str]:
    return {e.file for e in fix.edits}


def _fix_of(diag: Diagnostic) -> Fix:
    """The fix of a candidate: `_candidates` keeps only findings that have one."""
    fix = diag.fix
    assert fix is not None, "a fix candidate without a fix"
    return fix


def _candidates(
    pending: Iterable[Diagnostic], current: Mapping[str, Document], frozen: set[str], unsafe: bool
) -> tuple[list[Diagnostic], dict[int, list[Diagnostic]], int, list[RefusedFix]]:
    """Fixable diagnostics of this pass; their twins (later findings with identical edits,
    by id of the first); the number of unsafe fixes held back; refusals."""
    out: list[Diagnostic] = []
    twins: dict[int, list[Diagnostic]] = {}
    hidden = 0
    refused: list[RefusedFix] = []
    first_with: dict[tuple[tuple[str, int, int, str], ...], Diagnostic] = {}
    for diag in pending:
        fix = diag.fix
        if fix is None or not fix.edits:
            continue
        if fix.applicability != Applicability.SAFE and not unsafe:
            hidden += 1
            continue
        files = _files_of(fix)
        missing = sorted(f for f in files if f not in current)
        if missing:
            refused.append(RefusedFix(diag, fix, f"{missing[0]} was not loaded in this run"))
            continue
        if files & frozen:
            refused.append(RefusedFix(diag, fix, f"{sorted(files & frozen)[0]} failed verification earlier in this run"))
            continue
        bad = [e for e in fix.edits if not 0 <= e.start <= e.end <= len(current[e.file].text)]
        if bad:
            refused.append(RefusedFix(diag, fix, f"edit {bad[0].start}..{bad[0].end} is outside {bad[0].file}"))
            continue
        if all(current[e.file].text[e.start:e.end] == e.replacement for e in fix.edits):
            continue  # already in place: nothing to do, nothing to report
        key = tuple(sorted((e.file, e.start, e.end, e.replacement) for e in fix.edits))
        if key in first_with:  # e.g. SL103 and SL303 both set the batch to 128: apply once
            twins.setdefault(id(first_with[key]), []).append(diag)
            continue
        first_with[key] = diag
        out.append(diag)
    return out, twins, hidden, refused


def _overlaps(a: Edit, b: Edit) -> bool:
    """Edits touching the same characters, or two insertions at one point (order unknown)."""
    if a.file != b.file:
        return False
    if a.start == b.start:
        return True
    return a.start < b.end and b.start < a.end


def _select_non_overlapping(candidates: list[Diagnostic]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Greedy by position (as ruff does): a fix whose edits overlap an accepted one waits."""
    ordered = sorted(candidates, key=lambda d: min((e.file, e.start, e.end) for e in _fix_of(d).edits))
    accepted: list[Diagnostic] = []
    taken: list[Edit] = []
    deferred: list[Diagnostic] = []
    for diag in ordered:
        edits = _fix_of(diag).edits
        clash = any(_overlaps(a, b) for a in edits for b in taken) or any(
            _overlaps(a, b) for i, a in enumerate(edits) for b in edits[i + 1:]
        )
        if clash:
            deferred.append(diag)
            continue
        accepted.append(diag)
        taken.extend(edits)
    return accepted, deferred


class _PassOutcome(NamedTuple):
    documents: dict[str, Document]
    applied: list[Diagnostic]
    refused: list[tuple[Diagnostic, str]]
    failed_files: set[str]


def _apply_pass(
    accepted: list[Diagnostic], current: Mapping[str, Document], reparse: Reparse, read_value: ReadValue
) -> _PassOutcome:
    """Splice and verify; drop the fixes of any file that fails (and fixes sharing them)."""
    live = list(accepted)
    failed: set[str] = set()
    refused: list[tuple[Diagnostic, str]] = []
    while True:
        by_file: dict[str, list[Diagnostic]] = {}
        for diag in live:
            for path in _files_of(_fix_of(diag)):
                by_file.setdefault(path, []).append(diag)
        new_docs: dict[str, Document] = {}
        newly_failed: dict[str, str] = {}
        for path, diags in by_file.items():
            old = current[path]
            edits = [e for d in diags for e in _fix_of(d).edits if e.file == path]
            text = splice(old.text, edits)
            expectations = [x for d in live for x in _fix_of(d).expect if x.file == path]
            try:
                new = reparse(path, text, old)
            except Exception as exc:  # a loader bug must not lose the user's file
                newly_failed[path] = f"re-parsing the fixed text failed: {exc}"
                continue
            reason = verify(old, new, expectations, read_value)
            if reason:
                newly_failed[path] = reason
            else:
                new_docs[path] = new
        # expectations on files no edit touched (e.g. a fix that relies on another file)
        for diag in live:
            for x in _fix_of(diag).expect:
                if x.file not in by_file and x.file in current and x.file not in newly_failed:
                    reason = verify(current[x.file], current[x.file], [x], read_value)
                    if reason:
                        newly_failed[x.file] = reason
        if not newly_failed:
            return _PassOutcome(new_docs, live, refused, failed)
        failed |= set(newly_failed)
        keep: list[Diagnostic] = []
        for diag in live:
            fix = _fix_of(diag)
            hit = sorted((_files_of(fix) | {x.file for x in fix.expect}) & set(newly_failed))
            if hit:
                refused.append((diag, f"{hit[0]} left unchanged: {newly_failed[hit[0]]}"))
            else:
                keep.append(diag)
        live = keep


# ---------------------------------------------------------------------------------------
# verification


def verify(old: Document, new: Document, expectations: Iterable[Expectation],
           read_value: Optional[ReadValue] = None) -> str:
    """Why `new` is not `old` with exactly the expected values changed; "" when it is."""
    read_value = read_value or _loader_value
    if not new.ok or new.root is None and old.root is not None:
        first = next((d for d in new.diagnostics if d.code == "SL001"), None)
        where = f" (line {first.line}: {first.message})" if first else ""
        return f"the fixed text no longer parses{where}"
    new_finding = _new_loader_finding(old, new)
    if new_finding is not None:
        return f"the fixed text has a new {new_finding.code} finding: {new_finding.message}"
    expected_paths: list[tuple[str, ...]] = []
    for x in expectations:
        node = lookup(new.root, x.key)
        if node is None:
            return f"after the fix `{x.key}` is missing"
        if not isinstance(node, ScalarNode):
            return f"after the fix `{x.key}` is not a single value"
        actual = read_value(new, node)
        if not reads_as(actual, x.value):
            return f"after the fix `{x.key}` reads as {actual!r} ({type(actual).__name__}), not {x.value!r}"
        expected_paths.append(tuple(x.key.split(".")))
    for path in _differences(to_python(old.root), to_python(new.root), ()):
        if not any(path[: len(p)] == p for p in expected_paths):
            dotted = ".".join(path) or "the document"
            return f"the fix would also change `{dotted}` (shared anchor, merge key or a bad edit)"
    return ""


def _new_loader_finding(old: Document, new: Document) -> Optional[Diagnostic]:
    """A loader finding (duplicate key, bad value) the edit introduced: counted per code,
    since positions move when text is inserted."""
    before: dict[str, int] = {}
    for d in old.diagnostics:
        before[d.code] = before.get(d.code, 0) + 1
    after: tuple[Diagnostic, ...] = new.diagnostics
    for d in after:
        if before.get(d.code, 0) > 0:
            before[d.code] -= 1
        else:
            return d
    return None


def reads_as(actual: Any, expected: Any) -> bool:
    """Equal in value and kind: 1e-5 must be a float (YAML 1.1 reads `1e-5` as a str),
    a count an int, a flag a bool."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, float):
        return isinstance(actual, float) and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=0.0)
    if isinstance(expected, int):
        return isinstance(actual, int) and actual == expected
    return type(actual) is type(expected) and actual == expected


def _differences(old: Any, new: Any, path: tuple[str, ...]) -> Iterable[tuple[str, ...]]:
    """Key paths (as strings) where two plain trees differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            sub = path + (str(key),)
            if key not in old or key not in new:
                yield sub
            else:
                yield from _differences(old[key], new[key], sub)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _differences(a, b, path + (str(i),))
    elif type(old) is not type(new) or old != new:
        if not (isinstance(old, float) and isinstance(new, float) and math.isnan(old) and math.isnan(new)):
            yield path


def _loader_value(document: Document, node: Node) -> Any:
    """The value as the file's framework reads it, as strictly as any reader of that kind:
    YAML by PyYAML's YAML 1.1 (a literal it reads as a float, OmegaConf does too), JSON
    and TOML as parsed; a launch script's argument is text that argparse converts with
    `type=float`/`int` (Megatron-LM `arguments.py`), so it is read as such a number."""
    if not isinstance(node, ScalarNode):
        return to_python(node)
    if document.kind == "shell" and isinstance(node.value, str):
        from steplint.documents.values import read_number

        number, problem = read_number(node, "argparse")
        if number is not None and problem is None:
            return number
    return node.value


def default_reparse(path: str, text: str, old: Document) -> Document:
    """Re-read `text` with the loader that produced `old` (same kind, same rules)."""
    from steplint.documents.load import load_document

    # load_document removes one leading U+FEFF from a text as the BOM. The text handed over
    # has none (the file's BOM went when it was read), so a leading U+FEFF here is text (a
    # second BOM in the file): the file's own BOM is put back for the loader to remove.
    text = ("\ufeff" if old.bom else "") + text
    new = load_document(path, text=text, kind=old.kind)
    return new if new.bom == old.bom else new._replace(bom=old.bom)


# ---------------------------------------------------------------------------------------
# output edges


class FixWriteError(OSError):
    """A fixed file could not be written; the original is untouched. One line per file,
    with the path the user named (not the temporary file's). `written` are the files that
    were written, `failed` those that were not, `changed` those edited on disk meanwhile."""

    def __init__(self, message: str, written: tuple[str, ...] = (), failed: tuple[str, ...] = (),
                 changed: tuple[str, ...] = ()):
        super().__init__(message)
        self.written, self.failed, self.changed = written, failed, changed

    def __str__(self) -> str:
        return self.args[0] if self.args else ""


def write_fixes(result: FixResult, originals: Optional[Mapping[str, Document]] = None) -> list[str]:
    """Write each changed file atomically (BOM, mode and symlink kept); the paths written.
    With `originals` (path -> Document as read), a file whose bytes changed since it was
    read (someone saved it meanwhile) is left alone: its edit is never overwritten. Every
    file is tried; FixWriteError names the ones not written, one line each."""
    from steplint.atomic import ChangedOnDisk, digest, original_bytes, write_atomic

    written: list[str] = []
    failed: list[str] = []
    changed: list[str] = []
    lines: list[str] = []
    for path, text in result.texts.items():
        doc = result.documents.get(path)
        before = (originals or {}).get(path)
        expect = digest(original_bytes(before.text, before.bom)) if before is not None else None
        try:
            write_atomic(path, text, bom=bool(doc and doc.bom), expect=expect)
        except ChangedOnDisk:
            changed.append(path)
            lines.append(f"{path}: changed on disk while steplint was fixing it; left as it is now "
                         "(run --fix again to fix the new text)")
            continue
        except OSError as error:
            reason = error.strerror or str(error)
            failed.append(path)
            lines.append(f"{path}: cannot write the fixed file: {reason} (the file is unchanged)")
            continue
        written.append(path)
    if lines:
        raise FixWriteError("\n".join(lines), tuple(written), tuple(failed + changed), tuple(changed))
    return written


def unified_diff(path: str, old: str, new: str) -> str:
    """A unified diff of one file for `--diff` ("" when equal); marks a missing final newline."""
    if old == new:
        return ""
    a = _diff_lines(old)
    b = _diff_lines(new)
    import difflib  # only `--diff` needs it; rules import this module for their edits

    return "".join(difflib.unified_diff(a, b, fromfile=path, tofile=path))


def _diff_lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines
