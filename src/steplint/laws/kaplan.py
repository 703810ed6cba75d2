"""Kaplan et al. (J. Kaplan et al., "Scaling Laws for Neural Language Models", arXiv 2001.08361,
https://arxiv.org/abs/2001.08361; "OpenAI Law" in Step Law's Table 1):

- LR: lr(N) = 0.003239 - 0.0001395 ln N (appendix D.6, eq. D.1), N non-embedding parameters
  (natural log: Step Law's plotted line, docs steplaw.md section 6). Negative past
  N = exp(0.003239/0.0001395) = 1.2e10: no answer there.
- Batch: the critical batch B_crit(L) = B* / L^(1/alpha_B), B* = 2e8 tokens, alpha_B = 0.21
  (section 5.1, eq. 5.3), L the loss in nats. Step Law's Table 1 prints 2e18, a misprint of
  2e8. It is a critical batch, not an optimum, and needs a loss: a given target loss, else
  Kaplan's own L(N, D) = [(N_c/N)^(alpha_N/alpha_D) + D_c/D]^alpha_D (eq. 1.5; N_c = 8.8e13,
  D_c = 5.4e13, alpha_N = 0.076, alpha_D = 0.095), which is a WebText2 loss under GPT-2's
  tokenizer: marked approximate.
"""

from __future__ import annotations

import math
from typing import Optional

from steplint.laws.common import LawInputs, LawValue, positive

NAME = "kaplan"
TITLE = "Kaplan et al. (OpenAI)"
CITATION = "Kaplan et al. 2020, arXiv 2001.08361 (eq. D.1, 5.3, 1.5)"
BATCH_IS_OPTIMUM = False  # a critical batch: left out of `registry.spread`
LR_A, LR_B = 0.003239, 0.0001395
B_STAR, ALPHA_B = 2e8, 0.21
N_C, D_C, ALPHA_N, ALPHA_D = 8.8e13, 5.4e13, 0.076, 0.095


def loss(n_params: float, tokens: float) -> float:
    """Kaplan's L(N, D) in nats (WebText2, GPT-2 tokenizer)."""
    value: float = ((N_C / n_params) ** (ALPHA_N / ALPHA_D) + D_C / tokens) ** ALPHA_D
    return value


def evaluate(inputs: LawInputs) -> LawValue:
    n, d = positive(inputs.n_params), positive(inputs.tokens)
    if n is None:
        return LawValue(NAME, TITLE, None, None, {}, "needs N", False, CITATION)
    lr: Optional[float] = LR_A - LR_B * math.log(n)
    notes = []
    if lr is not None and lr <= 0:
        lr = None
        notes.append(f"LR formula is negative above N = {math.exp(LR_A / LR_B):.2g}")
    given = positive(inputs.loss)
    approximate = False
    values = {"N": n}
    if given is not None:
        the_loss: Optional[float] = given
        notes.append("critical batch from the given target loss")
    elif d is not None:
        the_loss = loss(n, d)
        approximate = True
        notes.append("approximate: critical batch from Kaplan's own L(N, D) (a WebText2 loss), not an optimum")
    else:
        the_loss = None
        notes.append("batch needs a target loss or D")
    batch = B_STAR / the_loss ** (1.0 / ALPHA_B) if the_loss else None
    if the_loss:
        values["loss"] = the_loss
    return LawValue(NAME, TITLE, lr, batch, values, "; ".join(notes), approximate, CITATION)
