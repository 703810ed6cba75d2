"""`typing.NamedTuple` for steplint's value types, without its per-field cost at import.

Why: with `from __future__ import annotations` every field annotation is a string, and
typing.NamedTupleMeta turns each into a `typing.ForwardRef`, whose constructor compiles it:
about 440 compile() calls for the ~70 value classes on the `check` path, the largest part
of steplint's own start-up after click (architecture.md section 7; bench/check.py). This
builds the same class (collections.namedtuple, the defaults, the methods, docstring and
attributes of the class body, the annotations kept as the strings they are), only without
that conversion, which checks nothing a string could fail. Type checkers see
typing.NamedTuple itself, so mypy's NamedTuple checks are unchanged. From Python 3.14 on
annotations are evaluated lazily and typing's own class is used.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING or sys.version_info >= (3, 14):
    from typing import NamedTuple as NamedTuple
else:
    import collections
    import typing

    # as typing (3.10-3.13): what the class body may not set, and what it keeps to itself
    _PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
                             "_make", "_replace", "_asdict", "_source"})
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _NamedTupleMeta(type):
        """typing.NamedTupleMeta.__new__ (3.10-3.13), the annotations left as written."""

        def __new__(cls, typename, bases, ns):
            if bases != (_NamedTuple,):  # Generic and the rest: typing's own rules
                return typing.NamedTupleMeta(typename, tuple(typing._NamedTuple if b is _NamedTuple else b
                                                             for b in bases), ns)
            types = ns.get("__annotations__", {})
            default_names = []
            for field_name in types:
                if field_name in ns:
                    default_names.append(field_name)
                elif default_names:
                    raise TypeError(f"Non-default namedtuple field {field_name} "
                                    f"cannot follow default field{'s' if len(default_names) > 1 else ''} "
                                    f"{', '.join(default_names)}")
            nm_tpl = collections.namedtuple(typename, list(types), defaults=[ns[n] for n in default_names],
                                            module=ns["__module__"])
            nm_tpl.__annotations__ = nm_tpl.__new__.__annotations__ = dict(types)
            for key, val in ns.items():
                if key in _PROHIBITED:
                    raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
                if key not in _SPECIAL:
                    if key not in nm_tpl._fields:
                        setattr(nm_tpl, key, val)
                    if sys.version_info >= (3, 12):  # typing 3.12 calls __set_name__ too
                        set_name = getattr(type(val), "__set_name__", None)
                        if set_name is not None:
                            set_name(val, nm_tpl, key)
            return nm_tpl

    _NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})

    def NamedTuple(typename, fields=None, /, **kwargs):
        """The functional form is typing's own."""
        return typing.NamedTuple(typename, fields, **kwargs)

    NamedTuple.__mro_entries__ = lambda bases: (_NamedTuple,)
