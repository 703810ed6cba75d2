"""The fix loop: splicing, selection, verification, the fixed-point loop, edit builders."""

from __future__ import annotations

import pytest
import yaml

from steplint.diagnostics import (
    Applicability,
    Diagnostic,
    Edit,
    Expectation,
    Fix,
    Mark,
    Severity,
    Span,
)
from steplint.documents.nodes import (
    Document,
    MappingNode,
    ScalarNode,
    SequenceNode,
    lookup,
    to_python,
)
from steplint.documents.edits import insert_key_edit, replace_value_edit, splice
from steplint.fixing import (
    FixWriteError,
    apply_fixes,
    reads_as,
    unified_diff,
    verify,
    write_fixes,
)

# ---------------------------------------------------------------------------------------
# A small YAML -> Document builder on PyYAML's composer, so the fixer is tested on its own
# whatever state the loaders are in. Aliases share the anchor's node, as in PyYAML.


def _mark(m) -> Mark:
    return Mark(m.line + 1, m.column + 1, m.index)


def _convert(node, text: str, constructor, memo: dict):
    if id(node) in memo:
        return memo[id(node)]
    span = Span(_mark(node.start_mark), _mark(node.end_mark))
    if isinstance(node, yaml.ScalarNode):
        out = ScalarNode(
            value=constructor.construct_object(node, deep=True),
            text=text[node.start_mark.index:node.end_mark.index],
            span=span,
            style=node.style or None,
            tag=node.tag,
        )
    elif isinstance(node, yaml.SequenceNode):
        out = SequenceNode(tuple(_convert(n, text, constructor, memo) for n in node.value), span, bool(node.flow_style))
    else:
        items = tuple((_convert(k, text, constructor, memo), _convert(v, text, constructor, memo)) for k, v in node.value)
        out = MappingNode(items, span, bool(node.flow_style))
    memo[id(node)] = out
    return out


