"""Property tests: what yaml.safe_dump / json.dumps / a TOML writer produce loads back to the
same data, and every scalar's span slices out exactly its text."""

import json
import math
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

import yaml

from steplint.documents.json_loader import parse_json
from steplint.documents.load import load_document
from steplint.documents.nodes import MappingNode, ScalarNode, to_python, walk

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

# printable text without surrogates or DEL, which TOML strings cannot hold raw
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x7f"), max_size=12)
KEYS = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x7f"), min_size=1, max_size=8)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
INTS = st.integers(min_value=-(2**63), max_value=2**63 - 1)
SCALARS = st.one_of(st.booleans(), INTS, FLOATS, TEXT)


def _tree(scalars):
    return st.recursive(
        st.dictionaries(KEYS, scalars, max_size=5),
        lambda inner: st.dictionaries(KEYS, st.one_of(scalars, inner, st.lists(scalars, max_size=4)), max_size=5),
        max_leaves=25,
    )


def assert_spans(text, root):
    for _, node in walk(root):
        if isinstance(node, ScalarNode):
            assert text[node.span.start.offset:node.span.end.offset] == node.text
        if isinstance(node, MappingNode):
            for key, _ in node.items:
                assert text[key.span.start.offset:key.span.end.offset] == key.text


@settings(max_examples=150, deadline=None)
@given(_tree(st.one_of(SCALARS, st.none())), st.booleans())
def test_yaml_round_trip(data, flow):
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    doc = load_document("p.yaml", text=text)
    assert doc.diagnostics == ()
    assert to_python(doc.root) == yaml.safe_load(text)  # not always `data`: PyYAML folds \x85 and the like
    assert_spans(doc.text, doc.root)


@settings(max_examples=150, deadline=None)
@given(_tree(st.one_of(SCALARS, st.none())), st.sampled_from([None, 0, 2]), st.booleans())
def test_json_round_trip(data, indent, ascii_only):
    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only)
    parsed = parse_json("p.json", text, lenient=False)
    assert parsed.diagnostics == ()
    assert to_python(parsed.root) == json.loads(text) == data
    assert_spans(text, parsed.root)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}[]",:0123456789.eE+- \n\tnulltruefalseNaInfiy\\u/#*ab', max_size=30))
def test_strict_json_accepts_exactly_what_json_loads_accepts(text):
    try:
        expected = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        expected = None
        accepted = False
    else:
        accepted = True
    parsed = parse_json("p.json", text, lenient=False)
    fatal = any(d.code == "SL001" for d in parsed.diagnostics)
    if not text.strip(" \t\r\n"):
        assert parsed.root is None and not fatal  # empty: no config, no error (json.loads refuses)
        return
    assert accepted != fatal, parsed.diagnostics
    if accepted:
        got = to_python(parsed.root)
        assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True) or (
            isinstance(expected, float) and math.isnan(expected) and math.isnan(got)
        )


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


def _toml(data, path=()):
    """A TOML writer: scalars and lists as key = value, nested dicts as [tables]."""
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{json.dumps(key, ensure_ascii=False)} = {_toml_value(value)}  # c")
    out = ""
    if path and (lines or not tables):
        out += "[" + ".".join(json.dumps(k, ensure_ascii=False) for k in path) + "]\n"
    out += "".join(line + "\n" for line in lines)
    for key, value in tables:
        out += _toml(value, path + (key,))
    return out


@settings(max_examples=150, deadline=None)
@given(_tree(SCALARS))
def test_toml_round_trip(data):
    text = _toml(data)
    doc = load_document("p.toml", text=text)
    assert doc.diagnostics == ()
    assert to_python(doc.root) == tomllib.loads(text) == data or (not data and doc.root is None)
    if doc.root is not None:
        assert_spans(text, doc.root)


FUZZ_ALPHABET = st.sampled_from(
    list("abk019.-+eE_:#,[]{}\"'\\!&*<>|~?=@%` \t\r\n\x00\x85\u2028\ufeffé")
    + ["- ", ": ", "<<: ", "&a ", "*a", "!!int ", "!!python/object ", "---\n", "0x", "1e-4", "NaN", "true",
       "[[a]]\n", "[a]\n", "/*", "//", "'''", '"""', "\\u00e9"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(FUZZ_ALPHABET, max_size=40), st.sampled_from(["f.yaml", "f.json", "f.toml"]))
def test_any_text_loads_without_raising(pieces, name):
    text = "".join(pieces)
    doc = load_document(name, text=text)
    for d in doc.diagnostics:
        assert d.line >= 1 and d.column >= 1 and "\n" not in d.message
    if doc.root is not None:
        for _, node in walk(doc.root):
            assert 0 <= node.span.start.offset <= node.span.end.offset <= len(doc.text)
    for comment in doc.comments:
        assert comment.line >= 1 and comment.column >= 1
