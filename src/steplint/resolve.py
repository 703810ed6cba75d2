"""Build one Recipe from a group of files: load, detect, extract, follow references,
merge, apply overrides, derive, and say what is still missing.

Precedence when several sources give one field (first match wins):

1. an override from the command line or settings (`--world-size`, `--tokens`,
   `--seq-len`, a recipe group's facts);
2. a key in a file, files taken in load order: the paths as given, then the files they
   name (`deepspeed:`, a local model folder) in the order they were named; `--model`
   comes first for architecture fields, since the user named it on purpose;
3. a derivation by a dialect (e.g. N from an architecture), then a framework default.

Two keys that disagree on one field are a conflict (SL006, with both locations), except
Hugging Face arguments against the DeepSpeed keys the Trainer itself cross-checks, which
SL701 reports; every conflict is recorded in `recipe.extras["conflicts"]`. Generic
derivations (global batch, tokens, warmup from a ratio, decay end) only fill fields
nothing else gave.

Dialects may leave two pending values in their extras for this module to finish once
the train steps are known: `warmup_ratio` (a Fact holding a fraction of the train steps)
and `decay_after_warmup` (steps of stable + decay after the warmup, WSD schedules).
"""

from __future__ import annotations

import math
import os
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Iterable, Mapping, NamedTuple, Optional

from steplint.diagnostics import Diagnostic, Location, Severity
from steplint.dialects.base import ExtractContext, Extraction, Reference
from steplint.dialects.glue import GLUE
from steplint.documents.nodes import Document, ScalarNode, lookup
from steplint.recipe import FIELD_UNITS, SUPPLY, Fact, Missing, Recipe, derived_source, fact, override_source
from steplint.settings import Settings

# Fields the Step Law checks need; each one no file determines is listed in `missing`.
STEPLAW_FIELDS = (
    "n_params", "tokens", "seq_len", "global_batch_sequences", "global_batch_tokens", "peak_lr", "min_lr",
    "decay_style", "warmup_steps", "decay_end_step", "train_steps",
)
# Schedules with no decay horizon (nothing to end) - decay_end_step is not needed for them.
_NO_HORIZON = ("constant", "inverse-sqrt")
# A file named by a reference is read as the framework the reference names first: HF hands
# `deepspeed:` to DeepSpeed, and a model folder holds a transformers config.json.
_ROLE_DIALECTS = {"deepspeed": "deepspeed", "model": "hf_config"}
# Dialects whose files are TrainingArguments, which the HF Trainer cross-checks against
# their DeepSpeed JSON at start (SL701's findings, architecture.md section 4).
_HF_ARGS_DIALECTS = frozenset({"hf-training-args", "llama-factory"})
# Loader findings that leave a file without a tree (TOML and JSON refuse a duplicate outright).
_UNREADABLE = ("SL001", "SL002")
# Kind precedence (lower wins) for merging.
_KIND_RANK = {"override": 0, "key": 1, "derived": 2, "default": 3}


class LoadedRecipe(NamedTuple):
    """A recipe with the documents it was read from and the loading findings (a NamedTuple:
    cheaper to define than a dataclass on every run's start-up)."""

    recipe: Recipe
    documents: Mapping[str, Document]
    diagnostics: tuple[Diagnostic, ...] = ()


class _Item(NamedTuple):
    """A file to visit: given on the command line ("input"), or named by another file."""

    path: str
    role: str  # "input", "model", "deepspeed", ...
    referrer: Optional[Reference] = None
    referrer_file: Optional[str] = None
    text: Optional[str] = None
    root: Optional[str] = None  # files it names are opened only inside this folder (None: anywhere)


class _State:
    """What one load_recipe call accumulates (plain class: it is private and mutable)."""

    def __init__(self, settings: Settings, texts: Mapping[str, str]):
        self.settings = settings
        self.texts = texts
        self.documents: dict[str, Document] = {}
        self.seen: set[str] = set()  # realpaths
        self.extractions: list[tuple[str, Extraction]] = []  # (role, extraction)
        self.files: list[str] = []
        self.dialects: list[str] = []
        self.diagnostics: list[Diagnostic] = []
        self.notices: list[str] = []
        self.roots: dict[str, Optional[str]] = {}  # path -> root its references stay in


