"""DeepSeek LLM's hyperparameter law (DeepSeek-AI, "DeepSeek LLM: Scaling Open-Source Language
Models with Longtermism", arXiv 2401.02954, section 3.1, https://arxiv.org/abs/2401.02954):

    lr_opt = 0.3118 * C^-0.1250        B_opt = 0.2920 * C^0.3271 tokens

with C = M * D the compute in FLOPs and M the non-embedding FLOPs per token, which counts the
attention scores beside the weights: M = 72 n_layer d_model^2 + 12 n_layer d_model l_seq (the
paper's section 3.2), where 72 L d^2 is 6N for its block. With Step Law's N that is
M = 6 N + 12 L d seq, the M of Step Law's own fit_tool.py (docs steplaw.md section 1.4): Step
Law's figures place the DeepSeek markers with this M to within 1% (steplaw.md section 6).
Step Law's Table 1 prints 0.3188 for the LR prefactor: a misprint of DeepSeek's 0.3118
(its own plotted markers and DeepSeek's paper agree on 0.3118). With N alone (predict
--params) the attention term is unknown, so M = 6N and the answer is marked approximate.
"""

from __future__ import annotations

from steplint.laws.common import LawInputs, LawValue, positive

NAME = "deepseek"
TITLE = "DeepSeek LLM"
CITATION = "DeepSeek-AI 2024, arXiv 2401.02954 (section 3.1)"
LR_PREFACTOR, LR_EXPONENT = 0.3118, -0.1250
BATCH_PREFACTOR, BATCH_EXPONENT = 0.2920, 0.3271


def flops_per_token(inputs: LawInputs) -> tuple[float, bool]:
    """(M, exact): 6N + 12 L d seq when the layer shape and sequence are known, else 6N."""
    n = positive(inputs.n_params_active) or positive(inputs.n_params)
    if n is None:  # what 6.0 * None raised before the types: evaluate asks only with N at hand
        raise TypeError("flops_per_token needs N")
    layers, hidden, seq = positive(inputs.num_layers), positive(inputs.hidden_size), positive(inputs.seq_len)
    if layers and hidden and seq:
        return 6.0 * n + 12.0 * layers * hidden * seq, True
    return 6.0 * n, False


def evaluate(inputs: LawInputs) -> LawValue:
    n, d = positive(inputs.n_params), positive(inputs.tokens)
    if n is None or d is None:
        return LawValue(NAME, TITLE, None, None, {}, "needs N and D (compute C = M*D)", False, CITATION)
    m, exact = flops_per_token(inputs)
    c = m * d
    note = "C = M*D, M = 6N + 12*L*d*seq non-embedding FLOPs/token" if exact else \
        "approximate: M = 6N (layers, hidden size or sequence length unknown, so the attention term 12*L*d*seq is left out)"
    if positive(inputs.n_params_active) and inputs.n_params_active != inputs.n_params:
        note += "; MoE: M from the active parameters"
    return LawValue(NAME, TITLE, LR_PREFACTOR * c ** LR_EXPONENT, BATCH_PREFACTOR * c ** BATCH_EXPONENT,
                    {"M": m, "C": c}, note, not exact, CITATION)
