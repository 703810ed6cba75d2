"""Human quantities on the command line and in settings: `7e9`, `7B`, `1.4T`, `350M`, `2k`.

Counts of parameters and tokens use powers of 1000 (`7B` = 7e9, as papers write them);
a sequence length uses k = 1024, because "4k context" means 4096 positions
(`parse_quantity(..., binary=True)`)."""

from __future__ import annotations

import math
import re
from typing import Optional

_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}
_BINARY_SUFFIX = dict(_SUFFIX, k=1024.0)  # only k: nobody means 2**20 by a 1M context
_PATTERN = re.compile(r"^\s*([0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([kKmMbBgGtT]?)\s*$")


def parse_quantity(text: str, *, what: str = "value", integer: bool = False, binary: bool = False) -> float:
    """A positive finite number, with an optional k/M/B(G)/T suffix (powers of 1000).
    `binary`: k is 1024, for sequence lengths (`4k` = 4096).

    Raises ValueError with a message fit for a one-line CLI error."""
    m = _PATTERN.match(str(text))
    if not m:
        raise ValueError(f"{what} {text!r} is not a number (use e.g. 7e9, 7B, 1.4T, 350M, 2k)")
    value = float(m.group(1).replace("_", "")) * (_BINARY_SUFFIX if binary else _SUFFIX)[m.group(2).lower()]
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} {text!r} must be a positive finite number")
    if integer:
        if value != int(value):
            raise ValueError(f"{what} {text!r} must be a whole number")
        return int(value)
    return value


def as_float(value: object) -> Optional[float]:
    """A number as a float; None for anything else and for an integer past float range (a
    400-digit value in a JSON file is an int Python holds exactly, which float() refuses)."""
    if type(value) is float:  # the common case, first: float() would return it as it is
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:
        return None


def format_quantity(value: float, digits: int = 3) -> str:
    """Compact scientific form used in messages: 1.07e9, 6.0e-4."""
    if value == 0:
        return "0"
    if isinstance(value, int) and value.bit_length() > 1000:  # past float range: %e would overflow
        sign, text = ("-" if value < 0 else ""), str(abs(value))
        mantissa = (text[0] + "." + text[1:digits]).rstrip(".")
        return f"{sign}{mantissa}e{len(text) - 1}"
    return f"{value:.{digits - 1}e}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")
