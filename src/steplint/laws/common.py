"""What every law module shares: the facts a law may read, and the answer it gives.

Each published law defines its own inputs (N with or without embeddings, compute C, a
target loss); a law module converts the recipe's facts to those inputs explicitly and says
so in `inputs` and `note`. Pure Python, on the `check` path.
"""

from __future__ import annotations

from typing import Optional

from steplint._namedtuple import NamedTuple

from steplint.quantities import as_float


class LawInputs(NamedTuple):
    """Facts at hand. `n_params` is Step Law's N (attention + FFN weights, no embeddings;
    total N for MoE). Anything unknown stays None: a law never guesses it."""

    n_params: Optional[float] = None
    tokens: Optional[float] = None
    seq_len: Optional[int] = None
    num_layers: Optional[int] = None
    hidden_size: Optional[int] = None
    vocab_size: Optional[int] = None
    n_params_active: Optional[float] = None
    loss: Optional[float] = None  # a target final loss in nats, for the laws written in loss


class LawValue(NamedTuple):
    """One law's optimum. `lr` / `batch_tokens` are None where the law gives none or lacks
    a fact (then `note` says which); `approximate` marks an input stood in for."""

    law: str
    title: str
    lr: Optional[float]
    batch_tokens: Optional[float]
    inputs: dict[str, float]  # the law's own inputs by its paper's names (N, D, C, M, loss)
    note: str
    approximate: bool
    citation: str

    @property
    def evaluated(self) -> bool:
        return self.lr is not None or self.batch_tokens is not None


def positive(value: object) -> Optional[float]:
    """`value` as a float when it is a positive finite number, else None."""
    number = as_float(value)
    return number if number is not None and number > 0 and number != float("inf") else None
