"""`typing.NamedTuple` for steplint's value types, without its per-field cost at import.

Why: with `from __future__ import annotations` every field annotation is a string, and
typing.NamedTupleMeta turns each into a `typing.ForwardRef`, whose constructor compiles it:
about 440 compile() calls for the ~70 value classes on the `check` path, the largest part
of steplint's own start-up after click (architecture.md section 7; bench/check.py). This
builds the same class (collections.namedtuple, the defaults, the methods, docstring and
attributes of the class body, the annotations kept as the strings they are), only without
that conversion, which checks nothing a string could fail, and without
collections.namedtuple's eval() of a `__new__` per class (~0.15 ms each): its code object
is compiled once per field count and given the field names (`_new`). Type checkers see
typing.NamedTuple itself, so mypy's NamedTuple checks are unchanged. From Python 3.14 on
annotations are evaluated lazily and typing's own class is used.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING or sys.version_info >= (3, 14):
    from typing import NamedTuple as NamedTuple
else:
    import typing
    from keyword import iskeyword
    from types import FunctionType

    from collections import _tuplegetter  # type: ignore[attr-defined]  # C accessor collections itself uses

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
            nm_tpl = _namedtuple(typename, list(types), [ns[n] for n in default_names], ns["__module__"])
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

    _NEW_CODE: dict = {}  # field count -> code of `lambda _cls, _0, ..: _tuple_new(_cls, (_0, ..))`

    def _new(typename, field_names, arg_list):
        """collections.namedtuple's `__new__`, its code compiled once per field count."""
        code = _NEW_CODE.get(len(field_names))
        if code is None:
            args = ", ".join(f"_{i}" for i in range(len(field_names))) + ("," if len(field_names) == 1 else "")
            code = eval(f"lambda _cls, {args}: _tuple_new(_cls, ({args}))", {"__builtins__": {}}).__code__
            _NEW_CODE[len(field_names)] = code
        namespace = {"_tuple_new": tuple.__new__, "__builtins__": {}, "__name__": f"namedtuple_{typename}"}
        return FunctionType(code.replace(co_varnames=("_cls",) + field_names), namespace)

    def _namedtuple(typename, field_names, defaults, module):
        """collections.namedtuple (3.10-3.13, rename=False), `__new__` from `_new`."""
        for name in [typename] + field_names:
            if type(name) is not str:
                raise TypeError("Type names and field names must be strings")
            if not name.isidentifier():
                raise ValueError(f"Type names and field names must be valid identifiers: {name!r}")
            if iskeyword(name):
                raise ValueError(f"Type names and field names cannot be a keyword: {name!r}")
        seen = set()
        for name in field_names:
            if name.startswith("_"):
                raise ValueError(f"Field names cannot start with an underscore: {name!r}")
            if name in seen:
                raise ValueError(f"Encountered duplicate field name: {name!r}")
            seen.add(name)
        defaults = tuple(defaults)
        field_defaults = dict(reversed(list(zip(reversed(field_names), reversed(defaults)))))
        field_names = tuple(map(sys.intern, field_names))
        num_fields = len(field_names)
        arg_list = ", ".join(field_names)
        if num_fields == 1:
            arg_list += ","
        repr_fmt = "(" + ", ".join(f"{name}=%r" for name in field_names) + ")"
        tuple_new = tuple.__new__
        _dict, _tuple, _len, _map, _zip = dict, tuple, len, map, zip

        __new__ = _new(typename, field_names, arg_list)
        __new__.__name__ = "__new__"
        __new__.__doc__ = f"Create new instance of {typename}({arg_list})"
        __new__.__defaults__ = defaults  # () too, as typing always passes a list

        @classmethod
        def _make(cls, iterable):
            result = tuple_new(cls, iterable)
            if _len(result) != num_fields:
                raise TypeError(f"Expected {num_fields} arguments, got {len(result)}")
            return result

        _make.__func__.__doc__ = f"Make a new {typename} object from a sequence or iterable"

        def _replace(self, /, **kwds):
            result = self._make(_map(kwds.pop, field_names, self))
            if kwds:
                raise ValueError(f"Got unexpected field names: {list(kwds)!r}")
            return result

        _replace.__doc__ = f"Return a new {typename} object replacing specified fields with new values"

        def __repr__(self):
            "Return a nicely formatted representation string"
            return self.__class__.__name__ + repr_fmt % self

        def _asdict(self):
            "Return a new dict which maps field names to their values."
            return _dict(_zip(self._fields, self))

        def __getnewargs__(self):
            "Return self as a plain tuple.  Used by copy and pickle."
            return _tuple(self)

        for method in (__new__, _make.__func__, _replace, __repr__, _asdict, __getnewargs__):
            method.__qualname__ = f"{typename}.{method.__name__}"

        class_namespace = {
            "__doc__": f"{typename}({arg_list})",
            "__slots__": (),
            "_fields": field_names,
            "_field_defaults": field_defaults,
            "__new__": __new__,
            "_make": _make,
            "_replace": _replace,
            "__repr__": __repr__,
            "_asdict": _asdict,
            "__getnewargs__": __getnewargs__,
            "__match_args__": field_names,
        }
        for index, name in enumerate(field_names):
            doc = sys.intern(f"Alias for field number {index}")
            class_namespace[name] = _tuplegetter(index, doc)
        result = type(typename, (tuple,), class_namespace)
        result.__module__ = module
        return result

    _NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})

    def NamedTuple(typename, fields=None, /, **kwargs):
        """The functional form is typing's own."""
        return typing.NamedTuple(typename, fields, **kwargs)

    NamedTuple.__mro_entries__ = lambda bases: (_NamedTuple,)
