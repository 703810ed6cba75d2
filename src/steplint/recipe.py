"""The framework-free Recipe: what a training run will really do, each value with its origin.

Field names and the JSON shape are pinned by docs (architecture.md section 3); extend,
never rename.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Union

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import EMPTY_MAPPING, Span

if TYPE_CHECKING:
    from steplint.glue import Glue

# field -> unit. Pinned names first (architecture.md section 3), then extensions.
FIELD_UNITS: Mapping[str, str] = MappingProxyType({
    "n_params": "count",
    "n_params_active": "count",
    "n_params_total": "count",
    "tokens": "tokens",
    "seq_len": "tokens",
    "global_batch_sequences": "sequences",
    "global_batch_tokens": "tokens",
    "train_steps": "optimizer steps",
    "peak_lr": "LR",
    "min_lr": "LR",
    "warmup_steps": "optimizer steps",
    "decay_style": "name",
    "decay_end_step": "optimizer step",
    "world_size": "count",
    "data_parallel": "count",
    "tensor_parallel": "count",
    "pipeline_parallel": "count",
    "micro_batch": "sequences",
    "grad_accum": "count",
    "optimizer": "name",
    "adam_beta1": "",
    "adam_beta2": "",
    "adam_eps": "",
    "weight_decay": "",
    "grad_clip": "norm",
    "precision": "name",
    "parametrization": "name",
    "init": "name",
    # extensions (not pinned, additive)
    "token_budget": "tokens",
    "max_position_embeddings": "tokens",
    "rope_theta": "",
    "vocab_size": "count",
    "hidden_size": "count",
    "num_layers": "count",
    "num_attention_heads": "count",
    "num_kv_heads": "count",
    "head_dim": "count",
    "ffn_hidden_size": "count",
    "num_experts": "count",
    "experts_per_token": "count",
    "expert_parallel": "count",
    "virtual_pipeline_parallel": "count",
    "context_parallel": "count",
})

# What supplies a field no file determines (shown in `missing` and SL005).
SUPPLY: Mapping[str, str] = MappingProxyType({
    "world_size": "--world-size or [tool.steplint] world-size",
    "tokens": "--tokens or [tool.steplint] tokens (or train steps in the config)",
    "seq_len": "--seq-len or [tool.steplint] seq-len",
    "n_params": "--params N or [tool.steplint] params, --model config.json|DIR or [tool.steplint] model (or the architecture keys in the config)",
    "n_params_active": "--model config.json or [tool.steplint] model",
    "n_params_total": "--model config.json or [tool.steplint] model",
    "global_batch_sequences": "the global batch in the config, or --world-size to multiply out micro batch x accumulation x data parallel",
    "global_batch_tokens": "the global batch and --seq-len",
    "train_steps": "max_steps / train-iters in the config, or --tokens",
    "warmup_steps": "warmup steps in the config (a warmup ratio needs the train steps)",
    "decay_end_step": "the decay horizon in the config (or the train steps it defaults to)",
    "peak_lr": "the learning rate in the config",
    "min_lr": "the schedule floor in the config",
    "decay_style": "the LR schedule type in the config",
    "data_parallel": "--world-size (data parallel = world / (tensor x pipeline x context))",
})


class Source(NamedTuple):
    """Where a Fact came from.

    kind "key": a key in a file (file, key as written, span);
    kind "override": a CLI flag or setting (`setting` names it);
    kind "default": a framework default (`framework` names framework and version, `note` why);
    kind "derived": a formula over other fields (`formula`, `inputs`).
    """

    kind: str
    file: Optional[str] = None
    key: Optional[str] = None
    span: Optional[Span] = None
    setting: Optional[str] = None
    framework: Optional[str] = None
    note: Optional[str] = None
    formula: Optional[str] = None
    inputs: tuple[str, ...] = ()

    @property
    def line(self) -> Optional[int]:
        return self.span.start.line if self.span else None

    @property
    def column(self) -> Optional[int]:
        return self.span.start.column if self.span else None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "key":
            out.update(file=self.file, key=self.key, line=self.line, column=self.column)
            if self.span:
                out.update(end_line=self.span.end.line, end_column=self.span.end.column)
        elif self.kind == "override":
            out["setting"] = self.setting
            if self.file:
                out["file"] = self.file
        elif self.kind == "default":
            out["framework"] = self.framework
        elif self.kind == "derived":
            out.update(formula=self.formula, inputs=list(self.inputs))
        if self.note:
            out["note"] = self.note
        return out

    def describe(self) -> str:
        """One line for `show`'s table."""
        if self.kind == "key":
            return f"{self.file}:{self.line}:{self.column} {self.key}"
        # A note or a framework name may hold parentheses of its own: joined with ": " and
        # "in", never wrapped in another pair, so the line never nests them.
        if self.kind == "override":
            return f"{self.setting}" + (f" in {self.file}" if self.file else "")
        if self.kind == "default":
            return f"default of {self.framework}" + (f": {self.note}" if self.note else "")
        return f"= {self.formula}"


