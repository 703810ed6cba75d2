"""Build one Recipe from a group of files: steplint.gather loads them, detects their
dialects, extracts and follows their references; this module merges the extractions,
applies overrides, derives, and says what is still missing.

Precedence when several sources give one field (first match wins):

1. an override from the command line or settings (`--world-size`, `--tokens`,
   `--seq-len`, a recipe group's facts);
2. a key in a file, files taken in load order: the paths as given, then the files they
   name (`deepspeed:`, a local model folder) in the order they were named; `--model`
   comes first for architecture fields, since the user named it on purpose;
3. a derivation by a dialect (e.g. N from an architecture), then a framework default.

Two keys that disagree on one field are a conflict (SL006, with both locations), except
Hugging Face arguments against the DeepSpeed keys the Trainer itself cross-checks, which
SL701 reports; every conflict is recorded in `recipe.conflicts`. Generic
derivations (global batch, tokens, warmup from a ratio, decay end) only fill fields
nothing else gave.

Dialects may leave two pending values in their Notes for this module to finish once
the train steps are known: `warmup_ratio` (a Fact holding a fraction of the train steps)
and `decay_after_warmup` (steps of stable + decay after the warmup, WSD schedules).
"""

from __future__ import annotations

import math
import os
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import Diagnostic, Location, Severity
from steplint.dialects.base import Extraction
from steplint.dialects.glue import GLUE
from steplint.documents.nodes import Document
from steplint.gather import Gathered, gather, model_problem, tree_root
from steplint.recipe import FIELD_UNITS, SUPPLY, Conflict, Fact, Missing, Notes, Recipe, derived_source, fact, merge_notes, override_source
from steplint.settings import Settings

if TYPE_CHECKING:
    from steplint.arch import ArchSpec

# model_problem and tree_root live in steplint.gather; commands import them from here.
__all__ = ["STEPLAW_FIELDS", "LoadedRecipe", "load_recipe", "model_problem", "tree_root"]

# Fields the Step Law checks need; each one no file determines is listed in `missing`.
STEPLAW_FIELDS = (
    "n_params", "tokens", "seq_len", "global_batch_sequences", "global_batch_tokens", "peak_lr", "min_lr",
    "decay_style", "warmup_steps", "decay_end_step", "train_steps",
)
# Schedules with no decay horizon (nothing to end) - decay_end_step is not needed for them.
_NO_HORIZON = ("constant", "inverse-sqrt")
# Dialects whose files are TrainingArguments, which the HF Trainer cross-checks against
# their DeepSpeed JSON at start (SL701's findings, architecture.md section 4).
_HF_ARGS_DIALECTS = frozenset({"hf-training-args", "llama-factory"})
# Kind precedence (lower wins) for merging.
_KIND_RANK = {"override": 0, "key": 1, "derived": 2, "default": 3}


class LoadedRecipe(NamedTuple):
    """A recipe with the documents it was read from and the loading findings (a NamedTuple:
    cheaper to define than a dataclass on every run's start-up)."""

    recipe: Recipe
    documents: Mapping[str, Document]
    diagnostics: tuple[Diagnostic, ...] = ()


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
    paths = tuple(paths)
    state = gather(paths, settings, texts or {})

    ordered = _ordered(state)
    facts, conflicts = _merge(state, ordered)
    arch = next((ex.arch for _, ex in ordered if ex.arch is not None), None)
    given_n = facts.get("n_params")
    facts = _apply_overrides(facts, settings, paths)
    if given_n is not None and facts["n_params"] is not given_n and not _same(facts["n_params"].value, given_n.value):
        state.notices.append(f"{facts['n_params'].source.setting} gives N = {facts['n_params'].value:,}; the files "
                             f"give {given_n.value:,} ({given_n.source.describe()}), which is not used")
    # One file's Notes as they are: merging one changes nothing _derive reads (its pending
    # fields default to None, so an unsaid one is None either way)
    notes = ordered[0][1].notes if len(ordered) == 1 else merge_notes(ex.notes for _, ex in ordered)
    facts = _derive(facts, arch, notes, state)
    # FIELD_UNITS' order, then the rest as they came (what a stable sort by that order gives)
    in_order = {name: facts[name] for name in FIELD_UNITS if name in facts}
    if len(in_order) < len(facts):
        in_order.update((name, f) for name, f in facts.items() if name not in in_order)
    facts = in_order
    recipe = Recipe(
        files=tuple(state.files),
        dialects=tuple(state.dialects),
        facts=MappingProxyType(facts),
        missing=_missing(facts),
        arch=arch,
        notices=tuple(dict.fromkeys(state.notices)),
        conflicts=tuple(conflicts),
        glue=GLUE,
        file_notes=MappingProxyType({ex.file: ex.notes for _, ex in ordered}),
    )
    diagnostics = state.diagnostics
    if reported is not None:
        keep = {os.path.realpath(p) for p in reported}
        diagnostics = [d for d in diagnostics if os.path.realpath(d.file) in keep]
    return LoadedRecipe(recipe, MappingProxyType(state.documents), tuple(diagnostics))


