"""TOML: tomllib's values placed at the spans a positional scan finds."""

import sys

import pytest

from conftest import FIXTURES
from steplint.documents.load import load_document
from steplint.documents.nodes import MappingNode, ScalarNode, SequenceNode, lookup, to_python, walk
from steplint.documents.toml_loader import parse_toml

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

DOCS = FIXTURES / "documents"


def at(node):
    return node.span.start.line, node.span.start.column


def codes(parsed):
    return [(d.code, d.line, d.column) for d in parsed.diagnostics]


def test_fixture_values_positions_and_comments():
    doc = load_document(str(DOCS / "torchtitan.toml"))
    assert doc.diagnostics == ()
    assert to_python(doc.root) == tomllib.loads(doc.text)
    assert at(lookup(doc.root, "optimizer.lr")) == (7, 6)
    assert lookup(doc.root, "optimizer.lr").value == 3e-4  # a float in TOML
    assert lookup(doc.root, "training.steps").text == "1_000"
    assert at(lookup(doc.root, "experiments.0.dims.hidden")) == (17, 19)
    assert at(lookup(doc.root, "experiments.1.name")) == (19, 8)
    assert lookup(doc.root, "experiments.1.name").style == "'"
    dims = lookup(doc.root, "experiments.0.dims")
    assert isinstance(dims, MappingNode) and dims.flow
    quoted_key = dims.items[1][0]
    assert (quoted_key.value, quoted_key.text, at(quoted_key)) == ("n heads", '"n heads"', (17, 25))
    assert [(c.line, c.own_line, c.text) for c in doc.comments] == [
        (1, True, " torchtitan-style job config"),
        (3, False, " steplint: ignore[SL302]"),
    ]


def test_table_spans_are_their_headers():
    doc = load_document(str(DOCS / "torchtitan.toml"))
    training = lookup(doc.root, "training")
    assert at(training) == (10, 1) and doc.text[training.span.start.offset:training.span.end.offset] == "[training]"
    experiments = lookup(doc.root, "experiments")
    assert isinstance(experiments, SequenceNode) and not experiments.flow and at(experiments) == (15, 1)


def test_every_scalar_text_is_its_source_slice():
    text = (
        'a = """multi\n"line" ""\n"""\n'
        "b = '''raw\\n'''\n"
        "c = [ [1, 2], [\"x\", 'y'], ]\n"
        "d.e.f = 1979-05-27T07:32:00-08:00\n"
        "g = 07:32:00\n"
        "h = { i = { j = -inf } }\n"
        "[k . 'l']\n"
        "m = 0xff\n"
    )
    parsed = parse_toml("t.toml", text)
    assert to_python(parsed.root) == tomllib.loads(text)
    scalars = [n for _, n in walk(parsed.root) if isinstance(n, ScalarNode)]
    assert len(scalars) == 10
    for node in scalars:
        assert node.text and text[node.span.start.offset:node.span.end.offset] == node.text
    assert at(lookup(parsed.root, "k.l.m")) == (10, 5)
    assert at(lookup(parsed.root, "d.e.f")) == (6, 9)


def test_repeated_table_is_sl002_at_the_second_header():
    parsed = parse_toml("r.toml", "[training]\nlr = 1e-4\n[training]\nlr = 2e-4\n")
    assert parsed.root is None and codes(parsed) == [("SL002", 3, 1)]
    d = parsed.diagnostics[0]
    assert "line 1" in d.message and d.related[0].line == 1


def test_repeated_key_is_sl002_at_the_second_key():
    parsed = parse_toml("r.toml", "[a]\nx = 1\ny = 2\nx = 3\n")
    assert codes(parsed) == [("SL002", 4, 1)]


def test_other_redefinitions_are_sl002_at_tomllibs_position():
    parsed = parse_toml("r.toml", "a = 1\n[a]\n")
    assert [d.code for d in parsed.diagnostics] == ["SL002"]


@pytest.mark.parametrize("text, where", [("a = \n", (1, 5)), ("a = [1,\n", (2, 1)), ("[a\n", (1, 3))])
def test_syntax_errors_are_sl001_at_tomllibs_line_and_column(text, where):
    parsed = parse_toml("e.toml", text)
    assert parsed.root is None and codes(parsed) == [("SL001", *where)]
    assert "(at line" not in parsed.diagnostics[0].message


def test_comment_only_file_is_empty():
    parsed = parse_toml("e.toml", "# nothing here\n")
    assert parsed.root is None and parsed.diagnostics == () and len(parsed.comments) == 1


def test_hash_inside_strings_is_not_a_comment():
    parsed = parse_toml("s.toml", 'a = "x # y"  # real\nb = \'\'\'\n# text\n\'\'\'\n')
    assert [(c.line, c.text) for c in parsed.comments] == [(1, " real")]


@pytest.mark.parametrize(
    "text",
    ["a = " + "[" * 10_000 + "]" * 10_000 + "\n", "a = " + "{b = " * 3000 + "1" + "}" * 3000],
    ids=["arrays", "tables"],
)
def test_deep_nesting_is_sl001_not_a_recursion_error(text):
    parsed = parse_toml("deep.toml", text)
    assert parsed.root is None and [(d.code, d.line) for d in parsed.diagnostics] == [("SL001", 1)]
    assert "nesting" in parsed.diagnostics[0].message


@pytest.mark.parametrize("number", ["1" + "0" * 5000, "0x" + "f" * 5000], ids=["decimal", "hex"])
def test_number_longer_than_python_converts_is_sl001(number):
    parsed = parse_toml("n.toml", f"a = 1\nb = {number}\n")
    assert [(d.code, d.line, d.column) for d in parsed.diagnostics] == [("SL001", 2, 5)]
