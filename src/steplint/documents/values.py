"""Reading a number the way a framework's own loader reads it.

The same text means different things to different loaders: `lr: 1e-4` is the *string*
'1e-4' to PyYAML (YAML 1.1 floats need a dot and a signed exponent; yaml/resolver.py,
https://github.com/yaml/pyyaml/issues/173) but the float 0.0001 to OmegaConf, which adds
its own float resolver (omegaconf/_utils.py, get_yaml_loader); a launch script's `--lr
1e-4` goes through argparse's `float()`. Dialects say which reader their framework uses
and turn a returned problem into SL004 with `loader_diagnostic`.
"""

from __future__ import annotations

import math
import re
from typing import Optional, Union

from steplint._namedtuple import NamedTuple

from steplint.documents.findings import loader_diagnostic
from steplint.documents.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "MAX_INT_BITS",
    "READERS",
    "Reading",
    "loader_diagnostic",
    "non_finite_problem",
    "non_positive_problem",
    "read_int",
    "read_number",
    "unusable_number",
]

Number = Union[int, float]

# Python refuses str() of an int over sys.get_int_max_str_digits() (4,300) digits, but reads
# hex and binary literals of any length; loaders refuse larger ints so no report can crash.
MAX_INT_BITS = 14_000  # 2**14000 has 4,215 digits

# reader -> what reads the text: PyYAML SafeLoader (Megatron, NeoX, HF YAML), OmegaConf
# (NeMo/Hydra), json/hjson (DeepSpeed, HF JSON), tomllib (torchtitan), argparse (launch scripts)
READERS = ("yaml11", "omegaconf", "json", "toml", "argparse")

# OmegaConf's float resolver, omegaconf/_utils.py get_yaml_loader (exponent sign optional,
# no dot needed), applied to plain scalars on top of PyYAML's YAML 1.1 resolvers.
# The patterns below are compiled (and cached by re) on first use: most runs need none.
_OMEGACONF_FLOAT = (
    r"""^(?:
     [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$"""
)
# what a user plausibly meant as a number, written as text
_NUMBER_TEXT = r"[-+]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d+)?"


class Reading(NamedTuple):
    """The number a value holds (None when it holds none), and why the framework would not
    read it as that number (None when it would). A value that *means* a number but reads as
    a string comes back as the number with a problem, so the dialect can report SL004 and
    still derive the rest of the recipe."""

    value: Optional[Number]
    problem: Optional[str]


def _yaml_float(text: str) -> float:
    """A YAML float text as PyYAML's SafeConstructor.construct_yaml_float reads it."""
    value = text.replace("_", "").lower()
    sign = -1.0 if value[:1] == "-" else 1.0
    value = value.lstrip("+-")
    if value == ".inf":
        return sign * math.inf
    if value == ".nan":
        return math.nan
    if ":" in value:
        total = 0.0
        for part in value.split(":"):
            total = total * 60 + float(part)
        return sign * total
    return sign * float(value)


_EXPONENT_FORM = r"([-+]?[0-9][0-9_]*)(\.[0-9_]*)?[eE]([-+]?)([0-9]+)"


def _yaml11_spelling(text: str) -> Optional[str]:
    """`1e-4` -> `1.0e-4`, `3E5` -> `3.0E+5`: the user's number in YAML 1.1 float form."""
    match = re.fullmatch(_EXPONENT_FORM, text)
    if match is None:
        return None
    mantissa, fraction, sign, digits = match.groups()
    e = text[match.end(2) if fraction else match.end(1)]
    return f"{mantissa}{fraction or '.0'}{e}{sign or '+'}{digits}"


def _yaml11_float_text(value: float) -> str:
    """The literal a fix would write (steplint.literals, the one place for number text)."""
    if not math.isfinite(value):
        return ".inf" if value > 0 else "-.inf"
    from steplint.literals import format_float  # off the loaders' start-up path

    return format_float(value, kind="yaml")


