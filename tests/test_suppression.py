from steplint.diagnostics import Diagnostic, Severity
from steplint.documents.load import load_document
from steplint.suppression import apply, directives

YAML = """\
optim:
  lr: 6.0e-3  # steplint: ignore[SL302]
  # steplint: ignore[steplaw-recipe]
  # another comment
  min_lr: 3.0e-5
  beta2: 0.999  # steplint: ignore[SL501, SL999]
# steplint: ignore-file[SL005]
"""


def _d(code, name, line, file="c.yaml"):
    return Diagnostic(code, name, Severity.WARNING, "m", file, line, 3)


def _apply(found, diags, runs=lambda s: True):
    return apply(diags, found, "c.yaml", known=lambda s: s.upper() != "SL999", runs=runs)


def test_directive_targets():
    found = directives(load_document("c.yaml", text=YAML))
    assert [(d.selectors, d.line, d.target) for d in found] == [
        (("SL302",), 2, 2),
        (("steplaw-recipe",), 3, 5),  # own line: the next line that is not a comment
        (("SL501", "SL999"), 6, 6),
        (("SL005",), 7, None),
    ]


def test_suppresses_on_the_line_and_from_the_line_above_and_the_file():
    found = directives(load_document("c.yaml", text=YAML))
    kept, unused = _apply(found, [_d("SL302", "steplaw-lr", 2), _d("SL301", "steplaw-recipe", 5),
                                  _d("SL005", "missing-fact", 1), _d("SL302", "steplaw-lr", 5)])
    assert [(d.code, d.line) for d in kept] == [("SL302", 5)]
    # SL501 suppressed nothing; SL999 names no rule
    assert [(d.code, d.line, d.column) for d in unused] == [("SL008", 6, 17), ("SL008", 6, 17)]
    assert "SL501" in unused[0].message and "names no rule" in unused[1].message


def test_no_unused_report_for_a_rule_that_did_not_run():
    found = directives(load_document("c.yaml", text=YAML))
    _, unused = _apply(found, [_d("SL302", "steplaw-lr", 2), _d("SL301", "steplaw-recipe", 5), _d("SL005", "missing-fact", 1)],
                       runs=lambda s: s != "SL501")
    assert [d.message for d in unused] == ["`steplint: ignore[SL999]` names no rule"]


def test_parse_errors_cannot_be_suppressed():
    found = directives(load_document("c.yaml", text="a: 1  # steplint: ignore[SL001]\n"))
    kept, _ = _apply(found, [_d("SL001", "parse-error", 1)])
    assert [d.code for d in kept] == ["SL001"]


def test_toml_and_shell_comments_work_and_json_has_none():
    toml = load_document("c.toml", text="lr = 6.0e-3  # steplint: ignore[SL302]\n")
    assert [d.target for d in directives(toml)] == [1]
    shell = load_document("c.sh", text="#!/bin/bash\n# steplint: ignore[SL302]\ntorchrun pretrain.py --lr 6e-3\n")
    assert [d.target for d in directives(shell)] == [3]
    assert directives(load_document("c.json", text='{"lr": "# steplint: ignore[SL302]"}')) == ()


def test_hash_inside_a_quoted_yaml_string_is_not_a_directive():
    doc = load_document("c.yaml", text='name: "a # steplint: ignore[SL302]"\n')
    assert directives(doc) == ()


def test_directive_prefilter_knows_every_character_re_ignorecase_matches():
    # `_may_hold_directive` folds text before a plain substring test; it may skip the regex
    # only if every character re.IGNORECASE matches to a letter of `steplint` folds to it.
    import re
    import sys

    from steplint.suppression import _FOLD, _may_hold_directive

    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    found = set(re.findall("[steplint]", everything, re.IGNORECASE))
    assert len(found) > 14  # both ASCII cases of the 7 letters, and more
    for ch in found:
        folded = ch.translate(_FOLD).lower()
        assert len(folded) == 1 and folded in "steplint" and re.fullmatch(folded, ch, re.IGNORECASE), hex(ord(ch))
    for text in ("# ſteplınt: ignore[SL302]", "# STEPLİNT: IGNORE[sl302]", "# steplint: ignore[SL302]"):
        assert _may_hold_directive(text)
        assert directives_of(text)
    assert not _may_hold_directive("# steplint: ignore SL302")  # no bracket
    assert not _may_hold_directive("# [see] the docs")


def directives_of(comment: str):
    return directives(load_document("c.yaml", text=f"lr: 1  {comment}\n"))


def test_comments_are_slices_of_the_text_so_the_text_prefilter_is_safe():
    # suppression.directives skips a document whose text holds no `[` or no `steplint`:
    # that is only right while every loader's comments are slices of the document's text.
    texts = {
        "c.yaml": "# steplint: ignore-file[SL5]\r\nlr: 1  # ſteplınt: ignore[SL302]\nx: 'a # b'\n",
        "c.toml": "# STEPLİNT: ignore[sl302]\n[a]\nlr = 1 # steplint: ignore[SL5] more\n",
        "c.sh": "#!/bin/bash\n# steplint: ignore[SL302]\npython train.py \\\n  --lr 1e-3  # steplint: ignore[SL5]\n",
    }
    for path, text in texts.items():
        doc = load_document(path, text=text)
        assert doc.comments, path
        for comment in doc.comments:
            assert comment.text in doc.text, (path, comment)
        assert directives(doc), path
