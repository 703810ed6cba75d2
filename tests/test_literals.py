"""Number literals that read back as the same float under each format's own loader."""

from __future__ import annotations

import json
import math
import sys

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from steplint.diagnostics import Mark, Span
from steplint.documents.nodes import ScalarNode
from steplint.literals import (
    format_float,
    format_int,
    format_key,
    format_value,
    style_of_literal,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_AT = Span(Mark(1, 1, 0), Mark(1, 1, 0))


def scalar(text: str) -> ScalarNode:
    quoted = text[:1] in "'\""
    return ScalarNode(text.strip("'\""), text, _AT, style=text[0] if quoted else None)


@pytest.mark.parametrize(
    "kind, original, expected",
    [
        ("yaml", None, "1.0e-5"),
        ("yaml", "0.00003", "0.00001"),
        ("yaml", "3.0e-5", "1.0e-5"),
        ("yaml", "3e-5", "1.0e-5"),  # YAML 1.1 would read `1e-5` as a string
        ("yaml", "3.0E-05", "1.0E-05"),
        ("json", None, "1e-5"),
        ("json", "3e-05", "1e-05"),
        ("json", "0.00003", "0.00001"),
        ("toml", "3e-5", "1e-5"),
        ("toml", "3.0e-5", "1.0e-5"),
        ("shell", "3e-5", "1e-5"),
        ("yaml", '"3.0e-5"', '"1.0e-5"'),
        ("shell", '"3.0e-5"', '"1.0e-5"'),
    ],
)
def test_min_lr_in_the_file_s_style(kind, original, expected):
    assert format_float(1e-5, kind=kind, style_of=scalar(original) if original else None) == expected


@pytest.mark.parametrize(
    "value, expected",
    [(1e5, "100000.0"), (1e20, "1.0e+20"), (2.5e-7, "2.5e-7"), (0.001, "0.001"), (3.0, "3.0"), (-1e-5, "-1.0e-5")],
)
def test_yaml_default_forms_are_yaml_11_floats(value, expected):
    text = format_float(value, kind="yaml")
    assert text == expected
    assert yaml.safe_load(f"v: {text}")["v"] == value


def test_positional_style_of_a_large_value_keeps_a_dot():
    assert format_float(100000.0, kind="toml", style_of=scalar("0.5")) == "100000.0"


def test_non_finite_is_refused():
    with pytest.raises(ValueError):
        format_float(math.inf, kind="yaml")


def test_style_of_non_number_is_none():
    assert style_of_literal(scalar("cosine")) is None


def test_value_dispatch_and_keys():
    assert format_value(True, kind="yaml") == "true"
    assert format_value(512, kind="json", style_of=scalar("256")) == "512"
    assert format_int(512, kind="yaml", style_of=scalar("'256'")) == "'512'"
    assert format_value("cosine", kind="toml") == '"cosine"'
    assert format_key("min_lr", kind="json") == '"min_lr"'
    assert format_key("min_lr", kind="yaml", like=scalar('"lr"')) == '"min_lr"'
    assert format_key("min lr", kind="yaml") == '"min lr"'


_STYLES = ["0.5", "5.0e-1", "5e-1", "5E-01", "5.0E+1", "5.0e1"]


@settings(max_examples=300, deadline=None)
@given(
    value=st.floats(min_value=1e-12, max_value=1e12, allow_nan=False, allow_infinity=False)
    | st.sampled_from([0.0, 1e-5, 1.5e-4]),
    negative=st.booleans(),
    original=st.sampled_from([None, *_STYLES]),
)
def test_every_written_float_reads_back_exactly(value, negative, original):
    value = -value if negative else value
    style = scalar(original) if original else None
    y = format_float(value, kind="yaml", style_of=style)
    loaded = yaml.safe_load(f"v: {y}")["v"]
    assert isinstance(loaded, float) and loaded == value, y
    j = format_float(value, kind="json", style_of=style)
    assert json.loads(j) == value, j
    t = format_float(value, kind="toml", style_of=style)
    loaded = tomllib.loads(f"v = {t}")["v"]
    assert isinstance(loaded, float) and loaded == value, t
    assert float(format_float(value, kind="shell", style_of=style)) == value
