"""Launch scripts (`.sh`, `.slurm`, `.bash`) read as the argument list they pass to Python.

Megatron-LM and Megatron-DeepSpeed runs are configured by the `--flag value` words a bash
script hands to `pretrain_gpt.py`, usually through arrays and string variables. This module
reads a script statically: it lexes words the way bash does (quotes, escapes, line
continuations, comments, heredocs), replays literal assignments top to bottom (strings,
arrays, `+=`, `$((...))` integer arithmetic) and expands the launch command. Nothing is
executed and no environment is read: a value that depends on the environment, a command
substitution, a positional parameter or `${VAR:-default}` of an unset variable is kept as
*unresolved* (tag `UNRESOLVED`), so a dialect can report SL007 instead of guessing.

The Document's root maps each script flag as written (`--lr`) to its value node, whose span
is the exact source text of the value, wherever it was written (in the flag list, or in the
`LR=...` assignment it came through), so a fix can splice it. Flags without a value map to
True. Three extra root keys carry what is not a script flag: `program` (the launched
`*.py`), `launcher` (torchrun / deepspeed options before it) and `sbatch` (`#SBATCH`
directives). Heredocs are available through `heredocs(doc)` for DeepSpeed JSON written by the
script.

The lexer is shell_lexer.py, the expansion shell_expand.py; offsets become line/column
marks through the loaders' shared documents.positions.LineIndex.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator, Optional

from steplint._namedtuple import NamedTuple

from steplint.diagnostics import Span
from steplint.documents.nodes import Comment, Document, MappingNode, Node, ScalarNode, SequenceNode
from steplint.documents.positions import LineIndex
from steplint.documents.shell_expand import Char, Expander, split_words
from steplint.documents.shell_lexer import ASSIGNMENT, ArrayAssignment, Lexer, Part, Redirect, Statement, Word

# ScalarNode.tag of a value that could not be resolved statically.
UNRESOLVED = "!unresolved"
_PROGRAM = re.compile(r"(?:^|/)([A-Za-z0-9_.-]+\.py)$")
# `-1`, `-.5` and `-1e-3` are values, not flags.
_NEGATIVE_NUMBER = re.compile(r"-\.?[0-9]")
_DECLARATION_WORDS = frozenset({"export", "local", "declare", "readonly", "typeset"})


class Heredoc(NamedTuple):
    """Text a script writes through `cat <<EOT > target`, with variables expanded."""

    target: str  # the redirection target as written (may hold unresolved variables)
    text: str
    line: int  # line of the `<<` operator
    span: Span  # of the body
    unresolved: tuple[str, ...] = ()



# ---------------------------------------------------------------------------------------
# Public entry points


class _Value(NamedTuple):
    text: str
    start: int
    end: int
    unresolved: bool


def _value(chars: list[Char], site: tuple[int, int]) -> _Value:
    text = "".join(c.ch for c in chars)
    offsets = [c.offset for c in chars]
    unresolved = any(c.unresolved for c in chars)
    if offsets and offsets[0] >= 0 and all(b == a + 1 for a, b in zip(offsets, offsets[1:])):
        return _Value(text, offsets[0], offsets[-1] + 1, unresolved)
    return _Value(text, site[0], site[1], unresolved)


class _Launch(NamedTuple):
    program: _Value
    launcher: tuple[_Value, ...]
    arguments: tuple[_Value, ...]


# (flags after the program, whether it is a pretrain_* program, the launch)
_Candidate = tuple[int, bool, _Launch]


class ShellScript(NamedTuple):
    launch: Optional[_Launch]
    heredocs: tuple[Heredoc, ...]
    comments: tuple[Comment, ...]
    sbatch: tuple[tuple[str, str, int, int], ...]  # (option, value, start, end)


def _is_flag(text: str) -> bool:
    return text.startswith("-") and len(text) > 1 and not _NEGATIVE_NUMBER.match(text)


@lru_cache(maxsize=32)
def read_script(text: str) -> ShellScript:
    """Lex, replay assignments and find the launch command of a script (cached per text)."""
    index = LineIndex(text)
    lexer = Lexer(text, index)
    statements = lexer.statements()
    expander = Expander(text)
    candidates: list[_Candidate] = []
    heredocs: list[Heredoc] = []
    for statement in statements:
        words = list(statement.words)
        while words and isinstance(words[0], Word) and len(words[0].parts) == 1 and words[0].parts[0].kind == "lit" \
                and words[0].parts[0].text in _DECLARATION_WORDS:
            words.pop(0)
        while words:
            head = words[0]
            if isinstance(head, ArrayAssignment):
                expander.assign_array(head.name, head.append, head.elements)
                words.pop(0)
            elif isinstance(head, Word) and expander.assign(head):
                words.pop(0)
                assignment = ASSIGNMENT.match(head.parts[0].text)
                assert assignment is not None  # expander.assign took it as one
                name = assignment.group(1)
                chars = expander.scalars[name]
                launch = _find_launch([_value(w, (head.start, head.end)) for w in split_words(
                    [Char(c.ch, c.offset, True, c.unresolved) for c in chars])])
                if launch:
                    candidates.append(launch)
            else:
                break
        if words:
            values: list[_Value] = []
            for word in words:
                if isinstance(word, Word):
                    for chars in split_words(expander.word_chars(word)):
                        values.append(_value(chars, (word.start, word.end)))
            launch = _find_launch(values)
            if launch:
                candidates.append(launch)
        heredocs.extend(_heredocs(statement, expander, index))
    sbatch = tuple(_sbatch(lexer.comments, index))
    best = max(candidates, key=lambda c: (c[0], c[1]), default=None)
    return ShellScript(
        launch=best[2] if best else None,
        heredocs=tuple(heredocs),
        comments=tuple(lexer.comments),
        sbatch=sbatch,
    )


def _find_launch(values: list[_Value]) -> Optional[_Candidate]:
    """(flags after the program, is pretrain_*, launch) for the `*.py` word with most flags."""
    best: Optional[_Candidate] = None
    for i, value in enumerate(values):
        m = _PROGRAM.search(value.text)
        if not m:
            continue
        arguments = values[i + 1:]
        flags = sum(1 for a in arguments if _is_flag(a.text))
        if flags == 0:
            continue
        program = _Value(m.group(1), value.end - len(m.group(1)), value.end, False) \
            if value.end - value.start == len(value.text) else value
        launch = (flags, m.group(1).startswith("pretrain_"), _Launch(program, tuple(values[:i]), tuple(arguments)))
        if best is None or launch[:2] > best[:2]:
            best = launch
    return best


def _heredocs(statement: Statement, expander: Expander, index: LineIndex) -> Iterator[Heredoc]:
    if not statement.heredocs:
        return
    target = ""
    words = list(statement.words)
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else None
        if isinstance(word, Redirect) and isinstance(following, Word):
            target = "".join(c.ch for c in expander.word_chars(following))
    for delimiter, start, end, quoted in statement.heredocs:
        body = expander.text[start:end]
        unresolved: tuple[str, ...] = ()
        if quoted:
            text = body
        else:
            lexer = Lexer(body, index)
            chars: list[Char] = []
            names: list[str] = []
            lexer.pos = 0
            i = 0
            while i < len(body):
                c = body[i]
                if c == "\\" and i + 1 < len(body) and body[i + 1] in "$`\\":
                    chars.append(Char(body[i + 1], start + i + 1, False))
                    i += 2
                    continue
                if c in "$`":
                    lexer.pos = i
                    part = lexer.quoted_or_expansion()
                    part = Part(part.kind, part.text, part.start + start, part.end + start, part.raw, part.inner)
                    got = expander.part_chars(part, quoted=True)
                    if any(g.unresolved for g in got):
                        names.append(part.raw)
                    chars.extend(got)
                    i = lexer.pos
                    continue
                chars.append(Char(c, start + i, False))
                i += 1
            text, unresolved = "".join(c.ch for c in chars), tuple(names)
        yield Heredoc(target=target, text=text, line=index.mark(start).line - 1, span=index.span(start, end),
                      unresolved=unresolved)


def _sbatch(comments: list[Comment], index: LineIndex) -> Iterator[tuple[str, str, int, int]]:
    """`#SBATCH --nodes=24` directives as (option, value, start, end)."""
    for comment in comments:
        if not comment.text.startswith("SBATCH"):
            continue
        start = index.starts[comment.line - 1] + comment.column  # just past '#'
        body = comment.text[len("SBATCH"):]
        stop = body.find("#")
        body = body if stop < 0 else body[:stop]
        pos = start + len("SBATCH")
        for m in re.finditer(r"(-{1,2}[A-Za-z0-9_-]+)(?:[= ]\s*([^\s-][^\s]*))?", body):
            value = m.group(2) or ""
            vstart = pos + (m.start(2) if m.group(2) else m.end(1))
            yield (m.group(1), value, vstart, vstart + len(value))


def load_shell(path: str, text: str) -> Document:
    """A launch script as a Document(kind="shell") of its program's flags (see module doc)."""
    script = read_script(text)
    index = LineIndex(text)
    items: list[tuple[ScalarNode, Node]] = []

    def scalar(value: _Value) -> ScalarNode:
        return ScalarNode(
            value=value.text,
            text=text[value.start:value.end],
            span=index.span(value.start, value.end),
            tag=UNRESOLVED if value.unresolved else None,
        )

    def flag_items(values: tuple[_Value, ...]) -> list[tuple[ScalarNode, Node]]:
        out: list[tuple[ScalarNode, Node]] = []
        i = 0
        while i < len(values):
            word = values[i]
            if not _is_flag(word.text):
                i += 1
                continue
            name, eq, inline = word.text.partition("=")
            if eq:
                key = _Value(name, word.start, word.start + len(name), False) \
                    if word.end - word.start == len(word.text) else word
                vstart = word.start + len(name) + 1 if key is not word else word.start
                value = _Value(inline, vstart, vstart + len(inline) if key is not word else word.end, word.unresolved)
                out.append((scalar(key), scalar(value)))
                i += 1
                continue
            j = i + 1
            while j < len(values) and not _is_flag(values[j].text):
                j += 1
            args = values[i + 1:j]
            flag = scalar(word)
            node: Node
            if not args:
                node = ScalarNode(value=True, text=flag.text, span=flag.span)
            elif len(args) == 1:
                node = scalar(args[0])
            else:
                node = SequenceNode(tuple(scalar(a) for a in args),
                                    index.span(min(a.start for a in args), max(a.end for a in args)), flow=True)
            out.append((flag, node))
            i = j
        return out

    if script.launch is not None:
        program = script.launch.program
        prog_key = ScalarNode("program", "", index.span(program.start, program.start))
        items.append((prog_key, scalar(program)))
        items.extend(flag_items(script.launch.arguments))
        launcher = flag_items(script.launch.launcher)
        if launcher:
            span = index.span(script.launch.launcher[0].start, script.launch.launcher[-1].end)
            items.append((ScalarNode("launcher", "", index.span(span.start.offset, span.start.offset)),
                          MappingNode(tuple(launcher), span)))
    if script.sbatch:
        pairs: list[tuple[ScalarNode, Node]] = []
        for option, value, start, end in script.sbatch:
            pairs.append((ScalarNode(option, option, index.span(start, start)),
                          ScalarNode(value, text[start:end], index.span(start, end))))
        first = script.sbatch[0][2]
        items.append((ScalarNode("sbatch", "", index.span(first, first)),
                      MappingNode(tuple(pairs), index.span(first, script.sbatch[-1][3]))))
    root = MappingNode(tuple(items), index.span(0, len(text)))
    return Document(
        path=path,
        text=text,
        kind="shell",
        root=root,
        newline="\r\n" if "\r\n" in text else "\n",
        comments=script.comments,
    )


def heredocs(doc: Document) -> tuple[Heredoc, ...]:
    """The heredocs of a shell Document, with literal variables expanded."""
    return read_script(doc.text).heredocs


def is_unresolved(node: object) -> bool:
    return isinstance(node, ScalarNode) and node.tag == UNRESOLVED
