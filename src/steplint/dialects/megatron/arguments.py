"""One view of Megatron's argparse options in any of its three forms (launch script,
functional-test YAML, `--yaml-cfg` YAML): argparse dest name -> where the form writes it.
"""

from __future__ import annotations

from typing import Any, Optional

from steplint.diagnostics import Diagnostic, Severity
from steplint.dialects.config_reader import _UNSEEN, ConfigReader, DottedPath, Value, as_number
from steplint.documents.nodes import Document, MappingNode, Node, ScalarNode, SequenceNode
from steplint.documents.values import loader_diagnostic, read_number, unusable_number
from steplint.recipe import Source

# Whose defaults apply (docs/formats-megatron-deepspeed.md section 0).
MEGATRON_LM = "Megatron-LM megatron/training/arguments.py @d98e8a6"
BIGSCIENCE = "bigscience Megatron-DeepSpeed megatron/arguments.py @8387ae1"
MICROSOFT = "microsoft Megatron-DeepSpeed megatron/arguments.py"

# --yaml-cfg: TransformerConfig fields live under language_model:, parallel sizes under
# model_parallel:, the rest is flat (megatron/training/yaml_arguments.py).
_YAML_ALIASES = {"num_experts": ("num_moe_experts",), "seq_length": ("seq_length", "encoder_seq_length")}


def _layout(doc: Document) -> Optional[str]:
    root = doc.root
    if not isinstance(root, MappingNode):
        return None
    if doc.kind == "shell":
        program = root.get("program")
        return "script" if isinstance(program, ScalarNode) else None
    model_args = root.get("MODEL_ARGS")
    if isinstance(model_args, MappingNode) and any(str(k).startswith("--") for k in model_args.keys()):
        return "test-yaml"
    if isinstance(root.get("language_model"), MappingNode):
        return "yaml-cfg"
    return None


class MegatronFlags(DottedPath):
    """ConfigReader key resolution for argparse dest names (`lr_decay_style`): the flag
    `--lr-decay-style` (or `--lr_decay_style`) in a script, `MODEL_ARGS.--lr-decay-style` in
    functional-test YAML, `language_model.` / `model_parallel.` / flat keys in `--yaml-cfg`
    YAML. A value that is an unresolved reference is SL007 (once per key), never read."""

    def __init__(self, doc: Document, layout: str):
        self.doc = doc
        self.layout = layout
        self.diagnostics: list[Diagnostic] = []
        self.reported: set[str] = set()
        self._keys: dict[str, Optional[str]] = {}  # dest -> key (a dialect asks for each dest several times)
        self._names: dict[str, Optional[frozenset[str]]] = {}  # container key -> its string keys

    def candidates(self, dest: str) -> tuple[str, ...]:
        flag = "--" + dest.replace("_", "-")
        if self.layout == "script":
            return (flag, "--" + dest)
        if self.layout == "test-yaml":
            return ("MODEL_ARGS." + flag, "MODEL_ARGS.--" + dest)
        names = _YAML_ALIASES.get(dest, (dest,))
        return tuple(f"language_model.{n}" for n in names) + (f"model_parallel.{dest}",) + names

    def key(self, reader: ConfigReader, dest: str) -> Optional[str]:
        key = self._keys.get(dest, _UNSEEN)
        if key is not _UNSEEN:
            return key  # type: ignore[no-any-return]  # a key or None here
        # reader.first_set(*candidates), skipping a spelling whose mapping (the root,
        # `MODEL_ARGS`, `language_model`, ...) lacks its last part: most of a dest's spellings
        # are absent, and this spares their lookups
        key = None
        for candidate in self.candidates(dest):
            container, _, last = candidate.rpartition(".")
            names = self._names.get(container, _UNSEEN)
            if names is _UNSEEN:
                names = self._names_in(reader, container)
            if (names is None or last in names) and reader.is_set(candidate):
                key = candidate
                break
        self._keys[dest] = key
        return key  # type: ignore[no-any-return]  # a candidate (str) or None

    def _names_in(self, reader: ConfigReader, container: str) -> Optional[frozenset[str]]:
        """The string keys of the mapping at `container` ("" the root); empty when nothing is
        there, None when something other than a mapping is (then each spelling is looked up)."""
        node = reader.node(container) if container else reader.doc.root
        names = self._names[container] = (
            frozenset(k for k in node.keys() if isinstance(k, str)) if isinstance(node, MappingNode)
            else frozenset() if node is None else None)
        return names

    def usable(self, reader: ConfigReader, dest: str, key: str, kind: str) -> bool:
        node = reader.node(key)
        unresolved = (self.doc.kind == "shell" and _is_unresolved(self.doc, node)) or (
            self.layout != "script" and isinstance(node, ScalarNode)
            and isinstance(node.value, str) and "${" in node.value
        )
        if unresolved:
            if key not in self.reported:
                self.reported.add(key)
                self.diagnostics.append(_unresolved(self.doc.path, key, node))
            return False
        if kind == "number" and self.layout == "yaml-cfg" and key not in self.reported:
            # --yaml-cfg is read with PyYAML: `lr: 1e-4` is a string there (SL004). Functional-test
            # MODEL_ARGS are not: _run_training.sh turns each into `--key=value` text with yq and
            # argparse converts it (NVIDIA/Megatron-LM d98e8a6,
            # tests/functional_tests/shell_test_utils/_run_training.sh line 97), so `1e-4` is a float.
            number, problem = read_number(node, "yaml11")
            if problem is not None and number is not None:
                self.reported.add(key)
                self.diagnostics.append(loader_diagnostic(self.doc.path, "SL004", f"`{key}`: {problem}", node))
        return True


