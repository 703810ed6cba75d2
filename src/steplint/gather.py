"""The files one recipe is read from, and the wall around them.

resolve.py turns extractions into a Recipe (precedence, conflicts, derivations); this
module decides which files those extractions come from: the paths given, then the files
they name (`deepspeed:`, a local model folder), each tried relative to the referring file
and then to the working directory, and opened only inside the tree of the file checked
(architecture.md section 5), so a config cannot make steplint read (and `show` print) a
file elsewhere on the machine. It also says, once per file, why a file gives no facts
(SL003) or a reference leads nowhere (SL007). Split out of resolve.py (issue 14): path,
symlink and git-root policy changes for other reasons than the merging of facts.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Iterable, Mapping, Optional

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import Diagnostic, Severity
from steplint.dialects.base import ExtractContext, Extraction, Reference
from steplint.documents.nodes import Document, ScalarNode, lookup
from steplint.settings import Settings

# A file named by a reference is read as the framework the reference names first: HF hands
# `deepspeed:` to DeepSpeed, and a model folder holds a transformers config.json.
_ROLE_DIALECTS = {"deepspeed": "deepspeed", "model": "hf_config"}
# Loader findings that leave a file without a tree (TOML and JSON refuse a duplicate outright).
_UNREADABLE = ("SL001", "SL002")

class _Item(NamedTuple):
    """A file to visit: given on the command line ("input"), or named by another file."""

    path: str
    role: str  # "input", "model", "deepspeed", ...
    referrer: Optional[Reference] = None
    referrer_file: Optional[str] = None
    text: Optional[str] = None
    root: Optional[str] = None  # files it names are opened only inside this folder (None: anywhere)


class Gathered:
    """What one gather call accumulates; resolve adds its own findings and notices
    (a plain class: it is mutable and lives for one recipe)."""

    def __init__(self, settings: Settings, texts: Mapping[str, str]):
        self.settings = settings
        self.texts = texts
        self.documents: dict[str, Document] = {}
        self.seen: set[str] = set()  # realpaths
        # The first file's path, its realpath not taken yet: most recipes are one file, and
        # a realpath (an lstat per path component) is only needed to compare with a second.
        self.first: Optional[str] = None
        self.extractions: list[tuple[str, Extraction]] = []  # (role, extraction)
        self.files: list[str] = []
        self.dialects: list[str] = []
        self.diagnostics: list[Diagnostic] = []
        self.notices: list[str] = []
        self.roots: dict[str, Optional[str]] = {}  # path -> root its references stay in

def gather(paths: Iterable[str], settings: Settings, texts: Mapping[str, str]) -> Gathered:
    """Load `paths` (and `settings.model`) and every file they name, each once (by real
    path), with its dialect's extraction; NeoX data fragments join a NeoX recipe."""
    state = Gathered(settings, texts)
    queue: list[_Item] = []
    if settings.model:
        queue.append(_Item(_model_file(settings.model), "model"))  # a file, or a folder holding config.json
    queue.extend(_Item(p, "input", root=tree_root(p)) for p in paths)
    while queue:
        item = queue.pop(0)
        queue.extend(_visit(item, state))
    if "neox" in state.dialects:
        _join_neox_fragments(state)
    return state



def _load(item: _Item, settings: Settings, texts: Mapping[str, str]) -> Document:
    from steplint.documents.load import load_document

    text = item.text if item.text is not None else texts.get(item.path)
    return load_document(item.path, text=text, max_size=settings.max_file_size)