# (positional: the dialects build tens of thousands of these per thousand files)
def key_source(file: str, key: str, span: Optional[Span], note: Optional[str] = None) -> Source:
    return Source("key", file, key, span, None, None, note)


def default_source(framework: str, note: Optional[str] = None) -> Source:
    return Source("default", None, None, None, None, framework, note)


def derived_source(formula: Optional[str], *inputs: str, note: Optional[str] = None) -> Source:
    return Source("derived", None, None, None, None, None, note, formula, inputs)


def override_source(setting: str, file: Optional[str] = None) -> Source:
    return Source(kind="override", setting=setting, file=file)


class Fact(NamedTuple):
    """A Recipe value with its unit and where it came from."""

    value: Any
    unit: str
    source: Source

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "source": self.source.to_json()}


def fact(field_name: str, value: Any, source: Source) -> Fact:
    """A Fact with the unit pinned for `field_name`."""
    return Fact(value, FIELD_UNITS.get(field_name, ""), source)


class Missing(NamedTuple):
    """A field no file determines, and what would supply it (SL005)."""

    field: str
    supply: str

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "supply": self.supply}


class FlagClash(NamedTuple):
    """Options the framework's own parser refuses together (or a form it rejects), as a
    dialect found them: SL704 reports each at (file, line, column)."""

    flags: tuple[str, ...]
    message: str
    file: str
    line: int = 1
    column: int = 1


class KeyNote(NamedTuple):
    """A key a dialect read but the framework does not use as written (DeepSpeed "auto",
    a flag another flag switches off), with where it is and why."""

    key: str
    reason: str = ""
    span: Optional[Span] = None


class RampUpNote(NamedTuple):
    """A global-batch ramp (Megatron/NeMo `rampup_batch_size`): START +INCREMENT over SAMPLES
    to FINAL; `completes` False when the run stops before the ramp ends (at `last_batch`)."""

    start: int
    increment: int
    samples: int
    final: int
    completes: Optional[bool] = None
    last_batch: Optional[int] = None


class ModelRef(NamedTuple):
    """The model a training file starts from (`model_name_or_path`, `base_model`)."""

    key: str
    name: str
    hub_id: Optional[bool] = None  # True: a hub id, not a local folder


