"""The one-pass conversion (documents/yaml_convert.py) and the key index it hands to each
MappingNode: the same answers as PyYAML itself and as a linear scan, on tricky inputs."""

from __future__ import annotations

import copy

import pytest
import yaml

from steplint.documents.nodes import MappingNode, ScalarNode, SequenceNode, to_python, walk
from steplint.documents.yaml_loader import parse_yaml

TRICKY = {
    "plain": "a: 1\nb: [x, 2.5, true, null, ~]\nc: {d: '3', e: \"4\"}\n",
    "merge": "base: &b {lr: 1, wd: 2}\nrun:\n  <<: *b\n  lr: 3\n",
    "merge list": "x: &x {a: 1}\ny: &y {b: 3}\nz:\n  <<: [*x, *y]\n  c: 4\n",
    "anchors": "a: &n [1, 2]\nb: *n\nc: &s text\nd: *s\n",
    "mixed keys": "1: int\n1.5: float\nfalse: bool\nnull: none\n'1': str\n",
    "block scalars": "a: |\n  one # not a comment\n  two\nb: >-\n  folded\n  text\n",
    "timestamps": "d: 2024-01-02\nt: 2024-01-02 03:04:05\n",
    "nested": "a:\n  b:\n    - c: 1\n      d: [1, [2, [3]]]\n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_values_equal_pyyaml_safe_load(name):
    text = TRICKY[name]
    parsed = parse_yaml("t.yaml", text)
    assert parsed.diagnostics == ()
    assert to_python(parsed.root) == yaml.safe_load(text)


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_positions_are_pyyaml_marks_one_based(name):
    """Every node written in the text (not inherited through `<<`) spans what PyYAML's
    composer says, shifted to 1-based lines and columns."""
    text = TRICKY[name]
    root = parse_yaml("t.yaml", text).root
    expected = set()

    def collect(node):
        expected.add((node.start_mark.line + 1, node.start_mark.column + 1, node.start_mark.index,
                      node.end_mark.line + 1, node.end_mark.column + 1, node.end_mark.index))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                collect(k)
                collect(v)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                collect(v)

    collect(yaml.compose(text, Loader=yaml.SafeLoader))
    for _, node in walk(root):
        s = node.span
        assert (s.start.line, s.start.column, s.start.offset, s.end.line, s.end.column, s.end.offset) in expected
        if isinstance(node, ScalarNode):
            assert node.text == text[s.start.offset:s.end.offset]


def _nodes(root):
    return [node for _, node in walk(root) if isinstance(node, MappingNode)]


@pytest.mark.parametrize("text", [
    *TRICKY.values(),
    "a: 1\nb: 2\na: 3\n",  # a duplicate: get gives the first, all gives both
    "1: one\ntrue: two\n1.0: three\nk: v\n",  # equal keys of three types
    "".join(f"k{i}: {i}\n" for i in range(30)) + "k3: again\n",
])
def test_handed_over_index_answers_like_a_linear_scan(text):
    for node in _nodes(parse_yaml("t.yaml", text).root):
        fresh = copy.copy(node)  # rebuilt without the loader's index: built on first use
        keys = [k.value for k, _ in node.items] + ["absent", 1, 1.0, True, None, "1"]
        for key in keys:
            scan = [v for k, v in node.items if k.value == key]
            assert node.all(key) == fresh.all(key) == scan if isinstance(key, str) else True
            first = scan[0] if scan else None
            assert node.get(key) is first and fresh.get(key) == first
            assert (key in node) == (key in fresh) == bool(scan)
            pair = node.get_pair(key)
            assert (pair[1] if pair else None) is first


def test_duplicate_keys_and_merge_keep_their_findings_and_order():
    parsed = parse_yaml("t.yaml", "b: &b {x: 1, y: 2}\nm:\n  <<: *b\n  x: 3\n  z: 4\n  z: 5\n")
    m = parsed.root.get("m")
    assert [k.value for k, _ in m.items] == ["y", "x", "z", "z"]  # inherited first, explicit win
    assert m.get("x").value == 3 and [v.value for v in m.all("z")] == [4, 5]
    assert [(d.code, d.line) for d in parsed.diagnostics] == [("SL002", 6)]


def test_sequences_and_tags_convert():
    root = parse_yaml("t.yaml", "a: !new:torch.optim.Adam {lr: 1}\nb: !ref [1]\n").root
    assert root.get("a").tag == "!new:torch.optim.Adam" and isinstance(root.get("a"), MappingNode)
    assert root.get("b").tag == "!ref" and isinstance(root.get("b"), SequenceNode)
    assert root.get("a").get("lr").value == 1