def _visit(item: _Item, state: Gathered) -> list[_Item]:
    if "\0" in item.path:  # a path written in a file may hold anything; the OS takes no NUL
        if item.referrer is not None:
            state.diagnostics.append(_unreadable_reference(item))
        return []
    if not state.seen and state.first is None:
        state.first = item.path
    else:
        if state.first is not None:
            state.seen.add(os.path.realpath(state.first))
            state.first = None
        real = os.path.realpath(item.path)
        if real in state.seen:
            return []
        state.seen.add(real)
    doc = _load(item, state.settings, state.texts)
    state.documents[item.path] = doc
    state.roots[item.path] = item.root
    state.files.append(item.path)
    state.diagnostics.extend(doc.diagnostics)
    if doc.root is None:
        state.dialects.append("unknown")
        if not any(d.code in _UNREADABLE for d in doc.diagnostics):  # truly empty, not unparsable
            state.diagnostics.append(_unknown_format(doc, state.settings, item, empty=True))
        return []

    from steplint.dialects.purpose import non_training
    from steplint.dialects.registry import detect_dialect

    forced = state.settings.dialect if item.role == "input" else _ROLE_DIALECTS.get(item.role)
    purpose = None if forced else non_training(doc)
    if purpose is not None:  # inference, generation, evaluation, conversion: not a training run
        state.dialects.append("unknown")
        state.diagnostics.append(Diagnostic(
            "SL003", "unknown-format", Severity.INFO,
            f"{purpose.describe()}; not linted as one", doc.path))
        return []
    module = detect_dialect(doc, forced)
    if module is None and item.role in _ROLE_DIALECTS:
        module = detect_dialect(doc)
    if module is None:
        state.dialects.append("unknown")
        state.diagnostics.append(_unknown_format(doc, state.settings, item))
        return []
    ctx = ExtractContext(world_size=state.settings.world_size, settings=state.settings)
    extraction: Extraction = module.extract(doc, ctx)
    state.dialects.append(extraction.dialect)
    state.extractions.append((item.role, extraction))
    state.diagnostics.extend(extraction.diagnostics)
    state.notices.extend(extraction.notices)
    if not extraction.references:
        return []
    return [nxt for ref in extraction.references if (nxt := _follow(ref, doc, state)) is not None]


def _join_neox_fragments(state: Gathered) -> None:
    """NeoX files holding only data / logging keys (no dialect claims them alone) join a
    recipe that has a NeoX file: read as NeoX, and their SL003 withdrawn."""
    from steplint.dialects import neox

    ctx = ExtractContext(world_size=state.settings.world_size, settings=state.settings)
    for index, (path, dialect) in enumerate(zip(state.files, state.dialects)):
        doc = state.documents.get(path)
        if dialect != "unknown" or doc is None or not neox.is_data_fragment(doc):
            continue
        if any(d.file == path and d.code != "SL003" for d in state.diagnostics if d.severity != Severity.INFO):
            continue
        extraction = neox.extract(doc, ctx)
        state.dialects[index] = extraction.dialect
        state.extractions.append(("input", extraction))
        state.diagnostics = [d for d in state.diagnostics if not (d.file == path and d.code == "SL003")]
        state.diagnostics.extend(extraction.diagnostics)


def _unreadable_reference(item: _Item) -> Diagnostic:
    from steplint.documents.findings import excerpt

    ref = item.referrer
    span = ref.span if ref is not None else None
    return Diagnostic(
        "SL007", "unresolved-reference", Severity.WARNING,
        f"{excerpt(ref.key or ref.role) if ref else 'a reference'} names {excerpt(item.path)!r}, which holds a NUL "
        "character: no file can have that name", item.referrer_file or item.path,
        span.start.line if span else 1, span.start.column if span else 1,
        span.end.line if span else 0, span.end.column if span else 0)


def _unknown_format(doc: Document, settings: Settings, item: _Item, empty: bool = False) -> Diagnostic:
    forced = settings.dialect if item.role == "input" else None
    what = "the file is empty" if empty else "not a training config steplint knows"
    if forced:
        return Diagnostic("SL003", "unknown-format", Severity.ERROR,
                          f"--dialect {forced} does not fit this file ({what})", doc.path)
    if item.role != "input" and item.referrer_file:
        what += f" (named by {item.referrer_file})"
    return Diagnostic("SL003", "unknown-format", Severity.INFO, f"{what}; no recipe facts read from it", doc.path)