def load_recipe(
    paths: Iterable[str],
    settings: Optional[Settings] = None,
    *,
    reported: Optional[Iterable[str]] = None,
    texts: Optional[Mapping[str, str]] = None,
) -> LoadedRecipe:
    """One recipe from `paths` (and the files they reference).

    `reported`: only diagnostics in these files are returned (pre-commit passes a subset
    of a group); None keeps all. `texts`: path -> content to use instead of reading the
    file (stdin).
    """
    settings = settings or Settings()
    state = _State(settings, texts or {})
    paths = tuple(paths)
    queue: list[_Item] = []
    if settings.model:
        queue.append(_Item(_model_file(settings.model), "model"))  # a file, or a folder holding config.json
    queue.extend(_Item(p, "input", root=tree_root(p)) for p in paths)
    while queue:
        item = queue.pop(0)
        queue.extend(_visit(item, state))
    if "neox" in state.dialects:
        _join_neox_fragments(state)

    facts, conflicts = _merge(state)
    extras = _merge_extras(state, conflicts)
    arch = next((ex.arch for _, ex in _ordered(state) if ex.arch is not None), None)
    given_n = facts.get("n_params")
    facts = _apply_overrides(facts, settings, paths)
    if given_n is not None and facts["n_params"] is not given_n and not _same(facts["n_params"].value, given_n.value):
        state.notices.append(f"{facts['n_params'].source.setting} gives N = {facts['n_params'].value:,}; the files "
                             f"give {given_n.value:,} ({given_n.source.describe()}), which is not used")
    facts = _derive(facts, arch, extras, state)
    order = {name: i for i, name in enumerate(FIELD_UNITS)}
    facts = dict(sorted(facts.items(), key=lambda item: order.get(item[0], len(order))))
    recipe = Recipe(
        files=tuple(state.files),
        dialects=tuple(state.dialects),
        facts=MappingProxyType(facts),
        missing=_missing(facts),
        arch=arch,
        notices=tuple(dict.fromkeys(state.notices)),
        extras=MappingProxyType(extras),
        glue=GLUE,
    )
    diagnostics = state.diagnostics
    if reported is not None:
        keep = {os.path.realpath(p) for p in reported}
        diagnostics = [d for d in diagnostics if os.path.realpath(d.file) in keep]
    return LoadedRecipe(recipe, MappingProxyType(state.documents), tuple(diagnostics))


# ---------------------------------------------------------------------------------------
# loading and references


def _load(item: _Item, settings: Settings, texts: Mapping[str, str]) -> Document:
    from steplint.documents.load import load_document

    text = item.text if item.text is not None else texts.get(item.path)
    return load_document(item.path, text=text, max_size=settings.max_file_size)


def _visit(item: _Item, state: _State) -> list[_Item]:
    if "\0" in item.path:  # a path written in a file may hold anything; the OS takes no NUL
        if item.referrer is not None:
            state.diagnostics.append(_unreadable_reference(item))
        return []
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
    return [nxt for ref in extraction.references if (nxt := _follow(ref, doc, state)) is not None]


def _join_neox_fragments(state: _State) -> None:
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


def _follow(ref: Reference, doc: Document, state: _State) -> Optional[_Item]:
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
    if outside is not None:
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


def _root_of(path: str, state: _State) -> Optional[str]:
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


# ---------------------------------------------------------------------------------------
# merging


def _ordered(state: _State) -> list[tuple[str, Extraction]]:
    """Extractions in precedence order: --model first, then load order."""
    return sorted(state.extractions, key=lambda pair: 0 if pair[0] == "model" and state.settings.model else 1)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if isinstance(a, int) and isinstance(b, int):
            return a == b  # exact, and no float conversion of a 400-digit integer (OverflowError)
        try:
            return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
        except OverflowError:  # an integer past float range against a float: not the same value
            return False
    return a == b


