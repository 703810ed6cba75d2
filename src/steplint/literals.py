"""Writing values into a config the way the file (and its framework) will read them back.

A fixed value must keep its type under the framework's own loader and look like its
neighbours. The trap that decides most of this module: PyYAML resolves YAML 1.1, whose
float pattern needs a dot and a signed exponent (`resolver.py`, `tag:yaml.org,2002:float`
`[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?`), so `1e-5` and `1.0e5` are *strings*
to GPT-NeoX and Megatron YAML (https://github.com/yaml/pyyaml/issues/173), while
`1.0e-5`, `1.0e+5` and `0.00001` are floats everywhere (OmegaConf, YAML 1.2, JSON, TOML).
TOML needs a dot or an exponent for a float (`100000` is an integer, toml.io v1.0.0).
"""

from __future__ import annotations

import math
import re
from typing import Any, Optional

from steplint._namedtuple import NamedTuple

from steplint.documents.nodes import ScalarNode

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_EXPONENT = re.compile(r"[eE]([-+]?)(\d+)$")


class NumberStyle(NamedTuple):
    """How the original literal was written, so the replacement looks like it."""

    exponent: bool  # 3.0e-5 rather than 0.00003
    upper_e: bool = False
    mantissa_dot: bool = True  # 3.0e-5 rather than 3e-5
    exponent_sign: bool = True  # 1.0e+5 rather than 1.0e5 (negative exponents always signed)
    exponent_digits: int = 1  # 1e-05 (Python's repr) pads to 2
    quote: str = ""  # keep '"' or "'" around a value written as a string


def style_of_literal(node: Optional[ScalarNode]) -> Optional[NumberStyle]:
    """The number style of a scalar's source text, or None when it is not a number."""
    if node is None:
        return None
    text = node.text.strip()
    quote = ""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        quote, text = text[0], text[1:-1].strip()
    body = text.lstrip("+-")
    if not body or not (body[0].isdigit() or body[0] == "."):
        return None
    m = _EXPONENT.search(body)
    if m is None:
        return NumberStyle(exponent=False, quote=quote)
    mantissa = body[: m.start()]
    return NumberStyle(
        exponent=True,
        upper_e=body[m.start()] == "E",
        mantissa_dot="." in mantissa,
        exponent_sign=bool(m.group(1)),
        exponent_digits=len(m.group(2)),
        quote=quote,
    )


def format_float(value: float, *, kind: str, style_of: Optional[ScalarNode] = None) -> str:
    """`value` as a float literal of a `kind` file ("yaml", "json", "toml", "shell"),
    in the style of `style_of` where that is safe: `0.00003` -> `0.00001`,
    `3.0e-5` -> `1.0e-5`; YAML always gets a dot and a signed exponent."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"cannot write non-finite {value!r} as a config literal")
    style = style_of_literal(style_of) or _default_style(value, kind)
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest_digits(abs(value))
    if style.exponent:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        if "." not in mantissa and (style.mantissa_dot or kind == "yaml"):
            mantissa += ".0"
        exp_sign = "-" if exponent < 0 else ("+" if style.exponent_sign or kind == "yaml" else "")
        body = f"{mantissa}{'E' if style.upper_e else 'e'}{exp_sign}{abs(exponent):0{style.exponent_digits}d}"
    else:
        body = _positional(digits, exponent)
    text = sign + body
    return f"{style.quote}{text}{style.quote}"


def format_int(value: int, *, kind: str, style_of: Optional[ScalarNode] = None) -> str:
    """An integer literal (a batch size), keeping quotes the original had."""
    style = style_of_literal(style_of)
    text = str(int(value))
    return f"{style.quote}{text}{style.quote}" if style else text


def format_value(value: Any, *, kind: str, style_of: Optional[ScalarNode] = None) -> str:
    """Dispatch on the Python type: bool, int, float, str (strings are JSON-quoted, which
    is also valid YAML and TOML basic-string syntax)."""
    if isinstance(value, bool):
        return ("True" if value else "False") if kind == "shell" else ("true" if value else "false")
    if isinstance(value, int):
        return format_int(value, kind=kind, style_of=style_of)
    if isinstance(value, float):
        return format_float(value, kind=kind, style_of=style_of)
    if isinstance(value, str):
        return value if kind == "shell" and _PLAIN_KEY.match(value) else _quoted(value)
    raise TypeError(f"no literal form for {type(value).__name__}")


def format_key(key: str, *, kind: str, like: Optional[ScalarNode] = None) -> str:
    """A mapping key as this file writes its keys: quoted like its sibling `like`, JSON
    always double-quoted, plain where that is unambiguous."""
    if kind == "json" or (like is not None and like.text[:1] == '"'):
        return _quoted(key)
    if like is not None and like.text[:1] == "'" and "'" not in key:
        return f"'{key}'"
    return key if _PLAIN_KEY.match(key) else _quoted(key)


def _quoted(text: str) -> str:
    """A JSON string, which YAML and TOML read as a basic string too."""
    import json  # only for string values and keys, rarely on a check's path

    return json.dumps(text)


def _default_style(value: float, kind: str) -> NumberStyle:
    """Python's own choice of notation (exponent below 1e-4 or from 1e16)."""
    exponent = "e" in repr(abs(value))
    return NumberStyle(exponent=exponent, mantissa_dot=kind == "yaml", exponent_sign=kind == "yaml")


def _shortest_digits(value: float) -> tuple[str, int]:
    """Shortest round-tripping significant digits and the decimal exponent of the first
    digit: 1.5e-05 -> ("15", -5). Read off `repr`, Python's shortest round-trip form
    (no `decimal` import on a plain check's path)."""
    if value == 0:
        return "0", 0
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    raw = whole + fraction
    lead = len(raw) - len(raw.lstrip("0"))
    return raw.strip("0"), len(whole) - 1 - lead + int(exponent or 0)


def _positional(digits: str, exponent: int) -> str:
    """Digits placed around the decimal point, always with a dot (so it stays a float)."""
    if exponent < 0:
        return "0." + "0" * (-exponent - 1) + digits
    whole = digits[: exponent + 1].ljust(exponent + 1, "0")
    frac = digits[exponent + 1:] or "0"
    return f"{whole}.{frac}"
