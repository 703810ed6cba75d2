"""load_document: size cap before reading, UTF-8 with or without BOM, newlines, kinds."""

import os
import threading

import pytest

from conftest import FIXTURES
from steplint.documents.load import dominant_newline, kind_from_path, load_document, sniff_kind
from steplint.documents.nodes import lookup, to_python

DOCS = FIXTURES / "documents"


def only(doc):
    assert len(doc.diagnostics) == 1, doc.diagnostics
    d = doc.diagnostics[0]
    return d.code, d.line, d.column


def test_bom_and_crlf_are_recorded_and_offsets_index_the_text_without_bom():
    doc = load_document(str(DOCS / "bom_crlf.yaml"))
    assert doc.bom and doc.newline == "\r\n"
    assert not doc.text.startswith("\ufeff") and "\r\n" in doc.text  # kept as written
    lr = lookup(doc.root, "model.lr")
    assert (lr.value, lr.span.start.line, lr.span.start.column) == (1e-4, 3, 7)
    assert doc.text[lr.span.start.offset:lr.span.end.offset] == "1.0e-4"


def test_text_argument_is_read_like_a_file(tmp_path):
    doc = load_document("-", text="\ufeffa: 1\n", kind="yaml")
    assert doc.bom and to_python(doc.root) == {"a": 1}
    raw = load_document("in.yaml", text=b"\xef\xbb\xbfa: 2\n")
    assert raw.bom and to_python(raw.root) == {"a": 2}


def test_size_cap_is_checked_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    big.write_text("a: 1\n" * 100)
    opened = []
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a) or pytest.fail("read a capped file"))
    monkeypatch.setattr("os.open", lambda *a, **k: opened.append(a) or pytest.fail("read a capped file"))
    doc = load_document(str(big), max_size=100)
    assert only(doc) == ("SL001", 1, 1) and "cap" in doc.diagnostics[0].message
    assert doc.root is None and not opened


def test_size_cap_applies_to_given_text():
    doc = load_document("-", text="a: 1\n" * 10, max_size=20)
    assert only(doc)[0] == "SL001"


def test_missing_file_is_a_finding_not_an_exception(tmp_path):
    doc = load_document(str(tmp_path / "nope.yaml"))
    assert only(doc) == ("SL001", 1, 1)
    assert "cannot read" in doc.diagnostics[0].message


def test_invalid_utf8_points_at_the_bad_byte():
    doc = load_document("x.yaml", text=b"a: 1\nb: caf\xc3\xa9 \xff\n")
    assert only(doc) == ("SL001", 2, 9)
    assert "0xff" in doc.diagnostics[0].message


def test_utf16_gets_a_hint():
    doc = load_document("x.yaml", text="a: 1\n".encode("utf-16"))
    assert only(doc)[:1] == ("SL001",) and "UTF-16" in doc.diagnostics[0].message


@pytest.mark.parametrize(
    "name, kind",
    [("a.yaml", "yaml"), ("a.YML", "yaml"), ("ds.json", "json"), ("job.toml", "toml"),
     ("run.sh", "shell"), ("run.slurm", "shell"), ("run.bash", "shell"), ("config", None), ("a.cfg", None)],
)
def test_kind_from_extension(name, kind):
    assert kind_from_path(name) == kind


@pytest.mark.parametrize(
    "text, kind",
    [
        ('{"train_batch_size": 8}', "json"),
        ("[1, 2]", "json"),
        ("# comment\n[training]\nlr = 1e-4\n", "toml"),
        ("lr = 1e-4\n", "toml"),
        ("#!/bin/bash\ntorchrun train.py\n", "shell"),
        ("export LR=1e-4\n", "shell"),
        ("model:\n  lr: 1e-4\n", "yaml"),
        ("", "yaml"),
    ],
)
def test_sniff_kind(text, kind):
    assert sniff_kind(text) == kind


def test_unknown_extension_is_sniffed():
    assert load_document("stdin", text='{"a": 1}').kind == "json"
    assert load_document("stdin", text="a: 1\n").kind == "yaml"


def test_kind_argument_wins_over_the_extension():
    doc = load_document("neox.yml", text='{"lr": 1.0e-4, # comment\n}', kind="json")
    assert doc.kind == "json" and to_python(doc.root) == {"lr": 1e-4}


@pytest.mark.parametrize(
    "text, newline", [("a\nb\n", "\n"), ("a\r\nb\r\n", "\r\n"), ("a\r\nb\nc\n", "\n"), ("", "\n")]
)
def test_dominant_newline(text, newline):
    assert dominant_newline(text) == newline


def test_shell_goes_to_the_shell_loader_or_degrades():
    doc = load_document("train.sh", text="#!/bin/bash\nLR=1e-4\n")
    assert doc.kind == "shell"
    assert not any(d.code == "SL001" for d in doc.diagnostics) or doc.root is None


def test_empty_file_is_no_config_and_no_error(tmp_path):
    for name in ("e.yaml", "e.json", "e.toml"):
        path = tmp_path / name
        path.write_text("")
        doc = load_document(str(path))
        assert doc.root is None and doc.diagnostics == () and doc.ok


def test_unreadable_path_is_a_finding(tmp_path):
    if os.name != "posix" or os.geteuid() == 0:
        pytest.skip("permissions do not apply here")
    path = tmp_path / "locked.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    assert only(load_document(str(path)))[0] == "SL001"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_pipe_is_read_to_its_end_and_capped(tmp_path):
    """A pipe's stat size is 0: the reader reads on past it (to the cap), in chunks."""
    fifo = tmp_path / "in.yaml"
    text = "a: 1\nb: " + "x" * 200_000 + "\nc: 3\n"  # more than one pipe buffer

    def feed(data: str) -> threading.Thread:
        os.mkfifo(fifo)
        def write() -> None:
            try:
                with open(fifo, "w") as out:
                    out.write(data)
            except BrokenPipeError:  # the capped read stops reading
                pass
        writer = threading.Thread(target=write)
        writer.start()
        return writer

    writer = feed(text)
    doc = load_document(str(fifo))
    writer.join()
    assert not doc.diagnostics and lookup(doc.root, "c").value == 3 and doc.text == text
    os.unlink(fifo)
    writer = feed(text)
    capped = load_document(str(fifo), max_size=1000)
    writer.join()
    assert only(capped)[0] == "SL001" and "over the 1,000-byte cap" in capped.diagnostics[0].message


def test_short_reads_are_read_on(tmp_path, monkeypatch):
    """os.read may return less than asked: the reader asks again until the end."""
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\nb: [1, 2]\n")
    real_read = os.read
    monkeypatch.setattr("os.read", lambda fd, n: real_read(fd, min(n, 3)))
    doc = load_document(str(path))
    assert to_python(doc.root) == {"a": 1, "b": [1, 2]}


def test_a_folder_is_a_finding(tmp_path):
    doc = load_document(str(tmp_path))
    assert only(doc) == ("SL001", 1, 1)
    assert doc.diagnostics[0].message == "cannot read the file: Is a directory" or os.name == "nt"