def yaml_document(text: str, path: str = "cfg.yaml") -> Document:
    """`text` (BOM allowed) as a Document; a syntax error gives root None plus an SL001."""
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    newline = "\r\n" if "\r\n" in body else "\n"
    try:
        node = yaml.compose(body, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        diag = Diagnostic("SL001", "parse-error", Severity.ERROR, str(getattr(exc, "problem", exc)), path, line)
        return Document(path, body, "yaml", None, bom, newline, diagnostics=(diag,))
    root = _convert(node, body, yaml.constructor.SafeConstructor(), {}) if node is not None else None
    return Document(path, body, "yaml", root, bom, newline)


def reparse_yaml(path: str, text: str, old: Document) -> Document:
    doc = yaml_document(text, path)
    return Document(doc.path, doc.text, doc.kind, doc.root, old.bom, doc.newline, diagnostics=doc.diagnostics)


def diagnostic(fix: Fix, code: str = "SL301", file: str = "cfg.yaml") -> Diagnostic:
    return Diagnostic(code, "steplaw-recipe", Severity.WARNING, "min LR", file, fix=fix)


def set_fix(doc: Document, key: str, value, *, applicability=Applicability.SAFE) -> Fix:
    node = lookup(doc.root, key)
    return Fix(applicability, f"set {key}", (replace_value_edit(doc, node, value),), (Expectation(doc.path, key, value),))


NEMO = """\
# NeMo GPT config
model:
  optim:
    lr: 1.5e-3   # peak
    sched:
      name: CosineAnnealing
      min_lr: 1.5e-4  # 10% of peak
      warmup_steps: 2000
"""


# ---------------------------------------------------------------------------------------
# splicing and selection


def test_splice_applies_edits_last_first():
    edits = [Edit("f", 0, 1, "AA"), Edit("f", 2, 3, "CC"), Edit("f", 3, 3, "+")]
    assert splice("abc", edits) == "AAbCC+"


def test_safe_fix_changes_only_the_literal():
    doc = yaml_document(NEMO)
    result = apply_fixes([diagnostic(set_fix(doc, "model.optim.sched.min_lr", 1e-5))], {doc.path: doc}, reparse=reparse_yaml)
    assert result.texts == {doc.path: NEMO.replace("min_lr: 1.5e-4", "min_lr: 1.0e-5")}
    assert [a.diagnostic.code for a in result.applied] == ["SL301"]
    assert result.refused == () and result.converged
    assert yaml.safe_load(result.texts[doc.path])["model"]["optim"]["sched"]["min_lr"] == 1e-5


def test_unsafe_fix_needs_the_flag_and_is_counted_when_hidden():
    doc = yaml_document(NEMO)
    diag = diagnostic(set_fix(doc, "model.optim.lr", 1.1e-3, applicability=Applicability.UNSAFE), code="SL302")
    hidden = apply_fixes([diag], {doc.path: doc}, reparse=reparse_yaml)
    assert hidden.texts == {} and hidden.hidden_unsafe == 1
    shown = apply_fixes([diag], {doc.path: doc}, reparse=reparse_yaml, unsafe=True)
    assert "lr: 1.1e-3   # peak" in shown.texts[doc.path]


def test_overlapping_fix_waits_for_the_next_pass():
    doc = yaml_document(NEMO)
    first = diagnostic(set_fix(doc, "model.optim.sched.min_lr", 1e-5))
    second = diagnostic(set_fix(doc, "model.optim.sched.min_lr", 2e-5), code="SL999")
    once = apply_fixes([first, second], {doc.path: doc}, reparse=reparse_yaml)
    assert [a.diagnostic.code for a in once.applied] == ["SL301"]
    assert [r.diagnostic.code for r in once.refused] == ["SL999"]
    assert "run --fix again" in once.refused[0].reason


def test_relint_loops_to_a_fixed_point():
    doc = yaml_document(NEMO)
    calls = []

    def relint(documents):
        new_doc = documents[doc.path]
        text = new_doc.text
        calls.append(text)
        # a second rule that only fires once the floor is fixed (edits on the new offsets)
        if "min_lr: 1.0e-5" in text and "warmup_steps: 2000" in text:
            yield diagnostic(set_fix(new_doc, "model.optim.sched.warmup_steps", 1000), code="SL204")

    result = apply_fixes([diagnostic(set_fix(doc, "model.optim.sched.min_lr", 1e-5))], {doc.path: doc},
                         reparse=reparse_yaml, relint=relint)
    assert result.passes == 2 and result.converged
    assert [a.diagnostic.code for a in result.applied] == ["SL301", "SL204"]
    assert "warmup_steps: 1000\n" in result.texts[doc.path] and len(calls) == 2
    assert result.remaining == ()  # the last re-lint found nothing left


def test_a_rule_that_never_settles_hits_the_cap():
    doc = yaml_document(NEMO)

    def relint(documents):
        new_doc = documents[doc.path]
        value = 1e-5 if "min_lr: 2.0e-5" in new_doc.text else 2e-5
        yield diagnostic(set_fix(new_doc, "model.optim.sched.min_lr", value))

    result = apply_fixes([diagnostic(set_fix(doc, "model.optim.sched.min_lr", 2e-5))], {doc.path: doc},
                         reparse=reparse_yaml, relint=relint, max_passes=4)
    assert not result.converged and result.passes == 4
    assert "did not converge" in result.refused[-1].reason


def test_a_fix_already_in_place_is_silent():
    doc = yaml_document(NEMO.replace("1.5e-4", "1.0e-5"))
    result = apply_fixes([diagnostic(set_fix(doc, "model.optim.sched.min_lr", 1e-5))], {doc.path: doc}, reparse=reparse_yaml)
    assert result.texts == {} and result.applied == () and result.refused == ()


# ---------------------------------------------------------------------------------------
# verification refuses what the framework would read differently


def _raw_fix(doc: Document, key: str, replacement: str, value) -> Diagnostic:
    node = lookup(doc.root, key)
    edit = Edit(doc.path, node.span.start.offset, node.span.end.offset, replacement)
    return diagnostic(Fix(Applicability.SAFE, "raw", (edit,), (Expectation(doc.path, key, value),)))


def test_yaml_11_string_is_refused():
    doc = yaml_document(NEMO)
    result = apply_fixes([_raw_fix(doc, "model.optim.sched.min_lr", "1e-5", 1e-5)], {doc.path: doc}, reparse=reparse_yaml)
    assert result.texts == {}
    assert "reads as '1e-5' (str)" in result.refused[0].reason


def test_edit_breaking_the_syntax_is_refused():
    doc = yaml_document(NEMO)
    result = apply_fixes([_raw_fix(doc, "model.optim.sched.min_lr", "[1.0e-5", 1e-5)], {doc.path: doc}, reparse=reparse_yaml)
    assert result.texts == {} and "no longer parses" in result.refused[0].reason


def test_edit_changing_another_value_is_refused():
    doc = yaml_document(NEMO)
    node = lookup(doc.root, "model.optim.sched.min_lr")
    # the replacement also swallows the next key's value
    end = doc.text.index("2000") + 4
    edit = Edit(doc.path, node.span.start.offset, end, "1.0e-5\n      warmup_steps: 10")
    diag = diagnostic(Fix(Applicability.SAFE, "raw", (edit,), (Expectation(doc.path, "model.optim.sched.min_lr", 1e-5),)))
    result = apply_fixes([diag], {doc.path: doc}, reparse=reparse_yaml)
    assert result.texts == {} and "model.optim.sched.warmup_steps" in result.refused[0].reason


def test_editing_a_shared_anchor_is_refused():
    text = "defaults:\n  floor: &floor 1.5e-4\nsched:\n  min_lr: *floor\n"
    doc = yaml_document(text)
    diag = diagnostic(set_fix(doc, "sched.min_lr", 1e-5))
    result = apply_fixes([diag], {doc.path: doc}, reparse=reparse_yaml)
    assert result.texts == {} and "defaults.floor" in result.refused[0].reason


def test_a_failing_file_keeps_the_fixes_of_other_files_apart():
    good = yaml_document(NEMO, "good.yaml")
    bad = yaml_document(NEMO, "bad.yaml")
    node = lookup(bad.root, "model.optim.sched.min_lr")
    both = Fix(Applicability.SAFE, "both", (
        replace_value_edit(good, lookup(good.root, "model.optim.sched.min_lr"), 1e-5),
        Edit(bad.path, node.span.start.offset, node.span.end.offset, "1e-5"),
    ), (Expectation(good.path, "model.optim.sched.min_lr", 1e-5), Expectation(bad.path, "model.optim.sched.min_lr", 1e-5)))
    alone = set_fix(good, "model.optim.lr", 1.0e-3)
    result = apply_fixes([diagnostic(both), diagnostic(alone, code="SL302", file="good.yaml")],
                         {good.path: good, bad.path: bad}, reparse=reparse_yaml)
    # the two-file fix is all-or-nothing; the independent one still lands
    assert set(result.texts) == {"good.yaml"}
    assert "min_lr: 1.5e-4" in result.texts["good.yaml"] and "lr: 1.0e-3" in result.texts["good.yaml"]
    assert [r.fix.message for r in result.refused] == ["both"]


def test_a_reparse_crash_is_a_refusal_not_a_traceback():
    doc = yaml_document(NEMO)

    def broken(path, text, old):
        raise RuntimeError("loader bug")

    result = apply_fixes([diagnostic(set_fix(doc, "model.optim.sched.min_lr", 1e-5))], {doc.path: doc}, reparse=broken)
    assert result.texts == {} and "loader bug" in result.refused[0].reason


@pytest.mark.parametrize(
    "actual, expected, ok",
    [(1e-5, 1e-5, True), ("1e-5", 1e-5, False), (1, 1.0, False), (True, 1, False), (512, 512, True),
     (512.0, 512, False), ("cosine", "cosine", True), (None, None, True), (1.0000000001e-5, 1e-5, True)],
)
def test_reads_as_compares_value_and_kind(actual, expected, ok):
    assert reads_as(actual, expected) is ok


def test_verify_names_a_missing_key():
    doc = yaml_document(NEMO)
    assert "is missing" in verify(doc, doc, [Expectation(doc.path, "model.optim.sched.nope", 1e-5)])


# ---------------------------------------------------------------------------------------
# edit builders


def _insert(text: str, mapping_key: str, key="min_lr", value="1.0e-5") -> tuple[str, Document]:
    doc = yaml_document(text)
    mapping = lookup(doc.root, mapping_key) if mapping_key else doc.root
    new_text = splice(doc.text, [insert_key_edit(doc, mapping, key, value)])
    new = yaml_document(new_text)
    expected = to_python(doc.root)
    target = expected
    for part in filter(None, mapping_key.split(".")):
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[key] = yaml.safe_load(value)
    assert to_python(new.root) == expected, new_text
    return new_text, new


def test_insert_into_block_mapping_beside_siblings():
    text = (
        "args:\n  lr_scheduler_type: cosine_with_min_lr\n  lr_scheduler_kwargs:\n"
        "    num_cycles: 0.5  # half\n  # later\nnext: 1\n"
    )
    new_text, _ = _insert(text, "args.lr_scheduler_kwargs")
    assert new_text == text.replace("0.5  # half\n", "0.5  # half\n    min_lr: 1.0e-5\n")


def test_insert_after_a_nested_block_goes_after_its_last_line():
    text = "a:\n  b:\n    c: 1\n\n  # comment about d\nd: 2\n"
    new_text, _ = _insert(text, "a")
    assert new_text == "a:\n  b:\n    c: 1\n  min_lr: 1.0e-5\n\n  # comment about d\nd: 2\n"


def test_insert_keeps_crlf_and_a_missing_final_newline():
    text = "sched:\r\n  name: cosine\r\n  warmup: 10"
    new_text, _ = _insert(text, "sched")
    assert new_text == "sched:\r\n  name: cosine\r\n  warmup: 10\r\n  min_lr: 1.0e-5"


def test_insert_after_a_block_scalar():
    text = "s:\n  note: |\n    two\n    lines\nt: 1\n"
    new_text, _ = _insert(text, "s")
    assert new_text == "s:\n  note: |\n    two\n    lines\n  min_lr: 1.0e-5\nt: 1\n"


def test_insert_into_sequence_item_mapping_aligns_with_the_first_key():
    text = "groups:\n- name: a\n"
    new_text, _ = _insert(text, "groups.0")
    assert new_text == "groups:\n- name: a\n  min_lr: 1.0e-5\n"


def test_insert_into_one_line_flow_mapping():
    text = "kw: {num_cycles: 0.5}  # c\n"
    new_text, _ = _insert(text, "kw")
    assert new_text == "kw: {num_cycles: 0.5, min_lr: 1.0e-5}  # c\n"


def test_insert_into_empty_flow_mapping():
    new_text, _ = _insert("kw: {}\n", "kw")
    assert new_text == "kw: {min_lr: 1.0e-5}\n"


def test_insert_into_multiline_flow_keeps_trailing_comma_and_quotes():
    text = '{\n  "lr": 0.0003,\n  "warmup": 0.01,   # c\n}\n'
    new_text, _ = _insert(text, "")
    assert new_text == '{\n  "lr": 0.0003,\n  "warmup": 0.01,   # c\n  "min_lr": 1.0e-5,\n}\n'


def test_insert_into_multiline_flow_adds_the_comma():
    text = '{\n  "lr": 0.0003,\n  "warmup": 0.01  # c\n}\n'
    new_text, _ = _insert(text, "")
    assert new_text == '{\n  "lr": 0.0003,\n  "warmup": 0.01,  # c\n  "min_lr": 1.0e-5\n}\n'


def test_insert_into_empty_block_mapping_is_refused():
    doc = yaml_document("a: 1\n")
    with pytest.raises(ValueError):
        insert_key_edit(doc, MappingNode((), doc.root.span), "min_lr", "1.0e-5")


def test_replace_value_edit_positions_and_style():
    doc = yaml_document("x: 1\nmin_lr: 0.00003  # c\n")
    edit = replace_value_edit(doc, lookup(doc.root, "min_lr"), 1e-5)
    assert (edit.replacement, edit.line, edit.column, edit.end_line, edit.end_column) == ("0.00001", 2, 9, 2, 16)


# ---------------------------------------------------------------------------------------
# output edges


def test_unified_diff_marks_a_missing_final_newline():
    diff = unified_diff("c.yaml", "a: 1\nb: 2", "a: 1\nb: 3")
    assert diff.splitlines() == [
        "--- c.yaml", "+++ c.yaml", "@@ -1,2 +1,2 @@", " a: 1", "-b: 2", "\\ No newline at end of file", "+b: 3",
        "\\ No newline at end of file",
    ]
    assert unified_diff("c.yaml", "same", "same") == ""


def test_write_fixes_writes_changed_files_with_their_bom(tmp_path):
    path = tmp_path / "cfg.yaml"
    path.write_bytes(("\ufeff" + NEMO.replace("\n", "\r\n")).encode())
    doc = yaml_document(path.read_bytes().decode(), str(path))
    assert doc.bom and doc.newline == "\r\n"
    result = apply_fixes([diagnostic(set_fix(doc, "model.optim.sched.min_lr", 1e-5), file=str(path))],
                         {doc.path: doc}, reparse=reparse_yaml)
    assert write_fixes(result) == [str(path)]
    expected = "\ufeff" + NEMO.replace("1.5e-4", "1.0e-5").replace("\n", "\r\n")
    assert path.read_bytes() == expected.encode()


def test_an_anchor_nobody_aliases_is_kept_on_edit():
    text = "sched:\n  min_lr: &floor 1.5e-4  # c\n"
    doc = yaml_document(text)
    result = apply_fixes([diagnostic(set_fix(doc, "sched.min_lr", 1e-5))], {doc.path: doc}, reparse=reparse_yaml)
    assert result.texts == {doc.path: "sched:\n  min_lr: &floor 1.0e-5  # c\n"}


def test_a_launch_script_argument_is_verified_as_argparse_reads_it():
    """Shell words are text; Megatron's argparse turns `--min-lr` into a float, so the
    fixer compares what `float()` makes of the new word (the value came through a variable
    here: the span, and so the edit, is the assignment)."""
    shell = pytest.importorskip("steplint.documents.load")
    text = "#!/bin/bash\nMIN_LR=3.0e-5  # peak/10\npython pretrain_gpt.py --lr 3.0e-4 --min-lr $MIN_LR\n"
    doc = shell.load_document("pretrain.sh", text=text)
    node = lookup(doc.root, "--min-lr")
    if node is None or node.text != "3.0e-5":
        pytest.skip("the shell loader does not map --min-lr to its assignment")
    result = apply_fixes([diagnostic(set_fix(doc, "--min-lr", 1e-5), file=doc.path)], {doc.path: doc})
    assert result.texts == {doc.path: text.replace("MIN_LR=3.0e-5", "MIN_LR=1.0e-5")}
    refused = apply_fixes([_raw_fix(doc, "--min-lr", "1e-5x", 1e-5)], {doc.path: doc})
    assert refused.texts == {} and "reads as '1e-5x'" in refused.refused[0].reason


def test_a_write_failure_names_the_file_in_one_line(tmp_path):
    path = tmp_path / "cfg.yaml"
    path.write_text(NEMO)
    path.chmod(0o444)
    doc = yaml_document(NEMO, str(path))
    result = apply_fixes([diagnostic(set_fix(doc, "model.optim.sched.min_lr", 1e-5))], {doc.path: doc}, reparse=reparse_yaml)
    with pytest.raises(FixWriteError) as caught:
        write_fixes(result)
    assert str(caught.value) == f"{path}: cannot write the fixed file: the file is read-only (the file is unchanged)"
    assert path.read_text() == NEMO


def _toml(text: str) -> Document:
    load = pytest.importorskip("steplint.documents.load")
    return load.load_document("train.toml", text=text)


def test_toml_insert_stays_in_its_table_before_sub_tables():
    doc = _toml("[optimizer]\nlr = 3e-4  # peak\n\n[optimizer.sched]\nname = \"cosine\"\n")
    edit = insert_key_edit(doc, lookup(doc.root, "optimizer"), "min_lr", "1e-5")
    assert splice(doc.text, [edit]) == "[optimizer]\nlr = 3e-4  # peak\nmin_lr = 1e-5\n\n[optimizer.sched]\nname = \"cosine\"\n"


def test_toml_table_of_only_sub_tables_is_refused():
    doc = _toml("[optimizer.sched]\nname = \"cosine\"\n")
    with pytest.raises(ValueError):
        insert_key_edit(doc, lookup(doc.root, "optimizer"), "min_lr", "1e-5")


def test_json_insert_after_a_nested_object_goes_after_its_brace():
    load = pytest.importorskip("steplint.documents.load")
    doc = load.load_document("ds.json", text='{\n  "a": {\n    "b": 1\n  }\n}\n')
    edit = insert_key_edit(doc, doc.root, "min_lr", "1e-5")
    assert splice(doc.text, [edit]) == '{\n  "a": {\n    "b": 1\n  },\n  "min_lr": 1e-5\n}\n'


def test_two_findings_with_the_same_edit_are_both_fixed_by_it():
    doc = yaml_document(NEMO)
    fix = set_fix(doc, "model.optim.sched.min_lr", 1e-5)
    result = apply_fixes([diagnostic(fix), diagnostic(fix, code="SL202")], {doc.path: doc}, reparse=reparse_yaml)
    assert [a.diagnostic.code for a in result.applied] == ["SL301", "SL202"]
    assert result.texts[doc.path].count("1.0e-5") == 1 and result.refused == ()


def test_a_fix_that_adds_a_duplicate_key_is_refused():
    load = pytest.importorskip("steplint.documents.load")
    text = "sched:\n  min_lr: 1.0e-5\n  name: cosine\n"
    doc = load.load_document("cfg.yaml", text=text)
    edit = insert_key_edit(doc, lookup(doc.root, "sched"), "min_lr", "1.0e-5")
    fix = Fix(Applicability.SAFE, "dup", (edit,), (Expectation(doc.path, "sched.min_lr", 1e-5),))
    result = apply_fixes([diagnostic(fix)], {doc.path: doc})
    assert result.texts == {} and "new SL002 finding" in result.refused[0].reason


def test_a_floor_inherited_through_a_merge_key_is_not_edited_behind_other_users():
    load = pytest.importorskip("steplint.documents.load")
    text = "base: &base\n  min_lr: 3.0e-5\nsmall:\n  <<: *base\n  lr: 1.0e-3\nlarge:\n  <<: *base\n"
    doc = load.load_document("cfg.yaml", text=text)
    result = apply_fixes([diagnostic(set_fix(doc, "small.min_lr", 1e-5))], {doc.path: doc})
    assert result.texts == {} and "would also change" in result.refused[0].reason


# ---------------------------------------------------------------------------------------
# every fix the rules offer on the real corpus configs


def _corpus_copy(tmp_path):
    import shutil

    from conftest import shared_path

    src = shared_path("corpus")
    dst = tmp_path / "corpus"
    shutil.copytree(src, dst)
    for path in dst.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)  # the shared corpus is read-only
    suffixes = {".yaml", ".yml", ".json", ".toml", ".sh", ".bash", ".slurm"}
    return sorted(str(p) for p in dst.rglob("*") if p.suffix in suffixes and p.name != "expected.json")