def _as_number(text: str) -> Optional[Number]:
    text = text.strip()
    if not re.fullmatch(_NUMBER_TEXT, text):
        return None
    plain = text.replace("_", "")
    try:
        return int(plain)
    except ValueError:
        return float(plain)


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return repr(node.text or node.value)


def read_number(node: Optional[Node], reader: str = "yaml11") -> Reading:
    """The number at `node` as the framework whose loader is `reader` (see READERS) sees it."""
    if reader not in READERS:
        raise ValueError(f"unknown reader {reader!r} (choose {', '.join(READERS)})")
    if node is None:
        return Reading(None, None)
    if not isinstance(node, ScalarNode):
        return Reading(None, f"expected a number, found {_describe(node)}")
    value = node.value
    if isinstance(value, bool):
        return Reading(None, f"expected a number, found the boolean {node.text or value}")
    if isinstance(value, (int, float)):
        return Reading(value, None)
    if value is None:
        return Reading(None, "expected a number, found an empty value (null)")
    if not isinstance(value, str):
        return Reading(None, f"expected a number, found {_describe(node)}")
    if reader == "argparse":
        number = _as_number(value)
        if number is None:
            try:  # argparse's type=float also takes inf and nan
                number = float(value)
            except ValueError:
                return Reading(None, f"expected a number, found {value!r}")
        return Reading(number, None)
    plain = node.style is None
    if reader == "omegaconf" and plain and re.match(_OMEGACONF_FLOAT, value, re.X):
        return Reading(_yaml_float(value), None)
    number = _as_number(value)
    if number is None:
        return Reading(None, f"expected a number, found the string {node.text or repr(value)}")
    if not plain:
        return Reading(number, f"{node.text} is quoted, so the framework reads a string, not a number")
    if reader == "yaml11":
        hint = _yaml11_spelling(value) or _yaml11_float_text(float(number))
        return Reading(
            number,
            f"PyYAML reads {node.text} as a string, not a number (YAML 1.1 floats need a dot "
            f"and a signed exponent); write {hint}",
        )
    return Reading(number, f"{node.text} is not a number here")


def read_int(node: Optional[Node], reader: str = "yaml11") -> Reading:
    """Like read_number, for counts (batch sizes, steps): a non-integer is a problem."""
    value, problem = read_number(node, reader)
    if isinstance(value, float):
        text = node.text if isinstance(node, ScalarNode) else repr(value)  # a float comes from a scalar
        if problem is None and value.is_integer():
            return Reading(int(value), f"{text} is a float where the framework expects an integer")
        if problem is None:
            return Reading(None, f"expected an integer, found {text}")
    return Reading(value, problem)


def non_finite_problem(value: Optional[Number]) -> Optional[str]:
    """Why a NaN or infinite value is wrong (None for a finite one)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a finite number (non-finite)"
    return None


# No training config holds a number this large: PyTorch, NumPy and the launchers keep counts
# in 64-bit integers. Refusing larger ones also keeps products of a few counts (N, D, 6ND)
# inside float range, so no later float() or math call overflows.
MAX_MAGNITUDE = 2**63


def unusable_number(value: Optional[Number]) -> Optional[str]:
    """Why a read number cannot be used (None when it can): NaN or infinite
    (non_finite_problem), or past 2**63 - a 400-digit JSON integer, which
    float() and math.isfinite refuse with OverflowError. Never raises."""
    problem = non_finite_problem(value)
    if problem is None and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and abs(value) >= MAX_MAGNITUDE:
        shown = f"a {len(str(abs(value)))}-digit integer" if isinstance(value, int) else f"{value:.3g}"
        problem = f"{shown} is too large for a training config (over 2**63)"
    return problem


def non_positive_problem(value: Optional[Number]) -> Optional[str]:
    """Why a zero or negative value is wrong where only positive ones make sense."""
    if value is not None and not (value > 0):
        return f"must be positive, found {value}"
    return None
