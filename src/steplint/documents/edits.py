"""Edit builders: text edits to a Document that keep its layout (rules build their fixes
with these; `steplint.fixing` applies, verifies and writes them).

    replace_value_edit(document, node, value) -> Edit
    insert_key_edit(document, mapping, key, value_text) -> Edit
    splice(text, edits) -> str

Offsets are into `Document.text` (decoded text without BOM).
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from steplint.diagnostics import Edit
from steplint.documents.nodes import Document, MappingNode, Node, ScalarNode, SequenceNode, walk


def splice(text: str, edits: Iterable[Edit]) -> str:
    """`text` with non-overlapping edits applied (last first, so offsets stay valid)."""
    out = text
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        out = out[: edit.start] + edit.replacement + out[edit.end:]
    return out


def replace_value_edit(document: Document, node: Node, value: Any) -> Edit:
    """Replace a scalar's text with `value` written the way this file writes such values
    (see `steplint.literals.format_value`: a YAML float stays a YAML 1.1 float)."""
    from steplint.literals import format_value

    start = _value_start(document, node)
    style: Optional[ScalarNode] = None  # a list (DeepSpeed's betas) is written whole, in no literal style
    if isinstance(node, ScalarNode):
        style = node if start == node.span.start.offset else _without_properties(node, document.text[start:node.span.end.offset])
    return _edit(document, start, node.span.end.offset, format_value(value, kind=document.kind, style_of=style))


def _value_start(document: Document, node: Node) -> int:
    """Where a YAML scalar's value begins: PyYAML's span starts at its anchor or tag
    (`&floor 1.5e-4`, `!!float 1e-4`), which an edit must keep."""
    start, end = node.span.start.offset, node.span.end.offset
    if document.kind != "yaml":
        return start
    text = document.text
    while start < end and text[start] in "&!":
        while start < end and not text[start].isspace():
            start += 1
        while start < end and text[start].isspace():
            start += 1
    return start


def _without_properties(node: ScalarNode, value_text: str) -> ScalarNode:
    return ScalarNode(node.value, value_text, node.span, node.style, node.tag)


def insert_key_edit(document: Document, mapping: MappingNode, key: str, value_text: str) -> Edit:
    """Insert `key: value_text` into `mapping` after its last entry, in the mapping's own
    layout: a new line with the siblings' indentation for a block (YAML, TOML table) or a
    multi-line flow/JSON object (with the comma it needs), inline `, key: value` for a
    one-line flow mapping. Lines use the document's newline. Raises ValueError when the
    mapping has no entry to align with and no braces to write into."""
    from steplint.literals import format_key

    text = document.text
    nl = document.newline or "\n"
    kind = document.kind
    sep = " = " if kind == "toml" else ": "
    quoted_key = format_key(key, kind=kind, like=mapping.items[-1][0] if mapping.items else None)
    entry = f"{quoted_key}{sep}{value_text}"
    braced = kind == "json" or mapping.flow
    if not mapping.items:
        if not braced:
            raise ValueError("cannot place a key in an empty block mapping")
        open_at = text.find("{", mapping.span.start.offset, mapping.span.end.offset)
        close_at = text.rfind("}", open_at + 1, mapping.span.end.offset)
        if open_at < 0 or close_at < 0 or text[open_at + 1:close_at].strip():
            raise ValueError("cannot place a key in this empty mapping")
        pad = " " if kind == "toml" else ""  # `{ a = 1 }` is TOML's usual inline spacing
        return _edit(document, open_at + 1, close_at, f"{pad}{entry}{pad}")
    last_key, last_value = _last_pair(mapping, kind)
    value_end = _subtree_end(last_value)
    indent = _indent_of(text, last_key.span.start.offset)
    line_end = _line_end(text, value_end)  # where the last entry's line ends
    next_line = line_end + len(nl) if text.startswith(nl, line_end) else min(line_end + 1, len(text))
    if not braced:
        if value_end > 0 and text[value_end - 1] == "\n":  # block scalar: span ends after its newline
            return _edit(document, value_end, value_end, f"{indent}{entry}{nl}")
        if line_end == len(text):  # last line without a final newline
            return _edit(document, line_end, line_end, f"{nl}{indent}{entry}")
        return _edit(document, next_line, next_line, f"{indent}{entry}{nl}")
    rest = text[value_end:line_end]
    if last_key.span.start.line == mapping.span.start.line or "}" in rest or line_end == len(text):
        return _edit(document, value_end, value_end, f", {entry}")  # one-line flow mapping
    if rest.lstrip().startswith(","):  # a trailing comma after the last entry: keep the habit
        return _edit(document, next_line, next_line, f"{indent}{entry},{nl}")
    return _edit(document, value_end, line_end, f",{rest}{nl}{indent}{entry}")


def _last_pair(mapping: MappingNode, kind: str) -> tuple[ScalarNode, Node]:
    """The entry after which a new key goes. In TOML a sub-table written later as
    `[a.b]` is a mapping value, and a key placed after it would land in that sub-table,
    so only values written inline count there."""
    pairs = list(mapping.items)
    if kind == "toml" and not mapping.flow:
        pairs = [(k, v) for k, v in pairs if not isinstance(v, MappingNode) or v.flow]
        if not pairs:
            raise ValueError("the TOML table holds only sub-tables: no line to place a key beside")
    return max(pairs, key=lambda kv: _subtree_end(kv[1]))


def _subtree_end(node: Node) -> int:
    """End offset of the last character of a value, nested values included (a block
    mapping's own end mark can sit after following comments or blank lines)."""
    ends = [n.span.end.offset for _, n in walk(node) if isinstance(n, ScalarNode)]
    if isinstance(node, (MappingNode, SequenceNode)) and (node.flow or not ends):
        ends.append(node.span.end.offset)
    return max(ends) if ends else node.span.end.offset


def _line_end(text: str, offset: int) -> int:
    for i in range(offset, len(text)):
        if text[i] in "\r\n":
            return i
    return len(text)


def _indent_of(text: str, offset: int) -> str:
    """The whitespace that puts a new line's key in the column of the key at `offset`."""
    start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    prefix = text[start:offset]
    return prefix if prefix.strip() == "" else " " * len(prefix)


def _edit(document: Document, start: int, end: int, replacement: str) -> Edit:
    line, column = _position(document.text, start)
    end_line, end_column = _position(document.text, end)
    return Edit(document.path, start, end, replacement, line, column, end_line, end_column)


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset (CRLF counts as one line break)."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1
