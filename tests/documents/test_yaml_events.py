"""The event-driven builder (documents/yaml_events.py) against the compose-and-convert path
it stands in for: the same nodes (values compared with their types), spans, styles, tags,
comments and findings on tricky texts, the repository's YAML files and thousands of
generated and mutated ones; and the fast path really taken on plain data."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
import yaml

from conftest import SHARED
from fuzz.generators import corpus_files, make_case
from steplint.documents import yaml_events, yaml_loader
from steplint.documents.findings import Parsed
from steplint.documents.load import _decode
from steplint.documents.nodes import MappingNode, ScalarNode, SequenceNode

ROOT = Path(__file__).resolve().parents[2]


def _canon(node: object) -> object:
    """A node tree as plain tuples, scalar values with their type (1, 1.0 and True differ;
    NaN equals NaN) and the index a mapping hands over."""
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        value = node.value
        shown = "nan" if isinstance(value, float) and math.isnan(value) else repr(value)
        return ("S", type(value).__name__, shown, node.text, node.span, node.style, node.tag)
    if isinstance(node, MappingNode):
        return ("M", node.span, node.flow, node.tag, node._index,
                tuple((_canon(k), _canon(v)) for k, v in node.items))
    assert isinstance(node, SequenceNode)
    return ("Q", node.span, node.flow, node.tag, tuple(_canon(v) for v in node.items))


def _composed(path: str, text: str) -> Parsed:
    """What parse_yaml gave before the event builder: checks, then compose and convert."""
    def refuse(*args: object) -> None:
        raise yaml_events.Fallback

    saved = yaml_loader.build_first_document
    yaml_loader.build_first_document = refuse  # type: ignore[assignment]
    try:
        return yaml_loader.parse_yaml(path, text)
    finally:
        yaml_loader.build_first_document = saved


def _same(text: str) -> None:
    new, old = yaml_loader.parse_yaml("t.yaml", text), _composed("t.yaml", text)
    assert _canon(new.root) == _canon(old.root)
    assert new.comments == old.comments
    assert new.diagnostics == old.diagnostics


def _fast(text: str) -> bool:
    try:
        yaml_events.build_first_document("t.yaml", text, yaml.cyaml.CParser)
    except yaml_events.Fallback:
        return False
    return True


TRICKY = [
    "",
    "# only a comment\n",
    "---\n",
    "---\n...\n",
    "a: 1\n",
    "a: 1\nb: [x, 2.5, true, null, ~, '', \"\"]\nc: {d: '3', e: \"4\"}\n",
    "1: int\n1.5: float\nfalse: bool\nnull: none\n'1': str\n1.0: dup of 1\n",
    "a: |\n  one # not a comment\n  two\nb: >- # a comment\n  folded\n  text\nc: 'x # y' # z\n",
    "d: 2024-01-02\nt: 2024-01-02 03:04:05\nbad: !!timestamp 2024-13-45\n",
    "lr: 3e-4\nx: 1e400\ny: .inf\nz: -.NaN\no: 0o17\nh: 0x1F\nb: 0b101\ns: 1:30:00\nf: 1_000.5\n",
    "big: 1" + "0" * 5000 + "\n",
    "yes: no\non: off\nY: n\n",
    "a: 1\nb: 2\na: 3\n",
    "a:\n  b: 1\n  b: 2\na: 4\n",
    "".join(f"k{i}: {i}\n" for i in range(30)) + "k3: again\n",
    "".join(f"k{i}: {i}\n" for i in range(11)),
    "".join(f"k{i}: {i}\n" for i in range(12)),
    "base: &b {lr: 1, wd: 2}\nrun:\n  <<: *b\n  lr: 3\n",
    "a: &n [1, 2]\nb: *n\nc: &s text\nd: *s\n",
    "a: &x [1, *x]\n",
    "a: *undefined\n",
    "a: &x 1\nb: &x 2\n",
    "a: !include base.yaml\nb: !new:torch.optim.Adam {lr: 1}\nc: !ref [x]\n",
    "a: !!python/object:os.system x\n",
    "a: !!python/object:os.system x\nb: [\n",
    "a: !!str 1\nb: !!int '2'\nc: !!float '3'\nd: !!bool 'yes'\ne: !!null ''\nf: !!binary aGVsbG8=\n",
    "a: !!int x\n",
    "a: !!set {x, y}\nb: !!omap [{a: 1}]\nc: !!map {k: v}\nd: ! 12\ne: ! '12'\n",
    "? [a, b]\n: c\n",
    "? a\n: b\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\n...\n%YAML 1.1\n---\nb: 2\n",
    "a: 1\n...\nb: 2\n",
    "a: 1\n--- [\n",
    "a: [1, 2\n",
    "a:\tb\n",
    "a: 1\r\nb: 2 # c\r\n",
    "- - - x\n- [a, {b: c}]\n",
    "plain text\n",
    "'quoted'\n",
    "= : x\n",
    "!!merge x: 1\n",
    "<<: {a: 1}\n",
    "a: 1\n<<: [{a: 2, b: 3}, {b: 4}]\n",
    "k: \"\\u00e9\\t\\x41\"\n",
    "é: ü # ö\n",
    "a: b: c\n",
    "[1, 2]: x\n",
    "{a: 1}\n",
    "- 1\n- 2\n",
    "a: 1 # steplint: ignore[SL302]\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_read_as_before(text):
    _same(text)


def test_plain_data_takes_the_event_path():
    assert _fast("a: 1\nb: [x, 2.5, true]\nc: {d: '3'}\nd: |\n  x\n")
    assert _fast("a: 1\na: 2\n")  # SL002 is found on the way
    assert _fast("a: !include base.yaml\n")


@pytest.mark.parametrize("text", ["a: &x 1\n", "a: *x\n", "<<: {a: 1}\n", "a: !!python/name:os x\n", "a: [\n",
                                  "? [a]\n: b\n", "a: !!timestamp 2024-13-45\n"])
def test_what_the_builder_leaves_to_compose_and_convert(text):
    assert not _fast(text)


def test_nesting_cap_is_read_per_call(monkeypatch):
    from steplint.documents import yaml_convert

    text = "".join("  " * i + f"k{i}:\n" for i in range(8)) + "  " * 8 + "v\n"
    assert _fast(text)
    monkeypatch.setattr(yaml_convert, "MAX_DEPTH", 5)
    assert not _fast(text)


def _repository_yaml() -> list[Path]:
    found = [p for p in ROOT.rglob("*") if p.suffix in (".yaml", ".yml") and ".venv" not in p.parts
             and ".git" not in p.parts]
    if (SHARED / "corpus").is_dir():
        found += [p for p in (SHARED / "corpus").rglob("*") if p.suffix in (".yaml", ".yml")]
    return sorted(found)


def test_every_yaml_file_of_the_repository_reads_as_before():
    files = _repository_yaml()
    assert len(files) > 20
    for path in files:
        try:
            text, _ = _decode(path.read_bytes())
        except Exception:
            continue
        _same(text)


def test_generated_and_mutated_configs_read_as_before():
    """2,000 cases of the fuzz generators (structured configs in every format, mutated
    text and bytes, shared-corpus files with bytes flipped): every YAML-looking text."""
    rng = random.Random(15)
    corpus = corpus_files(SHARED)
    compared = 0
    for _ in range(2000):
        for name, data in make_case(rng, corpus).items():
            if not name.endswith((".yaml", ".yml")):
                continue
            try:
                text, _ = _decode(data)
            except Exception:
                continue
            _same(text)
            compared += 1
    assert compared > 1000


def test_a_file_leaves_no_reference_cycle_behind():
    """Recursive closures once kept every file's parser and text alive until a full
    collection: 10,000 files grew the process by 120 MiB (bench/memory.py)."""
    import gc

    text = (ROOT / "examples" / "megatron_gpt_800m.yaml").read_text()
    assert _fast(text)
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            yaml_loader.parse_yaml("t.yaml", text)
        assert gc.collect() == 0
    finally:
        gc.enable()
