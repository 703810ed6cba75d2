"""Porian et al.'s hyperparameter fits (T. Porian, M. Wortsman, J. Jitsev, L. Schmidt,
Y. Carmon, "Resolving Discrepancies in Compute-Optimal Scaling of Language Models",
arXiv 2406.19146, https://arxiv.org/abs/2406.19146), as Step Law's Table 1 gives them:

    lr_opt = 3.7 * N'^-0.36        B_opt = 0.7576 * N'^0.703 tokens

N' is Porian's parameter count, which includes the output layer: their code counts
(4d + 3 d_ff) d L + V d (repo formll/resolving-scaling-law-discrepancies, commit 0dc60d9,
data.py `precise_param_count_open_lm` and `params` = flops_per_token / 6). So N' = N + V*d
with Step Law's N; Step Law's plotted Porian markers match only with that head term
(docs steplaw.md section 6). Without the vocabulary or hidden size N' = N, marked approximate.
The law has no D term: it was fitted along compute-optimal (about 20 tokens per parameter)
runs, so far from that ratio it is a weak guide.
"""

from __future__ import annotations

from steplint.laws.common import LawInputs, LawValue, positive

NAME = "porian"
TITLE = "Porian et al."
CITATION = "Porian et al. 2024, arXiv 2406.19146 (constants as in Step Law's Table 1)"
LR_PREFACTOR, LR_EXPONENT = 3.7, -0.36
BATCH_PREFACTOR, BATCH_EXPONENT = 0.7576, 0.703


def evaluate(inputs: LawInputs) -> LawValue:
    n = positive(inputs.n_params)
    if n is None:
        return LawValue(NAME, TITLE, None, None, {}, "needs N", False, CITATION)
    vocab, hidden = positive(inputs.vocab_size), positive(inputs.hidden_size)
    if vocab and hidden:
        n_porian, exact = n + vocab * hidden, True
        note = "N' = N + V*d (Porian count the output layer)"
    else:
        n_porian, exact = n, False
        note = "approximate: N' = N (vocabulary or hidden size unknown, so the output layer V*d is left out)"
    return LawValue(NAME, TITLE, LR_PREFACTOR * n_porian ** LR_EXPONENT,
                    BATCH_PREFACTOR * n_porian ** BATCH_EXPONENT, {"N_porian": n_porian}, note, not exact, CITATION)
