"""YAML: PyYAML's values, exact spans, caps, tags, duplicates, merges, comments."""

import datetime
import time

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import FIXTURES
from steplint.documents import yaml_convert, yaml_loader
from steplint.documents.load import load_document
from steplint.documents.nodes import MappingNode, ScalarNode, SequenceNode, lookup, to_python, walk
from steplint.documents.yaml_loader import parse_yaml

DOCS = FIXTURES / "documents"


def load(text):
    return load_document("t.yaml", text=text)


def at(node):
    return node.span.start.line, node.span.start.column


def test_fixture_values_and_positions():
    doc = load_document(str(DOCS / "recipe.yaml"))
    assert doc.diagnostics == ()
    assert to_python(doc.root) == yaml.safe_load(doc.text)
    assert at(lookup(doc.root, "model.hidden_size")) == (8, 16)
    assert at(lookup(doc.root, "optim.lr")) == (12, 7)
    assert lookup(doc.root, "optim.min_lr").value == "1e-5"  # YAML 1.1: a string
    assert lookup(doc.root, "optim.lr").value == 3e-4
    assert at(lookup(doc.root, "optim.betas.1")) == (14, 16)
    # merged from the anchor: the span is where the value is written
    assert lookup(doc.root, "model.seq_length").value == 4096
    assert at(lookup(doc.root, "model.seq_length")) == (3, 15)


def test_scalar_text_is_the_exact_source_slice():
    doc = load_document(str(DOCS / "recipe.yaml"))
    for _, node in walk(doc.root):
        if isinstance(node, ScalarNode):
            assert doc.text[node.span.start.offset:node.span.end.offset] == node.text
    note = lookup(doc.root, "model.note")
    assert note.style == '"' and note.text.startswith('"')
    assert lookup(doc.root, "optim.schedule").style == "|"
    assert lookup(doc.root, "optim.lr").style is None


def test_comments_skip_quoted_and_block_scalars():
    doc = load_document(str(DOCS / "recipe.yaml"))
    found = [(c.line, c.column, c.own_line, c.text) for c in doc.comments]
    assert found == [
        (1, 1, True, " A small Megatron-style recipe: positions below are asserted by tests/documents."),
        (8, 22, False, " steplint: ignore[SL601]"),
    ]


def test_comment_on_a_block_scalar_header_is_kept():
    doc = load("a: |  # header comment\n  # body text\nb: 1 # tail\n")
    assert [(c.line, c.text) for c in doc.comments] == [(1, " header comment"), (3, " tail")]
    assert lookup(doc.root, "a").value == "# body text\n"


@pytest.mark.parametrize(
    "text, value",
    [
        ("1e-4", "1e-4"), ("1.0e-4", 1e-4), ("1.0e5", "1.0e5"), ("1.0e+5", 1e5), ("1_000", 1000),
        ("010", 8), ("0x1F", 31), ("yes", True), ("off", False), ("~", None), (".inf", float("inf")),
        ("'3'", "3"), ("1:30", 90), ("2001-12-14", datetime.date(2001, 12, 14)),
    ],
)
def test_values_resolve_like_safe_load(text, value):
    node = load(f"v: {text}\n").root.get("v")
    assert node.value == value and type(node.value) is type(value)
    assert yaml.safe_load(f"v: {text}\n")["v"] == value


def test_tags_are_short_and_explicit_standard_tags_work():
    node = load("v: !!float 1e-4\n").root.get("v")
    assert node.value == 1e-4 and node.tag == "tag:yaml.org,2002:float"


def test_unreadable_explicit_tag_value_is_sl001():
    d = load("v: !!int abc\n").diagnostics
    assert [(x.code, x.line, x.column) for x in d] == [("SL001", 1, 4)]


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['x']", "!!python/tuple [1]",
                                 "!!python/name:os.system", "!<tag:yaml.org,2002:python/object:os.X> {}"])
def test_object_constructing_tags_are_refused(tag):
    doc = load(f"a: 1\nlr: {tag}\n")
    assert doc.root is None
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("SL001", 2, 5)]
    assert "refusing the tag" in doc.diagnostics[0].message


