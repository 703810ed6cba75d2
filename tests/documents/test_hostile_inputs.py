"""The malformed and hostile inputs of issue 4 (and ../shared/acceptance/hostile-input):
each gives one clear finding at a precise line:col, fast, with no traceback."""

import time

import pytest

from conftest import FIXTURES
from steplint.documents.load import load_document
from steplint.documents.nodes import SequenceNode

HOSTILE = FIXTURES / "documents" / "hostile"


# file in tests/fixtures/documents/hostile (bench/hostile.py times the same files)
# -> the one finding expected as (code, line, column), or None for none
CASES = {
    "bomb.yaml": ("SL001", 5, 4),  # 9 levels x 9 aliases: 9**9 nodes if expanded
    "deep.yaml": ("SL001", 1, 204),  # 10,000 nested flow lists
    "deep.json": ("SL001", 1, 201),
    "tag.yaml": ("SL001", 1, 5),  # !!python/object/apply:os.system
    "trunc.yaml": ("SL001", 4, 1),
    "dup.yaml": ("SL002", 2, 1),
    "nan.json": ("SL004", 1, 33),
    "bad-utf8.yaml": ("SL001", 1, 5),
    "huge-num.json": None,  # a 400-digit integer is valid JSON; rules judge the value
    "tabs.yaml": ("SL001", 2, 1),
    "empty.yaml": None,
    "list-root.json": None,
    "repeat-table.toml": ("SL002", 3, 1),
    "cycle.yaml": ("SL001", 1, 4),
    "control-char.yaml": ("SL001", 2, 4),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_hostile_input_gives_one_clear_finding(name):
    expected = CASES[name]
    path = HOSTILE / name
    started = time.perf_counter()
    doc = load_document(str(path))
    assert time.perf_counter() - started < 1.0
    found = [(d.code, d.line, d.column) for d in doc.diagnostics]
    assert found == ([expected] if expected else [])
    for d in doc.diagnostics:
        assert d.message and "\n" not in d.message and "Traceback" not in d.message


def test_huge_integer_is_kept_exactly():
    doc = load_document(str(HOSTILE / "huge-num.json"))
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


def test_every_fixture_has_an_expectation():
    assert sorted(p.name for p in HOSTILE.iterdir()) == sorted(CASES)
