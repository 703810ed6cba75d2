"""`NamedTuple` for steplint's value types, without typing's per-field cost at import.

Why: with `from __future__ import annotations` every field annotation is a string, and
`typing.NamedTuple` turns each one into a `typing.ForwardRef`, which compiles it. On the
`check` path that is about 440 compile() calls for the ~70 value classes, the largest part
of steplint's own start-up once click is off that path (architecture.md section 7;
bench/check.py): about 0.36 ms per class against 0.10 ms for `collections.namedtuple`.

So the class is built by `collections.namedtuple` (its public API: fields, defaults,
module), then given the class body's annotations (as the strings they are:
`typing.get_type_hints` resolves them as it does typing's own), docstring, methods and
other attributes. Type checkers import `typing.NamedTuple` itself (the TYPE_CHECKING
branch), so mypy checks every value class exactly as before. From Python 3.14 on
annotations are evaluated lazily and typing's class is used at run time too.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING or sys.version_info >= (3, 14):
    from typing import NamedTuple as NamedTuple
else:
    import collections
    import typing

    # Names a value class may not define: the tuple machinery namedtuple generates.
    _RESERVED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
                           "_field_defaults", "_make", "_replace", "_asdict", "_source"})
    _NOT_COPIED = frozenset({"__module__", "__qualname__", "__annotations__", "__orig_bases__"})

    class _ValueTypeMeta(type):
        """Builds the class a `class X(NamedTuple)` statement names (see the module doc)."""

        def __new__(mcs, name: str, bases: tuple, namespace: dict):  # type: ignore[misc]
            if bases != (_Base,):
                raise TypeError(f"{name}: steplint's NamedTuple takes no other base class")
            annotations = dict(namespace.get("__annotations__", {}))
            fields = list(annotations)
            with_default = [f for f in fields if f in namespace]
            if with_default != fields[len(fields) - len(with_default):]:
                raise TypeError(f"{name}: a field without a default follows one with a default")
            cls = collections.namedtuple(name, fields, defaults=[namespace[f] for f in with_default],
                                         module=namespace["__module__"])
            cls.__annotations__ = cls.__new__.__annotations__ = annotations
            for key, value in namespace.items():
                if key in _RESERVED:
                    raise AttributeError(f"{name}: cannot define {key}, NamedTuple makes it")
                if key not in _NOT_COPIED and key not in annotations:
                    setattr(cls, key, value)
            cls.__qualname__ = namespace.get("__qualname__", name)
            return cls

    _Base = type.__new__(_ValueTypeMeta, "NamedTuple", (), {})

    def NamedTuple(typename, fields=None, /, **kwargs):  # type: ignore[no-redef]
        """The functional form, `NamedTuple("Pair", [("a", int)])`, is typing's own."""
        return typing.NamedTuple(typename, fields, **kwargs)

    NamedTuple.__mro_entries__ = lambda bases: (_Base,)  # `class X(NamedTuple)` -> _ValueTypeMeta
