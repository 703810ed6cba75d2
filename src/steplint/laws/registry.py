"""The law registry: Step Law plus the laws its paper compares with (Table 1), by name.

    evaluate("deepseek", LawInputs(n_params=1e9, tokens=1e11))
    compare(inputs)            # every law, with its ratio to Step Law (predict/show --law all)
    spread(n, d, ...)          # lowest and highest LR and batch over the laws that give one

To add a law, add a module under steplint.laws defining NAME, TITLE, CITATION and
`evaluate(LawInputs) -> LawValue`, and list it in LAW_MODULES. Only Step Law's verdicts are
calibrated, so findings judged against another law are at most info (architecture.md section 5).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Optional

from steplint._namedtuple import NamedTuple

from steplint.laws.common import LawInputs, LawValue, positive

if TYPE_CHECKING:
    from steplint.laws.steplaw import StepLaw
    from steplint.recipe import Recipe

STEPLAW = "steplaw"
LAW_MODULES: dict[str, Optional[str]] = {
    STEPLAW: None,  # steplint.laws.steplaw (its own API: band, placement); wrapped below
    "deepseek": "deepseek",
    "porian": "porian",
    "kaplan": "kaplan",
    "minicpm": "minicpm",
}
NAMES: tuple[str, ...] = tuple(LAW_MODULES)


def steplaw_value(inputs: LawInputs, law: Optional[StepLaw] = None) -> LawValue:
    """Step Law (or a refitted law file, `law`) as a LawValue."""
    import steplint.laws.steplaw as steplaw  # (a `from` import of a package's module runs importlib's Python per call)

    law = law or steplaw.default_law()
    title = "Step Law" if law is steplaw.shipped_law() else "Step Law (refitted)"
    citation = "Li et al. 2025, arXiv 2503.04715"
    n, d = positive(inputs.n_params), positive(inputs.tokens)
    if n is None or d is None:
        return LawValue(STEPLAW, title, None, None, {}, "needs N and D", False, citation)
    return LawValue(STEPLAW, title, steplaw.optimal_lr(n, d, law), steplaw.optimal_batch_tokens(n, d, law),
                    {"N": n, "D": d}, "N non-embedding (total for MoE), D tokens", False, citation)


def evaluate(name: str, inputs: LawInputs, law: Optional[StepLaw] = None) -> LawValue:
    """One law's optimum for `inputs`. `law` is a refitted StepLaw for the Step Law entry."""
    if name not in LAW_MODULES:
        raise ValueError(f"unknown law {name!r} (known: {', '.join(NAMES)})")
    module = LAW_MODULES[name]
    if module is None:
        return steplaw_value(inputs, law)
    value: LawValue = _law_module(module).evaluate(inputs)
    return value


_MODULES: dict[str, Any] = {}  # module name -> module (import_module's lookup, once per law)


def _law_module(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        module = _MODULES[name] = importlib.import_module(f"steplint.laws.{name}")
    return module


class Comparison(NamedTuple):
    """A law's value beside Step Law's: ratios are None where either side has no value."""

    value: LawValue
    ratio_lr: Optional[float]
    ratio_batch: Optional[float]

    def to_json(self, seq_len: Optional[int]) -> dict[str, object]:
        v = self.value
        return {
            "law": v.law, "title": v.title, "lr": v.lr, "batch_tokens": v.batch_tokens,
            "batch_sequences": v.batch_tokens / seq_len if v.batch_tokens is not None and seq_len else None,
            "ratio_lr": self.ratio_lr, "ratio_batch": self.ratio_batch,
            "inputs": dict(v.inputs), "note": v.note, "approximate": v.approximate, "citation": v.citation,
        }


def compare(inputs: LawInputs, law: Optional[StepLaw] = None, names: tuple[str, ...] = NAMES) -> tuple[Comparison, ...]:
    """Every law in `names` with its ratio to Step Law (the first row is Step Law itself)."""
    base, values = _values(inputs, law, names)
    rows = []
    for value in values:
        rows.append(Comparison(
            value,
            value.lr / base.lr if value.lr is not None and base.lr else None,
            value.batch_tokens / base.batch_tokens if value.batch_tokens is not None and base.batch_tokens else None,
        ))
    return tuple(rows)


def _values(inputs: LawInputs, law: Optional[StepLaw], names: tuple[str, ...]) -> tuple[LawValue, list[LawValue]]:
    """(Step Law's value, every law in `names`'s value in order, Step Law's being that one)."""
    base = steplaw_value(inputs, law)
    return base, [base if name == STEPLAW else evaluate(name, inputs, law) for name in names]


class Spread(NamedTuple):
    """Lowest and highest optimum over the laws that give one (Step Law included): the honest
    uncertainty outside Step Law's fitted range. `names` are the laws that took part."""

    lr_min: float
    lr_max: float
    batch_min: float
    batch_max: float
    names: tuple[str, ...]

    def text(self) -> str:
        return (f"the published laws ({', '.join(self.names)}) put the optimal LR between {self.lr_min:.2e} and "
                f"{self.lr_max:.2e} and the batch between {self.batch_min:.3g} and {self.batch_max:.3g} tokens")


def spread(n_params: float, tokens: float, seq_len: Optional[int] = None, num_layers: Optional[int] = None,
           hidden_size: Optional[int] = None, vocab_size: Optional[int] = None,
           n_params_active: Optional[float] = None, law: Optional[StepLaw] = None) -> Optional[Spread]:
    """Spread of the laws' optima at (N, D) with the shape facts at hand; None when N or D is
    not a positive number. For SL302/SL303 messages outside Step Law's fitted range."""
    if positive(n_params) is None or positive(tokens) is None:
        return None
    inputs = LawInputs(n_params=n_params, tokens=tokens, seq_len=seq_len, num_layers=num_layers,
                       hidden_size=hidden_size, vocab_size=vocab_size, n_params_active=n_params_active)
    values = _values(inputs, law, NAMES)[1]  # compare's values, without its ratios
    lrs = [(v.lr, v.law) for v in values if v.lr is not None]
    batches = [(v.batch_tokens, v.law) for v in values if v.batch_tokens is not None and _batch_is_optimum(v.law)]
    names = tuple(dict.fromkeys(name for _, name in lrs + batches))
    return Spread(min(lrs)[0], max(lrs)[0], min(batches)[0], max(batches)[0], names)


def spread_for_recipe(recipe: Recipe, law: Optional[StepLaw] = None) -> Optional[Spread]:
    """`spread` with a Recipe's own facts (N, D, seq_len, layers, hidden size, vocabulary)."""
    i = inputs_from_recipe(recipe)
    if i.n_params is None or i.tokens is None:
        return None  # what spread says of a missing N or D
    return spread(i.n_params, i.tokens, i.seq_len, i.num_layers, i.hidden_size, i.vocab_size, i.n_params_active, law)


def _batch_is_optimum(name: str) -> bool:
    module = LAW_MODULES.get(name)
    return module is None or getattr(_law_module(module), "BATCH_IS_OPTIMUM", True)


def inputs_from_recipe(recipe: Recipe, loss: Optional[float] = None) -> LawInputs:
    """The facts a law may read, from a Recipe (architecture.md section 3 fields)."""
    def value(name: str) -> Any:  # the recipe's own number: an int for the sizes, int or float for N and D
        v = recipe.value(name)
        return v if positive(v) is not None else None

    return LawInputs(n_params=value("n_params"), tokens=value("tokens"), seq_len=value("seq_len"),
                     num_layers=value("num_layers"), hidden_size=value("hidden_size"),
                     vocab_size=value("vocab_size"), n_params_active=value("n_params_active"), loss=loss)
