"""Typed reads of one config Document with provenance, shared by the framework dialects.

A dialect asks for `number("optimizer.lr")` and gets the value together with the Source
that `steplint show` prints: the key and its span when the file sets it, the framework
default (named with its version) when it does not, or the formula when the dialect
derives it. Keeping this in one place means every dialect reports provenance the same way.

Numbers are read the way the framework's own loader reads them (documents/values.py):
PyYAML (YAML 1.1) leaves `5e-4` a string, and a framework that takes the YAML as PyYAML
gives it (nanotron's dacite) fails on it, while OmegaConf (OLMo, MaxText) reads it as a
float and jsonargparse, pydantic and draccus (litgpt, axolotl, Levanter) cast the string
with the field's type, as argparse's `type=float` does. A value the framework would not
read as that number is SL004 and still used, so the rest of the recipe is derived; a
value that is no number, or not finite, is SL004 and treated as absent.

One reader serves every dialect; what differs is how a dialect's names become keys of the
document, a key-resolution strategy (`keys=`): `DottedPath` (the name is the dotted key,
most dialects), Megatron's argparse dest names (megatron/arguments.py `MegatronFlags`:
`--lr-decay-style`, `MODEL_ARGS.--…` or `language_model.…` by form), NeoX's hyphen/underscore
spellings (neox.py `NeoxNames`), OmegaConf `${...}` interpolation (nemo.py
`OmegaConfInterpolation`: the value a key resolves to, typed as OmegaConf types it). A strategy
may also refuse a key before it is read (an unresolved shell value is SL007, not a number) and
keeps its own findings.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, overload

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import Diagnostic, Severity
from steplint.dialects.base import ExtractContext, Extraction, Extractor, Reference, root_names
from steplint.documents.nodes import Document, MappingNode, Node, ScalarNode, lookup
from steplint.documents.values import MAX_MAGNITUDE, loader_diagnostic, read_number, unusable_number
from steplint.recipe import FIELD_UNITS, NO_NOTES, Fact, FlagClash, Notes, Source, default_source, derived_source

if TYPE_CHECKING:
    from steplint.arch import ArchSpec

_NUMBER = r"^[+-]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"  # compiled (and cached by re) on first use

_UNSEEN: Any = object()  # "not looked up yet" in the readers' per-key memos
_FORMAT_LOADERS = {"json": "json", "toml": "toml"}  # formats read by their own parser, whatever the framework's
_UNITS = dict(FIELD_UNITS)  # a plain dict reads faster than the read-only view (a Fact per value read)

# documents.values reader for loaders that cast a string with the field's type later
# (jsonargparse, pydantic, draccus): a numeric string is read as float() reads it.
CASTS_STRINGS = "argparse"


class Value(NamedTuple):
    """A value and where it came from (a reader's private record: a NamedTuple, cheaper to
    define than a dataclass on every run's start-up)."""

    value: Any
    source: Source

    def fact(self, field_name: str) -> Fact:
        return Fact(self.value, _UNITS.get(field_name, ""), self.source)  # recipe.fact, inlined


def as_number(raw: Any) -> Optional[float]:
    """int/float as is; a numeric string (`"5e-4"`, `"739_328"`) parsed; anything else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return raw
    if isinstance(raw, str) and re.match(_NUMBER, raw.strip()):
        text = raw.strip().replace("_", "")
        if re.fullmatch(r"[+-]?[0-9]+", text) and len(text) < 4000:  # int() refuses 4,300+ digits
            return int(text)
        return float(text)  # inf for a longer one: the readers report it (unusable_number)
    return None


def whole(value: float) -> Any:
    """An integral float as int (`2e3` -> 2000) so counts print as counts."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def integral(got: Value) -> Optional[Value]:
    """A number read as a count: an integral float as int (`2e3` -> 2000), None for one with
    a fraction (the caller says whether that is SL004)."""
    if isinstance(got.value, float):
        return Value(int(got.value), got.source) if got.value.is_integer() else None
    return got


class Resolved(NamedTuple):
    """What a document key reads as: the value, the scalar a finding about it blames (None
    when a formula computed it) and the Source `show` prints."""

    value: Any
    node: Optional[ScalarNode]
    source: Source


class DottedPath:
    """Key resolution where a dialect's name is the document's dotted key (`optimizer.lr`).

    The strategy contract (Megatron's, NeoX's and NeMo's follow it): `key(reader, name)` is the
    document key the name is written under, or None; `usable(reader, name, key, kind)` says
    whether the value at `key` may be read as `kind` ("number", "integer", "text", "flag"),
    recording in `diagnostics` why not; the dialect reports those before the reader's.
    `resolve(reader, key)` is what the typed reads read at a key: here the scalar as the file's
    loader read it, whose text the reader parses as the framework's loader would (`loader=`).
    A strategy whose values come `typed` by the framework's own loader (OmegaConf resolution)
    has the reader check their types instead: a value that is no finite number is SL004, and a
    count with a fraction is left unread without a finding."""

    typed = False

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def resolve(self, reader: "ConfigReader", key: str) -> Optional[Resolved]:
        # reader.scalar(key) and reader.source(key), with one lookup
        node = reader.node(key)
        if not isinstance(node, ScalarNode) or node.value is None:
            return None
        return Resolved(node.value, node, Source("key", reader.doc.path, key, node.span))

    def key(self, reader: "ConfigReader", name: str) -> Optional[str]:
        return name

    def usable(self, reader: "ConfigReader", name: str, key: str, kind: str) -> bool:
        return True

    def label(self, key: str) -> str:
        """How an SL004 message names the key."""
        return f"`{key}`"


class ConfigReader:
    """Reads keys of `doc` for one framework; collects SL004 findings for bad values.

    `framework` names the code whose defaults apply, with its version
    (e.g. "torchtitan v0.2.2 job_config.py"), so default facts say whose default they are.
    `loader` is the documents.values reader that matches the framework's YAML loader.
    `last_duplicate_wins` follows loaders where a repeated key silently replaces the
    earlier one (PyYAML `safe_load`, which nanotron uses).
    `keys` is the key-resolution strategy `locate` and `read` use (default `DottedPath`);
    the other methods take document keys.
    """

    def __init__(self, doc: Document, framework: str, *, loader: str = CASTS_STRINGS,
                 last_duplicate_wins: bool = False, keys: Optional[DottedPath] = None):
        self.doc = doc
        self.keys = keys if keys is not None else DottedPath()
        self.framework = framework
        # JSON and TOML files are read by json / tomllib whatever the framework's YAML loader.
        self.loader = _FORMAT_LOADERS.get(doc.kind, loader)
        self.last_duplicate_wins = last_duplicate_wins
        self.diagnostics: list[Diagnostic] = []
        # Forms the framework's own parser rejects at start, for SL704 (rules/sl704_*.py reads
        # them from each file's Notes.incompatible_flags).
        self.incompatible: list[FlagClash] = []
        self._nodes: dict[str, Optional[Node]] = {}

    # -- nodes -------------------------------------------------------------------------

    def node(self, dotted: str) -> Optional[Node]:
        # A dialect asks for the same key several times (has, is_set, scalar, source, the
        # typed read): each path is looked up once per reader (the document never changes).
        # (a sentinel, not KeyError: most keys are asked for the first time, and raising costs)
        found = self._nodes.get(dotted, _UNSEEN)
        if found is _UNSEEN:
            found = self._nodes[dotted] = lookup(self.doc.root, dotted, last_duplicate=self.last_duplicate_wins)
        return found  # type: ignore[no-any-return]  # never the sentinel here

    def has(self, dotted: str) -> bool:
        return self.node(dotted) is not None

    def is_set(self, dotted: str) -> bool:
        """Present and not null (an empty YAML value means "use the default")."""
        node = self.node(dotted)
        return node is not None and not (isinstance(node, ScalarNode) and node.value is None)

    def first_set(self, *keys: str) -> Optional[str]:
        """The first of `keys` (current name first, then older names) that is set."""
        for key in keys:
            if self.is_set(key):
                return key
        return None

    def scalar(self, dotted: str) -> Optional[ScalarNode]:
        node = self.node(dotted)
        if isinstance(node, ScalarNode) and node.value is not None:
            return node
        return None

    def source(self, dotted: str, note: Optional[str] = None) -> Source:
        node = self.node(dotted)
        return Source("key", self.doc.path, dotted, node.span if node is not None else None, None, None, note)

    # -- names through the key-resolution strategy ---------------------------------------

    def locate(self, name: str) -> Optional[str]:
        """The document key `name` is written under (by the `keys` strategy), or None."""
        return self.keys.key(self, name)

    def read(self, name: str, kind: str) -> Optional[Value]:
        """`kind` ("number", "integer", "text", "flag") of the dialect's name `name`: the key
        the strategy locates, when the strategy finds its value usable."""
        keys = self.keys
        key = keys.key(self, name)
        if key is None or not keys.usable(self, name, key, kind):
            return None
        if kind == "integer":
            return self.integer(key)
        if kind == "number":
            return self.number(key)
        typed: Callable[[str], Optional[Value]] = getattr(self, kind)
        return typed(key)

    # -- typed reads -----------------------------------------------------------------------

    def raw(self, dotted: str) -> Optional[Value]:
        """The scalar as the file's loader read it (strings, bools, numbers)."""
        got = self.keys.resolve(self, dotted)
        return None if got is None else Value(got.value, got.source)

    def text(self, dotted: str) -> Optional[Value]:
        got = self.keys.resolve(self, dotted)
        if got is None or (self.keys.typed and not isinstance(got.value, (str, int, float, bool))):
            return None
        return Value(str(got.value), got.source)

    def flag(self, dotted: str) -> Optional[Value]:
        got = self.keys.resolve(self, dotted)
        if got is None:
            return None
        raw = got.value
        if isinstance(raw, str):
            spelled = (raw if self.keys.typed else raw.strip()).lower()
            raw = spelled == "true" if spelled in ("true", "false") else raw
        if not isinstance(raw, bool):
            return None
        return Value(raw, got.source)

    def number(self, dotted: str) -> Optional[Value]:
        """A finite number at `dotted`, or None (absent, null, or not a number: SL004)."""
        got = self.keys.resolve(self, dotted)
        if got is None:
            return None
        if self.keys.typed:
            return self._typed_number(dotted, got)
        node = got.node
        assert node is not None  # an untyped strategy reads written scalars
        if isinstance(node.value, str) and "${" in node.value:
            return None  # an OmegaConf/Hydra interpolation: not a literal this reader can use
        value, problem = read_number(node, self.loader)
        # NaN, inf, or a 400-digit integer float() refuses (a finite number in range: none, without the call)
        in_range = type(value) in (int, float) and -MAX_MAGNITUDE < value < MAX_MAGNITUDE  # type: ignore[operator]  # an int or float there
        unusable = None if in_range else unusable_number(value)
        if unusable is not None:
            value, problem = None, unusable
        if problem is not None:
            self.diagnostics.append(loader_diagnostic(self.doc, "SL004", f"{self.keys.label(dotted)}: {problem}", node))
        if value is None:
            return None
        return Value(whole(value) if isinstance(node.value, str) else value, got.source)

    def _typed_number(self, dotted: str, got: Resolved) -> Optional[Value]:
        """A number the framework's loader has typed (bools are no numbers, and no finding)."""
        if isinstance(got.value, bool):
            return None
        if not isinstance(got.value, (int, float)):
            self._bad_value(got.node, dotted, "a number")
            return None
        value = got.value
        if not (type(value) in (int, float) and -MAX_MAGNITUDE < value < MAX_MAGNITUDE) \
                and unusable_number(value) is not None:  # NaN, inf, or too large to be a float
            self._bad_value(got.node, dotted, "a finite number below 2**63")
            return None
        return Value(got.value, got.source)

    def integer(self, dotted: str) -> Optional[Value]:
        got = self.number(dotted)
        if got is None:
            return None
        value = got.value  # integral(got), inlined
        out = got if not isinstance(value, float) else Value(int(value), got.source) if value.is_integer() else None
        if out is None and not self.keys.typed:
            node = self.scalar(dotted)
            assert node is not None
            self._bad_value(node, dotted, "a whole number")
        return out

    def count(self, dotted: str) -> Optional[Value]:
        """A whole number >= 1 (layers, heads, batch sizes, steps); anything else is SL004."""
        got = self.integer(dotted)
        if got is not None and got.value < 1:
            self._bad_value(self.scalar(dotted), dotted, "a whole number of at least 1")
            return None
        return got

    def positive(self, dotted: str) -> Optional[Value]:
        """A number > 0 (learning rates, token budgets); anything else is SL004."""
        got = self.number(dotted)
        if got is not None and got.value <= 0:
            self._bad_value(self.scalar(dotted), dotted, "a number above 0")
            return None
        return got

    def fraction(self, dotted: str) -> Optional[Value]:
        """A ratio in [0, 1] (min-LR ratios, decay and warmup fractions); else SL004."""
        got = self.number(dotted)
        if got is not None and not 0 <= got.value <= 1:
            self._bad_value(self.scalar(dotted), dotted, "a fraction between 0 and 1")
            return None
        return got

    def fraction_or_default(self, dotted: str, value: Any, note: Optional[str] = None) -> Value:
        return self.fraction(dotted) or self.default(value, note or f"{dotted} not set")

    # -- values that are not read -------------------------------------------------------

    def default(self, value: Any, note: Optional[str] = None) -> Value:
        return Value(value, default_source(self.framework, note))

    def number_or_default(self, dotted: str, value: Any, note: Optional[str] = None) -> Value:
        return self.number(dotted) or self.default(value, note or f"{dotted} not set")

    def integer_or_default(self, dotted: str, value: Any, note: Optional[str] = None) -> Value:
        return self.integer(dotted) or self.default(value, note or f"{dotted} not set")

    def count_or_default(self, dotted: str, value: Any, note: Optional[str] = None) -> Value:
        return self.count(dotted) or self.default(value, note or f"{dotted} not set")

    def positive_or_default(self, dotted: str, value: Any, note: Optional[str] = None) -> Value:
        return self.positive(dotted) or self.default(value, note or f"{dotted} not set")

    def text_or_default(self, dotted: str, value: Any, note: Optional[str] = None) -> Value:
        return self.text(dotted) or self.default(value, note or f"{dotted} not set")

    def rejected(self, flags: tuple[str, ...], message: str, at: str) -> None:
        """`flags` (as written) form a combination the framework refuses; blamed at key `at`."""
        node = self.node(at)
        line, column = (node.span.start.line, node.span.start.column) if node is not None else (1, 1)
        self.incompatible.append(FlagClash(tuple(flags), message, self.doc.path, line, column))

    def report(self, dotted: str, wanted: str) -> None:
        """SL004 at `dotted`: its value is not what the framework accepts (`wanted`)."""
        node = self.scalar(dotted)
        if node is not None:
            self._bad_value(node, dotted, wanted)

    def _bad_value(self, node: Optional[ScalarNode], dotted: str, wanted: str) -> None:
        if node is None:
            return
        self.diagnostics.append(Diagnostic(
            code="SL004",
            name="bad-value",
            severity=Severity.ERROR,
            message=f"`{dotted}` should be {wanted}, not {node.text!r}",
            file=self.doc.path,
            line=node.span.start.line,
            column=node.span.start.column,
            end_line=node.span.end.line,
            end_column=node.span.end.column,
        ))


def never_raises(name: str, description: str) -> Callable[[Extractor], Extractor]:
    """Wrap a dialect's `extract` so input it cannot make sense of (a zero where a divisor
    belongs, a shape the architecture rejects) becomes one SL004 finding, never a traceback.
    The typed reads above report most bad values at their key first; this is the backstop."""

    def wrap(extract: Extractor) -> Extractor:
        @functools.wraps(extract)
        def guarded(doc: Document, ctx: ExtractContext) -> Extraction:
            try:
                return extract(doc, ctx)
            except (ArithmeticError, TypeError, ValueError, KeyError, AttributeError) as error:
                return Extraction(dialect=name, file=doc.path, diagnostics=(Diagnostic(
                    code="SL004", name="bad-value", severity=Severity.ERROR,
                    message=f"cannot read this {description}: {error}", file=doc.path),))

        return guarded

    return wrap


def derived(value: Any, formula: Optional[str], *inputs: str, note: Optional[str] = None,
            at: Optional[Source] = None) -> Value:
    """A value computed by `formula`. `at`: the key the value is computed from (a ratio,
    a fraction, a token count), so findings about it point there instead of at line 1."""
    source = derived_source(formula, *inputs, note=note)
    if at is not None and at.kind == "key":
        source = Source(kind="derived", formula=formula, inputs=tuple(inputs), note=note,
                        file=at.file, key=at.key, span=at.span)
    return Value(value, source)


class FactSheet:
    """The facts one extraction builds up, by Recipe field name."""

    def __init__(self) -> None:
        self.facts: dict[str, Fact] = {}

    @overload
    def put(self, field_name: str, value: Value) -> Value: ...

    @overload
    def put(self, field_name: str, value: Optional[Value]) -> Optional[Value]: ...

    def put(self, field_name: str, value: Optional[Value]) -> Optional[Value]:
        """Record `value` as the fact `field_name` (when it holds one); hand it back."""
        if value is not None and value.value is not None:
            self.facts[field_name] = value.fact(field_name)
        return value

    def put_core(self, layers: Optional[Value], hidden: Optional[Value],
                 heads: Optional[Value]) -> Optional[tuple[Value, Value, Value]]:
        """Puts num_layers, hidden_size and num_attention_heads; the three when all are set and
        positive, else None: no architecture (the loader reports a bad value as SL004)."""
        layers = self.put("num_layers", layers)
        hidden = self.put("hidden_size", hidden)
        heads = self.put("num_attention_heads", heads)
        if not (layers and hidden and heads) or min(layers.value, hidden.value, heads.value) <= 0:
            return None
        return layers, hidden, heads

    def get(self, field_name: str) -> Optional[Value]:
        got = self.facts.get(field_name)
        return None if got is None else Value(got.value, got.source)

    def value(self, field_name: str) -> Any:
        got = self.facts.get(field_name)
        return None if got is None else got.value

    def has(self, *field_names: str) -> bool:
        return all(name in self.facts for name in field_names)

    def put_param_counts(self, spec: "ArchSpec", origin: str, *, vocab_known: bool = True) -> None:
        """N, active N and (when the vocabulary is known) the total, counted from `spec`
        the same way as for an HF config.json. `origin` says where the shape came from
        ("flavor 8B", "model.* keys"), so `show` explains N without opening a table."""
        from steplint.arch import count_facts

        for name, counted in count_facts(spec, note=origin).items():
            if name == "n_params_total" and not vocab_known:
                continue
            self.facts[name] = counted

    def complete_batch_and_tokens(self) -> None:
        """The derivations every format shares (formats-hf-modern.md section 1): tokens per
        step from sequences x sequence length, and D from steps x tokens per step."""
        if not self.has("global_batch_tokens") and self.has("global_batch_sequences", "seq_len"):
            self.put("global_batch_tokens", derived(
                self.value("global_batch_sequences") * self.value("seq_len"),
                "global_batch_sequences * seq_len", "global_batch_sequences", "seq_len"))
        if not self.has("tokens") and self.has("train_steps", "global_batch_tokens"):
            self.put("tokens", derived(
                self.value("train_steps") * self.value("global_batch_tokens"),
                "train_steps * global_batch_tokens", "train_steps", "global_batch_tokens"))


def finish(dialect: str, doc: Document, reader: ConfigReader, sheet: FactSheet, *, arch: Any = None,
           notices: Iterable[str] = (), notes: Notes = NO_NOTES,
           references: tuple[Reference, ...] = ()) -> Extraction:
    """The end of every reader-based `extract`: derive the batch and token facts the file
    left implicit, hand the forms the framework rejects to SL704, and pack the Extraction."""
    sheet.complete_batch_and_tokens()
    notes = notes._replace(incompatible_flags=tuple(reader.incompatible))
    return Extraction(dialect=dialect, file=doc.path, facts=sheet.facts, arch=arch, references=references,
                      diagnostics=tuple(reader.diagnostics), notices=tuple(notices), notes=notes)


def present(keys: Iterable[str], reader: ConfigReader) -> int:
    """How many of `keys` the document has (for detect scores). A key whose first part is no
    top-level key of a mapping root is absent without a lookup (most are, in a detect)."""
    if not isinstance(reader.doc.root, MappingNode):
        return sum(1 for key in keys if reader.has(key))
    names = root_names(reader.doc)
    return sum(1 for key in keys if key.partition(".")[0] in names and reader.has(key))
