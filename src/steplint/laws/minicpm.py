"""MiniCPM's batch law (S. Hu et al., "MiniCPM: Unveiling the Potential of Small Language
Models with Scalable Training Strategies", arXiv 2404.06395, section 4.2,
https://arxiv.org/abs/2404.06395): B_opt = 1.21e9 / L^6.24 tokens, L the C4 loss the run is
expected to reach. Step Law's Table 1 prints 2e18 for the prefactor: not usable. MiniCPM
has no LR law in N or D (its LR comes from muP "model wind tunnel" runs), and a config holds
no target loss: listed with that reason unless a loss is given (`predict --loss`).
"""

from __future__ import annotations

from steplint.laws.common import LawInputs, LawValue, positive

NAME = "minicpm"
TITLE = "MiniCPM"
CITATION = "Hu et al. 2024, arXiv 2404.06395 (section 4.2)"
BATCH_PREFACTOR, BATCH_EXPONENT = 1.21e9, -6.24


def evaluate(inputs: LawInputs) -> LawValue:
    target = positive(inputs.loss)
    if target is None:
        return LawValue(NAME, TITLE, None, None, {}, "needs a target loss (a config has none; give --loss); "
                        "no LR law (muP-tuned)", False, CITATION)
    return LawValue(NAME, TITLE, None, BATCH_PREFACTOR * target ** BATCH_EXPONENT, {"loss": target},
                    "batch from the given target loss (a C4 loss in MiniCPM); no LR law (muP-tuned)", False, CITATION)