def _merge(state: _State) -> tuple[dict[str, Fact], list[dict]]:
    facts: dict[str, Fact] = {}
    owner: dict[str, str] = {}  # field -> dialect of the winning fact
    conflicts: list[dict] = []
    for _, ex in _ordered(state):
        for name, new in ex.facts.items():
            old = facts.get(name)
            if old is None or _KIND_RANK[new.source.kind] < _KIND_RANK[old.source.kind]:
                facts[name] = new
                owner[name] = ex.dialect
                continue
            if old.source.kind == new.source.kind == "key" and not _same(old.value, new.value):
                conflicts.append({"field": name, "value": old.value, "source": old.source,
                                  "dialect": owner[name], "other_value": new.value, "other_source": new.source,
                                  "other_dialect": ex.dialect})
                if not _trainer_rejects(owner[name], old, ex.dialect, new):
                    state.diagnostics.append(_conflict(name, old, new))
    return facts, conflicts


def _trainer_rejects(dialect: str, first: Fact, other_dialect: str, other: Fact) -> bool:
    """Whether the HF Trainer refuses this TrainingArguments vs DeepSpeed disagreement at
    start: SL701 reports those (one finding per problem), SL006 every other one."""
    by_dialect = {dialect: first, other_dialect: other}
    ds = by_dialect.get("deepspeed")
    if ds is None or not _HF_ARGS_DIALECTS & by_dialect.keys():
        return False
    from steplint.dialects.glue import TRAINER_CHECKED_DS_KEYS

    return ds.source.key in TRAINER_CHECKED_DS_KEYS


def _conflict(name: str, kept: Fact, other: Fact) -> Diagnostic:
    s, k = other.source, kept.source
    return Diagnostic(
        "SL006", "conflicting-files", Severity.WARNING,
        f"{name} is {other.value!r} here ({s.key}) but {kept.value!r} in {k.file}:{k.line}:{k.column} "
        f"({k.key}); steplint uses {kept.value!r}",
        s.file or "-", s.line or 1, s.column or 1,
        s.span.end.line if s.span else 0, s.span.end.column if s.span else 0,
        related=(Location(k.file or "-", k.line or 1, k.column or 1, f"{name} = {kept.value!r}"),))


def _merge_extras(state: _State, conflicts: list[dict]) -> dict[str, Any]:
    """Dialect extras: first file wins per key; every file's own extras under `by_file`."""
    merged: dict[str, Any] = {}
    by_file: dict[str, Any] = {}
    for _, ex in _ordered(state):
        by_file[ex.file] = dict(ex.extras, dialect=ex.dialect)
        for key, value in ex.extras.items():
            merged.setdefault(key, value)
    merged["by_file"] = by_file
    merged["conflicts"] = tuple(conflicts)
    return merged


# ---------------------------------------------------------------------------------------
# overrides and derivations


_OVERRIDES = (
    # field, Settings attribute, recipe-group fact key, flag
    ("world_size", "world_size", "world-size", "--world-size"),
    ("tokens", "tokens", "tokens", "--tokens"),
    ("seq_len", "seq_len", "seq-len", "--seq-len"),
    ("n_params", "params", "params", "--params"),
)


def _apply_overrides(facts: dict[str, Fact], settings: Settings, paths: tuple[str, ...]) -> dict[str, Fact]:
    out = dict(facts)
    wanted = {os.path.realpath(p) for p in paths}
    for group in settings.recipes:
        if wanted & {os.path.realpath(f) for f in group.files}:
            for name, _, key, _ in _OVERRIDES:
                value = group.facts.get(key, group.facts.get(name))
                if value is not None:
                    out[name] = fact(name, _whole(value), override_source(f"recipes {key}", group.origin or None))
    for name, attribute, key, flag in _OVERRIDES:
        value = getattr(settings, attribute)
        if value is not None:
            origin = f"{flag} or {key} in {settings.config_file}" if settings.config_file else flag
            out[name] = fact(name, _whole(value), override_source(origin))
    return out


