"""JSON: json.loads's values with positions; lenient comments and trailing commas."""

import json
import math

import pytest

from conftest import FIXTURES
from steplint.documents import json_loader
from steplint.documents.json_loader import parse_json
from steplint.documents.load import load_document
from steplint.documents.nodes import MappingNode, ScalarNode, SequenceNode, lookup, to_python, walk

DOCS = FIXTURES / "documents"


def codes(parsed):
    return [(d.code, d.line, d.column) for d in parsed.diagnostics]


def at(node):
    return node.span.start.line, node.span.start.column


def test_deepspeed_fixture_with_comments_and_trailing_commas():
    doc = load_document(str(DOCS / "ds_config.json"))
    assert doc.diagnostics == ()
    assert lookup(doc.root, "optimizer.params.lr").value == 3e-4  # a float in JSON
    assert at(lookup(doc.root, "optimizer.params.lr")) == (7, 22)
    assert at(lookup(doc.root, "train_batch_size")) == (3, 23)
    assert lookup(doc.root, "bf16.enabled").value is True
    assert [(c.line, c.column, c.own_line) for c in doc.comments] == [(2, 3, True), (7, 65, False), (9, 3, True)]
    assert doc.comments[2].text == " precision "


def test_key_nodes_have_their_own_spans():
    parsed = parse_json("a.json", '{\n  "lr": 1}')
    key, value = parsed.root.items[0]
    assert (key.value, key.text, key.style, at(key)) == ("lr", '"lr"', '"', (2, 3))
    assert at(value) == (2, 9)


def test_strict_mode_refuses_comments_and_trailing_commas():
    assert codes(parse_json("a.json", '{"a": 1,}', lenient=False)) == [("SL001", 1, 9)]
    assert codes(parse_json("a.json", "[1,]", lenient=False)) == [("SL001", 1, 4)]
    assert codes(parse_json("a.json", '{"a": 1} // c', lenient=False)) == [("SL001", 1, 10)]


def test_duplicate_keys():
    parsed = parse_json("a.json", '{"lr": 1,\n "lr": 2}')
    assert codes(parsed) == [("SL002", 2, 2)]
    assert "line 1" in parsed.diagnostics[0].message
    assert [v.value for v in parsed.root.all("lr")] == [1, 2]


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_constants_are_read_and_reported(word):
    parsed = parse_json("a.json", '{"lr": %s}' % word)
    assert codes(parsed) == [("SL004", 1, 8)]
    value = parsed.root.get("lr").value
    expected = json.loads(word)
    assert (math.isnan(value) and math.isnan(expected)) or value == expected


def test_overflowing_float_is_non_finite():
    assert codes(parse_json("a.json", "[1e999]")) == [("SL004", 1, 2)]


def test_huge_integers_stay_integers():
    text = '{"n": 1' + "0" * 400 + "}"
    assert parse_json("a.json", text).root.get("n").value == 10**400


def test_integer_over_pythons_digit_limit_is_sl001():
    parsed = parse_json("a.json", "[" + "9" * 5000 + "]")
    assert codes(parsed) == [("SL001", 1, 2)]


@pytest.mark.parametrize(
    "text, where",
    [
        ('{"a": }', (1, 7)),
        ('{"a" 1}', (1, 6)),
        ("{'a': 1}", (1, 2)),
        ('{"a": 1', (1, 8)),
        ('{"a": "x\n"}', (1, 9)),
        ('{"a": tru}', (1, 7)),
        ('{"a": 1} 2', (1, 10)),
        ('{"a": 01}', (1, 8)),
        ("/* open", (1, 1)),
    ],
)
def test_syntax_errors_point_at_the_problem(text, where):
    parsed = parse_json("a.json", text)
    assert parsed.root is None and codes(parsed) == [("SL001", *where)]
    assert parsed.diagnostics[0].message.startswith("cannot parse JSON")


def test_depth_cap(monkeypatch):
    monkeypatch.setattr(json_loader, "MAX_DEPTH", 3)
    assert parse_json("a.json", "[[[1]]]").diagnostics == ()
    assert codes(parse_json("a.json", "[[[[1]]]]")) == [("SL001", 1, 4)]


def test_top_level_list_and_scalar_are_roots():
    assert isinstance(parse_json("a.json", "[1, 2]").root, SequenceNode)
    assert parse_json("a.json", '"x"').root.value == "x"


def test_empty_and_comment_only_files_have_no_root_and_no_finding():
    assert parse_json("a.json", " \n").root is None
    only_comment = parse_json("a.json", "// nothing\n")
    assert only_comment.root is None and only_comment.diagnostics == () and len(only_comment.comments) == 1


def test_spans_slice_to_text_and_types_match():
    text = '{"a": [1, -2.5e3, "s\\u00e9", true, null, {"b": {}}], "c": ""}'
    parsed = parse_json("a.json", text, lenient=False)
    assert to_python(parsed.root) == json.loads(text)
    for _, node in walk(parsed.root):
        assert text[node.span.start.offset:node.span.end.offset] == (
            node.text if isinstance(node, ScalarNode) else text[node.span.start.offset:node.span.end.offset]
        )
        if isinstance(node, (MappingNode, SequenceNode)):
            assert text[node.span.start.offset] in "[{" and text[node.span.end.offset - 1] in "]}"