def _follow(ref: Reference, doc: Document, state: Gathered) -> Optional[_Item]:
    """The file a Reference names, tried relative to the referring file, then to the
    working directory; a missing file is SL007 at the referencing key."""
    if ref.role == "model" and state.settings.model:
        return None  # --model / settings.model supplies the architecture
    root = _root_of(doc.path, state)
    if ref.text is not None:
        return _Item(ref.path, ref.role, ref, doc.path, text=ref.text, root=root)
    written = None
    if ref.key:
        node = lookup(doc.root, ref.key)
        if isinstance(node, ScalarNode) and isinstance(node.value, str):
            written = os.path.expanduser(node.value.strip())
    candidates = [ref.path] + ([written] if written and written != ref.path else [])
    outside = None
    for candidate in candidates:
        found = _model_file(candidate) if ref.role == "model" else candidate
        if found and os.path.isfile(found):
            if root is not None and not _inside(found, root):
                outside = outside or found
                continue
            return _Item(os.path.normpath(found), ref.role, ref, doc.path, root=root)
    shown = written or ref.path
    if outside is not None and root is not None:  # only a root leaves a found file outside
        state.diagnostics.append(_not_read(ref, doc, outside, root))
        return None
    if ref.role == "model" and not _path_like(shown):
        state.notices.append(f"{doc.path}: the architecture is the hub model {shown!r}; steplint reads no "
                             "network: pass its config.json with --model (or [tool.steplint] model)")
        return None
    from steplint.documents.findings import excerpt

    line = ref.span.start.line if ref.span else 1
    column = ref.span.start.column if ref.span else 1
    # A missing path that would lie outside the tree (`/model` in a container, `../ckpt`) is
    # one steplint would not read anyway (architecture.md section 5): info that says so, not a
    # warning about the repository.
    away = root is not None and all("\0" not in c and not _inside(os.path.abspath(c), root) for c in candidates)
    state.diagnostics.append(Diagnostic(
        "SL007", "unresolved-reference", Severity.INFO if away else Severity.WARNING,
        f"{excerpt(ref.key or ref.role)} names {excerpt(shown)!r}, which is not a file (looked for "
        f"{' and '.join(repr(excerpt(c)) for c in dict.fromkeys(candidates))})"
        + ("; it lies outside the checked file's tree, which steplint does not read" if away else ""),
        doc.path, line, column,
        ref.span.end.line if ref.span else 0, ref.span.end.column if ref.span else 0))
    return None


def tree_root(path: str) -> str:
    """The folder a file named on the command line may lead steplint into: its git work
    tree, or outside any git work tree the file's own folder (architecture.md section 5).
    A path written inside a config is opened only there, so a config cannot make steplint
    read (and `show` print) a file elsewhere on the machine."""
    folder = os.path.dirname(os.path.abspath(path)) or os.sep
    return _git_root(folder) or folder


@lru_cache(maxsize=256)
def _git_root(folder: str) -> Optional[str]:
    here = folder
    while True:
        if os.path.exists(os.path.join(here, ".git")):  # a folder, or a file in a linked worktree
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _root_of(path: str, state: Gathered) -> Optional[str]:
    """The root of the chain `path` belongs to (files named on the command line start one)."""
    return state.roots.get(path)


def _inside(path: str, root: str) -> bool:
    """Whether `path` (symlinks resolved) lies within `root` (symlinks resolved)."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _not_read(ref: Reference, doc: Document, found: str, root: str) -> Diagnostic:
    from steplint.documents.findings import excerpt

    span = ref.span
    return Diagnostic(
        "SL007", "unresolved-reference", Severity.INFO,
        f"{excerpt(ref.key or ref.role)} names {excerpt(found)!r}, outside {excerpt(root)!r}; not read: steplint "
        "opens a file a config names only inside the git work tree of the file checked (outside git, its "
        "folder); pass it on the command line (or with --recipe) to read it",
        doc.path, span.start.line if span else 1, span.start.column if span else 1,
        span.end.line if span else 0, span.end.column if span else 0)


def model_problem(path: str, max_size: int = 10 * 1024 * 1024) -> Optional[str]:
    """Why `--model PATH` (or settings `model`) is not a model config, else None. The user
    names it, so it may be anywhere; but it must be what the flag says: a Hugging Face
    config.json (or a folder holding one), never an arbitrary file whose text would then
    be read as an architecture. The message quotes none of the file's content."""
    from steplint.documents.findings import excerpt
    from steplint.documents.load import load_document
    from steplint.documents.nodes import MappingNode

    target = _model_file(path)
    if not os.path.isfile(target):
        if os.path.isdir(path):
            return f"--model {excerpt(path, 80)}: a folder without a config.json"
        return f"--model {excerpt(path, 80)}: no such file"
    doc = load_document(target, max_size=max_size)
    if doc.root is None:
        first = next((d for d in doc.diagnostics if d.code == "SL001"), None)
        why = f" ({first.line}:{first.column}: {first.message})" if first is not None else ""
        return f"--model {excerpt(target, 80)}: cannot be read as a model config{why}"
    from steplint.dialects import hf_config

    root = doc.root
    if hf_config.detect(doc) <= 0 and not (
        isinstance(root, MappingNode) and ("model_type" in root or "architectures" in root)
    ):
        return (f"--model {excerpt(target, 80)}: not a model config; --model takes a Hugging Face config.json "
                "(model_type, hidden_size, num_hidden_layers, ...) or the folder holding it")
    return None


def _model_file(path: str) -> str:
    return os.path.join(path, "config.json") if os.path.isdir(path) else path


def _path_like(text: str) -> bool:
    return text.startswith(("/", "./", "../", "~")) or text.endswith(".json") or text.count("/") > 1