# ---------------------------------------------------------------------------------------
# merging


def _ordered(state: Gathered) -> list[tuple[str, Extraction]]:
    """Extractions in precedence order: --model first, then load order."""
    if not state.settings.model or len(state.extractions) < 2:
        return list(state.extractions)  # what the sort below leaves as it is
    return sorted(state.extractions, key=lambda pair: 0 if pair[0] == "model" else 1)


def _same(a: object, b: object) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if isinstance(a, int) and isinstance(b, int):
            return a == b  # exact, and no float conversion of a 400-digit integer (OverflowError)
        try:
            return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
        except OverflowError:  # an integer past float range against a float: not the same value
            return False
    return a == b


def _merge(state: Gathered, ordered: Optional[list[tuple[str, Extraction]]] = None
           ) -> tuple[dict[str, Fact], list[Conflict]]:
    facts: dict[str, Fact] = {}
    owner: dict[str, str] = {}  # field -> dialect of the winning fact
    conflicts: list[Conflict] = []
    for _, ex in ordered if ordered is not None else _ordered(state):
        for name, new in ex.facts.items():
            old = facts.get(name)
            if old is None or _KIND_RANK[new.source.kind] < _KIND_RANK[old.source.kind]:
                facts[name] = new
                owner[name] = ex.dialect
                continue
            if old.source.kind == new.source.kind == "key" and not _same(old.value, new.value):
                conflicts.append(Conflict(name, old.value, old.source, owner[name], new.value, new.source, ex.dialect))
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

    return bool(ds.source.key in TRAINER_CHECKED_DS_KEYS)


def _conflict(name: str, kept: Fact, other: Fact) -> Diagnostic:
    s, k = other.source, kept.source
    return Diagnostic(
        "SL006", "conflicting-files", Severity.WARNING,
        f"{name} is {other.value!r} here ({s.key}) but {kept.value!r} in {k.file}:{k.line}:{k.column} "
        f"({k.key}); steplint uses {kept.value!r}",
        s.file or "-", s.line or 1, s.column or 1,
        s.span.end.line if s.span else 0, s.span.end.column if s.span else 0,
        related=(Location(k.file or "-", k.line or 1, k.column or 1, f"{name} = {kept.value!r}"),))


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
    wanted = {os.path.realpath(p) for p in paths} if settings.recipes else set()  # realpath: only for groups
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


def _derive(facts: dict[str, Fact], arch: Optional[ArchSpec], notes: Notes, state: Gathered) -> dict[str, Fact]:
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
        if arch is not None and arch.num_experts:
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

    ratio = notes.warmup_ratio
    if "warmup_steps" not in f and isinstance(ratio, Fact) and value("train_steps"):
        put("warmup_steps", math.ceil(ratio.value * value("train_steps")),
            f"ceil({ratio.source.key or 'warmup ratio'} {ratio.value} x train_steps)", "train_steps")

    style = value("decay_style")
    if "decay_end_step" not in f and style and style not in _NO_HORIZON:
        after = notes.decay_after_warmup
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
