"""The malformed and hostile inputs of issue 4 (and ../shared/acceptance/hostile-input):
each gives one clear finding at a precise line:col, fast, with no traceback."""

import time

import pytest

from steplint.documents.load import load_document
from steplint.documents.nodes import SequenceNode


def _bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# name -> (content, expected (code, line, column) or None for no finding)
CASES = {
    "bomb.yaml": (_bomb(), ("SL001", 5, 4)),
    "deep.yaml": ("a: " + "[" * 10000 + "]" * 10000 + "\n", ("SL001", 1, 204)),
    "deep.json": ("[" * 10000 + "]" * 10000, ("SL001", 1, 201)),
    "tag.yaml": ("lr: !!python/object/apply:os.system ['echo pwned']\n", ("SL001", 1, 5)),
    "trunc.yaml": ("model:\n  hidden_size: 4096\n  lr: [1e-4,\n", ("SL001", 4, 1)),
    "dup.yaml": ("lr: 1e-4\nlr: 3e-4\nmin_lr: 1e-5\n", ("SL002", 2, 1)),
    "nan.json": ('{"optimizer": {"params": {"lr": NaN}}, "train_batch_size": 8}', ("SL004", 1, 33)),
    "bad-utf8.yaml": (b"lr: \xff\xfe 1e-4\n", ("SL001", 1, 5)),
    "huge-num.json": ('{"train_batch_size": 1' + "0" * 400 + ', "gradient_accumulation_steps": -1}', None),
    "tabs.yaml": ("model:\n\thidden_size: 4096\n", ("SL001", 2, 1)),
    "empty.yaml": ("", None),
    "list-root.json": ("[1, 2, 3]", None),
    "repeat-table.toml": ("[training]\nlr = 1e-4\n[training]\nlr = 2e-4\n", ("SL002", 3, 1)),
    "cycle.yaml": ("a: &x [1, *x]\n", ("SL001", 1, 4)),
    "control-char.yaml": ("a: 1\nb: \x07\n", ("SL001", 2, 4)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_hostile_input_gives_one_clear_finding(tmp_path, name):
    content, expected = CASES[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    started = time.perf_counter()
    doc = load_document(str(path))
    assert time.perf_counter() - started < 1.0
    found = [(d.code, d.line, d.column) for d in doc.diagnostics]
    assert found == ([expected] if expected else [])
    for d in doc.diagnostics:
        assert d.message and "\n" not in d.message and "Traceback" not in d.message


def test_huge_integer_is_kept_exactly(tmp_path):
    doc = load_document("h.json", text=CASES["huge-num.json"][0])
    assert doc.root.get("train_batch_size").value == 10**400


def test_list_root_is_a_sequence():
    assert isinstance(load_document("l.json", text="[1, 2, 3]").root, SequenceNode)


def test_file_over_the_cap(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" * 1000)
    doc = load_document(str(path), max_size=1024)
    assert [(d.code, d.line, d.column) for d in doc.diagnostics] == [("SL001", 1, 1)]
    assert "5,000 bytes" in doc.diagnostics[0].message


def test_tag_is_never_constructed(tmp_path, capfd):
    doc = load_document("t.yaml", text="a: !!python/object/apply:os.system ['echo pwned']\n")
    assert doc.root is None and "pwned" not in capfd.readouterr().out