@pytest.mark.parametrize("text, key, value, tag", [
    ("base: !include other.yaml\nlr: 1.0e-4\n", "base", "other.yaml", "!include"),
    ("lr: !ref <base_lr>\nx: 1\n", "lr", "<base_lr>", "!ref"),
    ("a: !foo 12\nlr: 1.0e-4\n", "a", "12", "!foo"),  # a local tag: text, never an int
    ("a: !<tag:example.com,2026:x> y\nlr: 1.0e-4\n", "a", "y", "tag:example.com,2026:x"),
])
def test_application_tags_are_opaque_values_and_the_file_is_read_on(text, key, value, tag):
    """Issue 13 item 4: a custom tag is no reason to drop the rest of the file."""
    doc = load(text)
    assert doc.diagnostics == () and doc.root is not None
    node = doc.root.get(key)
    assert node.value == value and node.tag == tag
    assert doc.root.keys()[-1] in ("lr", "x")


def test_a_tagged_mapping_keeps_its_items_and_notes_the_tag():
    doc = load("opt: !new:torch.optim.Adam\n  lr: 1.0e-3\n  betas: [0.9, 0.95]\nsteps: 10\n")
    opt = doc.root.get("opt")
    assert opt.tag == "!new:torch.optim.Adam" and opt.get("lr").value == 1e-3
    assert doc.root.get("steps").value == 10 and not doc.diagnostics
    seq = load("e: !apply:math.sqrt [4]\n").root.get("e")
    assert seq.tag == "!apply:math.sqrt" and seq.items[0].value == 4


def test_a_real_hyperpyyaml_file_is_read_whole():
    from conftest import FIXTURES

    path = FIXTURES / "documents" / "hyperpyyaml_lm.yaml"
    from steplint.documents.load import load_document

    doc = load_document(str(path))
    assert not doc.diagnostics, doc.diagnostics
    assert doc.root.get("lr").value == 10 and doc.root.get("num_layers").value == 12
    assert doc.root.get("model").tag.startswith("!new:") and doc.root.get("model").get("nhead").value == 12
    assert doc.root.get("optimizer").get("lr").tag == "!ref"


def test_the_value_cap_is_checked_before_composing():
    from steplint.documents.yaml_loader import MAX_VALUES

    big = "data: [" + ",".join(["1"] * (MAX_VALUES + 10)) + "]\n"
    doc = load(big)
    assert doc.root is None
    (d,) = doc.diagnostics
    assert d.code == "SL001" and f"{MAX_VALUES:,} values" in d.message and d.line == 1
    fine = "data: [" + ",".join(["1"] * (MAX_VALUES - 10)) + "]\n"
    assert load(fine).root is not None


def test_duplicate_keys_keep_both_pairs_and_name_the_first_line():
    doc = load("lr: 1\nx: 0\nlr: 2\n")
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("SL002", 3, 1)]
    assert "line 1" in doc.diagnostics[0].message
    assert doc.diagnostics[0].related[0].line == 1
    assert [k.value for k, _ in doc.root.items] == ["lr", "x", "lr"]
    assert doc.root.get("lr").value == 1 and [n.value for n in doc.root.all("lr")] == [1, 2]


def test_merges_pyyaml_versions_agree_on_are_read_like_pyyaml():
    # No key given by two merged mappings: PyYAML 6.0.3 and 6.0.4 read these alike.
    text = (
        "a: &a {x: 1, y: 1}\n"
        "b: &b {z: 2, w: 2}\n"
        "c:\n  <<: [*a, *b]\n  y: 3\n"
        "d:\n  <<: *a\n  x: 4\n"
    )
    doc = load(text)
    assert doc.diagnostics == ()
    assert to_python(doc.root) == yaml.safe_load(text)
    assert lookup(doc.root, "c.y").value == 3 and lookup(doc.root, "c.x").value == 1
    assert lookup(doc.root, "d.x").value == 4


