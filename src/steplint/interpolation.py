"""OmegaConf `${...}` interpolation over a Document tree, without evaluating anything.

NeMo (Hydra/OmegaConf) configs refer to other keys (`${model.encoder_seq_length}`),
relative to the current node (`${.hidden_size}`, `${..x}`), and call the resolvers NeMo
registers (`${multiply:4, ${.hidden_size}}`, `${sum:${.num_layers},-1}`;
nemo/core/config/hydra_runner.py and nemo/utils/..., docs/formats-megatron-deepspeed.md
section 4.1). This module resolves exactly those forms, lazily and only for the keys a
dialect asks for. Anything else (an unknown resolver, a key outside the file such as the
launcher's `${training....}`/`${base_results_dir}`, a cycle) is *unresolved* with a reason,
so the dialect reports SL007 and never guesses.

Scalars are typed as OmegaConf types them: `1e-4` is a float (PyYAML alone says string).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional, Union

from steplint._namedtuple import NamedTuple

from steplint.documents.nodes import Node, ScalarNode, lookup
from steplint.documents.values import read_number

# NeMo registers these with OmegaConf.register_new_resolver (integer arithmetic on
# already-resolved arguments).
RESOLVERS: Mapping[str, Callable[..., Any]] = {
    "multiply": lambda a, b: a * b,
    "sum": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "int_div": lambda a, b: a // b,
}
MAX_DEPTH = 32
_UNSEEN: Any = object()


class Resolution(NamedTuple):
    """A value with where it came from. `node`/`key`: the scalar it was read from (the end
    of a chain of plain references); `formula`: set when a resolver computed it; `error`:
    why it could not be resolved (then `value` is None)."""

    value: Any = None
    node: Optional[ScalarNode] = None
    key: str = ""
    formula: Optional[str] = None
    error: Optional[str] = None
    via: tuple[str, ...] = ()  # keys whose interpolations led here

    @property
    def ok(self) -> bool:
        return self.error is None


class _Unresolved(Exception):
    pass


def typed(node: ScalarNode) -> Any:
    """A scalar as OmegaConf reads it (its YAML loader adds a float pattern to YAML 1.1)."""
    value = node.value
    if isinstance(value, str) and node.style is None:
        number, problem = read_number(node, "omegaconf")
        if number is not None and problem is None:
            return number
    return value


def has_interpolation(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


class Interpolator:
    """Resolves values of one Document tree (`root`), each key once."""

    def __init__(self, root: Optional[Node], resolvers: Mapping[str, Callable[..., Any]] = RESOLVERS,
                 package: Optional[str] = None):
        self.root = root
        self.resolvers = resolvers
        # The Hydra package this file is composed under (a config group's file lands at its
        # group's key, Hydra's default `_group_` package): `${package.x}` is then this file's `x`.
        self.package = package
        self._got: dict[str, Optional[Resolution]] = {}

    def get(self, dotted: str) -> Optional[Resolution]:
        """The resolved value at `dotted`; None when the key is absent. Each key is resolved
        once (the tree never changes; a dialect reads many keys several times)."""
        got = self._got.get(dotted, _UNSEEN)  # a sentinel: raising KeyError on each first read costs
        if got is _UNSEEN:
            got = self._got[dotted] = self._get(dotted)
        return got  # type: ignore[no-any-return]  # a Resolution or None here

    def _get(self, dotted: str) -> Optional[Resolution]:
        path = tuple(dotted.split("."))
        node = lookup(self.root, path)
        if node is None:
            return None
        try:
            return self._resolve_node(node, path, 0, dotted)
        except _Unresolved as problem:
            return Resolution(None, node if isinstance(node, ScalarNode) else None, dotted, error=str(problem))

    # -- internals -------------------------------------------------------------------------

    def _resolve_node(self, node: Node, path: tuple[str, ...], depth: int, key: Optional[str] = None) -> Resolution:
        """`key`: `path` dotted, when the caller has it already."""
        if depth > MAX_DEPTH:
            raise _Unresolved("interpolation nests too deep (a cycle?)")
        if key is None:
            key = ".".join(path)
        if not isinstance(node, ScalarNode):
            return Resolution(node, None, key)
        value = node.value
        if not isinstance(value, str):  # typed() returns other values as they are
            return Resolution(value, node, key)
        if "${" not in value:  # has_interpolation(value), inlined
            return Resolution(typed(node), node, key)
        text = str(node.value)
        pieces = _parse(text)
        if len(pieces) == 1 and isinstance(pieces[0], _Interp):
            got = self._interp(pieces[0], path, depth)
            return Resolution(got.value, got.node, got.key, got.formula, None, (key,) + got.via)
        parts: list[str] = []
        for piece in pieces:
            parts.append(str(self._interp(piece, path, depth).value) if isinstance(piece, _Interp) else piece)
        return Resolution("".join(parts), node, key, formula=text)

    def _interp(self, interp: _Interp, path: tuple[str, ...], depth: int) -> Resolution:
        if interp.resolver is None:
            target = _target(interp.body, path)
            if target is None:
                raise _Unresolved(f"${{{interp.body}}} points above the top of the file")
            node = lookup(self.root, target)
            if node is None and self.package and target[:1] == (self.package,) and len(target) > 1:
                target = target[1:]
                node = lookup(self.root, target)
            if node is None:
                raise _Unresolved(f"${{{interp.body}}} names a key that is not in this file")
            return self._resolve_node(node, target, depth + 1)
        function = self.resolvers.get(interp.resolver)
        if function is None:
            raise _Unresolved(f"resolver `{interp.resolver}` is not one steplint evaluates")
        values: list[Any] = []
        shown: list[str] = []
        for arg in interp.args:
            if isinstance(arg, _Interp):
                got = self._interp(arg, path, depth + 1)
                values.append(got.value)
                shown.append(got.key or str(got.value))
            else:
                values.append(_literal(arg))
                shown.append(arg.strip())
        try:
            result = function(*values)
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
            raise _Unresolved(f"${{{interp.resolver}:...}} cannot be computed from {values!r}") from None
        return Resolution(result, None, "", formula=f"{interp.resolver}({', '.join(shown)})")


class _Interp(NamedTuple):
    body: str  # a key path, when resolver is None
    resolver: Optional[str] = None
    args: tuple[Union[str, _Interp], ...] = ()  # literals as written, and nested interpolations


def _parse(text: str) -> list[Union[str, _Interp]]:
    """Literal text and `${...}` interpolations of one string."""
    out: list[Union[str, _Interp]] = []
    pos = 0
    literal: list[str] = []
    while pos < len(text):
        if text.startswith("\\${", pos):
            literal.append("${")
            pos += 3
            continue
        if text.startswith("${", pos):
            if literal:
                out.append("".join(literal))
                literal = []
            interp, pos = _parse_interp(text, pos, 0)
            out.append(interp)
            continue
        literal.append(text[pos])
        pos += 1
    if literal:
        out.append("".join(literal))
    return out


def _parse_interp(text: str, start: int, depth: int) -> tuple[_Interp, int]:
    """The interpolation opening at `start` (at `${`), and the offset after its `}`."""
    if depth > MAX_DEPTH:
        raise _Unresolved("interpolation nests too deep")
    pos = start + 2
    head_end = pos
    while head_end < len(text) and text[head_end] not in ":}$":
        head_end += 1
    if head_end < len(text) and text[head_end] == ":":
        resolver = text[pos:head_end].strip()
        pos = head_end + 1
        args: list[Union[str, _Interp]] = []
        current: list[str] = []
        nested: Optional[_Interp] = None
        while pos < len(text) and text[pos] != "}":
            if text.startswith("${", pos):
                nested, pos = _parse_interp(text, pos, depth + 1)
                continue
            if text[pos] == ",":
                args.append(nested if nested is not None and not "".join(current).strip() else "".join(current))
                current, nested = [], None
                pos += 1
                continue
            current.append(text[pos])
            pos += 1
        if nested is not None or "".join(current).strip():
            args.append(nested if nested is not None and not "".join(current).strip() else "".join(current))
        return _Interp("", resolver, tuple(args)), min(pos + 1, len(text))
    end = text.find("}", pos)
    end = len(text) if end < 0 else end
    return _Interp(text[pos:end].strip()), end + 1


def _target(body: str, path: tuple[str, ...]) -> Optional[tuple[str, ...]]:
    """Absolute key path of `${body}` written at `path` (relative forms start with dots:
    one dot is the node holding the key, each further dot one level up)."""
    if not body.startswith("."):
        return tuple(body.split("."))
    dots = len(body) - len(body.lstrip("."))
    base = path[:-1]
    up = dots - 1
    if up > len(base):
        return None
    base = base[:len(base) - up] if up else base
    rest = body[dots:]
    return base + (tuple(rest.split(".")) if rest else ())


def _literal(text: str) -> Any:
    """A resolver argument written in place: number, bool, null or (quoted) string."""
    value = text.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("null", "~", ""):
        return None
    try:
        return int(value.replace("_", ""))
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value