class _Args:
    """argparse dest name -> value, for whichever form the document is."""

    def __init__(self, doc: Document, layout: str, framework: str):
        self.doc = doc
        self.layout = layout
        flags = MegatronFlags(doc, layout)
        self.reader = ConfigReader(doc, framework, last_duplicate_wins=True, keys=flags)
        self.diagnostics = flags.diagnostics
        self.generated: list[str] = []  # notices about files the script writes itself

    def key(self, dest: str) -> Optional[str]:
        return self.reader.locate(dest)

    def has(self, dest: str) -> bool:
        return self.key(dest) is not None

    def node(self, dest: str) -> Optional[Node]:
        key = self.key(dest)
        return None if key is None else self.reader.node(key)

    def source(self, dest: str) -> Source:
        key = self.key(dest)
        assert key is not None
        return self.reader.source(key)

    def number(self, dest: str) -> Optional[Value]:
        return self.reader.read(dest, "number")

    def integer(self, dest: str) -> Optional[Value]:
        return self.reader.read(dest, "integer")

    def text(self, dest: str) -> Optional[Value]:
        return self.reader.read(dest, "text")

    def flag(self, dest: str) -> bool:
        """A store_true option: a bare flag, or true in YAML."""
        key = self.key(dest)
        if key is None:
            return False
        node = self.reader.node(key)
        if isinstance(node, ScalarNode):
            if node.value is True:
                return True
            return isinstance(node.value, str) and node.value.strip().lower() == "true"
        return False

    def integers(self, dest: str) -> Optional[tuple[list[int], Source]]:
        """A list-valued option: `192 16 9_765_625` words, a YAML list, or a string
        `"[384 384 97656250]"` (functional-test YAML)."""
        key = self.key(dest)
        if key is None or not self.reader.keys.usable(self.reader, dest, key, "integers"):
            return None
        node = self.reader.node(key)
        if isinstance(node, SequenceNode):
            raw: list[Any] = [item.value if isinstance(item, ScalarNode) else None for item in node.items]
            if any(_is_unresolved(self.doc, item) for item in node.items):
                self.diagnostics.append(_unresolved(self.doc.path, key, node))
                return None
        elif isinstance(node, ScalarNode) and isinstance(node.value, str):
            raw = node.value.strip().strip("[]()").replace(",", " ").split()
        else:
            return None
        values = [as_number(v) for v in raw]
        # NaN, inf or past 2**63 first: int() of those raises, and ramps divide by them
        if not values or any(v is None or unusable_number(v) or v != int(v) for v in values):
            return None
        return [int(v) for v in values if v is not None], self.reader.source(key)


def _is_unresolved(doc: Document, node: Optional[Node]) -> bool:
    """documents.shell's test. Only the shell reader makes unresolved nodes, so other
    documents are answered without importing it: that import is start-up time."""
    if doc.kind != "shell":
        return False
    from steplint.documents.shell import is_unresolved

    return is_unresolved(node)


def _unresolved(path: str, key: str, node: Optional[Node]) -> Diagnostic:
    span = getattr(node, "span", None)
    text = getattr(node, "text", "") or str(getattr(node, "value", ""))
    return Diagnostic(
        code="SL007",
        name="unresolved-reference",
        severity=Severity.WARNING,
        message=f"`{key}` is `{text.strip()}`, which cannot be resolved from the file alone; "
                "its value is not guessed",
        file=path,
        line=span.start.line if span else 1,
        column=span.start.column if span else 1,
        end_line=span.end.line if span else 0,
        end_column=span.end.column if span else 0,
    )