def test_a_repeated_merge_key_is_sl002_naming_both_lines():
    # PyYAML 6.0.3 lets the last `<<` win; 6.0.4 lets the first win for one-letter keys
    # (yaml/pyyaml#953): the loader reports instead of picking one.
    doc = load("a: &a {kk: 1}\nb: &b {zz: 2}\nc:\n  <<: *a\n  <<: *b\n")
    [d] = doc.diagnostics
    assert (d.code, d.line, d.column) == ("SL002", 5, 3)
    assert "first on line 4" in d.message and "PyYAML versions disagree" in d.message
    assert "`<<: [*a, *b]`" in d.message and "set" not in d.message.split("`<<: [*a, *b]`")[1]
    assert [(r.line, r.column) for r in d.related] == [(4, 3)]
    assert to_python(doc.root)["c"] == {"kk": 1, "zz": 2}


def test_a_repeated_merge_key_with_a_shared_key_also_names_it():
    doc = load("a: &a {kk: 1}\nb: &b {kk: 2}\nc: {<<: *a, <<: *b}\n")
    [d] = doc.diagnostics
    assert (d.code, d.line) == ("SL002", 3)
    assert "`<<: [*a, *b]`, and set 'kk' here" in d.message
    assert lookup(doc.root, "c.kk").value == 1  # read as the list it should be: the first wins


def test_merged_mappings_that_disagree_are_sl002():
    # `<<: [*a, *b]` with `kk` in both: 6.0.3 gives 1 (the first), 6.0.4 gives 2.
    doc = load("a: &a {kk: 1, x: 0}\nb: &b {kk: 2, x: 0}\nc:\n  <<: [*a, *b]\n")
    [d] = doc.diagnostics
    assert (d.code, d.line, d.column) == ("SL002", 4, 3)
    assert "disagree on 'kk' (lines 1 and 2)" in d.message and "6.0.4" in d.message
    assert [(r.line, r.column) for r in d.related] == [(2, 12)]
    assert lookup(doc.root, "c.kk").value == 1  # the YAML merge spec: the first mapping wins


def test_a_key_set_beside_the_merge_settles_the_disagreement():
    text = "a: &a {kk: 1}\nb: &b {kk: 2}\nc:\n  <<: [*a, *b]\n  kk: 3\n"
    doc = load(text)
    assert doc.diagnostics == ()
    assert to_python(doc.root) == yaml.safe_load(text)


def test_merge_of_a_scalar_is_sl001():
    doc = load("a: 1\nb:\n  <<: 3\n")
    assert [(d.code, d.line) for d in doc.diagnostics] == [("SL001", 3)]


def test_complex_key_is_sl001():
    doc = load("? [a, b]\n: 1\n")
    assert [d.code for d in doc.diagnostics] == ["SL001"]


def test_second_document_is_reported_and_the_first_is_read():
    doc = load("a: 1\n---\nb: 2\n")
    assert to_python(doc.root) == {"a": 1}
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("SL001", 2, 1)]


def test_explicit_start_single_document_is_fine():
    doc = load("---\na: 1\n...\n")
    assert doc.diagnostics == () and to_python(doc.root) == {"a": 1}


def test_alias_cycle_is_sl001():
    doc = load("a: &x [1, *x]\n")
    assert [d.code for d in doc.diagnostics] == ["SL001"] and "cycle" in doc.diagnostics[0].message


def test_aliases_share_one_converted_node():
    doc = load("a: &x {k: 1}\nb: *x\n")
    assert doc.root.get("a") is doc.root.get("b")


def test_alias_cap_allows_modest_reuse(monkeypatch):
    monkeypatch.setattr(yaml_convert, "MAX_ALIAS_NODES", 10)  # the converter counts
    assert load("a: &x [1, 2, 3]\nb: [*x, *x]\n").diagnostics == ()
    capped = load("a: &x [1, 2, 3]\nb: [*x, *x, *x, *x]\n")
    assert [d.code for d in capped.diagnostics] == ["SL001"] and "alias" in capped.diagnostics[0].message


def test_block_nesting_cap(monkeypatch):
    monkeypatch.setattr(yaml_convert, "MAX_DEPTH", 5)  # the converter enforces it exactly
    text = "".join("  " * i + f"k{i}:\n" for i in range(8)) + "  " * 8 + "v\n"
    doc = load(text)
    assert [(d.code, d.line) for d in doc.diagnostics] == [("SL001", 6)]