class Notes(NamedTuple):
    """What a dialect read beyond the Recipe fields, in framework-free terms: the schedule
    details, the run's variant and objective, the forms the parser refuses, and the values
    the resolver finishes once the train steps are known. Rules read these (never a
    framework key); every field defaults to "not said". A NamedTuple: defined on every run."""

    variant: str = ""  # the framework's fork or form ("megatron-deepspeed/bigscience", "nemo1")
    objective: str = ""  # a training loss other than next-token (knowledge distillation), why
    not_transformer: str = ""  # a recurrent or hybrid model: what it is (SL305 says Step Law does not apply)
    sliding_window: Union[int, bool, None] = None  # attention window size, True when only known to be on
    incompatible_flags: tuple[FlagClash, ...] = ()
    ignored_keys: tuple[KeyNote, ...] = ()  # flags the framework ignores as written
    auto_keys: tuple[KeyNote, ...] = ()  # DeepSpeed "auto" values another framework fills
    ignored_blocks: tuple[str, ...] = ()  # config blocks the launcher ignores (DeepSpeed optimizer under Megatron)
    model_ref: Optional[ModelRef] = None
    tied_embeddings_source: Optional[Source] = None
    rampup: Optional[RampUpNote] = None
    # schedule details
    scheduler: str = ""  # the schedule as the framework names it
    warmup_type: str = ""  # the warmup curve ("log", "linear") when the framework has several
    warmup_start_lr: Optional[float] = None
    ignored_lr: Optional[float] = None  # an LR key the framework overwrites from another
    decay_steps: Optional[int] = None
    stable_steps: Optional[int] = None
    hold_steps: Optional[int] = None  # steps held at the peak after warmup
    constant_steps: int = 0  # steps held at the floor after the decay
    cosine_climbs_back: Optional[tuple[int, int]] = None  # (decay end, train steps): an unclamped cosine past its end
    steps_differ: Optional[tuple[int, int]] = None  # (scheduler's max steps, trainer's max steps)
    epochs: Optional[Fact] = None  # the epochs a run is given in (train steps follow from the data)
    # pending values the resolver finishes once the train steps are known
    warmup_ratio: Optional[Fact] = None  # a fraction of the train steps
    decay_after_warmup: Optional[int] = None  # stable + decay steps after the warmup (WSD)


NO_NOTES = Notes()


def merge_notes(notes: Iterable[Notes]) -> Notes:
    """Per field, the first file (in load order) that says something wins."""
    merged: dict[str, Any] = {}
    for one in notes:
        for name, value, unsaid in zip(Notes._fields, one, NO_NOTES):
            if name not in merged and value != unsaid:
                merged[name] = value
    return NO_NOTES._replace(**merged) if merged else NO_NOTES


class Conflict(NamedTuple):
    """Two files' keys that disagree on a field: the kept value and the other one."""

    field: str
    value: Any
    source: Source
    dialect: str
    other_value: Any
    other_source: Source
    other_dialect: str


class Recipe(NamedTuple):
    """One training run, possibly assembled from several files."""

    files: tuple[str, ...]
    dialects: tuple[str, ...]
    facts: Mapping[str, Fact]
    missing: tuple[Missing, ...] = ()
    arch: Optional[Any] = None  # steplint.arch.ArchSpec when the architecture is known
    notices: tuple[str, ...] = ()
    # Where two files give a field different values (the first one is kept; SL006/SL701 report it).
    conflicts: tuple[Conflict, ...] = ()
    # The dialects' glue tables (steplint.glue.Glue) the cross-file rules read; None on a
    # hand-built Recipe, where those rules stay quiet.
    glue: Optional[Glue] = None
    # Each file's Notes (what its dialect read beyond the facts), in load order.
    file_notes: Mapping[str, Notes] = EMPTY_MAPPING

    @property
    def notes(self) -> Notes:
        """The recipe's Notes: per field, the first file that says something."""
        if len(self.file_notes) == 1:  # most recipes: nothing to merge (rules read this on every recipe)
            return next(iter(self.file_notes.values()))
        return merge_notes(self.file_notes.values())

    def notes_of(self, path: str) -> Notes:
        return self.file_notes.get(path, NO_NOTES)

    def value(self, name: str, default: Any = None) -> Any:
        f = self.facts.get(name)
        return default if f is None else f.value

    def get(self, name: str) -> Optional[Fact]:
        return self.facts.get(name)

    def fact_rows(self) -> list[tuple[str, str, str, str]]:
        """(field, value as shown, unit, where it came from) per fact: what `show` and the
        HTML report list."""
        return [(name, display_value(f.value), f.unit, f.source.describe()) for name, f in self.facts.items()]

    def facts_json(self) -> dict[str, Any]:
        return {k: f.to_json() for k, f in self.facts.items()}


def display_value(value: Any) -> str:
    """A fact's value for people: booleans and null as in the configs, thousands separated."""
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
