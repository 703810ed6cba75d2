"""steplint._namedtuple.NamedTuple builds the class typing.NamedTuple builds (it only skips
the ForwardRef per annotation, for start-up time)."""

from __future__ import annotations

import inspect
import pickle
import sys
import typing
from typing import Optional

import pytest

from steplint._namedtuple import NamedTuple

FAST = sys.version_info < (3, 14)


class Ours(NamedTuple):
    """A value."""

    code: str
    line: int = 1
    note: Optional[str] = None

    def where(self) -> str:
        return f"{self.code}:{self.line}"


class Theirs(typing.NamedTuple):
    """A value."""

    code: str
    line: int = 1
    note: Optional[str] = None

    def where(self) -> str:
        return f"{self.code}:{self.line}"


class One(NamedTuple):
    only: int


def test_same_class_as_typing():
    assert Ours._fields == Theirs._fields and Ours._field_defaults == Theirs._field_defaults
    assert Ours.__mro__[1:] == Theirs.__mro__[1:] == (tuple, object)
    assert Ours.__doc__ == Theirs.__doc__ and Ours.__module__ == Theirs.__module__
    assert Ours.__new__.__defaults__ == Theirs.__new__.__defaults__ == (1, None)
    params = [(p.name, p.kind, p.default) for p in inspect.signature(Ours).parameters.values()]
    assert params == [(p.name, p.kind, p.default) for p in inspect.signature(Theirs).parameters.values()]
    assert Ours.__new__.__doc__ == Theirs.__new__.__doc__.replace("Theirs", "Ours")
    assert Ours.__match_args__ == Theirs.__match_args__
    v, w = Ours("a", 2), Theirs("a", 2)
    assert tuple(v) == tuple(w) and repr(v)[4:] == repr(w)[6:] and v.where() == w.where() == "a:2"
    assert v._replace(line=3) == Ours("a", 3) and v._asdict() == {"code": "a", "line": 2, "note": None}
    assert Ours._make(["b", 4, "n"]).note == "n" and pickle.loads(pickle.dumps(v)) == v
    assert One(5).only == 5 and One._make((5,)) == (5,)


def test_same_errors_as_typing():
    for cls in (Ours, Theirs):
        with pytest.raises(TypeError, match="missing 1 required positional argument: 'code'"):
            cls()
        with pytest.raises(AttributeError):
            cls("a").line = 2  # immutable
        with pytest.raises(ValueError, match="unexpected field names"):
            cls("a")._replace(nope=1)
    with pytest.raises(TypeError, match="without a default follows one with a default"):
        class Bad(NamedTuple):
            a: int = 1
            b: int
    with pytest.raises(AttributeError, match="cannot define _replace"):
        class Worse(NamedTuple):
            a: int

            def _replace(self) -> None: ...


@pytest.mark.skipif(not FAST, reason="Python 3.14+ uses typing.NamedTuple itself")
def test_annotations_stay_strings_without_forward_refs():
    assert Ours.__annotations__ == {"code": "str", "line": "int", "note": "Optional[str]"}
    assert typing.get_type_hints(Ours) == typing.get_type_hints(Theirs)


def test_functional_form_is_typings():
    Pair = NamedTuple("Pair", [("a", int), ("b", str)])
    assert Pair._fields == ("a", "b") and Pair(1, "x").b == "x"