def test_pure_python_fallback_gives_the_same_tree_and_one_notice(monkeypatch, capsys):
    monkeypatch.delattr(yaml, "CSafeLoader")
    monkeypatch.setattr(yaml_loader, "_notice_given", False)
    text = (DOCS / "recipe.yaml").read_text()
    slow = parse_yaml("r.yaml", text)
    parse_yaml("r.yaml", text)
    monkeypatch.undo()
    fast = parse_yaml("r.yaml", text)
    assert slow == fast
    assert capsys.readouterr().err.count("libyaml") == 1


def test_pure_python_fallback_survives_deep_block_nesting(monkeypatch, capsys):
    monkeypatch.delattr(yaml, "CSafeLoader")
    text = "".join(" " * i + "k:\n" for i in range(2000)) + " " * 2000 + "v\n"
    parsed = parse_yaml("deep.yaml", text)
    assert parsed.root is None and [d.code for d in parsed.diagnostics] == ["SL001"]


def test_collections_keep_flow_style_and_spans():
    doc = load("a: [1, 2]\nb:\n  - 3\nc: {d: 4}\n")
    a, b, c = (doc.root.get(k) for k in "abc")
    assert isinstance(a, SequenceNode) and a.flow and at(a) == (1, 4)
    assert isinstance(b, SequenceNode) and not b.flow and at(b) == (3, 3)
    assert isinstance(c, MappingNode) and c.flow


def test_scalar_root_and_null_document():
    assert load("just text\n").root.value == "just text"
    assert load("~\n").root.value is None
    assert load("# only a comment\n").root is None


def test_compact_block_nesting_is_refused_before_libyaml_recurses():
    # libyaml's composer crashes the interpreter near 100,000 levels of `- - - x`
    doc = load("k: v\n" + "- " * 100_000 + "x\n")
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("SL001", 2, 401)]
    assert load("- " * 150 + "x\n").diagnostics == ()
    # the line need not be the first nor the last, and a blank may be a tab or several
    doc = load("a: 1\nb:\n" + "-\t" * 120 + "-   " * 100 + "x\nc: 2\n")
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("SL001", 3, 561)]


@given(st.text("ab\n", max_size=40), st.integers(1, 12))
def test_long_line_search_matches_splitting_at_newlines(text, length):
    assert yaml_loader._has_line_of(text, length) == (max(map(len, text.split("\n"))) >= length)


def test_base60_integers_are_read_but_not_computed_without_bound(monkeypatch):
    assert load("t: 1:30:00\n").root.get("t").value == 5400
    # PyYAML's base-60 reader is never handed the 200,000-part text (it would compute 60**200000)
    asked: list = []
    real = yaml.constructor.SafeConstructor.construct_yaml_int
    monkeypatch.setattr(yaml.constructor.SafeConstructor, "construct_yaml_int",
                        lambda self, node: asked.append(node.value.count(":")) or real(self, node))
    started = time.process_time()
    doc = load("t: 1" + ":00" * 200_000 + "\n")
    # CPU time, not wall time (a loaded machine stretches wall time, not this): reading the
    # 600 KB text bounded takes ~0.15 s; computing the value is quadratic, ~9 s on the same machine
    assert time.process_time() - started < 2.0
    assert all(parts <= 1000 for parts in asked), asked
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("SL001", 1, 4)]
    assert len(doc.diagnostics[0].message) < 120


def test_messages_stay_one_short_line_for_huge_keys():
    key = "k" * 5000
    doc = load(f"? {key}\n: 1\n? {key}\n: 2\n")
    assert [d.code for d in doc.diagnostics] == ["SL002"] and len(doc.diagnostics[0].message) < 160


def test_integer_too_large_to_print_is_sl001():
    doc = load("a: 0x" + "f" * 5000 + "\n")
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("SL001", 1, 4)]
    assert load("a: 0x" + "f" * 100 + "\n").root.get("a").value == 16**100 - 1
