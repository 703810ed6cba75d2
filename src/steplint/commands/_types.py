"""Click parameter types the calculators share (`predict`, `suggest`, `init`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Optional

import click

from steplint.quantities import parse_quantity

if TYPE_CHECKING:
    # click.ParamType is generic (value, input) in the click the test extra installs (8.5;
    # https://github.com/pallets/click/pull/3371), not in every click>=8.2 the package allows:
    # subscripted for the checker only, never at run time.
    _FloatType = click.ParamType[float, Any]
else:
    _FloatType = click.ParamType


class Quantity(_FloatType):
    """A positive finite number with an optional k/M/B/T suffix (steplint.quantities)."""

    name = "number"

    def __init__(self, integer: bool = False, binary: bool = False) -> None:
        self.integer = integer
        self.binary = binary

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> float:
        if not isinstance(value, str):
            return value  # type: ignore[no-any-return]  # a default already converted (click passes it again)
        try:  # plain numbers first, so '-1', 'nan' and 'inf' get the precise complaint
            plain = float(value)
        except ValueError:
            plain = None
        if plain is not None and not (math.isfinite(plain) and plain > 0):
            self.fail(f"{value!r} must be a positive finite number", param, ctx)
        try:
            return parse_quantity(value, what="", integer=self.integer, binary=self.binary)
        except ValueError as err:
            self.fail(str(err).strip(), param, ctx)


class Probability(_FloatType):
    name = "level"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> float:
        try:
            level = float(value)
        except (TypeError, ValueError):
            level = math.nan
        if not 0.0 < level < 1.0:  # also rejects nan
            self.fail(f"{value!r} must be a number strictly between 0 and 1 (0.9 is a 5-95% band)", param, ctx)
        return level
