"""`load_document`: one file (or stdin text) to a `Document`, whatever is in it.

Everything about the bytes happens here, once: the size cap (checked with `os.stat`
before reading), UTF-8 with or without BOM, the dominant line ending, and the choice of
format (extension, else a sniff of the text). The format's own loader does the rest.
Bad input never raises: it becomes the one finding the Document carries.
"""

from __future__ import annotations

import codecs
import importlib
import os
import re
from typing import Optional, Union

from steplint.documents.findings import LoadProblem, Parsed, failed
from steplint.documents.nodes import Document
from steplint.diagnostics import Mark

MAX_FILE_SIZE = 10 * 1024 * 1024  # default of Settings.max_file_size (architecture.md §8)

KIND_BY_SUFFIX = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".sh": "shell",
    ".bash": "shell",
    ".slurm": "shell",
}

# kind -> "module:function" taking (path, text) and returning Parsed; imported on first use
# so reading YAML never pays for the TOML parser and the other way round.
LOADERS = {
    "yaml": "steplint.documents.yaml_loader:parse_yaml",
    "json": "steplint.documents.json_loader:parse_json",
    "toml": "steplint.documents.toml_loader:parse_toml",
}


def kind_from_path(path: str) -> Optional[str]:
    """The format an extension names, or None (then the text is sniffed)."""
    return KIND_BY_SUFFIX.get(os.path.splitext(path)[1].lower())


# Sniffing only (a file without a known extension): compiled, and cached by re, on first use.
_SHELL_LINE = r"(?:export\s+|set\s|source\s|\w+=\S|#!)"
_TOML_LINE = r"""(?:\[\[?\s*[\w.\-"' ]+\]\]?\s*(?:#.*)?$|[\w.\-"']+\s+=\s)"""


def sniff_kind(text: str) -> str:
    """Guess the format of text without a telling name (stdin, `config`, `*.cfg`)."""
    stripped = text.lstrip()
    if stripped.startswith("#!"):
        return "shell"
    if stripped.startswith("{"):
        return "json"
    for line in stripped.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if re.match(_TOML_LINE, line):
            return "toml"
        if line.startswith("["):
            return "json"
        if re.match(_SHELL_LINE, line):
            return "shell"
        return "yaml"
    return "yaml"


def _decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 text without its BOM, and whether there was one; a bad byte is SL001 at its
    line:col (counted in characters of the valid text before it)."""
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8"), bom
    except UnicodeDecodeError as error:
        bad = error.start
        line_start = data.rfind(b"\n", 0, bad) + 1
        column = len(data[line_start:bad].decode("utf-8", "replace")) + 1
        offset = len(data[:bad].decode("utf-8", "replace"))
        hint = ""
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            hint = " (the file looks like UTF-16; save it as UTF-8)"
        raise LoadProblem(
            "SL001",
            f"not UTF-8: byte 0x{data[bad]:02x} is an {error.reason}{hint}",
            Mark(data.count(b"\n", 0, bad) + 1, column, offset),
        ) from None


def dominant_newline(text: str) -> str:
    """'\\r\\n' when most line breaks are CRLF, else '\\n' (what the fixer writes)."""
    if "\r" not in text:  # most files: one scan for a character, not two counts
        return "\n"
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 > text.count("\n") else "\n"


# os.open and os.read, not open(): a buffered file object per file (its fstat, isatty
# and buffer) costs more than reading a config takes. O_BINARY: no newline translation
# where the C runtime has a text mode (Windows).
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _read(path: str, max_size: int) -> bytes:
    try:
        size = os.stat(path).st_size
    except OSError as error:
        raise LoadProblem("SL001", f"cannot read the file: {error.strerror or error}") from None
    if size > max_size:
        raise LoadProblem("SL001", _too_big(size, max_size))
    try:
        fd = os.open(path, _READ_FLAGS)
        try:
            data = _read_upto(fd, size + 1)  # sized by stat
            if len(data) > size:  # it grew since stat, or it is a pipe: read on, to the cap
                data += _read_upto(fd, max_size + 1 - len(data))
        finally:
            os.close(fd)
    except OSError as error:
        raise LoadProblem("SL001", f"cannot read the file: {error.strerror or error}") from None
    if len(data) > max_size:
        raise LoadProblem("SL001", _too_big(len(data), max_size))
    return data


def _read_upto(fd: int, n: int) -> bytes:
    """`n` bytes, or fewer at the end of the file (one os.read may return less)."""
    data = os.read(fd, n)
    if not data or len(data) == n:
        return data
    chunks = [data]
    got = len(data)
    while got < n:
        more = os.read(fd, n - got)
        if not more:
            break
        chunks.append(more)
        got += len(more)
    return b"".join(chunks)


def _too_big(size: int, max_size: int) -> str:
    return (
        f"the file is {size:,} bytes, over the {max_size:,}-byte cap "
        "(raise it with the max-file-size setting)"
    )


def _parse(kind: str, path: str, text: str) -> Parsed:
    module, function = LOADERS[kind].split(":")
    parsed: Parsed = getattr(importlib.import_module(module), function)(path, text)
    return parsed


def _load_shell(path: str, text: str, bom: bool, newline: str) -> Document:
    """Launch scripts are read by `documents/shell.py`; without it they are a document
    with no tree, which the checker reports as an unknown format (SL003)."""
    try:
        from steplint.documents.shell import load_shell
    except ImportError:
        return Document(path, text, "shell", None, bom, newline)
    doc = load_shell(path, text)
    if doc.bom != bom or doc.newline != newline:
        doc = Document(doc.path, doc.text, doc.kind, doc.root, bom, newline, doc.comments, doc.diagnostics)
    return doc


def load_document(
    path: str,
    *,
    text: Union[str, bytes, None] = None,
    max_size: int = MAX_FILE_SIZE,
    kind: Optional[str] = None,
) -> Document:
    """Read `path` (or `text`, e.g. stdin, reported under `path`) into a Document.

    `kind` forces a format ("yaml", "json", "toml", "shell"); otherwise the extension
    decides, and text with an unknown extension is sniffed. Never raises for bad input:
    the Document then has no tree and carries the finding (SL001) instead.
    """
    kind = kind or kind_from_path(path)
    try:
        if text is None:
            text = _read(path, max_size)
        elif len(text) > max_size:
            raise LoadProblem("SL001", _too_big(len(text), max_size))
        if isinstance(text, bytes):
            text, bom = _decode(text)
        else:
            bom = text.startswith("\ufeff")
            text = text[1:] if bom else text
    except LoadProblem as problem:
        raw = text if isinstance(text, str) else (text or b"").decode("utf-8-sig", "replace")
        return Document(path, raw, kind or "yaml", None, diagnostics=failed(path, problem).diagnostics)
    kind = kind or sniff_kind(text)
    newline = dominant_newline(text)
    if kind == "shell":
        return _load_shell(path, text, bom, newline)
    if kind not in LOADERS:
        raise ValueError(f"unknown document kind {kind!r} (choose {', '.join([*LOADERS, 'shell'])})")
    parsed = _parse(kind, path, text)
    return Document(path, text, kind, parsed.root, bom, newline, parsed.comments, parsed.diagnostics)
