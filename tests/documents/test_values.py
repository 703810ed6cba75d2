"""read_number: the number as each framework's loader reads it."""

import math

import pytest

from steplint.diagnostics import Severity
from steplint.documents.load import load_document
from steplint.documents.values import (
    loader_diagnostic,
    non_finite_problem,
    non_positive_problem,
    read_int,
    read_number,
)


def node(text, path="t.yaml"):
    return load_document(path, text=text).root.get("v")


def test_yaml11_exponent_without_dot_is_a_string_to_pyyaml_but_a_float_to_omegaconf():
    value, problem = read_number(node("v: 1e-4\n"), "yaml11")
    assert value == 1e-4 and "PyYAML reads 1e-4 as a string" in problem and "1.0e-4" in problem
    assert read_number(node("v: 1e-4\n"), "omegaconf") == (1e-4, None)
    assert read_number(node("v: 3E5\n"), "omegaconf") == (3e5, None)


def test_yaml11_floats_read_everywhere():
    assert read_number(node("v: 1.0e-4\n"), "yaml11") == (1e-4, None)
    assert read_number(node("v: 6\n"), "omegaconf") == (6, None)


def test_quoted_numbers_are_strings_for_every_reader():
    for reader in ("yaml11", "omegaconf"):
        value, problem = read_number(node("v: '3e-4'\n"), reader)
        assert value == 3e-4 and "quoted" in problem
    value, problem = read_number(node('{"v": "3e-4"}', "t.json"), "json")
    assert value == 3e-4 and problem


def test_json_numbers():
    assert read_number(node('{"v": 3e-4}', "t.json"), "json") == (3e-4, None)


@pytest.mark.parametrize(
    "text, fragment",
    [("v: true\n", "boolean"), ("v: [1]\n", "a list"), ("v: {a: 1}\n", "a mapping"), ("v:\n", "null"),
     ("v: fast\n", "string")],
)
def test_not_numbers(text, fragment):
    value, problem = read_number(node(text), "yaml11")
    assert value is None and fragment in problem


def test_missing_node_is_no_problem():
    assert read_number(None) == (None, None)


def test_argparse_reads_like_float():
    doc = load_document("t.yaml", text="v: '1e-4'\n")
    assert read_number(doc.root.get("v"), "argparse") == (1e-4, None)


def test_unknown_reader_is_a_programming_error():
    with pytest.raises(ValueError):
        read_number(node("v: 1\n"), "yaml12")


def test_read_int():
    assert read_int(node("v: 8\n")) == (8, None)
    assert read_int(node("v: 8.5\n"))[0] is None
    value, problem = read_int(node("v: 8.0\n"))
    assert value == 8 and "float" in problem


def test_checks():
    assert non_finite_problem(math.nan) and non_finite_problem(-math.inf)
    assert non_finite_problem(1.0) is None and non_finite_problem(10**400) is None
    assert non_positive_problem(0) and non_positive_problem(-1e-4) and non_positive_problem(math.nan)
    assert non_positive_problem(3e-4) is None


def test_the_yaml11_hint_is_the_literal_a_fix_writes():
    import yaml

    doc = load_document("t.yaml", text="v: +.5E-3\n")  # no dot before the digits to add one to
    number, problem = read_number(doc.root.items[0][1], "yaml11")
    assert number == 5e-4 and problem.endswith("write 0.0005")
    assert yaml.safe_load("v: 0.0005\n")["v"] == 5e-4


def test_loader_diagnostic_takes_a_node_and_names_the_rule():
    doc = load_document("t.yaml", text="a: 1\nv: 1e-4\n")
    d = loader_diagnostic(doc, "SL004", "bad", doc.root.get("v"))
    assert (d.code, d.name, d.severity, d.file, d.line, d.column, d.end_column) == (
        "SL004", "bad-value", Severity.ERROR, "t.yaml", 2, 4, 8)