def _lint_and_fix(files, *, unsafe: bool):
    from steplint.engine import lint
    from steplint.rules.registry import all_rules
    from steplint.selection import Selection
    from steplint.settings import Settings

    settings = Settings()
    results = []
    for outcome in lint(files, settings, Selection.from_settings(settings, all_rules())):
        if any(d.fix for d in outcome.diagnostics):
            results.append(apply_fixes(outcome.diagnostics, outcome.documents, unsafe=unsafe))
    return results


def _plain_load(path: str, text: str):
    """The framework-side reading, independent of steplint's loaders: PyYAML for YAML,
    json for strict JSON, tomllib for TOML (None where no such oracle applies)."""
    import json

    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    if path.endswith((".yaml", ".yml")):
        return yaml.safe_load(text)
    if path.endswith(".toml"):
        return tomllib.loads(text)
    if path.endswith(".json"):
        try:
            return json.loads(text)
        except ValueError:
            return None  # a lenient (hjson-style) file
    return None


@pytest.mark.corpus
def test_safe_fixes_on_the_corpus_are_verified_and_idempotent(tmp_path):
    files = _corpus_copy(tmp_path)
    originals = {f: open(f, encoding="utf-8-sig").read() for f in files}
    first = _lint_and_fix(files, unsafe=False)
    assert [r.reason for res in first for r in res.refused] == []
    applied = [a for res in first for a in res.applied]
    assert applied, "the corpus has no safe fix: nothing was exercised"
    for res in first:
        for path, text in res.texts.items():
            before, after = _plain_load(path, originals[path]), _plain_load(path, text)
            if before is None:
                continue
            keys = {x.key for a in res.applied for x in a.fix.expect if x.file == path}
            assert keys, f"{path}: changed without an expectation"
            for key in keys:  # outside the expected keys, the framework reads the same tree
                parts = key.split(".")
                node_b, node_a = before, after
                for part in parts[:-1]:
                    node_b, node_a = node_b[part], node_a[part]
                node_b.pop(parts[-1], None)
                value = node_a.pop(parts[-1])
                assert reads_as(value, next(x.value for a in res.applied for x in a.fix.expect if x.key == key))
            assert before == after, path
        write_fixes(res)
    again = _lint_and_fix(files, unsafe=False)
    assert [(a.diagnostic.code, a.diagnostic.file) for res in again for a in res.applied] == []