def _whole(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _derive(facts: dict[str, Fact], arch: Any, extras: Mapping[str, Any], state: _State) -> dict[str, Fact]:
    f = dict(facts)

    def value(name: str) -> Any:
        return f[name].value if name in f else None

    def put(name: str, result: Any, formula: str, *inputs: str, note: Optional[str] = None) -> None:
        f[name] = fact(name, _whole(result), derived_source(formula, *inputs, note=note))

    if arch is not None and "n_params" not in f:
        from steplint.arch import count_facts

        f.update(count_facts(arch))
    elif "n_params" in f and f["n_params"].source.kind == "override":
        # --params is Step Law N; a known MoE layout still tells the active part, else active = N
        if arch is not None and getattr(arch, "num_experts", 0):
            if "n_params_active" not in f:
                from steplint.arch import count_facts

                f["n_params_active"] = count_facts(arch)["n_params_active"]
        else:
            f["n_params_active"] = fact("n_params_active", f["n_params"].value, f["n_params"].source)

    world = value("world_size")
    if world and "data_parallel" not in f:
        split = [n for n in ("tensor_parallel", "pipeline_parallel", "context_parallel") if n in f]
        model_parallel = math.prod(int(value(n) or 1) for n in split)
        if world % model_parallel == 0:
            put("data_parallel", world // model_parallel,
                "world_size / (" + " x ".join(split) + ")" if split else "world_size", "world_size", *split)
        else:
            state.notices.append(f"world size {world} is not divisible by tensor x pipeline x context "
                                 f"parallel = {model_parallel}")

    if "global_batch_sequences" not in f and all(value(n) for n in ("micro_batch", "grad_accum", "data_parallel")):
        put("global_batch_sequences", value("micro_batch") * value("grad_accum") * value("data_parallel"),
            "micro_batch x grad_accum x data_parallel", "micro_batch", "grad_accum", "data_parallel")
    if "global_batch_sequences" not in f and value("global_batch_tokens") and value("seq_len"):
        sequences = value("global_batch_tokens") / value("seq_len")
        if float(sequences).is_integer():  # a batch given in tokens (OLMo-core, newer torchtitan)
            put("global_batch_sequences", sequences, "global_batch_tokens / seq_len", "global_batch_tokens",
                "seq_len")
    if "global_batch_tokens" not in f and value("global_batch_sequences") and value("seq_len"):
        put("global_batch_tokens", value("global_batch_sequences") * value("seq_len"),
            "global_batch_sequences x seq_len", "global_batch_sequences", "seq_len")

    tokens_per_step = value("global_batch_tokens")
    if "train_steps" not in f and value("tokens") and tokens_per_step:
        put("train_steps", math.ceil(value("tokens") / tokens_per_step), "ceil(tokens / global_batch_tokens)",
            "tokens", "global_batch_tokens")
    if "tokens" not in f and value("train_steps") and tokens_per_step:
        put("tokens", value("train_steps") * tokens_per_step, "train_steps x global_batch_tokens",
            "train_steps", "global_batch_tokens")

    ratio = extras.get("warmup_ratio")
    if "warmup_steps" not in f and isinstance(ratio, Fact) and value("train_steps"):
        put("warmup_steps", math.ceil(ratio.value * value("train_steps")),
            f"ceil({ratio.source.key or 'warmup ratio'} {ratio.value} x train_steps)", "train_steps")

    style = value("decay_style")
    if "decay_end_step" not in f and style and style not in _NO_HORIZON:
        after = extras.get("decay_after_warmup")
        if isinstance(after, int) and value("warmup_steps") is not None:
            put("decay_end_step", value("warmup_steps") + after, "warmup_steps + stable + decay steps",
                "warmup_steps")
        elif value("train_steps"):
            put("decay_end_step", value("train_steps"), "train_steps (the schedule decays over the whole run)",
                "train_steps")
    return f


def _missing(facts: Mapping[str, Fact]) -> tuple[Missing, ...]:
    out = []
    style = facts["decay_style"].value if "decay_style" in facts else None
    for name in STEPLAW_FIELDS:
        if name in facts or (name == "decay_end_step" and style in _NO_HORIZON):
            continue
        out.append(Missing(name, SUPPLY.get(name, "the config")))
    if "global_batch_sequences" not in facts and "world_size" not in facts:
        out.append(Missing("world_size", SUPPLY["world_size"]))
    return tuple(out)
